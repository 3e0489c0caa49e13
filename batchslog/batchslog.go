// Package batchslog logs the records of a batch that fail, with [log/slog].
//
// The middleware logs one line per failed record, naming the record by its
// event source, identifier and position in the batch, with the error (and,
// if asked, the stack of a recovered panic). It never logs the record's
// payload, which may hold personal or secret data. Successful records are not
// logged, and records that never reached the handler (skipped after an
// earlier failure, not started before the deadline, or rejected by the
// source's Check, such as a record from another event source) do not pass
// through middleware at all: read them from the [batch.Report].
//
//	h := batch.Wrap(handle, batchslog.SQS(slog.Default(), batchslog.Options{}))
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
	// DynamoDB) or Kafka topic.
	SourceKey = "event_source"
	// IDKey is the key of the record's identifier, as reported to Lambda.
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

// Middleware returns a middleware that logs each record the handler fails
// to logger, with the record's source and identifier as returned by source
// and id (either may be nil), its position in the batch (see
// [batch.RecordIndex]) and the error. It passes the error on unchanged. A nil
// logger returns a middleware that adds nothing: it hands back the next
// handler itself.
func Middleware[R any](logger *slog.Logger, source, id func(R) string, opts Options) batch.Middleware[R] {
	if logger == nil {
		return func(next batch.Handler[R]) batch.Handler[R] { return next }
	}
	level := opts.Level
	if level == nil {
		level = slog.LevelError
	}
	return func(next batch.Handler[R]) batch.Handler[R] {
		return func(ctx context.Context, rec R) error {
			err := next(ctx, rec)
			if err == nil {
				return nil
			}
			lvl := level.Level()
			if !logger.Enabled(ctx, lvl) {
				return err
			}
			attrs := make([]slog.Attr, 0, 5)
			if source != nil {
				attrs = append(attrs, slog.String(SourceKey, source(rec)))
			}
			if id != nil {
				attrs = append(attrs, slog.String(IDKey, id(rec)))
			}
			if i, _, ok := batch.RecordIndex(ctx); ok {
				attrs = append(attrs, slog.Int(IndexKey, i))
			}
			attrs = append(attrs, slog.Any(ErrorKey, err))
			var pe *batch.PanicError
			if opts.Stack && errors.As(err, &pe) {
				attrs = append(attrs, slog.String(StackKey, string(pe.Stack)))
			}
			logger.LogAttrs(ctx, lvl, Message, attrs...)
			return err
		}
	}
}

// SQS returns the logging middleware for SQS messages: the source is the
// queue's ARN, the identifier the messageId.
func SQS(logger *slog.Logger, opts Options) batch.Middleware[events.SQSMessage] {
	return Middleware(logger,
		func(m events.SQSMessage) string { return m.EventSourceARN },
		func(m events.SQSMessage) string { return m.MessageId },
		opts)
}

// Kinesis returns the logging middleware for Kinesis records: the source is
// the stream's ARN, the identifier the sequence number.
func Kinesis(logger *slog.Logger, opts Options) batch.Middleware[events.KinesisEventRecord] {
	return Middleware(logger,
		func(r events.KinesisEventRecord) string { return r.EventSourceArn },
		func(r events.KinesisEventRecord) string { return r.Kinesis.SequenceNumber },
		opts)
}

// DynamoDB returns the logging middleware for DynamoDB Streams records: the
// source is the stream's ARN, the identifier the sequence number.
func DynamoDB(logger *slog.Logger, opts Options) batch.Middleware[events.DynamoDBEventRecord] {
	return Middleware(logger,
		func(r events.DynamoDBEventRecord) string { return r.EventSourceArn },
		func(r events.DynamoDBEventRecord) string { return r.Change.SequenceNumber },
		opts)
}

// Kafka returns the logging middleware for Kafka records: the source is the
// topic (a record does not carry the cluster's ARN), the identifier
// "<topic>-<partition>@<offset>" as in [batch.KafkaSource].
func Kafka(logger *slog.Logger, opts Options) batch.Middleware[events.KafkaRecord] {
	return Middleware(logger,
		func(r events.KafkaRecord) string { return r.Topic },
		batch.KafkaSource(events.KafkaEvent{}).ID,
		opts)
}
