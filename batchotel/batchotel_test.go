package batchotel_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchotel"
	"github.com/seed-45ee126e/batch/batchslog"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

const (
	queueARN  = "arn:aws:sqs:eu-west-1:123456789012:orders"
	streamARN = "arn:aws:kinesis:us-east-2:210987654321:stream/clicks"
	tableARN  = "arn:aws:dynamodb:ap-south-1:111122223333:table/users/stream/2024-01-01T00:00:00.000"

	// A producer's context in X-Ray and W3C formats.
	xrayHeader  = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	xrayTraceID = "5759e988bd862e3fe1be46a994272793"
	xraySpanID  = "53995c3f42cd8ad8"
	traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	w3cTraceID  = "0af7651916cd43dd8448eb211c80319c"
	w3cSpanID   = "b7ad6b7169203331"
)

var errBoom = errors.New("boom")

// tracing returns a provider that records spans, and the context of an
// invocation span started with it.
func tracing(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder, context.Context, trace.Span) {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, inv := tp.Tracer("test").Start(context.Background(), "invocation")
	return tp, sr, ctx, inv
}

// recordSpans returns the ended spans other than the invocation's.
func recordSpans(sr *tracetest.SpanRecorder) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.Name() != "invocation" {
			out = append(out, s)
		}
	}
	return out
}

func attrMap(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// checkAttrs reports the wanted attributes that the span lacks or has with
// another value, and the unwanted ones it has.
func checkAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[string]any, absent ...string) {
	t.Helper()
	got := attrMap(s.Attributes())
	for k, v := range want {
		if got[k] != v {
			t.Errorf("span %q: got %s = %v, want %v", s.Name(), k, got[k], v)
		}
	}
	for _, k := range absent {
		if v, ok := got[k]; ok {
			t.Errorf("span %q: got %s = %v, want no such attribute", s.Name(), k, v)
		}
	}
}

func str(s string) *string { return &s }

func TestSQSSpans(t *testing.T) {
	tp, sr, ctx, inv := tracing(t)
	h := wrap(func(_ context.Context, m events.SQSMessage) error {
		switch m.Body {
		case "fail":
			return errBoom
		case "panic":
			panic("exploded")
		}
		return nil
	}, batchotel.New(batchotel.Config{TracerProvider: tp}))
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m0", Body: "ok", EventSource: "aws:sqs", EventSourceARN: queueARN},
		{MessageId: "m1", Body: "fail", EventSource: "aws:sqs", EventSourceARN: queueARN},
		{MessageId: "m2", Body: "panic", EventSource: "aws:sqs", EventSourceARN: queueARN},
	}}
	if _, err := batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(ctx, ev); err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	inv.End()

	spans := recordSpans(sr)
	if len(spans) != 3 {
		t.Fatalf("got %d record spans, want 3", len(spans))
	}
	tests := []struct {
		name       string
		span       sdktrace.ReadOnlySpan
		id         string
		wantStatus codes.Code
		wantErr    string // exception.type of the error event; "" for none
		wantStack  bool
	}{
		{name: "a success leaves the status unset", span: spans[0], id: "m0", wantStatus: codes.Unset},
		{name: "an error sets the status and records the error", span: spans[1], id: "m1", wantStatus: codes.Error, wantErr: "*errors.errorString"},
		{name: "a panic arrives as a PanicError with its stack", span: spans[2], id: "m2", wantStatus: codes.Error, wantErr: "*batch.PanicError", wantStack: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.span
			if got, want := s.Name(), "process orders"; got != want {
				t.Errorf("got name %q, want %q", got, want)
			}
			if got, want := s.SpanKind(), trace.SpanKindConsumer; got != want {
				t.Errorf("got kind %v, want %v", got, want)
			}
			if got, want := s.Parent().SpanID(), inv.SpanContext().SpanID(); got != want {
				t.Errorf("got parent %v, want the invocation span %v", got, want)
			}
			if got, want := s.SpanContext().TraceID(), inv.SpanContext().TraceID(); got != want {
				t.Errorf("got trace %v, want the invocation's %v", got, want)
			}
			if got, want := s.InstrumentationScope().Name, batchotel.ScopeName; got != want {
				t.Errorf("got scope %q, want %q", got, want)
			}
			want := map[string]any{
				"messaging.system":              "aws_sqs",
				"messaging.operation.type":      "process",
				"messaging.operation.name":      "process",
				"messaging.destination.name":    "orders",
				"messaging.message.id":          tt.id,
				"messaging.batch.message_count": int64(3),
				"cloud.region":                  "eu-west-1",
				"cloud.account.id":              "123456789012",
			}
			if tt.wantErr != "" {
				want["error.type"] = tt.wantErr
			}
			checkAttrs(t, s, want)
			if got := s.Status().Code; got != tt.wantStatus {
				t.Errorf("got status %v, want %v", got, tt.wantStatus)
			}
			var exc []sdktrace.Event
			for _, e := range s.Events() {
				if e.Name == "exception" {
					exc = append(exc, e)
				}
			}
			if tt.wantErr == "" {
				if len(exc) != 0 {
					t.Errorf("got %d exception events, want none", len(exc))
				}
				return
			}
			if len(exc) != 1 {
				t.Fatalf("got %d exception events, want 1", len(exc))
			}
			ea := attrMap(exc[0].Attributes)
			if got := ea["exception.type"]; got != tt.wantErr {
				t.Errorf("got exception.type %v, want %v", got, tt.wantErr)
			}
			stack, _ := ea["exception.stacktrace"].(string)
			if got := stack != ""; got != tt.wantStack {
				t.Errorf("got stack present %v, want %v", got, tt.wantStack)
			}
			if tt.wantStack && !strings.Contains(stack, "TestSQSSpans") {
				t.Errorf("got stack %q, want the panicking handler in it", stack)
			}
		})
	}
}

