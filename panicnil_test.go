package batch_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// TestPanicNilFailsTheRecord runs in a child process with
// GODEBUG=panicnil=1, under which panic(nil) recovers as nil (the Go 1.21
// release notes; a //go:debug line in a user's main package has the same
// effect): a handler that panics with nil must still fail its record, on
// every path (Handle, with and without a deadline, a middleware, Process,
// Invoke, a handler of a decoded payload), never be reported as a success
// that Lambda deletes or checkpoints past.
func TestPanicNilFailsTheRecord(t *testing.T) {
	if os.Getenv("BATCH_TEST_PANICNIL_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPanicNilFailsTheRecord$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "GODEBUG=panicnil=1", "BATCH_TEST_PANICNIL_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "panicnil: all paths checked") {
			t.Fatalf("child process did not run the checks:\n%s", out)
		}
		return
	}

	// The setting must be in effect, or the test proves nothing.
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Fatalf("GODEBUG=panicnil=1 not in effect: panic(nil) recovered as %v", v)
			}
		}()
		panic(nil)
	}()

	ctx := context.Background()
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "a", Body: "ok"}, {MessageId: "b", Body: "nil"}}}
	h := func(_ context.Context, m events.SQSMessage) error {
		if m.Body == "nil" {
			panic(nil)
		}
		return nil
	}
	check := func(path string, resp events.SQSEventResponse, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: got error %v, want nil", path, err)
		}
		if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "b" {
			t.Fatalf("%s: got %+v, want only b reported", path, resp.BatchItemFailures)
		}
	}

	fn := batch.New(batch.SQS(), h, batch.Options{})
	resp, err := fn.Handle(ctx, ev)
	check("Handle", resp, err)

	withDeadline, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err = batch.New(batch.SQS(), h, batch.Options{Concurrency: 2}).Handle(withDeadline, ev)
	check("Handle with a deadline and 2 workers", resp, err)

	var seen error
	record := func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, r batch.Record) error {
			err := next(ctx, r)
			if r.ID == "b" {
				seen = err
			}
			return err
		}
	}
	resp, err = batch.New(batch.SQS(), h, batch.Options{Middleware: []batch.Middleware{record}}).Handle(ctx, ev)
	check("a middleware", resp, err)
	var pe *batch.PanicError
	if !errors.As(seen, &pe) || pe.Value != nil {
		t.Fatalf("middleware saw %v, want a *batch.PanicError with a nil value", seen)
	}

	_, rep := fn.Process(ctx, ev)
	if r := rep.Results[1]; r.Outcome != batch.Failed || !errors.As(r.Err, &pe) {
		t.Fatalf("report: got %v %v, want failed with a *batch.PanicError", r.Outcome, r.Err)
	}

	out, err := fn.Invoke(ctx, []byte(`{"Records":[{"messageId":"a","body":"ok"},{"messageId":"b","body":"nil"}]}`))
	if err != nil || string(out) != `{"batchItemFailures":[{"itemIdentifier":"b"}]}` {
		t.Fatalf("Invoke: got %s, %v; want b reported", out, err)
	}

	// A handler of a decoded payload is called behind the decoding, which
	// recovers its panics itself.
	typed := batch.New(batch.SQS(), func(_ context.Context, body string) error {
		if body == "nil" {
			panic(nil)
		}
		return nil
	}, batch.Options{})
	resp, err = typed.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "a", Body: `"ok"`}, {MessageId: "b", Body: `"nil"`}}})
	check("a handler of a decoded payload", resp, err)
	t.Log("panicnil: all paths checked")
}
