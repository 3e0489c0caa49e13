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
		if r.guarded {
			// One slot per goroutine that handles records: pool starts
			// at most this many.
			switch n := workers; {
			case n == 1:
				r.slots = r.one[:]
			case n < 0 || n > len(records):
				r.slots = make([]slot, len(records))
			default:
				r.slots = make([]slot, n)
			}
		}
		switch {
		case workers == 1:
			r.supervise(func() { r.sequential(r.slot(0), keyed) })
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
	done      <-chan struct{} // ctx.Done(), for cancelled before Go 1.25
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
	// a supervisor may then take records from the workers, through slots.
	hard    time.Time
	grace   time.Duration
	near    atomic.Bool // set by the supervisor shortly before soft(); see stopped
	guarded bool
	slots   []slot  // one per goroutine handling records, when guarded
	one     [1]slot // the slots of a sequential run, without an allocation
	late    lateErrs
}

// result is the outcome of one record. state and err are written by the
// worker that handled the record, late by the deadline supervisor when it
// took the record from the workers (see slot). When late is set it is the
// outcome, and state and err are not read: the worker of an abandoned
// handler may still write them, after Process has returned.
type result struct {
	state uint32 // 0 until the worker gives the record its outcome, then 1 + the Outcome
	late  uint32 // 0, lateNotStarted or lateAbandoned
	err   error
}

// The outcomes the supervisor gives records in result.late.
const (
	lateNotStarted uint32 = 1 + iota
	lateAbandoned
)

// lateErrs are the errors the supervisor gives the records it takes.
type lateErrs struct {
	notStarted, abandoned error
}

// set records the worker's outcome.
func (res *result) set(o Outcome, err error) {
	res.state, res.err = 1+uint32(o), err
}

// outcome returns the final outcome of a record and its error.
func (res *result) outcome(late *lateErrs) (Outcome, error) {
	switch res.late {
	case lateNotStarted:
		return NotProcessed, late.notStarted
	case lateAbandoned:
		return Failed, late.abandoned
	}
	if res.state != 0 {
		return Outcome(res.state - 1), res.err
	}
	// Not reachable once Process has returned: every record is final.
	return NotProcessed, errors.New("batch: record has no outcome")
}

// A slot is where one goroutine handling records (a worker) and the
// deadline supervisor settle who gives each record its outcome; there is
// one per worker, and only when the call has a hard deadline. The protocol:
//
//   - A worker writes a record's result (state and err) only while its slot
//     names that record. To run a record's handler, or to skip the record,
//     the worker first claims it: one compare-and-swap of the slot, from the
//     value the worker last wrote there to the record's index, marked as
//     running or as skipped. That swap also publishes the result of the
//     record the slot named before, and a last swap to 0 when the worker
//     ends publishes its last result: one atomic write a record, where
//     marking each record running and then final took two.
//   - A slot has two writers: its worker, and the supervisor, which swaps in
//     slotClosed once, at the hard deadline. The worker's compare-and-swap
//     expects the value the worker itself wrote, so after the supervisor's
//     swap it fails; a worker that fails to claim a record leaves it alone
//     and stops. No handler starts after the supervisor closed the slots.
//   - The supervisor's swap returns the record the worker owned at that
//     instant, if any. That record becomes the supervisor's: it writes its
//     outcome in late (abandoned if its handler was running, not started if
//     the worker was skipping it), a field no worker writes, and nothing
//     reads the worker's fields of that record any more.
//   - Any other record was either given its result before its worker's
//     last successful swap of its slot, which comes before the supervisor's
//     swap of the same slot, so the result is visible to the supervisor and
//     final; or never claimed, and no claim can succeed any more: its state
//     is still 0 and the supervisor marks it not started.
//
// Each record is handed to one worker (by the sequential loop, the pool's
// counter or its group), so at most one slot ever names it, and the order
// of the atomic operations on that slot decides the record's one writer:
// the worker, if its publishing swap came first, otherwise the supervisor.
// When the work ends before the hard deadline, the slots are never closed
// and Process waits for the workers, which have given every record its
// result.
type slot struct {
	v   atomic.Uint64 // 0, slotClosed, or the claimed record: (index+1)<<1, | slotRun if running
	cur uint64        // the value the worker last wrote in v; only the worker uses it
	_   [48]byte      // a cache line per slot: each worker writes its own once a record
}

const (
	slotRun    uint64 = 1 // the claimed record's handler runs; without it, the record is skipped
	slotClosed uint64 = 1 << 63
)

// slot returns the slot of worker w, or nil when no supervisor runs.
func (r *run[R]) slot(w int) *slot {
	if r.slots == nil {
		return nil
	}
	return &r.slots[w]
}

// claim makes the worker of s the owner of record i, to run its handler
// (run) or to skip it, and publishes the result the worker wrote before. It
// reports false when the supervisor has closed s: the worker must then
// leave record i alone and stop. Without a supervisor (s nil) it always
// succeeds.
func (s *slot) claim(i int, run bool) bool {
	if s == nil {
		return true
	}
	v := uint64(i+1) << 1
	if run {
		v |= slotRun
	}
	if !s.v.CompareAndSwap(s.cur, v) {
		return false
	}
	s.cur = v
	return true
}

