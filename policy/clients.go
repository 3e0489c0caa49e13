package policy

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// The policies call AWS through these interfaces, each with the
// operations one policy needs. An *sqs.Client (sqs.NewFromConfig) satisfies
// every SQS one and an *sns.Client (sns.NewFromConfig) [SNSPublisher]; so
// does the adapter [SimClient] of the esm simulators, and any fake of a
// test.

// DeadLetterClient is what [DeadLetter] calls: SendMessage to the
// dead-letter queue, and GetQueueAttributes to read the source queue's
// redrive policy when [DeadLetterConfig.QueueURL] is empty.
type DeadLetterClient interface {
	SendMessage(ctx context.Context, params *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	GetQueueAttributes(ctx context.Context, params *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// BackoffClient is what [Backoff] calls.
type BackoffClient interface {
	ChangeMessageVisibilityBatch(ctx context.Context, params *sqs.ChangeMessageVisibilityBatchInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// SQSSender is what [Forward] calls to send to an SQS queue.
type SQSSender interface {
	SendMessage(ctx context.Context, params *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// SNSPublisher is what [Forward] calls to publish to an SNS topic.
type SNSPublisher interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}
