package batch_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"

	"github.com/seed-45ee126e/batch/internal/cputime"
)

// fastPayload is a JSON document of about 256 bytes, the payload of every
// benchmark record.
func fastPayload(i int) []byte {
	b, _ := json.Marshal(map[string]any{
		"orderId":  fmt.Sprintf("ord-%08d", i),
		"customer": map[string]any{"id": "cust-4711", "email": "jane.doe@example.com", "tier": "gold"},
		"items": []map[string]any{
			{"sku": "SKU-12345", "qty": 2, "price": 19.99},
			{"sku": "SKU-67890", "qty": 1, "price": 5.49},
		},
		"createdAt": "2026-11-22T07:00:00Z",
		"note":      "deliver to the back door, ring twice",
	})
	return b
}

func fastSQSEvent(n int) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, n)}
	for i := range ev.Records {
		ev.Records[i] = events.SQSMessage{
			MessageId:     fmt.Sprintf("059f36b4-87a3-44ab-83d2-%012d", i),
			ReceiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/AbHhw/8JxdZZ5/S6zwj5x1HXxDAVIYwaoQzQkhHWJ6vHdVqNVe2SIvWqdNVbc1ZtOtCB8",
			Body:          string(fastPayload(i)),
			Attributes: map[string]string{
				"ApproximateReceiveCount":          "1",
				"SentTimestamp":                    "1545082649183",
				"SenderId":                         "AIDAIENQZJOLO23YVJ4VO",
				"ApproximateFirstReceiveTimestamp": "1545082649185",
			},
			MessageAttributes: map[string]events.SQSMessageAttribute{},
			Md5OfBody:         "e4e68fb7bd0e697a0ae8f1bb342846b3",
			EventSource:       "aws:sqs",
			EventSourceARN:    "arn:aws:sqs:us-east-2:123456789012:my-queue",
			AWSRegion:         "us-east-2",
		}
	}
	return ev
}

func fastKinesisEvent(n int) events.KinesisEvent {
	ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, n)}
	for i := range ev.Records {
		ev.Records[i] = events.KinesisEventRecord{
			AwsRegion:         "us-east-2",
			EventID:           "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
			EventName:         "aws:kinesis:record",
			EventSource:       "aws:kinesis",
			EventSourceArn:    "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
			EventVersion:      "1.0",
			InvokeIdentityArn: "arn:aws:iam::123456789012:role/lambda-role",
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: time.Unix(1545084650, 987000000)},
				Data:                        fastPayload(i),
				PartitionKey:                "pk-" + strconv.Itoa(i%16),
				SequenceNumber:              fmt.Sprintf("49590338271490256608559692538361571095921575989136%06d", i),
				KinesisSchemaVersion:        "1.0",
			},
		}
	}
	return ev
}

func fastImage(i int, status string) map[string]events.DynamoDBAttributeValue {
	return map[string]events.DynamoDBAttributeValue{
		"pk":       events.NewStringAttribute(fmt.Sprintf("order#%08d", i)),
		"sk":       events.NewStringAttribute("v1"),
		"status":   events.NewStringAttribute(status),
		"total":    events.NewNumberAttribute("44.97"),
		"paid":     events.NewBooleanAttribute(status != "NEW"),
		"tags":     events.NewStringSetAttribute([]string{"gift", "express"}),
		"customer": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute("cust-4711"), "tier": events.NewStringAttribute("gold")}),
		"items": events.NewListAttribute([]events.DynamoDBAttributeValue{
			events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"sku": events.NewStringAttribute("SKU-12345"), "qty": events.NewNumberAttribute("2")}),
			events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"sku": events.NewStringAttribute("SKU-67890"), "qty": events.NewNumberAttribute("1")}),
		}),
	}
}

