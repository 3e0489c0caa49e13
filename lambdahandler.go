package batch

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/handlertrace"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// LambdaHandler is a ready AWS Lambda function for one event source, built by
// [SQSHandler], [KinesisHandler], [DynamoDBHandler] or [KafkaHandler]. It
// implements lambda.Handler, so it is passed to lambda.Start as it is:
//
//	lambda.Start(batch.SQSHandler(batch.Processor{}, handle))
//
// It owns the whole path from the raw payload to the response bytes: it
// decodes the event with a decoder written for the event's shape (several
// times faster than encoding/json, and producing the same values), runs the
// records like [Processor.SQS] and friends, and writes the partial batch
// response itself. A function that keeps its own
// func(context.Context, events.SQSEvent) handler is unaffected.
//
// Where it differs from a Processor method behind lambda.Start: text after
// the event is an [*EventError] (lambda.Start's decoder ignores it); a
// problem confined to one record, such as invalid base64 in Kinesis data or
// a DynamoDB B attribute, fails that record alone with a [*DecodeError]
// naming the field (encoding/json fails the whole event, so lambda.Start
// returns an error before the Processor method runs); and, as every error
// return, a [*BatchError] comes with no response body, since Lambda ignores
// the body of a failed invocation.
//
// The request and response hooks of lambda/handlertrace (used by tracing
// libraries) are called with the decoded event and the response, as for a
// handler function. lambda.Start options that configure encoding/json
// (WithUseNumber, WithDisallowUnknownFields, WithSetEscapeHTML,
// WithSetIndent) do not apply. One LambdaHandler may serve any number of
// concurrent invocations.
type LambdaHandler struct {
	invoke func(ctx context.Context, payload []byte) ([]byte, error)
}

// Invoke handles one invocation: payload is the event as Lambda sent it, the
// result the JSON response. The error is an [*EventError] when the payload
// is not an event of the handler's source, or the error the matching
// Processor method returns (such as a [*BatchError] when every record
// failed); the response is then nil, as Lambda ignores it.
func (h *LambdaHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if h == nil || h.invoke == nil {
		return nil, errUnbuiltHandler
	}
	return h.invoke(ctx, payload)
}

// errUnbuiltHandler is returned by a LambdaHandler that no constructor built.
var errUnbuiltHandler = errors.New("batch: LambdaHandler used without SQSHandler, KinesisHandler, DynamoDBHandler or KafkaHandler")

// SQSHandler returns a Lambda function that handles SQS events (standard
// and FIFO queues) with h, configured by p, and returns the partial batch
// response. It behaves as [Processor.SQS] behind lambda.Start, only
// faster; [LambdaHandler] lists the inputs it is stricter about. The
// function must be configured with ReportBatchItemFailures.
func SQSHandler(p Processor, h Handler[events.SQSMessage]) *LambdaHandler {
	return lambdaHandler("SQS", eventjson.SQSLenient,
		func(ctx context.Context, ev events.SQSEvent, bad []*eventjson.FieldError) (events.SQSEventResponse, error) {
			return p.SQS(ctx, ev, failFaulty(h, bad, sqsID))
		},
		func(dst []byte, resp events.SQSEventResponse) []byte {
			return eventjson.AppendItemFailures(dst, resp.BatchItemFailures, func(f events.SQSBatchItemFailure) string { return f.ItemIdentifier })
		})
}

// KinesisHandler returns a Lambda function that handles Kinesis Data Streams
// events with h, configured by p, and returns the partial batch response. It
// behaves as [Processor.Kinesis] behind lambda.Start, only faster;
// [LambdaHandler] lists the inputs it is stricter about.
func KinesisHandler(p Processor, h Handler[events.KinesisEventRecord]) *LambdaHandler {
	return lambdaHandler("Kinesis", eventjson.KinesisLenient,
		func(ctx context.Context, ev events.KinesisEvent, bad []*eventjson.FieldError) (events.KinesisEventResponse, error) {
			return p.Kinesis(ctx, ev, failFaulty(h, bad, kinesisID))
		},
		func(dst []byte, resp events.KinesisEventResponse) []byte {
			return eventjson.AppendItemFailures(dst, resp.BatchItemFailures, func(f events.KinesisBatchItemFailure) string { return f.ItemIdentifier })
		})
}

