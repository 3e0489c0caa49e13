package batchtest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

// Build an SQS event as Lambda would deliver it, run the processor over it,
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

	resp, err := batch.Processor{}.SQS(context.Background(), ev, func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == `{"order":1}` {
			return errors.New("payment service down")
		}
		return nil
	})
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

// Kafka records are grouped under "<topic>-<partition>"; the identifier
// of a record in the response is built with KafkaID.
func ExampleNewKafkaTopic() {
	topic := batchtest.NewKafkaTopic("payments", 1)
	r1 := topic.Record([]byte("acct-1"), []byte("100"))
	r2 := topic.Record([]byte("acct-1"), []byte("-5"))
	ev := batchtest.KafkaEvent(r1, r2)
	fmt.Println(len(ev.Records["payments-0"]), r2.Value)
	fmt.Printf("%+v\n", batchtest.KafkaID(r2))
	// Output:
	// 2 LTU=
	// {Partition:payments-0 Offset:1}
}

// printTB stands in for the *testing.T of a real test: it prints what the
// assertion reports.
type printTB struct{ testing.TB }

func (printTB) Helper()                           {}
func (printTB) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// In a test, assert which records a response reports; the order does not
// matter. Here the assertion fails, and prints got and want.
func ExampleAssertSQSFailures() {
	q := batchtest.NewSQSQueue("orders")
	ev := batchtest.SQSEvent(q.Messages("ok", "bad")...)
	resp, _ := batch.Processor{}.SQS(context.Background(), ev, func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("rejected")
		}
		return nil
	})
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertSQSFailures(t, resp, ev.Records[1].MessageId) // passes
	batchtest.AssertSQSFailures(t, resp, ev.Records[0].MessageId) // fails
	// Output:
	// SQS batchItemFailures: got ["078abed3-c91c-448d-b175-529139878efc"], want ["08f897d5-6915-4cfa-887b-a580c85331ab"]
}

// AssertStates and AssertDrained check a simulation's outcome. Here the
// event source mapping lacks ReportBatchItemFailures, so the failed
// message is deleted with the others: both assertions report it.
func ExampleAssertDrained() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{IgnoreBatchItemFailures: true})
	ids := sim.Send("ok", "bad")
	trace := sim.Run(context.Background(), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return batch.Processor{}.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "bad" {
				return errors.New("rejected")
			}
			return nil
		})
	})
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertStates(t, trace, batchtest.Processed, ids...)
	batchtest.AssertDrained(t, trace)
	// Output:
	// record 078abed3-c91c-448d-b175-529139878efc: got discarded after 1 deliveries, want processed
	// got 1 records discarded [078abed3-c91c-448d-b175-529139878efc], want none
}
