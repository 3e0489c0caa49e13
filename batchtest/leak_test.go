package batchtest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine is left running after
// them: neither the builders, nor AssertFailures, nor the Functions the
// tests run may leak one.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
