package batch

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// SQS handles an SQS event (standard or FIFO queue) and returns the partial
// batch response that makes Lambda retry only the messages that did not
// succeed. Use it as the whole body of a Lambda handler:
//
//	func handler(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
//		return proc.SQS(ctx, ev, handle)
//	}
//
// The identifier is the messageId. A batch is FIFO when an eventSourceARN ends
// in ".fifo" (see [Processor.FIFO]); on a FIFO queue the first failure stops
// the batch, or with [Processor.SkipGroupOnError] only its message group.
// The error is non-nil when every message failed (see [BatchError]) or a
// failed message has no messageId; the response is filled in either way.
// The function must be configured with ReportBatchItemFailures.
func (p Processor) SQS(ctx context.Context, ev events.SQSEvent, h Handler[events.SQSMessage]) (events.SQSEventResponse, error) {
	return SQSResponse(Process(ctx, p, ev.Records, SQSSource(ev.Records), h))
}

// SQSSource describes SQS messages to [Process]: identifier messageId,
// ordering key the MessageGroupId attribute, FIFO when an eventSourceARN of
// records ends in ".fifo".
func SQSSource(records []events.SQSMessage) Source[events.SQSMessage] {
	fifo := false
	for i := range records {
		if isFIFOQueueARN(records[i].EventSourceARN) {
			fifo = true
			break
		}
	}
	return Source[events.SQSMessage]{
		ID:    func(m events.SQSMessage) string { return m.MessageId },
		Key:   func(m events.SQSMessage) string { return m.Attributes["MessageGroupId"] },
		FIFO:  fifo,
		Check: func(m events.SQSMessage) error { return checkSource(m.EventSource, "aws:sqs") },
	}
}

// SQSResponse builds the SQS partial batch response of a report, and returns
// it with the report's error.
func SQSResponse(r *Report[events.SQSMessage]) (events.SQSEventResponse, error) {
	return events.SQSEventResponse{BatchItemFailures: itemFailures(r.FailedIDs(), func(id string) events.SQSBatchItemFailure {
		return events.SQSBatchItemFailure{ItemIdentifier: id}
	})}, r.Err()
}

// itemFailures converts identifiers into a response's item failures; the
// result is never nil, so that it marshals as [] rather than null.
func itemFailures[K, F any](ids []K, item func(K) F) []F {
	out := make([]F, len(ids))
	for i, id := range ids {
		out[i] = item(id)
	}
	return out
}

// checkSource accepts a record whose eventSource is empty (test events often
// omit it) or one of want.
func checkSource(got string, want ...string) error {
	if got == "" {
		return nil
	}
	for _, w := range want {
		if got == w {
			return nil
		}
	}
	return fmt.Errorf("%w: eventSource %q, want %q", ErrWrongSource, got, want[0])
}
