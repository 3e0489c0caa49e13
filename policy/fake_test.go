package policy_test

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// fakeSQS records the SQS calls of the policies and answers them from its
// fields. It is safe for concurrent use.
type fakeSQS struct {
	mu      sync.Mutex
	sent    []*sqs.SendMessageInput
	lookups []string // queue URLs of GetQueueAttributes calls
	changes []*sqs.ChangeMessageVisibilityBatchInput

	redrive  map[string]string // RedrivePolicy by source queue URL
	sendErr  error             // returned by SendMessage
	attrErr  error             // returned by GetQueueAttributes
	fail     map[string]string // ChangeMessageVisibilityBatch: receipt handle → error code
	callErr  error             // returned by ChangeMessageVisibilityBatch
	panicMsg string            // ChangeMessageVisibilityBatch panics with it
}

func (f *fakeSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return nil, f.sendErr
	}
	f.sent = append(f.sent, in)
	id := "sent-" + strconv.Itoa(len(f.sent))
	return &sqs.SendMessageOutput{MessageId: &id}, nil
}

func (f *fakeSQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups = append(f.lookups, *in.QueueUrl)
	if f.attrErr != nil {
		return nil, f.attrErr
	}
	out := &sqs.GetQueueAttributesOutput{Attributes: map[string]string{}}
	if rp, ok := f.redrive[*in.QueueUrl]; ok {
		out.Attributes["RedrivePolicy"] = rp
	}
	return out, nil
}

func (f *fakeSQS) ChangeMessageVisibilityBatch(_ context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panicMsg != "" {
		panic(f.panicMsg)
	}
	f.changes = append(f.changes, in)
	if f.callErr != nil {
		return nil, f.callErr
	}
	out := &sqs.ChangeMessageVisibilityBatchOutput{}
	for _, e := range in.Entries {
		if code, bad := f.fail[*e.ReceiptHandle]; bad {
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: &code, SenderFault: true})
			continue
		}
		out.Successful = append(out.Successful, types.ChangeMessageVisibilityBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// visibility returns the VisibilityTimeout set for each receipt handle.
func (f *fakeSQS) visibility() map[string]int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := map[string]int32{}
	for _, in := range f.changes {
		for _, e := range in.Entries {
			v[*e.ReceiptHandle] = e.VisibilityTimeout
		}
	}
	return v
}

// fakeSNS records the messages published.
type fakeSNS struct {
	mu        sync.Mutex
	published []*sns.PublishInput
	err       error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	f.published = append(f.published, in)
	return &sns.PublishOutput{}, nil
}

// redrivePolicy returns a RedrivePolicy attribute naming the queue arn.
func redrivePolicy(arn string) string {
	b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": 5})
	return string(b)
}

// sqsMessage returns a message of queue arn as Lambda delivers it.
func sqsMessage(arn, id, body string, receives int) events.SQSMessage {
	return events.SQSMessage{
		MessageId:      id,
		ReceiptHandle:  "rh-" + id,
		Body:           body,
		EventSource:    "aws:sqs",
		EventSourceARN: arn,
		AWSRegion:      "us-east-1",
		Attributes:     map[string]string{"ApproximateReceiveCount": strconv.Itoa(receives)},
	}
}

func str(s string) *string { return &s }

// size is the size SQS counts for a message: its body, and each
// attribute's name, type and value.
func size(body *string, attrs map[string]types.MessageAttributeValue) int {
	n := len(*body)
	for name, a := range attrs {
		n += len(name) + len(*a.DataType) + len(a.BinaryValue)
		if a.StringValue != nil {
			n += len(*a.StringValue)
		}
	}
	return n
}
