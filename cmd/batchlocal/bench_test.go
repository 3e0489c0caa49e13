package main

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

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
// Runtime API; and 200 through moto, when it is available, by the runner
// and by a loop written by hand (see drainByHand).
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
	// moto: the queue is created and filled before the clock starts; the
	// clock runs while it is polled until drained. The baseline is the
	// same polling written by hand with aws-sdk-go-v2, the function called
	// in-process; the runner polls with its sqsPoller, the function behind
	// the local Runtime API.
	moto := func(b *testing.B, drain func(*queue) (int, error)) {
		const n = 200
		cfg, err := awsConfig(ctx, "us-east-1", sqsEndpoint)
		if err != nil {
			b.Fatal(err)
		}
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
			got, err := drain(q)
			busy += time.Since(start)
			if err != nil || got != n {
				b.Fatalf("got %d processed, %v; want %d", got, err, n)
			}
		}
		b.ReportMetric(float64(n*b.N)/busy.Seconds(), "records/s")
	}
	b.Run("moto/sdk-loop", func(b *testing.B) {
		if sqsEndpoint == "" {
			b.Skip(sqsMissing)
		}
		fn := sqsexample.New()
		moto(b, func(q *queue) (int, error) { return drainByHand(ctx, q.client, q.url, q.arn, fn) })
	})
	b.Run("moto/runtime-api", func(b *testing.B) {
		if sqsEndpoint == "" {
			b.Skip(sqsMissing)
		}
		lf := localFunction(b)
		o := &runOptions{batchSize: 10, maxInvocations: 100000}
		moto(b, func(q *queue) (int, error) {
			tr, err := newSQSPoller(q, "us-east-1", o, lf, nil).run(ctx)
			if err != nil {
				return 0, err
			}
			return tr.Count(esm.Processed), nil
		})
	})
}

// drainByHand is what the runner does with a queue, written by hand: it
// receives up to 10 messages with the same request (a one-second long
// poll, every attribute), invokes fn with the event, deletes the
// messages that did not fail, and stops when a receive comes back empty
// and the queue holds nothing visible, in flight or delayed. It returns
// the messages deleted.
func drainByHand(ctx context.Context, c *sqs.Client, url, arn string, fn esm.Function) (int, error) {
	deleted := 0
	for {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(url),
			MaxNumberOfMessages:         10,
			WaitTimeSeconds:             1,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			return deleted, err
		}
		if len(out.Messages) == 0 {
			attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
				QueueUrl: aws.String(url),
				AttributeNames: []types.QueueAttributeName{
					types.QueueAttributeNameApproximateNumberOfMessages,
					types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
					types.QueueAttributeNameApproximateNumberOfMessagesDelayed,
				},
			})
			if err != nil {
				return deleted, err
			}
			left := 0
			for _, v := range attrs.Attributes {
				n, _ := strconv.Atoi(v)
				left += n
			}
			if left == 0 {
				return deleted, nil
			}
			continue
		}
		ev := events.SQSEvent{Records: make([]events.SQSMessage, len(out.Messages))}
		for i, m := range out.Messages {
			ev.Records[i] = events.SQSMessage{
				MessageId:      aws.ToString(m.MessageId),
				ReceiptHandle:  aws.ToString(m.ReceiptHandle),
				Body:           aws.ToString(m.Body),
				Md5OfBody:      aws.ToString(m.MD5OfBody),
				Attributes:     m.Attributes,
				EventSourceARN: arn,
				EventSource:    "aws:sqs",
				AWSRegion:      "us-east-1",
			}
		}
		payload, err := json.Marshal(ev)
		if err != nil {
			return deleted, err
		}
		resp, err := fn.Invoke(ctx, payload)
		if err != nil {
			continue // the whole batch comes back after its visibility timeout
		}
		var r events.SQSEventResponse
		if err := json.Unmarshal(resp, &r); err != nil {
			return deleted, err
		}
		failed := make(map[string]bool, len(r.BatchItemFailures))
		for _, f := range r.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		var del []types.DeleteMessageBatchRequestEntry
		for i, m := range ev.Records {
			if !failed[m.MessageId] {
				del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle)})
			}
		}
		if len(del) == 0 {
			continue
		}
		dout, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del})
		if err != nil {
			return deleted, err
		}
		deleted += len(del) - len(dout.Failed)
	}
}
