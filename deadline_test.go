//go:build legacy

package batch_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch"
)

func TestConcurrencyIsBounded(t *testing.T) {
	for _, tt := range []struct {
		workers, records, wantMax int
	}{
		{0, 10, 1},
		{1, 10, 1},
		{4, 30, 4},
		{100, 3, 3},
		{-1, 7, 7},
	} {
		t.Run(fmt.Sprintf("workers=%d records=%d", tt.workers, tt.records), func(t *testing.T) {
			var inFlight, max atomic.Int32
			base := runtime.NumGoroutine()
			var maxGoroutines atomic.Int32
			h := func(ctx context.Context, r rec) error {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for {
					m := max.Load()
					if n <= m || max.CompareAndSwap(m, n) {
						break
					}
				}
				if g := int32(runtime.NumGoroutine() - base); g > maxGoroutines.Load() {
					maxGoroutines.Store(g)
				}
				time.Sleep(2 * time.Millisecond)
				return nil
			}
			rep := batch.Process(context.Background(), batch.Processor{Concurrency: tt.workers}, recs(make([]string, tt.records)...), recSource(), h)
			if rep.Count(batch.Succeeded) != tt.records {
				t.Fatalf("got %d succeeded, want %d", rep.Count(batch.Succeeded), tt.records)
			}
			if got := int(max.Load()); got > tt.wantMax {
				t.Errorf("got %d records in flight at once, want at most %d", got, tt.wantMax)
			}
			if got := int(maxGoroutines.Load()); got > tt.wantMax {
				t.Errorf("got %d extra goroutines, want at most %d", got, tt.wantMax)
			}

			// With a deadline, as in Lambda, one more goroutine carries the
			// work while the caller watches the clock; no more than that.
			// Workers of the first call may still be exiting: wait for them,
			// so that they are not counted as goroutines of the second.
			for end := time.Now().Add(time.Second); runtime.NumGoroutine() > base && time.Now().Before(end); {
				time.Sleep(time.Millisecond)
			}
			max.Store(0)
			maxGoroutines.Store(0)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rep = batch.Process(ctx, batch.Processor{Concurrency: tt.workers}, recs(make([]string, tt.records)...), recSource(), h)
			if rep.Count(batch.Succeeded) != tt.records {
				t.Fatalf("with a deadline: got %d succeeded, want %d", rep.Count(batch.Succeeded), tt.records)
			}
			if got := int(max.Load()); got > tt.wantMax {
				t.Errorf("with a deadline: got %d records in flight at once, want at most %d", got, tt.wantMax)
			}
			if got := int(maxGoroutines.Load()); got > tt.wantMax+1 {
				t.Errorf("with a deadline: got %d extra goroutines, want at most %d", got, tt.wantMax+1)
			}
		})
	}
}

// TestConcurrencyReachesTheWorkerCount proves records really run in
// parallel: each of the 4 records waits until all 4 have started, which only
// happens when 4 run at once.
func TestConcurrencyReachesTheWorkerCount(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(4)
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	h := func(ctx context.Context, r rec) error {
		wg.Done()
		select {
		case <-all:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("the other records never started")
		}
	}
	rep := batch.Process(context.Background(), batch.Processor{Concurrency: 4}, recs("ok", "ok", "ok", "ok"), recSource(), h)
	if rep.Err() != nil || rep.Count(batch.Succeeded) != 4 {
		t.Errorf("got %v, %d succeeded; want all 4 to meet", rep.Err(), rep.Count(batch.Succeeded))
	}
}

func TestResultsInInputOrderWhateverTheCompletionOrder(t *testing.T) {
	specs := make([]string, 20)
	for i := range specs {
		specs[i] = "ok"
		if i%3 == 0 {
			specs[i] = "fail"
		}
	}
	records := recs(specs...)
	h := func(ctx context.Context, r rec) error {
		var i int
		fmt.Sscanf(r.ID, "r%d", &i)
		time.Sleep(time.Duration(20-i) * 100 * time.Microsecond) // later records finish first
		return doRecord(ctx, r)
	}
	rep := batch.Process(context.Background(), batch.Processor{Concurrency: 8}, records, recSource(), h)
	var want []string
	for i, s := range specs {
		if s == "fail" {
			want = append(want, records[i].ID)
		}
	}
	if got := rep.FailedIDs(); !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// slowRecords returns a handler that takes d per record, honouring ctx, and
// the set of records it completed successfully.
func slowRecords(d time.Duration) (batch.Handler[rec], *sync.Map) {
	var done sync.Map
	return func(ctx context.Context, r rec) error {
		select {
		case <-time.After(d):
			done.Store(r.ID, true)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}, &done
}

func TestDeadline(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			h, done := slowRecords(20 * time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
			defer cancel()
			deadline, _ := ctx.Deadline()
			records := recs(make([]string, 60)...) // 60 × 20 ms is far beyond 400 ms
			rep := batch.Process(ctx, batch.Processor{Concurrency: workers, DeadlineMargin: 150 * time.Millisecond}, records, recSource(), h)
			returned := time.Now()

			if !returned.Before(deadline) {
				t.Errorf("returned %v after the deadline, want before it", returned.Sub(deadline))
			}
			checkDeadlineReport(t, rep, done)
		})
	}
}

