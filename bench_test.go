package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// Benchmarks of the engine's own cost. Each library benchmark has a
// hand-written baseline beside it doing the same work, so that the ratio is
// measured in one run. Reproduce with:
//
//	go test -run '^$' -bench 'Engine' -benchmem -count 5 .
//	go test -run '^$' -bench 'IOBound|CPUBound' -benchtime 1x .
//	go test -run '^$' -bench 'FIFOGroups' -benchtime 20x .

var errBench = errors.New("bench failure")

// cheap is the per-record work of the engine benchmarks: almost nothing, so
// that the engine's own cost shows; every tenth record fails.
func cheap(_ context.Context, m events.SQSMessage) error {
	if m.MessageId[7] == '0' && len(m.Body) > 0 {
		return errBench
	}
	return nil
}

// handWritten is what a careful user writes without the library: call the
// handler for each message, turn a panic into a failure, collect the
// failed message ids into the response.
func handWritten(ctx context.Context, ev events.SQSEvent, h func(context.Context, events.SQSMessage) error) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, m := range ev.Records {
		err := func() (err error) {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				}
			}()
			return h(ctx, m)
		}()
		if err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

func BenchmarkEngine(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		ev := benchEvent(n)
		b.Run(fmt.Sprintf("records=%d/handwritten", n), func(b *testing.B) {
			perRecord(b, n, func() {
				if _, err := handWritten(context.Background(), ev, cheap); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("records=%d/library", n), func(b *testing.B) {
			fn := batch.New(batch.SQS(), cheap, batch.Options{})
			perRecord(b, n, func() {
				if _, err := fn.Handle(context.Background(), ev); err != nil {
					b.Fatal(err)
				}
			})
		})
		// With a deadline in the context, as in Lambda: the records run on a
		// goroutine of their own, watched by the deadline supervisor.
		b.Run(fmt.Sprintf("records=%d/library-deadline", n), func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			fn := batch.New(batch.SQS(), cheap, batch.Options{})
			perRecord(b, n, func() {
				if _, err := fn.Handle(ctx, ev); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// handWrittenPool is what a careful user writes for a Function with
// Options{Concurrency: workers}: a plain loop for one worker, otherwise
// a bounded pool whose goroutines claim the next index from an atomic
// counter; errors collected by index, failures reported in input order.
func handWrittenPool(ctx context.Context, ev events.SQSEvent, workers int, h func(context.Context, events.SQSMessage) error) events.SQSEventResponse {
	errs := make([]error, len(ev.Records))
	if workers < 0 || workers > len(ev.Records) {
		workers = len(ev.Records)
	}
	if workers <= 1 {
		for i := range ev.Records {
			errs[i] = h(ctx, ev.Records[i])
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		wg.Add(workers)
		for w := 0; w < workers; w++ {
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(errs) {
						return
					}
					errs[i] = h(ctx, ev.Records[i])
				}
			}()
		}
		wg.Wait()
	}
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, err := range errs {
		if err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: ev.Records[i].MessageId})
		}
	}
	return resp
}

// BenchmarkIOBound runs a handler that waits 1 ms (a network call) over
// 10,000 records. ideal-ratio is the ideal time, 10,000 × 1 ms / workers,
// divided by the measured time: 1.0 would be perfect.
func BenchmarkIOBound(b *testing.B) {
	const n = 10000
	const d = time.Millisecond
	ev := benchEvent(n)
	io := func(ctx context.Context, m events.SQSMessage) error {
		time.Sleep(d)
		return nil
	}
	for _, workers := range []int{1, 10, 100, 1000, -1} {
		ideal := time.Duration(n) * d
		if workers > 0 {
			ideal /= time.Duration(workers)
		} else {
			ideal = d
		}
		report := func(b *testing.B) {
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(n)/per.Seconds(), "records/s")
			b.ReportMetric(ideal.Seconds()/per.Seconds(), "ideal-ratio")
		}
		name := fmt.Sprint(workers)
		if workers < 0 {
			name = "unbounded"
		}
		b.Run("workers="+name+"/handwritten", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				handWrittenPool(context.Background(), ev, workers, io)
			}
			report(b)
		})
		b.Run("workers="+name+"/library", func(b *testing.B) {
			fn := batch.New(batch.SQS(), io, batch.Options{Concurrency: workers})
			for i := 0; i < b.N; i++ {
				if _, err := fn.Handle(context.Background(), ev); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
	}
}

// BenchmarkCPUBound runs a handler that decodes the JSON body of each of
// 10,000 records.
func BenchmarkCPUBound(b *testing.B) {
	const n = 10000
	ev := benchEvent(n)
	type order struct {
		OrderID  string `json:"orderId"`
		Customer string `json:"customer"`
		Items    []struct {
			SKU   string `json:"sku"`
			Qty   int    `json:"qty"`
			Price int    `json:"price"`
		} `json:"items"`
	}
	decode := func(ctx context.Context, m events.SQSMessage) error {
		var o order
		return json.Unmarshal([]byte(m.Body), &o)
	}
	for _, workers := range []int{1, 2, -1} {
		name := fmt.Sprint(workers)
		if workers < 0 {
			name = "unbounded"
		}
		report := func(b *testing.B) {
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(n)/per.Seconds(), "records/s")
		}
		b.Run("workers="+name+"/handwritten", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				handWrittenPool(context.Background(), ev, workers, decode)
			}
			report(b)
		})
		b.Run("workers="+name+"/library", func(b *testing.B) {
			b.ReportAllocs()
			fn := batch.New(batch.SQS(), decode, batch.Options{Concurrency: workers})
			for i := 0; i < b.N; i++ {
				if _, err := fn.Handle(context.Background(), ev); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
	}
}

// fifoBenchEvent is a FIFO batch of 100 messages in 10 message groups,
// interleaved (g0, g1, …, g9, g0, …) as a busy FIFO queue delivers them.
// Every message of group g3 after the fifth fails, so skip-group has work.
func fifoBenchEvent() events.SQSEvent {
	const groups, perGroup = 10, 10
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 0, groups*perGroup)}
	for i := 0; i < groups*perGroup; i++ {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
			Body:           fmt.Sprintf(`{"n":%d}`, i),
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
			Attributes:     map[string]string{"MessageGroupId": fmt.Sprintf("g%d", i%groups)},
		})
	}
	return ev
}

