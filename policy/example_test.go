package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/policy"
)

// printSQS stands in for sqs.NewFromConfig(cfg) in the examples: it prints
// the calls, and answers that every queue redrives to "<name>-dlq".
type printSQS struct{}

func (printSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	fmt.Println("GetQueueAttributes", *in.QueueUrl)
	rp := `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq","maxReceiveCount":5}`
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{"RedrivePolicy": rp}}, nil
}

func (printSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	fmt.Printf("SendMessage %s %s\n", *in.QueueUrl, *in.MessageBody)
	for _, name := range []string{policy.AttrReason, policy.AttrSourceQueue, policy.AttrReceiveCount, policy.AttrMessageID} {
		fmt.Printf("  %s: %s\n", name, *in.MessageAttributes[name].StringValue)
	}
	return &sqs.SendMessageOutput{}, nil
}

func (printSQS) ChangeMessageVisibilityBatch(_ context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	out := &sqs.ChangeMessageVisibilityBatchOutput{}
	for _, e := range in.Entries {
		fmt.Printf("ChangeMessageVisibility %s %d s\n", *e.ReceiptHandle, e.VisibilityTimeout)
		out.Successful = append(out.Successful, types.ChangeMessageVisibilityBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

type order struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
}

var errDownstream = errors.New("inventory service unavailable")

func handleOrder(_ context.Context, o order) error {
	switch o.Customer {
	case "":
		return batch.Permanent(errors.New("order without a customer"))
	case "busy":
		return errDownstream
	}
	return nil
}

// ordersEvent returns an SQS event of the queue "orders" as Lambda
// delivers it, with messages m0, m1, … received receives times.
func ordersEvent(receives int, bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		m := sqsMessage("arn:aws:sqs:us-east-1:123456789012:orders", fmt.Sprint("m", i), b, receives)
		ev.Records = append(ev.Records, m)
	}
	return ev
}

// A message that can never succeed goes to the source queue's dead-letter
// queue at once, with the reason; Lambda deletes it.
func ExampleDeadLetter() {
	client := printSQS{} // in a function: sqs.NewFromConfig(cfg)
	fn := batch.New(batch.SQS(), handleOrder, batch.Options{
		Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: client}),
	})
	resp, _ := fn.Handle(context.Background(), ordersEvent(1, `{"id":"1","customer":"ann"}`, `{"id":"2"}`))
	fmt.Println("retried:", len(resp.BatchItemFailures))
	// Output:
	// GetQueueAttributes https://sqs.us-east-1.amazonaws.com/123456789012/orders
	// SendMessage https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq {"id":"2"}
	//   batch.reason: order without a customer
	//   batch.sourceQueue: arn:aws:sqs:us-east-1:123456789012:orders
	//   batch.receiveCount: 1
	//   batch.messageId: m1
	// retried: 0
}

// A message that failed for a passing reason comes back after a delay
// that doubles with each receive: here its third, so 4 seconds.
func ExampleBackoff() {
	client := printSQS{} // in a function: sqs.NewFromConfig(cfg)
	fn := batch.New(batch.SQS(), handleOrder, batch.Options{
		Retry:   policy.Backoff(policy.BackoffConfig{Client: client, Jitter: policy.NoJitter}),
		Reserve: time.Second,
	})
	resp, _ := fn.Handle(context.Background(), ordersEvent(3, `{"id":"1","customer":"ann"}`, `{"id":"2","customer":"busy"}`))
	fmt.Println("retried:", resp.BatchItemFailures[0].ItemIdentifier)
	// Output:
	// ChangeMessageVisibility rh-m1 4 s
	// retried: m1
}

// printSNS stands in for sns.NewFromConfig(cfg).
type printSNS struct{}

func (printSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	var doc policy.FailureRecord
	if err := json.Unmarshal([]byte(*in.Message), &doc); err != nil {
		return nil, err
	}
	info := doc.KinesisBatchInfo
	fmt.Printf("Publish %s: %s, %s #%s: %s\n", *in.TopicArn, doc.RequestContext.Condition, info.ShardID, info.StartSequenceNumber, doc.Reason)
	return &sns.PublishOutput{}, nil
}

// A Kinesis record that can never succeed is published to a topic, and the
// shard moves on past it.
func ExampleForward() {
	topic := "arn:aws:sns:us-east-1:123456789012:clicks-failures"
	fn := batch.New(batch.Kinesis(), func(_ context.Context, c struct{ Page string }) error {
		if c.Page == "" {
			return batch.Permanent(errors.New("click without a page"))
		}
		return nil
	}, batch.Options{
		Divert: policy.Forward(policy.ForwardConfig{SNS: printSNS{}, TopicARN: topic}), // sns.NewFromConfig(cfg)
	})
	s := batchtest.NewKinesisStream("clicks", 1)
	ev := batchtest.KinesisEvent(s.Record("u1", []byte(`{"Page":"/"}`)), s.Record("u1", []byte(`{}`)))
	resp, _ := fn.Handle(context.Background(), ev)
	fmt.Println("retried:", len(resp.BatchItemFailures))
	// Output:
	// Publish arn:aws:sns:us-east-1:123456789012:clicks-failures: PermanentFailure, shardId-000000000000 #49591980121281528505000000000000000000001924150071352394: click without a page
	// retried: 0
}

func ExampleQueueURL() {
	url, err := policy.QueueURL("arn:aws:sqs:eu-west-1:123456789012:orders.fifo")
	fmt.Println(url, err)
	// Output:
	// https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo <nil>
}

// SimClient runs the policies on a simulated queue: here a stand-in for
// esm.SQS that prints what the policies do to it.
func ExampleSimClient() {
	q := printSim{}
	c := policy.SimClient{Queue: q}
	fn := batch.New(batch.SQS(), handleOrder, batch.Options{
		Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: c}),
		Retry:  policy.Backoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter}),
	})
	fn.Handle(context.Background(), ordersEvent(2, `{"id":"1"}`, `{"id":"2","customer":"busy"}`))
	// Output:
	// dead letter from m0: {"id":"1"}
	// rh-m1 visible again in 2s
}

// printSim is a Simulator that prints what it is asked to do.
type printSim struct{}

func (printSim) ARN() string { return "arn:aws:sqs:us-east-1:123456789012:orders" }
func (printSim) RedrivePolicy() (string, int) {
	return "arn:aws:sqs:us-east-1:123456789012:orders-dlq", 5
}
func (printSim) SendDeadLetter(source string, m events.SQSMessage) string {
	fmt.Printf("dead letter from %s: %s\n", source, m.Body)
	return "d1"
}
func (printSim) ChangeVisibility(handle string, d time.Duration) error {
	fmt.Printf("%s visible again in %v\n", handle, d)
	return nil
}
