package batch

import (
	"context"
	"fmt"
)

// Record describes one record of a batch to a [Middleware], and to a
// handler through [RecordFrom].
type Record struct {
	Index     int // position in the batch, from 0
	BatchSize int // number of records in the batch
	// ID identifies the record: the identifier reported to Lambda if it
	// fails (messageId, sequence number), or for Kafka
	// "<topic>-<partition>@<offset>"; "" if it has none.
	ID string
	// Value is a pointer to the record as the source delivers it: an
	// *events.SQSMessage, *events.KinesisEventRecord,
	// *events.DynamoDBEventRecord or *events.KafkaRecord, or an *R of
	// [Records]. It points into the batch: do not keep it after the call.
	Value any
}

// Failure is a record that did not succeed, as a failure policy sees it:
// [Options.Divert] receives the records that failed permanently,
// [Options.Retry] the records Lambda will be told to retry.
type Failure struct {
	Record
	Err       error // the record's error: the handler's, or why it did not run
	Permanent bool  // Err is a permanent failure (see [Result.Permanent])
	// Outcome is [Failed] for a record whose handler ran (or was
	// abandoned at the deadline), [NotProcessed] for one that never ran
	// (skipped, not started before the deadline, cancelled): a back-off
	// policy delays the first, and need not delay the second. Err alone
	// cannot tell them apart at the deadline, where both wrap
	// [ErrDeadline].
	Outcome Outcome
	// Group is the ordering group the record was handled in, as in
	// [Result.Group]: the MessageGroupId on a FIFO queue (with
	// [Options.FIFO] too), the partition key, the topic-partition; ""
	// when the record was independent of the others. A policy that must
	// keep a group's order (a back-off that makes a group wait as one)
	// reads it here rather than deciding again what is ordered.
	Group string
}

// RecordFunc handles one record in a chain of [Middleware]: the next
// middleware, or at the end of the chain the decoding of the payload and
// the handler given to [New].
type RecordFunc func(ctx context.Context, r Record) error

// Middleware adds behaviour around the handling of each record: tracing,
// logging, metrics, a timeout, error reporting. It is the package's one
// hook, in the style of net/http middleware: one that wants to act on
// success or failure calls next and looks at the error. [Options.Middleware]
// lists them, the first outermost.
//
// The chain sees every record the handler would: a payload that does not
// decode reaches it as a [*DecodeError], a panic of the handler as a
// [*PanicError] (panics are recovered innermost, before any middleware), so
// a middleware can log or count them. Records that never start (skipped
// after a failure, or not started before the deadline) do not go through
// the chain; read them from the [Report]. A panic in a middleware is
// recovered by the engine and fails the record.
type Middleware func(next RecordFunc) RecordFunc

// RecordFrom returns the [Record] whose handler received ctx (or a context
// derived from it); ok is false for a context that does not come from a
// [Function]. A handler of a decoded payload type reads the record's
// attributes, receipt handle or partition key this way:
//
//	func handle(ctx context.Context, o Order) error {
//		r, _ := batch.RecordFrom(ctx)
//		m := r.Value.(*events.SQSMessage)
//		…
//	}
func RecordFrom(ctx context.Context) (Record, bool) {
	rc, ok := ctx.Value(recordKey{}).(*recordCtx)
	if !ok || rc.run == nil {
		return Record{}, false
	}
	return rc.run.record(int(rc.index)), true
}

// recordKey is the context key under which a recordCtx answers Value.
type recordKey struct{}

// recordCtx is the context a handler receives: the run's context plus the
// record's position. A run allocates all of them in one slice, so carrying
// the position costs no allocation per record; each is written once, before
// its handler starts, and never changed afterwards.
type recordCtx struct {
	context.Context
	run   recorder
	index int32
}

// recorder is the run a recordCtx belongs to.
type recorder interface {
	record(i int) Record
	size() int
	whole(i int)
}

// Value answers recordKey with the recordCtx itself and delegates every
// other key.
func (c *recordCtx) Value(key any) any {
	if _, ok := key.(recordKey); ok {
		return c
	}
	return c.Context.Value(key)
}

// recordFunc is what the engine calls for record i: the chain of
// middleware, decoding and the handler.
type recordFunc[R any] func(ctx context.Context, i int, rec *R) error

// chain puts the middleware around inner, the first outermost. Without
// middleware it is inner itself, and a record costs no Record.
func chain[E, R, Resp any](src Source[E, R, Resp], inner recordFunc[R], mws []Middleware) recordFunc[R] {
	if !hasMiddleware(mws) {
		return inner
	}
	var next RecordFunc = func(ctx context.Context, r Record) error {
		rec, ok := r.Value.(*R)
		if !ok {
			var want *R
			return fmt.Errorf("batch: a middleware passed on a Record whose Value is a %T, want the %T it was given", r.Value, want)
		}
		return inner(ctx, r.Index, rec)
	}
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			next = mws[i](next)
		}
	}
	id := src.id
	return func(ctx context.Context, i int, rec *R) error {
		r := Record{Index: i, Value: rec}
		if id != nil {
			r.ID = id(rec)
		}
		if rc, ok := ctx.Value(recordKey{}).(*recordCtx); ok && rc.run != nil {
			rc.run.whole(i) // a middleware sees the record whole
			r.BatchSize = rc.run.size()
		}
		return next(ctx, r)
	}
}

// hasMiddleware reports whether mws holds a middleware, as chain counts
// them: nil ones are skipped.
func hasMiddleware(mws []Middleware) bool {
	for _, mw := range mws {
		if mw != nil {
			return true
		}
	}
	return false
}

// runOf returns the run ctx belongs to, if any.
func runOf[R any](ctx context.Context) (*run[R], bool) {
	if rc, ok := ctx.Value(recordKey{}).(*recordCtx); ok && rc.run != nil {
		r, ok := rc.run.(*run[R])
		return r, ok
	}
	return nil, false
}

// recovering turns a panic of h into a *PanicError, including panic(nil)
// under GODEBUG=panicnil=1, which recover reports as nil: a call that did
// not return normally panicked.
func recovering[R any](h recordFunc[R]) recordFunc[R] {
	return func(ctx context.Context, i int, rec *R) (err error) {
		returned := false
		defer func() {
			if !returned {
				err = panicError(recover())
			}
		}()
		err = h(ctx, i, rec)
		returned = true
		return err
	}
}
