package batchslog_test

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
	"github.com/seed-45ee126e/batch/batchslog"
)

// perRecord runs one SQS batch per iteration and reports ns and
// allocations per record.
func perRecord(b *testing.B, ev events.SQSEvent, h func(context.Context, events.SQSMessage) error, mw batch.Middleware) {
	b.Helper()
	opts := batch.Options{NoBatchError: true}
	if mw != nil {
		opts.Middleware = []batch.Middleware{mw}
	}
	fn := batch.New(batch.SQS(), h, opts)
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

// BenchmarkMiddleware measures the logging middleware next to the bare
// handler in one run, on a batch of 100 SQS messages: on success it only
// passes the call on; on failure it writes one line, here with a JSON
// handler to io.Discard, or is disabled by the level.
func BenchmarkMiddleware(b *testing.B) {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 100)}
	for i := range ev.Records {
		ev.Records[i] = events.SQSMessage{
			MessageId:      "msg-" + strconv.Itoa(i),
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders",
		}
	}
	errFail := errors.New("fail")
	ok := func(context.Context, events.SQSMessage) error { return nil }
	failing := func(context.Context, events.SQSMessage) error { return errFail }
	jsonLog := slog.New(slog.NewJSONHandler(io.Discard, nil))
	textLog := slog.New(slog.NewTextHandler(io.Discard, nil))

	cases := []struct {
		name string
		h    func(context.Context, events.SQSMessage) error
		mw   batch.Middleware
	}{
		{"success/bare", ok, nil},
		{"success/slog", ok, batchslog.New(jsonLog, batchslog.Options{})},
		{"failure/bare", failing, nil},
		{"failure/slog-json", failing, batchslog.New(jsonLog, batchslog.Options{})},
		{"failure/slog-text", failing, batchslog.New(textLog, batchslog.Options{})},
		{"failure/slog-level-disabled", failing, batchslog.New(jsonLog, batchslog.Options{Level: slog.LevelDebug})},
		{"failure/slog-nil-logger", failing, batchslog.New(nil, batchslog.Options{})},
	}
	for _, c := range cases {
		c := c
		b.Run(c.name, func(b *testing.B) { perRecord(b, ev, c.h, c.mw) })
	}
}
