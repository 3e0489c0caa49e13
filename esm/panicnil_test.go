package esm_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/esm"
)

// TestPanicNilFailsTheInvocation runs in a child process with
// GODEBUG=panicnil=1, under which panic(nil) recovers as nil: a function
// that panics with nil must still be a function error in a simulation, as
// it is for Lambda's Go runtime, not a successful batch. A record handler
// of a *batch.Function that panics with nil fails its record only: the
// Function recovers it, and its response reports the record.
func TestPanicNilFailsTheInvocation(t *testing.T) {
	if os.Getenv("ESM_PANICNIL_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPanicNilFailsTheInvocation$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "GODEBUG=panicnil=1", "ESM_PANICNIL_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		if got := strings.Count(string(out), "panicnil: checked"); got != 5 {
			t.Fatalf("child process: got %d checks, want 5:\n%s", got, out)
		}
		return
	}
	panicNil := func(context.Context, []byte) ([]byte, error) { panic(nil) }
	t.Run("SQS, a handler function", func(t *testing.T) {
		sim := esm.NewSQS("q", esm.SQSConfig{MaxReceiveCount: 1})
		sim.Send("a")
		trace := sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
			panic(nil)
		}))
		checkPanicked(t, trace)
	})
	t.Run("SQS, a bare Invoke", func(t *testing.T) {
		sim := esm.NewSQS("q", esm.SQSConfig{MaxReceiveCount: 1})
		sim.Send("a")
		checkPanicked(t, sim.Run(context.Background(), invokeFunc(panicNil)))
	})
	t.Run("Kafka, a handler function", func(t *testing.T) {
		sim := esm.NewKafka("t", esm.StreamConfig{})
		sim.Produce([]byte("k"), []byte("v"))
		trace := sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.KafkaEvent) (batch.KafkaEventResponse, error) {
			panic(nil)
		}))
		checkPanicked(t, trace)
	})
	t.Run("Kafka, a bare Invoke", func(t *testing.T) {
		sim := esm.NewKafka("t", esm.StreamConfig{})
		sim.Produce([]byte("k"), []byte("v"))
		checkPanicked(t, sim.Run(context.Background(), invokeFunc(panicNil)))
	})
	t.Run("SQS, a record handler of a Function", func(t *testing.T) {
		sim := esm.NewSQS("q", esm.SQSConfig{MaxReceiveCount: 1})
		ids := sim.Send("ok", "panic")
		trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
			if m.Body == "panic" {
				panic(nil)
			}
			return nil
		}, batch.Options{}))
		inv := trace.Invocations[0]
		if inv.Verdict != esm.PartialFailure || !equal(inv.Reported, ids[1:]) {
			t.Fatalf("got verdict %s reporting %v (%s), want a partial failure reporting %v", inv.Verdict, inv.Reported, inv.Reason, ids[1:])
		}
		t.Log("panicnil: checked")
	})
}

// checkPanicked checks that the first invocation of trace failed as a
// whole with ErrPanic.
func checkPanicked(t *testing.T, trace *esm.Trace) {
	t.Helper()
	inv := trace.Invocations[0]
	if inv.Verdict != esm.BatchFailed || !errors.Is(inv.Err, esm.ErrPanic) || !equal(inv.Failed, inv.IDs) {
		t.Fatalf("got verdict %s, error %v, failed %v of %v; want a failed batch with ErrPanic", inv.Verdict, inv.Err, inv.Failed, inv.IDs)
	}
	t.Log("panicnil: checked")
}
