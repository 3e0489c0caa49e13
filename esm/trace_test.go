package esm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

func TestTraceDrainedAndInState(t *testing.T) {
	trace := &esm.Trace{Records: []esm.Record{
		{ID: "a", State: esm.Processed},
		{ID: "b", State: esm.Discarded, Deliveries: 1},
		{ID: "c", State: esm.DeadLettered, Deliveries: 3},
	}}
	tests := []struct {
		name  string
		check func() error
		want  string // the error's text; "" for none
	}{
		{"state matches", func() error { return trace.InState(esm.Processed, "a") }, ""},
		{"no records to check", func() error { return trace.InState(esm.Expired) }, ""},
		{"state differs", func() error { return trace.InState(esm.Processed, "b") }, "record b: got discarded after 1 deliveries, want processed"},
		{"unknown record", func() error { return trace.InState(esm.Processed, "z") }, "record z: not in the trace, want processed"},
		{"one error per record", func() error { return trace.InState(esm.Processed, "a", "b", "z") },
			"record b: got discarded after 1 deliveries, want processed\nrecord z: not in the trace, want processed"},
		{"a discarded record is not drained", trace.Drained, "got 1 records discarded [b], want none"},
		{"processed and dead-lettered records are drained", (&esm.Trace{Records: []esm.Record{trace.Records[0], trace.Records[2]}}).Drained, ""},
		{"a stopped run is not drained", (&esm.Trace{Stopped: true, Invocations: make([]esm.Invocation, 4)}).Drained,
			"run stopped by its guard after 4 invocations, want the source drained"},
		{"pending and expired records are not drained", (&esm.Trace{Records: []esm.Record{{ID: "p"}, {ID: "e", State: esm.Expired}}}).Drained,
			"got 1 records pending [p], want none\ngot 1 records expired [e], want none"},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got error %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		v    fmt.Stringer
		want string
	}{
		{"pending", esm.Pending, "pending"},
		{"processed", esm.Processed, "processed"},
		{"dead-lettered", esm.DeadLettered, "dead-lettered"},
		{"expired", esm.Expired, "expired"},
		{"discarded", esm.Discarded, "discarded"},
		{"an unknown state", esm.State(9), "State(9)"},
		{"succeeded", esm.BatchSucceeded, "succeeded"},
		{"partial failure", esm.PartialFailure, "partial failure"},
		{"batch failed", esm.BatchFailed, "batch failed"},
		{"an unknown verdict", esm.Verdict(7), "Verdict(7)"},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The queries of a trace after one poison message was dead-lettered.
func TestTraceQueries(t *testing.T) {
	sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 2})
	ids := sim.Send("apple", "poison", "cherry")
	trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
		if m.Body == "poison" {
			return errFunction
		}
		return nil
	}, batch.Options{}))
	tests := []struct {
		name      string
		got, want any
	}{
		{"String", trace.String(), "2 invocations, 3 records: 2 processed, 1 dead-lettered, 0 duplicate deliveries"},
		{"Count of processed", trace.Count(esm.Processed), 2},
		{"Count of dead-lettered", trace.Count(esm.DeadLettered), 1},
		{"Count of pending", trace.Count(esm.Pending), 0},
		{"IDs of dead-lettered", fmt.Sprint(trace.IDs(esm.DeadLettered)), fmt.Sprint(ids[1:2])},
		{"IDs of processed, in send order", fmt.Sprint(trace.IDs(esm.Processed)), fmt.Sprint([]string{ids[0], ids[2]})},
		{"IDs of none is empty, not nil", trace.IDs(esm.Expired) != nil, true},
		{"Payloads of processed", fmt.Sprint(trace.Payloads(esm.Processed)), "[apple cherry]"},
		{"Payloads of dead-lettered", fmt.Sprint(trace.Payloads(esm.DeadLettered)), "[poison]"},
		{"Deliveries", trace.Deliveries(), 4},
		{"Duplicates", trace.Duplicates(), 0},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestTraceString(t *testing.T) {
	tests := []struct {
		name  string
		trace *esm.Trace
		want  string
	}{
		{"empty", &esm.Trace{}, "0 invocations, 0 records: 0 duplicate deliveries"},
		{"stopped", &esm.Trace{Stopped: true, Records: []esm.Record{{ID: "a"}}},
			"0 invocations, 1 records: 1 pending, 0 duplicate deliveries (stopped before the source was drained)"},
		{"not run", &esm.Trace{Err: errors.New("bad")}, "0 invocations, 0 records: 0 duplicate deliveries (not run: bad)"},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.trace.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// A trace returned by Run does not change with later runs.
func TestTraceIsASnapshot(t *testing.T) {
	sim := esm.NewSQS("orders", esm.SQSConfig{})
	fn := batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{})
	sim.Send("a")
	first := sim.Run(context.Background(), fn)
	sim.Send("b")
	sim.Run(context.Background(), fn)
	if len(first.Records) != 1 || len(first.Invocations) != 1 || first.Records[0].Deliveries != 1 {
		t.Errorf("first trace: got %v, want 1 invocation and 1 record", first)
	}
}

// Simulated time: each record sent takes a millisecond, and a run waits
// out visibility timeouts and retry delays without sleeping.
func TestSimulatedClock(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t.Run("SQS", func(t *testing.T) {
		sim := esm.NewSQS("orders", esm.SQSConfig{VisibilityTimeout: time.Minute})
		if !sim.Now().Equal(start) {
			t.Errorf("start: got %v, want %v", sim.Now(), start)
		}
		sim.Send("a", "b")
		if got := sim.Now().Sub(start); got != 2*time.Millisecond {
			t.Errorf("after two sends: got %v, want 2ms", got)
		}
		calls := 0
		began := time.Now()
		trace := sim.Run(context.Background(), invokeFunc(func(context.Context, []byte) ([]byte, error) {
			calls++
			if calls == 1 {
				return nil, errFunction
			}
			return nil, nil
		}))
		if got := sim.Now().Sub(start); got != time.Minute+2*time.Millisecond {
			t.Errorf("after a visibility timeout: got %v, want 1m0.002s", got)
		}
		if !trace.Start.Equal(start) || !trace.End.Equal(sim.Now()) {
			t.Errorf("trace: got start %v, end %v; want %v, %v", trace.Start, trace.End, start, sim.Now())
		}
		if real := time.Since(began); real > 10*time.Second {
			t.Errorf("real time: got %v, want no sleeping", real)
		}
	})
	t.Run("Kinesis", func(t *testing.T) {
		sim := esm.NewKinesis("clicks", esm.StreamConfig{MaximumRetryAttempts: 3})
		sim.Put("alice", []byte("click"))
		calls := 0
		sim.Run(context.Background(), invokeFunc(func(context.Context, []byte) ([]byte, error) {
			calls++
			if calls < 3 {
				return nil, errFunction
			}
			return nil, nil
		}))
		if got, want := sim.Now().Sub(start), 2*esm.RetryDelay+time.Millisecond; calls != 3 || got != want {
			t.Errorf("after two retries: got %d calls and %v, want 3 calls and %v", calls, got, want)
		}
	})
	t.Run("DynamoDB", func(t *testing.T) {
		sim := esm.NewDynamoDB("orders", esm.StreamConfig{})
		key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
		sim.Insert(key, batchtest.Item{})
		sim.Remove(key, batchtest.Item{})
		if got := sim.Now().Format(time.RFC3339Nano); got != "2024-01-01T00:00:00.002Z" {
			t.Errorf("after two writes: got %s, want 2024-01-01T00:00:00.002Z", got)
		}
	})
	t.Run("Kafka", func(t *testing.T) {
		sim := esm.NewKafka("payments", esm.StreamConfig{})
		sim.Produce([]byte("alice"), []byte("1"))
		if got := sim.Now().Format(time.RFC3339Nano); got != "2024-01-01T00:00:00.001Z" {
			t.Errorf("after one record: got %s, want 2024-01-01T00:00:00.001Z", got)
		}
	})
}

// The ARN of an SQS simulator is the eventSourceARN of its messages.
func TestSQSARN(t *testing.T) {
	sim := esm.NewSQS("orders.fifo", esm.SQSConfig{})
	if got, want := sim.ARN(), "arn:aws:sqs:us-east-1:123456789012:orders.fifo"; got != want {
		t.Errorf("ARN: got %q, want %q", got, want)
	}
	sim.Send("a")
	var arn string
	sim.Run(context.Background(), batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
		arn = m.EventSourceARN
		return nil
	}, batch.Options{}))
	if !strings.HasSuffix(arn, ":orders.fifo") || arn != sim.ARN() {
		t.Errorf("eventSourceARN: got %q, want %q", arn, sim.ARN())
	}
}
