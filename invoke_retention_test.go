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

// TestInvokeKeptStringsRetainLittle checks issue 14 through Function.Invoke:
// a record handler that keeps a small string of every record across many
// invocations (a de-duplication cache of a warm function) must not keep
// much more than those strings reachable. The bound, 8 bytes a kept byte
// plus 64 a string, is the decoder's worst case (see internal/eventjson);
// the same Functions' Handle methods behind lambda.NewHandler,
// encoding/json with an allocation of its own for every string, are
// measured alongside as the reference.
func TestInvokeKeptStringsRetainLittle(t *testing.T) {
	const invocations, records = 2000, 10
	var kept []string
	keep := func(s string) { kept = append(kept, s) }
	sqs := batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
		keep(m.MessageId)
		return nil
	}, batch.Options{})
	kinesis := batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error {
		keep(r.Kinesis.SequenceNumber)
		return nil
	}, batch.Options{})
	dynamodb := batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
		keep(r.Change.SequenceNumber)
		keep(r.Change.NewImage["pk"].String())
		return nil
	}, batch.Options{})
	kafka := batch.New(batch.Kafka(), func(_ context.Context, r events.KafkaRecord) error {
		keep(r.Topic)
		return nil
	}, batch.Options{})
	tests := []struct {
		name  string
		event any
		fast  lambda.Handler
		std   lambda.Handler
	}{
		{"SQS MessageId", fastSQSEvent(records), sqs, lambda.NewHandler(sqs.Handle)},
		{"Kinesis SequenceNumber", fastKinesisEvent(records), kinesis, lambda.NewHandler(kinesis.Handle)},
		{"DynamoDB SequenceNumber and NewImage pk", fastDynamoDBEvent(records), dynamodb, lambda.NewHandler(dynamodb.Handle)},
		{"Kafka Topic", fastKafkaEvent(records), kafka, lambda.NewHandler(kafka.Handle)},
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
			t.Logf("%d strings kept (%.1f bytes each on average): Invoke %.1f bytes reachable per kept string beyond its own (bound %.1f); encoding/json %.1f",
				len(kept), float64(own)/n, float64(extra)/n, float64(bound)/n, float64(stdExtra)/float64(stdN))
			if extra > bound {
				t.Errorf("kept strings keep %d bytes reachable beyond their own %d (%.0f per string), want at most %d (%.0f per string)",
					extra, own, float64(extra)/n, bound, float64(bound)/n)
			}
			kept = nil
		})
	}
}
