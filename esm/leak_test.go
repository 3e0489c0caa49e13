package esm_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine is left running after
// them: neither the simulators nor the functions they run may leak one, not
// even a function still running at its timeout, which the simulators wait
// for.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
