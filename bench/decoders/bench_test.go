package decoders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"runtime"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/bytedance/sonic"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// The benchmarks run each decoder beside encoding/json in one run, so that
// only ratios within a run are compared. scripts/bench-decoders.sh runs
// them all:
//
//	go test -run '^$' -bench . -benchtime 200ms -count 5

// records is the number of records of the benchmarks' events, and of the
// different bodies the payload benchmarks cycle through.
const records = 1000

// A payloadKind is one of the two payloads, with its Go type.
type payloadKind struct {
	name string
	body func(i int) []byte
	// decodeBench runs BenchmarkPayload's loop for the payload's type.
	decodeBench func(b *testing.B, bodies [][]byte, unmarshal func([]byte, any) error)
	// plan is the library's payload decoder for the type.
	plan func() (*eventjson.Plan, error)
	// typed is a Function of SQS whose handler takes the type.
	typed func(o batch.Options) invoker
	// byHand is a Function of SQS whose handler takes the message and
	// decodes its body with unmarshal.
	byHand func(unmarshal func([]byte, any) error) invoker
	// byHandString is byHand with a decoder of strings, which saves
	// converting the body.
	byHandString func(unmarshal func(string, any) error) invoker
}

func payloadKindOf[T any](name string, body func(int) []byte) payloadKind {
	return payloadKind{
		name:        name,
		body:        body,
		decodeBench: decodeBench[T],
		plan:        func() (*eventjson.Plan, error) { return eventjson.PlanFor(reflect.TypeFor[T]()) },
		typed: func(o batch.Options) invoker {
			return batch.New(batch.SQS(), func(_ context.Context, v T) error {
				touch(&v)
				return nil
			}, o)
		},
		byHand: func(unmarshal func([]byte, any) error) invoker {
			return batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
				var v T
				if err := unmarshal([]byte(m.Body), &v); err != nil {
					return err
				}
				touch(&v)
				return nil
			}, batch.Options{})
		},
		byHandString: func(unmarshal func(string, any) error) invoker {
			return batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
				var v T
				if err := unmarshal(m.Body, &v); err != nil {
					return err
				}
				touch(&v)
				return nil
			}, batch.Options{})
		},
	}
}

// payloadKinds are the order into its struct and the document into a
// map[string]any, the payloads of the root module's benchmarks.
var payloadKinds = []payloadKind{
	payloadKindOf[payload.Order]("order", payload.OrderJSON),
	payloadKindOf[map[string]any]("doc-map", payload.DocJSON),
}

// sink keeps decoded values from being optimised away.
var sink int

// touch reads the decoded value, as a handler would.
func touch[T any](v *T) {
	switch x := any(v).(type) {
	case *payload.Order:
		sink += len(x.Items)
	case *map[string]any:
		sink += len(*x)
	}
}

func bodiesOf(body func(int) []byte) (bodies [][]byte, size int) {
	for i := range records {
		bodies = append(bodies, body(i))
		size += len(bodies[i])
	}
	return bodies, size / records
}

// decodeBench decodes bodies in turn, each into a new T. A first decode
// before the loop, which b.Loop does not time, pays what a decoder does
// once per type (sonic generates its code then), in every process.
func decodeBench[T any](b *testing.B, bodies [][]byte, unmarshal func([]byte, any) error) {
	b.ReportAllocs()
	var first T
	if err := unmarshal(bodies[0], &first); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		var v T
		if err := unmarshal(bodies[i%len(bodies)], &v); err != nil {
			b.Fatal(err)
		}
		touch(&v)
	}
}

// BenchmarkPayload decodes one payload into a new value, as a handler
// does for each record: encoding/json, the library's payload decoder
// (eventjson.Plan, which batch.New compiles for the handler's type, here
// compiled before the loop) and each alternative, cycling through 1,000
// different bodies.
func BenchmarkPayload(b *testing.B) {
	for _, k := range payloadKinds {
		bodies, size := bodiesOf(k.body)
		plan, err := k.plan()
		if err != nil {
			b.Fatalf("%s: %v", k.name, err)
		}
		rows := append([]decoder{stdDecoder, {"batch", plan.Decode}}, alternatives...)
		for _, d := range rows {
			b.Run(k.name+"/"+d.name, func(b *testing.B) {
				b.SetBytes(int64(size))
				k.decodeBench(b, bodies, d.unmarshal)
			})
		}
	}
}

