package batch_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// benchOrder is the payload of the typed-payload benchmarks: a JSON body of
// about 256 bytes, with a Validate method.
type benchOrder struct {
	ID       string      `json:"id"`
	Customer string      `json:"customer"`
	Currency string      `json:"currency"`
	Total    float64     `json:"total"`
	Items    []benchItem `json:"items"`
	Created  string      `json:"created"`
}

type benchItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

var errBenchTotal = errors.New("negative total")

func (o *benchOrder) Validate() error {
	if o.Total < 0 {
		return errBenchTotal
	}
	return nil
}

const benchRecords = 1000

// benchOrderJSON is the payload of record i: a benchOrder of about 250
// bytes of JSON.
func benchOrderJSON(i int) string {
	return fmt.Sprintf(`{"id":"order-%06d","customer":"customer-%04d","currency":"EUR","total":%d.50,`+
		`"items":[{"sku":"SKU-%05d","qty":2},{"sku":"SKU-%05d","qty":1},{"sku":"SKU-%05d","qty":5}],`+
		`"created":"2026-11-22T07:00:00Z","note":"leave at the door, ring twice"}`, i, i%977, i%500, i, i+1, i+2)
}

func benchSQSEvent() events.SQSEvent {
	return benchSQSEventOf(benchOrderJSON)
}

// benchSQSEventOf builds an SQS event of benchRecords messages whose bodies
// body gives.
func benchSQSEventOf(body func(i int) string) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, benchRecords)}
	for i := range ev.Records {
		ev.Records[i] = events.SQSMessage{
			MessageId:      fmt.Sprintf("059f36b4-87a3-44ab-83d2-%012d", i),
			Body:           body(i),
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders",
		}
	}
	return ev
}

// benchSink keeps the handler's work from being optimised away.
var benchSink int

func benchHandle(_ context.Context, o benchOrder) error {
	benchSink += len(o.Items)
	return nil
}

