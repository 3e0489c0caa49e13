package batch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// A Lambda function for an SQS queue: New turns a function that handles one
// message into one that handles a batch and returns the partial batch
// response, in which only the messages that failed are listed.
func ExampleNew() {
	handle := func(ctx context.Context, m events.SQSMessage) error {
		if strings.HasPrefix(m.Body, "bad") {
			return errors.New("cannot handle " + m.Body)
		}
		return nil
	}
	// Zero Options: one message at a time, the invocation's deadline
	// respected, FIFO queues detected from their ARN.
	fn := batch.New(batch.SQS(), handle, batch.Options{})

	// In a Lambda function: lambda.Start(fn). Here the batch is given to
	// Handle directly.
	resp, err := fn.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "good"},
		{MessageId: "m2", Body: "bad input"},
		{MessageId: "m3", Body: "good"},
	}})
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"m2"}]}
	// <nil>
}

// On a FIFO queue (eventSourceARN ending in ".fifo") the first failure
// stops the batch, to keep the queue's order. SkipGroupOnError stops only
// the message group that failed and lets the other groups go on; with
// Concurrency, groups run in parallel while each stays in order.
func ExampleOptions_fifo() {
	arn := "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
	msg := func(id, group, body string) events.SQSMessage {
		return events.SQSMessage{MessageId: id, Body: body, EventSourceARN: arn,
			Attributes: map[string]string{"MessageGroupId": group}}
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("1", "g1", "fail"), msg("2", "g1", "ok"),
		msg("3", "g2", "fail"), msg("4", "g2", "ok"),
		msg("5", "g3", "ok"),
	}}
	handle := func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "fail" {
			return errors.New("failed")
		}
		return nil
	}

	strict, err := batch.New(batch.SQS(), handle, batch.Options{}).Handle(context.Background(), ev)
	printJSON(strict)
	fmt.Println("every message failed or was skipped:", err != nil)

	perGroup, err := batch.New(batch.SQS(), handle, batch.Options{SkipGroupOnError: true, Concurrency: 3}).Handle(context.Background(), ev)
	printJSON(perGroup)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"1"},{"itemIdentifier":"2"},{"itemIdentifier":"3"},{"itemIdentifier":"4"},{"itemIdentifier":"5"}]}
	// every message failed or was skipped: true
	// {"batchItemFailures":[{"itemIdentifier":"1"},{"itemIdentifier":"2"},{"itemIdentifier":"3"},{"itemIdentifier":"4"}]}
	// <nil>
}

// Kinesis reports sequence numbers, and Lambda resumes the shard from the
// lowest one reported. StopOnFirstFailure saves handling records that would
// be delivered again anyway.
func ExampleKinesis_stopOnFirstFailure() {
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "101", PartitionKey: "a", Data: []byte("ok")}},
		{Kinesis: events.KinesisRecord{SequenceNumber: "102", PartitionKey: "b", Data: []byte("fail")}},
		{Kinesis: events.KinesisRecord{SequenceNumber: "103", PartitionKey: "a", Data: []byte("ok")}},
	}}
	handled := 0
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error {
		handled++
		if string(r.Kinesis.Data) == "fail" {
			return errors.New("failed")
		}
		return nil
	}, batch.Options{StopOnFirstFailure: true})
	resp, err := fn.Handle(context.Background(), ev)
	printJSON(resp)
	fmt.Println(handled, "handled,", err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"102"},{"itemIdentifier":"103"}]}
	// 2 handled, <nil>
}

// DynamoDB Streams reports dynamodb.SequenceNumber. With Concurrency,
// records of different items run in parallel; the records of one item stay
// in order.
func ExampleDynamoDB_concurrency() {
	rec := func(seq, id, name string) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq,
			Keys:           map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute(id)},
		}}
	}
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		rec("1", "a", "INSERT"), rec("2", "b", "INSERT"), rec("3", "a", "REMOVE"),
	}}
	fn := batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
		if r.EventName == "REMOVE" {
			return errors.New("removals are not supported yet")
		}
		return nil
	}, batch.Options{Concurrency: 2})
	resp, err := fn.Handle(context.Background(), ev)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"3"}]}
	// <nil>
}

