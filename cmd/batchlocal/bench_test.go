package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/seed-45ee126e/batch/esm"
	sqsexample "github.com/seed-45ee126e/batch/examples/sqs"
	"github.com/seed-45ee126e/batch/internal/runtimeapi"
)

// The cost of running a function locally, each next to its baseline:
// the same *batch.Function invoked in the benchmark's own process.
//
//	go test -run '^$' -bench . -benchtime 2s -count 5

// localFunction returns the SQS example as the runner runs it: its
// binary behind the local Runtime API, already started.
func localFunction(b *testing.B) *lambdaFunction {
	b.Helper()
	f, err := runtimeapi.NewFunction(runtimeapi.FunctionConfig{Path: function(b, "examples/sqs"), Timeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	lf := &lambdaFunction{fn: f, log: io.Discard, memory: 128}
	if _, err := f.Invoke(context.Background(), "", []byte(`{"Records":[]}`)); err != nil {
		b.Fatal(err)
	}
	return lf
}

// BenchmarkInvoke is one invocation with an SQS batch of 10 messages: in
// the benchmark's process, and through the local Runtime API to the
// example's binary (the round trip of the event and the response over
// loopback HTTP, and the process switches).
func BenchmarkInvoke(b *testing.B) {
	payload, err := sampleEvent(srcSQS, false, 10, 0)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("in-process", func(b *testing.B) {
		fn := sqsexample.New()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := fn.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("runtime-api", func(b *testing.B) {
		lf := localFunction(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := lf.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRun is the throughput of a run, in records per second: 2,000
// messages (batches of 10) through the embedded backend, with the
// function in-process (the simulator's own cost) and through the local
// Runtime API; and 200 through moto, when it is available.
func BenchmarkRun(b *testing.B) {
	ctx := context.Background()
	embedded := func(b *testing.B, fn esm.Function) {
		const n = 2000
		items := generate(srcSQS, false, n, 0, 4)
		o := &runOptions{queue: "orders", batchSize: 10, visibility: 30 * time.Second, retention: 96 * time.Hour, maxInvocations: 100000}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			tr := runEmbedded(ctx, o, fn, items, nil, nil)
			if tr.Count(esm.Processed) != n {
				b.Fatalf("got %s", tr)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
	}
	b.Run("embedded/in-process", func(b *testing.B) { embedded(b, sqsexample.New()) })
	b.Run("embedded/runtime-api", func(b *testing.B) { embedded(b, localFunction(b)) })
	b.Run("moto/runtime-api", func(b *testing.B) {
		if sqsEndpoint == "" {
			b.Skip(sqsMissing)
		}
		const n = 200
		lf := localFunction(b)
		cfg, err := awsConfig(ctx, "us-east-1", sqsEndpoint)
		if err != nil {
			b.Fatal(err)
		}
		o := &runOptions{batchSize: 10, maxInvocations: 100000}
		items := generate(srcSQS, false, n, 0, 4)
		var busy time.Duration
		for i := 0; i < b.N; i++ {
			q, err := openQueue(ctx, sqs.NewFromConfig(cfg), sqsEndpoint, unique(b, "bench"), true, 30*time.Second, 0)
			if err != nil {
				b.Fatal(err)
			}
			if err := q.send(ctx, items); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			tr, err := newSQSPoller(q, "us-east-1", o, lf, nil).run(ctx)
			busy += time.Since(start)
			if err != nil || tr.Count(esm.Processed) != n {
				b.Fatalf("got %v, %v", tr, err)
			}
		}
		b.ReportMetric(float64(n*b.N)/busy.Seconds(), "records/s")
	})
}
