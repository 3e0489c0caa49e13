package batch

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda/handlertrace"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// Function is a Lambda function for one event source: it runs a handler
// over each batch and returns the partial batch response. [New] builds it.
// It implements lambda.Handler, so it is passed to lambda.Start as it is,
// and it serves any number of concurrent invocations.
//
// Its three methods are the same function for three callers:
//
//   - [Function.Invoke] takes the event as Lambda sends it, JSON bytes, and
//     returns the response bytes; this is what lambda.Start calls. It
//     decodes with a decoder written for the event's shape, several times
//     faster than encoding/json, to the same values.
//   - [Function.Handle] takes an event already decoded into its
//     aws-lambda-go type, as a handler function of your own or a test
//     holds it.
//   - [Function.Process] is Handle with the outcome of every record.
type Function[E, R, Resp any] struct {
	src   Source[E, R, Resp]
	opts  Options
	inner recordFunc[R] // decoding and the handler
	h     recordFunc[R] // the middleware around inner

	// raw: Invoke gives the decoder of Source.DecodeJSON each record's
	// JSON, since the handler takes a decoded type, the source's event
	// decoder can give it, and no middleware needs every record whole
	// first (building it again from its JSON would cost more than the
	// decoder saves).
	raw bool
}

// New returns the Lambda function that handles each record of a batch from
// src with h, as configured by o (whose zero value is ready to use):
//
//	func main() {
//		lambda.Start(batch.New(batch.SQS(), handle, batch.Options{}))
//	}
//
// h handles one record. Its type says what it receives: a record of the
// source (events.SQSMessage for [SQS]) as it arrives, or any other type T,
// into which the record's payload is decoded first (for SQS, the message
// body as JSON; see [Source.Decode] for other formats and envelopes). A
// payload that does not decode fails its record with a [*DecodeError], and
// one whose Validate() error method (on T or *T) fails, with a
// [*ValidationError]; h is not called for them. An error returned by h, or
// a panic, fails that record alone.
//
// New panics if h is nil, or if T needs decoding and src has no decoder
// (DynamoDB Streams without [Source.Decode]): these are mistakes in the
// program, caught when it starts rather than at every invocation.
func New[E, R, Resp, T any](src Source[E, R, Resp], h func(ctx context.Context, v T) error, o Options) *Function[E, R, Resp] {
	if src.records == nil {
		panic("batch: New: the Source was not built by SQS, Kinesis, DynamoDB, Kafka or Records")
	}
	if h == nil {
		panic("batch: New: nil handler")
	}
	inner := typedFunc(src, h, o.StdJSON)
	o.Middleware = append([]Middleware(nil), o.Middleware...) // later edits by the caller change nothing
	_, takesRecord := any(h).(func(context.Context, R) error)
	raw := src.payloadJSON != nil && src.decodeRaw != nil && !takesRecord && !hasMiddleware(o.Middleware)
	return &Function[E, R, Resp]{src: src, opts: o, inner: inner, h: chain(src, inner, o.Middleware), raw: raw}
}

// Invoke handles one invocation: payload is the event as Lambda sent it,
// the result the JSON response. The error is an [*EventError] when the
// payload is not an event of the function's source (malformed, empty, of
// another service), or the error Handle returns for the batch (a
// [*BatchError] when every record failed, unless [Options.NoBatchError]);
// the response is then nil, since Lambda ignores the body of a failed
// invocation.
//
// A problem confined to one record, such as invalid base64 in Kinesis data
// or an invalid DynamoDB attribute value, fails that record alone with a
// [*DecodeError] naming the field; encoding/json, and so lambda.Start with
// a handler of the event type, fails the whole event instead. Text after
// the event is an error, which lambda.Start's decoder would ignore.
//
// The request and response hooks of lambda/handlertrace (used by tracing
// libraries) are called with the decoded event and the response, as for a
// handler function. lambda.Start options that configure encoding/json do
// not apply.
//
// The event decoder knows the fields of the aws-lambda-go version this
// module requires. If the program builds with a newer one whose event
// type has fields the decoder does not read, Invoke decodes that source's
// events with encoding/json instead, so that no field is left empty;
// decoding is then as slow as lambda.Start's, and a record-level problem
// fails the whole event, as with lambda.Start. The check is made once per
// source and process.
func (f *Function[E, R, Resp]) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if f == nil || f.h == nil {
		return nil, errUnbuilt
	}
	var (
		ev     E
		raw    [][]byte
		faulty []*eventjson.FieldError
		err    error
	)
	if f.raw {
		ev, raw, faulty, err = f.src.decodeRaw(payload)
	} else {
		ev, faulty, err = f.src.decode(payload)
	}
	if err != nil {
		return nil, &EventError{Source: f.src.name, Err: err}
	}
	records := f.src.records(ev)
	trace := handlertrace.FromContext(ctx)
	if trace.RequestEvent != nil {
		if raw != nil && f.src.complete != nil {
			// The hook sees the event whole; the decoder then reads the
			// records, as in Handle.
			for i := range records {
				f.src.complete(&records[i], raw[i])
			}
			raw = nil
		}
		trace.RequestEvent(ctx, ev)
	}
	if err := f.src.check(ev, records); err != nil {
		return nil, err
	}
	out := f.run(ctx, records, raw, faulty)
	if out.err != nil {
		return nil, out.err
	}
	if trace.ResponseEvent != nil {
		trace.ResponseEvent(ctx, f.src.respond(records, out.failed))
	}
	return f.src.encode(make([]byte, 0, 64), records, out.failed), nil
}

