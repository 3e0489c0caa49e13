package batchslog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchslog"
)

const secret = "do-not-log-this-payload"

// logLines decodes the JSON lines a slog.JSONHandler wrote.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func newLogger(buf *bytes.Buffer, min slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: min}))
}

var errBoom = errors.New("boom")

// sqsHandler fails the messages whose body starts with "fail" and panics on
// "panic".
func sqsHandler(_ context.Context, m events.SQSMessage) error {
	switch {
	case strings.HasPrefix(m.Body, "panic"):
		panic("handler exploded")
	case strings.HasPrefix(m.Body, "fail"):
		return errBoom
	}
	return nil
}

func sqsEvent(bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      "m" + string(rune('0'+i)),
			Body:           b + " " + secret,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders",
		})
	}
	return ev
}

func TestSQSLogsFailures(t *testing.T) {
	tests := []struct {
		name      string
		bodies    []string
		opts      batchslog.Options
		min       slog.Level
		wantIDs   []string
		wantIndex []float64
		wantLevel string
		wantStack bool
	}{
		{
			name:   "successes are not logged",
			bodies: []string{"ok", "ok"},
		},
		{
			name:      "each failure is logged at error level by default",
			bodies:    []string{"ok", "fail", "ok", "fail"},
			wantIDs:   []string{"m1", "m3"},
			wantIndex: []float64{1, 3},
			wantLevel: "ERROR",
		},
		{
			name:      "the chosen level is used",
			bodies:    []string{"fail"},
			opts:      batchslog.Options{Level: slog.LevelWarn},
			wantIDs:   []string{"m0"},
			wantIndex: []float64{0},
			wantLevel: "WARN",
		},
		{
			name:   "a level below the handler's minimum logs nothing",
			bodies: []string{"fail"},
			opts:   batchslog.Options{Level: slog.LevelDebug},
		},
		{
			name:      "a panic is logged without its stack by default",
			bodies:    []string{"panic"},
			wantIDs:   []string{"m0"},
			wantIndex: []float64{0},
			wantLevel: "ERROR",
		},
		{
			name:      "a panic is logged with its stack when asked",
			bodies:    []string{"ok", "panic"},
			opts:      batchslog.Options{Stack: true},
			wantIDs:   []string{"m1"},
			wantIndex: []float64{1},
			wantLevel: "ERROR",
			wantStack: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			fn := batch.New(batch.SQS(), sqsHandler, batch.Options{NoBatchError: true,
				Middleware: []batch.Middleware{batchslog.New(newLogger(&buf, tt.min), tt.opts)}})
			if _, err := fn.Handle(context.Background(), sqsEvent(tt.bodies...)); err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if strings.Contains(buf.String(), secret) {
				t.Errorf("got the payload in the log %q, want it never logged", buf.String())
			}
			lines := logLines(t, &buf)
			if len(lines) != len(tt.wantIDs) {
				t.Fatalf("got %d log lines, want %d: %s", len(lines), len(tt.wantIDs), buf.String())
			}
			for i, l := range lines {
				want := map[string]any{
					"msg":               batchslog.Message,
					"level":             tt.wantLevel,
					batchslog.SourceKey: "arn:aws:sqs:eu-west-1:123456789012:orders",
					batchslog.IDKey:     tt.wantIDs[i],
					batchslog.IndexKey:  tt.wantIndex[i],
				}
				for k, v := range want {
					if l[k] != v {
						t.Errorf("line %d: got %s %v, want %v", i, k, l[k], v)
					}
				}
				errText, _ := l[batchslog.ErrorKey].(string)
				if errText == "" {
					t.Errorf("line %d: got no %s attribute, want the handler's error", i, batchslog.ErrorKey)
				}
				stack, hasStack := l[batchslog.StackKey].(string)
				if hasStack != tt.wantStack {
					t.Errorf("line %d: got stack present %v, want %v", i, hasStack, tt.wantStack)
				}
				if tt.wantStack && !strings.Contains(stack, "sqsHandler") {
					t.Errorf("line %d: got stack %q, want it to name the panicking function", i, stack)
				}
			}
		})
	}
}

func TestNilLoggerLogsNothing(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantErr error
	}{
		{name: "an error passes through", err: errBoom, wantErr: errBoom},
		{name: "success passes through", err: nil, wantErr: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := func(context.Context, batch.Record) error { return tt.err }
			h := batchslog.New(nil, batchslog.Options{})(next)
			if got := h(context.Background(), batch.Record{ID: "x"}); !errors.Is(got, tt.wantErr) || (got == nil) != (tt.wantErr == nil) {
				t.Errorf("got %v, want %v", got, tt.wantErr)
			}
		})
	}
}

// Records of a type of one's own (batch.Records) are logged with their
// identifier and index, and without an event source, which they lack.
func TestMiddlewareReturnsTheError(t *testing.T) {
	var buf bytes.Buffer
	fn := batch.New(batch.Records(func(s string) string { return s }, nil),
		func(context.Context, string) error { return errBoom },
		batch.Options{NoBatchError: true, Middleware: []batch.Middleware{batchslog.New(newLogger(&buf, slog.LevelInfo), batchslog.Options{})}})
	_, rep := fn.Process(context.Background(), []string{"id-0", "id-1"})
	if got := rep.Results[1].Err; got != errBoom {
		t.Errorf("got %v, want %v unchanged", got, errBoom)
	}
	lines := logLines(t, &buf)
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(lines))
	}
	if got := lines[1][batchslog.IndexKey]; got != float64(1) {
		t.Errorf("got index %v, want 1", got)
	}
	if _, ok := lines[1][batchslog.SourceKey]; ok {
		t.Errorf("got a source for a record of one's own, want none")
	}
	if got := lines[1][batchslog.IDKey]; got != "id-1" {
		t.Errorf("got id %v, want id-1", got)
	}
}

