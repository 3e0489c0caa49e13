//go:build legacy

package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

func printJSON(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(string(data))
}

// A Lambda handler for an SQS queue: one line hands the batch to the
// processor, which returns the partial batch response.
func ExampleProcessor_SQS() {
	var proc batch.Processor // zero value: sequential, deadline-aware, FIFO detected

	handler := func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return proc.SQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if strings.HasPrefix(m.Body, "bad") {
				return errors.New("cannot handle " + m.Body)
			}
			return nil
		})
	}

	// In a Lambda function: lambda.Start(handler).
	resp, err := handler(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
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

// On a FIFO queue (eventSourceARN ending in ".fifo"), SkipGroupOnError lets
// the other message groups go on after a failure; with Concurrency, groups
// run in parallel while each stays in order.
func ExampleProcessor_SQS_fifo() {
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

	strict, err := batch.Processor{}.SQS(context.Background(), ev, handle)
	printJSON(strict)
	fmt.Println("every message failed or was skipped:", err != nil)

	perGroup, err := batch.Processor{SkipGroupOnError: true, Concurrency: 3}.SQS(context.Background(), ev, handle)
	printJSON(perGroup)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"1"},{"itemIdentifier":"2"},{"itemIdentifier":"3"},{"itemIdentifier":"4"},{"itemIdentifier":"5"}]}
	// every message failed or was skipped: true
	// {"batchItemFailures":[{"itemIdentifier":"1"},{"itemIdentifier":"2"},{"itemIdentifier":"3"},{"itemIdentifier":"4"}]}
	// <nil>
}

// Kinesis reports sequence numbers; Lambda resumes the shard from the lowest
// one. StopOnFirstFailure avoids handling records that would be redelivered
// anyway.
func ExampleProcessor_Kinesis() {
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "101", PartitionKey: "a", Data: []byte("ok")}},
		{Kinesis: events.KinesisRecord{SequenceNumber: "102", PartitionKey: "b", Data: []byte("fail")}},
		{Kinesis: events.KinesisRecord{SequenceNumber: "103", PartitionKey: "a", Data: []byte("ok")}},
	}}
	handled := 0
	resp, err := batch.Processor{StopOnFirstFailure: true}.Kinesis(context.Background(), ev,
		func(ctx context.Context, r events.KinesisEventRecord) error {
			handled++
			if string(r.Kinesis.Data) == "fail" {
				return errors.New("failed")
			}
			return nil
		})
	printJSON(resp)
	fmt.Println(handled, "handled,", err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"102"},{"itemIdentifier":"103"}]}
	// 2 handled, <nil>
}

// DynamoDB Streams reports dynamodb.SequenceNumber. With Concurrency, records
// of different items run in parallel; records of one item stay in order.
func ExampleProcessor_DynamoDB() {
	rec := func(seq, id, name string) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq,
			Keys:           map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute(id)},
		}}
	}
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		rec("1", "a", "INSERT"), rec("2", "b", "INSERT"), rec("3", "a", "REMOVE"),
	}}
	resp, err := batch.Processor{Concurrency: 2}.DynamoDB(context.Background(), ev,
		func(ctx context.Context, r events.DynamoDBEventRecord) error {
			if r.EventName == "REMOVE" {
				return errors.New("removals are not supported yet")
			}
			return nil
		})
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"3"}]}
	// <nil>
}

// Kafka identifiers are objects naming the topic-partition and the offset.
func ExampleProcessor_Kafka() {
	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"payments-0": {
			{Topic: "payments", Partition: 0, Offset: 41, Value: "b2s="},     // "ok"
			{Topic: "payments", Partition: 0, Offset: 42, Value: "ZmFpbA=="}, // "fail"
		},
	}}
	resp, err := batch.Processor{}.Kafka(context.Background(), ev, func(ctx context.Context, r events.KafkaRecord) error {
		if r.Value == "ZmFpbA==" {
			return errors.New("failed")
		}
		return nil
	})
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":{"partition":"payments-0","offset":42}}]}
	// <nil>
}

// Process with a built-in source gives the Report: the outcome of every
// record, for logging or metrics, and then the response.
func ExampleProcess() {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "ok"},
		{MessageId: "m2", Body: "boom"},
	}}
	rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.SQSSource(ev.Records),
		func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "boom" {
				panic("unexpected input")
			}
			return nil
		})
	for _, r := range rep.Results() {
		fmt.Printf("%d %s %v %v\n", r.Index, r.ID, r.Outcome, r.Err)
	}
	resp, err := batch.SQSResponse(rep)
	printJSON(resp)
	fmt.Println(err)
	// Output:
	// 0 m1 succeeded <nil>
	// 1 m2 failed handler panicked: unexpected input
	// {"batchItemFailures":[{"itemIdentifier":"m2"}]}
	// <nil>
}

// Wrap adds middleware around a handler, the first one outermost. A panic in
// the handler reaches the middleware as a *PanicError.
func ExampleWrap() {
	logFailures := func(next batch.Handler[events.SQSMessage]) batch.Handler[events.SQSMessage] {
		return func(ctx context.Context, m events.SQSMessage) error {
			err := next(ctx, m)
			var pe *batch.PanicError
			switch {
			case errors.As(err, &pe):
				fmt.Printf("%s panicked: %v\n", m.MessageId, pe.Value)
			case err != nil:
				fmt.Printf("%s failed: %v\n", m.MessageId, err)
			}
			return err
		}
	}
	handle := func(ctx context.Context, m events.SQSMessage) error {
		switch m.Body {
		case "error":
			return errors.New("no such customer")
		case "panic":
			var customers map[string]int
			customers["x"]++ // nil map write
		}
		return nil
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "a", Body: "error"}, {MessageId: "b", Body: "panic"}, {MessageId: "c"}}}
	resp, _ := batch.Processor{}.SQS(context.Background(), ev, batch.Wrap(handle, logFailures))
	printJSON(resp)
	// Output:
	// a failed: no such customer
	// b panicked: assignment to entry in nil map
	// {"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"}]}
}

// A custom source: any record type, with the caller's identifier and
// ordering key. Here the records of one account must stay in order, and a
// failure skips that account's later records.
func ExampleSource() {
	type transfer struct {
		ID, Account string
		Amount      int
	}
	src := batch.Source[transfer]{
		ID:      func(t transfer) string { return t.ID },
		Key:     func(t transfer) string { return t.Account },
		Ordered: true,
	}
	transfers := []transfer{
		{"t1", "acc-1", 10}, {"t2", "acc-2", -5}, {"t3", "acc-1", 7}, {"t4", "acc-2", 3},
	}
	rep := batch.Process(context.Background(), batch.Processor{SkipGroupOnError: true, Concurrency: 2}, transfers, src,
		func(ctx context.Context, t transfer) error {
			if t.Amount < 0 {
				return fmt.Errorf("negative amount %d", t.Amount)
			}
			return nil
		})
	fmt.Println(rep.FailedIDs())
	fmt.Println(errors.Is(rep.Result(3).Err, batch.ErrSkipped))
	// Output:
	// [t2 t4]
	// true
}
