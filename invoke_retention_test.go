//go:build legacy

package batch_test

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
)

// retainedByKept invokes h invocations times with payload (copied into a
// buffer reused across invocations, as aws-lambda-go does) while the
// record handler behind h keeps strings into *kept, and returns how many
// heap bytes stay reachable afterwards beyond the kept strings' own.
func retainedByKept(t *testing.T, h lambda.Handler, payload []byte, invocations int, kept *[]string) (extra, own int64) {
	t.Helper()
	ctx := context.Background()
	buf := make([]byte, len(payload))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < invocations; i++ {
		copy(buf, payload)
		if _, err := h.Invoke(ctx, buf); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	for _, s := range *kept {
		own += int64(len(s))
	}
	runtime.KeepAlive(kept)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc) - own, own
}

// TestFastHandlerKeptStringsRetainLittle checks issue 14 through the public
// fast handlers: a record handler that keeps a small string of every record
// across many invocations (a de-duplication cache of a warm function) must
// not keep much more than those strings reachable. The bound, 8 bytes a
// kept byte plus 64 a string, is the decoder's worst case (see
// internal/eventjson); the handlers built from lambda.NewHandler around the
// Processor methods, encoding/json with an allocation of its own for every
// string, are measured alongside as the reference.
func TestFastHandlerKeptStringsRetainLittle(t *testing.T) {
	const invocations, records = 2000, 10
	var p batch.Processor
	var kept []string
	keep := func(s string) { kept = append(kept, s) }
	tests := []struct {
		name  string
		event any
		fast  lambda.Handler
		std   lambda.Handler
	}{
		{
			name:  "SQS MessageId",
			event: fastSQSEvent(records),
			fast: batch.SQSHandler(p, func(_ context.Context, m events.SQSMessage) error {
				keep(m.MessageId)
				return nil
			}),
			std: lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
				return p.SQS(ctx, ev, func(_ context.Context, m events.SQSMessage) error {
					keep(m.MessageId)
					return nil
				})
			}),
		},
		{
			name:  "Kinesis SequenceNumber",
			event: fastKinesisEvent(records),
			fast: batch.KinesisHandler(p, func(_ context.Context, r events.KinesisEventRecord) error {
				keep(r.Kinesis.SequenceNumber)
				return nil
			}),
			std: lambda.NewHandler(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
				return p.Kinesis(ctx, ev, func(_ context.Context, r events.KinesisEventRecord) error {
					keep(r.Kinesis.SequenceNumber)
					return nil
				})
			}),
		},
		{
			name:  "DynamoDB SequenceNumber and NewImage pk",
			event: fastDynamoDBEvent(records),
			fast: batch.DynamoDBHandler(p, func(_ context.Context, r events.DynamoDBEventRecord) error {
				keep(r.Change.SequenceNumber)
				keep(r.Change.NewImage["pk"].String())
				return nil
			}),
			std: lambda.NewHandler(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
				return p.DynamoDB(ctx, ev, func(_ context.Context, r events.DynamoDBEventRecord) error {
					keep(r.Change.SequenceNumber)
					keep(r.Change.NewImage["pk"].String())
					return nil
				})
			}),
		},
		{
			name:  "Kafka Topic",
			event: fastKafkaEvent(records),
			fast: batch.KafkaHandler(p, func(_ context.Context, r events.KafkaRecord) error {
				keep(r.Topic)
				return nil
			}),
			std: lambda.NewHandler(func(ctx context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
				return p.Kafka(ctx, ev, func(_ context.Context, r events.KafkaRecord) error {
					keep(r.Topic)
					return nil
				})
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, err := json.Marshal(tt.event)
			if err != nil {
				t.Fatal(err)
			}
			// encoding/json is only the reference, and slow for DynamoDB:
			// a quarter of the invocations measure it well enough.
			kept = make([]string, 0, 2*records*invocations/4)
			stdExtra, _ := retainedByKept(t, tt.std, payload, invocations/4, &kept)
			stdN := len(kept)

			kept = make([]string, 0, 2*records*invocations)
			extra, own := retainedByKept(t, tt.fast, payload, invocations, &kept)
			if len(kept) < records*invocations {
				t.Fatalf("kept %d strings, want at least %d", len(kept), records*invocations)
			}
			var bound int64
			for _, s := range kept {
				bound += int64(8*len(s) + 64)
			}
			n := float64(len(kept))
			t.Logf("%d strings kept (%.1f bytes each on average): fast handler %.1f bytes reachable per kept string beyond its own (bound %.1f); encoding/json %.1f",
				len(kept), float64(own)/n, float64(extra)/n, float64(bound)/n, float64(stdExtra)/float64(stdN))
			if extra > bound {
				t.Errorf("kept strings keep %d bytes reachable beyond their own %d (%.0f per string), want at most %d (%.0f per string)",
					extra, own, float64(extra)/n, bound, float64(bound)/n)
			}
			kept = nil
		})
	}
}
