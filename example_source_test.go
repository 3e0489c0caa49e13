package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// SQS reads the messageId as the identifier, tells a FIFO queue by its
// ARN, and keeps the messages of one MessageGroupId in order. With
// SkipGroupOnError a failure skips the later messages of its group only;
// Process reports what happened to each message besides the response.
func ExampleSQS_skipGroupOnError() {
	arn := "arn:aws:sqs:eu-west-1:123456789012:payments.fifo"
	msg := func(id, group, body string) events.SQSMessage {
		return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs", EventSourceARN: arn,
			Attributes: map[string]string{"MessageGroupId": group}}
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("m1", "alice", "ok"), msg("m2", "alice", "fail"), msg("m3", "bob", "ok"), msg("m4", "alice", "ok"),
	}}
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "fail" {
			return errors.New("declined")
		}
		return nil
	}, batch.Options{SkipGroupOnError: true})
	resp, rep := fn.Process(context.Background(), ev)
	for _, r := range rep.Results {
		fmt.Println(r.ID, r.Outcome)
	}
	printJSON(resp)
	fmt.Println(rep.Err)
	// Output:
	// m1 succeeded
	// m2 failed
	// m3 succeeded
	// m4 not processed
	// {"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m4"}]}
	// <nil>
}

// Handle returns the response and the error for Lambda. When every message
// failed, the response lists them all and the error, a *BatchError, makes
// Lambda retry the batch with its own back-off.
func ExampleFunction_Handle() {
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1"}, {MessageId: "m2"}}}
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		return errors.New("downstream unavailable")
	}, batch.Options{})
	resp, err := fn.Handle(context.Background(), ev)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"}]}
	// batch: all 2 records failed; first: record 0 (m1): downstream unavailable
}

// Kinesis reads the sequence number as the identifier and the partition
// key as the ordering key: with SkipGroupOnError a failure skips the later
// records of its partition key, while the other keys go on.
func ExampleKinesis_skipGroupOnError() {
	rec := func(seq, key, data string) events.KinesisEventRecord {
		return events.KinesisEventRecord{EventSource: "aws:kinesis",
			Kinesis: events.KinesisRecord{SequenceNumber: seq, PartitionKey: key, Data: []byte(data)}}
	}
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		rec("101", "user-1", "ok"), rec("102", "user-2", "fail"), rec("103", "user-1", "ok"), rec("104", "user-2", "ok"),
	}}
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error {
		if string(r.Kinesis.Data) == "fail" {
			return errors.New("failed")
		}
		return nil
	}, batch.Options{Concurrency: 2, SkipGroupOnError: true})
	resp, rep := fn.Process(context.Background(), ev)
	var notSucceeded []string
	for _, r := range rep.Results {
		if r.Outcome != batch.Succeeded {
			notSucceeded = append(notSucceeded, r.ID)
		}
	}
	fmt.Println(notSucceeded)
	printJSON(resp)
	fmt.Println(rep.Err)
	// Output:
	// [102 104]
	// {"batchItemFailures":[{"itemIdentifier":"102"},{"itemIdentifier":"104"}]}
	// <nil>
}

// The response of a batch in which every record succeeded is an empty
// list, not null.
func ExampleFunction_Handle_allSucceeded() {
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "101"}},
	}}
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error { return nil }, batch.Options{})
	resp, err := fn.Handle(context.Background(), ev)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[]}
	// <nil>
}

// DynamoDB reads dynamodb.SequenceNumber as the identifier and the item's
// Keys as the ordering key, so the changes of one item stay in order: here
// a failed change of item "a" skips its later changes, and item "b" goes
// on.
func ExampleDynamoDB_skipGroupOnError() {
	rec := func(seq, id, name string) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventSource: "aws:dynamodb", EventName: name, Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq,
			Keys:           map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute(id)},
		}}
	}
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		rec("1", "a", "INSERT"), rec("2", "a", "MODIFY"), rec("3", "b", "INSERT"), rec("4", "a", "REMOVE"),
	}}
	fn := batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
		if r.EventName == "MODIFY" {
			return errors.New("conflict")
		}
		return nil
	}, batch.Options{SkipGroupOnError: true})
	_, rep := fn.Process(context.Background(), ev)
	for _, r := range rep.Results {
		fmt.Println(r.ID, r.Record.EventName, r.Outcome)
	}
	// Output:
	// 1 INSERT succeeded
	// 2 MODIFY failed
	// 3 INSERT succeeded
	// 4 REMOVE not processed
}

// The response of a DynamoDB Streams batch lists the sequence numbers of
// the records that failed.
func ExampleDynamoDB_response() {
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		{Change: events.DynamoDBStreamRecord{SequenceNumber: "1"}},
		{Change: events.DynamoDBStreamRecord{SequenceNumber: "2"}},
	}}
	fn := batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
		if r.Change.SequenceNumber == "2" {
			return errors.New("failed")
		}
		return nil
	}, batch.Options{})
	resp, err := fn.Handle(context.Background(), ev)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"2"}]}
	// <nil>
}

// A Report holds the outcome of every record in input order, and the error
// the Lambda handler returns.
func ExampleReport() {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "ok"}, {MessageId: "m2", Body: "fail"}, {MessageId: "m3", Body: "ok"},
	}}
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "fail" {
			return errors.New("rejected")
		}
		return nil
	}, batch.Options{})
	resp, rep := fn.Process(context.Background(), ev)
	count := map[batch.Outcome]int{}
	for _, r := range rep.Results {
		count[r.Outcome]++
	}
	fmt.Println("records:", len(rep.Results))
	fmt.Println("succeeded:", count[batch.Succeeded], "failed:", count[batch.Failed])
	fmt.Println("second:", rep.Results[1].ID, rep.Results[1].Outcome, rep.Results[1].Err)
	for _, r := range rep.Results {
		if r.Outcome == batch.Failed {
			fmt.Println("failed:", r.Index, r.ID)
		}
	}
	var retry []string
	for _, f := range resp.BatchItemFailures {
		retry = append(retry, f.ItemIdentifier)
	}
	fmt.Println("to retry:", retry)
	fmt.Println("error:", rep.Err) // nil: not every record failed
	// Output:
	// records: 3
	// succeeded: 2 failed: 1
	// second: m2 failed rejected
	// failed: 1 m2
	// to retry: [m2]
	// error: <nil>
}
