package batch_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
)

// seenBy collects the records a handler saw, and fails every other one.
type seenBy[R any] struct{ seen []R }

func (r *seenBy[R]) handle(_ context.Context, rec R) error {
	r.seen = append(r.seen, rec)
	if len(r.seen)%2 == 0 {
		return errAsked
	}
	return nil
}

// fallbackCase runs one golden event through Invoke of a source as built
// (the fast decoder) and as built when its event type has a field the
// decoder does not know (encoding/json), returning what each handler saw.
type fallbackCase struct {
	name, golden string
	run          func(t *testing.T, payload []byte) (fastSeen, stdSeen any, fastOut, stdOut []byte)
}

func fallbackRun[E, R, Resp any](src batch.Source[E, R, Resp]) func(t *testing.T, payload []byte) (any, any, []byte, []byte) {
	return func(t *testing.T, payload []byte) (any, any, []byte, []byte) {
		var fast, std seenBy[R]
		ctx := context.Background()
		fastOut, err := batch.New(src, fast.handle, batch.Options{}).Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("fast decoder: got error %v, want none", err)
		}
		stdOut, err := batch.New(batch.WithUnknownEventField(src), std.handle, batch.Options{}).Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("encoding/json: got error %v, want none", err)
		}
		return fast.seen, std.seen, fastOut, stdOut
	}
}

// TestUnknownEventFieldFallsBackToEncodingJSON checks the fallback a
// source takes when its aws-lambda-go event type has a field the event
// decoder does not read: Invoke decodes with encoding/json, and the
// handler sees the same records, and Lambda gets the same response, as
// with the fast decoder.
func TestUnknownEventFieldFallsBackToEncodingJSON(t *testing.T) {
	for _, c := range []fallbackCase{
		{"sqs", "testdata/sqs-event.json", fallbackRun(batch.SQS())},
		{"sqs fifo", "testdata/sqs-fifo-event.json", fallbackRun(batch.SQS())},
		{"kinesis", "testdata/kinesis-event.json", fallbackRun(batch.Kinesis())},
		{"dynamodb", "testdata/dynamodb-event.json", fallbackRun(batch.DynamoDB())},
		{"kafka", "testdata/kafka-event.json", fallbackRun(batch.Kafka())},
	} {
		t.Run(c.name, func(t *testing.T) {
			payload, err := os.ReadFile(c.golden)
			if err != nil {
				t.Fatal(err)
			}
			fastSeen, stdSeen, fastOut, stdOut := c.run(t, payload)
			if reflect.ValueOf(fastSeen).Len() == 0 {
				t.Fatal("got no records, want the golden event's")
			}
			if !reflect.DeepEqual(stdSeen, fastSeen) {
				t.Errorf("encoding/json gave the handler\n%#v\nwant what the fast decoder gives\n%#v", stdSeen, fastSeen)
			}
			if !bytes.Equal(stdOut, fastOut) || !bytes.Contains(stdOut, []byte("itemIdentifier")) {
				t.Errorf("got response %s, want %s, with failures", stdOut, fastOut)
			}
		})
	}
}

// TestUnknownEventFieldFailsLikeLambdaStart checks the fallback's errors:
// those of lambda.Start's decoding, as an *EventError. A record-level
// problem that the fast decoder confines to its record fails the whole
// event, and an aws-lambda-go panic is an error.
func TestUnknownEventFieldFailsLikeLambdaStart(t *testing.T) {
	ctx := context.Background()
	kinesis := batch.New(batch.WithUnknownEventField(batch.Kinesis()), func(context.Context, events.KinesisEventRecord) error { return nil }, batch.Options{})
	dynamodb := batch.New(batch.WithUnknownEventField(batch.DynamoDB()), func(context.Context, events.DynamoDBEventRecord) error { return nil }, batch.Options{})
	sqs := batch.New(batch.WithUnknownEventField(batch.SQS()), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{})
	for _, tt := range []struct {
		name    string
		handler lambda.Handler
		payload string
	}{
		{"invalid base64 in Kinesis data", kinesis,
			`{"Records":[{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"1","data":"e30="}},{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"2","data":"not base64!"}}]}`},
		{"invalid DynamoDB attribute", dynamodb,
			`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"1","NewImage":{"photo":{"B":"%%%"}}}}]}`},
		{"binary set that panics aws-lambda-go", dynamodb,
			`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"1","NewImage":{"a":{"BS":[1]}}}}]}`},
		{"malformed JSON", sqs, `{"Records":[{"messageId":"a"`},
		{"text after the event", sqs, `{"Records":[{"messageId":"a","eventSource":"aws:sqs"}]} x`},
		{"no records", sqs, `{}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.handler.Invoke(ctx, []byte(tt.payload))
			var ee *batch.EventError
			if !errors.As(err, &ee) || out != nil {
				t.Fatalf("got %s, %v, want no response and an *EventError", out, err)
			}
		})
	}
}
