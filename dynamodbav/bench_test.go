package dynamodbav_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"

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
		fn := batch.New(batch.DynamoDB().DecodeJSON(dynamodbav.NewImage), func(ctx context.Context, c dynamodbav.Change[item]) error { return benchHandle(ctx, c.New) }, batch.Options{})
		perRecord(b, len(ev.Records), func() {
			if resp, err := fn.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("got %v, %v, want no failure", resp, err)
			}
		})
	})
}

// order is the item of the image benchmarks: ten attributes of the usual
// kinds (strings, numbers, a bool, a string set, a nested map, a list of
// maps, a time).
type order struct {
	PK       string    `dynamodbav:"pk"`
	SK       string    `dynamodbav:"sk"`
	Customer string    `dynamodbav:"customer"`
	Total    float64   `dynamodbav:"total"`
	Count    int       `dynamodbav:"count"`
	Paid     bool      `dynamodbav:"paid"`
	Tags     []string  `dynamodbav:"tags,stringset"`
	Address  address   `dynamodbav:"address"`
	Lines    []line    `dynamodbav:"lines"`
	Created  time.Time `dynamodbav:"created"`
}

type address struct {
	Street  string `dynamodbav:"street"`
	City    string `dynamodbav:"city"`
	Country string `dynamodbav:"country"`
}

type line struct {
	SKU   string  `dynamodbav:"sku"`
	Qty   int     `dynamodbav:"qty"`
	Price float64 `dynamodbav:"price"`
}

// orderImage is the NewImage of order i, in the JSON of a DynamoDB Streams
// event: about 600 bytes.
func orderImage(i int) string {
	return fmt.Sprintf(`{"pk":{"S":"order#%06d"},"sk":{"S":"v0"},"customer":{"S":"customer-%04d"},`+
		`"total":{"N":"%d.50"},"count":{"N":"%d"},"paid":{"BOOL":%t},"tags":{"SS":["express","gift","eu"]},`+
		`"address":{"M":{"street":{"S":"%d Long Street"},"city":{"S":"Gothenburg"},"country":{"S":"SE"}}},`+
		`"lines":{"L":[{"M":{"sku":{"S":"SKU-%05d"},"qty":{"N":"2"},"price":{"N":"9.95"}}},`+
		`{"M":{"sku":{"S":"SKU-%05d"},"qty":{"N":"1"},"price":{"N":"24.5"}}}]},`+
		`"created":{"S":"2026-11-22T07:00:%02dZ"}}`, i, i%977, 10+i%500, i%7+1, i%2 == 0, i%300, i, i+1, i%60)
}

// orderEvent is a DynamoDB Streams event of benchRecords INSERTs of orders,
// as Lambda sends it.
func orderEvent(b *testing.B) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := 0; i < benchRecords; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"eventID":"%d","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"eu-north-1",`+
			`"dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"pk":{"S":"order#%06d"},"sk":{"S":"v0"}},"NewImage":%s,`+
			`"SequenceNumber":"%021d","SizeBytes":620,"StreamViewType":"NEW_IMAGE"},`+
			`"eventSourceARN":"arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-11-22T07:00:00.000"}`,
			i, i, orderImage(i), 5000000+i)
	}
	buf.WriteString(`]}`)
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(buf.Bytes(), &ev); err != nil || len(ev.Records) != benchRecords {
		b.Fatalf("bad benchmark event: %v", err)
	}
	return buf.Bytes()
}

// viaAttributevalue is NewImage as it was: the image converted to
// aws-sdk-go-v2's attribute values, then attributevalue.UnmarshalMap.
func viaAttributevalue(rec events.DynamoDBEventRecord, v any) error {
	c := v.(*dynamodbav.Change[order])
	*c = dynamodbav.Change[order]{EventName: events.DynamoDBOperationType(rec.EventName), Record: rec}
	c.Record.Change.NewImage, c.Record.Change.OldImage = nil, nil // as NewImage leaves them
	img := rec.Change.NewImage
	if len(img) == 0 {
		return nil
	}
	av, err := dynamodbav.AttributeValues(img)
	if err != nil {
		return &batch.DecodeError{Part: "NewImage", Err: err}
	}
	c.New = new(order)
	if err := attributevalue.UnmarshalMap(av, c.New); err != nil {
		return &batch.DecodeError{Part: "NewImage", Err: err}
	}
	return nil
}

var orderSink float64

func handleOrder(_ context.Context, c dynamodbav.Change[order]) error {
	orderSink += c.New.Total
	return nil
}

// BenchmarkImageDecode decodes one record's NewImage into a
// Change[order] per op, cycling through 1,000 records: attributevalue (the
// conversion, then UnmarshalMap) beside the direct decoder of NewImage.
func BenchmarkImageDecode(b *testing.B) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(orderEvent(b), &ev); err != nil {
		b.Fatal(err)
	}
	for _, d := range []struct {
		name string
		dec  func(events.DynamoDBEventRecord, any) error
	}{
		{"attributevalue", viaAttributevalue},
		{"direct", builtImages(dynamodbav.NewImage)},
	} {
		b.Run("impl="+d.name, func(b *testing.B) {
			var want dynamodbav.Change[order]
			if err := viaAttributevalue(ev.Records[7], &want); err != nil {
				b.Fatal(err)
			}
			var c dynamodbav.Change[order]
			if err := d.dec(ev.Records[7], &c); err != nil || !reflect.DeepEqual(c, want) {
				b.Fatalf("got %+v, %v, want %+v", c.New, err, want.New)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := d.dec(ev.Records[i], &c); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(ev.Records) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkImageInvoke runs a 1,000-record event, as JSON bytes, through
// Function.Invoke with a handler of Change[order], decoded by
// attributevalue (as NewImage once was), by NewImage from the images the
// event decoder built (direct), or by NewImage from the record's JSON,
// the images not built (json, what DecodeJSON gives). The engine and the
// response are the same.
func BenchmarkImageInvoke(b *testing.B) {
	payload := orderEvent(b)
	ctx := context.Background()
	for _, d := range []struct {
		name string
		src  batch.Source[events.DynamoDBEvent, events.DynamoDBEventRecord, events.DynamoDBEventResponse]
	}{
		{"attributevalue", batch.DynamoDB().Decode(viaAttributevalue)},
		{"direct", batch.DynamoDB().Decode(builtImages(dynamodbav.NewImage))},
		{"json", batch.DynamoDB().DecodeJSON(dynamodbav.NewImage)},
	} {
		b.Run("impl="+d.name, func(b *testing.B) {
			fn := batch.New(d.src, handleOrder, batch.Options{})
			if out, err := fn.Invoke(ctx, payload); err != nil || string(out) != `{"batchItemFailures":[]}` {
				b.Fatalf("got %s, %v, want no failure", out, err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if _, err := fn.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRecords, "ns/record")
		})
	}
}

// builtImages makes dec a decoder for Source.Decode, which decodes from
// the images the event decoder built.
func builtImages(dec func(events.DynamoDBEventRecord, []byte, any) error) func(events.DynamoDBEventRecord, any) error {
	return func(rec events.DynamoDBEventRecord, v any) error { return dec(rec, nil, v) }
}