// Handle runs one event, already decoded, and returns the response with
// the error the Lambda handler should return: nil for success and for a
// partial failure; a [*BatchError] when every record failed (unless
// [Options.NoBatchError]); a [*RecordError] wrapping [ErrNoIdentifier] for
// a failed record that has no identifier (Lambda would otherwise fail the
// whole batch for an empty one); an [*EventError] for an event with no
// records or with a record of another source, in which case nothing ran.
// The response is filled in with every error but the last.
//
//	func handler(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
//		return fn.Handle(ctx, ev)
//	}
func (f *Function[E, R, Resp]) Handle(ctx context.Context, ev E) (Resp, error) {
	if f == nil || f.h == nil {
		var zero Resp
		return zero, errUnbuilt
	}
	records := f.src.records(ev)
	if err := f.src.check(ev, records); err != nil {
		return f.src.respond(records, nil), err
	}
	out := f.run(ctx, records, nil, nil)
	return f.src.respond(records, out.failed), out.err
}

// Process is Handle with the details: it also returns the [Report] of
// every record's outcome, in input order, whose Err field is the error
// Handle would return.
//
//	resp, rep := fn.Process(ctx, ev)
//	for _, r := range rep.Results {
//		if r.Err != nil {
//			log.Printf("record %d (%s): %v", r.Index, r.ID, r.Err)
//		}
//	}
//	return resp, rep.Err
func (f *Function[E, R, Resp]) Process(ctx context.Context, ev E) (Resp, *Report[R]) {
	if f == nil || f.h == nil {
		var zero Resp
		return zero, &Report[R]{Err: errUnbuilt}
	}
	records := f.src.records(ev)
	if err := f.src.check(ev, records); err != nil {
		return f.src.respond(records, nil), &Report[R]{Err: err}
	}
	out := f.run(ctx, records, nil, nil)
	return f.src.respond(records, out.failed), f.report(records, out)
}

// errUnbuilt is returned by a Function that New did not build.
var errUnbuilt = errors.New("batch: Function used without New")

// outcome is what one run of the engine gives the entry points.
type outcome[R any] struct {
	r      *run[R]
	failed []int // the records to report, in input order, each identifier once
	err    error // the error the call returns
}

// run handles records with the engine. faulty lists records the lenient
// event decoder could not decode completely (Invoke only): they fail with
// a *DecodeError in place of the decoding of their payload, inside the
// middleware, which sees them as it sees any record that does not decode.
func (f *Function[E, R, Resp]) run(ctx context.Context, records []R, raw [][]byte, faulty []*eventjson.FieldError) outcome[R] {
	p := plan[R]{
		records:  records,
		raw:      raw,
		complete: f.src.complete,
		id:       f.src.id,
		key:      f.src.key,
		ordered:  f.src.ordered,
		fifo:     f.src.fifo != nil && (f.opts.FIFO || f.src.fifo(records)),
		h:        f.h,
	}
	if len(faulty) > 0 {
		errs := make(map[int]error, len(faulty))
		for _, fe := range faulty {
			de := &DecodeError{Part: fe.Field, Err: fmt.Errorf("at offset %d: %w", fe.Offset, fe.Err)}
			if p.id != nil && fe.Index < len(records) {
				de.ID = p.id(&records[fe.Index])
			}
			errs[fe.Index] = de
		}
		inner := f.inner
		p.h = chain(f.src, func(ctx context.Context, i int, rec *R) error {
			if err, bad := errs[i]; bad {
				return err
			}
			return inner(ctx, i, rec)
		}, f.opts.Middleware)
	}
	r := process(ctx, f.opts, p)
	failed, err := r.verdict(!f.opts.NoBatchError)
	if f.opts.Retry != nil && len(failed) > 0 {
		rctx, cancel := r.retryContext(ctx)
		callRetry(rctx, f.opts.Retry, r.retries(failed))
		cancel()
	}
	return outcome[R]{r: r, failed: failed, err: err}
}

// callRetry calls Options.Retry, ignoring a panic: the records it was
// given are reported all the same.
func callRetry(ctx context.Context, retry func(context.Context, []Failure), fs []Failure) {
	defer func() { _ = recover() }()
	retry(ctx, fs)
}

// report builds the Report of a run.
func (f *Function[E, R, Resp]) report(records []R, out outcome[R]) *Report[R] {
	rep := &Report[R]{Results: make([]Result[R], len(records)), Err: out.err}
	for i := range records {
		o, err := out.r.res[i].outcome(&out.r.late)
		res := Result[R]{Index: i, Record: records[i], Outcome: o, Err: err}
		res.Permanent = err != nil && out.r.policy.permanent(err)
		if f.src.id != nil {
			res.ID = f.src.id(&records[i])
		}
		res.Group = out.r.groupOf(i)
		rep.Results[i] = res
	}
	return rep
}
