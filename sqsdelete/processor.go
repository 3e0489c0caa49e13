package sqsdelete

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/seed-45ee126e/batch"
)

// Client is the one SQS operation a [Function] calls. An *sqs.Client, built
// from an aws.Config with sqs.NewFromConfig, satisfies it; so can a fake in
// tests.
type Client interface {
	DeleteMessageBatch(ctx context.Context, params *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

// Defaults used when the matching [Config] field is zero.
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

// Config configures the deletes of a [Function]. Only Client is required;
// the zero value of every other field means the documented default, and a
// negative number means none (no retry, no time kept).
type Config struct {
	// Client deletes the messages; usually sqs.NewFromConfig(cfg), which
	// takes its region, credentials, endpoint and retry settings from the
	// aws.Config. It must not be nil.
	Client Client

	// QueueURL returns the URL of the queue a message came from, given the
	// message's eventSourceARN. It is called once per queue and call.
	// Nil means [QueueURL]; [EndpointQueueURL] suits servers that want URLs
	// of their own.
	QueueURL func(queueARN string) (string, error)

	// SuppressError makes the Function return nil instead of an [*Error].
	// Lambda then deletes the whole batch: the failed messages are lost
	// (the successful ones are deleted first, as usual). A message that
	// could not be deleted does not bring the error back either: returning
	// it would only make Lambda return that message, and the failed ones
	// the caller chose to drop, to the queue, while with nil Lambda deletes
	// it. Use it only when the handler keeps failed messages somewhere
	// itself. [Function.Process] ignores it: to log what is suppressed,
	// call Process, log its error and return nil.
	SuppressError bool

	// Retries is how many more times a delete is tried after a transient
	// failure: an entry that SQS failed without SenderFault, or a call that
	// failed for another reason than a client fault or the context. The
	// SDK client retries each call on its own too. Zero means
	// [DefaultRetries]; negative, no retry.
	Retries int

	// DeleteMargin is the time kept for the deletes: the handler runs as if
	// the invocation's deadline came this much earlier
	// ([batch.Options.Reserve]), and [batch.Options.DeadlineMargin] applies
	// within it. Zero means [DefaultDeleteMargin]; negative keeps no time;
	// it is at most half the time left when the call starts. On a standard
	// queue the deletes take about successes/(10*DeleteConcurrency) round
	// trips: raise it, or DeleteConcurrency, for batches of thousands of
	// messages. On a FIFO queue they take as many rounds as the largest
	// message group has messages to delete (see the package
	// documentation), each more with retries.
	DeleteMargin time.Duration

	// DeleteConcurrency is how many DeleteMessageBatch calls may be in
	// flight at once. Zero means [DefaultDeleteConcurrency]; negative, no
	// limit.
	DeleteConcurrency int
}

// Function is a Lambda function for an SQS event source mapping without
// ReportBatchItemFailures: it runs the handler over the batch with the
// engine of package batch, deletes the messages that succeeded itself, and
// returns an [*Error] naming the others, so that Lambda returns only those
// to the queue. [New] builds it; it implements lambda.Handler and serves
// any number of concurrent invocations.
type Function struct {
	fn  *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse]
	cfg Config
}

// New returns the Function that handles each message with h, as
// [batch.New] does with [batch.SQS] and o (h takes an events.SQSMessage,
// or any type its body decodes into), and deletes the messages that
// succeeded with cfg.Client:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	…
//	fn := sqsdelete.New(sqsdelete.Config{Client: sqs.NewFromConfig(cfg)}, handle, batch.Options{})
//	lambda.Start(fn)
//
// o.Reserve is set to cfg's DeleteMargin unless o sets a larger one. New
// panics, as batch.New does, if h is nil, and if cfg.Client is nil.
func New[T any](cfg Config, h func(ctx context.Context, v T) error, o batch.Options) *Function {
	if cfg.Client == nil {
		panic("sqsdelete: New: Config.Client is nil")
	}
	margin := cfg.DeleteMargin
	if margin == 0 {
		margin = DefaultDeleteMargin
	}
	if margin > o.Reserve {
		o.Reserve = margin
	}
	return &Function{fn: batch.New(batch.SQS(), h, o), cfg: cfg}
}

// errUnbuilt is returned by a Function that New did not build.
var errUnbuilt = errors.New("sqsdelete: Function used without New")

// Invoke handles one invocation, the event as Lambda sends it: it returns
// the JSON null when every message succeeded or [Config.SuppressError] is
// set, and otherwise the error of [Function.Handle], which makes Lambda
// return the batch to the queue. The event is decoded with encoding/json.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, &batch.EventError{Source: "SQS", Err: err}
	}
	if err := f.Handle(ctx, ev); err != nil {
		return nil, err
	}
	return []byte("null"), nil
}

// Handle is the body of a Lambda handler of your own:
//
//	func handler(ctx context.Context, ev events.SQSEvent) error {
//		return fn.Handle(ctx, ev)
//	}
//
// If every message succeeded, it deletes nothing and returns nil: Lambda
// deletes the batch. Otherwise it deletes the messages that succeeded from
// their queues and returns an [*Error] listing the others, which Lambda
// then returns to the queue (unless [Config.SuppressError]). An event that
// is not an SQS event is a [*batch.EventError], and nothing runs.
func (f *Function) Handle(ctx context.Context, ev events.SQSEvent) error {
	_, err := f.Process(ctx, ev)
	var e *Error
	if err != errUnbuilt && f.cfg.SuppressError && errors.As(err, &e) {
		return nil
	}
	return err
}

// Process is [Function.Handle] for callers who want the details: it
// returns the [batch.Report] of the handler's outcome for every message,
// and the error Handle would return, ignoring [Config.SuppressError]. The
// messages listed in [Error.NotDeleted] are Succeeded in the report.
func (f *Function) Process(ctx context.Context, ev events.SQSEvent) (*batch.Report[events.SQSMessage], error) {
	if f == nil || f.fn == nil {
		return &batch.Report[events.SQSMessage]{Err: errUnbuilt}, errUnbuilt
	}
	_, rep := f.fn.Process(ctx, ev)
	if len(rep.Results) == 0 && rep.Err != nil {
		// Nothing ran (an event of another service, say): Lambda must not
		// delete the batch.
		return rep, rep.Err
	}
	var (
		failed    []*batch.RecordError
		succeeded = make([]int, 0, len(rep.Results))
	)
	for i, r := range rep.Results {
		if r.Outcome == batch.Succeeded {
			succeeded = append(succeeded, i)
			continue
		}
		failed = append(failed, &batch.RecordError{Index: i, ID: r.ID, Err: r.Err})
	}
	if len(failed) == 0 {
		return rep, nil
	}
	return rep, &Error{Failed: failed, NotDeleted: f.deleteMessages(ctx, rep.Results, succeeded)}
}
