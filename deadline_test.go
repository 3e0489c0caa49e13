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
			fn := batch.New(batch.Records(recID, recKey), h, batch.Options{Concurrency: tt.workers})
			_, rep := fn.Process(context.Background(), recs(make([]string, tt.records)...))
			if got := countOutcome(rep, batch.Succeeded); got != tt.records {
				t.Fatalf("got %d succeeded, want %d", got, tt.records)
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
			_, rep = fn.Process(ctx, recs(make([]string, tt.records)...))
			if got := countOutcome(rep, batch.Succeeded); got != tt.records {
				t.Fatalf("with a deadline: got %d succeeded, want %d", got, tt.records)
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
	_, rep := batch.New(batch.Records(recID, recKey), h, batch.Options{Concurrency: 4}).Process(context.Background(), recs("ok", "ok", "ok", "ok"))
	if rep.Err != nil || countOutcome(rep, batch.Succeeded) != 4 {
		t.Errorf("got %v, %d succeeded; want all 4 to meet", rep.Err, countOutcome(rep, batch.Succeeded))
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
	got, _ := batch.New(batch.Records(recID, recKey), h, batch.Options{Concurrency: 8}).Process(context.Background(), records)
	want := []string{}
	for i, s := range specs {
		if s == "fail" {
			want = append(want, records[i].ID)
		}
	}
	if !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// slowRecords returns a handler that takes d per record, honouring ctx, and
// the set of records it completed successfully.
func slowRecords(d time.Duration) (func(context.Context, rec) error, *sync.Map) {
	var done sync.Map
	return func(ctx context.Context, r rec) error {
		select {
		case <-time.After(d):
			done.Store(r.ID, time.Now())
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
			probe := startLagProbe(t)
			ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
			defer cancel()
			deadline, _ := ctx.Deadline()
			records := recs(make([]string, 90)...) // 90 × 20 ms is far beyond 600 ms
			fn := batch.New(batch.Records(recID, recKey), h, batch.Options{Concurrency: workers, DeadlineMargin: 250 * time.Millisecond})
			resp, rep := fn.Process(ctx, records)
			returned := time.Now()
			lag := probe.Lag(t)

			if !returned.Before(deadline.Add(lag)) {
				t.Errorf("returned %v after the deadline, want before it", returned.Sub(deadline))
			}
			checkDeadlineReport(t, resp, rep, done, deadline.Add(-125*time.Millisecond), lag)
		})
	}
}

// TestDeadlineWithOrderedGroups runs the deadline through the group path
// (ordered records, keys handled in parallel, each key in order): no
// handler starts after deadline − margin, every record not started carries
// ErrDeadline, and the response lists exactly the records that did not
// complete.
func TestDeadlineWithOrderedGroups(t *testing.T) {
	for _, opts := range []batch.Options{
		{Concurrency: 2, DeadlineMargin: 250 * time.Millisecond},
		{Concurrency: 2, SkipGroupOnError: true, DeadlineMargin: 250 * time.Millisecond},
		{Concurrency: -1, SkipGroupOnError: true, DeadlineMargin: 250 * time.Millisecond},
	} {
		t.Run(fmt.Sprintf("workers=%d skipgroup=%v", opts.Concurrency, opts.SkipGroupOnError), func(t *testing.T) {
			slow, done := slowRecords(20 * time.Millisecond)
			probe := startLagProbe(t)
			ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
			defer cancel()
			deadline, _ := ctx.Deadline()
			stopAt := deadline.Add(-opts.DeadlineMargin)
			var lateStarts atomic.Int32
			var latest atomic.Int64 // how far past stopAt the latest late start was
			h := func(ctx context.Context, r rec) error {
				if late := time.Since(stopAt); late > 0 {
					lateStarts.Add(1)
					if int64(late) > latest.Load() {
						latest.Store(int64(late))
					}
				}
				return slow(ctx, r)
			}
			// 60 records over 3 keys: far more than fits before the deadline.
			records := make([]rec, 60)
			for i := range records {
				records[i] = rec{ID: fmt.Sprintf("r%d", i), Key: fmt.Sprintf("k%d", i%3)}
			}
			// A key makes Records order them (the Ordered of the old Source).
			resp, rep := batch.New(batch.Records(recID, recKey), h, opts).Process(ctx, records)
			now := time.Now()
			lag := probe.Lag(t)
			if !now.Before(deadline.Add(lag)) {
				t.Errorf("returned %v after the deadline, want before it", now.Sub(deadline))
			}
			// The engine reads the clock just before calling the handler;
			// the 2 ms, and the scheduler's lag, allow for the race detector
			// and preemption between that check and the handler's.
			if n, late := lateStarts.Load(), time.Duration(latest.Load()); late > 2*time.Millisecond+lag {
				t.Errorf("%d handlers started after deadline − margin, the latest %v after, want none", n, late)
			}
			checkDeadlineReport(t, resp, rep, done, deadline.Add(-opts.DeadlineMargin/2), lag)
		})
	}
}

// checkDeadlineReport checks the report of a batch cut by its deadline,
// given the records whose handler completed successfully (done): a record
// is reported succeeded exactly when it completed, the records not started
// carry ErrDeadline, the deadline cut the batch in two (some succeeded,
// some not started), and the response lists exactly the records that did
// not complete.
//
// A handler that completed just before the abandon point (deadline − margin/2)
// may still be reported failed: between its return and the publication of
// its result, a loaded machine can deschedule the worker while the
// supervisor abandons the record. That is a duplicate delivery, never a
// lost record, and is accepted within lateSlack of the abandon point, which
// grows by the scheduler's lag during the test.
func checkDeadlineReport(t *testing.T, resp []string, rep *batch.Report[rec], done *sync.Map, abandonAt time.Time, lag time.Duration) {
	t.Helper()
	lateSlack := 50*time.Millisecond + lag
	notStarted := 0
	want := []string{}
	for _, r := range rep.Results {
		at, completed := done.Load(r.ID)
		abandonedLate := completed && r.Outcome == batch.Failed && errors.Is(r.Err, batch.ErrDeadline) &&
			!at.(time.Time).Before(abandonAt.Add(-lateSlack))
		if !completed || abandonedLate {
			want = append(want, r.ID)
		}
		if r.Outcome == batch.Succeeded && !completed {
			t.Errorf("%s: reported succeeded but the handler did not complete", r.ID)
		}
		if r.Outcome != batch.Succeeded && completed && !abandonedLate {
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
	if countOutcome(rep, batch.Succeeded) == 0 {
		t.Error("no record succeeded, want the ones before the deadline to")
	}
	if !equalStrings(resp, want) {
		t.Errorf("got failures %v, want %v", resp, want)
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
	probe := startLagProbe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	_, rep := batch.New(batch.Records(recID, recKey), h, batch.Options{DeadlineMargin: 100 * time.Millisecond}).Process(ctx, recs("ok", "ok", "ok"))
	if now := time.Now(); !now.Before(deadline.Add(probe.Lag(t))) {
		t.Errorf("returned %v after the deadline, want before it", now.Sub(deadline))
	}
	close(release)
	finished.Wait() // the abandoned handler ends; the leak check then passes

	want := []batch.Outcome{batch.Succeeded, batch.Failed, batch.NotProcessed}
	for i, w := range want {
		r := rep.Results[i]
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
	_, rep := batch.New(batch.Records(recID, recKey), func(context.Context, rec) error {
		called = true
		return nil
	}, batch.Options{}).Process(ctx, recs("ok", "ok"))
	if called {
		t.Error("handler called after the deadline")
	}
	var be *batch.BatchError
	if !errors.As(rep.Err, &be) || !errors.Is(rep.Err, batch.ErrDeadline) {
		t.Errorf("got %v, want a *BatchError of ErrDeadline records", rep.Err)
	}
}

func TestShortInvocationStillStartsRecords(t *testing.T) {
	// 200 ms left and the default 500 ms margin: the margin shrinks to half
	// the time left, so records are still tried.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, rep := batch.New(batch.Records(recID, recKey), doRecord, batch.Options{}).Process(ctx, recs("ok", "ok"))
	if got := countOutcome(rep, batch.Succeeded); got != 2 {
		t.Errorf("got %d succeeded, want 2: %v", got, rep.Err)
	}
}

func TestNegativeDeadlineMarginTurnsDeadlineOff(t *testing.T) {
	// 20 records of 100 ms each need 2 s; the deadline is 3 s away and the
	// margin 1.5 s, so deadline handling stops the batch at about 1.5 s,
	// while a negative margin lets every record run, with 1 s to spare for
	// a loaded machine.
	run := func(margin time.Duration) *batch.Report[rec] {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		h := func(ctx context.Context, r rec) error {
			time.Sleep(100 * time.Millisecond)
			return nil
		}
		_, rep := batch.New(batch.Records(recID, recKey), h, batch.Options{DeadlineMargin: margin}).Process(ctx, recs(make([]string, 20)...))
		return rep
	}
	if rep := run(-1); countOutcome(rep, batch.Succeeded) != 20 {
		t.Errorf("DeadlineMargin -1: got %d succeeded, want all 20: %v", countOutcome(rep, batch.Succeeded), rep.Err)
	}
	if rep := run(1500 * time.Millisecond); countOutcome(rep, batch.NotProcessed) == 0 {
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
	got, rep := batch.New(batch.Records(recID, recKey), h, batch.Options{}).Process(ctx, recs("ok", "ok", "ok", "ok"))
	if !equalStrings(got, []string{"r1", "r2", "r3"}) {
		t.Errorf("got %v, want [r1 r2 r3]", got)
	}
	if r := rep.Results[3]; r.Outcome != batch.NotProcessed || !errors.Is(r.Err, batch.ErrCanceled) || !errors.Is(r.Err, context.Canceled) {
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
	got, rep := batch.New(batch.Records(recID, recKey), h, batch.Options{RecordTimeout: 20 * time.Millisecond, Concurrency: 2}).Process(context.Background(), recs("ok", "block", "ok"))
	if !equalStrings(got, []string{"r1"}) {
		t.Errorf("got %v, want [r1]", got)
	}
	if err := rep.Results[1].Err; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want context.DeadlineExceeded", err)
	}
}

// Options.Reserve keeps time after the records for the caller's own work:
// the records run as if the deadline came that much earlier, with or
// without deadline handling.
func TestReserveEndsTheRecordsEarlier(t *testing.T) {
	const reserve = 200 * time.Millisecond
	for _, tt := range []struct {
		name   string
		margin time.Duration
	}{
		{"with a margin", 100 * time.Millisecond},
		{"with deadline handling off", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, done := slowRecords(20 * time.Millisecond)
			probe := startLagProbe(t)
			ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
			defer cancel()
			deadline, _ := ctx.Deadline()
			fn := batch.New(batch.Records(recID, recKey), h, batch.Options{DeadlineMargin: tt.margin, Reserve: reserve})
			resp, rep := fn.Process(ctx, recs(make([]string, 60)...)) // 60 × 20 ms is far beyond 600 ms
			// Half the reserve is slack for a loaded machine: without the
			// reserve, the call would take until the deadline.
			if now := time.Now(); now.After(deadline.Add(-reserve / 2)) {
				t.Errorf("returned %v before the deadline, want at least %v (the reserve)", deadline.Sub(now), reserve)
			}
			checkDeadlineReport(t, resp, rep, done, deadline.Add(-reserve).Add(-tt.margin/2), probe.Lag(t))
		})
	}
}
