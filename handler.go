package batch

import "context"

// Handler handles one record. Returning a non-nil error, or panicking, fails
// that record only; the other records of the batch are unaffected.
//
// The context is the invocation's context (so [lambdacontext.FromContext]
// works), cancelled when the processor stops waiting for the record: at the
// deadline margin, at [Processor.RecordTimeout], or when the caller's context
// is cancelled.
//
// [lambdacontext.FromContext]: https://pkg.go.dev/github.com/aws/aws-lambda-go/lambdacontext#FromContext
type Handler[R any] func(ctx context.Context, record R) error

// Middleware wraps a [Handler] to add behaviour around each record: tracing,
// logging, metrics, a timeout, error reporting. It is the one hook mechanism
// of this package, in the style of net/http middleware: a middleware that
// wants to act on success or failure calls next and looks at the error.
type Middleware[R any] func(next Handler[R]) Handler[R]

// Wrap returns h wrapped in the middlewares, the first one outermost:
// Wrap(h, a, b) runs a, which runs b, which runs h. A panic in h is recovered
// before it reaches any middleware, which sees it as a returned
// [*PanicError]; a panic in a middleware is recovered by the processor. Nil
// middlewares are ignored.
func Wrap[R any](h Handler[R], mws ...Middleware[R]) Handler[R] {
	h = recovering(h)
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			h = mws[i](h)
		}
	}
	return h
}

// recovering turns a panic of h into a *PanicError, including panic(nil)
// under GODEBUG=panicnil=1, which recover reports as nil: a handler that
// did not return normally panicked.
func recovering[R any](h Handler[R]) Handler[R] {
	return func(ctx context.Context, rec R) (err error) {
		returned := false
		defer func() {
			if !returned {
				err = panicError(recover())
			}
		}()
		err = h(ctx, rec)
		returned = true
		return err
	}
}

// Source tells the engine what it needs to know about a record type: how to
// identify a record, which records must stay in order, and whether a failure
// stops the records after it. The entry points ([Processor.SQS],
// [Processor.Kinesis], …) build theirs with [SQSSource], [KinesisSource],
// [DynamoDBSource] and [KafkaSource]; a custom source fills the fields itself
// and calls [Process].
type Source[R any] struct {
	// ID returns the identifier Lambda expects in the response for a failed
	// record. A nil ID, or an empty identifier, makes a failure of that
	// record an error of the whole call (see [ErrNoIdentifier]).
	ID func(R) string

	// Key returns the ordering key of a record: records with the same
	// non-empty key are handled one at a time, in input order, when the
	// source is Ordered or FIFO. Nil or "" means the record has no group.
	Key func(R) string

	// Ordered says that records with the same Key must be handled in input
	// order (streams, Kafka partitions). Failures do not stop other records
	// unless the Processor asks for it.
	Ordered bool

	// FIFO says that the records come from a FIFO queue: they are Ordered,
	// and a failure stops every later record of the batch unless
	// [Processor.SkipGroupOnError] narrows that to the failed record's group.
	// [Processor.FIFO] overrides it.
	FIFO bool

	// Check, if not nil, is called before the handler; an error fails the
	// record without calling the handler. The entry points use it to reject
	// records from another event source.
	Check func(R) error
}
