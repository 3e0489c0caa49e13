package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// errNilHandler fails every record when the handler is nil.
var errNilHandler = errors.New("batch: nil handler")

// Process runs h over records according to p and src, and reports the outcome
// of every record in input order. It is the engine behind every entry point;
// call it directly for a record type of your own, or to get the [Report] of
// a built-in source:
//
//	rep := batch.Process(ctx, p, ev.Records, batch.SQSSource(ev.Records), h)
//	resp, err := batch.SQSResponse(rep)
//
// Process never panics because of a handler: a panic fails its record with a
// [*PanicError]. It returns once every record has an outcome; no goroutine it
// started is left running, except the goroutine of a handler abandoned at the
// deadline (see [Processor.DeadlineMargin]), which ends when that handler
// returns.
func Process[R any](ctx context.Context, p Processor, records []R, src Source[R], h Handler[R]) *Report[R] {
	r := &run[R]{
		records: records,
		src:     src,
		res:     make([]result, len(records)),
		rctx:    make([]recordCtx, len(records)),
		timeout: p.RecordTimeout,
	}
	if h == nil {
		h = func(context.Context, R) error { return errNilHandler }
	}
	r.h = h

	fifo := src.FIFO
	switch p.FIFO {
	case FIFOOn:
		fifo = true
	case FIFOOff:
		fifo = false
	}
	keyed := (src.Ordered || fifo) && src.Key != nil
	r.stop = p.StopOnFirstFailure || (fifo && !p.SkipGroupOnError)
	r.skipGroup = !r.stop && p.SkipGroupOnError && keyed

	workers := p.Concurrency
	if workers == 0 || r.stop {
		workers = 1
	}

	if len(records) > 0 {
		var cancel context.CancelFunc
		ctx, cancel = r.deadline(ctx, p)
		r.ctx, r.done = ctx, ctx.Done()
		switch {
		case workers == 1:
			r.supervise(func() { r.sequential(keyed) })
		case keyed:
			r.supervise(func() { r.groups(workers) })
		default:
			r.supervise(func() { r.parallel(workers) })
		}
		cancel()
	}
	return newReport(records, src.ID, r.res, &r.late, !p.NoBatchError)
}

// run is the state of one call of Process.
type run[R any] struct {
	ctx       context.Context
	done      <-chan struct{} // ctx.Done()
	records   []R
	src       Source[R]
	h         Handler[R]
	timeout   time.Duration
	stop      bool // a failure skips every later record
	skipGroup bool // a failure skips the later records of its key

	res  []result
	rctx []recordCtx // the handlers' contexts, one per record

	// hard is the instant after which handlers still running are abandoned;
	// zero when the call waits for every handler. guarded is !hard.IsZero():
	// a supervisor may then finalize records concurrently with the workers.
	hard    time.Time
	grace   time.Duration
	near    atomic.Bool // set by the supervisor shortly before soft(); see stopped
	guarded bool
	late    lateErrs
}

// result is the outcome of one record. Its state moves once from pending,
// possibly through running, to a final state. When a deadline supervisor
// runs, every move is a compare-and-swap, because the worker handling the
// record and the supervisor race for it and whichever swaps first decides
// the outcome; without one, the worker alone writes it. The worker writes
// err before its move; the supervisor's errors are the same for every record
// and live in the run, so the two never write the same memory.
type result struct {
	state uint32
	err   error // the worker's error; meaningful when the worker set the state
}

const (
	statePending uint32 = iota
	stateRunning
	// Final states: the worker's outcomes are workerBase+Outcome; the
	// supervisor's are lateNotStarted and lateAbandoned.
	workerBase
	lateNotStarted = workerBase + 8
	lateAbandoned  = workerBase + 9
)

// lateErrs are the errors the supervisor gives the records it finalizes.
type lateErrs struct {
	notStarted, abandoned error
}

// outcome returns the final outcome of a record and its error.
func (res *result) outcome(late *lateErrs) (Outcome, error) {
	switch st := atomic.LoadUint32(&res.state); {
	case st == lateNotStarted:
		return NotProcessed, late.notStarted
	case st == lateAbandoned:
		return Failed, late.abandoned
	case st >= workerBase:
		return Outcome(st - workerBase), res.err
	}
	// Not reachable once Process has returned: every record is final.
	return NotProcessed, errors.New("batch: record has no outcome")
}

// deadline derives the context records run under: cancelled with cause
// ErrDeadline at the deadline less the margin. It also sets the instant
// after which in-flight handlers are abandoned.
func (r *run[R]) deadline(ctx context.Context, p Processor) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || p.IgnoreDeadline {
		return ctx, func() {}
	}
	margin := p.DeadlineMargin
	if margin <= 0 {
		margin = DefaultDeadlineMargin
	}
	if left := time.Until(dl); margin > left/2 {
		margin = left / 2
	}
	if margin < 0 {
		margin = 0
	}
	r.hard = dl.Add(-margin / 2)
	r.grace = margin / 2
	r.guarded = true
	return context.WithDeadlineCause(ctx, r.soft(), ErrDeadline)
}

