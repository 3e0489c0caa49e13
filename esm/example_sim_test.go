package esm_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// NewSQS takes the queue's and the mapping's settings; the zero value
// means Lambda's defaults.
func ExampleNewSQS() {
	sim := esm.NewSQS("orders", esm.SQSConfig{BatchSize: 2})
	sim.Send("a", "b", "c")
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		fmt.Println("batch of", len(ev.Records))
		return events.SQSEventResponse{}, nil
	}))
	fmt.Println(trace)
	// Output:
	// batch of 2
	// batch of 1
	// 2 invocations, 3 records: 3 processed, 0 duplicate deliveries
}

// Send returns the message ids, by which the trace knows the messages.
func ExampleSQS_Send() {
	sim := esm.NewSQS("orders", esm.SQSConfig{})
	ids := sim.Send("apple", "cherry")
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error { return nil }, batch.Options{})
	trace := sim.Run(context.Background(), fn)
	r, _ := trace.Record(ids[1])
	fmt.Println(ids[1], r.Payload, r.State)
	// Output:
	// 078abed3-c91c-448d-b175-529139878efc cherry processed
}

// On a FIFO queue, SendGroup picks the message group: while a message of
// a group is in flight, the group delivers nothing more.
func ExampleSQS_SendGroup() {
	sim := esm.NewSQS("orders.fifo", esm.SQSConfig{BatchSize: 2})
	sim.SendGroup("alice", "a1", "a2")
	sim.SendGroup("bob", "b1")
	sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var got []string
		for _, m := range ev.Records {
			got = append(got, m.Attributes["MessageGroupId"]+":"+m.Body)
		}
		fmt.Println(strings.Join(got, " "))
		return events.SQSEventResponse{}, nil
	}))
	// Output:
	// alice:a1 alice:a2
	// bob:b1
}

// SendMessage keeps the message attributes and the MessageGroupId of a
// message built by hand; the simulator fills in the rest.
func ExampleSQS_SendMessage() {
	sim := esm.NewSQS("orders.fifo", esm.SQSConfig{})
	tenant := "acme"
	id := sim.SendMessage(events.SQSMessage{
		Body:       `{"order":1}`,
		Attributes: map[string]string{"MessageGroupId": "customer-1"},
		MessageAttributes: map[string]events.SQSMessageAttribute{
			"tenant": {DataType: "String", StringValue: &tenant},
		},
	})
	sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		m := ev.Records[0]
		fmt.Println(m.MessageId == id, m.Attributes["MessageGroupId"], *m.MessageAttributes["tenant"].StringValue)
		return events.SQSEventResponse{}, nil
	}))
	// Output:
	// true customer-1 acme
}

// Advance lets simulated time pass without polling: here longer than the
// queue's retention period, so the message expires before any receive.
func ExampleSQS_Advance() {
	sim := esm.NewSQS("orders", esm.SQSConfig{RetentionPeriod: time.Hour})
	old := sim.Send("old")[0]
	sim.Advance(2 * time.Hour)
	sim.Send("new")
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{}, nil
	}))
	r, _ := trace.Record(old)
	fmt.Println(r.State, r.Deliveries)
	fmt.Println(trace.Payloads(esm.Processed))
	// Output:
	// expired 0
	// [new]
}

// DeadLetters returns the messages moved to the dead-letter queue, with
// the receive count they had.
func ExampleSQS_DeadLetters() {
	sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 2})
	sim.Send("poison")
	sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{}, errors.New("cannot parse")
	}))
	for _, m := range sim.DeadLetters() {
		fmt.Println(m.Body, m.Attributes["ApproximateReceiveCount"])
	}
	// Output:
	// poison 2
}

// SendDeadLetter is what a function's own SendMessage to the dead-letter
// queue does: here the handler moves a message it can never process there
// on its first delivery and succeeds, so Lambda deletes it from the queue.
func ExampleSQS_SendDeadLetter() {
	sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 5})
	ids := sim.Send("apple", "poison")
	trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "poison" {
			sim.SendDeadLetter(m.MessageId, m)
		}
		return nil
	}, batch.Options{}))
	r, _ := trace.Record(ids[1])
	fmt.Println(r.State, r.Deliveries, len(sim.DeadLetters()), sim.DeadLetters()[0].Body)
	// Output:
	// dead-lettered 1 1 poison
}

