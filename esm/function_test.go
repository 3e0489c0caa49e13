package esm_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// simTimeout is the function timeout of the simulations of this file, in
// real time; a function that overruns it waits for its context to end.
const simTimeout = 200 * time.Millisecond

// simulate sends two records to a simulator of source ("sqs", "sqs.fifo",
// "kinesis", "dynamodb" or "kafka") that retries a failed batch at least
// once, runs fn with a function timeout of simTimeout, and returns the
// trace and the records' identifiers.
func simulate(t *testing.T, source string, fn esm.Function) (*esm.Trace, []string) {
	t.Helper()
	ctx := context.Background()
	stream := esm.StreamConfig{MaximumRetryAttempts: 2, Timeout: simTimeout}
	switch source {
	case "sqs", "sqs.fifo":
		name := "q"
		if source == "sqs.fifo" {
			name = "q.fifo"
		}
		sim := esm.NewSQS(name, esm.SQSConfig{MaxReceiveCount: 3, Timeout: simTimeout})
		ids := sim.SendGroup("g", `"a"`, `"b"`)
		return sim.Run(ctx, fn), ids
	case "kinesis":
		sim := esm.NewKinesis("s", stream)
		ids := []string{sim.Put("k", []byte(`"a"`)), sim.Put("k", []byte(`"b"`))}
		return sim.Run(ctx, fn), ids
	case "dynamodb":
		sim := esm.NewDynamoDB("t", stream)
		key := batchtest.Item{"pk": events.NewStringAttribute("k")}
		ids := []string{sim.Insert(key, batchtest.Item{}), sim.Remove(key, batchtest.Item{})}
		return sim.Run(ctx, fn), ids
	case "kafka":
		sim := esm.NewKafka("t", stream)
		ids := []string{sim.Produce([]byte("k"), []byte(`"a"`)), sim.Produce([]byte("k"), []byte(`"b"`))}
		return sim.Run(ctx, fn), ids
	}
	t.Fatalf("unknown source %q", source)
	return nil, nil
}

var sources = []string{"sqs", "sqs.fifo", "kinesis", "dynamodb", "kafka"}

// A function that returns an error, panics or overruns its timeout fails
// the whole batch, whatever the source: Lambda cannot read a response,
// retries every record, and counts none of them as handled.
func TestFunctionFailureFailsTheBatch(t *testing.T) {
	tests := []struct {
		name   string
		fail   func(ctx context.Context) ([]byte, error) // what the first invocation does
		err    error                                     // the invocation's error, by errors.Is
		reason string                                    // the start of Invocation.Reason
	}{
		{
			name:   "a returned error",
			fail:   func(context.Context) ([]byte, error) { return nil, errFunction },
			err:    errFunction,
			reason: "function error: function error",
		},
		{
			name: "an error with a valid response",
			fail: func(context.Context) ([]byte, error) {
				return []byte(`{"batchItemFailures":[]}`), errFunction
			},
			err:    errFunction,
			reason: "function error: function error",
		},
		{
			name:   "a panic",
			fail:   func(context.Context) ([]byte, error) { panic("boom") },
			err:    esm.ErrPanic,
			reason: "function error: esm: function panicked: boom",
		},
		{
			name:   "a panic with an error",
			fail:   func(context.Context) ([]byte, error) { panic(errFunction) },
			err:    esm.ErrPanic,
			reason: "function error: esm: function panicked: function error",
		},
		{
			name: "a timeout",
			fail: func(ctx context.Context) ([]byte, error) {
				<-ctx.Done()
				return nil, nil // a success, but too late
			},
			err:    esm.ErrTimeout,
			reason: "function error: esm: function timed out",
		},
	}
	for _, source := range sources {
		for _, tt := range tests {
			source, tt := source, tt // captured by the subtest's closure
			t.Run(source+"/"+tt.name, func(t *testing.T) {
				calls := 0
				trace, ids := simulate(t, source, invokeFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
					calls++
					if calls == 1 {
						return tt.fail(ctx)
					}
					return nil, nil
				}))
				inv := trace.Invocations[0]
				if inv.Verdict != esm.BatchFailed || !errors.Is(inv.Err, tt.err) {
					t.Fatalf("first invocation: got %v with error %v, want %v with %v", inv.Verdict, inv.Err, esm.BatchFailed, tt.err)
				}
				if !strings.HasPrefix(inv.Reason, tt.reason) {
					t.Errorf("reason: got %q, want it to start with %q", inv.Reason, tt.reason)
				}
				if !equal(inv.Failed, ids) || len(inv.Reported) != 0 {
					t.Errorf("got failed %v, reported %v; want failed %v, reported none", inv.Failed, inv.Reported, ids)
				}
				if err := trace.InState(esm.Processed, ids...); err != nil {
					t.Error(err)
				}
				for _, id := range ids {
					if r, _ := trace.Record(id); r.Deliveries != 2 || r.Duplicates != 0 {
						t.Errorf("%s: got %d deliveries, %d duplicates; want 2 deliveries, no duplicate", id, r.Deliveries, r.Duplicates)
					}
				}
			})
		}
	}
}

