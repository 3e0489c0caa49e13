package batchotel_test

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchotel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// printSpans prints the ended spans: name, status, sorted attributes and
// links.
func printSpans(sr *tracetest.SpanRecorder) {
	for _, s := range sr.Ended() {
		fmt.Printf("%s [%s]\n", s.Name(), s.Status().Code)
		var attrs []string
		for _, kv := range s.Attributes() {
			attrs = append(attrs, fmt.Sprintf("  %s=%v", kv.Key, kv.Value.Emit()))
		}
		sort.Strings(attrs)
		for _, a := range attrs {
			fmt.Println(a)
		}
		for _, l := range s.Links() {
			fmt.Printf("  link trace=%s span=%s\n", l.SpanContext.TraceID(), l.SpanContext.SpanID())
		}
	}
}

// The middleware traces each record of an SQS function: the span links to
// the producer's trace found in the AWSTraceHeader attribute.
func ExampleNew() {
	// In a Lambda function the provider comes from your OpenTelemetry setup
	// (the zero Config uses the global one); here it records the spans.
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	mw := batchotel.New(batchotel.Config{TracerProvider: tp})
	handle := func(ctx context.Context, m events.SQSMessage) error {
		return errors.New("payment refused")
	}

	ev := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId:      "059f36b4-87a3-44ab-83d2-661975830a7d",
		EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders",
		Attributes:     map[string]string{"AWSTraceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"},
	}}}
	_, _ = batch.New(batch.SQS(), handle, batch.Options{NoBatchError: true, Middleware: []batch.Middleware{mw}}).Handle(context.Background(), ev)
	printSpans(sr)
	// Output:
	// process orders [Error]
	//   cloud.account.id=123456789012
	//   cloud.region=eu-west-1
	//   error.type=*errors.errorString
	//   messaging.batch.message_count=1
	//   messaging.destination.name=orders
	//   messaging.message.id=059f36b4-87a3-44ab-83d2-661975830a7d
	//   messaging.operation.name=process
	//   messaging.operation.type=process
	//   messaging.system=aws_sqs
	//   link trace=5759e988bd862e3fe1be46a994272793 span=53995c3f42cd8ad8
}

// On Kinesis, the partition is the shard, taken from eventID.
func ExampleNew_kinesis() {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	mw := batchotel.New(batchotel.Config{TracerProvider: tp})
	handle := func(ctx context.Context, r events.KinesisEventRecord) error { return nil }

	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{{
		EventID:        "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
		EventSourceArn: "arn:aws:kinesis:us-east-2:123456789012:stream/clicks",
		Kinesis:        events.KinesisRecord{SequenceNumber: "49590338271490256608559692538361571095921575989136588898"},
	}}}
	_, _ = batch.New(batch.Kinesis(), handle, batch.Options{Middleware: []batch.Middleware{mw}}).Handle(context.Background(), ev)
	printSpans(sr)
	// Output:
	// process clicks [Unset]
	//   cloud.account.id=123456789012
	//   cloud.region=us-east-2
	//   messaging.batch.message_count=1
	//   messaging.destination.name=clicks
	//   messaging.destination.partition.id=shardId-000000000006
	//   messaging.message.id=49590338271490256608559692538361571095921575989136588898
	//   messaging.operation.name=process
	//   messaging.operation.type=process
	//   messaging.system=aws.kinesis
}

// On DynamoDB Streams, the destination is the table.
func ExampleNew_dynamoDB() {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	mw := batchotel.New(batchotel.Config{TracerProvider: tp})
	handle := func(ctx context.Context, r events.DynamoDBEventRecord) error { return nil }

	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
		EventSourceArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/users/stream/2024-01-01T00:00:00.000",
		Change:         events.DynamoDBStreamRecord{SequenceNumber: "4421584500000000017450439091"},
	}}}
	_, _ = batch.New(batch.DynamoDB(), handle, batch.Options{Middleware: []batch.Middleware{mw}}).Handle(context.Background(), ev)
	printSpans(sr)
	// Output:
	// process users [Unset]
	//   cloud.account.id=123456789012
	//   cloud.region=eu-west-1
	//   messaging.batch.message_count=1
	//   messaging.destination.name=users
	//   messaging.message.id=4421584500000000017450439091
	//   messaging.operation.name=process
	//   messaging.operation.type=process
	//   messaging.system=aws.dynamodb_streams
}

// On Kafka, a traceparent header links the span to the producer's trace.
func ExampleNew_kafka() {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	mw := batchotel.New(batchotel.Config{TracerProvider: tp})
	handle := func(ctx context.Context, r events.KafkaRecord) error { return nil }

	ev := events.KafkaEvent{Records: map[string][]events.KafkaRecord{
		"payments-0": {{Topic: "payments", Partition: 0, Offset: 42, Headers: []map[string]events.JSONNumberBytes{
			{"traceparent": []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")},
		}}},
	}}
	_, _ = batch.New(batch.Kafka(), handle, batch.Options{Middleware: []batch.Middleware{mw}}).Handle(context.Background(), ev)
	printSpans(sr)
	// Output:
	// process payments [Unset]
	//   messaging.batch.message_count=1
	//   messaging.destination.name=payments
	//   messaging.destination.partition.id=0
	//   messaging.kafka.offset=42
	//   messaging.operation.name=process
	//   messaging.operation.type=process
	//   messaging.system=kafka
	//   link trace=0af7651916cd43dd8448eb211c80319c span=b7ad6b7169203331
}
