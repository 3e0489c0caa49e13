package batch

import "time"

// DefaultDeadlineMargin is the time kept free before the invocation deadline
// when [Processor.DeadlineMargin] is zero.
const DefaultDeadlineMargin = 500 * time.Millisecond

// Processor holds the configuration of batch processing. The zero value is
// ready to use and means: records handled one at a time in input order, the
// invocation deadline respected with [DefaultDeadlineMargin], FIFO queues
// detected from their ARN, and a [*BatchError] when every record failed.
//
// A Processor is a plain value: entry points take it by value, so changing a
// field after a call has started changes nothing for that call. One value may
// serve any number of concurrent invocations.
type Processor struct {
	// Concurrency is how many records may be handled at the same time.
	// 0 and 1 mean one at a time, in input order. n > 1 means at most n
	// goroutines, never more than there are records (or ordering groups).
	// A negative value means one goroutine per record (or per group). When
	// the context has a deadline (always, in Lambda) and IgnoreDeadline is
	// off, the work runs on one more goroutine, so that the calling one can
	// watch the deadline and return in time.
	//
	// Records that must stay in order are never handled at the same time:
	// the records of one FIFO message group, of one Kinesis partition key,
	// of one DynamoDB item, of one Kafka topic-partition. A FIFO batch without
	// SkipGroupOnError, and any batch with StopOnFirstFailure, is handled one
	// record at a time whatever Concurrency says, because a failure must stop
	// everything after it.
	Concurrency int

	// FIFO overrides the detection of FIFO queues; see [FIFOMode].
	FIFO FIFOMode

	// SkipGroupOnError narrows what a failure stops to the failed record's
	// ordering group: on a FIFO queue, the later messages of the same
	// MessageGroupId are skipped and other groups go on (without it, every
	// later message of the batch is skipped); on a stream, the later records
	// of the same partition key (Kinesis), item (DynamoDB) or
	// topic-partition (Kafka) are skipped. Records without a group are
	// independent. Skipped records are reported with [ErrSkipped]. It has no
	// effect on standard SQS queues, whose records have no order.
	SkipGroupOnError bool

	// StopOnFirstFailure skips every record after the first failure, on any
	// source. On a stream, Lambda resumes from the lowest reported sequence
	// number, so records after a failure are redelivered anyway; handling
	// them only creates duplicates. It takes precedence over
	// SkipGroupOnError.
	StopOnFirstFailure bool

	// DeadlineMargin is how long before the context deadline the processor
	// stops starting records. When that point comes, records not yet started
	// are reported as failed with [ErrDeadline] and the contexts of records
	// in flight are cancelled; handlers still running half a margin before
	// the deadline are abandoned (reported with [ErrDeadline]) so that the
	// call returns in time for Lambda to receive the response. Zero or
	// negative means [DefaultDeadlineMargin]; to have no margin at all, set
	// IgnoreDeadline. The margin used is at most half of the time
	// left when the call starts, so that some records are always tried.
	DeadlineMargin time.Duration

	// IgnoreDeadline turns deadline handling off: records are started until
	// the context itself is done (deadline passed or cancelled), and the call
	// waits for every handler it started.
	IgnoreDeadline bool

	// RecordTimeout, when positive, gives each record's context a timeout of
	// its own. A handler that returns an error after its context expired
	// fails its record; one that returns nil succeeded.
	RecordTimeout time.Duration

	// NoBatchError makes a batch in which every record failed return its
	// response with a nil error, like any partial failure. By default such a
	// batch also returns a [*BatchError].
	NoBatchError bool
}
