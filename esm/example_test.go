package esm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// A poison message fails on every delivery: after maxReceiveCount receives
// SQS moves it to the dead-letter queue, while the other messages are
// processed once.
func ExampleSQS() {
	sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 3})
	sim.Send("apple", "poison", "cherry")

	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "poison" {
			return errors.New("cannot parse")
		}
		return nil
	}, batch.Options{})
	trace := sim.Run(context.Background(), fn)

	fmt.Println(trace)
	fmt.Println("dead letters:", trace.Payloads(esm.DeadLettered))
	dlq := sim.DeadLetters()
	fmt.Println("received:", dlq[0].Attributes["ApproximateReceiveCount"], "times")
	fmt.Println("simulated time:", trace.End.Sub(trace.Start).Round(1e9))
	// Output:
	// 3 invocations, 3 records: 2 processed, 1 dead-lettered, 0 duplicate deliveries
	// dead letters: [poison]
	// received: 3 times
	// simulated time: 1m30s
}

// On a FIFO queue, a failed message holds back the rest of its message
// group until it is handled; other groups go on. A handler function that
// calls the Function's Handle method sees each event first.
func ExampleSQS_fifo() {
	sim := esm.NewSQS("orders.fifo", esm.SQSConfig{MaxReceiveCount: 5})
	sim.SendGroup("alice", "a1", "a2", "a3")
	sim.SendGroup("bob", "b1", "b2")

	failures := map[string]int{"a1": 1} // a1 fails once
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if failures[m.Body] > 0 {
			failures[m.Body]--
			return errors.New("temporary failure")
		}
		return nil
	}, batch.Options{SkipGroupOnError: true})
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var bodies []string
		for _, m := range ev.Records {
			bodies = append(bodies, m.Body)
		}
		fmt.Println("batch:", strings.Join(bodies, " "))
		return fn.Handle(ctx, ev)
	}))
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
	sim := esm.NewKinesis("clicks", esm.StreamConfig{BatchSize: 4, MaximumRetryAttempts: 2})
	for _, user := range []string{"u1", "u2", "u3", "u4"} {
		sim.Put(user, []byte("click by "+user))
	}
	invocation := 0
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error {
		if invocation == 1 && r.Kinesis.PartitionKey == "u2" {
			return errors.New("downstream unavailable")
		}
		return nil
	}, batch.Options{Concurrency: 4})
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		invocation++
		fmt.Println("batch of", len(ev.Records))
		return fn.Handle(ctx, ev)
	}))
	fmt.Println(trace)
	// Output:
	// batch of 4
	// batch of 3
	// 2 invocations, 4 records: 4 processed, 2 duplicate deliveries
}

// Without ReportBatchItemFailures on the event source mapping, Lambda
// ignores the partial response: the failed message is deleted with the
// others and lost.
func ExampleSQSConfig_ignoreBatchItemFailures() {
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("rejected")
		}
		return nil
	}, batch.Options{})
	for _, ignore := range []bool{false, true} {
		sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 2, IgnoreBatchItemFailures: ignore})
		sim.Send("ok", "bad")
		trace := sim.Run(context.Background(), fn)
		fmt.Printf("ignore=%v: %v\n", ignore, trace)
	}
	// Output:
	// ignore=false: 2 invocations, 2 records: 1 processed, 1 dead-lettered, 0 duplicate deliveries
	// ignore=true: 1 invocations, 2 records: 1 processed, 1 discarded, 0 duplicate deliveries
}

// With BisectBatchOnFunctionError, a handler that fails the whole batch has
// it split until the poison record is alone; with no retries left, that
// record goes to the on-failure destination and the shard moves on.
func ExampleStreamConfig_bisect() {
	sim := esm.NewKinesis("clicks", esm.StreamConfig{
		BatchSize:                  8,
		BisectBatchOnFunctionError: true,
		MaximumRetryAttempts:       0,
		OnFailureDestination:       true,
	})
	for i := 0; i < 8; i++ {
		sim.Put(fmt.Sprint("user-", i), []byte(fmt.Sprint(i)))
	}
	var sizes []int
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		sizes = append(sizes, len(ev.Records))
		for _, r := range ev.Records {
			if string(r.Kinesis.Data) == "5" {
				// an all-or-nothing handler: any failure fails the batch
				return events.KinesisEventResponse{}, errors.New("cannot decode record 5")
			}
		}
		return events.KinesisEventResponse{}, nil
	}))
	fmt.Println("batch sizes:", sizes)
	fmt.Println(trace)
	fmt.Println(trace.Destination[0].Condition, trace.Payloads(esm.DeadLettered))
	// Output:
	// batch sizes: [8 4 4 2 1 1 2]
	// 7 invocations, 8 records: 7 processed, 1 dead-lettered, 0 duplicate deliveries
	// RetryAttemptsExhausted [5]
}

