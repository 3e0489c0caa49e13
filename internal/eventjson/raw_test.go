package eventjson_test

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// rawEvents returns the golden events of the named source and random ones.
func rawEvents(t *testing.T, name string) [][]byte {
	t.Helper()
	files, err := filepath.Glob("../../testdata/" + name + "*-event.json")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		t.Fatalf("got no golden %s events, want some", name)
	}
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 300; i++ {
		out = append(out, randomEvent(r, name))
	}
	return out
}

// checkSpans checks that raw holds one JSON object per record, from which
// encoding/json decodes the record again.
func checkSpans[R any](t *testing.T, recs []R, raw [][]byte) {
	t.Helper()
	if len(raw) != len(recs) {
		t.Fatalf("got %d record spans, want one per record (%d)", len(raw), len(recs))
	}
	for i, b := range raw {
		var again R
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("record %d: its span %q does not decode: %v", i, b, err)
		}
		if !reflect.DeepEqual(again, recs[i]) {
			t.Fatalf("record %d: its span decodes to\n%+v\nwant\n%+v", i, again, recs[i])
		}
	}
}

func TestRawDecodersGiveEachRecordsJSON(t *testing.T) {
	t.Run("sqs", func(t *testing.T) {
		for _, in := range rawEvents(t, "sqs") {
			want, wantBad, wantErr := eventjson.SQSLenient(in)
			got, raw, bad, err := eventjson.SQSRaw(in)
			if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) || len(bad) != len(wantBad) {
				t.Fatalf("SQSRaw(%s) = %+v, %v, %v; want SQSLenient's %+v, %v, %v", in, got, bad, err, want, wantBad, wantErr)
			}
			if err == nil && len(bad) == 0 {
				checkSpans(t, got.Records, raw)
			}
		}
	})
	t.Run("kinesis", func(t *testing.T) {
		for _, in := range rawEvents(t, "kinesis") {
			want, wantBad, wantErr := eventjson.KinesisLenient(in)
			got, raw, bad, err := eventjson.KinesisRaw(in)
			if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) || len(bad) != len(wantBad) {
				t.Fatalf("KinesisRaw(%s) = %+v, %v, %v; want KinesisLenient's %+v, %v, %v", in, got, bad, err, want, wantBad, wantErr)
			}
			if err == nil && len(bad) == 0 {
				checkSpans(t, got.Records, raw)
			}
		}
	})
}

func TestDynamoDBRawLeavesImagesToDynamoDBImages(t *testing.T) {
	built := 0
	for _, in := range rawEvents(t, "dynamodb") {
		want, _, wantErr := eventjson.DynamoDBLenient(in)
		got, raw, _, err := eventjson.DynamoDBRaw(in)
		if wantErr != nil {
			// Malformed JSON is malformed in both; an invalid attribute
			// value is found only when the image is built.
			if err != nil && !isSyntax(wantErr) {
				t.Fatalf("DynamoDBRaw(%s): got error %v for a problem of an attribute value (%v), want none", in, err, wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("DynamoDBRaw(%s): got error %v, want none (DynamoDBLenient has none)", in, err)
		}
		if len(raw) != len(got.Records) || len(got.Records) != len(want.Records) {
			t.Fatalf("got %d records and %d spans, want %d of each", len(got.Records), len(raw), len(want.Records))
		}
		for i := range got.Records {
			r := got.Records[i]
			if r.Change.NewImage != nil || r.Change.OldImage != nil {
				t.Fatalf("record %d: got images built, want them left out", i)
			}
			w := want.Records[i]
			w.Change.NewImage, w.Change.OldImage = nil, nil
			if !reflect.DeepEqual(r, w) {
				t.Fatalf("record %d: got\n%+v\nwant\n%+v", i, r, w)
			}
			_ = eventjson.DynamoDBImages(raw[i], &r)
			if !reflect.DeepEqual(r, want.Records[i]) {
				t.Fatalf("record %d: DynamoDBImages gave\n%+v\nwant\n%+v", i, r, want.Records[i])
			}
			if r.Change.NewImage != nil {
				built++
			}
		}
	}
	if built < 100 {
		t.Fatalf("got %d records with a NewImage, want a test over at least 100", built)
	}
}

func TestDynamoDBImagesReportsAnInvalidAttribute(t *testing.T) {
	in := []byte(`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"1","Keys":{"id":{"S":"a"}},"NewImage":{"id":{"S":"a"},"photo":{"B":"%%%"}}}}]}`)
	ev, raw, bad, err := eventjson.DynamoDBRaw(in)
	if err != nil || len(bad) != 0 {
		t.Fatalf("DynamoDBRaw: got %v, %v, want the images left unread", bad, err)
	}
	rec := ev.Records[0]
	err = eventjson.DynamoDBImages(raw[0], &rec)
	var fe *eventjson.FieldError
	if !errorsAsField(err, &fe) || fe.Field != "dynamodb.NewImage.photo" {
		t.Fatalf("DynamoDBImages: got error %v, want a FieldError for dynamodb.NewImage.photo", err)
	}
	if rec.Change.NewImage["id"].String() != "a" {
		t.Fatalf("got NewImage %v, want the valid attributes built", rec.Change.NewImage)
	}
}

func TestDynamoDBImagesAreCopies(t *testing.T) {
	in := []byte(`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"1","NewImage":{"name":{"S":"original"}}}}]}`)
	ev, raw, _, err := eventjson.DynamoDBRaw(in)
	if err != nil {
		t.Fatal(err)
	}
	rec := ev.Records[0]
	if err := eventjson.DynamoDBImages(raw[0], &rec); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 'x'
	}
	if got := rec.Change.NewImage["name"].String(); got != "original" {
		t.Fatalf("got %q after the event's bytes changed, want %q: the image aliases the event", got, "original")
	}
}

func isSyntax(err error) bool {
	var e *eventjson.Error
	return errorsAs(err, &e)
}

func errorsAsField(err error, target **eventjson.FieldError) bool {
	e, ok := err.(*eventjson.FieldError)
	if ok {
		*target = e
	}
	return ok
}