// Kafka identifiers in the response are objects naming the topic-partition
// and the offset.
func ExampleKafka_identifiers() {
	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"payments-0": {
			{Topic: "payments", Partition: 0, Offset: 41, Value: "b2s="},     // "ok"
			{Topic: "payments", Partition: 0, Offset: 42, Value: "ZmFpbA=="}, // "fail"
		},
	}}
	fn := batch.New(batch.Kafka(), func(ctx context.Context, r events.KafkaRecord) error {
		if r.Value == "ZmFpbA==" {
			return errors.New("failed")
		}
		return nil
	}, batch.Options{})
	resp, err := fn.Handle(context.Background(), ev)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":{"partition":"payments-0","offset":42}}]}
	// <nil>
}

// Process returns the Report besides the response: the outcome of every
// record, for logging or metrics.
func ExampleFunction_Process() {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "ok"},
		{MessageId: "m2", Body: "boom"},
	}}
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "boom" {
			panic("unexpected input")
		}
		return nil
	}, batch.Options{})
	resp, rep := fn.Process(context.Background(), ev)
	for _, r := range rep.Results {
		fmt.Printf("%d %s %v %v\n", r.Index, r.ID, r.Outcome, r.Err)
	}
	printJSON(resp)
	fmt.Println(rep.Err) // what the Lambda handler returns with resp
	// Output:
	// 0 m1 succeeded <nil>
	// 1 m2 failed handler panicked: unexpected input
	// {"batchItemFailures":[{"itemIdentifier":"m2"}]}
	// <nil>
}

// A middleware wraps the handling of every record; Options.Middleware lists
// them, the first outermost. It sees the record's outcome as an error: a
// panic in the handler reaches it as a *PanicError.
func ExampleMiddleware() {
	logFailures := func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, r batch.Record) error {
			err := next(ctx, r)
			var pe *batch.PanicError
			switch {
			case errors.As(err, &pe):
				fmt.Printf("%s panicked: %v\n", r.ID, pe.Value)
			case err != nil:
				fmt.Printf("%s failed: %v\n", r.ID, err)
			}
			return err
		}
	}
	handle := func(ctx context.Context, m events.SQSMessage) error {
		switch m.Body {
		case "error":
			return errors.New("no such customer")
		case "panic":
			var customers []int
			customers[len(m.Body)]++ // index out of range
		}
		return nil
	}
	fn := batch.New(batch.SQS(), handle, batch.Options{Middleware: []batch.Middleware{logFailures}})
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "a", Body: "error"}, {MessageId: "b", Body: "panic"}, {MessageId: "c"}}}
	resp, _ := fn.Handle(context.Background(), ev)
	printJSON(resp)
	// Output:
	// a failed: no such customer
	// b panicked: runtime error: index out of range [5] with length 0
	// {"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"}]}
}

// Records runs records of your own type, with your identifier and ordering
// key. Here the transfers of one account must stay in order, and a failure
// skips the later transfers of that account only. The response is the list
// of identifiers that did not succeed.
func ExampleRecords() {
	type transfer struct {
		ID, Account string
		Amount      int
	}
	src := batch.Records(
		func(t transfer) string { return t.ID },      // identifier
		func(t transfer) string { return t.Account }, // ordering key
	)
	fn := batch.New(src, func(ctx context.Context, t transfer) error {
		if t.Amount < 0 {
			return fmt.Errorf("negative amount %d", t.Amount)
		}
		return nil
	}, batch.Options{SkipGroupOnError: true, Concurrency: 2})
	transfers := []transfer{
		{"t1", "acc-1", 10}, {"t2", "acc-2", -5}, {"t3", "acc-1", 7}, {"t4", "acc-2", 3},
	}
	failed, rep := fn.Process(context.Background(), transfers)
	fmt.Println(failed)
	fmt.Println(errors.Is(rep.Results[3].Err, batch.ErrSkipped))
	// Output:
	// [t2 t4]
	// true
}
