package batchmetrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchmetrics"
)

// BenchmarkSummary measures the per-batch cost of the metrics, on a report
// of 100 records: counting the outcomes and writing the EMF line, next to a
// hand-written equivalent (one loop over the results, encoding/json for the
// line) in the same run. ns/record spreads the per-batch cost over the
// batch's records.
func BenchmarkSummary(b *testing.B) {
	records := make([]int, 100)
	for i := range records {
		records[i] = i
	}
	errFail := errors.New("fail")
	_, rep := batch.New(batch.Records(strconv.Itoa, nil),
		func(_ context.Context, i int) error {
			if i%10 == 0 {
				return errFail
			}
			return nil
		}, batch.Options{}).Process(context.Background(), records)
	emf := batchmetrics.EMF{Namespace: "Orders", Dimensions: []batchmetrics.Dimension{{Name: "Queue", Value: "orders"}}}
	at := time.UnixMilli(1700000000000)

	type metric struct {
		Name string
		Unit string
	}
	type directive struct {
		Namespace  string
		Dimensions [][]string
		Metrics    []metric
	}
	type meta struct {
		Timestamp         int64
		CloudWatchMetrics []directive
	}
	type line struct {
		AWS          meta `json:"_aws"`
		Queue        string
		Records      int
		Succeeded    int
		Failed       int
		NotProcessed int
	}

	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(records)), "ns/record")
	}
	b.Run("batchmetrics", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for i := 0; i < b.N; i++ {
			var err error
			buf, err = emf.AppendLine(buf[:0], batchmetrics.Summarize(rep), at)
			if err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	b.Run("hand-written", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			l := line{Queue: "orders", Records: len(rep.Results)}
			for _, r := range rep.Results {
				switch r.Outcome {
				case batch.Succeeded:
					l.Succeeded++
				case batch.Failed:
					l.Failed++
				default:
					l.NotProcessed++
				}
			}
			l.AWS = meta{Timestamp: at.UnixMilli(), CloudWatchMetrics: []directive{{
				Namespace:  "Orders",
				Dimensions: [][]string{{"Queue"}},
				Metrics:    []metric{{"Records", "Count"}, {"Succeeded", "Count"}, {"Failed", "Count"}, {"NotProcessed", "Count"}},
			}}}
			if _, err := json.Marshal(l); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}
