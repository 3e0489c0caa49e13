package sqsdelete

import (
	"errors"
	"fmt"
	"strings"

	"github.com/seed-45ee126e/batch"
)

// Sentinel errors, for use with [errors.Is].
var (
	// ErrNotDeleted marks a message that succeeded but could not be deleted
	// from its queue. It will be delivered again after its visibility
	// timeout, and handled a second time. The errors in [Error.NotDeleted]
	// wrap it together with the cause.
	ErrNotDeleted = errors.New("sqsdelete: message succeeded but was not deleted")

	// ErrNoReceiptHandle is the cause of [ErrNotDeleted] for a message whose
	// receiptHandle is empty.
	ErrNoReceiptHandle = errors.New("sqsdelete: message has no receipt handle")

	// ErrEarlierNotDeleted is the cause of [ErrNotDeleted] for a message of
	// a FIFO queue that was not deleted because an earlier message of its
	// message group could not be. The earlier message comes back to the
	// queue; this one stays there behind it, so that the group is
	// processed in order. The error wrapping it
	// names the earlier message, which is in [Error.NotDeleted] too.
	ErrEarlierNotDeleted = errors.New("sqsdelete: not deleted to keep FIFO order, since an earlier message was not deleted")

	// errNoResult is the cause of ErrNotDeleted for an entry that the
	// DeleteMessageBatch response listed neither as deleted nor as failed.
	errNoResult = errors.New("sqsdelete: DeleteMessageBatch response did not mention the entry")
)

// Error is returned when some messages of the batch did not succeed.
// Returning it from the function makes Lambda leave the batch on the queue:
// the messages still there become visible again after their visibility
// timeout. Those are the ones in Failed, which is the purpose, and the ones
// in NotDeleted, which succeeded but will be handled again.
//
// Error unwraps to the errors of Failed and NotDeleted, so [errors.Is] and
// [errors.As] find a handler's error, [batch.ErrSkipped], [ErrNotDeleted] or
// an [*EntryError] through it.
type Error struct {
	// Failed lists the messages that failed or were not processed
	// ([batch.ErrSkipped], [batch.ErrDeadline], …), in input order. Each
	// has the message's index in the batch, its messageId and the cause.
	Failed []*batch.RecordError

	// NotDeleted lists the messages that succeeded but could not be
	// deleted, in input order. Each error wraps [ErrNotDeleted] and the
	// cause: an [*EntryError], the error of the DeleteMessageBatch call, an
	// [*ARNError], [ErrNoReceiptHandle], the context's error, or, on a
	// FIFO queue, [ErrEarlierNotDeleted].
	NotDeleted []*batch.RecordError
}

// maxIDs is how many message ids Error.Error names per list.
const maxIDs = 10

// Error names the messages of both lists, at most ten of each.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sqsdelete: ")
	writeList(&b, e.Failed, "did not succeed and will return to the queue")
	if len(e.NotDeleted) > 0 {
		if len(e.Failed) > 0 {
			b.WriteString("; ")
		}
		writeList(&b, e.NotDeleted, "succeeded but could not be deleted and will be delivered again")
		cause := e.NotDeleted[0].Err
		if nd, ok := cause.(*notDeletedError); ok {
			cause = nd.cause
		}
		fmt.Fprintf(&b, " (first cause: %v)", cause)
	}
	return b.String()
}

// writeList writes "<n> message(s) <what> (ids: a, b, …)".
func writeList(b *strings.Builder, errs []*batch.RecordError, what string) {
	noun := "messages"
	if len(errs) == 1 {
		noun = "message"
	}
	fmt.Fprintf(b, "%d %s %s (ids: ", len(errs), noun, what)
	for i, re := range errs {
		if i == maxIDs {
			fmt.Fprintf(b, ", and %d more", len(errs)-maxIDs)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if re.ID == "" {
			fmt.Fprintf(b, "#%d", re.Index)
		} else {
			b.WriteString(re.ID)
		}
	}
	b.WriteString(")")
}

// Unwrap returns the errors of Failed followed by those of NotDeleted.
func (e *Error) Unwrap() []error {
	out := make([]error, 0, len(e.Failed)+len(e.NotDeleted))
	for _, re := range e.Failed {
		out = append(out, re)
	}
	for _, re := range e.NotDeleted {
		out = append(out, re)
	}
	return out
}

// EntryError is the failure of one entry of a DeleteMessageBatch call, as
// SQS reported it in the response's Failed list.
type EntryError struct {
	Code        string // the error code, such as "ReceiptHandleIsInvalid"
	Message     string // SQS's explanation, possibly empty
	SenderFault bool   // true if the request was at fault; such entries are not retried
}

// Error describes the failure with its code and who was at fault.
func (e *EntryError) Error() string {
	who := "service"
	if e.SenderFault {
		who = "sender"
	}
	if e.Message == "" {
		return fmt.Sprintf("sqsdelete: DeleteMessageBatch entry failed: %s (%s fault)", e.Code, who)
	}
	return fmt.Sprintf("sqsdelete: DeleteMessageBatch entry failed: %s: %s (%s fault)", e.Code, e.Message, who)
}

// ARNError reports an eventSourceARN from which no queue URL can be built.
type ARNError struct {
	ARN    string // the eventSourceARN as received
	Reason string // what is wrong with it
}

// Error quotes the ARN and says what is wrong with it.
func (e *ARNError) Error() string {
	return fmt.Sprintf("sqsdelete: invalid SQS queue ARN %q: %s", e.ARN, e.Reason)
}