func TestSQSLinks(t *testing.T) {
	type link struct{ trace, span string }
	w3c := map[string]events.SQSMessageAttribute{"traceparent": {DataType: "String", StringValue: str(traceparent)}}
	tests := []struct {
		name  string
		cfg   batchotel.Config
		attrs map[string]string
		mattr map[string]events.SQSMessageAttribute
		want  []link
	}{
		{name: "no producer context gives no link"},
		{
			name:  "AWSTraceHeader gives a link to the X-Ray producer",
			attrs: map[string]string{"AWSTraceHeader": xrayHeader},
			want:  []link{{xrayTraceID, xraySpanID}},
		},
		{
			name:  "fields of the X-Ray header may come in any order, with extra ones",
			attrs: map[string]string{"AWSTraceHeader": "Sampled=0;Lineage=a87bd80c:1|68fd508a:5;Parent=" + xraySpanID + ";Root=1-5759e988-bd862e3fe1be46a994272793"},
			want:  []link{{xrayTraceID, xraySpanID}},
		},
		{
			name:  "a W3C traceparent attribute gives a link with the zero config",
			mattr: w3c,
			want:  []link{{w3cTraceID, w3cSpanID}},
		},
		{
			name:  "a W3C traceparent attribute gives a link with an explicit propagator",
			cfg:   batchotel.Config{Propagator: propagation.TraceContext{}},
			mattr: w3c,
			want:  []link{{w3cTraceID, w3cSpanID}},
		},
		{
			name:  "both formats give two links",
			attrs: map[string]string{"AWSTraceHeader": xrayHeader},
			mattr: w3c,
			want:  []link{{xrayTraceID, xraySpanID}, {w3cTraceID, w3cSpanID}},
		},
		{
			name:  "the same context in both formats gives one link",
			attrs: map[string]string{"AWSTraceHeader": "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1"},
			mattr: w3c,
			want:  []link{{w3cTraceID, w3cSpanID}},
		},
		{
			name:  "a malformed X-Ray header gives no link",
			attrs: map[string]string{"AWSTraceHeader": "Root=1-5759e988-bd862e3f;Parent=53995c3f42cd8ad8"},
		},
		{
			name:  "an X-Ray header without Parent gives no link",
			attrs: map[string]string{"AWSTraceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"},
		},
		{
			name:  "a malformed traceparent gives no link",
			mattr: map[string]events.SQSMessageAttribute{"traceparent": {DataType: "String", StringValue: str("00-zz-b7ad6b7169203331-01")}},
		},
		{
			name:  "a binary traceparent attribute is ignored",
			mattr: map[string]events.SQSMessageAttribute{"traceparent": {DataType: "Binary", BinaryValue: []byte(traceparent)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, sr, ctx, _ := tracing(t)
			cfg := tt.cfg
			cfg.TracerProvider = tp
			h := wrap(func(context.Context, events.SQSMessage) error { return nil }, batchotel.New(cfg))
			ev := events.SQSEvent{Records: []events.SQSMessage{{
				MessageId: "m0", EventSourceARN: queueARN, Attributes: tt.attrs, MessageAttributes: tt.mattr,
			}}}
			if _, err := batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(ctx, ev); err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			spans := recordSpans(sr)
			if len(spans) != 1 {
				t.Fatalf("got %d spans, want 1", len(spans))
			}
			var got []link
			for _, l := range spans[0].Links() {
				if !l.SpanContext.IsRemote() {
					t.Errorf("got a local link context, want a remote one")
				}
				got = append(got, link{l.SpanContext.TraceID().String(), l.SpanContext.SpanID().String()})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got links %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("link %d: got %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestXRaySampledFlag(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   bool
	}{
		{name: "Sampled=1 is sampled", header: xrayHeader, want: true},
		{name: "Sampled=0 is not sampled", header: strings.Replace(xrayHeader, "Sampled=1", "Sampled=0", 1), want: false},
		{name: "a deferred decision is not sampled", header: strings.Replace(xrayHeader, "Sampled=1", "Sampled=?", 1), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, sr, ctx, _ := tracing(t)
			h := wrap(func(context.Context, events.SQSMessage) error { return nil }, batchotel.New(batchotel.Config{TracerProvider: tp}))
			ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0", Attributes: map[string]string{"AWSTraceHeader": tt.header}}}}
			_, _ = batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(ctx, ev)
			links := recordSpans(sr)[0].Links()
			if len(links) != 1 {
				t.Fatalf("got %d links, want 1", len(links))
			}
			if got := links[0].SpanContext.IsSampled(); got != tt.want {
				t.Errorf("got sampled %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStreamSpans(t *testing.T) {
	tests := []struct {
		name      string
		run       func(ctx context.Context, cfg batchotel.Config) error
		wantName  string
		wantAttrs map[string]any
		absent    []string
		wantLinks int
	}{
		{
			name: "kinesis names the stream and the shard",
			run: func(ctx context.Context, cfg batchotel.Config) error {
				ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
					{EventID: "shardId-000000000006:4959", EventSourceArn: streamARN, Kinesis: events.KinesisRecord{SequenceNumber: "4959"}},
					{EventID: "shardId-000000000006:4960", EventSourceArn: streamARN, Kinesis: events.KinesisRecord{SequenceNumber: "4960"}},
				}}
				h := wrap(func(context.Context, events.KinesisEventRecord) error { return nil }, batchotel.New(cfg))
				_, err := batch.New(batch.Kinesis(), h.h, h.opts(batch.Options{})).Handle(ctx, ev)
				return err
			},
			wantName: "process clicks",
			wantAttrs: map[string]any{
				"messaging.system":                   batchotel.SystemKinesis,
				"messaging.operation.type":           "process",
				"messaging.operation.name":           "process",
				"messaging.destination.name":         "clicks",
				"messaging.message.id":               "4959",
				"messaging.destination.partition.id": "shardId-000000000006",
				"messaging.batch.message_count":      int64(2),
				"cloud.region":                       "us-east-2",
				"cloud.account.id":                   "210987654321",
			},
		},
		{
			name: "dynamodb names the table",
			run: func(ctx context.Context, cfg batchotel.Config) error {
				ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
					{EventID: "e1", EventSourceArn: tableARN, Change: events.DynamoDBStreamRecord{SequenceNumber: "111"}},
				}}
				h := wrap(func(context.Context, events.DynamoDBEventRecord) error { return nil }, batchotel.New(cfg))
				_, err := batch.New(batch.DynamoDB(), h.h, h.opts(batch.Options{})).Handle(ctx, ev)
				return err
			},
			wantName: "process users",
			wantAttrs: map[string]any{
				"messaging.system":              batchotel.SystemDynamoDB,
				"messaging.destination.name":    "users",
				"messaging.message.id":          "111",
				"messaging.batch.message_count": int64(1),
				"cloud.region":                  "ap-south-1",
				"cloud.account.id":              "111122223333",
			},
			absent: []string{"messaging.destination.partition.id"},
		},
		{
			name: "kafka names the topic, partition and offset and links to a traceparent header",
			run: func(ctx context.Context, cfg batchotel.Config) error {
				ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
					"payments-3": {{Topic: "payments", Partition: 3, Offset: 17, Headers: []map[string]events.JSONNumberBytes{
						{"other": []byte("x")}, {"traceparent": []byte(traceparent)},
					}}},
				}}
				h := wrap(func(context.Context, events.KafkaRecord) error { return nil }, batchotel.New(cfg))
				_, err := batch.New(batch.Kafka(), h.h, h.opts(batch.Options{})).Handle(ctx, ev)
				return err
			},
			wantName: "process payments",
			wantAttrs: map[string]any{
				"messaging.system":                   "kafka",
				"messaging.destination.name":         "payments",
				"messaging.destination.partition.id": "3",
				"messaging.kafka.offset":             int64(17),
				"messaging.batch.message_count":      int64(1),
			},
			absent:    []string{"messaging.message.id", "cloud.region", "cloud.account.id"},
			wantLinks: 1,
		},
		{
			name: "a record without source ARN gets a bare name and no cloud attributes",
			run: func(ctx context.Context, cfg batchotel.Config) error {
				ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0"}}}
				h := wrap(func(context.Context, events.SQSMessage) error { return nil }, batchotel.New(cfg))
				_, err := batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(ctx, ev)
				return err
			},
			wantName:  "process",
			wantAttrs: map[string]any{"messaging.system": "aws_sqs", "messaging.message.id": "m0"},
			absent:    []string{"messaging.destination.name", "cloud.region", "cloud.account.id"},
		},
		{
			name: "a truncated ARN gives no destination and no cloud attributes",
			run: func(ctx context.Context, cfg batchotel.Config) error {
				ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0", EventSourceARN: "arn:aws:sqs:eu-west-1"}}}
				h := wrap(func(context.Context, events.SQSMessage) error { return nil }, batchotel.New(cfg))
				_, err := batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(ctx, ev)
				return err
			},
			wantName:  "process",
			wantAttrs: map[string]any{"messaging.system": "aws_sqs"},
			absent:    []string{"messaging.destination.name", "cloud.region", "cloud.account.id"},
		},
		{
			name: "a kinesis record without shard in its event id gets no partition",
			run: func(ctx context.Context, cfg batchotel.Config) error {
				ev := events.KinesisEvent{Records: []events.KinesisEventRecord{{EventID: "nocolon", EventSourceArn: streamARN, Kinesis: events.KinesisRecord{SequenceNumber: "1"}}}}
				h := wrap(func(context.Context, events.KinesisEventRecord) error { return nil }, batchotel.New(cfg))
				_, err := batch.New(batch.Kinesis(), h.h, h.opts(batch.Options{})).Handle(ctx, ev)
				return err
			},
			wantName:  "process clicks",
			wantAttrs: map[string]any{"messaging.system": batchotel.SystemKinesis, "messaging.message.id": "1"},
			absent:    []string{"messaging.destination.partition.id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, sr, ctx, inv := tracing(t)
			if err := tt.run(ctx, batchotel.Config{TracerProvider: tp}); err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			spans := recordSpans(sr)
			if len(spans) == 0 {
				t.Fatalf("got no record span, want at least one")
			}
			s := spans[0]
			if s.Name() != tt.wantName {
				t.Errorf("got name %q, want %q", s.Name(), tt.wantName)
			}
			if got, want := s.Parent().SpanID(), inv.SpanContext().SpanID(); got != want {
				t.Errorf("got parent %v, want %v", got, want)
			}
			if got, want := s.SpanKind(), trace.SpanKindConsumer; got != want {
				t.Errorf("got kind %v, want %v", got, want)
			}
			checkAttrs(t, s, tt.wantAttrs, tt.absent...)
			if got := len(s.Links()); got != tt.wantLinks {
				t.Errorf("got %d links, want %d", got, tt.wantLinks)
			}
		})
	}
}

func TestPanicInInnerMiddleware(t *testing.T) {
	tp, sr, ctx, _ := tracing(t)
	panicking := func(batch.RecordFunc) batch.RecordFunc {
		return func(context.Context, batch.Record) error { panic("middleware bug") }
	}
	h := wrap(func(context.Context, events.SQSMessage) error { return nil },
		batchotel.New(batchotel.Config{TracerProvider: tp}), panicking)
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0", EventSourceARN: queueARN}, {MessageId: "m1", EventSourceARN: queueARN}}}
	resp, _ := batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(ctx, ev)
	if got := len(resp.BatchItemFailures); got != 2 {
		t.Errorf("got %d failures, want 2: the panic still fails the record", got)
	}
	spans := recordSpans(sr)
	if len(spans) != 2 {
		t.Fatalf("got %d ended spans, want 2", len(spans))
	}
	for _, s := range spans {
		if s.Status().Code != codes.Error {
			t.Errorf("span %q: got status %v, want Error", s.Name(), s.Status().Code)
		}
	}
}

func TestZeroConfigUsesGlobalProvider(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	defer otel.SetTracerProvider(prev)

	h := wrap(func(context.Context, events.SQSMessage) error { return nil }, batchotel.New(batchotel.Config{}))
	_, _ = batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0"}}})
	if got := len(sr.Ended()); got != 1 {
		t.Errorf("got %d spans from the global provider, want 1", got)
	}
}

// FuzzAWSTraceHeader checks that no header, however malformed, makes the
// middleware panic or fail the record.
func FuzzAWSTraceHeader(f *testing.F) {
	for _, s := range []string{xrayHeader, "", ";", "Root=", "Root=1-;Parent=", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=zz", "a=b=c;;Root"} {
		f.Add(s)
	}
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	h := wrap(func(context.Context, events.SQSMessage) error { return nil }, batchotel.New(batchotel.Config{TracerProvider: tp}))
	f.Fuzz(func(t *testing.T, header string) {
		ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0", Attributes: map[string]string{"AWSTraceHeader": header}}}}
		resp, err := batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(context.Background(), ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Errorf("header %q: got (%v, %v), want the record to succeed", header, resp.BatchItemFailures, err)
		}
	})
}

// recordingSampler samples every span and keeps what it was shown.
type recordingSampler struct {
	params []sdktrace.SamplingParameters
}

func (s *recordingSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	s.params = append(s.params, p)
	return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample}
}

func (s *recordingSampler) Description() string { return "recording" }

func TestSamplerSeesSamplingAttributesAndLinks(t *testing.T) {
	sampler := &recordingSampler{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	h := wrap(func(context.Context, events.SQSMessage) error { return nil }, batchotel.New(batchotel.Config{TracerProvider: tp}))
	ev := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId: "m0", EventSourceARN: queueARN, Attributes: map[string]string{"AWSTraceHeader": xrayHeader},
	}}}
	_, _ = batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(context.Background(), ev)
	if len(sampler.params) != 1 {
		t.Fatalf("got %d sampling decisions, want 1", len(sampler.params))
	}
	p := sampler.params[0]
	if p.Name != "process orders" || p.Kind != trace.SpanKindConsumer {
		t.Errorf("got name %q kind %v, want %q consumer", p.Name, p.Kind, "process orders")
	}
	got := attrMap(p.Attributes)
	for k, v := range map[string]any{"messaging.system": "aws_sqs", "messaging.operation.type": "process", "messaging.destination.name": "orders"} {
		if got[k] != v {
			t.Errorf("got sampler attribute %s = %v, want %v", k, got[k], v)
		}
	}
	if len(p.Links) != 1 || p.Links[0].SpanContext.TraceID().String() != xrayTraceID {
		t.Errorf("got sampler links %v, want the X-Ray producer", p.Links)
	}
}

