package batchtest_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

const benchRecords = 1000

// benchHandler is the function under test in the benchmarks: the core
// processor with a handler that does nothing.
func benchHandler(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return batch.Processor{}.SQS(ctx, ev, func(context.Context, events.SQSMessage) error { return nil })
}

// BenchmarkSQSRun measures the simulator: sending benchRecords messages and
// running them through the function in batches of 10.
func BenchmarkSQSRun(b *testing.B) {
	bodies := make([]string, benchRecords)
	for i := range bodies {
		bodies[i] = "message body"
	}
	perRecord(b, func() {
		sim := batchtest.NewSQS("bench", batchtest.SQSConfig{})
		sim.Send(bodies...)
		if tr := sim.Run(context.Background(), benchHandler); tr.Count(batchtest.Processed) != benchRecords {
			b.Fatalf("processed: got %d, want %d", tr.Count(batchtest.Processed), benchRecords)
		}
	})
}

// BenchmarkSQSRunBaseline is the same work by hand: build the messages
// with the builder, cut them into events of 10 and call the function.
func BenchmarkSQSRunBaseline(b *testing.B) {
	perRecord(b, func() {
		q := batchtest.NewSQSQueue("bench")
		msgs := make([]events.SQSMessage, benchRecords)
		for j := range msgs {
			msgs[j] = q.Message("message body")
		}
		done := 0
		for j := 0; j < len(msgs); j += 10 {
			resp, err := benchHandler(context.Background(), events.SQSEvent{Records: msgs[j : j+10]})
			if err == nil && len(resp.BatchItemFailures) == 0 {
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
	h := func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		return batch.Processor{}.Kinesis(ctx, ev, func(context.Context, events.KinesisEventRecord) error { return nil })
	}
	data := []byte("payload")
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	perRecord(b, func() {
		sim := batchtest.NewKinesis("bench", batchtest.StreamConfig{Shards: 4})
		for j := 0; j < benchRecords; j++ {
			sim.Put(keys[j%len(keys)], data)
		}
		if tr := sim.Run(context.Background(), h); tr.Count(batchtest.Processed) != benchRecords {
			b.Fatalf("processed: got %d, want %d", tr.Count(batchtest.Processed), benchRecords)
		}
	})
}

// BenchmarkKinesisRunBaseline is the same work by hand: build the records,
// group them by shard, and call the function with batches of 100.
func BenchmarkKinesisRunBaseline(b *testing.B) {
	h := func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		return batch.Processor{}.Kinesis(ctx, ev, func(context.Context, events.KinesisEventRecord) error { return nil })
	}
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
				if resp, err := h(context.Background(), events.KinesisEvent{Records: recs[j:end]}); err == nil && len(resp.BatchItemFailures) == 0 {
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
