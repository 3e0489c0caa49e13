package batch

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// This file is the deadline's part of the engine: the outcome of a record
// as the workers and the supervisor write it, the slots through which they
// agree on who writes it, and the supervisor that stops the run in time.

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
func (r *run[R]) deadline(ctx context.Context, o Options) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return ctx, func() {}
	}
	if o.Reserve > 0 {
		// Time kept for the caller's work after the records: the records
		// run as if the deadline came that much earlier.
		reserve := o.Reserve
		if left := time.Until(dl); reserve > left/2 {
			reserve = left / 2
		}
		if reserve > 0 {
			dl = dl.Add(-reserve)
			ctx, cancelReserve := context.WithDeadline(ctx, dl)
			if o.DeadlineMargin < 0 {
				return ctx, cancelReserve
			}
			ctx, cancel := r.margin(ctx, dl, o)
			return ctx, func() { cancel(); cancelReserve() }
		}
	}
	if o.DeadlineMargin < 0 {
		return ctx, func() {}
	}
	return r.margin(ctx, dl, o)
}

// margin sets the soft and hard deadlines of the run from dl, the deadline
// the records run under, and derives the records' context.
func (r *run[R]) margin(ctx context.Context, dl time.Time, o Options) (context.Context, context.CancelFunc) {
	margin := o.DeadlineMargin
	if margin == 0 {
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

// retryContext returns the context Options.Retry runs under: ctx, ending
// half a margin (grace) before ctx's deadline when deadline handling is on,
// so that a slow failure policy cannot keep the call from returning its
// response in time, as an abandoned handler cannot.
func (r *run[R]) retryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || !r.guarded {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, dl.Add(-r.grace))
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