func fastDynamoDBEvent(n int) events.DynamoDBEvent {
	ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, n)}
	for i := range ev.Records {
		ev.Records[i] = events.DynamoDBEventRecord{
			AWSRegion:      "us-east-2",
			EventID:        fmt.Sprintf("c81e728d9d4c2f636f067f89cc14%04d", i%10000),
			EventName:      "MODIFY",
			EventSource:    "aws:dynamodb",
			EventVersion:   "1.1",
			EventSourceArn: "arn:aws:dynamodb:us-east-2:123456789012:table/orders/stream/2026-11-22T00:00:00.000",
			Change: events.DynamoDBStreamRecord{
				ApproximateCreationDateTime: events.SecondsEpochTime{Time: time.Unix(1732262400, 0)},
				Keys: map[string]events.DynamoDBAttributeValue{
					"pk": events.NewStringAttribute(fmt.Sprintf("order#%08d", i)),
					"sk": events.NewStringAttribute("v1"),
				},
				NewImage:       fastImage(i, "PAID"),
				OldImage:       fastImage(i, "NEW"),
				SequenceNumber: fmt.Sprintf("14054000000000030667%06d", i),
				SizeBytes:      412,
				StreamViewType: "NEW_AND_OLD_IMAGES",
			},
		}
	}
	return ev
}

func fastKafkaEvent(n int) events.KafkaEvent {
	ev := events.KafkaEvent{
		EventSource:      "aws:kafka",
		EventSourceARN:   "arn:aws:kafka:us-east-2:123456789012:cluster/orders/abcd1234-ab12-cd34-ef56-abcdef123456-1",
		BootstrapServers: "b-1.orders.abcde.c2.kafka.us-east-2.amazonaws.com:9092,b-2.orders.abcde.c2.kafka.us-east-2.amazonaws.com:9092",
		Records:          map[string][]events.KafkaRecord{},
	}
	for i := 0; i < n; i++ {
		part := int64(i % 4)
		tp := "orders-" + strconv.FormatInt(part, 10)
		ev.Records[tp] = append(ev.Records[tp], events.KafkaRecord{
			Topic:         "orders",
			Partition:     part,
			Offset:        int64(1000 + i/4),
			Timestamp:     events.MilliSecondsEpochTime{Time: time.UnixMilli(1545084650987)},
			TimestampType: "CREATE_TIME",
			Key:           "b3JkZXItMQ==",
			Value:         base64.StdEncoding.EncodeToString(fastPayload(i)),
			Headers:       []map[string]events.JSONNumberBytes{{"trace-id": events.JSONNumberBytes("abc-123")}},
		})
	}
	return ev
}

// fastBench is one source of the fast-path benchmark.
type fastBench struct {
	name  string
	event func(n int) any
	fast  lambda.Handler
	std   lambda.Handler
}

func fastBenches() []fastBench {
	sqs := batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{})
	kinesis := batch.New(batch.Kinesis(), func(context.Context, events.KinesisEventRecord) error { return nil }, batch.Options{})
	dynamodb := batch.New(batch.DynamoDB(), func(context.Context, events.DynamoDBEventRecord) error { return nil }, batch.Options{})
	kafka := batch.New(batch.Kafka(), func(context.Context, events.KafkaRecord) error { return nil }, batch.Options{})
	return []fastBench{
		{
			name:  "SQS",
			event: func(n int) any { return fastSQSEvent(n) },
			fast:  sqs,
			std:   lambda.NewHandler(sqs.Handle),
		},
		{
			name:  "Kinesis",
			event: func(n int) any { return fastKinesisEvent(n) },
			fast:  kinesis,
			std:   lambda.NewHandler(kinesis.Handle),
		},
		{
			name:  "DynamoDB",
			event: func(n int) any { return fastDynamoDBEvent(n) },
			fast:  dynamodb,
			std:   lambda.NewHandler(dynamodb.Handle),
		},
		{
			name:  "Kafka",
			event: func(n int) any { return fastKafkaEvent(n) },
			fast:  kafka,
			std:   lambda.NewHandler(kafka.Handle),
		},
	}
}