func TestUnsampledSpanGetsNoLateAttributes(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSpanProcessor(sr))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	called := false
	h := wrap(func(ctx context.Context, _ events.SQSMessage) error {
		called = true
		if trace.SpanFromContext(ctx).IsRecording() {
			t.Errorf("got a recording span under NeverSample, want none")
		}
		return nil
	}, batchotel.New(batchotel.Config{TracerProvider: tp}))
	_, _ = batch.New(batch.SQS(), h.h, h.opts(batch.Options{})).Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0"}}})
	if !called {
		t.Fatalf("got the handler not called, want it called")
	}
	if got := len(sr.Ended()); got != 0 {
		t.Errorf("got %d recorded spans, want 0", got)
	}
}

// spanIDHandler is a slog.Handler that adds the id of the span in the
// context, as an OpenTelemetry log bridge does, and keeps the records.
type spanIDHandler struct {
	ids *[]string
}

func (h spanIDHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h spanIDHandler) Handle(ctx context.Context, _ slog.Record) error {
	*h.ids = append(*h.ids, trace.SpanFromContext(ctx).SpanContext().SpanID().String())
	return nil
}
func (h spanIDHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h spanIDHandler) WithGroup(string) slog.Handler      { return h }

func TestTracingOutsideLoggingTiesLinesToSpans(t *testing.T) {
	tp, sr, ctx, _ := tracing(t)
	var ids []string
	logger := slog.New(spanIDHandler{&ids})
	h := wrap(func(context.Context, events.SQSMessage) error { return errBoom },
		batchotel.New(batchotel.Config{TracerProvider: tp}),
		batchslog.New(logger, batchslog.Options{}))
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0"}, {MessageId: "m1"}}}
	_, _ = batch.New(batch.SQS(), h.h, h.opts(batch.Options{NoBatchError: true})).Handle(ctx, ev)
	spans := recordSpans(sr)
	if len(ids) != 2 || len(spans) != 2 {
		t.Fatalf("got %d log lines and %d spans, want 2 of each", len(ids), len(spans))
	}
	for i, s := range spans {
		if got, want := ids[i], s.SpanContext().SpanID().String(); got != want {
			t.Errorf("line %d: got span id %s, want the record's span %s", i, got, want)
		}
	}
}

