package dynamodbav_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/dynamodbav"
)

const benchRecords = 1000

// benchEvent is 1,000 INSERT records whose NewImage has eight attributes,
// a list of maps among them, decoded from JSON as Lambda delivers them.
func benchEvent(b *testing.B) events.DynamoDBEvent {
	var ev events.DynamoDBEvent
	ev.Records = make([]events.DynamoDBEventRecord, benchRecords)
	for i := range ev.Records {
		img := fmt.Sprintf(`{"pk":{"S":"p#%06d"},"name":{"S":"desk lamp %d"},"stock":{"N":"%d"},"price":{"N":"19.5"},`+
			`"active":{"BOOL":true},"tags":{"SS":["blue","desk"]},`+
			`"parts":{"L":[{"M":{"sku":{"S":"bulb"},"qty":{"N":"2"}}},{"M":{"sku":{"S":"shade"},"qty":{"N":"1"}}}]},`+
			`"labels":{"M":{"origin":{"S":"se"}}}}`, i, i, i%50)
		ev.Records[i] = record(b, fmt.Sprintf("%021d", 4000000+i), "INSERT", "", img)
	}
	return ev
}

var benchSink int

func benchHandle(_ context.Context, it *item) error {
	benchSink += it.Stock
	return nil
}

// handWritten is what a user writes without the adapter: convert the image,
// unmarshal it with attributevalue, validate, handle, collect the failures.
func handWritten(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	failures := []events.DynamoDBBatchItemFailure{}
	for _, r := range ev.Records {
		var it item
		av, err := dynamodbav.AttributeValues(r.Change.NewImage)
		if err == nil {
			err = attributevalue.UnmarshalMap(av, &it)
		}
		if err == nil {
			err = it.Validate()
		}
		if err == nil {
			err = benchHandle(ctx, &it)
		}
		if err != nil {
			failures = append(failures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
		}
	}
	return events.DynamoDBEventResponse{BatchItemFailures: failures}, nil
}

// perRecord runs fn b.N times and reports time and allocations per record of
// a batch of n records.
func perRecord(b *testing.B, n int, fn func()) {
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

// BenchmarkNewImage compares, on 1,000 records, a hand-written loop calling
// attributevalue with a Function decoding with NewImage.
func BenchmarkNewImage(b *testing.B) {
	ev := benchEvent(b)
	ctx := context.Background()
	if raw, _ := json.Marshal(ev.Records[0].Change.NewImage); len(raw) < 200 {
		b.Fatalf("image of %d bytes, want a realistic one", len(raw))
	}
	b.Run("hand-written", func(b *testing.B) {
		perRecord(b, len(ev.Records), func() {
			if resp, err := handWritten(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("got %v, %v, want no failure", resp, err)
			}
		})
	})
	b.Run("Function+NewImage", func(b *testing.B) {
		fn := batch.New(batch.DynamoDB().Decode(dynamodbav.NewImage), func(ctx context.Context, c dynamodbav.Change[item]) error { return benchHandle(ctx, c.New) }, batch.Options{})
		perRecord(b, len(ev.Records), func() {
			if resp, err := fn.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("got %v, %v, want no failure", resp, err)
			}
		})
	})
}