// typedFunction returns a *batch.Function of source whose handler takes
// the payload, a JSON string, and does what do says with it.
func typedFunction(source string, do func(ctx context.Context, payload string) error, o batch.Options) esm.Function {
	switch source {
	case "sqs", "sqs.fifo":
		return batch.New(batch.SQS(), do, o)
	case "kinesis":
		return batch.New(batch.Kinesis(), do, o)
	case "kafka":
		return batch.New(batch.Kafka(), do, o)
	case "dynamodb":
		// DynamoDB Streams has no payload: the handler reads the
		// record, "a" for the insert, "b" for the removal.
		return batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
			if r.EventName == "INSERT" {
				return do(ctx, "a")
			}
			return do(ctx, "b")
		}, o)
	}
	panic("unknown source " + source)
}

// A *batch.Function keeps a failure to its record: a record handler that
// returns an error or panics fails that record alone, and one that
// overruns is abandoned before the function timeout, so the invocation
// still answers in time. Only a batch in which every record failed is a
// function error, a *batch.BatchError, unless NoBatchError.
func TestFunctionKeepsFailuresToTheirRecords(t *testing.T) {
	tests := []struct {
		name    string
		do      func(ctx context.Context, payload string) error
		o       batch.Options
		verdict esm.Verdict
		failed  []int // positions of the records to deliver again, on a stream from the checkpoint on
		batch   bool  // the invocation's error is a *batch.BatchError
	}{
		{
			name: "a record that fails",
			do: func(_ context.Context, p string) error {
				if p == "b" {
					return errFunction
				}
				return nil
			},
			verdict: esm.PartialFailure,
			failed:  []int{1},
		},
		{
			name: "a record that panics",
			do: func(_ context.Context, p string) error {
				if p == "b" {
					panic("boom")
				}
				return nil
			},
			verdict: esm.PartialFailure,
			failed:  []int{1},
		},
		{
			name: "a record that overruns the deadline",
			do: func(ctx context.Context, p string) error {
				if p == "b" {
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			},
			verdict: esm.PartialFailure,
			failed:  []int{1},
		},
		{
			name:    "every record fails",
			do:      func(context.Context, string) error { return errFunction },
			verdict: esm.BatchFailed,
			failed:  []int{0, 1},
			batch:   true,
		},
		{
			name:    "every record fails, with NoBatchError",
			do:      func(context.Context, string) error { return errFunction },
			o:       batch.Options{NoBatchError: true},
			verdict: esm.PartialFailure,
			failed:  []int{0, 1},
		},
	}
	for _, source := range sources {
		for _, tt := range tests {
			source, tt := source, tt // captured by the subtest's closure
			t.Run(source+"/"+tt.name, func(t *testing.T) {
				// The first invocation runs the handler under test, the
				// later ones a handler that succeeds.
				failing := typedFunction(source, tt.do, tt.o)
				passing := typedFunction(source, func(context.Context, string) error { return nil }, tt.o)
				calls := 0
				trace, ids := simulate(t, source, invokeFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
					calls++
					if calls == 1 {
						return failing.Invoke(ctx, payload)
					}
					return passing.Invoke(ctx, payload)
				}))
				inv := trace.Invocations[0]
				var want []string
				for _, p := range tt.failed {
					want = append(want, ids[p])
				}
				if inv.Verdict != tt.verdict || !equal(inv.Failed, want) {
					t.Errorf("first invocation: got %v failing %v (%s), want %v failing %v", inv.Verdict, inv.Failed, inv.Reason, tt.verdict, want)
				}
				var be *batch.BatchError
				if got := errors.As(inv.Err, &be); got != tt.batch || (!tt.batch && inv.Err != nil) {
					t.Errorf("error: got %v, want a *batch.BatchError: %v", inv.Err, tt.batch)
				}
				if err := trace.InState(esm.Processed, ids...); err != nil {
					t.Error(err)
				}
			})
		}
	}
}