// wrapped is a handler and the middleware to run it with, as the tests
// build them.
type wrapped[R any] struct {
	h   func(context.Context, R) error
	mws []batch.Middleware
}

func wrap[R any](h func(context.Context, R) error, mws ...batch.Middleware) wrapped[R] {
	return wrapped[R]{h: h, mws: mws}
}

// opts returns o with the middleware of w.
func (w wrapped[R]) opts(o batch.Options) batch.Options {
	o.Middleware = w.mws
	return o
}

// A record of a type of one's own (batch.Records) gets a span named
// "process" with its identifier as the message id, and a decode error of a
// typed payload fails the span like a handler's error.
func TestRecordsOfOnesOwnAndDecodeErrors(t *testing.T) {
	tp, sr, ctx, _ := tracing(t)
	mw := batchotel.New(batchotel.Config{TracerProvider: tp})
	fn := batch.New(batch.Records(func(s string) string { return s }, nil),
		func(context.Context, string) error { return nil }, batch.Options{Middleware: []batch.Middleware{mw}})
	if _, rep := fn.Process(ctx, []string{"job-1"}); rep.Err != nil {
		t.Fatal(rep.Err)
	}
	typed := batch.New(batch.SQS(), func(context.Context, struct{ N int }) error { return nil },
		batch.Options{NoBatchError: true, Middleware: []batch.Middleware{mw}})
	if _, err := typed.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0", Body: "not json", EventSourceARN: queueARN}}}); err != nil {
		t.Fatal(err)
	}
	spans := recordSpans(sr)
	if len(spans) != 2 {
		t.Fatalf("got %d spans, want 2", len(spans))
	}
	if got := spans[0].Name(); got != "process" {
		t.Errorf("got span name %q, want process", got)
	}
	if got := attrMap(spans[0].Attributes())["messaging.message.id"]; got != "job-1" {
		t.Errorf("got message id %v, want job-1", got)
	}
	if got := spans[1].Status().Code; got != codes.Error {
		t.Errorf("got status %v for a payload that does not decode, want Error", got)
	}
}
