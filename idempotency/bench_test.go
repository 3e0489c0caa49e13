package idempotency_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/idempotency"
)

// BenchmarkRecord measures the cost per record of an idempotent handler,
// beside the bare handler in the same run: batches of 10 SQS messages,
// handled one record at a time, with a handler that does nothing. Each
// batch gets new messageIds (the bare handler pays for that too), except
// in the duplicate cases, which deliver the same batch again and again.
//
//	go test -run '^$' -bench BenchmarkRecord -benchtime 2s -count 5 ./idempotency
//
// bare: no idempotency. memory: a MemoryStore, the package's own cost.
// dynamodb: DynamoDB Local on loopback, a PutItem and an UpdateItem per
// record. dynamodb-duplicate: records already completed, one PutItem
// whose condition fails. cached-duplicate: the same behind Cached, no
// call at all.
func BenchmarkRecord(b *testing.B) {
	const size = 10
	handle := func(ctx context.Context, o Order) error { return nil }
	ddb := func(b *testing.B) idempotency.Store {
		client := newClient(ddbEndpoint)
		return idempotency.NewDynamoDBStore(client, newTable(b, client, idempotency.Table{}))
	}
	for _, bc := range []struct {
		name      string
		duplicate bool
		wrap      func(b *testing.B) func(context.Context, Order) error
	}{
		{name: "bare", wrap: func(*testing.B) func(context.Context, Order) error { return handle }},
		{name: "memory", wrap: func(*testing.B) func(context.Context, Order) error {
			// Keys expire at once, so that the store does not grow with b.N.
			return idempotency.Handler(&idempotency.MemoryStore{}, handle, nil, idempotency.Options{TTL: time.Nanosecond, LockTimeout: time.Nanosecond})
		}},
		{name: "dynamodb", wrap: func(b *testing.B) func(context.Context, Order) error {
			return idempotency.Handler(ddb(b), handle, nil, idempotency.Options{})
		}},
		{name: "dynamodb-duplicate", duplicate: true, wrap: func(b *testing.B) func(context.Context, Order) error {
			return idempotency.Handler(ddb(b), handle, nil, idempotency.Options{})
		}},
		{name: "cached-duplicate", duplicate: true, wrap: func(b *testing.B) func(context.Context, Order) error {
			return idempotency.Handler(idempotency.Cached(ddb(b), 0), handle, nil, idempotency.Options{})
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			fn := batch.New(batch.SQS(), bc.wrap(b), batch.Options{})
			q := batchtest.NewSQSQueue("orders")
			bodies := make([]string, size)
			for i := range bodies {
				bodies[i] = `{"id":"o-` + strconv.Itoa(i) + `","qty":1}`
			}
			ev := q.Event(bodies...)
			ctx := context.Background()
			if bc.duplicate {
				handleOnce(b, fn, ev)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				if !bc.duplicate {
					for i := range ev.Records {
						ev.Records[i].MessageId = strconv.Itoa(n) + "-" + strconv.Itoa(i)
					}
				}
				resp, err := fn.Handle(ctx, ev)
				if err != nil || len(resp.BatchItemFailures) != 0 {
					b.Fatalf("failures %v, error %v", resp.BatchItemFailures, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/record")
		})
	}
}

// handleOnce runs ev once, before the timer starts.
func handleOnce(b *testing.B, fn *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse], ev events.SQSEvent) {
	b.Helper()
	resp, err := fn.Handle(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		b.Fatalf("failures %v, error %v", resp.BatchItemFailures, err)
	}
}
