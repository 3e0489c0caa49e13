package sqsdelete

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/seed-45ee126e/batch"
)

// Client is the one SQS operation a [Processor] calls. An *sqs.Client, built
// from an aws.Config with sqs.NewFromConfig, satisfies it; so can a fake in
// tests.
type Client interface {
	DeleteMessageBatch(ctx context.Context, params *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

// Defaults used when the matching [Processor] field is zero.
const (
	// DefaultRetries is how many times an entry of DeleteMessageBatch that
	// failed for a transient reason is tried again.
	DefaultRetries = 3

	// DefaultDeleteMargin is the time kept for the deletes before the
	// invocation deadline.
	DefaultDeleteMargin = time.Second

	// DefaultDeleteConcurrency is how many DeleteMessageBatch calls may be
	// in flight at once.
	DefaultDeleteConcurrency = 4
)

// maxEntries is the most entries SQS accepts in one DeleteMessageBatch call.
const maxEntries = 10

// Processor handles SQS batches for a function without
// ReportBatchItemFailures: it deletes the messages that succeeded itself, and
// returns an error so that Lambda returns the others to the queue. Only
// Client is required; the zero value of every other field means the
// documented default.
//
// A Processor is a plain value, copied by every call; one value may serve
// any number of concurrent invocations.
type Processor struct {
	// Batch configures how the handler runs: concurrency, FIFO ordering,
	// SkipGroupOnError, StopOnFirstFailure, the deadline margin and the
	// record timeout (see [batch.Processor]). Its NoBatchError field has no
	// effect here; see SuppressError.
	Batch batch.Processor

	// Client deletes the messages; usually sqs.NewFromConfig(cfg), which
	// takes its region, credentials, endpoint and retry settings from the
	// aws.Config, as [NewFromConfig] sets it. It must not be nil.
	Client Client

	// QueueURL returns the URL of the queue a message came from, given the
	// message's eventSourceARN. It is called once per queue and call.
	// Nil means [QueueURL]; [EndpointQueueURL] suits servers that want URLs
	// of their own.
	QueueURL func(queueARN string) (string, error)

	// SuppressError makes [Processor.SQS] return nil instead of an [*Error].
	// Lambda then deletes the whole batch: the failed messages are lost
	// (the successful ones are deleted first, as usual). A message that
	// could not be deleted does not bring the error back either: returning
	// it would only make Lambda return that message, and the failed ones
	// the caller chose to drop, to the queue, while with nil Lambda deletes
	// it. Use it only when the handler keeps failed messages somewhere
	// itself. [Processor.Process] ignores it: to log what is suppressed,
	// call Process, log its error and return nil.
	SuppressError bool

	// Retries is how many more times a delete is tried after a transient
	// failure: an entry that SQS failed without SenderFault, or a call that
	// failed for another reason than a client fault or the context. The
	// SDK client retries each call on its own too. Zero means
	// [DefaultRetries]; a negative value means no retry.
	Retries int

	// DeleteMargin is the time kept for the deletes: the handler runs
	// under a context whose deadline is this much earlier than the
	// invocation's (and [batch.Processor.DeadlineMargin] applies within
	// it). Zero means [DefaultDeleteMargin]; it is at most half the time
	// left when the call starts. A negative value, or
	// [batch.Processor.IgnoreDeadline], keeps no time. On a standard
	// queue the deletes take about successes/(10*DeleteConcurrency) round
	// trips: raise it, or DeleteConcurrency, for batches of thousands of
	// messages. On a FIFO queue they take one round trip per successful
	// message, or with SkipGroupOnError one per message of the largest
	// group (see the package documentation), each more with retries.
	DeleteMargin time.Duration

	// DeleteConcurrency is how many DeleteMessageBatch calls may be in
	// flight at once. Zero means [DefaultDeleteConcurrency].
	DeleteConcurrency int
}

// NewFromConfig returns a Processor whose Client is
// sqs.NewFromConfig(cfg, optFns...), so that the deletes use cfg's region,
// credentials, endpoint, HTTP client and retry settings, like any SDK client
// built from it; optFns adjust the client's [sqs.Options] as they do for
// sqs.NewFromConfig. Building it makes no network call. Every other field
// is zero, meaning its documented default; set them on the result:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	…
//	proc := sqsdelete.NewFromConfig(cfg)
//	proc.Batch.SkipGroupOnError = true
//
// To share a client with the rest of the function, or pass a fake one in
// tests, set [Processor.Client] instead.
func NewFromConfig(cfg aws.Config, optFns ...func(*sqs.Options)) Processor {
	return Processor{Client: sqs.NewFromConfig(cfg, optFns...)}
}

// SQS is the body of a Lambda handler for an event source mapping without
// ReportBatchItemFailures:
//
//	func handler(ctx context.Context, ev events.SQSEvent) error {
//		return proc.SQS(ctx, ev, handle)
//	}
//
// It runs h over the batch like [batch.Processor.SQS]. If every message
// succeeded, it deletes nothing and returns nil: Lambda deletes the batch.
// Otherwise it deletes the messages that succeeded from their queues and
// returns an [*Error] listing the others, which Lambda then returns to the
// queue (unless [Processor.SuppressError]). It returns [ErrNoClient], without
// handling any message, when Client is nil.
func (p Processor) SQS(ctx context.Context, ev events.SQSEvent, h batch.Handler[events.SQSMessage]) error {
	_, err := p.Process(ctx, ev.Records, h)
	var e *Error
	if p.SuppressError && errors.As(err, &e) {
		return nil
	}
	return err
}

// Process is [Processor.SQS] for callers who want the details: it returns
// the [batch.Report] of the handler's outcome for every message, and the
// error SQS would return, ignoring [Processor.SuppressError]. The messages
// listed in [Error.NotDeleted] are Succeeded in the report.
//
// When Client is nil, no handler runs: every message fails with
// [ErrNoClient] in the report, and the error is ErrNoClient.
func (p Processor) Process(ctx context.Context, records []events.SQSMessage, h batch.Handler[events.SQSMessage]) (*batch.Report[events.SQSMessage], error) {
	src := batch.SQSSource(records)
	if p.Client == nil {
		noClient := func(context.Context, events.SQSMessage) error { return ErrNoClient }
		return batch.Process(ctx, batch.Processor{IgnoreDeadline: true}, records, src, noClient), ErrNoClient
	}

	runCtx, cancel := p.handlerContext(ctx)
	rep := batch.Process(runCtx, p.Batch, records, src, h)
	cancel()

	var (
		failed    []*batch.RecordError
		succeeded = make([]int, 0, rep.Len())
	)
	for i := 0; i < rep.Len(); i++ {
		r := rep.Result(i)
		if r.Outcome == batch.Succeeded {
			succeeded = append(succeeded, i)
			continue
		}
		failed = append(failed, &batch.RecordError{Index: i, ID: r.ID, Err: r.Err})
	}
	if len(failed) == 0 {
		return rep, nil
	}
	return rep, &Error{Failed: failed, NotDeleted: p.deleteMessages(ctx, records, src.FIFO, succeeded)}
}

// handlerContext returns the context the handler runs under: ctx, with a
// deadline DeleteMargin earlier than ctx's, if it has one.
func (p Processor) handlerContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || p.Batch.IgnoreDeadline || p.DeleteMargin < 0 {
		return ctx, func() {}
	}
	margin := p.DeleteMargin
	if margin == 0 {
		margin = DefaultDeleteMargin
	}
	if left := time.Until(dl); margin > left/2 {
		margin = left / 2
	}
	if margin <= 0 {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, dl.Add(-margin))
}
