//go:build legacy

package batch_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch"
)

func TestRecordIndex(t *testing.T) {
	type pos struct{ index, count int }
	tests := []struct {
		name string
		p    batch.Processor
		n    int
	}{
		{name: "sequential records see their own position", p: batch.Processor{}, n: 5},
		{name: "concurrent records see their own position", p: batch.Processor{Concurrency: 3}, n: 7},
		{name: "one goroutine per record", p: batch.Processor{Concurrency: -1}, n: 4},
		{name: "a record timeout keeps the position", p: batch.Processor{RecordTimeout: time.Minute}, n: 3},
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
				i, n, ok := batch.RecordIndex(ctx)
				if !ok {
					return fmt.Errorf("record %d: no index in its context", rec)
				}
				mu.Lock()
				seen[rec] = pos{i, n}
				mu.Unlock()
				return nil
			}
			src := batch.Source[int]{ID: func(i int) string { return fmt.Sprint(i) }}
			rep := batch.Process(context.Background(), tt.p, records, src, h)
			if err := rep.Err(); err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			for _, rec := range records {
				if got, want := seen[rec], (pos{rec, tt.n}); got != want {
					t.Errorf("record %d: got position %+v, want %+v", rec, got, want)
				}
			}
		})
	}
}

func TestRecordIndexOutsideProcess(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
	}{
		{name: "background context has no index", ctx: context.Background()},
		{name: "value context has no index", ctx: context.WithValue(context.Background(), struct{}{}, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, n, ok := batch.RecordIndex(tt.ctx)
			if ok || i != 0 || n != 0 {
				t.Errorf("got (%d, %d, %v), want (0, 0, false)", i, n, ok)
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
	batch.Process(parent, batch.Processor{}, []int{1}, batch.Source[int]{}, h)
	if gotValue != "v" {
		t.Errorf("got value %v, want the caller's %q", gotValue, "v")
	}
	if gotErr != context.Canceled {
		t.Errorf("got ctx.Err() %v, want %v", gotErr, context.Canceled)
	}
}

func ExampleRecordIndex() {
	h := func(ctx context.Context, m string) error {
		i, n, _ := batch.RecordIndex(ctx)
		fmt.Printf("record %d of %d: %s\n", i+1, n, m)
		return nil
	}
	batch.Process(context.Background(), batch.Processor{}, []string{"a", "b"}, batch.Source[string]{}, h)
	// Output:
	// record 1 of 2: a
	// record 2 of 2: b
}
