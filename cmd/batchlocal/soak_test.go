package main

import (
	"fmt"
	"reflect"
	"testing"
)

// The soak tests run many records through, with -soak: go test -soak -run Soak.
func TestSoakEmbedded(t *testing.T) {
	if !*soak {
		t.Skip("a soak test: run with -soak")
	}
	const n = 50000
	s := runJSON(t, function(t, "examples/sqs"), "--send", fmt.Sprint(n), "--poison", "0.5%", "--max-receive-count", "3", "--batch-size", "100", "--batch-window", "1s")
	want := poisonBodies(srcSQS, false, n, 0.005, 4)
	if got := sorted(payloads(s.Failed, "dead-lettered")); !reflect.DeepEqual(got, want) || s.Outcomes["processed"] != n-len(want) || s.Duplicates != 0 {
		t.Errorf("got outcomes %v, %d duplicates, %d dead-lettered; want %d processed, the %d poison dead-lettered", s.Outcomes, s.Duplicates, len(got), n-len(want), len(want))
	}
	t.Logf("%d records in %.1f s: %.0f records/s, invocation p50 %.2f ms", n, s.WallSeconds, s.RecordsPerSecond, s.DurationMS.P50)
}

func TestSoakMoto(t *testing.T) {
	if !*soak {
		t.Skip("a soak test: run with -soak")
	}
	needSQS(t)
	const n = 1000 // moto slows down as a queue grows: a few records per second beyond a thousand
	q := unique(t, "soak")
	s := runJSON(t, function(t, "examples/sqs"), "--endpoint-url", sqsEndpoint, "--queue", q, "--create", "--visibility-timeout", "2s",
		"--max-receive-count", "2", "--send", fmt.Sprint(n), "--poison", "0.5%")
	want := poisonBodies(srcSQS, false, n, 0.005, 4)
	if got := drain(t, q+"-dlq"); !reflect.DeepEqual(got, want) || s.Outcomes["processed"] != n-len(want) {
		t.Errorf("got outcomes %v, dead-letter queue of %d; want %d processed, the %d poison dead-lettered", s.Outcomes, len(got), n-len(want), len(want))
	}
	t.Logf("%d records in %.1f s: %.0f records/s", n, s.WallSeconds, s.RecordsPerSecond)
}
