// Package batchslog logs the records of a batch that fail, with [log/slog].
//
// The middleware logs one line per failed record, naming the record by its
// event source, identifier and position in the batch, with the error (and,
// if asked, the stack of a recovered panic). It never logs the record's
// payload, which may hold personal or secret data. Successful records are
// not logged. A payload that does not decode or validate is logged like a
// handler's error; records that never started (skipped after an earlier
// failure, not started before the deadline) do not pass through middleware
// at all: read them from the [batch.Report]. The same middleware serves
// every source:
//
//	fn := batch.New(batch.SQS(), handle, batch.Options{
//		Middleware: []batch.Middleware{batchslog.New(slog.Default(), batchslog.Options{})},
//	})
//
// The logger receives the record's context, so a [slog.Handler] that copies
// trace identifiers from the context into the log record (an OpenTelemetry
// bridge) ties each line to the record's span when the tracing middleware
// runs outside this one.
package batchslog

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// Message is the message of every line the middleware logs.
const Message = "batch: record failed"

// Keys of the attributes of a logged failure.
const (
	// SourceKey is the key of the record's event source ARN (SQS, Kinesis,
	// DynamoDB) or Kafka topic; records of [batch.Records] have none.
	SourceKey = "event_source"
	// IDKey is the key of the record's identifier, as reported to Lambda
	// (Kafka: "<topic>-<partition>@<offset>").
	IDKey = "record_id"
	// IndexKey is the key of the record's position in the batch, from 0.
	IndexKey = "record_index"
	// ErrorKey is the key of the error the handler returned.
	ErrorKey = "error"
	// StackKey is the key of the stack of a recovered panic, logged with
	// [Options.Stack].
	StackKey = "panic_stack"
)

// Options configures the logging middleware. The zero value logs failures at
// [slog.LevelError] without panic stacks.
type Options struct {
	// Level is the level failures are logged at; nil means
	// [slog.LevelError]. It is read at each failure, so a [*slog.LevelVar]
	// may change it at run time.
	Level slog.Leveler

	// Stack adds, when the handler panicked, the panic's stack under
	// [StackKey].
	Stack bool
}

// New returns a middleware that logs each record that fails to logger,
// with the record's event source (see [SourceKey]), identifier and
// position in the batch, and the error. It passes the error on unchanged.
// A nil logger returns a middleware that adds nothing: it hands back the
// next function itself.
func New(logger *slog.Logger, opts Options) batch.Middleware {
	if logger == nil {
		return func(next batch.RecordFunc) batch.RecordFunc { return next }
	}
	level := opts.Level
	if level == nil {
		level = slog.LevelError
	}
	return func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, r batch.Record) error {
			err := next(ctx, r)
			if err == nil {
				return nil
			}
			lvl := level.Level()
			if !logger.Enabled(ctx, lvl) {
				return err
			}
			attrs := make([]slog.Attr, 0, 5)
			if src := source(r.Value); src != "" {
				attrs = append(attrs, slog.String(SourceKey, src))
			}
			if r.ID != "" {
				attrs = append(attrs, slog.String(IDKey, r.ID))
			}
			attrs = append(attrs, slog.Int(IndexKey, r.Index), slog.Any(ErrorKey, err))
			var pe *batch.PanicError
			if opts.Stack && errors.As(err, &pe) {
				attrs = append(attrs, slog.String(StackKey, string(pe.Stack)))
			}
			logger.LogAttrs(ctx, lvl, Message, attrs...)
			return err
		}
	}
}

// source returns the event source of a record: the ARN of its queue,
// stream or table, or the topic of a Kafka record (which does not carry
// the cluster's ARN); "" for a record of another type.
func source(v any) string {
	switch r := v.(type) {
	case *events.SQSMessage:
		return r.EventSourceARN
	case *events.KinesisEventRecord:
		return r.EventSourceArn
	case *events.DynamoDBEventRecord:
		return r.EventSourceArn
	case *events.KafkaRecord:
		return r.Topic
	}
	return ""
}
