package batchtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

// String summarizes a trace in one line.
func ExampleTrace_String() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxReceiveCount: 2})
	sim.Send("apple", "poison", "cherry")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return batch.Processor{}.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "poison" {
				return errors.New("cannot parse")
			}
			return nil
		})
	})
	fmt.Println(trace)
	// Output:
	// 2 invocations, 3 records: 2 processed, 1 dead-lettered, 0 duplicate deliveries
}

// Record returns the history of one record.
func ExampleTrace_Record() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxReceiveCount: 2})
	ids := sim.Send("apple", "poison", "cherry")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return batch.Processor{}.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "poison" {
				return errors.New("cannot parse")
			}
			return nil
		})
	})
	r, ok := trace.Record(ids[1])
	fmt.Println(ok, r.Payload, r.Deliveries, r.Invocations, r.State)
	_, ok = trace.Record("no-such-id")
	fmt.Println(ok)
	// Output:
	// true poison 2 [0 1] dead-lettered
	// false
}

// Count counts the records in a state.
func ExampleTrace_Count() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxReceiveCount: 2})
	sim.Send("apple", "poison", "cherry")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return batch.Processor{}.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "poison" {
				return errors.New("cannot parse")
			}
			return nil
		})
	})
	fmt.Println(trace.Count(batchtest.Processed), trace.Count(batchtest.DeadLettered), trace.Count(batchtest.Pending))
	// Output:
	// 2 1 0
}

// IDs lists the records in a state, in send order.
func ExampleTrace_IDs() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxReceiveCount: 2})
	ids := sim.Send("apple", "poison", "cherry")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return batch.Processor{}.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "poison" {
				return errors.New("cannot parse")
			}
			return nil
		})
	})
	fmt.Println(trace.IDs(batchtest.DeadLettered)[0] == ids[1], len(trace.IDs(batchtest.Processed)))
	// Output:
	// true 2
}

// Payloads lists the payloads of the records in a state, in send order.
func ExampleTrace_Payloads() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxReceiveCount: 2})
	sim.Send("apple", "poison", "cherry")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return batch.Processor{}.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "poison" {
				return errors.New("cannot parse")
			}
			return nil
		})
	})
	fmt.Println(trace.Payloads(batchtest.Processed), trace.Payloads(batchtest.DeadLettered))
	// Output:
	// [apple cherry] [poison]
}

// Deliveries counts every delivery of every record: here the poison
// message was delivered twice.
func ExampleTrace_Deliveries() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxReceiveCount: 2})
	sim.Send("apple", "poison", "cherry")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return batch.Processor{}.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "poison" {
				return errors.New("cannot parse")
			}
			return nil
		})
	})
	fmt.Println(trace.Deliveries())
	// Output:
	// 4
}

// Duplicates counts deliveries of records an earlier invocation had
// succeeded with: a stream re-reads the records after the lowest
// reported one.
func ExampleTrace_Duplicates() {
	sim := batchtest.NewKinesis("clicks", batchtest.StreamConfig{MaximumRetryAttempts: 1})
	first := sim.Put("k", []byte("1"))
	sim.Put("k", []byte("2"))
	sim.Put("k", []byte("3"))
	calls := 0
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		calls++
		if calls == 1 {
			return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: first}}}, nil
		}
		return events.KinesisEventResponse{}, nil
	})
	fmt.Println(trace.Deliveries(), trace.Duplicates())
	// Output:
	// 6 2
}

// A State prints in lower case.
func ExampleState_String() {
	for _, s := range []batchtest.State{batchtest.Pending, batchtest.Processed, batchtest.DeadLettered, batchtest.Expired, batchtest.Discarded} {
		fmt.Println(s)
	}
	// Output:
	// pending
	// processed
	// dead-lettered
	// expired
	// discarded
}

// A Verdict prints in lower case. Here an empty itemIdentifier makes the
// response invalid, which fails the whole batch.
func ExampleVerdict_String() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxReceiveCount: 1})
	sim.Send("a", "b")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ""}}}, nil
	})
	inv := trace.Invocations[0]
	fmt.Println(inv.Verdict)
	fmt.Println(inv.Reason)
	fmt.Println(batchtest.BatchSucceeded, "/", batchtest.PartialFailure)
	// Output:
	// batch failed
	// batchItemFailures[0]: itemIdentifier is empty
	// succeeded / partial failure
}

// A configuration Lambda rejects makes Run invoke nothing; the trace's
// Err is a *ConfigError.
func ExampleConfigError_Error() {
	sim := batchtest.NewSQS("orders.fifo", batchtest.SQSConfig{BatchSize: 50})
	sim.Send("a")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{}, nil
	})
	var ce *batchtest.ConfigError
	if errors.As(trace.Err, &ce) {
		fmt.Println(ce.Field, ce.Value, ce.Max)
	}
	fmt.Println(trace.Err)
	fmt.Println(len(trace.Invocations), trace.Count(batchtest.Pending))
	// Output:
	// BatchSize 50 10
	// batchtest: sqs:orders.fifo: BatchSize is 50, Lambda accepts 1 to 10 (0 means the default)
	// 0 1
}
