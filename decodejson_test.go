package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/handlertrace"

	"github.com/seed-45ee126e/batch"
)

// ddbEvent is a DynamoDB Streams event of three records with images; the
// item of record 1 is rejected by imageStatus.
const ddbEvent = `{"Records":[
 {"eventID":"e0","eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"id":{"S":"a"}},"NewImage":{"id":{"S":"a"},"status":{"S":"ok"}},"SequenceNumber":"100"}},
 {"eventID":"e1","eventName":"MODIFY","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"id":{"S":"b"}},"NewImage":{"id":{"S":"b"},"status":{"S":"bad"}},"OldImage":{"id":{"S":"b"},"status":{"S":"ok"}},"SequenceNumber":"101"}},
 {"eventID":"e2","eventName":"REMOVE","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"id":{"S":"c"}},"OldImage":{"id":{"S":"c"},"status":{"S":"ok"}},"SequenceNumber":"102"}}
]}`

// imageStatus is a decoder for DecodeJSON: it takes the status of the new
// (else old) image from raw when given, from rec otherwise, and says which.
func imageStatus(got *sync.Map) func(rec events.DynamoDBEventRecord, raw []byte, v any) error {
	return func(rec events.DynamoDBEventRecord, raw []byte, v any) error {
		var status string
		if raw != nil {
			how := "raw"
			if rec.Change.NewImage != nil || rec.Change.OldImage != nil {
				how = "raw, images built" // a middleware saw the record first
			}
			var r events.DynamoDBEventRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			rec = r
			got.Store(rec.EventID, how)
		} else {
			got.Store(rec.EventID, "record")
		}
		img := rec.Change.NewImage
		if img == nil {
			img = rec.Change.OldImage
		}
		status = img["status"].String()
		*v.(*string) = status
		return nil
	}
}

func rejectBad(_ context.Context, status string) error {
	if status == "bad" {
		return batch.Permanent(errors.New("bad status"))
	}
	return nil
}

