package batchtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

// printTB stands in for the *testing.T of a real test: it prints what the
// assertion reports.
type printTB struct{ testing.TB }

func (printTB) Helper()                           {}
func (printTB) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// In a test, assert which records a response reports; the order does not
// matter. Here the second assertion fails, and prints got and want.
func ExampleAssertFailures() {
	q := batchtest.NewSQSQueue("orders")
	ev := q.Event("ok", "bad")
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("rejected")
		}
		return nil
	}, batch.Options{})
	resp, _ := fn.Handle(context.Background(), ev)
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertFailures(t, resp, ev.Records[1].MessageId) // passes
	batchtest.AssertFailures(t, resp, ev.Records[0].MessageId) // fails
	// Output:
	// batchItemFailures: got ["078abed3-c91c-448d-b175-529139878efc"], want ["08f897d5-6915-4cfa-887b-a580c85331ab"]
}

// The response may be the JSON bytes a Function's Invoke method returns,
// as Lambda receives them.
func ExampleAssertFailures_json() {
	s := batchtest.NewKinesisStream("clicks", 1)
	ev := batchtest.KinesisEvent(s.Record("u1", []byte(`{"n":1}`)), s.Record("u2", []byte(`{"n":-1}`)))
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, c struct{ N int }) error {
		if c.N < 0 {
			return errors.New("negative")
		}
		return nil
	}, batch.Options{})
	payload, _ := json.Marshal(ev)
	resp, _ := fn.Invoke(context.Background(), payload)
	var t testing.TB = printTB{} // in a test: t *testing.T

	fmt.Printf("%s\n", resp)
	batchtest.AssertFailures(t, resp, ev.Records[1].Kinesis.SequenceNumber) // passes
	batchtest.AssertFailures(t, resp)                                       // fails
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"49591980121281528505000000000000000000001924150071352394"}]}
	// batchItemFailures: got ["49591980121281528505000000000000000000001924150071352394"], want []
}

// DynamoDB Streams records are reported by sequence number.
func ExampleAssertFailures_dynamoDB() {
	table := batchtest.NewDynamoDBTable("orders", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	ev := batchtest.DynamoDBEvent(
		table.Insert(key, batchtest.Item{"total": events.NewNumberAttribute("10")}),
		table.Modify(key, batchtest.Item{"total": events.NewNumberAttribute("10")}, batchtest.Item{"total": events.NewNumberAttribute("-1")}),
	)
	fn := batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
		if r.Change.NewImage["total"].Number() == "-1" {
			return errors.New("negative total")
		}
		return nil
	}, batch.Options{})
	resp, _ := fn.Handle(context.Background(), ev)
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertFailures(t, resp, ev.Records[1].Change.SequenceNumber) // passes
	batchtest.AssertFailures(t, resp, ev.Records[0].Change.SequenceNumber) // fails
	// Output:
	// batchItemFailures: got ["100000000015825249263570"], want ["100000000015825249262619"]
}

// A Kafka record is reported by topic-partition and offset; KafkaID
// writes them as one string.
func ExampleAssertFailures_kafka() {
	topic := batchtest.NewKafkaTopic("payments", 1)
	r1 := topic.Record([]byte("acct-1"), []byte("100"))
	r2 := topic.Record([]byte("acct-1"), []byte("oops"))
	fn := batch.New(batch.Kafka(), func(ctx context.Context, amount int) error { return nil }, batch.Options{})
	resp, _ := fn.Handle(context.Background(), batchtest.KafkaEvent(r1, r2))
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertFailures(t, resp, batchtest.KafkaID(r2)) // passes: "oops" is not a number
	batchtest.AssertFailures(t, resp, batchtest.KafkaID(r1)) // fails
	// Output:
	// batchItemFailures: got ["payments-0@1"], want ["payments-0@0"]
}

// A response that Lambda would reject as a whole fails the assertion,
// whatever it lists: here a Kafka identifier under the key
// "topic-partition", where Lambda reads "partition".
func ExampleAssertFailures_invalid() {
	resp := []byte(`{"batchItemFailures":[{"itemIdentifier":{"topic-partition":"payments-0","offset":1}}]}`)
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertFailures(t, resp, "payments-0@1")
	// Output:
	// Lambda would fail the whole batch: batchItemFailures[0]: itemIdentifier has the key "topic-partition"; Lambda reads only "partition" and "offset" (response {"batchItemFailures":[{"itemIdentifier":{"topic-partition":"payments-0","offset":1}}]})
}
