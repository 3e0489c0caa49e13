package esm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/esm"
)

// Record returns the history of one record.
func ExampleTrace_Record() {
	sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 2})
	ids := sim.Send("apple", "poison", "cherry")
	trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "poison" {
			return errors.New("cannot parse")
		}
		return nil
	}, batch.Options{}))
	r, ok := trace.Record(ids[1])
	fmt.Println(ok, r.Payload, r.Deliveries, r.Invocations, r.State)
	_, ok = trace.Record("no-such-id")
	fmt.Println(ok)
	// Output:
	// true poison 2 [0 1] dead-lettered
	// false
}

// Duplicates counts deliveries of records an earlier invocation had
// succeeded with: a stream re-reads the records after the lowest
// reported one.
func ExampleTrace_Duplicates() {
	sim := esm.NewKinesis("clicks", esm.StreamConfig{MaximumRetryAttempts: 1})
	first := sim.Put("k", []byte("1"))
	sim.Put("k", []byte("2"))
	sim.Put("k", []byte("3"))
	calls := 0
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		calls++
		if calls == 1 {
			return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: first}}}, nil
		}
		return events.KinesisEventResponse{}, nil
	}))
	fmt.Println(trace.Deliveries(), trace.Duplicates())
	// Output:
	// 6 2
}

// Drained checks that a simulation left nothing behind. Here the event
// source mapping lacks ReportBatchItemFailures, so the failed message is
// deleted with the others and lost.
func ExampleTrace_Drained() {
	sim := esm.NewSQS("orders", esm.SQSConfig{IgnoreBatchItemFailures: true})
	sim.Send("ok", "bad")
	trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("rejected")
		}
		return nil
	}, batch.Options{}))

	// in a test: if err := trace.Drained(); err != nil { t.Error(err) }
	fmt.Println(trace.Drained())
	// Output:
	// got 1 records discarded [078abed3-c91c-448d-b175-529139878efc], want none
}

// InState checks where records ended. Here a message that always fails is
// still in the queue when the guard stops the run.
func ExampleTrace_InState() {
	sim := esm.NewSQS("orders", esm.SQSConfig{MaxInvocations: 3})
	ids := sim.Send("ok", "bad")
	trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("rejected")
		}
		return nil
	}, batch.Options{}))

	fmt.Println(trace.InState(esm.Processed, ids[0]))
	fmt.Println(trace.InState(esm.DeadLettered, ids[1]))
	// Output:
	// <nil>
	// record 078abed3-c91c-448d-b175-529139878efc: got pending after 3 deliveries, want dead-lettered
}

// An Invocation holds Lambda's verdict on a call. Here an empty
// itemIdentifier makes the response invalid, which fails the whole batch.
func ExampleInvocation() {
	sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 1})
	sim.Send("a", "b")
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ""}}}, nil
	}))
	inv := trace.Invocations[0]
	fmt.Println(inv.Verdict)
	fmt.Println(inv.Reason)
	fmt.Println(len(inv.Failed), "of", len(inv.IDs), "to deliver again")
	// Output:
	// batch failed
	// batchItemFailures[0]: itemIdentifier is empty
	// 2 of 2 to deliver again
}

// A configuration Lambda rejects makes Run invoke nothing; the trace's
// Err is a *ConfigError.
func ExampleConfigError() {
	sim := esm.NewSQS("orders.fifo", esm.SQSConfig{BatchSize: 50})
	sim.Send("a")
	trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		return nil
	}, batch.Options{}))
	var ce *esm.ConfigError
	if errors.As(trace.Err, &ce) {
		fmt.Println(ce.Field, ce.Value, ce.Max)
	}
	fmt.Println(trace.Err)
	fmt.Println(len(trace.Invocations), trace.Count(esm.Pending))
	// Output:
	// BatchSize 50 10
	// esm: sqs:orders.fifo: BatchSize is 50, Lambda accepts 1 to 10 (0 means the default)
	// 0 1
}