func TestDecodeJSONGetsTheRecordsJSONInInvoke(t *testing.T) {
	var got sync.Map
	fn := batch.New(batch.DynamoDB().DecodeJSON(imageStatus(&got)), rejectBad, batch.Options{})
	out, err := fn.Invoke(context.Background(), []byte(ddbEvent))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"101"}]}`; string(out) != want {
		t.Fatalf("got %s, want %s", out, want)
	}
	for _, id := range []string{"e0", "e1", "e2"} {
		if how, _ := got.Load(id); how != "raw" {
			t.Errorf("record %s: decoded from %v, want from its JSON", id, how)
		}
	}

	// Handle has no JSON: the decoder reads the record.
	var ev events.DynamoDBEvent
	if err := json.Unmarshal([]byte(ddbEvent), &ev); err != nil {
		t.Fatal(err)
	}
	got = sync.Map{}
	resp, err := fn.Handle(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "101" {
		t.Fatalf("Handle: got %+v, %v, want record 101 failed", resp, err)
	}
	if how, _ := got.Load("e0"); how != "record" {
		t.Errorf("Handle: decoded from %v, want from the record", how)
	}
}

// wantWhole checks that rec carries its images, as in ddbEvent.
func wantWhole(t *testing.T, where string, rec *events.DynamoDBEventRecord) {
	t.Helper()
	id := rec.Change.Keys["id"].String()
	switch rec.EventID {
	case "e0", "e1":
		if rec.Change.NewImage["id"].String() != id {
			t.Errorf("%s: record %s has NewImage %v, want it built", where, rec.EventID, rec.Change.NewImage)
		}
	case "e2":
		if rec.Change.OldImage["id"].String() != id {
			t.Errorf("%s: record %s has OldImage %v, want it built", where, rec.EventID, rec.Change.OldImage)
		}
	}
}

func TestDecodeJSONRecordIsWholeForEveryoneElse(t *testing.T) {
	var (
		mu       sync.Mutex
		fromCtx  []*events.DynamoDBEventRecord
		fromMW   []*events.DynamoDBEventRecord
		diverted []*events.DynamoDBEventRecord
		retried  []*events.DynamoDBEventRecord
		traced   events.DynamoDBEvent
	)
	var got sync.Map
	h := func(ctx context.Context, status string) error {
		// Several goroutines ask at once: the record is built once.
		var wg sync.WaitGroup
		for k := 0; k < 4; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, ok := batch.RecordFrom(ctx)
				if !ok {
					t.Error("RecordFrom: no record")
					return
				}
				rec := r.Value.(*events.DynamoDBEventRecord)
				_ = rec.Change.NewImage["id"].String() // read while others build
				mu.Lock()
				fromCtx = append(fromCtx, rec)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if status == "bad" {
			return errors.New("transient")
		}
		return nil
	}
	mw := func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, r batch.Record) error {
			mu.Lock()
			fromMW = append(fromMW, r.Value.(*events.DynamoDBEventRecord))
			mu.Unlock()
			return next(ctx, r)
		}
	}
	o := batch.Options{
		Concurrency: 3,
		Divert: func(_ context.Context, f batch.Failure) error {
			mu.Lock()
			diverted = append(diverted, f.Value.(*events.DynamoDBEventRecord))
			mu.Unlock()
			return nil
		},
		Retry: func(_ context.Context, fs []batch.Failure) {
			for _, f := range fs {
				retried = append(retried, f.Value.(*events.DynamoDBEventRecord))
			}
		},
	}
	src := batch.DynamoDB().DecodeJSON(imageStatus(&got))
	ctx := handlertrace.NewContext(context.Background(), handlertrace.HandlerTrace{
		RequestEvent: func(_ context.Context, ev interface{}) { traced = ev.(events.DynamoDBEvent) },
	})

	// Without the trace hook, so that records are built on demand.
	if _, err := batch.New(src, h, o).Invoke(context.Background(), []byte(ddbEvent)); err != nil {
		t.Fatal(err)
	}
	if len(fromCtx) != 12 || len(retried) != 1 {
		t.Fatalf("got %d records from RecordFrom, %d retried; want 12, 1", len(fromCtx), len(retried))
	}
	for _, rec := range fromCtx {
		wantWhole(t, "RecordFrom", rec)
	}
	wantWhole(t, "Retry", retried[0])
	if how, _ := got.Load("e1"); how != "raw" {
		t.Errorf("decoded from %v, want from its JSON", how)
	}

	// A middleware sees every record whole, so Invoke builds them as
	// Decode would, and the decoder reads the record.
	withMW := o
	withMW.Middleware = []batch.Middleware{mw}
	got = sync.Map{}
	if _, err := batch.New(src, h, withMW).Invoke(context.Background(), []byte(ddbEvent)); err != nil {
		t.Fatal(err)
	}
	if len(fromMW) != 3 {
		t.Fatalf("got %d records in middleware, want 3", len(fromMW))
	}
	for _, rec := range fromMW {
		wantWhole(t, "middleware", rec)
	}
	if how, _ := got.Load("e1"); how != "record" {
		t.Errorf("with a middleware: decoded from %v, want from the record", how)
	}

	// A permanent failure goes to Divert, whole.
	if _, err := batch.New(src, rejectBad, o).Invoke(context.Background(), []byte(ddbEvent)); err != nil {
		t.Fatal(err)
	}
	if len(diverted) != 1 {
		t.Fatalf("got %d records diverted, want 1", len(diverted))
	}
	wantWhole(t, "Divert", diverted[0])

	// The request hook of handlertrace sees the event whole.
	if _, err := batch.New(src, rejectBad, batch.Options{}).Invoke(ctx, []byte(ddbEvent)); err != nil {
		t.Fatal(err)
	}
	if len(traced.Records) != 3 {
		t.Fatalf("trace hook got %d records, want 3", len(traced.Records))
	}
	for i := range traced.Records {
		wantWhole(t, "handlertrace", &traced.Records[i])
	}
}

func TestDecodeJSONHandlerOfTheRecordTypeGetsItWhole(t *testing.T) {
	var got sync.Map
	src := batch.DynamoDB().DecodeJSON(imageStatus(&got))
	var seen []events.DynamoDBEventRecord
	fn := batch.New(src, func(_ context.Context, rec events.DynamoDBEventRecord) error {
		seen = append(seen, rec)
		return nil
	}, batch.Options{})
	if _, err := fn.Invoke(context.Background(), []byte(ddbEvent)); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 {
		t.Fatalf("handled %d records, want 3", len(seen))
	}
	for i := range seen {
		wantWhole(t, "handler", &seen[i])
	}
}

func TestDecodeJSONOtherSources(t *testing.T) {
	t.Run("sqs", func(t *testing.T) {
		in := `{"Records":[{"messageId":"m1","body":"{\"n\":1}","eventSource":"aws:sqs"},{"messageId":"m2","body":"{\"n\":2}","eventSource":"aws:sqs"}]}`
		var raws []string
		src := batch.SQS().DecodeJSON(func(rec events.SQSMessage, raw []byte, v any) error {
			raws = append(raws, string(raw))
			return json.Unmarshal([]byte(rec.Body), v)
		})
		fn := batch.New(src, func(_ context.Context, v struct{ N int }) error { return nil }, batch.Options{})
		if _, err := fn.Invoke(context.Background(), []byte(in)); err != nil {
			t.Fatal(err)
		}
		if len(raws) != 2 || !strings.HasPrefix(raws[0], `{"messageId":"m1"`) || !strings.HasSuffix(raws[1], `"eventSource":"aws:sqs"}`) || strings.Contains(raws[0], "m2") {
			t.Fatalf("got the JSON %q, want each record's object", raws)
		}
	})
	t.Run("kinesis", func(t *testing.T) {
		in := `{"Records":[{"eventID":"k1","eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"1","data":"eyJuIjoxfQ=="}}]}`
		var raws []string
		src := batch.Kinesis().DecodeJSON(func(rec events.KinesisEventRecord, raw []byte, v any) error {
			raws = append(raws, string(raw))
			return json.Unmarshal(rec.Kinesis.Data, v)
		})
		var n int
		fn := batch.New(src, func(_ context.Context, v struct{ N int }) error { n = v.N; return nil }, batch.Options{})
		if _, err := fn.Invoke(context.Background(), []byte(in)); err != nil {
			t.Fatal(err)
		}
		if len(raws) != 1 || raws[0] != in[len(`{"Records":[`):len(in)-2] || n != 1 {
			t.Fatalf("got the JSON %q and n=%d, want the record's object and 1", raws, n)
		}
	})
	t.Run("kafka", func(t *testing.T) {
		in := `{"eventSource":"aws:kafka","records":{"t-0":[{"topic":"t","partition":0,"offset":5,"value":"eyJuIjoxfQ=="}]}}`
		var raw []byte
		called := false
		src := batch.Kafka().DecodeJSON(func(rec events.KafkaRecord, r []byte, v any) error {
			called, raw = true, r
			return nil
		})
		fn := batch.New(src, func(_ context.Context, v struct{ N int }) error { return nil }, batch.Options{})
		if _, err := fn.Invoke(context.Background(), []byte(in)); err != nil {
			t.Fatal(err)
		}
		if !called || raw != nil {
			t.Fatalf("decoder called %v with JSON %q, want called with none: Kafka records' JSON is not kept", called, raw)
		}
	})
	t.Run("nil removes the decoder", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("New did not panic for a DynamoDB source without a decoder and a handler of another type")
			}
		}()
		batch.New(batch.DynamoDB().DecodeJSON(nil), func(context.Context, string) error { return nil }, batch.Options{})
	})
}

