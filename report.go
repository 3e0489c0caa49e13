package batch

import (
	"fmt"
)

// Outcome is what happened to one record.
type Outcome uint8

const (
	// NotProcessed means the handler was never called for the record: it was
	// skipped after an earlier failure ([ErrSkipped]), or not started before
	// the deadline ([ErrDeadline]) or a cancellation ([ErrCanceled]). Lambda
	// is told to retry it.
	NotProcessed Outcome = iota
	// Succeeded means the handler returned nil.
	Succeeded
	// Failed means the handler returned an error or panicked, the record was
	// rejected before the handler ran, or its handler was abandoned at the
	// deadline. Lambda is told to retry it.
	Failed
	// Diverted means the record failed permanently (see [ErrPermanent])
	// and [Options.Divert] moved it out of the way, to a dead-letter queue
	// say: Lambda is not told to retry it, and it does not hold back the
	// records after it. Its error is the handler's.
	Diverted
)

// String returns "not processed", "succeeded", "failed" or "diverted".
func (o Outcome) String() string {
	switch o {
	case NotProcessed:
		return "not processed"
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	case Diverted:
		return "diverted"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// Result is the outcome of one record.
type Result[R any] struct {
	Index int    // position in the batch, from 0
	ID    string // identifier reported to Lambda ("" if the record has none)
	// Group is the ordering group the record was handled in: the
	// MessageGroupId on a FIFO queue, the partition key (Kinesis), the
	// topic-partition (Kafka), the key of [Records]; on DynamoDB Streams
	// an encoding of the item's key, equal for equal keys; "" when the
	// record was independent of the others (a standard queue, a message
	// without a group).
	Group   string
	Record  R       // the record as given to the handler
	Outcome Outcome // what happened
	Err     error   // nil if and only if Outcome is Succeeded
	// Permanent says that Err is a permanent failure: it wraps
	// [ErrPermanent], or it is a [*DecodeError] or [*ValidationError]
	// (unless [Options.TransientDecodeErrors]). Retrying cannot fix such a
	// record; [Options.Divert] can move it out of the way.
	Permanent bool
}

// Report holds the outcome of every record of one call of
// [Function.Process], in input order.
type Report[R any] struct {
	// Results has one entry per record, in input order; none when the
	// event was rejected as a whole (see Err).
	Results []Result[R]

	// Err is the error the Lambda handler should return with the
	// response, the one [Function.Handle] returns: nil for success and
	// for partial failure; a [*RecordError] wrapping [ErrNoIdentifier]
	// for each failed record without an identifier; a [*BatchError] when
	// every record failed (unless [Options.NoBatchError]); an
	// [*EventError] for an event that was not run. Several errors are
	// joined with [errors.Join].
	Err error
}
