package sqsdelete_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/sqsdelete"
)

// Benchmarks of the Function's own cost, next to a hand-written loop doing
// the same work: handle each message (recovering panics), delete the
// successful ones in calls of ten, and build an error naming the failed
// ones. The SQS client is an in-memory fake that answers every entry
// deleted, so that only the client-side work is measured. Reproduce with:
//
//	cd sqsdelete && go test -run '^$' -bench . -benchmem -count 5

// okClient answers that every entry was deleted.
type okClient struct{}

func (okClient) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	out := &sqs.DeleteMessageBatchOutput{Successful: make([]types.DeleteMessageBatchResultEntry, len(in.Entries))}
	for i, e := range in.Entries {
		out.Successful[i].Id = e.Id
	}
	return out, nil
}

var errBench = errors.New("bench failure")

// benchHandler fails every tenth message.
func benchHandler(_ context.Context, m events.SQSMessage) error {
	if m.MessageId[len(m.MessageId)-1] == '0' {
		return errBench
	}
	return nil
}

// handWritten is what a careful user writes without the package.
func handWritten(ctx context.Context, c sqsdelete.Client, queueURL string, ev events.SQSEvent, h func(context.Context, events.SQSMessage) error) error {
	var failed []string
	var entries []types.DeleteMessageBatchRequestEntry
	flush := func() error {
		out, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &queueURL, Entries: entries})
		if err != nil {
			return err
		}
		if len(out.Failed) > 0 {
			return fmt.Errorf("%d messages not deleted", len(out.Failed))
		}
		entries = entries[:0]
		return nil
	}
	for i := range ev.Records {
		m := &ev.Records[i]
		err := func() (err error) {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				}
			}()
			return h(ctx, *m)
		}()
		if err != nil {
			failed = append(failed, m.MessageId)
			continue
		}
		id := strconv.Itoa(i)
		entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: &id, ReceiptHandle: &m.ReceiptHandle})
		if len(entries) == 10 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(failed) == 0 {
		return nil
	}
	if len(entries) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	return fmt.Errorf("%d messages failed: %v", len(failed), failed)
}

func benchEvent(n int) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, n)}
	for i := range ev.Records {
		ev.Records[i] = events.SQSMessage{
			MessageId:      fmt.Sprintf("%08x-0000-4000-8000-%012d", i, i),
			ReceiptHandle:  fmt.Sprintf("AQEB%060d", i),
			Body:           `{"orderId":"o-123456"}`,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:orders",
		}
	}
	return ev
}

func BenchmarkDelete(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10, 100, 1000} {
		ev := benchEvent(n)
		url, _ := sqsdelete.QueueURL(ev.Records[0].EventSourceARN)
		b.Run(fmt.Sprintf("records=%d/hand-written", n), func(b *testing.B) {
			measure(b, n, func() error { return handWritten(ctx, okClient{}, url, ev, benchHandler) })
		})
		fn := sqsdelete.New(sqsdelete.Config{Client: okClient{}}, benchHandler, batch.Options{})
		b.Run(fmt.Sprintf("records=%d/sqsdelete", n), func(b *testing.B) {
			measure(b, n, func() error { return fn.Handle(ctx, ev) })
		})
		// The event as Lambda sends it, JSON, as lambda.Start passes it.
		payload, err := json.Marshal(ev)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("records=%d/sqsdelete-invoke", n), func(b *testing.B) {
			measure(b, n, func() error { _, err := fn.Invoke(ctx, payload); return err })
		})
		// One delete call at a time, like the hand-written loop.
		seq := sqsdelete.New(sqsdelete.Config{Client: okClient{}, DeleteConcurrency: 1}, benchHandler, batch.Options{})
		b.Run(fmt.Sprintf("records=%d/sqsdelete-sequential-deletes", n), func(b *testing.B) {
			measure(b, n, func() error { return seq.Handle(ctx, ev) })
		})
	}
}

// measure runs f b.N times and reports ns and allocations per record.
func measure(b *testing.B, n int, f func() error) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f(); err == nil {
			b.Fatal("got nil error, want the failed messages")
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	recs := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/recs, "ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/recs, "allocs/record")
}
