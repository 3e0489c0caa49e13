package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/seed-45ee126e/batch"
)

// Simulator is what [SimClient] needs of a simulated SQS queue and the
// event source mapping that polls it, such as *esm.SQS: operations without
// the AWS SDK, in the simulation's time. SendDeadLetter and
// ChangeVisibility are called during an invocation, from the function's
// goroutines (a record's, for [DeadLetter]; several at once with
// [batch.Options.Concurrency] or [BackoffConfig.Concurrency]), so they
// must be safe for concurrent use with each other and with the
// simulator's own run.
type Simulator interface {
	// ARN returns the queue's ARN.
	ARN() string

	// RedrivePolicy returns the queue's dead-letter queue ARN and
	// maxReceiveCount; "" and 0 when the queue has none.
	RedrivePolicy() (deadLetterARN string, maxReceiveCount int)

	// SendDeadLetter puts m into the dead-letter queue, as a function's
	// SendMessage to it would: its Body, MessageAttributes, and the
	// MessageGroupId and MessageDeduplicationId of its Attributes. It
	// returns the new message's id. source, when not empty, is the id
	// of the queue's message being moved: if the invocation in progress
	// then does not report it, so that Lambda deletes it, the message
	// ends dead-lettered rather than processed.
	SendDeadLetter(source string, m events.SQSMessage) (messageID string)

	// ChangeVisibility makes the message in flight whose latest receipt
	// handle is receiptHandle visible again d after the simulation's
	// current time, as ChangeMessageVisibility does. It returns an error
	// when no message in flight has that receipt handle (never received,
	// deleted, or received again since), or when d is negative or more
	// than 12 hours.
	ChangeVisibility(receiptHandle string, d time.Duration) error
}

// SimClient is an SQS client for the failure policies on top of a
// simulated queue, so that a unit test shows their effect on the queue:
// with [DeadLetter], a poison message in the simulator's dead-letter queue
// after its first delivery; with [Backoff], a flaky message delivered
// again 1, 2, 4 … seconds of simulated time later.
//
//	c := policy.SimClient{Queue: q}
//	fn := batch.New(batch.SQS(), handle, batch.Options{
//		Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: c}),
//		Retry:   policy.Backoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter}),
//	})
//
// It implements [DeadLetterClient] and [BackoffClient] for the queue and
// its dead-letter queue, whose URLs are those [QueueURL] builds from their
// ARNs (any URL whose last path element is the queue's name names it):
// GetQueueAttributes answers QueueArn and RedrivePolicy for the queue;
// SendMessage sends to the dead-letter queue only; and
// ChangeMessageVisibilityBatch changes the visibility of the queue's
// messages. Any other queue does not exist. A SimClient is safe for
// concurrent use as its Simulator is.
type SimClient struct {
	Queue Simulator
}

// nonExistentQueue is the error SQS gives for a queue URL it does not
// know.
func nonExistentQueue(url string) error {
	return &smithy.GenericAPIError{Code: "AWS.SimpleQueueService.NonExistentQueue", Message: "The specified queue does not exist: " + url, Fault: smithy.FaultClient}
}

// queueName returns the last path element of a queue URL, its name.
func queueName(url string) string { return url[strings.LastIndexByte(url, '/')+1:] }

// arnName returns the name of the queue of an ARN.
func arnName(arn string) string { return arn[strings.LastIndexByte(arn, ':')+1:] }

// GetQueueAttributes returns the queue's QueueArn and, when it has a
// dead-letter queue, its RedrivePolicy, as SQS writes it.
func (c SimClient) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	url := deref(in.QueueUrl)
	if queueName(url) != arnName(c.Queue.ARN()) {
		return nil, nonExistentQueue(url)
	}
	attrs := map[string]string{string(types.QueueAttributeNameQueueArn): c.Queue.ARN()}
	if dlq, max := c.Queue.RedrivePolicy(); dlq != "" {
		b, _ := json.Marshal(struct {
			Target string `json:"deadLetterTargetArn"`
			Max    int    `json:"maxReceiveCount"`
		}{dlq, max})
		attrs[string(types.QueueAttributeNameRedrivePolicy)] = string(b)
	}
	return &sqs.GetQueueAttributesOutput{Attributes: attrs}, nil
}

// SendMessage sends a message to the queue's dead-letter queue. When ctx
// is the context of a record of the queue (as [batch.Options.Divert]
// receives it), that record is the message being moved.
func (c SimClient) SendMessage(ctx context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	url := deref(in.QueueUrl)
	dlq, _ := c.Queue.RedrivePolicy()
	if dlq == "" || queueName(url) != arnName(dlq) {
		return nil, nonExistentQueue(url)
	}
	m := events.SQSMessage{
		Body:              deref(in.MessageBody),
		Attributes:        map[string]string{},
		MessageAttributes: make(map[string]events.SQSMessageAttribute, len(in.MessageAttributes)),
	}
	for name, v := range in.MessageAttributes {
		m.MessageAttributes[name] = events.SQSMessageAttribute{
			DataType:         deref(v.DataType),
			StringValue:      v.StringValue,
			BinaryValue:      v.BinaryValue,
			StringListValues: v.StringListValues,
			BinaryListValues: v.BinaryListValues,
		}
	}
	if g := deref(in.MessageGroupId); g != "" {
		m.Attributes["MessageGroupId"] = g
	}
	if d := deref(in.MessageDeduplicationId); d != "" {
		m.Attributes["MessageDeduplicationId"] = d
	}
	source := ""
	if r, ok := batch.RecordFrom(ctx); ok {
		if src, ok := r.Value.(*events.SQSMessage); ok && src.EventSourceARN == c.Queue.ARN() {
			source = src.MessageId
		}
	}
	id := c.Queue.SendDeadLetter(source, m)
	return &sqs.SendMessageOutput{MessageId: &id}, nil
}

// ChangeMessageVisibilityBatch changes the visibility of the queue's
// messages named by their receipt handles; an entry whose handle names no
// message in flight fails with ReceiptHandleIsInvalid, as in SQS.
func (c SimClient) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	url := deref(in.QueueUrl)
	if queueName(url) != arnName(c.Queue.ARN()) {
		return nil, nonExistentQueue(url)
	}
	if n := len(in.Entries); n == 0 || n > maxEntries {
		return nil, &smithy.GenericAPIError{Code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Message: fmt.Sprintf("%d entries; 1 to 10 allowed", n), Fault: smithy.FaultClient}
	}
	out := &sqs.ChangeMessageVisibilityBatchOutput{}
	for _, e := range in.Entries {
		err := c.Queue.ChangeVisibility(deref(e.ReceiptHandle), time.Duration(e.VisibilityTimeout)*time.Second)
		if err != nil {
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: ptr("ReceiptHandleIsInvalid"), Message: ptr(err.Error()), SenderFault: true})
			continue
		}
		out.Successful = append(out.Successful, types.ChangeMessageVisibilityBatchResultEntry{Id: e.Id})
	}
	return out, nil
}
