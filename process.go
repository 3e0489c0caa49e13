package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// This file is the engine: it runs a recordFunc over the records of a batch
// with the ordering policy and the concurrency of the Options, and gives
// every record one outcome. The deadline's part of it is in deadline.go.

// plan is what the engine is given for one batch: the records, what it
// needs to know about them, and what to call for each.
type plan[R any] struct {
	records []R
	id      func(*R) string // identifier, for errors; may be nil
	key     func(*R) string // ordering key; may be nil
	ordered bool            // records of one key stay in order (streams)
	fifo    bool            // a FIFO queue's batch: a failure stops the batch
	h       recordFunc[R]

	// raw is the JSON of each record, for the decoders of
	// Source.DecodeJSON; nil when not at hand. complete, if not nil,
	// builds into a record what the event decoder left out of it.
	raw      [][]byte
	complete func(rec *R, raw []byte)
}

// policy is how a run classifies and diverts failures (see
// Options.TransientDecodeErrors and Options.Divert).
type policy struct {
	transientDecode bool
	divert          func(ctx context.Context, f Failure) error
}

// permanent reports whether err is a permanent failure.
func (p *policy) permanent(err error) bool {
	if errors.Is(err, ErrPermanent) {
		return true
	}
	if p.transientDecode {
		return false
	}
	var de *DecodeError
	var ve *ValidationError
	return errors.As(err, &de) || errors.As(err, &ve)
}

// process runs the records of p according to o and returns the run, whose
// results hold one outcome per record. It never panics because of a
// handler: a panic fails its record with a *PanicError. It returns once
// every record has an outcome; no goroutine it started is left running,
// except the goroutine of a handler abandoned at the deadline (see
// Options.DeadlineMargin), which ends when that handler returns.
func process[R any](ctx context.Context, o Options, p plan[R]) *run[R] {
	r := &run[R]{
		records: p.records,
		id:      p.id,
		keyOf:   p.key,
		h:       p.h,
		raw:     p.raw,
		res:     make([]result, len(p.records)),
		rctx:    make([]recordCtx, len(p.records)),
		timeout: o.RecordTimeout,
		policy:  policy{transientDecode: o.TransientDecodeErrors, divert: o.Divert},
	}
	if p.complete != nil && p.raw != nil {
		r.complete = p.complete
		r.built = make([]atomic.Bool, len(p.records))
	}
	r.keyed = (p.ordered || p.fifo) && p.key != nil
	r.stop = o.StopOnFirstFailure || (p.fifo && !o.SkipGroupOnError)
	r.skipGroup = !r.stop && o.SkipGroupOnError && r.keyed

	workers := o.Concurrency
	if workers == 0 || r.stop {
		workers = 1
	}
	if len(p.records) == 0 {
		return r
	}
	var cancel context.CancelFunc
	ctx, cancel = r.deadline(ctx, o)
	defer cancel()
	r.ctx, r.done = ctx, ctx.Done()
	if r.guarded {
		// One slot per goroutine that handles records: pool starts at most
		// this many.
		switch n := workers; {
		case n == 1:
			r.slots = r.one[:]
		case n < 0 || n > len(p.records):
			r.slots = make([]slot, len(p.records))
		default:
			r.slots = make([]slot, n)
		}
	}
	switch {
	case workers == 1:
		r.supervise(func() { r.sequential(r.slot(0)) })
	case r.keyed:
		r.supervise(func() { r.groups(workers) })
	default:
		r.supervise(func() { r.parallel(workers) })
	}
	return r
}