// A decoder still running when the deadline abandons its record: the
// record's Failure is built whole meanwhile, without a data race (run with
// -race), and the decoder's own copy of the record is not changed under it.
func TestDecodeJSONAbandonedDecoder(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var got sync.Map
	inner := imageStatus(&got)
	slow := func(rec events.DynamoDBEventRecord, raw []byte, v any) error {
		if rec.EventID == "e1" {
			<-release // past the deadline
			if rec.Change.NewImage != nil {
				t.Error("the decoder's copy of the record changed under it")
			}
		}
		return inner(rec, raw, v)
	}
	var retried []*events.DynamoDBEventRecord
	fn := batch.New(batch.DynamoDB().DecodeJSON(slow), rejectBad, batch.Options{
		Concurrency:    3,
		DeadlineMargin: 20 * time.Millisecond,
		Retry: func(_ context.Context, fs []batch.Failure) {
			for _, f := range fs {
				retried = append(retried, f.Value.(*events.DynamoDBEventRecord))
			}
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	out, err := fn.Invoke(ctx, []byte(ddbEvent))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"101"}]}`; string(out) != want {
		t.Fatalf("got %s, want %s: record 101 abandoned", out, want)
	}
	if len(retried) != 1 {
		t.Fatalf("got %d records retried, want 1", len(retried))
	}
	wantWhole(t, "Retry of an abandoned record", retried[0])
}

// Where the event decoder does not know every field of the event type (a
// newer aws-lambda-go), encoding/json decodes the event and the decoder of
// DecodeJSON gets no JSON: it reads the record, whose images encoding/json
// built.
func TestDecodeJSONWithUnknownEventField(t *testing.T) {
	var got sync.Map
	src := batch.WithUnknownEventField(batch.DynamoDB()).DecodeJSON(imageStatus(&got))
	out, err := batch.New(src, rejectBad, batch.Options{}).Invoke(context.Background(), []byte(ddbEvent))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"101"}]}`; string(out) != want {
		t.Fatalf("got %s, want %s", out, want)
	}
	for _, id := range []string{"e0", "e1", "e2"} {
		if how, _ := got.Load(id); how != "record" {
			t.Errorf("record %s: decoded from %v, want from the record", id, how)
		}
	}
}

// A record that repeats its NewImage member (encoding/json merges the two
// maps) reaches the decoder built, as Decode would have it, and without
// JSON: a decoder of the JSON can take each member to be there once.
func TestDecodeJSONRepeatedImage(t *testing.T) {
	in := `{"Records":[{"eventID":"e0","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"id":{"S":"a"}},"NewImage":{"id":{"S":"a"}},"newimage":{"status":{"S":"bad"}},"SequenceNumber":"100"}},` +
		`{"eventID":"e1","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"id":{"S":"b"}},"NewImage":{"id":{"S":"b"},"status":{"S":"ok"}},"SequenceNumber":"101"}}]}`
	var got sync.Map
	out, err := batch.New(batch.DynamoDB().DecodeJSON(imageStatus(&got)), rejectBad, batch.Options{}).Invoke(context.Background(), []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"100"}]}`; string(out) != want {
		t.Fatalf("got %s, want %s: the merged image of record 100 is bad", out, want)
	}
	if how, _ := got.Load("e0"); how != "record" {
		t.Errorf("record e0: decoded from %v, want from the record, built", how)
	}
	if how, _ := got.Load("e1"); how != "raw" {
		t.Errorf("record e1: decoded from %v, want from its JSON", how)
	}
}
