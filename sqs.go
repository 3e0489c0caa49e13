package batch

import (
	"strings"
	"unsafe"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// SQS is the Source of Amazon SQS events, from standard and FIFO queues.
// The identifier in the response is the messageId.
//
// A batch is FIFO when an eventSourceARN of its records ends in ".fifo"
// (the MessageGroupId attribute is not the signal: fair standard queues
// carry it too), or when [Options.FIFO] says so. On a FIFO queue the first
// failure stops the batch: the records after it are reported without being
// handled, so that Lambda redelivers them in order. With
// [Options.SkipGroupOnError] only the later records of the failed message
// group are stopped, and groups run in parallel up to
// [Options.Concurrency].
//
// The default payload is the message body, decoded as JSON; it also reads
// the body of an SNS notification delivered with raw message delivery on.
// For an SNS notification in its envelope use [SNS], for an EventBridge
// event [EventBridge], with [Source.Decode].
func SQS() Source[events.SQSEvent, events.SQSMessage, events.SQSEventResponse] {
	return Source[events.SQSEvent, events.SQSMessage, events.SQSEventResponse]{
		name:    "SQS",
		origins: []string{"aws:sqs"},
		records: func(ev events.SQSEvent) []events.SQSMessage { return ev.Records },
		origin:  func(ev events.SQSEvent, i int) string { return ev.Records[i].EventSource },
		id:      func(m *events.SQSMessage) string { return m.MessageId },
		key:     func(m *events.SQSMessage) string { return m.Attributes["MessageGroupId"] },
		fifo: func(ms []events.SQSMessage) bool {
			for i := range ms {
				if strings.HasSuffix(ms[i].EventSourceARN, ".fifo") {
					return true
				}
			}
			return false
		},
		respond: func(ms []events.SQSMessage, failed []int) events.SQSEventResponse {
			out := make([]events.SQSBatchItemFailure, len(failed))
			for k, i := range failed {
				out[k].ItemIdentifier = ms[i].MessageId
			}
			return events.SQSEventResponse{BatchItemFailures: out}
		},
		encode: func(dst []byte, ms []events.SQSMessage, failed []int) []byte {
			return eventjson.AppendItemFailures(dst, failed, func(i int) string { return ms[i].MessageId })
		},
		decode:    eventDecoder(sqsUnknown(), eventjson.SQSLenient),
		decodeRaw: rawDecoder(sqsUnknown(), eventjson.SQSRaw),
		jsonBytes: func(m *events.SQSMessage) ([]byte, error) {
			return unsafe.Slice(unsafe.StringData(m.Body), len(m.Body)), nil
		},
		jsonView: true,
		part:     "body",
	}
}
