package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
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

var errBench = errors.New("bench failure")

func benchEvent(n int) events.SQSEvent {
	body := `{"orderId":"o-123456","customer":"c-98765","items":[{"sku":"A-1","qty":2,"price":1999},{"sku":"B-22","qty":1,"price":4999}],"currency":"EUR","note":"leave at the door, ring twice please, thank you","ts":1732262400}`
	ev := events.SQSEvent{Records: make([]events.SQSMessage, n)}
	for i := range ev.Records {
		ev.Records[i] = events.SQSMessage{
			MessageId:      fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
			Body:           body,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders",
		}
	}
	return ev
}

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

func reportNsPerRecord(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

func BenchmarkEngine(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		ev := benchEvent(n)
		b.Run(fmt.Sprintf("records=%d/handwritten", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := handWritten(context.Background(), ev, cheap); err != nil {
					b.Fatal(err)
				}
			}
			reportNsPerRecord(b, n)
		})
		b.Run(fmt.Sprintf("records=%d/library", n), func(b *testing.B) {
			b.ReportAllocs()
			var p batch.Processor
			for i := 0; i < b.N; i++ {
				if _, err := p.SQS(context.Background(), ev, cheap); err != nil {
					b.Fatal(err)
				}
			}
			reportNsPerRecord(b, n)
		})
		// With a deadline in the context, as in Lambda: the records run on a
		// goroutine of their own, watched by the deadline supervisor.
		b.Run(fmt.Sprintf("records=%d/library-deadline", n), func(b *testing.B) {
			b.ReportAllocs()
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			var p batch.Processor
			for i := 0; i < b.N; i++ {
				if _, err := p.SQS(ctx, ev, cheap); err != nil {
					b.Fatal(err)
				}
			}
			reportNsPerRecord(b, n)
		})
	}
}

// handWrittenPool is a hand-written bounded worker pool doing the same as
// Processor{Concurrency: workers}.SQS: results collected by index, failures
// reported in input order.
func handWrittenPool(ctx context.Context, ev events.SQSEvent, workers int, h func(context.Context, events.SQSMessage) error) events.SQSEventResponse {
	errs := make([]error, len(ev.Records))
	if workers < 0 || workers > len(ev.Records) {
		workers = len(ev.Records)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = h(ctx, ev.Records[i])
			}
		}()
	}
	for i := range ev.Records {
		next <- i
	}
	close(next)
	wg.Wait()
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
			p := batch.Processor{Concurrency: workers}
			for i := 0; i < b.N; i++ {
				if _, err := p.SQS(context.Background(), ev, io); err != nil {
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
			p := batch.Processor{Concurrency: workers}
			for i := 0; i < b.N; i++ {
				if _, err := p.SQS(context.Background(), ev, decode); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
		})
	}
}