// StopOnFirstFailure suits streams: Lambda re-reads everything after the
// lowest reported record anyway, so handling records after a failure only
// makes duplicates.
func ExampleKinesis_stopOnFirstFailure() {
	for _, stop := range []bool{false, true} {
		sim := esm.NewKinesis("clicks", esm.StreamConfig{BatchSize: 10, MaximumRetryAttempts: 3})
		for i := 0; i < 10; i++ {
			sim.Put("user", []byte(fmt.Sprint(i)))
		}
		first := true // "3" fails on its first delivery only
		fn := batch.New(batch.Kinesis(), func(ctx context.Context, n int) error {
			if n == 3 && first {
				first = false
				return errors.New("throttled")
			}
			return nil
		}, batch.Options{StopOnFirstFailure: stop})
		trace := sim.Run(context.Background(), fn)
		fmt.Printf("StopOnFirstFailure=%v: %v\n", stop, trace)
	}
	// Output:
	// StopOnFirstFailure=false: 2 invocations, 10 records: 10 processed, 6 duplicate deliveries
	// StopOnFirstFailure=true: 2 invocations, 10 records: 10 processed, 0 duplicate deliveries
}

// A DynamoDB stream keeps the changes of one item in order: with
// SkipGroupOnError, a failed change holds back the later changes of its
// item only.
func ExampleDynamoDB() {
	sim := esm.NewDynamoDB("accounts", esm.StreamConfig{MaximumRetryAttempts: 2, OnFailureDestination: true})
	alice := batchtest.Item{"pk": events.NewStringAttribute("alice")}
	bob := batchtest.Item{"pk": events.NewStringAttribute("bob")}
	balance := func(n string) batchtest.Item { return batchtest.Item{"balance": events.NewNumberAttribute(n)} }
	sim.Insert(alice, balance("10"))
	sim.Insert(bob, balance("5"))
	sim.Modify(alice, balance("10"), balance("20"))

	invocation := 0
	fn := batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
		if rec, _ := batch.RecordFrom(ctx); rec.Index == 0 {
			invocation++
		}
		who := r.Change.Keys["pk"].String()
		fmt.Println(invocation, r.EventName, who, r.Change.NewImage["balance"].Number())
		if invocation == 1 && who == "alice" {
			return errors.New("ledger locked")
		}
		return nil
	}, batch.Options{SkipGroupOnError: true})
	trace := sim.Run(context.Background(), fn)
	fmt.Println(trace)
	fmt.Println("order violations:", len(trace.OrderViolations))
	// Output:
	// 1 INSERT alice 10
	// 1 INSERT bob 5
	// 2 INSERT alice 10
	// 2 INSERT bob 5
	// 2 MODIFY alice 20
	// 2 invocations, 3 records: 3 processed, 1 duplicate deliveries
	// order violations: 0
}

// A Kafka partition resumes from the lowest offset reported for it, while
// the other partitions go on. The response names a record by its
// partition and offset.
func ExampleKafka() {
	sim := esm.NewKafka("payments", esm.StreamConfig{Shards: 2, MaximumRetryAttempts: 1})
	for _, acct := range []string{"alice", "bob", "alice", "bob"} {
		sim.Produce([]byte(acct), []byte("debit "+acct))
	}
	frozen := true // bob's account is frozen on the first try only
	fn := batch.New(batch.Kafka(), func(ctx context.Context, r events.KafkaRecord) error {
		if r.Partition == 1 && frozen {
			frozen = false
			return errors.New("account frozen")
		}
		return nil
	}, batch.Options{SkipGroupOnError: true})
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
		for tp, recs := range ev.Records {
			fmt.Println(tp, "offsets", recs[0].Offset, "to", recs[len(recs)-1].Offset)
		}
		resp, err := fn.Handle(ctx, ev)
		for _, f := range resp.BatchItemFailures {
			fmt.Printf("  reported %+v\n", f.ItemIdentifier)
		}
		return resp, err
	}))
	fmt.Println(trace)
	// Output:
	// payments-0 offsets 0 to 1
	// payments-1 offsets 0 to 1
	//   reported {Partition:payments-1 Offset:0}
	//   reported {Partition:payments-1 Offset:1}
	// payments-1 offsets 0 to 1
	// 3 invocations, 4 records: 4 processed, 0 duplicate deliveries
}

// On a FIFO queue the Function's default stops the batch at the first
// failure, so a poison message also returns the messages of other groups
// that follow it in the batch: each return counts as a receive, and with a
// small maxReceiveCount healthy messages reach the dead-letter queue.
// SkipGroupOnError confines the damage to the poison message's group.
func ExampleSQS_skipGroupOnError() {
	for _, skip := range []bool{false, true} {
		sim := esm.NewSQS("orders.fifo", esm.SQSConfig{MaxReceiveCount: 2})
		sim.SendGroup("alice", "poison")
		sim.SendGroup("bob", "b1", "b2")
		fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "poison" {
				return errors.New("cannot parse")
			}
			return nil
		}, batch.Options{SkipGroupOnError: skip})
		trace := sim.Run(context.Background(), fn)
		fmt.Printf("SkipGroupOnError=%v: dead letters %v\n", skip, trace.Payloads(esm.DeadLettered))
	}
	// Output:
	// SkipGroupOnError=false: dead letters [poison b1 b2]
	// SkipGroupOnError=true: dead letters [poison]
}