// BenchmarkInvoke measures raw event bytes to response bytes, for the fast
// path (Function.Invoke) beside the standard path (lambda.NewHandler around
// the same Function's Handle: what lambda.Start runs for a handler function
// of the event type, encoding/json in and out), in one run:
//
//	go test -run '^$' -bench BenchmarkInvoke -benchtime 2s .
func BenchmarkInvoke(b *testing.B) {
	for _, fb := range fastBenches() {
		for _, n := range []int{10, 1000, 10000} {
			payload, err := json.Marshal(fb.event(n))
			if err != nil {
				b.Fatal(err)
			}
			for _, path := range []struct {
				name string
				h    lambda.Handler
			}{{"fast", fb.fast}, {"std", fb.std}} {
				b.Run(fmt.Sprintf("%s/records=%d/%s", fb.name, n, path.name), func(b *testing.B) {
					ctx := context.Background()
					b.ReportAllocs()
					b.SetBytes(int64(len(payload)))
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					cpu := cputime.Process()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if _, err := path.h.Invoke(ctx, payload); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					cpu = cputime.Process() - cpu
					runtime.ReadMemStats(&after)
					recs := float64(n) * float64(b.N)
					b.ReportMetric(recs/b.Elapsed().Seconds(), "records/s")
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
}

// invokeDoc is the payload of fastPayload, as a handler declares it.
type invokeDoc struct {
	OrderID  string `json:"orderId"`
	Customer struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Tier  string `json:"tier"`
	} `json:"customer"`
	Items []struct {
		SKU   string  `json:"sku"`
		Qty   int     `json:"qty"`
		Price float64 `json:"price"`
	} `json:"items"`
	CreatedAt string `json:"createdAt"`
	Note      string `json:"note"`
}

func invokeDocHandler(_ context.Context, d invokeDoc) error {
	if d.OrderID == "" {
		return errors.New("no order id")
	}
	return nil
}

// BenchmarkInvokeTyped measures raw event bytes to response bytes for a
// handler of a payload type (the ~256-byte document of fastPayload), in
// one run, three ways. "fast" is Function.Invoke, the event and the
// payloads decoded by the library's decoders (the default).
// "fast+StdJSON" is Function.Invoke with Options.StdJSON: the event by the
// library's decoder, each payload by encoding/json (what the library did
// before it had a payload decoder). "std" is lambda.NewHandler around
// Function.Handle with Options.StdJSON: encoding/json for everything.
//
//	go test -run '^$' -bench BenchmarkInvokeTyped -benchtime 300ms -count 5 .
func BenchmarkInvokeTyped(b *testing.B) {
	type source struct {
		name  string
		event func(n int) any
		fn    func(o batch.Options) lambda.Handler
		std   func(o batch.Options) lambda.Handler
	}
	sources := []source{
		{"SQS", func(n int) any { return fastSQSEvent(n) },
			func(o batch.Options) lambda.Handler { return batch.New(batch.SQS(), invokeDocHandler, o) },
			func(o batch.Options) lambda.Handler {
				return lambda.NewHandler(batch.New(batch.SQS(), invokeDocHandler, o).Handle)
			}},
		{"Kinesis", func(n int) any { return fastKinesisEvent(n) },
			func(o batch.Options) lambda.Handler { return batch.New(batch.Kinesis(), invokeDocHandler, o) },
			func(o batch.Options) lambda.Handler {
				return lambda.NewHandler(batch.New(batch.Kinesis(), invokeDocHandler, o).Handle)
			}},
		{"Kafka", func(n int) any { return fastKafkaEvent(n) },
			func(o batch.Options) lambda.Handler { return batch.New(batch.Kafka(), invokeDocHandler, o) },
			func(o batch.Options) lambda.Handler {
				return lambda.NewHandler(batch.New(batch.Kafka(), invokeDocHandler, o).Handle)
			}},
	}
	std := batch.Options{StdJSON: true}
	for _, src := range sources {
		for _, n := range []int{10, 1000} {
			payload, err := json.Marshal(src.event(n))
			if err != nil {
				b.Fatal(err)
			}
			for _, path := range []struct {
				name string
				h    lambda.Handler
			}{{"fast", src.fn(batch.Options{})}, {"fast+StdJSON", src.fn(std)}, {"std", src.std(std)}} {
				b.Run(fmt.Sprintf("%s/records=%d/%s", src.name, n, path.name), func(b *testing.B) {
					ctx := context.Background()
					b.ReportAllocs()
					b.SetBytes(int64(len(payload)))
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						out, err := path.h.Invoke(ctx, payload)
						if err != nil || !bytes.Equal(out, []byte(`{"batchItemFailures":[]}`)) {
							b.Fatalf("got %s, %v, want no failure", out, err)
						}
					}
					b.StopTimer()
					runtime.ReadMemStats(&after)
					recs := float64(n) * float64(b.N)
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/recs, "ns/record")
					b.ReportMetric(float64(after.Mallocs-before.Mallocs)/recs, "allocs/record")
					b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/recs, "B/record")
				})
			}
		}
	}
}
