package batchtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

// Build an SQS event as Lambda would deliver it, run a Function over it,
// and look at the response.
func ExampleNewSQSQueue() {
	q := batchtest.NewSQSQueue("orders.fifo")
	ev := batchtest.SQSEvent(
		q.GroupMessage("customer-1", `{"order":1}`),
		q.GroupMessage("customer-1", `{"order":2}`),
	)
	m := ev.Records[0]
	fmt.Println(m.EventSourceARN)
	fmt.Println(m.MessageId)
	fmt.Println(m.Attributes["MessageGroupId"], m.Attributes["ApproximateReceiveCount"], m.Attributes["SentTimestamp"])

	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == `{"order":1}` {
			return errors.New("payment service down")
		}
		return nil
	}, batch.Options{})
	resp, err := fn.Handle(context.Background(), ev)
	// The first message failed, so the FIFO batch stops: both are reported.
	fmt.Println(len(resp.BatchItemFailures), err != nil)
	// Output:
	// arn:aws:sqs:us-east-1:123456789012:orders.fifo
	// 154183e5-3de9-402e-af41-30ce088280a6
	// customer-1 1 1704067200000
	// 2 true
}

// Kinesis records carry 56-digit sequence numbers that increase within
// their shard; the partition key picks the shard.
func ExampleNewKinesisStream() {
	s := batchtest.NewKinesisStream("clicks", 2)
	for _, user := range []string{"alice", "bob", "alice"} {
		r := s.Record(user, []byte("click"))
		fmt.Println(r.EventID[:20], len(r.Kinesis.SequenceNumber), user)
	}
	// Output:
	// shardId-000000000000 56 alice
	// shardId-000000000001 56 bob
	// shardId-000000000000 56 alice
}

// DynamoDB Streams records hold the item's keys and images.
func ExampleNewDynamoDBTable() {
	t := batchtest.NewDynamoDBTable("orders", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	ev := batchtest.DynamoDBEvent(
		t.Insert(key, batchtest.Item{"status": events.NewStringAttribute("new")}),
		t.Modify(key,
			batchtest.Item{"status": events.NewStringAttribute("new")},
			batchtest.Item{"status": events.NewStringAttribute("paid")}),
	)
	for _, r := range ev.Records {
		fmt.Println(r.EventName, r.Change.Keys["pk"].String(), r.Change.NewImage["status"].String(), len(r.Change.SequenceNumber))
	}
	// Output:
	// INSERT order#1 new 24
	// MODIFY order#1 paid 24
}

// Kafka records are grouped under "<topic>-<partition>"; KafkaID names a
// record as AssertFailures and the esm simulators do.
func ExampleNewKafkaTopic() {
	topic := batchtest.NewKafkaTopic("payments", 1)
	r1 := topic.Record([]byte("acct-1"), []byte("100"))
	r2 := topic.Record([]byte("acct-1"), []byte("-5"))
	ev := batchtest.KafkaEvent(r1, r2)
	fmt.Println(len(ev.Records["payments-0"]), r2.Value)
	fmt.Println(batchtest.KafkaID(r2))
	// Output:
	// 2 LTU=
	// payments-0@1
}
