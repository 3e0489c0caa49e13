package policy

import (
	"errors"
	"fmt"
)

var (
	// ErrNoDeadLetterQueue is the cause of a [DeadLetter] failure when
	// no dead-letter queue is configured and the source queue has no
	// redrive policy naming one. The record is then reported to Lambda
	// as failed.
	ErrNoDeadLetterQueue = errors.New("no dead-letter queue: none configured, and the source queue has no redrive policy")

	// ErrUnsupportedRecord is the cause of a policy's failure for a
	// record it cannot handle: [DeadLetter] and [Backoff] take SQS
	// messages, [Forward] Kinesis, DynamoDB Streams and Kafka records.
	// The record is then reported to Lambda as failed (DeadLetter,
	// Forward), or its visibility is left alone (Backoff).
	ErrUnsupportedRecord = errors.New("record of a source the policy does not handle")
)

// ARNError is the error of a queue ARN that names no SQS queue: an
// eventSourceARN or a redrive policy's deadLetterTargetArn that is
// malformed, so that no queue URL can be built from it.
type ARNError struct {
	ARN    string // the ARN as given
	Reason string // what is wrong with it
}

// Error names the ARN and what is wrong with it.
func (e *ARNError) Error() string {
	return fmt.Sprintf("policy: invalid SQS queue ARN %q: %s", e.ARN, e.Reason)
}

// EntryError is the error SQS gave for one entry of a batch call
// (ChangeMessageVisibilityBatch): its code and message, and whether the
// request was at fault (a stale receipt handle, say) rather than SQS.
type EntryError struct {
	Code        string
	Message     string
	SenderFault bool
}

// Error gives the code and message.
func (e *EntryError) Error() string {
	return fmt.Sprintf("policy: SQS refused the entry: %s: %s", e.Code, e.Message)
}