// TestDeadlineWithOrderedGroups runs the deadline through the group path
// (ordered records, keys handled in parallel, each key in order): no
// handler starts after deadline − margin, every record not started carries
// ErrDeadline, and the response lists exactly the records that did not
// complete.
func TestDeadlineWithOrderedGroups(t *testing.T) {
	for _, p := range []batch.Processor{
		{Concurrency: 2, DeadlineMargin: 150 * time.Millisecond},
		{Concurrency: 2, SkipGroupOnError: true, DeadlineMargin: 150 * time.Millisecond},
		{Concurrency: -1, SkipGroupOnError: true, DeadlineMargin: 150 * time.Millisecond},
	} {
		t.Run(fmt.Sprintf("workers=%d skipgroup=%v", p.Concurrency, p.SkipGroupOnError), func(t *testing.T) {
			slow, done := slowRecords(20 * time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
			defer cancel()
			deadline, _ := ctx.Deadline()
			stopAt := deadline.Add(-p.DeadlineMargin)
			var lateStarts atomic.Int32
			h := func(ctx context.Context, r rec) error {
				// The engine reads the clock just before calling the handler;
				// the 2 ms allow for the race detector and preemption between
				// that check and this one.
				if time.Now().After(stopAt.Add(2 * time.Millisecond)) {
					lateStarts.Add(1)
				}
				return slow(ctx, r)
			}
			// 40 records over 3 keys: far more than fits before the deadline.
			records := make([]rec, 40)
			for i := range records {
				records[i] = rec{ID: fmt.Sprintf("r%d", i), Key: fmt.Sprintf("k%d", i%3)}
			}
			src := recSource()
			src.Ordered = true
			rep := batch.Process(ctx, p, records, src, h)
			if now := time.Now(); !now.Before(deadline) {
				t.Errorf("returned %v after the deadline, want before it", now.Sub(deadline))
			}
			if n := lateStarts.Load(); n > 0 {
				t.Errorf("%d handlers started after deadline − margin, want none", n)
			}
			checkDeadlineReport(t, rep, done)
		})
	}
}

// checkDeadlineReport checks the report of a batch cut by its deadline,
// given the records whose handler completed successfully (done): a record
// is reported succeeded exactly when it completed, the records not started
// carry ErrDeadline, the deadline cut the batch in two (some succeeded,
// some not started), and the response lists exactly the records that did
// not complete.
func checkDeadlineReport(t *testing.T, rep *batch.Report[rec], done *sync.Map) {
	t.Helper()
	notStarted := 0
	var want []string
	for _, r := range rep.Results() {
		_, completed := done.Load(r.ID)
		if !completed {
			want = append(want, r.ID)
		}
		if r.Outcome == batch.Succeeded && !completed {
			t.Errorf("%s: reported succeeded but the handler did not complete", r.ID)
		}
		if r.Outcome != batch.Succeeded && completed {
			t.Errorf("%s: completed successfully but reported %v: %v", r.ID, r.Outcome, r.Err)
		}
		if r.Outcome == batch.NotProcessed {
			notStarted++
			if !errors.Is(r.Err, batch.ErrDeadline) {
				t.Errorf("%s: not started with %v, want ErrDeadline", r.ID, r.Err)
			}
		}
	}
	if notStarted == 0 {
		t.Error("no record was left unstarted, want the deadline to stop the batch")
	}
	if rep.Count(batch.Succeeded) == 0 {
		t.Error("no record succeeded, want the ones before the deadline to")
	}
	if got := rep.FailedIDs(); !equalStrings(got, want) {
		t.Errorf("got failures %v, want %v", got, want)
	}
}

func TestDeadlineAbandonsHandlersThatIgnoreCancellation(t *testing.T) {
	release := make(chan struct{})
	var finished sync.WaitGroup
	finished.Add(1)
	h := func(ctx context.Context, r rec) error {
		if r.ID == "r1" {
			defer finished.Done()
			<-release // ignores ctx
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	rep := batch.Process(ctx, batch.Processor{DeadlineMargin: 100 * time.Millisecond}, recs("ok", "ok", "ok"), recSource(), h)
	if now := time.Now(); !now.Before(deadline) {
		t.Errorf("returned %v after the deadline, want before it", now.Sub(deadline))
	}
	close(release)
	finished.Wait() // the abandoned handler ends; the leak check then passes

	want := []batch.Outcome{batch.Succeeded, batch.Failed, batch.NotProcessed}
	for i, w := range want {
		r := rep.Result(i)
		if r.Outcome != w {
			t.Errorf("record %d: got %v (%v), want %v", i, r.Outcome, r.Err, w)
		}
		if i > 0 && !errors.Is(r.Err, batch.ErrDeadline) {
			t.Errorf("record %d: got %v, want ErrDeadline", i, r.Err)
		}
	}
}

func TestDeadlineAlreadyPassed(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	called := false
	rep := batch.Process(ctx, batch.Processor{}, recs("ok", "ok"), recSource(), func(context.Context, rec) error {
		called = true
		return nil
	})
	if called {
		t.Error("handler called after the deadline")
	}
	var be *batch.BatchError
	if !errors.As(rep.Err(), &be) || !errors.Is(rep.Err(), batch.ErrDeadline) {
		t.Errorf("got %v, want a *BatchError of ErrDeadline records", rep.Err())
	}
}

func TestShortInvocationStillStartsRecords(t *testing.T) {
	// 200 ms left and the default 500 ms margin: the margin shrinks to half
	// the time left, so records are still tried.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	rep := batch.Process(ctx, batch.Processor{}, recs("ok", "ok"), recSource(), doRecord)
	if rep.Count(batch.Succeeded) != 2 {
		t.Errorf("got %d succeeded, want 2: %v", rep.Count(batch.Succeeded), rep.Err())
	}
}

func TestIgnoreDeadline(t *testing.T) {
	// 20 records of 100 ms each need 2 s; the deadline is 3 s away and the
	// margin 1.5 s, so deadline handling stops the batch at about 1.5 s,
	// while IgnoreDeadline lets every record run, with 1 s to spare for a
	// loaded machine.
	run := func(ignore bool) *batch.Report[rec] {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		h := func(ctx context.Context, r rec) error {
			time.Sleep(100 * time.Millisecond)
			return nil
		}
		p := batch.Processor{IgnoreDeadline: ignore, DeadlineMargin: 1500 * time.Millisecond}
		return batch.Process(ctx, p, recs(make([]string, 20)...), recSource(), h)
	}
	if rep := run(true); rep.Count(batch.Succeeded) != 20 {
		t.Errorf("IgnoreDeadline: got %d succeeded, want all 20: %v", rep.Count(batch.Succeeded), rep.Err())
	}
	if rep := run(false); rep.Count(batch.NotProcessed) == 0 {
		t.Error("deadline handling on: got every record started, want the margin to stop some")
	}
}

func TestCallerCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h := func(ctx context.Context, r rec) error {
		if r.ID == "r1" {
			cancel()
			return ctx.Err()
		}
		return nil
	}
	rep := batch.Process(ctx, batch.Processor{}, recs("ok", "ok", "ok", "ok"), recSource(), h)
	if got := rep.FailedIDs(); !equalStrings(got, []string{"r1", "r2", "r3"}) {
		t.Errorf("got %v, want [r1 r2 r3]", got)
	}
	if r := rep.Result(3); r.Outcome != batch.NotProcessed || !errors.Is(r.Err, batch.ErrCanceled) || !errors.Is(r.Err, context.Canceled) {
		t.Errorf("got %v / %v, want not processed with ErrCanceled wrapping context.Canceled", r.Outcome, r.Err)
	}
}

func TestRecordTimeout(t *testing.T) {
	h := func(ctx context.Context, r rec) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("no per-record deadline")
		}
		if r.Do == "block" {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	rep := batch.Process(context.Background(), batch.Processor{RecordTimeout: 20 * time.Millisecond, Concurrency: 2}, recs("ok", "block", "ok"), recSource(), h)
	if got := rep.FailedIDs(); !equalStrings(got, []string{"r1"}) {
		t.Errorf("got %v, want [r1]", got)
	}
	if err := rep.Result(1).Err; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
}
