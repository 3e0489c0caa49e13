package batch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch"
)

// TestDeadlineRace stresses the race between the deadline supervisor and
// the workers: in every run, the handlers that start shortly before
// deadline − margin ignore their context and return around the hard
// deadline (deadline − margin/2), a little before or a little after the
// instant the supervisor abandons them, so that over the runs the worker
// and the supervisor each win some of these records. Whoever wins, each
// record must end with exactly one outcome that agrees with what its
// handler did, and that outcome must not change once Process has returned,
// when the abandoned handlers finish: neither in the Report, a snapshot
// taken before Process returns, nor in the response. Run it repeatedly to
// widen the search:
//
//	go test -race -run TestDeadlineRace -count 20 .
func TestDeadlineRace(t *testing.T) {
	runs := 4
	if testing.Short() {
		runs = 2
	}
	for _, c := range []struct {
		name    string
		opts    batch.Options
		ordered bool // records of one key in order (the group path)
		fail    int  // 1 in fail quick handlers fails; 0: none
		stop    bool // a failure stops the rest: quick handlers never fail
	}{
		{name: "sequential", opts: batch.Options{}, fail: 10},
		{name: "sequential-stop", opts: batch.Options{StopOnFirstFailure: true}, stop: true},
		{name: "sequential-skipgroup", opts: batch.Options{Concurrency: 1, SkipGroupOnError: true}, ordered: true, fail: 10},
		{name: "parallel", opts: batch.Options{Concurrency: 3}, fail: 10},
		{name: "groups", opts: batch.Options{Concurrency: 3}, ordered: true, fail: 10},
		{name: "groups-skipgroup", opts: batch.Options{Concurrency: 3, SkipGroupOnError: true}, ordered: true, fail: 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			var won, lost int // straddling handlers that returned nil: reported succeeded / abandoned
			for run := 0; run < runs; run++ {
				seed := time.Now().UnixNano()
				w, l := raceOnce(t, c.opts, c.ordered, c.fail, seed)
				won, lost = won+w, l+lost
				if t.Failed() {
					t.Fatalf("seed %d", seed)
				}
			}
			t.Logf("handlers that returned nil around the hard deadline: %d reported succeeded, %d abandoned", won, lost)
		})
	}
}