// supervise runs work and returns when it is done, or, when the call has a
// hard deadline, when that deadline passes, whichever comes first. In the
// second case the records still pending or running are given ErrDeadline and
// work's goroutines are left to end on their own: they can no longer change
// any outcome.
func (r *run[R]) supervise(work func()) {
	if r.hard.IsZero() {
		work()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		work()
	}()
	// One timer, first for the moment from which stopped also reads the
	// clock (half a margin before the soft deadline; before that, the
	// context alone says whether records may start), then for the hard
	// deadline.
	t := time.NewTimer(time.Until(r.soft().Add(-r.grace)))
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	r.near.Store(true)
	t.Reset(time.Until(r.hard))
	select {
	case <-done:
		return
	case <-t.C:
	}
	r.late.notStarted = r.notStartedErr()
	r.late.abandoned = fmt.Errorf("%w: handler still running %v after its context was cancelled; abandoned", ErrDeadline, r.grace)
	for i := range r.res {
		st := &r.res[i].state
		if !atomic.CompareAndSwapUint32(st, statePending, lateNotStarted) {
			atomic.CompareAndSwapUint32(st, stateRunning, lateAbandoned)
		}
	}
}

// begin marks record i as running. It reports false when the supervisor has
// already given the record its outcome.
func (r *run[R]) begin(i int) bool {
	if !r.guarded {
		return true
	}
	return atomic.CompareAndSwapUint32(&r.res[i].state, statePending, stateRunning)
}

// finish records the outcome of running record i, unless the supervisor
// has abandoned it.
func (r *run[R]) finish(i int, o Outcome, err error) {
	r.settle(i, stateRunning, o, err)
}

// skip gives record i, which never started, the outcome NotProcessed with
// err, unless the supervisor has already given it one.
func (r *run[R]) skip(i int, err error) {
	r.settle(i, statePending, NotProcessed, err)
}

func (r *run[R]) settle(i int, from uint32, o Outcome, err error) {
	res := &r.res[i]
	res.err = err
	if !r.guarded {
		res.state = workerBase + uint32(o)
		return
	}
	atomic.CompareAndSwapUint32(&res.state, from, workerBase+uint32(o))
}

// soft is the deadline less the margin, after which no record starts: half
// a margin, grace, before the hard deadline.
func (r *run[R]) soft() time.Time { return r.hard.Add(-r.grace) }

// stopped reports whether no record may start: the run's context is done,
// or the soft deadline has passed. Near the soft deadline the clock is read
// as well as the context, because the timer that cancels the context can
// fire late on a busy machine, and a record must not start after deadline −
// margin; earlier, the clock is not read, since reading it costs as much as
// the rest of the engine's work for a record.
func (r *run[R]) stopped() bool {
	select {
	case <-r.done:
		return true
	default:
		return r.near.Load() && !time.Now().Before(r.soft())
	}
}

// handle runs the handler for record i and records its outcome. It reports
// whether the record succeeded.
func (r *run[R]) handle(i int) bool {
	if !r.begin(i) {
		return false
	}
	err := r.call(i)
	if err == nil {
		r.finish(i, Succeeded, nil)
		return true
	}
	r.finish(i, Failed, err)
	return false
}

// call runs Check and the handler for record i, turning a panic into a
// *PanicError. A handler that did not return normally panicked, whatever
// recover gives back: with GODEBUG=panicnil=1, panic(nil) recovers as nil.
func (r *run[R]) call(i int) (err error) {
	returned := false
	defer func() {
		if !returned {
			err = panicError(recover())
		}
	}()
	err = r.invoke(i)
	returned = true
	return err
}

// invoke runs Check and the handler for record i.
func (r *run[R]) invoke(i int) error {
	rec := r.records[i]
	if r.src.Check != nil {
		if err := r.src.Check(rec); err != nil {
			return err
		}
	}
	rc := &r.rctx[i]
	*rc = recordCtx{Context: r.ctx, index: int32(i), count: int32(len(r.records))}
	ctx := context.Context(rc)
	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	return r.h(ctx, rec)
}

// RecordIndex returns the position in the batch, from 0, of the record whose
// handler received ctx (or a context derived from it), and the number of
// records in the batch. ok is false when ctx does not come from [Process] or
// an entry point. It lets a [Middleware] log or trace a record's position
// without being built for each invocation.
func RecordIndex(ctx context.Context) (index, count int, ok bool) {
	rc, ok := ctx.Value(recordKey{}).(*recordCtx)
	if !ok {
		return 0, 0, false
	}
	return int(rc.index), int(rc.count), true
}