// A payload that does not decode is logged like a handler's error: the
// middleware runs around the decoding.
func TestDecodeErrorsAreLogged(t *testing.T) {
	var buf bytes.Buffer
	fn := batch.New(batch.SQS(), func(context.Context, struct{ N int }) error { return nil },
		batch.Options{NoBatchError: true, Middleware: []batch.Middleware{batchslog.New(newLogger(&buf, slog.LevelInfo), batchslog.Options{})}})
	if _, err := fn.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m0", Body: "not json " + secret}}}); err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	lines := logLines(t, &buf)
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1", len(lines))
	}
	if got, _ := lines[0][batchslog.ErrorKey].(string); !strings.Contains(got, "cannot decode body") {
		t.Errorf("got error %q, want the decode error", got)
	}
	if strings.Contains(buf.String(), "not json") {
		t.Errorf("got the payload in the log %q, want it never logged", buf.String())
	}
}

// withLog is the Options of a Function that logs to l and returns no
// BatchError.
func withLog(l *slog.Logger) batch.Options {
	return batch.Options{NoBatchError: true, Middleware: []batch.Middleware{batchslog.New(l, batchslog.Options{})}}
}

func TestSourcesNameTheirRecords(t *testing.T) {
	fail := func(context.Context) error { return errBoom }
	tests := []struct {
		name       string
		run        func(l *slog.Logger) error
		wantSource string
		wantID     string
	}{
		{
			name: "kinesis uses the stream ARN and the sequence number",
			run: func(l *slog.Logger) error {
				ev := events.KinesisEvent{Records: []events.KinesisEventRecord{{
					EventSource:    "aws:kinesis",
					EventSourceArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks",
					Kinesis:        events.KinesisRecord{SequenceNumber: "4955", Data: []byte(secret)},
				}}}
				fn := batch.New(batch.Kinesis(), func(ctx context.Context, _ events.KinesisEventRecord) error { return fail(ctx) }, withLog(l))
				_, err := fn.Handle(context.Background(), ev)
				return err
			},
			wantSource: "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks",
			wantID:     "4955",
		},
		{
			name: "dynamodb uses the stream ARN and the sequence number",
			run: func(l *slog.Logger) error {
				ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
					EventSource:    "aws:dynamodb",
					EventSourceArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/users/stream/2024-01-01T00:00:00.000",
					Change: events.DynamoDBStreamRecord{SequenceNumber: "111", NewImage: map[string]events.DynamoDBAttributeValue{
						"secret": events.NewStringAttribute(secret),
					}},
				}}}
				fn := batch.New(batch.DynamoDB(), func(ctx context.Context, _ events.DynamoDBEventRecord) error { return fail(ctx) }, withLog(l))
				_, err := fn.Handle(context.Background(), ev)
				return err
			},
			wantSource: "arn:aws:dynamodb:eu-west-1:123456789012:table/users/stream/2024-01-01T00:00:00.000",
			wantID:     "111",
		},
		{
			name: "kafka uses the topic and topic-partition@offset",
			run: func(l *slog.Logger) error {
				ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
					"payments-2": {{Topic: "payments", Partition: 2, Offset: 17, Value: secret}},
				}}
				fn := batch.New(batch.Kafka(), func(ctx context.Context, _ events.KafkaRecord) error { return fail(ctx) }, withLog(l))
				_, err := fn.Handle(context.Background(), ev)
				return err
			},
			wantSource: "payments",
			wantID:     "payments-2@17",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.run(newLogger(&buf, slog.LevelInfo)); err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if strings.Contains(buf.String(), secret) {
				t.Errorf("got the payload in the log %q, want it never logged", buf.String())
			}
			lines := logLines(t, &buf)
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1", len(lines))
			}
			if got := lines[0][batchslog.SourceKey]; got != tt.wantSource {
				t.Errorf("got source %v, want %v", got, tt.wantSource)
			}
			if got := lines[0][batchslog.IDKey]; got != tt.wantID {
				t.Errorf("got id %v, want %v", got, tt.wantID)
			}
		})
	}
}

func TestLevelVarChangesAtRunTime(t *testing.T) {
	var buf bytes.Buffer
	var lv slog.LevelVar
	lv.Set(slog.LevelDebug)
	fn := batch.New(batch.SQS(), sqsHandler, batch.Options{NoBatchError: true,
		Middleware: []batch.Middleware{batchslog.New(newLogger(&buf, slog.LevelInfo), batchslog.Options{Level: &lv})}})
	ev := sqsEvent("fail")
	_, _ = fn.Handle(context.Background(), ev)
	if got := len(logLines(t, &buf)); got != 0 {
		t.Fatalf("got %d lines at debug, want 0", got)
	}
	lv.Set(slog.LevelError)
	_, _ = fn.Handle(context.Background(), ev)
	if got := len(logLines(t, &buf)); got != 1 {
		t.Errorf("got %d lines after raising the level, want 1", got)
	}
}
