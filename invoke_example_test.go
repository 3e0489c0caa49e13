//go:build legacy

package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// A Lambda function fed by an SQS queue: lambda.Start(h) in main. Here the
// handler is invoked directly with the payload Lambda would send.
func ExampleSQSHandler() {
	h := batch.SQSHandler(batch.Processor{}, func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("cannot handle it")
		}
		return nil
	})
	// func main() { lambda.Start(h) }

	resp, err := h.Invoke(context.Background(), []byte(`{"Records":[
		{"messageId":"m1","body":"good","eventSource":"aws:sqs"},
		{"messageId":"m2","body":"bad","eventSource":"aws:sqs"}]}`))
	fmt.Println(string(resp), err)
	// Output: {"batchItemFailures":[{"itemIdentifier":"m2"}]} <nil>
}

func ExampleKinesisHandler() {
	h := batch.KinesisHandler(batch.Processor{}, func(ctx context.Context, r events.KinesisEventRecord) error {
		fmt.Printf("%s: %s\n", r.Kinesis.PartitionKey, r.Kinesis.Data)
		return nil
	})

	resp, err := h.Invoke(context.Background(), []byte(`{"Records":[{"eventSource":"aws:kinesis",
		"kinesis":{"partitionKey":"p1","sequenceNumber":"100","data":"aGVsbG8="}}]}`))
	fmt.Println(string(resp), err)
	// Output:
	// p1: hello
	// {"batchItemFailures":[]} <nil>
}

func ExampleEventError() {
	h := batch.SQSHandler(batch.Processor{}, func(context.Context, events.SQSMessage) error { return nil })
	_, err := h.Invoke(context.Background(), []byte(`{"detail-type":"Scheduled Event"}`))
	var ee *batch.EventError
	fmt.Println(errors.As(err, &ee), errors.Is(err, batch.ErrNoRecords))
	fmt.Println(err)
	// Output:
	// true true
	// batch: payload is not a valid SQS event: no records
}

func ExampleDynamoDBHandler() {
	h := batch.DynamoDBHandler(batch.Processor{}, func(ctx context.Context, r events.DynamoDBEventRecord) error {
		img := r.Change.NewImage
		fmt.Println(r.EventName, img["pk"].String(), img["tags"].StringSet())
		if img["pk"].String() == "order#2" {
			return errors.New("not yet")
		}
		return nil
	})

	resp, err := h.Invoke(context.Background(), []byte(`{"Records":[
		{"eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"111",
		 "Keys":{"pk":{"S":"order#1"}},"NewImage":{"pk":{"S":"order#1"},"tags":{"SS":["new"]}}}},
		{"eventName":"MODIFY","eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"222",
		 "Keys":{"pk":{"S":"order#2"}},"NewImage":{"pk":{"S":"order#2"},"tags":{"SS":["paid","gift"]}}}}]}`))
	fmt.Println(string(resp), err)
	// Output:
	// INSERT order#1 [new]
	// MODIFY order#2 [paid gift]
	// {"batchItemFailures":[{"itemIdentifier":"222"}]} <nil>
}

func ExampleKafkaHandler() {
	h := batch.KafkaHandler(batch.Processor{}, func(ctx context.Context, r events.KafkaRecord) error {
		if r.Offset == 16 {
			return errors.New("cannot handle it")
		}
		return nil
	})

	resp, err := h.Invoke(context.Background(), []byte(`{"eventSource":"aws:kafka","records":{"orders-0":[
		{"topic":"orders","partition":0,"offset":15,"value":"e30="},
		{"topic":"orders","partition":0,"offset":16,"value":"e30="}]}}`))
	fmt.Println(string(resp), err)
	// Output: {"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":16}}]} <nil>
}