// recordKey is the context key under which a recordCtx answers Value.
type recordKey struct{}

// recordCtx is the context a handler receives: the run's context plus the
// record's position. A run allocates all of them in one slice, so carrying
// the position costs no allocation per record; each is written once, before
// its handler starts, and never changed afterwards.
type recordCtx struct {
	context.Context
	index, count int32 // 24 bytes in all: one of these per record
}

// Value answers recordKey with the recordCtx itself and delegates every
// other key.
func (c *recordCtx) Value(key any) any {
	if _, ok := key.(recordKey); ok {
		return c
	}
	return c.Context.Value(key)
}

// notStartedErr is the error of records that did not start because the run
// context is done.
func (r *run[R]) notStartedErr() error {
	cause := context.Cause(r.ctx)
	if cause == nil && r.guarded && !time.Now().Before(r.soft()) {
		cause = ErrDeadline // the clock passed the soft deadline before its timer fired
	}
	if errors.Is(cause, ErrDeadline) || errors.Is(cause, context.DeadlineExceeded) {
		return fmt.Errorf("%w: not started", ErrDeadline)
	}
	if cause == nil {
		cause = context.Canceled
	}
	return fmt.Errorf("%w: %w", ErrCanceled, cause)
}

// skippedErr is the error of the records skipped because record i failed.
func (r *run[R]) skippedErr(i int) error {
	id := ""
	if r.src.ID != nil {
		id = r.src.ID(r.records[i])
	}
	if id == "" {
		return fmt.Errorf("%w: record %d failed", ErrSkipped, i)
	}
	return fmt.Errorf("%w: record %d (%s) failed", ErrSkipped, i, id)
}

// key returns the ordering key of record i, or "".
func (r *run[R]) key(i int) string {
	if r.src.Key == nil {
		return ""
	}
	return r.src.Key(r.records[i])
}

// sequential handles the records one at a time, in input order.
func (r *run[R]) sequential(keyed bool) {
	var (
		stopped    error            // set once a failure stops the batch
		failedKeys map[string]error // keys whose later records are skipped
	)
	for i := range r.records {
		// A record reached after the deadline carries ErrDeadline even when
		// an earlier failure would also skip it: the deadline is what ended
		// the batch from here on.
		if r.stopped() {
			r.skipRest(i)
			return
		}
		if stopped != nil {
			r.skip(i, stopped)
			continue
		}
		var k string
		if r.skipGroup && keyed {
			k = r.key(i)
			if err, ok := failedKeys[k]; ok && k != "" {
				r.skip(i, err)
				continue
			}
		}
		if r.handle(i) {
			continue
		}
		switch {
		case r.stop:
			stopped = r.skippedErr(i)
		case r.skipGroup && k != "":
			if failedKeys == nil {
				failedKeys = make(map[string]error)
			}
			failedKeys[k] = r.skippedErr(i)
		}
	}
}

// skipRest marks records from..end as not started.
func (r *run[R]) skipRest(from int) {
	err := r.notStartedErr()
	for i := from; i < len(r.records); i++ {
		r.skip(i, err)
	}
}

// parallel handles independent records with up to workers goroutines.
func (r *run[R]) parallel(workers int) {
	pool(len(r.records), workers, func(i int) {
		if r.stopped() {
			r.skip(i, r.notStartedErr())
			return
		}
		r.handle(i)
	})
}

// groups handles records grouped by key: each group in input order by one
// goroutine at a time, up to workers groups at once.
func (r *run[R]) groups(workers int) {
	var (
		index  = make(map[string]int)
		groups [][]int
	)
	for i := range r.records {
		k := r.key(i)
		if k == "" {
			groups = append(groups, []int{i})
			continue
		}
		g, ok := index[k]
		if !ok {
			g = len(groups)
			index[k] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	pool(len(groups), workers, func(g int) { r.group(groups[g]) })
}

// pool calls do(0) … do(n-1) from min(workers, n) goroutines (n when
// workers is negative), each taking the next index until none is left, and
// returns when all are done.
func pool(n, workers int, do func(int)) {
	if workers < 0 || workers > n {
		workers = n
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				do(i)
			}
		}()
	}
	wg.Wait()
}

// group handles the records of one group in order.
func (r *run[R]) group(idx []int) {
	var skipped error
	for _, i := range idx {
		if r.stopped() { // the deadline first, as in sequential
			r.skip(i, r.notStartedErr())
			continue
		}
		if skipped != nil {
			r.skip(i, skipped)
			continue
		}
		if !r.handle(i) && r.skipGroup {
			skipped = r.skippedErr(i)
		}
	}
}
