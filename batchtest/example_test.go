package batchtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

// A poison message fails on every delivery: after maxReceiveCount receives
// SQS moves it to the dead-letter queue, while the other messages are
// processed once.
func ExampleSQS() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxReceiveCount: 3})
	sim.Send("apple", "poison", "cherry")

	var proc batch.Processor
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return proc.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "poison" {
				return errors.New("cannot parse")
			}
			return nil
		})
	})

	fmt.Println(trace)
	fmt.Println("dead letters:", trace.Payloads(batchtest.DeadLettered))
	dlq := sim.DeadLetters()
	fmt.Println("received:", dlq[0].Attributes["ApproximateReceiveCount"], "times")
	fmt.Println("simulated time:", trace.End.Sub(batchtest.StartTime).Round(1e9))
	// Output:
	// 3 invocations, 3 records: 2 processed, 1 dead-lettered, 0 duplicate deliveries
	// dead letters: [poison]
	// received: 3 times
	// simulated time: 1m30s
}

// On a FIFO queue, a failed message holds back the rest of its message
// group until it is handled; other groups go on.
func ExampleSQS_fifo() {
	sim := batchtest.NewSQS("orders.fifo", batchtest.SQSConfig{MaxReceiveCount: 5})
	sim.SendGroup("alice", "a1", "a2", "a3")
	sim.SendGroup("bob", "b1", "b2")

	failures := map[string]int{"a1": 1} // a1 fails once
	proc := batch.Processor{SkipGroupOnError: true}
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var bodies []string
		for _, m := range ev.Records {
			bodies = append(bodies, m.Body)
		}
		fmt.Println("batch:", strings.Join(bodies, " "))
		return proc.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if failures[m.Body] > 0 {
				failures[m.Body]--
				return errors.New("temporary failure")
			}
			return nil
		})
	})
	fmt.Println(trace)
	fmt.Println("order violations:", len(trace.OrderViolations))
	// Output:
	// batch: a1 a2 a3 b1 b2
	// batch: a1 a2 a3
	// 2 invocations, 5 records: 5 processed, 0 duplicate deliveries
	// order violations: 0
}

// A Kinesis shard checkpoints at the lowest reported sequence number: the
// records after it are read again, so records that had succeeded are
// delivered twice.
func ExampleKinesis() {
	sim := batchtest.NewKinesis("clicks", batchtest.StreamConfig{BatchSize: 4, MaximumRetryAttempts: 2})
	for _, user := range []string{"u1", "u2", "u3", "u4"} {
		sim.Put(user, []byte("click by "+user))
	}
	invocation := 0
	proc := batch.Processor{Concurrency: 4}
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		invocation++
		first := invocation == 1
		fmt.Println("batch of", len(ev.Records))
		return proc.Kinesis(ctx, ev, func(ctx context.Context, r events.KinesisEventRecord) error {
			if first && r.Kinesis.PartitionKey == "u2" {
				return errors.New("downstream unavailable")
			}
			return nil
		})
	})
	fmt.Println(trace)
	// Output:
	// batch of 4
	// batch of 3
	// 2 invocations, 4 records: 4 processed, 2 duplicate deliveries
}