// handWrittenSQS is what a user writes without the library: decode each body,
// validate, handle, and collect the failures.
func handWrittenSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	failures := []events.SQSBatchItemFailure{}
	for _, m := range ev.Records {
		var o benchOrder
		err := json.Unmarshal([]byte(m.Body), &o)
		if err == nil {
			err = o.Validate()
		}
		if err == nil {
			err = benchHandle(ctx, o)
		}
		if err != nil {
			failures = append(failures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return events.SQSEventResponse{BatchItemFailures: failures}, nil
}

// BenchmarkSQSJSON compares, on 1,000 messages of about 256 bytes, a
// hand-written decode-and-handle loop with a Function of SQS whose handler
// takes the decoded payload (decoded by the library's decoder, and with
// Options.StdJSON by encoding/json), and with one whose handler takes the
// message and decodes it by hand; then json.Unmarshal and Validate alone,
// without a response.
func BenchmarkSQSJSON(b *testing.B) {
	ev := benchSQSEvent()
	ctx := context.Background()
	b.Run("hand-written", func(b *testing.B) {
		perRecord(b, len(ev.Records), func() {
			if resp, err := handWrittenSQS(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("got %v, %v, want no failure", resp, err)
			}
		})
	})
	// Without the engine: json.Unmarshal and Validate called directly. The
	// typed decoding has no entry point outside a Function; its own cost is
	// the difference between the two Function.Handle variants below.
	b.Run("json.Unmarshal-only", func(b *testing.B) {
		perRecord(b, len(ev.Records), func() {
			for _, m := range ev.Records {
				var o benchOrder
				if err := json.Unmarshal([]byte(m.Body), &o); err != nil {
					b.Fatal(err)
				}
				if err := o.Validate(); err != nil {
					b.Fatal(err)
				}
				if err := benchHandle(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("Function.Handle+json.Unmarshal", func(b *testing.B) {
		h := func(ctx context.Context, m events.SQSMessage) error {
			var o benchOrder
			if err := json.Unmarshal([]byte(m.Body), &o); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return benchHandle(ctx, o)
		}
		fn := batch.New(batch.SQS(), h, batch.Options{})
		perRecord(b, len(ev.Records), func() {
			if resp, err := fn.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("got %v, %v, want no failure", resp, err)
			}
		})
	})
	for _, typed := range []struct {
		name string
		o    batch.Options
	}{{"Function.Handle+typed", batch.Options{}}, {"Function.Handle+typed+StdJSON", batch.Options{StdJSON: true}}} {
		b.Run(typed.name, func(b *testing.B) {
			fn := batch.New(batch.SQS(), benchHandle, typed.o)
			perRecord(b, len(ev.Records), func() {
				if resp, err := fn.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
					b.Fatalf("got %v, %v, want no failure", resp, err)
				}
			})
		})
	}
}

// The benchmarks below compare, for each of the other payload decoders (the
// default ones of Kinesis and Kafka, SNS and EventBridge given to
// Source.Decode), a Function's Handle with a hand-written loop doing the
// same work: take the payload out of its record or envelope, decode it,
// validate it, handle it, and build the partial batch response. Reproduce
// the table of the README with
//
//	go test -run '^$' -bench 'JSON' -benchmem -count 3 .

func benchKinesisEvent() events.KinesisEvent {
	ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, benchRecords)}
	for i := range ev.Records {
		ev.Records[i] = events.KinesisEventRecord{
			EventID:        fmt.Sprintf("shardId-000000000000:4959033827149025660855969253836157109592157598913%07d", i),
			EventName:      "aws:kinesis:record",
			EventSource:    "aws:kinesis",
			EventSourceArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders",
			Kinesis: events.KinesisRecord{
				SequenceNumber: fmt.Sprintf("4959033827149025660855969253836157109592157598913%07d", i),
				PartitionKey:   fmt.Sprintf("customer-%04d", i%977),
				Data:           []byte(benchOrderJSON(i)),
			},
		}
	}
	return ev
}

func handWrittenKinesis(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
	failures := []events.KinesisBatchItemFailure{}
	for _, r := range ev.Records {
		var o benchOrder
		err := json.Unmarshal(r.Kinesis.Data, &o)
		if err == nil {
			err = o.Validate()
		}
		if err == nil {
			err = benchHandle(ctx, o)
		}
		if err != nil {
			failures = append(failures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
		}
	}
	return events.KinesisEventResponse{BatchItemFailures: failures}, nil
}

// BenchmarkKinesisJSON compares, on 1,000 records of about 250 bytes, a
// hand-written decode-and-handle loop with a Function of Kinesis whose
// handler takes the decoded payload.
func BenchmarkKinesisJSON(b *testing.B) {
	ev := benchKinesisEvent()
	ctx := context.Background()
	benchAgainstHand(b, len(ev.Records),
		func() (int, error) { r, err := handWrittenKinesis(ctx, ev); return len(r.BatchItemFailures), err },
		func(o batch.Options) func() (int, error) {
			fn := batch.New(batch.Kinesis(), benchHandle, o)
			return func() (int, error) {
				r, err := fn.Handle(ctx, ev)
				return len(r.BatchItemFailures), err
			}
		})
}

// benchKafkaPartitions is the number of partitions the Kafka event's
// records are spread over.
const benchKafkaPartitions = 4

func benchKafkaEvent() events.KafkaEvent {
	ev := events.KafkaEvent{
		EventSource:    "aws:kafka",
		EventSourceARN: "arn:aws:kafka:eu-west-1:123456789012:cluster/orders/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE-1",
		Records:        make(map[string][]events.KafkaRecord, benchKafkaPartitions),
	}
	for i := 0; i < benchRecords; i++ {
		p := int64(i % benchKafkaPartitions)
		tp := fmt.Sprintf("orders-%d", p)
		ev.Records[tp] = append(ev.Records[tp], events.KafkaRecord{
			Topic:         "orders",
			Partition:     p,
			Offset:        int64(15000 + i/benchKafkaPartitions),
			TimestampType: "CREATE_TIME",
			Key:           base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("customer-%04d", i%977))),
			Value:         base64.StdEncoding.EncodeToString([]byte(benchOrderJSON(i))),
			Headers:       []map[string]events.JSONNumberBytes{{"source": []byte("checkout")}},
		})
	}
	return ev
}

// handWrittenKafka walks the event's partitions as the map gives them and
// each partition's records as delivered, which Lambda sends in offset order.
func handWrittenKafka(ctx context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
	failures := []batch.KafkaBatchItemFailure{}
	for tp, recs := range ev.Records {
		for _, r := range recs {
			var o benchOrder
			data, err := base64.StdEncoding.DecodeString(r.Value)
			if err == nil {
				err = json.Unmarshal(data, &o)
			}
			if err == nil {
				err = o.Validate()
			}
			if err == nil {
				err = benchHandle(ctx, o)
			}
			if err != nil {
				failures = append(failures, batch.KafkaBatchItemFailure{
					ItemIdentifier: batch.KafkaItemIdentifier{Partition: tp, Offset: r.Offset},
				})
			}
		}
	}
	return batch.KafkaEventResponse{BatchItemFailures: failures}, nil
}

// BenchmarkKafkaJSON compares, on 1,000 records of about 250 bytes (base64
// in the event) over 4 partitions, a hand-written decode-and-handle loop
// with a Function of Kafka whose handler takes the decoded payload, which
// also orders the records.
func BenchmarkKafkaJSON(b *testing.B) {
	ev := benchKafkaEvent()
	ctx := context.Background()
	benchAgainstHand(b, benchRecords,
		func() (int, error) { r, err := handWrittenKafka(ctx, ev); return len(r.BatchItemFailures), err },
		func(o batch.Options) func() (int, error) {
			fn := batch.New(batch.Kafka(), benchHandle, o)
			return func() (int, error) {
				r, err := fn.Handle(ctx, ev)
				return len(r.BatchItemFailures), err
			}
		})
}

// benchSNSBody is the body of an SQS message carrying an SNS notification
// (raw message delivery off) whose Message is record i's payload.
func benchSNSBody(i int) string {
	msg, err := json.Marshal(benchOrderJSON(i))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf(`{"Type":"Notification","MessageId":"6f1a2b3c-4d5e-4f60-8a7b-%012d",`+
		`"TopicArn":"arn:aws:sns:eu-west-1:123456789012:orders","Subject":"OrderPlaced","Message":%s,`+
		`"Timestamp":"2026-11-22T07:00:00.000Z","SignatureVersion":"1",`+
		`"Signature":"EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",`+
		`"SigningCertURL":"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",`+
		`"UnsubscribeURL":"https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:123456789012:orders:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"}`,
		i, msg)
}

// handWrittenSNS decodes the SNS envelope in each body, then the payload in
// its Message.
func handWrittenSNS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	failures := []events.SQSBatchItemFailure{}
	for _, m := range ev.Records {
		var env struct {
			Type    string
			Message *string
		}
		var o benchOrder
		err := json.Unmarshal([]byte(m.Body), &env)
		if err == nil && (env.Type != "Notification" || env.Message == nil) {
			err = errors.New("not an SNS notification")
		}
		if err == nil {
			err = json.Unmarshal([]byte(*env.Message), &o)
		}
		if err == nil {
			err = o.Validate()
		}
		if err == nil {
			err = benchHandle(ctx, o)
		}
		if err != nil {
			failures = append(failures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return events.SQSEventResponse{BatchItemFailures: failures}, nil
}

// BenchmarkSNSJSON compares, on 1,000 SQS messages each carrying an SNS
// notification (an envelope of about 1 KB around a payload of about 250
// bytes), a hand-written loop decoding the envelope then the Message with
// a Function of SQS decoding with batch.SNS.
func BenchmarkSNSJSON(b *testing.B) {
	ev := benchSQSEventOf(benchSNSBody)
	ctx := context.Background()
	benchAgainstHand(b, len(ev.Records),
		func() (int, error) { r, err := handWrittenSNS(ctx, ev); return len(r.BatchItemFailures), err },
		func(o batch.Options) func() (int, error) {
			fn := batch.New(batch.SQS().Decode(batch.SNS), benchHandle, o)
			return func() (int, error) {
				r, err := fn.Handle(ctx, ev)
				return len(r.BatchItemFailures), err
			}
		})
}

// benchEventBridgeBody is the body of an SQS message carrying an EventBridge
// event whose detail is record i's payload.
func benchEventBridgeBody(i int) string {
	return fmt.Sprintf(`{"version":"0","id":"d1f0c6e2-7b3a-4c5d-9e8f-%012d","detail-type":"OrderPlaced",`+
		`"source":"com.example.orders","account":"123456789012","time":"2026-11-22T07:00:00Z","region":"eu-west-1",`+
		`"resources":[],"detail":%s}`, i, benchOrderJSON(i))
}

// handWrittenEventBridge decodes each event keeping its detail raw, as
// events.CloudWatchEvent does, then decodes the detail.
func handWrittenEventBridge(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	failures := []events.SQSBatchItemFailure{}
	for _, m := range ev.Records {
		var e struct {
			Detail json.RawMessage `json:"detail"`
		}
		var o benchOrder
		err := json.Unmarshal([]byte(m.Body), &e)
		if err == nil {
			err = json.Unmarshal(e.Detail, &o)
		}
		if err == nil {
			err = o.Validate()
		}
		if err == nil {
			err = benchHandle(ctx, o)
		}
		if err != nil {
			failures = append(failures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return events.SQSEventResponse{BatchItemFailures: failures}, nil
}

// BenchmarkEventBridgeJSON compares, on 1,000 SQS messages each carrying an
// EventBridge event with a detail of about 250 bytes, a hand-written loop
// decoding the event then its detail with a Function of SQS decoding with
// batch.EventBridge.
func BenchmarkEventBridgeJSON(b *testing.B) {
	ev := benchSQSEventOf(benchEventBridgeBody)
	ctx := context.Background()
	benchAgainstHand(b, len(ev.Records),
		func() (int, error) { r, err := handWrittenEventBridge(ctx, ev); return len(r.BatchItemFailures), err },
		func(o batch.Options) func() (int, error) {
			fn := batch.New(batch.SQS().Decode(batch.EventBridge), benchHandle, o)
			return func() (int, error) {
				r, err := fn.Handle(ctx, ev)
				return len(r.BatchItemFailures), err
			}
		})
}

// benchAgainstHand runs, as sub-benchmarks of b, a hand-written loop and
// the library doing the same work on a batch of n records, the library
// with its own JSON decoder ("Function.Handle") and with Options.StdJSON
// ("Function.Handle+StdJSON": encoding/json, as a hand-written loop
// decodes); each returns the number of failures it reported, which must
// be none. (SNS and EventBridge use the library's decoder either way.)
func benchAgainstHand(b *testing.B, n int, hand func() (failures int, err error), lib func(batch.Options) func() (int, error)) {
	for _, c := range []struct {
		name string
		run  func() (int, error)
	}{
		{"hand-written", hand},
		{"Function.Handle", lib(batch.Options{})},
		{"Function.Handle+StdJSON", lib(batch.Options{StdJSON: true})},
	} {
		b.Run(c.name, func(b *testing.B) {
			perRecord(b, n, func() {
				if nf, err := c.run(); err != nil || nf != 0 {
					b.Fatalf("got %d failures, %v; want none", nf, err)
				}
			})
		})
	}
}
