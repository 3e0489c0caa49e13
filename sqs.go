package batch

import (
	"context"

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
// An event with no records, or with a record from another source, is not
// run: the error is an [*EventError].
// The function must be configured with ReportBatchItemFailures.
func (p Processor) SQS(ctx context.Context, ev events.SQSEvent, h Handler[events.SQSMessage]) (events.SQSEventResponse, error) {
	if err := checkEvent("SQS", len(ev.Records), func(i int) string { return ev.Records[i].EventSource }, "aws:sqs"); err != nil {
		return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}, err
	}
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