// ChangeVisibility is ChangeMessageVisibility: a handler that fails a
// message can choose when it comes back instead of the queue's visibility
// timeout (30 seconds here).
func ExampleSQS_ChangeVisibility() {
	sim := esm.NewSQS("orders", esm.SQSConfig{})
	sim.Send("flaky")
	tries := 0
	trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if tries++; tries == 1 {
			if err := sim.ChangeVisibility(m.ReceiptHandle, 5*time.Second); err != nil {
				return err
			}
			return errors.New("payment service unavailable")
		}
		return nil
	}, batch.Options{}))
	for _, inv := range trace.Invocations {
		fmt.Println(inv.Time.Sub(trace.Start).Round(time.Second), inv.Verdict)
	}
	// Output:
	// 0s batch failed
	// 5s succeeded
}

// Run replays the event source mapping until the queue is drained; every
// invocation is in the trace with Lambda's verdict.
func ExampleSQS_Run() {
	sim := esm.NewSQS("orders", esm.SQSConfig{})
	sim.Send("a", "b")
	failed := false
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "b" && !failed {
			failed = true
			return errors.New("timeout calling the payment service")
		}
		return nil
	}, batch.Options{})
	trace := sim.Run(context.Background(), fn)
	for _, inv := range trace.Invocations {
		fmt.Println(inv.Time.Sub(trace.Start), len(inv.IDs), inv.Verdict, len(inv.Failed))
	}
	// Output:
	// 2ms 2 partial failure 1
	// 30.002s 1 succeeded 0
}

// NewKinesis takes the stream's shards and the mapping's settings.
func ExampleNewKinesis() {
	sim := esm.NewKinesis("clicks", esm.StreamConfig{Shards: 2, BatchSize: 10})
	for _, user := range []string{"alice", "bob", "alice"} {
		sim.Put(user, []byte("click"))
	}
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		return events.KinesisEventResponse{}, nil
	}))
	for _, inv := range trace.Invocations {
		fmt.Println(inv.Shard, len(inv.IDs))
	}
	// Output:
	// shardId-000000000000 2
	// shardId-000000000001 1
}

// Put returns the record's sequence number, by which the trace knows it.
func ExampleKinesis_Put() {
	sim := esm.NewKinesis("clicks", esm.StreamConfig{})
	seq := sim.Put("alice", []byte("click"))
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error { return nil }, batch.Options{})
	trace := sim.Run(context.Background(), fn)
	r, _ := trace.Record(seq)
	fmt.Println(len(seq), r.Key, r.Shard, r.Payload, r.State)
	// Output:
	// 56 alice shardId-000000000000 click processed
}

// Run reads each shard from its checkpoint; a batch that keeps failing is
// retried MaximumRetryAttempts times, then sent to the on-failure
// destination.
func ExampleKinesis_Run() {
	sim := esm.NewKinesis("clicks", esm.StreamConfig{MaximumRetryAttempts: 2, OnFailureDestination: true})
	sim.Put("alice", []byte("click"))
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		return events.KinesisEventResponse{}, errors.New("downstream unavailable")
	}))
	fmt.Println(trace)
	d := trace.Destination[0]
	fmt.Println(d.Condition, d.InvokeCount, d.Time.Sub(trace.Invocations[0].Time))
	// Output:
	// 3 invocations, 1 records: 1 dead-lettered, 0 duplicate deliveries
	// RetryAttemptsExhausted 3 2s
}

// Advance lets simulated time pass: records older than MaximumRecordAge
// are skipped without an invocation.
func ExampleKinesis_Advance() {
	sim := esm.NewKinesis("clicks", esm.StreamConfig{MaximumRecordAge: time.Hour})
	sim.Put("alice", []byte("old"))
	sim.Advance(2 * time.Hour)
	sim.Put("alice", []byte("new"))
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		return events.KinesisEventResponse{}, nil
	}))
	fmt.Println(trace.Payloads(esm.Expired), trace.Payloads(esm.Processed))
	// Output:
	// [old] [new]
}

