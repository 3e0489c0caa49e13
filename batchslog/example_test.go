package batchslog_test

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchslog"
)

// exampleLogger writes JSON lines without the time, so that the output is
// stable.
func exampleLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// One middleware logs the failures of every source: here an SQS queue's.
// The payload is never logged.
func ExampleNew() {
	handle := func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("invalid order")
		}
		return nil
	}
	fn := batch.New(batch.SQS(), handle, batch.Options{
		Middleware: []batch.Middleware{batchslog.New(exampleLogger(), batchslog.Options{Level: slog.LevelWarn})},
	})

	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "good", EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders"},
		{MessageId: "m2", Body: "bad", EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders"},
	}}
	_, _ = fn.Handle(context.Background(), ev)
	// Output:
	// {"level":"WARN","msg":"batch: record failed","event_source":"arn:aws:sqs:eu-west-1:123456789012:orders","record_id":"m2","record_index":1,"error":"invalid order"}
}

// The same middleware on a Kafka function: the source is the topic and the
// identifier "<topic>-<partition>@<offset>".
func ExampleNew_kafka() {
	handle := func(ctx context.Context, r events.KafkaRecord) error { return errors.New("bad value") }
	fn := batch.New(batch.Kafka(), handle, batch.Options{
		NoBatchError: true,
		Middleware:   []batch.Middleware{batchslog.New(exampleLogger(), batchslog.Options{})},
	})
	ev := events.KafkaEvent{Records: map[string][]events.KafkaRecord{
		"payments-0": {{Topic: "payments", Partition: 0, Offset: 42}},
	}}
	_, _ = fn.Handle(context.Background(), ev)
	// Output:
	// {"level":"ERROR","msg":"batch: record failed","event_source":"payments","record_id":"payments-0@42","record_index":0,"error":"bad value"}
}