// DynamoDBHandler returns a Lambda function that handles DynamoDB Streams
// events with h, configured by p, and returns the partial batch response. It
// behaves as [Processor.DynamoDB] behind lambda.Start, only faster: the
// attribute values are built directly rather than through
// events.DynamoDBAttributeValue's UnmarshalJSON. [LambdaHandler] lists the
// inputs it is stricter about.
func DynamoDBHandler(p Processor, h Handler[events.DynamoDBEventRecord]) *LambdaHandler {
	return lambdaHandler("DynamoDB Streams", eventjson.DynamoDBLenient,
		func(ctx context.Context, ev events.DynamoDBEvent, bad []*eventjson.FieldError) (events.DynamoDBEventResponse, error) {
			return p.DynamoDB(ctx, ev, failFaulty(h, bad, func(r events.DynamoDBEventRecord) string { return r.Change.SequenceNumber }))
		},
		func(dst []byte, resp events.DynamoDBEventResponse) []byte {
			return eventjson.AppendItemFailures(dst, resp.BatchItemFailures, func(f events.DynamoDBBatchItemFailure) string { return f.ItemIdentifier })
		})
}

// KafkaHandler returns a Lambda function that handles Amazon MSK and
// self-managed Kafka events with h, configured by p, and returns the
// partial batch response. It behaves as [Processor.Kafka] behind
// lambda.Start, only faster; [LambdaHandler] lists the inputs it is
// stricter about.
func KafkaHandler(p Processor, h Handler[events.KafkaRecord]) *LambdaHandler {
	decode := func(payload []byte) (events.KafkaEvent, []*eventjson.FieldError, error) {
		ev, err := eventjson.Kafka(payload)
		return ev, nil, err // the value is base64 in a string, decoded by KafkaJSON
	}
	return lambdaHandler("Kafka", decode,
		func(ctx context.Context, ev events.KafkaEvent, _ []*eventjson.FieldError) (KafkaEventResponse, error) {
			return p.Kafka(ctx, ev, h)
		},
		func(dst []byte, resp KafkaEventResponse) []byte {
			items := make([]eventjson.KafkaItem, len(resp.BatchItemFailures))
			for i, f := range resp.BatchItemFailures {
				items[i] = eventjson.KafkaItem{Partition: f.ItemIdentifier.Partition, Offset: f.ItemIdentifier.Offset}
			}
			return eventjson.AppendKafkaItemFailures(dst, items)
		})
}

// failFaulty returns h, except that a record the lenient decoder found
// faulty (bad, by index in the event) fails with a *DecodeError naming the
// field, without h being called: invalid base64 in a binary field fails
// that record alone, where encoding/json would fail the whole event.
func failFaulty[R any](h Handler[R], bad []*eventjson.FieldError, id func(R) string) Handler[R] {
	if len(bad) == 0 || h == nil {
		return h
	}
	faulty := make(map[int]*eventjson.FieldError, len(bad))
	for _, fe := range bad {
		faulty[fe.Index] = fe
	}
	return func(ctx context.Context, rec R) error {
		if i, _, ok := RecordIndex(ctx); ok {
			if fe := faulty[i]; fe != nil {
				return &DecodeError{ID: id(rec), Part: fe.Field, Err: fmt.Errorf("at offset %d: %w", fe.Offset, fe.Err)}
			}
		}
		return h(ctx, rec)
	}
}

// lambdaHandler builds a LambdaHandler from a source's decoder, entry
// point and response encoder.
func lambdaHandler[E, Resp any](
	source string,
	decode func([]byte) (E, []*eventjson.FieldError, error),
	process func(context.Context, E, []*eventjson.FieldError) (Resp, error),
	encode func([]byte, Resp) []byte,
) *LambdaHandler {
	return &LambdaHandler{invoke: func(ctx context.Context, payload []byte) ([]byte, error) {
		ev, bad, err := decode(payload)
		if err != nil {
			return nil, &EventError{Source: source, Err: err}
		}
		trace := handlertrace.FromContext(ctx)
		if trace.RequestEvent != nil {
			trace.RequestEvent(ctx, ev)
		}
		resp, err := process(ctx, ev, bad)
		if err != nil {
			return nil, err
		}
		if trace.ResponseEvent != nil {
			trace.ResponseEvent(ctx, resp)
		}
		return encode(make([]byte, 0, 64), resp), nil
	}}
}
