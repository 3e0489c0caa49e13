package batch

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// These tests put the supervisor's move (abandon) at chosen points of a
// worker's progress, by calling it from a handler or from the plan's id or
// key function, so that each interleaving of the slot protocol is checked
// every time rather than by chance. No clock is involved: the run has no
// deadline, so only the slots can stop the workers. TestDeadlineRace checks
// the real race.

// guardedRun is the run process makes of the records 0 … n-1 with p
// (whose records it sets) and o, guarded as under a deadline, with workers
// slots, but without the deadline and not started: the test calls the
// workers' loop and abandon itself.
func guardedRun(n, workers int, p plan[int], o Options) *run[int] {
	// process returns at once for a plan without records, with the run's
	// policy (keyed, stop, skipGroup) derived from p and o as for any batch.
	r := process(context.Background(), o, p)
	r.records = make([]int, n)
	for i := range r.records {
		r.records[i] = i
	}
	r.ctx = context.Background()
	r.done = r.ctx.Done()
	r.res = make([]result, n)
	r.rctx = make([]recordCtx, n)
	r.guarded = true
	r.slots = make([]slot, workers)
	return r
}

// outcomes returns each record's outcome and error as the report sees them.
func (r *run[R]) outcomes() ([]Outcome, []error) {
	os, errs := make([]Outcome, len(r.res)), make([]error, len(r.res))
	for i := range r.res {
		os[i], errs[i] = r.res[i].outcome(&r.late)
	}
	return os, errs
}

func TestSlotSupervisorTakesTheRunningRecord(t *testing.T) {
	var r *run[int]
	var called [6]atomic.Bool
	r = guardedRun(6, 1, plan[int]{h: func(_ context.Context, i int, _ *int) error {
		called[i].Store(true)
		if i == 2 {
			r.abandon() // the hard deadline passes while this handler runs
		}
		return nil // too late for record 2
	}}, Options{})
	r.sequential(r.slot(0))

	os, errs := r.outcomes()
	for i, want := range []Outcome{Succeeded, Succeeded, Failed, NotProcessed, NotProcessed, NotProcessed} {
		if os[i] != want {
			t.Errorf("record %d: got %v (%v), want %v", i, os[i], errs[i], want)
		}
		if want != Succeeded && !errors.Is(errs[i], ErrDeadline) {
			t.Errorf("record %d: got %v, want ErrDeadline", i, errs[i])
		}
		if got := called[i].Load(); got != (i <= 2) {
			t.Errorf("record %d: handler called %v, want %v", i, got, i <= 2)
		}
	}
}

// The handler of record 1 has returned, but the worker has not yet claimed
// the next record, which is when it would publish record 1's result: the
// supervisor takes record 1, and its handler's error is not reported.
func TestSlotSupervisorTakesAFinishedButUnpublishedRecord(t *testing.T) {
	var r *run[int]
	p := plan[int]{
		id: func(i *int) string {
			if *i == 1 {
				r.abandon() // skippedErr asks for the failed record's identifier
			}
			return fmt.Sprint(*i)
		},
		h: func(_ context.Context, i int, _ *int) error {
			if i == 1 {
				return errors.New("handler failure")
			}
			return nil
		},
	}
	r = guardedRun(4, 1, p, Options{StopOnFirstFailure: true})
	r.sequential(r.slot(0))

	os, errs := r.outcomes()
	for i, want := range []Outcome{Succeeded, Failed, NotProcessed, NotProcessed} {
		if os[i] != want || (want != Succeeded && !errors.Is(errs[i], ErrDeadline)) {
			t.Errorf("record %d: got %v (%v), want %v with ErrDeadline", i, os[i], errs[i], want)
		}
	}
}

// The worker has skipped record 1 (its key failed before) and not yet
// claimed record 2: the supervisor takes record 1 as not started, with
// ErrDeadline instead of ErrSkipped.
func TestSlotSupervisorTakesASkippedRecord(t *testing.T) {
	var r *run[int]
	var called [4]atomic.Bool
	p := plan[int]{
		key: func(i *int) string {
			if *i == 2 {
				r.abandon() // the key of the record after the skipped one
			}
			return "k"
		},
		ordered: true,
		h: func(_ context.Context, i int, _ *int) error {
			called[i].Store(true)
			return errors.New("handler failure")
		},
	}
	r = guardedRun(4, 1, p, Options{SkipGroupOnError: true})
	r.sequential(r.slot(0))

	os, errs := r.outcomes()
	if os[0] != Failed || errors.Is(errs[0], ErrDeadline) {
		t.Errorf("record 0: got %v (%v), want its handler's failure", os[0], errs[0])
	}
	for i := 1; i < 4; i++ {
		if os[i] != NotProcessed || !errors.Is(errs[i], ErrDeadline) || errors.Is(errs[i], ErrSkipped) {
			t.Errorf("record %d: got %v (%v), want not processed with ErrDeadline", i, os[i], errs[i])
		}
		if called[i].Load() {
			t.Errorf("record %d: handler called", i)
		}
	}
}

// Work that ended before the supervisor moved keeps every result.
func TestSlotSupervisorAfterTheWork(t *testing.T) {
	r := guardedRun(3, 2, plan[int]{h: func(_ context.Context, i int, _ *int) error {
		if i == 1 {
			return errors.New("handler failure")
		}
		return nil
	}}, Options{Concurrency: 2})
	r.parallel(2)
	r.abandon()

	os, errs := r.outcomes()
	for i, want := range []Outcome{Succeeded, Failed, Succeeded} {
		if os[i] != want || errors.Is(errs[i], ErrDeadline) {
			t.Errorf("record %d: got %v (%v), want %v", i, os[i], errs[i], want)
		}
	}
}

// With several workers, a worker whose slot is closed starts no handler,
// whether it was between records or in a handler at that moment.
func TestSlotSupervisorStopsEveryWorker(t *testing.T) {
	for _, keyed := range []bool{false, true} {
		t.Run(fmt.Sprintf("groups=%v", keyed), func(t *testing.T) {
			const n, workers = 40, 4
			var r *run[int]
			var closed atomic.Bool
			var calledAfter [n]atomic.Bool
			var called [n]atomic.Bool
			h := func(_ context.Context, i int, _ *int) error {
				called[i].Store(true)
				if closed.Load() {
					calledAfter[i].Store(true)
				}
				if i == n/2 {
					r.abandon()
					closed.Store(true)
				}
				return nil
			}
			p := plan[int]{key: func(i *int) string { return fmt.Sprint(*i % 7) }, ordered: keyed, h: h}
			r = guardedRun(n, workers, p, Options{Concurrency: workers})
			if keyed {
				r.groups(workers)
			} else {
				r.parallel(workers)
			}
			os, errs := r.outcomes()
			for i := range os {
				switch {
				case os[i] == NotProcessed && called[i].Load():
					t.Errorf("record %d: not processed (%v), but its handler was called", i, errs[i])
				case os[i] == Succeeded && calledAfter[i].Load():
					t.Errorf("record %d: succeeded, but its handler was called after the slots were closed", i)
				case os[i] != Succeeded && !errors.Is(errs[i], ErrDeadline):
					t.Errorf("record %d: got %v (%v), want ErrDeadline", i, os[i], errs[i])
				}
			}
			if os[n/2] != Failed {
				t.Errorf("record %d, running when the slots were closed: got %v, want failed", n/2, os[n/2])
			}
		})
	}
}
