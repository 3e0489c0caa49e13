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

func ExampleSQS() {
	handle := func(ctx context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errors.New("invalid order")
		}
		return nil
	}
	h := batch.Wrap(handle, batchslog.SQS(exampleLogger(), batchslog.Options{Level: slog.LevelWarn}))

	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "good", EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders"},
		{MessageId: "m2", Body: "bad", EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders"},
	}}
	var proc batch.Processor
	_, _ = proc.SQS(context.Background(), ev, h)
	// Output:
	// {"level":"WARN","msg":"batch: record failed","event_source":"arn:aws:sqs:eu-west-1:123456789012:orders","record_id":"m2","record_index":1,"error":"invalid order"}
}

func ExampleMiddleware() {
	type job struct{ Key, Data string }
	handle := func(ctx context.Context, j job) error { return errors.New("no capacity") }
	h := batch.Wrap(handle, batchslog.Middleware(exampleLogger(),
		func(job) string { return "jobs" },
		func(j job) string { return j.Key },
		batchslog.Options{}))

	src := batch.Source[job]{ID: func(j job) string { return j.Key }}
	batch.Process(context.Background(), batch.Processor{}, []job{{Key: "j-7", Data: "…"}}, src, h)
	// Output:
	// {"level":"ERROR","msg":"batch: record failed","event_source":"jobs","record_id":"j-7","record_index":0,"error":"no capacity"}
}

func ExampleKinesis() {
	handle := func(ctx context.Context, r events.KinesisEventRecord) error { return errors.New("bad record") }
	h := batch.Wrap(handle, batchslog.Kinesis(exampleLogger(), batchslog.Options{}))
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{{
		EventSourceArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks",
		Kinesis:        events.KinesisRecord{SequenceNumber: "49590338271490256608559692538361571095921575989136588898"},
	}}}
	_, _ = batch.Processor{NoBatchError: true}.Kinesis(context.Background(), ev, h)
	// Output:
	// {"level":"ERROR","msg":"batch: record failed","event_source":"arn:aws:kinesis:eu-west-1:123456789012:stream/clicks","record_id":"49590338271490256608559692538361571095921575989136588898","record_index":0,"error":"bad record"}
}

func ExampleDynamoDB() {
	handle := func(ctx context.Context, r events.DynamoDBEventRecord) error { return errors.New("bad image") }
	h := batch.Wrap(handle, batchslog.DynamoDB(exampleLogger(), batchslog.Options{}))
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
		EventSourceArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/users/stream/2024-01-01T00:00:00.000",
		Change:         events.DynamoDBStreamRecord{SequenceNumber: "4421584500000000017450439091"},
	}}}
	_, _ = batch.Processor{NoBatchError: true}.DynamoDB(context.Background(), ev, h)
	// Output:
	// {"level":"ERROR","msg":"batch: record failed","event_source":"arn:aws:dynamodb:eu-west-1:123456789012:table/users/stream/2024-01-01T00:00:00.000","record_id":"4421584500000000017450439091","record_index":0,"error":"bad image"}
}

func ExampleKafka() {
	handle := func(ctx context.Context, r events.KafkaRecord) error { return errors.New("bad value") }
	h := batch.Wrap(handle, batchslog.Kafka(exampleLogger(), batchslog.Options{}))
	ev := events.KafkaEvent{Records: map[string][]events.KafkaRecord{
		"payments-0": {{Topic: "payments", Partition: 0, Offset: 42}},
	}}
	_, _ = batch.Processor{NoBatchError: true}.Kafka(context.Background(), ev, h)
	// Output:
	// {"level":"ERROR","msg":"batch: record failed","event_source":"payments","record_id":"payments-0@42","record_index":0,"error":"bad value"}
}