// raceOnce runs one batch cut by its deadline and checks its report; see
// TestDeadlineRace. It returns how many handlers that returned nil after
// deadline − margin were reported succeeded (won) and abandoned (lost).
func raceOnce(t *testing.T, opts batch.Options, ordered bool, fail int, seed int64) (won, lost int) {
	t.Helper()
	const (
		n       = 300
		timeout = 50 * time.Millisecond
		margin  = 20 * time.Millisecond // at most half the timeout, so used as is
		keys    = 4
	)
	opts.DeadlineMargin = margin
	rng := rand.New(rand.NewSource(seed))

	// What each handler did, written by the handler's goroutine and read
	// once every handler has returned.
	type trace struct {
		called   atomic.Bool
		returned atomic.Int32 // 0: not returned, 1: nil, 2: an error
		at       atomic.Int64 // when it returned, in ns since start
	}
	traces := make([]trace, n)
	jitter := make([]time.Duration, n) // straddlers return at hard + jitter
	fails := make([]bool, n)
	records := make([]rec, n)
	for i := range records {
		records[i] = rec{ID: fmt.Sprintf("r%d", i), Key: fmt.Sprintf("k%d", i%keys)}
		jitter[i] = time.Duration(rng.Int63n(int64(time.Millisecond))) - 500*time.Microsecond
		if fail > 0 {
			fails[i] = rng.Intn(fail) == 0
		} else {
			fails[i] = rng.Intn(2) == 0 && i > 0 // only straddlers fail, see below
		}
	}
	var key func(rec) string // a key makes Records keep each key's records in order
	if ordered {
		key = recKey
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	soft, hard := deadline.Add(-margin), deadline.Add(-margin/2)
	var running atomic.Int32
	h := func(ctx context.Context, r rec) error {
		running.Add(1)
		defer running.Add(-1)
		var i int
		fmt.Sscanf(r.ID, "r%d", &i)
		tr := &traces[i]
		tr.called.Store(true)
		var err error
		if now := time.Now(); now.Before(soft.Add(-2 * time.Millisecond)) {
			// Quick: well before the soft deadline.
			time.Sleep(200 * time.Microsecond)
			if fail > 0 && fails[i] {
				err = errAsked
			}
		} else {
			// A straddler: started just before the soft deadline (or, if
			// the engine is wrong, after it), it ignores its context and
			// returns around the hard deadline.
			for target := hard.Add(jitter[i]); time.Now().Before(target); {
				runtime.Gosched()
			}
			if fails[i] {
				err = errAsked
			}
		}
		tr.at.Store(int64(time.Since(start)))
		if err != nil {
			tr.returned.Store(2)
		} else {
			tr.returned.Store(1)
		}
		return err
	}

	resp, rep := batch.New(batch.Records(recID, key), h, opts).Process(ctx, records)
	if now := time.Now(); !now.Before(deadline) {
		// TestDeadline and others hold the engine to the deadline; here,
		// many short runs on a shared machine, a late return is only the
		// scheduler's doing.
		t.Logf("returned %v after the deadline", now.Sub(deadline))
	}
	first := append([]batch.Result[rec](nil), rep.Results...)

	// Let the abandoned handlers finish: their late results must change
	// nothing. A worker that won a record calls its handler at once, so
	// once none runs for a while, none will.
	for quiet := 0; quiet < 3; {
		time.Sleep(time.Millisecond)
		if running.Load() == 0 {
			quiet++
		} else {
			quiet = 0
		}
	}
	final := rep.Results
	if len(final) != n {
		t.Fatalf("got %d results, want %d", len(final), n)
	}

	softAt := soft.Sub(start)
	for i, r := range final {
		tr := &traces[i]
		called, ret, at := tr.called.Load(), tr.returned.Load(), time.Duration(tr.at.Load())
		if f := first[i]; f.Outcome != r.Outcome || f.Err != r.Err {
			t.Errorf("%s: reported %v (%v) when Process returned, %v (%v) after its handler finished", r.ID, f.Outcome, f.Err, r.Outcome, r.Err)
		}
		if (r.Err == nil) != (r.Outcome == batch.Succeeded) {
			t.Errorf("%s: outcome %v with error %v", r.ID, r.Outcome, r.Err)
		}
		switch r.Outcome {
		case batch.Succeeded:
			if ret != 1 {
				t.Errorf("%s: reported succeeded, but the handler (called %v) did not return nil", r.ID, called)
			}
		case batch.NotProcessed:
			if called {
				t.Errorf("%s: reported not processed (%v), but the handler was called", r.ID, r.Err)
			}
			if !errors.Is(r.Err, batch.ErrDeadline) && !errors.Is(r.Err, batch.ErrSkipped) {
				t.Errorf("%s: not processed with %v, want ErrDeadline or ErrSkipped", r.ID, r.Err)
			}
		case batch.Failed:
			switch {
			case !called:
				t.Errorf("%s: reported failed (%v), but the handler was never called", r.ID, r.Err)
			case ret == 2 && errors.Is(r.Err, errAsked):
				// The handler's own failure.
			case errors.Is(r.Err, batch.ErrDeadline):
				// Abandoned: the handler had not returned when the
				// supervisor took the record, which is after the soft
				// deadline; a handler that returned before it had the
				// grace, half a margin, to be recorded.
				if ret != 0 && at < softAt {
					t.Errorf("%s: returned at %v, before the soft deadline (%v), but was abandoned", r.ID, at, softAt)
				}
				if ret == 1 {
					lost++
				}
			default:
				t.Errorf("%s: failed with %v, but the handler returned %d", r.ID, r.Err, ret)
			}
		default:
			t.Errorf("%s: outcome %v", r.ID, r.Outcome)
		}
		if r.Outcome == batch.Succeeded && at >= softAt {
			won++
		}
	}

	// The response lists exactly the records that did not succeed, as the
	// report has them.
	want := []string{}
	for _, r := range final {
		if r.Outcome != batch.Succeeded {
			want = append(want, r.ID)
		}
	}
	if !equalStrings(resp, want) {
		t.Errorf("got response %v, want the records that did not succeed, %v", resp, want)
	}

	// A worker records a record's outcome before it starts the next record
	// it handles. So when a later record of the same sequence (the batch,
	// when one worker handles it in order; the key, when records are
	// grouped) was called, an earlier one whose handler returned was
	// recorded by the worker, with the handler's result, whatever the
	// supervisor did.
	sequential := opts.Concurrency <= 1 || opts.StopOnFirstFailure
	if sequential || ordered {
		for i := range final {
			if traces[i].returned.Load() == 0 {
				continue
			}
			for j := i + 1; j < n; j++ {
				if !sequential && j%keys != i%keys {
					continue
				}
				if !traces[j].called.Load() {
					continue
				}
				want := batch.Succeeded
				if traces[i].returned.Load() == 2 {
					want = batch.Failed
				}
				if r := final[i]; r.Outcome != want || (want == batch.Failed && !errors.Is(r.Err, errAsked)) {
					t.Errorf("%s: reported %v (%v), but its handler returned (%d) and %s, later in its sequence, was called", r.ID, r.Outcome, r.Err, traces[i].returned.Load(), final[j].ID)
				}
				break
			}
		}
	}
	return won, lost
}
