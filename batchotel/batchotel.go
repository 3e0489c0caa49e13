package batchotel

import (
	"context"
	"errors"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer the middleware uses.
const ScopeName = "github.com/seed-45ee126e/batch/batchotel"

// Values of messaging.system for the sources the semantic conventions do not
// name.
const (
	// SystemKinesis is the messaging.system of Kinesis Data Streams records.
	SystemKinesis = "aws.kinesis"
	// SystemDynamoDB is the messaging.system of DynamoDB Streams records.
	SystemDynamoDB = "aws.dynamodb_streams"
)

// Config configures the tracing middleware. The zero value uses the global
// tracer provider and propagator.
type Config struct {
	// TracerProvider provides the tracer; nil means [otel.GetTracerProvider],
	// looked up when the middleware is built (the global provider forwards
	// to one installed later with [otel.SetTracerProvider]).
	TracerProvider trace.TracerProvider

	// Propagator extracts the producer's trace context from SQS message
	// attributes and Kafka headers; nil means [otel.GetTextMapPropagator],
	// read for each record. A W3C traceparent is recognized even when the
	// propagator finds nothing (the global one does nothing until set). The
	// AWSTraceHeader of SQS messages is always read, in X-Ray format.
	Propagator propagation.TextMapPropagator
}

// record is what the middleware knows of one record. Strings left empty
// give no attribute.
type record struct {
	system      string // messaging.system
	destination string // queue, stream, table or topic name
	arn         string // event source ARN, for the cloud attributes
	messageID   string
	partition   string // shard or partition id
	offset      int64  // Kafka offset, when hasOffset
	hasOffset   bool
	links       []trace.Link
	batchSize   int // records in the batch, 0 when unknown
}

// New returns the tracing middleware. It serves every source: what it
// knows of a record (destination, message id, partition, links to the
// producer's trace) depends on the record's type, and a record of a type
// of one's own ([batch.Records]) gets a span named "process" with its
// identifier.
//
// The span starts with the attributes a sampler may look at (system,
// operation, destination) and the links; the others are set only when the
// span is recording, so that an unsampled or no-op span costs little.
func New(cfg Config) batch.Middleware {
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	tracer := tp.Tracer(ScopeName)
	var starts startCache
	return func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, rec batch.Record) (err error) {
			r := describe(&cfg, rec)
			st := starts.get(r.system, r.destination)
			opts := st.opts
			if len(r.links) > 0 {
				opts = append(opts[:len(opts):len(opts)], trace.WithLinks(r.links...))
			}
			ctx, span := tracer.Start(ctx, st.name, opts...)
			if span.IsRecording() {
				span.SetAttributes(r.attributes()...)
			}
			returned := false // panic(nil) recovers as nil under GODEBUG=panicnil=1
			defer func() {
				if !returned {
					// A middleware inside this one panicked (the handler's
					// own panics arrive as errors): record it, end the span,
					// and let the panic go on to the engine.
					v := recover()
					fail(span, &batch.PanicError{Value: v, Stack: debug.Stack()})
					span.End()
					panic(v)
				}
				if err != nil {
					fail(span, err)
				}
				span.End()
			}()
			err = next(ctx, rec)
			returned = true
			return err
		}
	}
}

// describe tells what the middleware knows of a record, by its type.
func describe(cfg *Config, rec batch.Record) record {
	var r record
	switch v := rec.Value.(type) {
	case *events.SQSMessage:
		r = sqsRecord(cfg, v)
	case *events.KinesisEventRecord:
		r = kinesisRecord(v)
	case *events.DynamoDBEventRecord:
		r = dynamoDBRecord(v)
	case *events.KafkaRecord:
		r = kafkaRecord(cfg, v)
	default:
		r.messageID = rec.ID
	}
	r.batchSize = rec.BatchSize
	return r
}

