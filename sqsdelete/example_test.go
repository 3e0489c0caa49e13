package sqsdelete_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/sqsdelete"
)

// printingClient stands in for an *sqs.Client in the examples: it prints
// each DeleteMessageBatch call and reports every entry deleted.
type printingClient struct{}

func (printingClient) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	out := &sqs.DeleteMessageBatchOutput{}
	fmt.Printf("DeleteMessageBatch %s:", aws.ToString(in.QueueUrl))
	for _, e := range in.Entries {
		fmt.Printf(" %s", aws.ToString(e.ReceiptHandle))
		out.Successful = append(out.Successful, types.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	fmt.Println()
	return out, nil
}

// exampleEvent is a batch of three messages of one standard queue.
func exampleEvent() events.SQSEvent {
	var ev events.SQSEvent
	for _, id := range []string{"m1", "m2", "m3"} {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      id,
			ReceiptHandle:  "handle-" + id,
			Body:           `{"order":"` + id + `"}`,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders",
		})
	}
	return ev
}

// A Lambda function for an event source mapping without
// ReportBatchItemFailures. Each message's body is decoded into an Order;
// the messages that succeed are deleted, the others return to the queue. In
// a function, the client is sqs.NewFromConfig(cfg) with cfg from
// config.LoadDefaultConfig, and main calls lambda.Start(fn).
func ExampleNew() {
	type Order struct {
		ID string `json:"order"`
	}
	handle := func(ctx context.Context, o Order) error {
		if o.ID == "m2" {
			return errors.New("payment service unavailable")
		}
		return nil
	}
	fn := sqsdelete.New(sqsdelete.Config{Client: printingClient{}}, handle, batch.Options{})

	// Lambda calls Invoke with the event as JSON: m1 and m3 are deleted, and
	// the error makes Lambda return m2 to the queue.
	payload, _ := json.Marshal(exampleEvent())
	_, err := fn.Invoke(context.Background(), payload)
	fmt.Println(err)
	// Output:
	// DeleteMessageBatch https://sqs.eu-west-1.amazonaws.com/123456789012/orders: handle-m1 handle-m3
	// sqsdelete: 1 message did not succeed and will return to the queue (ids: m2)
}

// Handle is the body of a Lambda handler of your own, for an event already
// decoded. The error lists the messages that return to the queue.
func ExampleFunction_Handle() {
	fn := sqsdelete.New(sqsdelete.Config{Client: printingClient{}}, func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "m2" {
			return errors.New("payment service unavailable")
		}
		return nil
	}, batch.Options{})
	handler := func(ctx context.Context, ev events.SQSEvent) error {
		return fn.Handle(ctx, ev)
	}

	err := handler(context.Background(), exampleEvent())
	var e *sqsdelete.Error
	if errors.As(err, &e) {
		for _, re := range e.Failed {
			fmt.Println("returns to the queue:", re.ID, "-", re.Err)
		}
	}
	// Output:
	// DeleteMessageBatch https://sqs.eu-west-1.amazonaws.com/123456789012/orders: handle-m1 handle-m3
	// returns to the queue: m2 - payment service unavailable
}

// Process returns the report of every message as well, for logging.
func ExampleFunction_Process() {
	fn := sqsdelete.New(sqsdelete.Config{Client: printingClient{}}, func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "m3" {
			return errors.New("bad order")
		}
		return nil
	}, batch.Options{Concurrency: 4})

	rep, err := fn.Process(context.Background(), exampleEvent())
	count := map[batch.Outcome]int{}
	for _, r := range rep.Results {
		count[r.Outcome]++
	}
	fmt.Println("succeeded:", count[batch.Succeeded], "failed:", count[batch.Failed])
	fmt.Println(err)
	// Output:
	// DeleteMessageBatch https://sqs.eu-west-1.amazonaws.com/123456789012/orders: handle-m1 handle-m2
	// succeeded: 2 failed: 1
	// sqsdelete: 1 message did not succeed and will return to the queue (ids: m3)
}

// On a FIFO queue the deletes keep the order of each message group: a
// message is deleted only after the earlier ones of its group, so the
// messages are deleted in rounds, the k-th message of every group in round
// k. Here b2 fails and stops the batch; a1, b1 and a2 are deleted, in two
// rounds.
func ExampleNew_fifo() {
	fn := sqsdelete.New(sqsdelete.Config{Client: printingClient{}}, func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "b2" {
			return errors.New("out of stock")
		}
		return nil
	}, batch.Options{})

	var ev events.SQSEvent
	for _, id := range []string{"a1", "b1", "a2", "b2", "a3"} {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      id,
			ReceiptHandle:  "handle-" + id,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders.fifo",
			Attributes:     map[string]string{"MessageGroupId": id[:1]},
		})
	}
	fmt.Println(fn.Handle(context.Background(), ev))
	// Output:
	// DeleteMessageBatch https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo: handle-a1 handle-b1
	// DeleteMessageBatch https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo: handle-a2
	// sqsdelete: 2 messages did not succeed and will return to the queue (ids: b2, a3)
}

// The Client of a function is an *sqs.Client built from an aws.Config, so
// that the deletes use its region, credentials, endpoint and retry settings.
// In a function, cfg comes from config.LoadDefaultConfig (module
// github.com/aws/aws-sdk-go-v2/config). Here a stand-in HTTP client answers
// for SQS and prints each request, so that the example runs offline.
func ExampleConfig() {
	cfg := aws.Config{
		Region: "eu-west-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "example"}, nil
		}),
		HTTPClient: &fakeSQSHTTP{print: true}, // leave unset in a function
	}
	fn := sqsdelete.New(sqsdelete.Config{Client: sqs.NewFromConfig(cfg)}, func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "m2" {
			return errors.New("payment service unavailable")
		}
		return nil
	}, batch.Options{Concurrency: 4})

	err := fn.Handle(context.Background(), exampleEvent())
	fmt.Println(err)
	// Output:
	// POST https://sqs.eu-west-1.amazonaws.com/ AmazonSQS.DeleteMessageBatch https://sqs.eu-west-1.amazonaws.com/123456789012/orders: handle-m1 handle-m3
	// sqsdelete: 1 message did not succeed and will return to the queue (ids: m2)
}

func ExampleQueueURL() {
	url, err := sqsdelete.QueueURL("arn:aws:sqs:eu-west-1:123456789012:orders.fifo")
	fmt.Println(url, err)
	_, err = sqsdelete.QueueURL("arn:aws:sqs:eu-west-1:123456789012:bad/name")
	var ae *sqsdelete.ARNError
	fmt.Println(errors.As(err, &ae))
	// Output:
	// https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo <nil>
	// true
}

// A local SQS-compatible server wants queue URLs on its own address.
func ExampleEndpointQueueURL() {
	cfg := sqsdelete.Config{
		Client:   printingClient{},
		QueueURL: sqsdelete.EndpointQueueURL("http://127.0.0.1:4566"),
	}
	fn := sqsdelete.New(cfg, func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "m1" {
			return errors.New("not yet")
		}
		return nil
	}, batch.Options{})
	_ = fn.Handle(context.Background(), exampleEvent())
	// Output:
	// DeleteMessageBatch http://127.0.0.1:4566/123456789012/orders: handle-m2 handle-m3
}
