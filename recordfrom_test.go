package batch_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch"
)

func TestRecordFrom(t *testing.T) {
	type pos struct {
		index, count int
		id           string
		value        int
	}
	passThrough := func(next batch.RecordFunc) batch.RecordFunc { return next }
	tests := []struct {
		name    string
		opts    batch.Options
		timeout time.Duration // of the caller's context; 0: none
		n       int
	}{
		{name: "sequential records see their own position", opts: batch.Options{}, n: 5},
		{name: "concurrent records see their own position", opts: batch.Options{Concurrency: 3}, n: 7},
		{name: "one goroutine per record", opts: batch.Options{Concurrency: -1}, n: 4},
		{name: "a record timeout keeps the position", opts: batch.Options{RecordTimeout: time.Minute}, n: 3},
		{name: "a deadline keeps the position", opts: batch.Options{Concurrency: 2}, timeout: time.Minute, n: 4},
		{name: "a middleware keeps the position", opts: batch.Options{Concurrency: 2, Middleware: []batch.Middleware{passThrough}}, n: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records := make([]int, tt.n)
			for i := range records {
				records[i] = i
			}
			var mu sync.Mutex
			seen := make(map[int]pos)
			h := func(ctx context.Context, rec int) error {
				r, ok := batch.RecordFrom(ctx)
				if !ok {
					return fmt.Errorf("record %d: no record in its context", rec)
				}
				p, _ := r.Value.(*int)
				if p == nil {
					return fmt.Errorf("record %d: Value is %T, want *int", rec, r.Value)
				}
				mu.Lock()
				seen[rec] = pos{r.Index, r.BatchSize, r.ID, *p}
				mu.Unlock()
				return nil
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			fn := batch.New(batch.Records(func(i int) string { return fmt.Sprint(i) }, nil), h, tt.opts)
			_, rep := fn.Process(ctx, records)
			if err := rep.Err; err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			for _, rec := range records {
				if got, want := seen[rec], (pos{rec, tt.n, fmt.Sprint(rec), rec}); got != want {
					t.Errorf("record %d: got %+v, want %+v", rec, got, want)
				}
			}
		})
	}
}

// A middleware is given the same Record as RecordFrom returns for its
// context, and so is the handler after it.
func TestRecordFromInMiddleware(t *testing.T) {
	var mu sync.Mutex
	var problems []string
	check := func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, r batch.Record) error {
			got, ok := batch.RecordFrom(ctx)
			if !ok || got != r {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("record %d: middleware got %+v, RecordFrom %+v, %v", r.Index, r, got, ok))
				mu.Unlock()
			}
			return next(ctx, r)
		}
	}
	records := recs("ok", "ok", "ok")
	h := func(ctx context.Context, x rec) error {
		r, _ := batch.RecordFrom(ctx)
		if r.ID != x.ID || r.BatchSize != len(records) || *r.Value.(*rec) != x {
			return fmt.Errorf("handler of %s got %+v", x.ID, r)
		}
		return nil
	}
	fn := batch.New(batch.Records(recID, recKey), h, batch.Options{Concurrency: 2, Middleware: []batch.Middleware{check}})
	if _, rep := fn.Process(context.Background(), records); rep.Err != nil || countOutcome(rep, batch.Succeeded) != 3 {
		t.Errorf("got %v, %d succeeded; want all 3 to", rep.Err, countOutcome(rep, batch.Succeeded))
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// otherKey is a context key of another package's kind.
type otherKey struct{}

func TestRecordFromOutsideAFunction(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
	}{
		{name: "background context has no record", ctx: context.Background()},
		{name: "value context has no record", ctx: context.WithValue(context.Background(), otherKey{}, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := batch.RecordFrom(tt.ctx)
			if ok || r != (batch.Record{}) {
				t.Errorf("got (%+v, %v), want (Record{}, false)", r, ok)
			}
		})
	}
}

func TestRecordContextKeepsParent(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	var gotValue any
	var gotErr error
	h := func(ctx context.Context, rec int) error {
		gotValue = ctx.Value(key{})
		cancel()
		<-ctx.Done() // cancelling the caller's context reaches the record
		gotErr = ctx.Err()
		return nil
	}
	batch.New(batch.Records[int](nil, nil), h, batch.Options{}).Process(parent, []int{1})
	if gotValue != "v" {
		t.Errorf("got value %v, want the caller's %q", gotValue, "v")
	}
	if gotErr != context.Canceled {
		t.Errorf("got ctx.Err() %v, want %v", gotErr, context.Canceled)
	}
}

// A handler reads the record it runs for with RecordFrom: its position in
// the batch, the size of the batch, its identifier and the record itself.
// This is how a handler of a decoded payload reaches the message's
// attributes or receipt handle.
func ExampleRecordFrom() {
	handle := func(ctx context.Context, m string) error {
		r, _ := batch.RecordFrom(ctx)
		fmt.Printf("record %d of %d: %s\n", r.Index+1, r.BatchSize, m)
		return nil
	}
	fn := batch.New(batch.Records[string](nil, nil), handle, batch.Options{})
	fn.Process(context.Background(), []string{"a", "b"})
	// Output:
	// record 1 of 2: a
	// record 2 of 2: b
}