// Attributes of the current messaging conventions that the semconv package
// of the OpenTelemetry version this module is pinned to (v1.26.0) does not
// have yet: messaging.operation.name is required on messaging spans, and
// messaging.kafka.message.offset was renamed messaging.kafka.offset.
var (
	operationName  = attribute.String("messaging.operation.name", "process")
	kafkaOffsetKey = attribute.Key("messaging.kafka.offset")
)

// start is the name and start options of the spans of one destination.
// It is shared by concurrent records and never modified.
type start struct {
	system, destination string
	name                string
	opts                []trace.SpanStartOption
}

// startCache remembers the start of the last destination seen: the records
// of a batch share their destination, so they share one start and build
// neither name nor options. It is safe for concurrent use.
type startCache struct {
	last atomic.Pointer[start]
}

// get returns the start for system and destination.
func (c *startCache) get(system, destination string) *start {
	if st := c.last.Load(); st != nil && st.destination == destination && st.system == system {
		return st
	}
	attrs := []attribute.KeyValue{semconv.MessagingSystemKey.String(system), semconv.MessagingOperationTypeDeliver, operationName}
	name := "process"
	if destination != "" {
		name = "process " + destination
		attrs = append(attrs, semconv.MessagingDestinationName(destination))
	}
	st := &start{
		system:      system,
		destination: destination,
		name:        name,
		opts:        []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...)},
	}
	c.last.Store(st)
	return st
}

// attributes returns the attributes of the record's span that are not set
// at its start.
func (r *record) attributes() []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 7)
	if r.messageID != "" {
		attrs = append(attrs, semconv.MessagingMessageID(r.messageID))
	}
	if r.partition != "" {
		attrs = append(attrs, semconv.MessagingDestinationPartitionID(r.partition))
	}
	if r.hasOffset {
		attrs = append(attrs, kafkaOffsetKey.Int64(r.offset))
	}
	if r.batchSize > 0 {
		attrs = append(attrs, semconv.MessagingBatchMessageCount(r.batchSize))
	}
	if region, account := arnRegionAccount(r.arn); region != "" {
		attrs = append(attrs, semconv.CloudRegion(region), semconv.CloudAccountID(account))
	}
	return attrs
}

// fail records err on span and gives the span the status Error.
func fail(span trace.Span, err error) {
	if !span.IsRecording() {
		return
	}
	var opts []trace.EventOption
	var pe *batch.PanicError
	if errors.As(err, &pe) && len(pe.Stack) > 0 {
		opts = append(opts, trace.WithAttributes(semconv.ExceptionStacktrace(string(pe.Stack))))
	}
	span.RecordError(err, opts...)
	span.SetStatus(codes.Error, err.Error())
	span.SetAttributes(semconv.ErrorTypeKey.String(reflect.TypeOf(err).String()))
}

// sqsRecord describes an SQS message. The destination is the queue's name,
// taken from eventSourceARN; the span links to the producer's context found
// in the AWSTraceHeader attribute and in the message attributes.
func sqsRecord(cfg *Config, m *events.SQSMessage) record {
	r := record{
		system:      semconv.MessagingSystemAWSSqs.Value.AsString(),
		arn:         m.EventSourceARN,
		destination: arnResource(m.EventSourceARN),
		messageID:   m.MessageId,
	}
	if h := m.Attributes["AWSTraceHeader"]; h != "" {
		if sc, ok := parseXRay(h); ok {
			r.links = append(r.links, trace.Link{SpanContext: sc})
		}
	}
	if len(m.MessageAttributes) > 0 {
		r.addLink(cfg.Propagator, sqsCarrier(m.MessageAttributes))
	}
	return r
}

// kinesisRecord describes a Kinesis record. The destination is the stream's
// name, taken from eventSourceARN; the message id is the sequence number and
// the partition id the shard, taken from eventID.
func kinesisRecord(rec *events.KinesisEventRecord) record {
	shard, _, ok := strings.Cut(rec.EventID, ":")
	if !ok {
		shard = ""
	}
	return record{
		system:      SystemKinesis,
		arn:         rec.EventSourceArn,
		destination: strings.TrimPrefix(arnResource(rec.EventSourceArn), "stream/"),
		messageID:   rec.Kinesis.SequenceNumber,
		partition:   shard,
	}
}