// NewDynamoDB simulates a table's stream; the records of one item stay on
// one shard, in order.
func ExampleNewDynamoDB() {
	sim := esm.NewDynamoDB("orders", esm.StreamConfig{Shards: 2})
	for _, id := range []string{"order#1", "order#5", "order#1"} {
		sim.Insert(batchtest.Item{"pk": events.NewStringAttribute(id)}, batchtest.Item{})
	}
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return events.DynamoDBEventResponse{}, nil
	}))
	for _, r := range trace.Records {
		fmt.Println(r.Key, r.Shard)
	}
	// Output:
	// [["pk",{"S":"order#1"}]] shardId-000000000001
	// [["pk",{"S":"order#5"}]] shardId-000000000000
	// [["pk",{"S":"order#1"}]] shardId-000000000001
}

// Insert writes a new item and returns the sequence number of its stream
// record.
func ExampleDynamoDB_Insert() {
	sim := esm.NewDynamoDB("orders", esm.StreamConfig{})
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	seq := sim.Insert(key, batchtest.Item{"total": events.NewNumberAttribute("10")})
	sim.Run(context.Background(), batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
		fmt.Println(r.Change.SequenceNumber == seq, r.EventName, r.Change.NewImage["total"].Number())
		return nil
	}, batch.Options{}))
	// Output:
	// true INSERT 10
}

// Modify updates an item; the handler sees both images.
func ExampleDynamoDB_Modify() {
	sim := esm.NewDynamoDB("orders", esm.StreamConfig{})
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	sim.Modify(key, batchtest.Item{"total": events.NewNumberAttribute("10")}, batchtest.Item{"total": events.NewNumberAttribute("12")})
	sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		c := ev.Records[0].Change
		fmt.Println(ev.Records[0].EventName, c.OldImage["total"].Number(), "->", c.NewImage["total"].Number())
		return events.DynamoDBEventResponse{}, nil
	}))
	// Output:
	// MODIFY 10 -> 12
}

// Remove deletes an item; the handler sees its old image.
func ExampleDynamoDB_Remove() {
	sim := esm.NewDynamoDB("orders", esm.StreamConfig{})
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	sim.Remove(key, batchtest.Item{"total": events.NewNumberAttribute("12")})
	sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		c := ev.Records[0].Change
		fmt.Println(ev.Records[0].EventName, c.OldImage["pk"].String(), c.NewImage == nil)
		return events.DynamoDBEventResponse{}, nil
	}))
	// Output:
	// REMOVE order#1 true
}

// Run resumes a shard from the lowest sequence number the response
// reports: the records after it are delivered again.
func ExampleDynamoDB_Run() {
	sim := esm.NewDynamoDB("orders", esm.StreamConfig{MaximumRetryAttempts: 1})
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	first := sim.Insert(key, batchtest.Item{})
	sim.Remove(key, batchtest.Item{})
	calls := 0
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		calls++
		if calls == 1 {
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: first}}}, nil
		}
		return events.DynamoDBEventResponse{}, nil
	}))
	for _, inv := range trace.Invocations {
		fmt.Println(len(inv.IDs), inv.Verdict)
	}
	fmt.Println(trace)
	// Output:
	// 2 partial failure
	// 2 succeeded
	// 2 invocations, 2 records: 2 processed, 1 duplicate deliveries
}

// Advance lets simulated time pass: records older than MaximumRecordAge
// go to the on-failure destination without an invocation.
func ExampleDynamoDB_Advance() {
	sim := esm.NewDynamoDB("orders", esm.StreamConfig{MaximumRecordAge: time.Hour, OnFailureDestination: true})
	sim.Insert(batchtest.Item{"pk": events.NewStringAttribute("order#1")}, batchtest.Item{})
	sim.Advance(2 * time.Hour)
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return events.DynamoDBEventResponse{}, nil
	}))
	fmt.Println(len(trace.Invocations), trace.Destination[0].Condition, trace.Count(esm.DeadLettered))
	// Output:
	// 0 RecordAgeExceeded 1
}

