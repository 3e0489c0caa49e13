//go:build legacy

package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// SQSSource tells Process how to read SQS messages: messageId as the
// identifier, FIFO from the ARN, MessageGroupId as the ordering key.
// SQSResponse turns the Report into the response Lambda expects.
func ExampleSQSSource() {
	arn := "arn:aws:sqs:eu-west-1:123456789012:payments.fifo"
	msg := func(id, group, body string) events.SQSMessage {
		return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs", EventSourceARN: arn,
			Attributes: map[string]string{"MessageGroupId": group}}
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("m1", "alice", "ok"), msg("m2", "alice", "fail"), msg("m3", "bob", "ok"), msg("m4", "alice", "ok"),
	}}
	rep := batch.Process(context.Background(), batch.Processor{SkipGroupOnError: true}, ev.Records, batch.SQSSource(ev.Records),
		func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "fail" {
				return errors.New("declined")
			}
			return nil
		})
	for _, r := range rep.Results() {
		fmt.Println(r.ID, r.Outcome)
	}
	resp, err := batch.SQSResponse(rep)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// m1 succeeded
	// m2 failed
	// m3 succeeded
	// m4 not processed
	// {"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m4"}]}
	// <nil>
}

// SQSResponse also returns the Report's error: here every message failed, so
// the response lists both and the error makes Lambda retry the batch with its
// own back-off.
func ExampleSQSResponse() {
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1"}, {MessageId: "m2"}}}
	rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.SQSSource(ev.Records),
		func(ctx context.Context, m events.SQSMessage) error { return errors.New("downstream unavailable") })
	resp, err := batch.SQSResponse(rep)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"}]}
	// batch: all 2 records failed; first: record 0 (m1): downstream unavailable
}

// KinesisSource reads the sequence number as the identifier and the
// partition key as the ordering key; KinesisResponse builds the response.
func ExampleKinesisSource() {
	rec := func(seq, key, data string) events.KinesisEventRecord {
		return events.KinesisEventRecord{EventSource: "aws:kinesis",
			Kinesis: events.KinesisRecord{SequenceNumber: seq, PartitionKey: key, Data: []byte(data)}}
	}
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		rec("101", "user-1", "ok"), rec("102", "user-2", "fail"), rec("103", "user-1", "ok"), rec("104", "user-2", "ok"),
	}}
	p := batch.Processor{Concurrency: 2, SkipGroupOnError: true}
	rep := batch.Process(context.Background(), p, ev.Records, batch.KinesisSource(),
		func(ctx context.Context, r events.KinesisEventRecord) error {
			if string(r.Kinesis.Data) == "fail" {
				return errors.New("failed")
			}
			return nil
		})
	fmt.Println(rep.FailedIDs())
	resp, err := batch.KinesisResponse(rep)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// [102 104]
	// {"batchItemFailures":[{"itemIdentifier":"102"},{"itemIdentifier":"104"}]}
	// <nil>
}

// KinesisResponse of a batch that succeeded is an empty list, not null.
func ExampleKinesisResponse() {
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "101"}},
	}}
	rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.KinesisSource(),
		func(ctx context.Context, r events.KinesisEventRecord) error { return nil })
	resp, err := batch.KinesisResponse(rep)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[]}
	// <nil>
}

// DynamoDBSource reads dynamodb.SequenceNumber as the identifier and the
// item's Keys as the ordering key, so the changes of one item stay in order.
func ExampleDynamoDBSource() {
	rec := func(seq, id, name string) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventSource: "aws:dynamodb", EventName: name, Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq,
			Keys:           map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(id)},
		}}
	}
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		rec("1", "a", "INSERT"), rec("2", "a", "MODIFY"), rec("3", "b", "INSERT"), rec("4", "a", "REMOVE"),
	}}
	rep := batch.Process(context.Background(), batch.Processor{SkipGroupOnError: true}, ev.Records, batch.DynamoDBSource(),
		func(ctx context.Context, r events.DynamoDBEventRecord) error {
			if r.EventName == "MODIFY" {
				return errors.New("conflict")
			}
			return nil
		})
	for _, r := range rep.Results() {
		fmt.Println(r.ID, r.Record.EventName, r.Outcome)
	}
	// Output:
	// 1 INSERT succeeded
	// 2 MODIFY failed
	// 3 INSERT succeeded
	// 4 REMOVE not processed
}

// DynamoDBResponse builds the response from the Report.
func ExampleDynamoDBResponse() {
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		{Change: events.DynamoDBStreamRecord{SequenceNumber: "1"}},
		{Change: events.DynamoDBStreamRecord{SequenceNumber: "2"}},
	}}
	rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.DynamoDBSource(),
		func(ctx context.Context, r events.DynamoDBEventRecord) error {
			if r.Change.SequenceNumber == "2" {
				return errors.New("failed")
			}
			return nil
		})
	resp, err := batch.DynamoDBResponse(rep)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"2"}]}
	// <nil>
}

// A Report holds the outcome of every record in input order.
func ExampleReport() {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "ok"}, {MessageId: "m2", Body: "fail"}, {MessageId: "m3", Body: "ok"},
	}}
	rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.SQSSource(ev.Records),
		func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "fail" {
				return errors.New("rejected")
			}
			return nil
		})
	fmt.Println("records:", rep.Len())
	fmt.Println("succeeded:", rep.Count(batch.Succeeded), "failed:", rep.Count(batch.Failed))
	fmt.Println("second:", rep.Result(1).ID, rep.Result(1).Outcome, rep.Result(1).Err)
	for _, r := range rep.Failed() {
		fmt.Println("failed:", r.Index, r.ID)
	}
	fmt.Println("to retry:", rep.FailedIDs())
	fmt.Println("error:", rep.Err()) // nil: not every record failed
	// Output:
	// records: 3
	// succeeded: 2 failed: 1
	// second: m2 failed rejected
	// failed: 1 m2
	// to retry: [m2]
	// error: <nil>
}
