package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// A Lambda function fed by an SQS queue. In main, lambda.Start(fn) runs it;
// here Invoke is called directly with the payload Lambda would send, and
// returns the response Lambda reads: the messages to retry.
func ExampleFunction_Invoke() {
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("cannot handle it")
		}
		return nil
	}, batch.Options{})
	// func main() { lambda.Start(fn) }

	resp, err := fn.Invoke(context.Background(), []byte(`{"Records":[
		{"messageId":"m1","body":"good","eventSource":"aws:sqs"},
		{"messageId":"m2","body":"bad","eventSource":"aws:sqs"}]}`))
	fmt.Println(string(resp), err)
	// Output: {"batchItemFailures":[{"itemIdentifier":"m2"}]} <nil>
}

// A function fed by a Kinesis stream. The record's data arrives base64
// encoded in the event and reaches the handler decoded. When every record
// succeeds, the response lists no failure.
func ExampleFunction_Invoke_kinesis() {
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error {
		fmt.Printf("%s: %s\n", r.Kinesis.PartitionKey, r.Kinesis.Data)
		return nil
	}, batch.Options{})

	resp, err := fn.Invoke(context.Background(), []byte(`{"Records":[{"eventSource":"aws:kinesis",
		"kinesis":{"partitionKey":"p1","sequenceNumber":"100","data":"aGVsbG8="}}]}`))
	fmt.Println(string(resp), err)
	// Output:
	// p1: hello
	// {"batchItemFailures":[]} <nil>
}

// A payload that is not an event of the function's source, here a scheduled
// EventBridge event sent to a function of SQS, is rejected as a whole with
// an *EventError, and no record is handled.
func ExampleEventError() {
	fn := batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{})
	_, err := fn.Invoke(context.Background(), []byte(`{"detail-type":"Scheduled Event"}`))
	var ee *batch.EventError
	fmt.Println(errors.As(err, &ee), errors.Is(err, batch.ErrNoRecords))
	fmt.Println(err)
	// Output:
	// true true
	// batch: payload is not a valid SQS event: no records
}

// A function fed by a DynamoDB stream. The handler reads the item's new
// image; a failed record is reported by its sequence number.
func ExampleFunction_Invoke_dynamoDB() {
	fn := batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
		img := r.Change.NewImage
		fmt.Println(r.EventName, img["pk"].String(), img["tags"].StringSet())
		if img["pk"].String() == "order#2" {
			return errors.New("not yet")
		}
		return nil
	}, batch.Options{})

	resp, err := fn.Invoke(context.Background(), []byte(`{"Records":[
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

// A function fed by Amazon MSK or a self-managed Kafka cluster. A failed
// record is reported by its topic-partition and offset.
func ExampleFunction_Invoke_kafka() {
	fn := batch.New(batch.Kafka(), func(ctx context.Context, r events.KafkaRecord) error {
		if r.Offset == 16 {
			return errors.New("cannot handle it")
		}
		return nil
	}, batch.Options{})

	resp, err := fn.Invoke(context.Background(), []byte(`{"eventSource":"aws:kafka","records":{"orders-0":[
		{"topic":"orders","partition":0,"offset":15,"value":"e30="},
		{"topic":"orders","partition":0,"offset":16,"value":"e30="}]}}`))
	fmt.Println(string(resp), err)
	// Output: {"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":16}}]} <nil>
}