// NewKafka simulates a topic whose partitions are read like shards.
func ExampleNewKafka() {
	sim := esm.NewKafka("payments", esm.StreamConfig{Shards: 2, BatchSize: 100})
	for _, acct := range []string{"alice", "bob", "alice"} {
		sim.Produce([]byte(acct), []byte("debit"))
	}
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
		return batch.KafkaEventResponse{}, nil
	}))
	for _, inv := range trace.Invocations {
		fmt.Println(inv.Shard, inv.IDs)
	}
	// Output:
	// payments-0 [payments-0@0 payments-0@1]
	// payments-1 [payments-1@0]
}

// Produce returns the record's identifier, "<topic>-<partition>@<offset>".
func ExampleKafka_Produce() {
	sim := esm.NewKafka("payments", esm.StreamConfig{})
	fmt.Println(sim.Produce([]byte("alice"), []byte("1")), sim.Produce([]byte("alice"), []byte("2")))
	// Output:
	// payments-0@0 payments-0@1
}

// ProduceRecord keeps the record's headers, which a function may route
// on; key and value are base64, as Lambda delivers them.
func ExampleKafka_ProduceRecord() {
	sim := esm.NewKafka("payments", esm.StreamConfig{})
	id := sim.ProduceRecord(events.KafkaRecord{
		Key:     base64.StdEncoding.EncodeToString([]byte("alice")),
		Value:   base64.StdEncoding.EncodeToString([]byte(`{"amount":1}`)),
		Headers: []map[string]events.JSONNumberBytes{{"tenant": events.JSONNumberBytes("acme")}},
	})
	sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
		for _, r := range ev.Records["payments-0"] {
			value, _ := base64.StdEncoding.DecodeString(r.Value)
			fmt.Printf("%s@%d %s tenant=%s\n", r.Topic, r.Offset, value, r.Headers[0]["tenant"])
		}
		return batch.KafkaEventResponse{}, nil
	}))
	fmt.Println(id)
	// Output:
	// payments@0 {"amount":1} tenant=acme
	// payments-0@0
}

// Run resumes a partition from the lowest offset the response reports.
func ExampleKafka_Run() {
	sim := esm.NewKafka("payments", esm.StreamConfig{MaximumRetryAttempts: 1})
	sim.Produce([]byte("alice"), []byte("1"))
	sim.Produce([]byte("alice"), []byte("2"))
	calls := 0
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
		calls++
		recs := ev.Records["payments-0"]
		fmt.Println("offsets", recs[0].Offset, "to", recs[len(recs)-1].Offset)
		if calls == 1 {
			return batch.KafkaEventResponse{BatchItemFailures: []batch.KafkaBatchItemFailure{
				{ItemIdentifier: batch.KafkaItemIdentifier{Partition: "payments-0", Offset: recs[1].Offset}},
			}}, nil
		}
		return batch.KafkaEventResponse{}, nil
	}))
	fmt.Println(trace)
	// Output:
	// offsets 0 to 1
	// offsets 1 to 1
	// 2 invocations, 2 records: 2 processed, 0 duplicate deliveries
}

// Advance lets simulated time pass: records older than MaximumRecordAge
// are skipped.
func ExampleKafka_Advance() {
	sim := esm.NewKafka("payments", esm.StreamConfig{MaximumRecordAge: time.Hour})
	sim.Produce([]byte("alice"), []byte("old"))
	sim.Advance(2 * time.Hour)
	sim.Produce([]byte("alice"), []byte("new"))
	fn := batch.New(batch.Kafka(), func(ctx context.Context, r events.KafkaRecord) error { return nil }, batch.Options{})
	trace := sim.Run(context.Background(), fn)
	fmt.Println(trace.Payloads(esm.Expired), trace.Payloads(esm.Processed))
	// Output:
	// [old] [new]
}