// run is the state of one call of process.
type run[R any] struct {
	ctx       context.Context
	done      <-chan struct{} // ctx.Done(), for cancelled before Go 1.25
	records   []R
	id        func(*R) string
	keyOf     func(*R) string
	h         recordFunc[R]
	timeout   time.Duration
	policy    policy
	keyed     bool // records of one key are handled in order, one at a time
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

	// raw is the JSON of each record (see plan). With complete, a record
	// is built whole, once (built[i]), before anything but its decoder
	// sees it; buildMu serializes the building.
	raw      [][]byte
	complete func(rec *R, raw []byte)
	built    []atomic.Bool
	buildMu  sync.Mutex
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
	if r.policy.divert != nil && r.policy.permanent(err) {
		derr := r.divert(i, err)
		if derr == nil {
			// Out of the way: the records after it may go on.
			r.res[i].set(Diverted, err)
			return true, true
		}
		err = fmt.Errorf("%w (not diverted: %w)", err, derr)
	}
	r.res[i].set(Failed, err)
	return false, true
}

// divert hands record i, which failed permanently with err, to
// Options.Divert, turning a panic into a *PanicError.
func (r *run[R]) divert(i int, err error) (derr error) {
	returned := false
	defer func() {
		if !returned {
			derr = panicError(recover())
		}
	}()
	derr = r.policy.divert(&r.rctx[i], Failure{Record: r.record(i), Err: err, Permanent: true, Outcome: Failed, Group: r.groupOf(i)})
	returned = true
	return derr
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

// call runs the chain for record i, turning a panic into a *PanicError (a
// panic of the handler is recovered innermost, by recovering; this catches
// those of middleware). A call that did not return normally panicked,
// whatever recover gives back: with GODEBUG=panicnil=1, panic(nil)
// recovers as nil.
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

// invoke runs the chain for record i, in the record's context.
func (r *run[R]) invoke(i int) error {
	rc := &r.rctx[i]
	*rc = recordCtx{Context: r.ctx, run: r, index: int32(i)}
	ctx := context.Context(rc)
	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	return r.h(ctx, i, &r.records[i])
}

// record describes record i for RecordFrom.
func (r *run[R]) record(i int) Record {
	r.whole(i)
	return Record{Index: i, BatchSize: len(r.records), ID: r.ident(i), Value: &r.records[i]}
}

// whole builds what the event decoder left out of record i (see
// Source.DecodeJSON), if it did and has not been built yet.
func (r *run[R]) whole(i int) {
	if r.complete == nil || r.built[i].Load() {
		return
	}
	r.buildMu.Lock()
	defer r.buildMu.Unlock()
	if !r.built[i].Load() {
		r.complete(&r.records[i], r.raw[i])
		r.built[i].Store(true)
	}
}

// forDecoder returns a copy of record i and its JSON, for a decoder of
// Source.DecodeJSON; r.raw is not nil. The copy is made under buildMu when
// the record may be built whole meanwhile: a handler abandoned at the
// deadline may still be decoding when its Failure is made.
func (r *run[R]) forDecoder(i int) (R, []byte) {
	if r.complete == nil {
		return r.records[i], r.raw[i]
	}
	r.buildMu.Lock()
	defer r.buildMu.Unlock()
	return r.records[i], r.raw[i]
}

// size is the number of records of the run.
func (r *run[R]) size() int { return len(r.records) }

// skippedErr is the error of the records skipped because record i failed.
func (r *run[R]) skippedErr(i int) error {
	id := r.ident(i)
	if id == "" {
		return fmt.Errorf("%w: record %d failed", ErrSkipped, i)
	}
	return fmt.Errorf("%w: record %d (%s) failed", ErrSkipped, i, id)
}

// groupOf returns the ordering group record i is handled in: its key when
// the records of a key stay in order, or "".
func (r *run[R]) groupOf(i int) string {
	if !r.keyed {
		return ""
	}
	return r.key(i)
}

// key returns the ordering key of record i, or "".
func (r *run[R]) key(i int) string {
	if r.keyOf == nil {
		return ""
	}
	return r.keyOf(&r.records[i])
}

// sequential handles the records one at a time, in input order, as the
// worker of s.
func (r *run[R]) sequential(s *slot) {
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
		if r.skipGroup {
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