// BenchmarkInvoke measures each decoder end to end, per record: the bytes
// of an SQS event of 1,000 records to the bytes of the response, through
// Function.Invoke. "floor" is a handler of the message that decodes
// nothing: what every row pays besides the payload. "batch" is a handler
// of the payload type, decoded by the library's payload decoder (the
// default), "batch-stdjson" the same with Options.StdJSON (json.Unmarshal).
// Each other row is a handler of the message that decodes its body with
// that decoder's Unmarshal([]byte(m.Body), &v), the copy Options.StdJSON
// makes too; "sonic-string" uses sonic.UnmarshalString(m.Body), which saves
// it.
func BenchmarkInvoke(b *testing.B) {
	floor := batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
		sink += len(m.Body)
		return nil
	}, batch.Options{})
	for _, k := range payloadKinds {
		event, err := json.Marshal(sqsEvent(records, k.body))
		if err != nil {
			b.Fatal(err)
		}
		rows := []struct {
			name string
			fn   invoker
		}{
			{"floor", floor},
			{"batch", k.typed(batch.Options{})},
			{"batch-stdjson", k.typed(batch.Options{StdJSON: true})},
			{stdDecoder.name, k.byHand(stdDecoder.unmarshal)},
		}
		for _, d := range alternatives {
			rows = append(rows, struct {
				name string
				fn   invoker
			}{d.name, k.byHand(d.unmarshal)})
		}
		rows = append(rows, struct {
			name string
			fn   invoker
		}{"sonic-string", k.byHandString(sonic.UnmarshalString)})
		for _, r := range rows {
			b.Run(k.name+"/"+r.name, func(b *testing.B) {
				ctx := context.Background()
				perRecord(b, len(event), func() {
					out, err := r.fn.Invoke(ctx, event)
					if err != nil || !bytes.Equal(out, []byte(`{"batchItemFailures":[]}`)) {
						b.Fatalf("got %s, %v, want no failure", out, err)
					}
				})
			})
		}
	}
}

// BenchmarkEvent decodes a whole event of 1,000 records into
// aws-lambda-go's type: encoding/json, the library's event decoder
// (eventjson.SQS and eventjson.DynamoDB, what Function.Invoke runs) and
// each alternative. DynamoDB attribute values decode themselves
// (DynamoDBAttributeValue.UnmarshalJSON), which every general decoder
// calls.
func BenchmarkEvent(b *testing.B) {
	type source struct {
		name   string
		event  any
		decode func(data []byte, unmarshal func([]byte, any) error) error
		batch  func(data []byte) error
	}
	sources := []source{
		{"sqs", sqsEvent(records, payload.DocJSON),
			func(data []byte, unmarshal func([]byte, any) error) error {
				var ev events.SQSEvent
				return unmarshal(data, &ev)
			},
			func(data []byte) error { _, err := eventjson.SQS(data); return err }},
		{"dynamodb", dynamoDBEvent(records),
			func(data []byte, unmarshal func([]byte, any) error) error {
				var ev events.DynamoDBEvent
				return unmarshal(data, &ev)
			},
			func(data []byte) error { _, err := eventjson.DynamoDB(data); return err }},
	}
	for _, s := range sources {
		data, err := json.Marshal(s.event)
		if err != nil {
			b.Fatal(err)
		}
		rows := append([]decoder{stdDecoder, {"batch", func(data []byte, _ any) error { return s.batch(data) }}}, alternatives...)
		for _, d := range rows {
			b.Run(s.name+"/"+d.name, func(b *testing.B) {
				perRecord(b, len(data), func() {
					if err := s.decode(data, d.unmarshal); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}

// perRecord runs f, which handles an event of records records and size
// bytes, once untimed (what a decoder does once per type is paid then), then
// b.N times, and reports the time, allocations and bytes per record besides
// the usual figures per event.
func perRecord(b *testing.B, size int, f func()) {
	b.ReportAllocs()
	b.SetBytes(int64(size))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	recs := float64(records) * float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/recs, "ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/recs, "allocs/record")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/recs, "B/record")
}