// handWrittenGroups is the hand-written version of skip-group FIFO
// processing with groups in parallel: one goroutine per group, each group
// sequential and stopped at its first failure, the response in input order.
func handWrittenGroups(ctx context.Context, ev events.SQSEvent, h func(context.Context, events.SQSMessage) error) events.SQSEventResponse {
	byGroup := map[string][]int{}
	var order []string
	for i, m := range ev.Records {
		g := m.Attributes["MessageGroupId"]
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	failed := make([]bool, len(ev.Records))
	var wg sync.WaitGroup
	for _, g := range order {
		wg.Add(1)
		go func(idx []int) {
			defer wg.Done()
			for k, i := range idx {
				if h(ctx, ev.Records[i]) != nil {
					for _, j := range idx[k:] {
						failed[j] = true
					}
					return
				}
			}
		}(byGroup[g])
	}
	wg.Wait()
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, f := range failed {
		if f {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: ev.Records[i].MessageId})
		}
	}
	return resp
}

// BenchmarkFIFOGroups handles a FIFO batch of 10 groups × 10 messages with
// a 1 ms handler and SkipGroupOnError: sequentially, with the groups in
// parallel (Concurrency 10), and with the hand-written group-parallel loop.
// The ideal is 100 ms sequential and 10 ms group-parallel.
func BenchmarkFIFOGroups(b *testing.B) {
	ev := fifoBenchEvent()
	io := func(ctx context.Context, m events.SQSMessage) error {
		time.Sleep(time.Millisecond)
		if m.Attributes["MessageGroupId"] == "g3" && m.MessageId[7] >= '5' {
			return errBench
		}
		return nil
	}
	// Every configuration must give the same response; the benchmark checks
	// it so that a fast wrong answer cannot pass for a fast right one.
	want := handWrittenGroups(context.Background(), ev, io)
	check := func(b *testing.B, got events.SQSEventResponse) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			b.Fatalf("response %v, want %v", got, want)
		}
	}
	report := func(b *testing.B) {
		per := b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(float64(len(ev.Records))/per.Seconds(), "records/s")
	}
	b.Run("handwritten-parallel", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			check(b, handWrittenGroups(context.Background(), ev, io))
		}
		report(b)
	})
	for _, workers := range []int{1, 10} {
		name := "library-sequential"
		if workers > 1 {
			name = "library-parallel"
		}
		b.Run(name, func(b *testing.B) {
			fn := batch.New(batch.SQS(), io, batch.Options{Concurrency: workers, SkipGroupOnError: true})
			for i := 0; i < b.N; i++ {
				resp, err := fn.Handle(context.Background(), ev)
				if err != nil {
					b.Fatal(err)
				}
				check(b, resp)
			}
			report(b)
		})
	}
}

// permanentBench is cheap with its failures marked permanent: every tenth
// record fails and would fail again.
func permanentBench(ctx context.Context, m events.SQSMessage) error {
	return batch.Permanent(cheap(ctx, m))
}

// BenchmarkFailurePolicies measures what the failure policies add to a
// batch of 1,000 records of which every tenth fails permanently: Divert
// moves each failure aside (here a counter, so that only the library's cost
// shows), Retry is handed the failures at the end. The baseline is a
// hand-written loop that does the same: divert the permanent failures,
// hand the others to a retry step, report those. Reproduce with:
//
//	go test -run '^$' -bench 'FailurePolicies' -benchmem -count 6 .
func BenchmarkFailurePolicies(b *testing.B) {
	const n = 1000
	ev := benchEvent(n)
	var diverted atomic.Int64
	divert := func(context.Context, batch.Failure) error { diverted.Add(1); return nil }
	b.Run("handwritten", func(b *testing.B) {
		perRecord(b, n, func() {
			resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
			for _, m := range ev.Records {
				err := permanentBench(context.Background(), m)
				if errors.Is(err, batch.ErrPermanent) {
					diverted.Add(1)
					continue
				}
				if err != nil {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				}
			}
			if len(resp.BatchItemFailures) != 0 {
				b.Fatal("permanent failures were reported")
			}
		})
	})
	for _, c := range []struct {
		name string
		opts batch.Options
	}{
		{"library/no-policy", batch.Options{}},
		{"library/divert", batch.Options{Divert: divert}},
		{"library/retry", batch.Options{Retry: func(context.Context, []batch.Failure) {}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			fn := batch.New(batch.SQS(), permanentBench, c.opts)
			perRecord(b, n, func() {
				if _, err := fn.Handle(context.Background(), ev); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
