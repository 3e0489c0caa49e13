package batchtest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch/batchtest"
)

// TestPanicNilFailsTheInvocation runs in a child process with
// GODEBUG=panicnil=1, under which panic(nil) recovers as nil: a function
// that panics with nil must still be a function error in a simulation, as
// it is for Lambda's Go runtime, not a successful batch.
func TestPanicNilFailsTheInvocation(t *testing.T) {
	if os.Getenv("BATCHTEST_PANICNIL_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPanicNilFailsTheInvocation$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "GODEBUG=panicnil=1", "BATCHTEST_PANICNIL_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "panicnil: checked") {
			t.Fatalf("child process did not run the check:\n%s", out)
		}
		return
	}
	sim := batchtest.NewSQS("q", batchtest.SQSConfig{MaxReceiveCount: 1})
	sim.Send("a")
	trace := sim.Run(context.Background(), func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
		panic(nil)
	})
	inv := trace.Invocations[0]
	if inv.Verdict != batchtest.BatchFailed || !errors.Is(inv.Err, batchtest.ErrPanic) {
		t.Fatalf("got verdict %s, error %v; want a failed batch with ErrPanic", inv.Verdict, inv.Err)
	}
	t.Log("panicnil: checked")
}