// release publishes the last result of the worker of s, which claims no
// record after it.
func (s *slot) release() {
	if s != nil {
		s.v.CompareAndSwap(s.cur, 0)
		s.cur = 0
	}
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
	r.abandon()
}

// abandon is the supervisor's side of the protocol described at slot: it
// closes every slot, and gives ErrDeadline to the records the workers were
// handling then and to those they had not reached.
func (r *run[R]) abandon() {
	r.late.notStarted = r.notStartedErr()
	r.late.abandoned = fmt.Errorf("%w: handler still running %v after its context was cancelled; abandoned", ErrDeadline, r.grace)
	for w := range r.slots {
		v := r.slots[w].v.Swap(slotClosed)
		if v == 0 {
			continue
		}
		res := &r.res[v>>1-1]
		res.late = lateNotStarted
		if v&slotRun != 0 {
			res.late = lateAbandoned
		}
	}
	for i := range r.res {
		// late first: the state of a record taken above may still be
		// written by its worker.
		if res := &r.res[i]; res.late == 0 && res.state == 0 {
			res.late = lateNotStarted
		}
	}
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
	return r.cancelled() || r.near.Load() && !time.Now().Before(r.soft())
}

// handle claims record i for the worker of s, runs its handler and records
// its outcome. ok reports whether the record succeeded; live is false when
// the claim failed, and the worker must stop (see slot).
func (r *run[R]) handle(s *slot, i int) (ok, live bool) {
	if !s.claim(i, true) {
		return false, false
	}
	err := r.call(i)
	if err == nil {
		r.res[i].set(Succeeded, nil)
		return true, true
	}
	r.res[i].set(Failed, err)
	return false, true
}

// skip claims record i for the worker of s and gives it, without running
// it, the outcome NotProcessed with err. It reports false when the claim
// failed, and the worker must stop (see slot).
func (r *run[R]) skip(s *slot, i int, err error) bool {
	if !s.claim(i, false) {
		return false
	}
	r.res[i].set(NotProcessed, err)
	return true
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

// sequential handles the records one at a time, in input order, as the
// worker of s.
func (r *run[R]) sequential(s *slot, keyed bool) {
	defer s.release()
	var (
		stopped    error            // set once a failure stops the batch
		failedKeys map[string]error // keys whose later records are skipped
	)
	for i := range r.records {
		// A record reached after the deadline carries ErrDeadline even when
		// an earlier failure would also skip it: the deadline is what ended
		// the batch from here on.
		if r.stopped() {
			r.skipRest(s, i)
			return
		}
		if stopped != nil {
			if !r.skip(s, i, stopped) {
				return
			}
			continue
		}
		var k string
		if r.skipGroup && keyed {
			k = r.key(i)
			if err, ok := failedKeys[k]; ok && k != "" {
				if !r.skip(s, i, err) {
					return
				}
				continue
			}
		}
		ok, live := r.handle(s, i)
		if ok {
			continue
		}
		if !live {
			return
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
func (r *run[R]) skipRest(s *slot, from int) {
	err := r.notStartedErr()
	for i := from; i < len(r.records); i++ {
		if !r.skip(s, i, err) {
			return
		}
	}
}

// parallel handles independent records with up to workers goroutines.
func (r *run[R]) parallel(workers int) {
	r.pool(len(r.records), workers, func(s *slot, i int) bool {
		if r.stopped() {
			return r.skip(s, i, r.notStartedErr())
		}
		_, live := r.handle(s, i)
		return live
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
	r.pool(len(groups), workers, func(s *slot, g int) bool { return r.group(s, groups[g]) })
}

// pool calls do(s, 0) … do(s, n-1) from min(workers, n) goroutines (n when
// workers is negative), each taking the next index until none is left or
// do returns false, and returns when all are done. Goroutine w passes
// r.slot(w) as s.
func (r *run[R]) pool(n, workers int, do func(s *slot, i int) bool) {
	if workers < 0 || workers > n {
		workers = n
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func(s *slot) {
			defer wg.Done()
			defer s.release()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || !do(s, i) {
					return
				}
			}
		}(r.slot(w))
	}
	wg.Wait()
}

// group handles the records of one group in order, as the worker of s. It
// reports false when the worker must stop (see slot).
func (r *run[R]) group(s *slot, idx []int) bool {
	var skipped error
	for _, i := range idx {
		if r.stopped() { // the deadline first, as in sequential
			if !r.skip(s, i, r.notStartedErr()) {
				return false
			}
			continue
		}
		if skipped != nil {
			if !r.skip(s, i, skipped) {
				return false
			}
			continue
		}
		ok, live := r.handle(s, i)
		if !live {
			return false
		}
		if !ok && r.skipGroup {
			skipped = r.skippedErr(i)
		}
	}
	return true
}
