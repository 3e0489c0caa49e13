package esm_test

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

const benchRecords = 1000

// benchSQS and benchKinesis are the functions under test in the
// benchmarks: a *batch.Function with a handler that does nothing.
var (
	benchSQS     = batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{})
	benchKinesis = batch.New(batch.Kinesis(), func(context.Context, events.KinesisEventRecord) error { return nil }, batch.Options{})
)

// succeeded tells whether a response reports no failure, as the
// baselines check it.
func succeeded(resp []byte, err error) bool {
	var r struct {
		BatchItemFailures []json.RawMessage `json:"batchItemFailures"`
	}
	return err == nil && json.Unmarshal(resp, &r) == nil && len(r.BatchItemFailures) == 0
}

// BenchmarkSQSRun measures the simulator: sending benchRecords messages and
// running them through the function in batches of 10.
func BenchmarkSQSRun(b *testing.B) {
	bodies := make([]string, benchRecords)
	for i := range bodies {
		bodies[i] = "message body"
	}
	perRecord(b, func() {
		sim := esm.NewSQS("bench", esm.SQSConfig{})
		sim.Send(bodies...)
		if tr := sim.Run(context.Background(), benchSQS); tr.Count(esm.Processed) != benchRecords {
			b.Fatalf("processed: got %d, want %d", tr.Count(esm.Processed), benchRecords)
		}
	})
}

// BenchmarkSQSRunBaseline is the same work by hand: build the messages
// with the builder, cut them into events of 10, and invoke the function
// with each event in JSON, as the simulator does.
func BenchmarkSQSRunBaseline(b *testing.B) {
	perRecord(b, func() {
		q := batchtest.NewSQSQueue("bench")
		msgs := make([]events.SQSMessage, benchRecords)
		for j := range msgs {
			msgs[j] = q.Message("message body")
		}
		done := 0
		for j := 0; j < len(msgs); j += 10 {
			payload, err := json.Marshal(batchtest.SQSEvent(msgs[j : j+10]...))
			if err != nil {
				b.Fatal(err)
			}
			if succeeded(benchSQS.Invoke(context.Background(), payload)) {
				done += 10
			}
		}
		if done != benchRecords {
			b.Fatalf("processed: got %d, want %d", done, benchRecords)
		}
	})
}

// BenchmarkKinesisRun measures the stream simulator: benchRecords records
// on 4 shards, read in batches of 100.
func BenchmarkKinesisRun(b *testing.B) {
	data := []byte("payload")
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	perRecord(b, func() {
		sim := esm.NewKinesis("bench", esm.StreamConfig{Shards: 4})
		for j := 0; j < benchRecords; j++ {
			sim.Put(keys[j%len(keys)], data)
		}
		if tr := sim.Run(context.Background(), benchKinesis); tr.Count(esm.Processed) != benchRecords {
			b.Fatalf("processed: got %d, want %d", tr.Count(esm.Processed), benchRecords)
		}
	})
}

// BenchmarkKinesisRunBaseline is the same work by hand: build the records,
// group them by shard, and invoke the function with batches of 100 in
// JSON.
func BenchmarkKinesisRunBaseline(b *testing.B) {
	data := []byte("payload")
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	perRecord(b, func() {
		s := batchtest.NewKinesisStream("bench", 4)
		shards := map[string][]events.KinesisEventRecord{}
		for j := 0; j < benchRecords; j++ {
			k := keys[j%len(keys)]
			shards[s.ShardID(k)] = append(shards[s.ShardID(k)], s.Record(k, data))
		}
		done := 0
		for _, recs := range shards {
			for j := 0; j < len(recs); j += 100 {
				end := j + 100
				if end > len(recs) {
					end = len(recs)
				}
				payload, err := json.Marshal(batchtest.KinesisEvent(recs[j:end]...))
				if err != nil {
					b.Fatal(err)
				}
				if succeeded(benchKinesis.Invoke(context.Background(), payload)) {
					done += end - j
				}
			}
		}
		if done != benchRecords {
			b.Fatalf("processed: got %d, want %d", done, benchRecords)
		}
	})
}

// perRecord runs work b.N times and reports its cost per record.
func perRecord(b *testing.B, work func()) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		work()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(b.N) * benchRecords
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/record")
}
