package batch

import (
	"context"
	"time"
)

// DefaultDeadlineMargin is the time kept free before the invocation deadline
// when [Options.DeadlineMargin] is zero.
const DefaultDeadlineMargin = 500 * time.Millisecond

// Options configures a [Function]. The zero value is ready to use and
// means: records handled one at a time in input order, a FIFO queue's
// batch stopped at its first failure, the invocation deadline respected
// with [DefaultDeadlineMargin], and a [*BatchError] when every record
// failed.
//
// Throughout, zero means the documented default and a negative number
// means "no limit" or "off": Concurrency < 0 starts a goroutine per record,
// DeadlineMargin < 0 turns deadline handling off, RecordTimeout < 0 (like
// 0) sets no timeout.
//
// [New] copies the Options: changing them afterwards changes nothing for
// the Function.
type Options struct {
	// Concurrency is how many records may be handled at the same time.
	// 0 and 1 mean one at a time, in input order. n > 1 means at most n
	// goroutines, never more than there are records (or ordering groups).
	// A negative value means one goroutine per record (or per group). When
	// the context has a deadline (always, in Lambda) and deadline handling
	// is on, the work runs on one more goroutine, so that the calling one
	// can watch the deadline and return in time.
	//
	// Records that must stay in order are never handled at the same time:
	// the records of one FIFO message group, of one Kinesis partition key,
	// of one DynamoDB item, of one Kafka topic-partition, of one key of
	// [Records]. A FIFO batch without SkipGroupOnError, and any batch with
	// StopOnFirstFailure, is handled one record at a time whatever
	// Concurrency says, because a failure must stop everything after it.
	Concurrency int

	// FIFO treats every SQS batch as coming from a FIFO queue, even when no
	// eventSourceARN ends in ".fifo" (hand-made test events often have
	// none). Without it, a batch is FIFO when an eventSourceARN says so.
	FIFO bool

	// SkipGroupOnError narrows what a failure stops to the failed record's
	// ordering group: on a FIFO queue, the later messages of the same
	// MessageGroupId are skipped and other groups go on (without it, every
	// later message of the batch is skipped); on a stream, the later
	// records of the same partition key (Kinesis), item (DynamoDB) or
	// topic-partition (Kafka) are skipped. Records without a group are
	// independent. Skipped records are reported with [ErrSkipped]. It has
	// no effect on a standard SQS queue, whose records have no order.
	SkipGroupOnError bool

	// StopOnFirstFailure skips every record after the first failure, on
	// any source. On a stream, Lambda resumes from the lowest reported
	// sequence number, so records after a failure are redelivered anyway;
	// handling them only creates duplicates. It takes precedence over
	// SkipGroupOnError.
	StopOnFirstFailure bool

	// DeadlineMargin is how long before the context deadline the Function
	// stops starting records. When that point comes, records not yet
	// started are reported with [ErrDeadline] and the contexts of records
	// in flight are cancelled; handlers still running half a margin before
	// the deadline are abandoned (reported with [ErrDeadline]) so that the
	// call returns in time for Lambda to receive the response. Zero means
	// [DefaultDeadlineMargin]; negative turns deadline handling off:
	// records are started until the context itself is done, and the call
	// waits for every handler it started. The margin used is at most half
	// of the time left when the call starts, so that some records are
	// always tried.
	DeadlineMargin time.Duration

	// Reserve is time kept after the records for work the caller does
	// once they are done (deleting messages, uploading a report): the
	// records run as if the deadline came Reserve earlier, and
	// DeadlineMargin applies within that. It is at most half of the time
	// left when the call starts. Zero or negative keeps nothing.
	Reserve time.Duration

	// RecordTimeout, when positive, gives each record's context a timeout
	// of its own. A handler that returns an error after its context
	// expired fails its record; one that returns nil succeeded.
	RecordTimeout time.Duration

	// NoBatchError makes a batch in which every record failed return its
	// response with a nil error, like any partial failure. By default such
	// a batch also returns a [*BatchError], so that Lambda's own retry and
	// back-off apply.
	NoBatchError bool

	// TransientDecodeErrors makes a payload that does not decode or
	// validate ([*DecodeError], [*ValidationError]) an ordinary failure.
	// By default such a record is a permanent failure (see [ErrPermanent]):
	// its payload will not decode any better next time.
	TransientDecodeErrors bool

	// Divert, when set, is called for each record that failed
	// permanently, right after its failure, on the goroutine that handled
	// it, with the record's context: a failure policy that moves the record
	// out of the way (to a dead-letter queue, a topic) so that it is not
	// retried and does not hold back the records after it. If Divert
	// returns nil, the record's outcome is [Diverted]: it is not reported
	// to Lambda, and the records after it in its group go on. If it returns
	// an error (or panics), the record fails as if Divert were not set,
	// with both errors; nothing is lost. See the failure policies of the
	// companion module policy.
	Divert func(ctx context.Context, f Failure) error

	// Retry, when set, is called once per call, after the records ran and
	// before the call returns, with the records Lambda will be told to
	// retry (failed, skipped, not started; not the diverted), in input
	// order: a failure policy that sets when they come back, as the SQS
	// back-off of the companion module policy does. It runs in the time
	// the call has left: give it some with Reserve. Its context ends half
	// of the deadline margin before the invocation's deadline (when
	// deadline handling is on), the time the Function keeps to return
	// its response; Retry must return when its context is done. A panic
	// in Retry is recovered and ignored; the records are reported all the
	// same.
	Retry func(ctx context.Context, fs []Failure)

	// StdJSON decodes the JSON payloads of SQS, Kinesis and Kafka records
	// with encoding/json's json.Unmarshal, as a handler that decodes the
	// payload itself would. By default they are decoded by the library's
	// own decoder, which follows encoding/json's rules and gives the same
	// values and the same errors several times faster; StdJSON is there
	// for a program that wants encoding/json itself. It does not change
	// decoders given to [Source.Decode] ([SNS] and [EventBridge] use the
	// library's decoder), nor a payload type that decodes itself (its
	// UnmarshalJSON method is called, as encoding/json calls it).
	StdJSON bool

	// Middleware wraps the handling of each record, the first outermost:
	// with [a, b], a runs b, which runs the decoding and the handler. Nil
	// entries are ignored.
	Middleware []Middleware
}
