package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// benchOrder is the payload of the typed-payload benchmarks: a JSON body of
// about 256 bytes, with a Validate method.
type benchOrder struct {
	ID       string      `json:"id"`
	Customer string      `json:"customer"`
	Currency string      `json:"currency"`
	Total    float64     `json:"total"`
	Items    []benchItem `json:"items"`
	Created  string      `json:"created"`
}

type benchItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

var errBenchTotal = errors.New("negative total")

func (o *benchOrder) Validate() error {
	if o.Total < 0 {
		return errBenchTotal
	}
	return nil
}

const benchRecords = 1000

func benchSQSEvent() events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, benchRecords)}
	for i := range ev.Records {
		body := fmt.Sprintf(`{"id":"order-%06d","customer":"customer-%04d","currency":"EUR","total":%d.50,`+
			`"items":[{"sku":"SKU-%05d","qty":2},{"sku":"SKU-%05d","qty":1},{"sku":"SKU-%05d","qty":5}],`+
			`"created":"2026-11-22T07:00:00Z","note":"leave at the door, ring twice"}`, i, i%977, i%500, i, i+1, i+2)
		ev.Records[i] = events.SQSMessage{
			MessageId:      fmt.Sprintf("059f36b4-87a3-44ab-83d2-%012d", i),
			Body:           body,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders",
		}
	}
	return ev
}

// benchSink keeps the handler's work from being optimised away.
var benchSink int

func benchHandle(_ context.Context, o benchOrder) error {
	benchSink += len(o.Items)
	return nil
}

// handWrittenSQS is what a user writes without the library: decode each body,
// validate, handle, and collect the failures.
func handWrittenSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	failures := []events.SQSBatchItemFailure{}
	for _, m := range ev.Records {
		var o benchOrder
		err := json.Unmarshal([]byte(m.Body), &o)
		if err == nil {
			err = o.Validate()
		}
		if err == nil {
			err = benchHandle(ctx, o)
		}
		if err != nil {
			failures = append(failures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return events.SQSEventResponse{BatchItemFailures: failures}, nil
}

// decPerRecord runs fn b.N times and reports the time and allocations per
// record of a batch of n records.
func decPerRecord(b *testing.B, n int, fn func()) {
	b.Helper()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fn()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	records := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/records, "allocs/record")
}

// BenchmarkSQSJSON compares, on 1,000 messages of about 256 bytes, a
// hand-written decode-and-handle loop with Processor.SQS running SQSJSON,
// and with Processor.SQS running a handler that decodes by hand; then the
// SQSJSON handler alone with json.Unmarshal alone.
func BenchmarkSQSJSON(b *testing.B) {
	ev := benchSQSEvent()
	ctx := context.Background()
	var proc batch.Processor
	b.Run("hand-written", func(b *testing.B) {
		decPerRecord(b, len(ev.Records), func() {
			if resp, err := handWrittenSQS(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("got %v, %v, want no failure", resp, err)
			}
		})
	})
	// Without the engine: the adapter's handler called directly on every
	// message, beside json.Unmarshal and Validate called directly. The
	// difference is the adapter's own cost.
	b.Run("json.Unmarshal-only", func(b *testing.B) {
		decPerRecord(b, len(ev.Records), func() {
			for _, m := range ev.Records {
				var o benchOrder
				if err := json.Unmarshal([]byte(m.Body), &o); err != nil {
					b.Fatal(err)
				}
				if err := o.Validate(); err != nil {
					b.Fatal(err)
				}
				if err := benchHandle(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("SQSJSON-only", func(b *testing.B) {
		h := batch.SQSJSON(benchHandle)
		decPerRecord(b, len(ev.Records), func() {
			for _, m := range ev.Records {
				if err := h(ctx, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("Processor.SQS+json.Unmarshal", func(b *testing.B) {
		h := func(ctx context.Context, m events.SQSMessage) error {
			var o benchOrder
			if err := json.Unmarshal([]byte(m.Body), &o); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return benchHandle(ctx, o)
		}
		decPerRecord(b, len(ev.Records), func() {
			if resp, err := proc.SQS(ctx, ev, h); err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("got %v, %v, want no failure", resp, err)
			}
		})
	})
	b.Run("Processor.SQS+SQSJSON", func(b *testing.B) {
		h := batch.SQSJSON(benchHandle)
		decPerRecord(b, len(ev.Records), func() {
			if resp, err := proc.SQS(ctx, ev, h); err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("got %v, %v, want no failure", resp, err)
			}
		})
	})
}
