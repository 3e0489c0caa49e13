package eventjson_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"

	"github.com/seed-45ee126e/batch/internal/cputime"
)

// benchBody is a JSON document of about 256 bytes.
func benchBody(i int) string {
	return fmt.Sprintf(`{"orderId":"ord-%08d","customer":{"id":"cust-4711","email":"jane.doe@example.com","tier":"gold"},`+
		`"items":[{"sku":"SKU-12345","qty":2,"price":19.99},{"sku":"SKU-67890","qty":1,"price":5.49}],`+
		`"createdAt":"2026-11-22T07:00:00Z","note":"deliver to the back door, ring twice"}`, i)
}

func benchEvents(n int) map[string]any {
	sqs := events.SQSEvent{}
	kin := events.KinesisEvent{}
	ddb := events.DynamoDBEvent{}
	kafka := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{}}
	for i := 0; i < n; i++ {
		sqs.Records = append(sqs.Records, events.SQSMessage{
			MessageId: fmt.Sprintf("059f36b4-87a3-44ab-83d2-%012d", i), ReceiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/AbHhw/8JxdZZ5/S6zwj5x1HXxDAVIYwaoQzQkhHWJ6vHdVqNVe2SIvWqdNVbc1ZtOtCB8",
			Body: benchBody(i), Md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3", EventSource: "aws:sqs",
			Attributes:        map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183", "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185"},
			MessageAttributes: map[string]events.SQSMessageAttribute{},
			EventSourceARN:    "arn:aws:sqs:us-east-2:123456789012:my-queue", AWSRegion: "us-east-2",
		})
		kin.Records = append(kin.Records, events.KinesisEventRecord{
			AwsRegion: "us-east-2", EventID: "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
			EventName: "aws:kinesis:record", EventSource: "aws:kinesis", EventSourceArn: "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
			EventVersion: "1.0", InvokeIdentityArn: "arn:aws:iam::123456789012:role/lambda-role",
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: time.Unix(1545084650, 987000000)},
				Data:                        []byte(benchBody(i)), PartitionKey: "pk", KinesisSchemaVersion: "1.0",
				SequenceNumber: fmt.Sprintf("49590338271490256608559692538361571095921575989136%06d", i),
			},
		})
		img := map[string]events.DynamoDBAttributeValue{
			"pk": events.NewStringAttribute(fmt.Sprintf("order#%08d", i)), "total": events.NewNumberAttribute("44.97"),
			"paid": events.NewBooleanAttribute(true), "tags": events.NewStringSetAttribute([]string{"gift", "express"}),
			"customer": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute("cust-4711")}),
			"items": events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
				"sku": events.NewStringAttribute("SKU-12345"), "qty": events.NewNumberAttribute("2")})}),
		}
		ddb.Records = append(ddb.Records, events.DynamoDBEventRecord{
			AWSRegion: "us-east-2", EventID: "c81e728d9d4c2f636f067f89cc14862c", EventName: "MODIFY", EventSource: "aws:dynamodb", EventVersion: "1.1",
			EventSourceArn: "arn:aws:dynamodb:us-east-2:123456789012:table/orders/stream/2026-11-22T00:00:00.000",
			Change: events.DynamoDBStreamRecord{
				ApproximateCreationDateTime: events.SecondsEpochTime{Time: time.Unix(1732262400, 0)},
				Keys:                        map[string]events.DynamoDBAttributeValue{"pk": img["pk"]},
				NewImage:                    img, OldImage: img, SequenceNumber: fmt.Sprintf("14054000000000030667%06d", i),
				SizeBytes: 412, StreamViewType: "NEW_AND_OLD_IMAGES",
			},
		})
		tp := fmt.Sprintf("orders-%d", i%4)
		kafka.Records[tp] = append(kafka.Records[tp], events.KafkaRecord{
			Topic: "orders", Partition: int64(i % 4), Offset: int64(i), TimestampType: "CREATE_TIME",
			Timestamp: events.MilliSecondsEpochTime{Time: time.UnixMilli(1545084650987)},
			Key:       "b3JkZXItMQ==", Value: base64.StdEncoding.EncodeToString([]byte(benchBody(i))),
			Headers: []map[string]events.JSONNumberBytes{{"trace-id": events.JSONNumberBytes("abc-123")}},
		})
	}
	return map[string]any{"sqs": sqs, "kinesis": kin, "dynamodb": ddb, "kafka": kafka}
}

// BenchmarkDecode measures decoding alone (payload bytes to the
// aws-lambda-go event), the fast decoder beside json.Unmarshal, for an event
// of 10,000 records, with the allocations, bytes allocated and CPU time
// (MB/cpu-s) per record besides the wall time:
//
//	go test ./internal/eventjson -run '^$' -bench BenchmarkDecode
func BenchmarkDecode(b *testing.B) {
	const n = 10000
	evs := benchEvents(n)
	for _, src := range sources {
		payload, err := json.Marshal(evs[src.name])
		if err != nil {
			b.Fatal(err)
		}
		for _, path := range []struct {
			name string
			f    func([]byte) (any, error)
		}{{"fast", src.fast}, {"encoding-json", src.std}} {
			b.Run(src.name+"/"+path.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(payload)))
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				cpu := cputime.Process()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := path.f(payload); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				cpu = cputime.Process() - cpu
				runtime.ReadMemStats(&after)
				recs := float64(n) * float64(b.N)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/recs, "ns/record")
				b.ReportMetric(float64(after.Mallocs-before.Mallocs)/recs, "allocs/record")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/recs, "B/record")
				if cpu > 0 {
					// CPU time, all threads (GC included): steadier than
					// wall time on a machine shared with other work.
					b.ReportMetric(float64(len(payload))*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
				}
			})
		}
	}
}

// BenchmarkValidate measures the validity check the typed adapters run
// before a type's own UnmarshalJSON, on a ~256-byte JSON document, beside
// json.Valid doing the same check:
//
//	go test ./internal/eventjson -run '^$' -bench BenchmarkValidate -benchmem
func BenchmarkValidate(b *testing.B) {
	doc := []byte(benchBody(1))
	b.Run("eventjson.Validate", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for i := 0; i < b.N; i++ {
			if eventjson.Validate(doc) != nil {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for i := 0; i < b.N; i++ {
			if !json.Valid(doc) {
				b.Fatal("invalid")
			}
		}
	})
}

// BenchmarkUnknown measures the check of an event type's fields against
// those the decoders read, which Invoke makes once per source and process:
//
//	go test ./internal/eventjson -run '^$' -bench BenchmarkUnknown -benchmem
func BenchmarkUnknown(b *testing.B) {
	for _, src := range sources {
		typ := eventTypes[src.name]
		b.Run(src.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if u := eventjson.Unknown(typ); len(u) != 0 {
					b.Fatal(u)
				}
			}
		})
	}
}
