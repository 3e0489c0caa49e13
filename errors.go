package batch

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
)

// Sentinel errors. Records that never reached the handler carry an error that
// wraps one of these, so callers can tell them apart with [errors.Is].
//
// The errors of single records (these, [*PanicError], [*DecodeError],
// [*ValidationError]) do not name the record nor the package: the
// [*RecordError] that carries one in a returned error names the record
// once, with the "batch: " prefix, and a [Result] has the record beside its
// error.
var (
	// ErrSkipped marks a record that was not handled because an earlier record
	// failed and the ordering policy (a FIFO queue, [Options.StopOnFirstFailure]
	// or [Options.SkipGroupOnError]) forbids handling it out of order.
	ErrSkipped = errors.New("skipped after an earlier failure")

	// ErrDeadline marks a record that was not started, or was abandoned,
	// because the invocation's deadline (less [Options.DeadlineMargin]) came.
	ErrDeadline = errors.New("invocation deadline reached")

	// ErrCanceled marks a record that was not started because the context
	// passed by the caller was cancelled before its turn.
	ErrCanceled = errors.New("canceled before the record started")

	// ErrNoIdentifier marks a failed record whose identifier is empty. Lambda
	// fails the whole batch when a response holds an empty identifier, so such
	// a record is never put into the response; the call returns an error
	// instead.
	ErrNoIdentifier = errors.New("no identifier to report the failure with")

	// ErrPermanent marks a failure that retrying cannot fix: a payload that
	// can never be handled, a customer that no longer exists. Wrap it into
	// a handler's error, or use [Permanent]; errors.Is finds it. The
	// Function reports such a record like any failure, unless
	// [Options.Divert] moves it out of the way; [Result.Permanent] tells
	// them apart in a [Report].
	ErrPermanent = errors.New("permanent failure")

	// ErrWrongSource marks an event with a record whose eventSource names
	// another service than the Function's source (for example a Kinesis
	// event given to a Function of [SQS]). The Function rejects such an
	// event as a whole with an [*EventError].
	ErrWrongSource = errors.New("wrong event source")
)

// ErrNoRecords is the cause of an [*EventError] for a payload that holds no
// records. Lambda never invokes an event source mapping's function with an
// empty batch, so such a payload is not an event of that source (for
// example a test event of another service).
var ErrNoRecords = errors.New("no records")

// EventError is returned, with no record handled, for an event that is not
// one of the Function's source: a payload that is malformed JSON or has a
// JSON value of the wrong type for a field ([Function.Invoke]), an event
// with no records at all ([ErrNoRecords]), or one with a record whose
// eventSource names another service ([ErrWrongSource]). Invoke, Handle and
// Process accept and reject the same events; the one difference is text
// after the event, which Invoke rejects and lambda.Start's decoder ignores
// before a handler of the event type runs. Lambda retries the invocation.
type EventError struct {
	Source string // "SQS", "Kinesis", "DynamoDB Streams", "Kafka", or the Go type of a batch of [Records]
	Err    error  // the decoding error, ErrNoRecords or ErrWrongSource
}

// Error says which source's event the payload is not, and why.
func (e *EventError) Error() string {
	return fmt.Sprintf("batch: payload is not a valid %s event: %v", e.Source, e.Err)
}

// Unwrap returns the cause.
func (e *EventError) Unwrap() error { return e.Err }

// Permanent returns err marked as a permanent failure:
// errors.Is(Permanent(err), ErrPermanent) is true, err stays reachable with
// errors.Is and errors.As, and the message is err's. Permanent(nil) is nil.
//
//	if errors.Is(err, store.ErrNoSuchCustomer) {
//		return batch.Permanent(err)
//	}
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// permanentError is err, marked permanent.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() []error { return []error{e.err, ErrPermanent} }

// RecordError is the error of one record: its position in the batch, its
// identifier (possibly empty) and the cause.
type RecordError struct {
	Index int    // position of the record in the batch, from 0
	ID    string // identifier reported to Lambda; empty if the record has none
	Err   error  // the cause: the handler's error, a *PanicError, ErrSkipped, …
}

// Error names the record by index and identifier, then the cause.
func (e *RecordError) Error() string { return "batch: " + e.detail() }

// detail is the message without the package prefix.
func (e *RecordError) detail() string {
	if e.ID == "" {
		return fmt.Sprintf("record %d: %v", e.Index, e.Err)
	}
	return fmt.Sprintf("record %d (%s): %v", e.Index, e.ID, e.Err)
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// BatchError is returned when every record of a non-empty batch failed. It
// joins one [*RecordError] per record, in input order, so [errors.Is] and
// [errors.As] see through it. Returning it makes Lambda treat the invocation
// as failed and apply its own retry and back-off; the response returned with
// it still lists every record. [Options.NoBatchError] turns it off.
type BatchError struct {
	Errs []error // one *RecordError per record, in input order
}

// Error gives the number of records and the first record error.
func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "batch: all %d records failed", len(e.Errs))
	if len(e.Errs) > 0 {
		b.WriteString("; first: ")
		if re, ok := e.Errs[0].(*RecordError); ok {
			b.WriteString(re.detail()) // without a second "batch: "
		} else {
			b.WriteString(e.Errs[0].Error())
		}
	}
	return b.String()
}

// Unwrap returns the record errors.
func (e *BatchError) Unwrap() []error { return e.Errs }

// PanicError is the error of a record whose handler (or middleware) panicked.
// It keeps the value passed to panic and the stack of the panicking goroutine.
type PanicError struct {
	Value any    // the value passed to panic; nil for panic(nil) under GODEBUG=panicnil=1
	Stack []byte // the goroutine's stack at the point of recovery
}

// Error gives the panic value; the stack is in the Stack field.
func (e *PanicError) Error() string {
	if e.Value == nil {
		return "handler panicked with a nil value"
	}
	return fmt.Sprintf("handler panicked: %v", e.Value)
}

// panicError builds the *PanicError of a recovered value, with the stack of
// the goroutine that panicked (the caller runs in its deferred function).
func panicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Unwrap returns the panic value if it is an error, so that a panic with an
// error value matches that error under [errors.Is].
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
