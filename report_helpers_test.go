package batch_test

import "github.com/seed-45ee126e/batch"

// Helpers of the engine tests that read a Report.

// countOutcome returns how many records of rep had outcome o.
func countOutcome[R any](rep *batch.Report[R], o batch.Outcome) int {
	n := 0
	for _, r := range rep.Results {
		if r.Outcome == o {
			n++
		}
	}
	return n
}
