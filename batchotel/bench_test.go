package batchotel_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchotel"
	"github.com/seed-45ee126e/batch/batchslog"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// discardProcessor ends spans without exporting them, so that the benchmark
// measures span creation and not an exporter.
type discardProcessor struct{}

func (discardProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (discardProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (discardProcessor) Shutdown(context.Context) error                  { return nil }
func (discardProcessor) ForceFlush(context.Context) error                { return nil }

const benchRecords = 100

func benchEvent(traceHeader bool) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, benchRecords)}
	for i := range ev.Records {
		m := events.SQSMessage{
			MessageId:      "msg-" + strconv.Itoa(i),
			Body:           `{"order":1}`,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders",
			Attributes:     map[string]string{"ApproximateReceiveCount": "1"},
		}
		if traceHeader {
			m.Attributes["AWSTraceHeader"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
		}
		ev.Records[i] = m
	}
	return ev
}

// perRecord runs one SQS batch per iteration and reports ns and
// allocations per record.
func perRecord(b *testing.B, ev events.SQSEvent, h wrapped[events.SQSMessage]) {
	b.Helper()
	fn := batch.New(batch.SQS(), h.h, h.opts(batch.Options{NoBatchError: true}))
	ctx := context.Background()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := fn.Handle(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(b.N) * float64(len(ev.Records))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/record")
}

// BenchmarkMiddleware measures the per-record cost of each middleware next
// to the bare handler, in one run: the difference of ns/record between a
// case and "bare" is what the middleware adds.
func BenchmarkMiddleware(b *testing.B) {
	errFail := errors.New("fail")
	ok := func(context.Context, events.SQSMessage) error { return nil }
	failing := func(context.Context, events.SQSMessage) error { return errFail }

	sampled := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(discardProcessor{}))
	unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSpanProcessor(discardProcessor{}))
	defer func() { _ = sampled.Shutdown(context.Background()) }()
	defer func() { _ = unsampled.Shutdown(context.Background()) }()
	otelNoop := batchotel.New(batchotel.Config{TracerProvider: noop.NewTracerProvider()})
	otelSampled := batchotel.New(batchotel.Config{TracerProvider: sampled})
	otelUnsampled := batchotel.New(batchotel.Config{TracerProvider: unsampled})
	logJSON := batchslog.New(slog.New(slog.NewJSONHandler(io.Discard, nil)), batchslog.Options{})

	plain, traced := benchEvent(false), benchEvent(true)
	cases := []struct {
		name string
		ev   events.SQSEvent
		h    wrapped[events.SQSMessage]
	}{
		{"success/bare", plain, wrap(ok)},
		{"success/slog", plain, wrap(ok, logJSON)},
		{"success/otel-noop", plain, wrap(ok, otelNoop)},
		{"success/otel-sdk-unsampled", plain, wrap(ok, otelUnsampled)},
		{"success/otel-sdk-sampled", plain, wrap(ok, otelSampled)},
		{"success/otel-sdk-sampled-xray-link", traced, wrap(ok, otelSampled)},
		{"success/otel-sdk-sampled+slog", plain, wrap(ok, otelSampled, logJSON)},
		{"failure/bare", plain, wrap(failing)},
		{"failure/slog-json-discard", plain, wrap(failing, logJSON)},
		{"failure/otel-noop", plain, wrap(failing, otelNoop)},
		{"failure/otel-sdk-sampled", plain, wrap(failing, otelSampled)},
		{"failure/otel-sdk-sampled+slog", plain, wrap(failing, otelSampled, logJSON)},
	}
	for _, c := range cases {
		c := c
		b.Run(c.name, func(b *testing.B) { perRecord(b, c.ev, c.h) })
	}
}
