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

// Assert which Kinesis records a response reports, by sequence number.
// Here the second assertion fails and prints got and want.
func ExampleAssertKinesisFailures() {
	s := batchtest.NewKinesisStream("clicks", 1)
	ev := batchtest.KinesisEvent(s.Record("u1", []byte("ok")), s.Record("u2", []byte("bad")))
	resp, _ := batch.Processor{}.Kinesis(context.Background(), ev, func(ctx context.Context, r events.KinesisEventRecord) error {
		if string(r.Kinesis.Data) == "bad" {
			return errors.New("rejected")
		}
		return nil
	})
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertKinesisFailures(t, resp, ev.Records[1].Kinesis.SequenceNumber) // passes
	batchtest.AssertKinesisFailures(t, resp)                                       // fails
	// Output:
	// Kinesis batchItemFailures: got ["49591980121281528505000000000000000000001924150071352394"], want []
}

// Assert which DynamoDB Streams records a response reports, by sequence
// number.
func ExampleAssertDynamoDBFailures() {
	table := batchtest.NewDynamoDBTable("orders", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	ev := batchtest.DynamoDBEvent(
		table.Insert(key, batchtest.Item{"total": events.NewNumberAttribute("10")}),
		table.Modify(key, batchtest.Item{"total": events.NewNumberAttribute("10")}, batchtest.Item{"total": events.NewNumberAttribute("-1")}),
	)
	resp, _ := batch.Processor{}.DynamoDB(context.Background(), ev, func(ctx context.Context, r events.DynamoDBEventRecord) error {
		if r.Change.NewImage["total"].Number() == "-1" {
			return errors.New("negative total")
		}
		return nil
	})
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertDynamoDBFailures(t, resp, ev.Records[1].Change.SequenceNumber) // passes
	batchtest.AssertDynamoDBFailures(t, resp, ev.Records[0].Change.SequenceNumber) // fails
	// Output:
	// DynamoDB batchItemFailures: got ["100000000015825249263570"], want ["100000000015825249262619"]
}

// Assert which Kafka records a response reports; [batchtest.KafkaID]
// builds the identifier of a record.
func ExampleAssertKafkaFailures() {
	topic := batchtest.NewKafkaTopic("payments", 1)
	r1 := topic.Record([]byte("acct-1"), []byte("100"))
	r2 := topic.Record([]byte("acct-1"), []byte("oops"))
	resp, _ := batch.Processor{}.Kafka(context.Background(), batchtest.KafkaEvent(r1, r2), func(ctx context.Context, r events.KafkaRecord) error {
		if r.Offset == 1 {
			return errors.New("not a number")
		}
		return nil
	})
	var t testing.TB = printTB{} // in a test: t *testing.T

	batchtest.AssertKafkaFailures(t, resp, batchtest.KafkaID(r2)) // passes
	batchtest.AssertKafkaFailures(t, resp, batchtest.KafkaID(r1)) // fails
	// Output:
	// Kafka batchItemFailures: got ["payments-0@1"], want ["payments-0@0"]
}

// KafkaID is the identifier a Kafka partial batch response uses for a
// record: its topic-partition and offset.
func ExampleKafkaID() {
	topic := batchtest.NewKafkaTopic("payments", 3)
	topic.Record([]byte("acct-1"), []byte("100"))
	r := topic.Record([]byte("acct-1"), []byte("200"))
	id := batchtest.KafkaID(r)
	fmt.Println(id.Partition, id.Offset)
	// Output:
	// payments-0 1
}

// AssertStates checks where records ended in a simulation. Here a message
// that always fails is still in the queue when the guard stops the run.
func ExampleAssertStates() {
	sim := batchtest.NewSQS("orders", batchtest.SQSConfig{MaxInvocations: 3})
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

	batchtest.AssertStates(t, trace, batchtest.Processed, ids[0]) // passes
	batchtest.AssertStates(t, trace, batchtest.DeadLettered, ids[1])
	// Output:
	// record 078abed3-c91c-448d-b175-529139878efc: got pending after 3 deliveries, want dead-lettered
}