// dynamoDBRecord describes a DynamoDB Streams record. The destination is the
// table's name, taken from eventSourceARN; the message id is the sequence
// number.
func dynamoDBRecord(rec *events.DynamoDBEventRecord) record {
	table, _, _ := strings.Cut(strings.TrimPrefix(arnResource(rec.EventSourceArn), "table/"), "/")
	return record{
		system:      SystemDynamoDB,
		arn:         rec.EventSourceArn,
		destination: table,
		messageID:   rec.Change.SequenceNumber,
	}
}

// kafkaRecord describes a Kafka record. The destination is the topic; the
// partition and offset are attributes; the span links to the producer's
// context found in the record's headers. A Kafka record carries no ARN, so
// the span has no cloud attributes.
func kafkaRecord(cfg *Config, rec *events.KafkaRecord) record {
	r := record{
		system:      semconv.MessagingSystemKafka.Value.AsString(),
		destination: rec.Topic,
		partition:   strconv.FormatInt(rec.Partition, 10),
		offset:      rec.Offset,
		hasOffset:   true,
	}
	if len(rec.Headers) > 0 {
		r.addLink(cfg.Propagator, &kafkaCarrier{rec.Headers})
	}
	return r
}

// addLink adds a link to the span context that prop (or, failing it, W3C
// trace context) extracts from carrier, unless it is invalid or already
// linked.
func (r *record) addLink(prop propagation.TextMapPropagator, carrier propagation.TextMapCarrier) {
	if prop == nil {
		prop = otel.GetTextMapPropagator()
	}
	sc := trace.SpanContextFromContext(prop.Extract(context.Background(), carrier))
	if !sc.IsValid() && carrier.Get("traceparent") != "" {
		sc = trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), carrier))
	}
	if !sc.IsValid() {
		return
	}
	for _, l := range r.links {
		if l.SpanContext.Equal(sc) {
			return
		}
	}
	r.links = append(r.links, trace.Link{SpanContext: sc})
}

// arnResource returns the resource part of an ARN
// (arn:partition:service:region:account:resource), or "".
func arnResource(arn string) string {
	rest := arn
	for i := 0; i < 5; i++ {
		var ok bool
		if _, rest, ok = strings.Cut(rest, ":"); !ok {
			return ""
		}
	}
	return rest
}

// arnRegionAccount returns the region and account of an ARN, or "", "".
func arnRegionAccount(arn string) (region, account string) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", ""
	}
	if _, rest, ok = strings.Cut(rest, ":"); !ok { // partition
		return "", ""
	}
	if _, rest, ok = strings.Cut(rest, ":"); !ok { // service
		return "", ""
	}
	if region, rest, ok = strings.Cut(rest, ":"); !ok {
		return "", ""
	}
	if account, _, ok = strings.Cut(rest, ":"); !ok || region == "" {
		return "", ""
	}
	return region, account
}

// sqsCarrier reads the string message attributes of an SQS message.
type sqsCarrier map[string]events.SQSMessageAttribute

func (c sqsCarrier) Get(key string) string {
	if a, ok := c[key]; ok && a.StringValue != nil {
		return *a.StringValue
	}
	return ""
}

func (c sqsCarrier) Set(string, string) {}

func (c sqsCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// kafkaCarrier reads the headers of a Kafka record; the first header with a
// key wins.
type kafkaCarrier struct {
	headers []map[string]events.JSONNumberBytes
}

func (c *kafkaCarrier) Get(key string) string {
	for _, h := range c.headers {
		if v, ok := h[key]; ok {
			return string(v)
		}
	}
	return ""
}

func (c *kafkaCarrier) Set(string, string) {}

func (c *kafkaCarrier) Keys() []string {
	var keys []string
	for _, h := range c.headers {
		for k := range h {
			keys = append(keys, k)
		}
	}
	return keys
}
