package sqsdelete_test

import (
	"context"
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

// A Lambda handler for an event source mapping without
// ReportBatchItemFailures. In a function, the client is
// sqs.NewFromConfig(cfg) with cfg from config.LoadDefaultConfig.
func ExampleProcessor_SQS() {
	proc := sqsdelete.Processor{Client: printingClient{}}
	handle := func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "m2" {
			return errors.New("payment service unavailable")
		}
		return nil
	}
	handler := func(ctx context.Context, ev events.SQSEvent) error {
		return proc.SQS(ctx, ev, handle)
	}

	// Lambda would call handler; m1 and m3 are deleted, m2 returns to the
	// queue because the handler returns an error.
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
func ExampleProcessor_Process() {
	proc := sqsdelete.Processor{
		Client: printingClient{},
		Batch:  batch.Processor{Concurrency: 4},
	}
	rep, err := proc.Process(context.Background(), exampleEvent().Records, func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "m3" {
			return errors.New("bad order")
		}
		return nil
	})
	fmt.Println("succeeded:", rep.Count(batch.Succeeded), "failed:", rep.Count(batch.Failed))
	fmt.Println(err)
	// Output:
	// DeleteMessageBatch https://sqs.eu-west-1.amazonaws.com/123456789012/orders: handle-m1 handle-m2
	// succeeded: 2 failed: 1
	// sqsdelete: 1 message did not succeed and will return to the queue (ids: m3)
}

// NewFromConfig builds a Processor whose client comes from an aws.Config.
// In a function, cfg comes from config.LoadDefaultConfig (module
// github.com/aws/aws-sdk-go-v2/config). Here a stand-in HTTP client answers
// for SQS and prints each request, so that the example runs offline.
func ExampleNewFromConfig() {
	cfg := aws.Config{
		Region: "eu-west-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "example"}, nil
		}),
		HTTPClient: &fakeSQSHTTP{print: true}, // leave unset in a function
	}
	proc := sqsdelete.NewFromConfig(cfg)
	proc.Batch.Concurrency = 4

	err := proc.SQS(context.Background(), exampleEvent(), func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "m2" {
			return errors.New("payment service unavailable")
		}
		return nil
	})
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
	proc := sqsdelete.Processor{
		Client:   printingClient{},
		QueueURL: sqsdelete.EndpointQueueURL("http://127.0.0.1:4566"),
	}
	_ = proc.SQS(context.Background(), exampleEvent(), func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "m1" {
			return errors.New("not yet")
		}
		return nil
	})
	// Output:
	// DeleteMessageBatch http://127.0.0.1:4566/123456789012/orders: handle-m2 handle-m3
}
