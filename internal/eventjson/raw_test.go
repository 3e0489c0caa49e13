package eventjson_test

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

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
	built, repeats := 0, 0
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
			if raw[i] == nil {
				// It repeats a member: built as before.
				if !reflect.DeepEqual(r, want.Records[i]) {
					t.Fatalf("record %d, repeating a member: got\n%+v\nwant\n%+v", i, r, want.Records[i])
				}
				repeats++
				continue
			}
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
	if built < 100 || repeats < 10 {
		t.Fatalf("got %d records with a NewImage and %d repeating a member, want a test over at least 100 and 10", built, repeats)
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

// FuzzRaw holds the raw decoders to the lenient ones: where a lenient
// decoder succeeds with no faulty record, the raw one succeeds with the
// same records (DynamoDB: once DynamoDBImages has built the images from
// each record's JSON), and each record's JSON is a slice of the input.
//
//	go test ./internal/eventjson -run '^$' -fuzz FuzzRaw -fuzztime 60s
func FuzzRaw(f *testing.F) {
	r := rand.New(rand.NewSource(3))
	for _, name := range []string{"sqs", "kinesis", "dynamodb"} {
		for i := 0; i < 5; i++ {
			f.Add(randomEvent(r, name))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if want, bad, err := eventjson.SQSLenient(in); err == nil && len(bad) == 0 {
			got, raw, gbad, gerr := eventjson.SQSRaw(in)
			if gerr != nil || len(gbad) != 0 || !reflect.DeepEqual(got, want) || len(raw) != len(got.Records) {
				t.Fatalf("SQSRaw: got %v, %v, %d spans; want SQSLenient's records", gerr, gbad, len(raw))
			}
			inside(t, in, raw)
		}
		if want, bad, err := eventjson.KinesisLenient(in); err == nil && len(bad) == 0 {
			got, raw, gbad, gerr := eventjson.KinesisRaw(in)
			if gerr != nil || len(gbad) != 0 || !reflect.DeepEqual(got, want) || len(raw) != len(got.Records) {
				t.Fatalf("KinesisRaw: got %v, %v, %d spans; want KinesisLenient's records", gerr, gbad, len(raw))
			}
			inside(t, in, raw)
		}
		if want, bad, err := eventjson.DynamoDBLenient(in); err == nil && len(bad) == 0 {
			got, raw, gbad, gerr := eventjson.DynamoDBRaw(in)
			if gerr != nil || len(gbad) != 0 || len(raw) != len(got.Records) || len(got.Records) != len(want.Records) {
				t.Fatalf("DynamoDBRaw: got %v, %v, %d spans, %d records; want %d records", gerr, gbad, len(raw), len(got.Records), len(want.Records))
			}
			inside(t, in, raw)
			for i := range got.Records {
				if raw[i] == nil {
					continue // repeats a member: built already
				}
				if err := eventjson.DynamoDBImages(raw[i], &got.Records[i]); err != nil {
					t.Fatalf("record %d: DynamoDBImages: %v, though DynamoDBLenient built the images", i, err)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("DynamoDBRaw then DynamoDBImages:\n%+v\nwant DynamoDBLenient's\n%+v", got, want)
			}
		}
	})
}

// inside checks that every span is a slice of in.
func inside(t *testing.T, in []byte, raw [][]byte) {
	t.Helper()
	for i, s := range raw {
		if s == nil {
			continue // DynamoDBRaw: the record repeats a member
		}
		if len(s) == 0 {
			t.Fatalf("record %d: empty span", i)
		}
		off := int(uintptr(unsafe.Pointer(&s[0])) - uintptr(unsafe.Pointer(&in[0])))
		if off < 0 || off+len(s) > len(in) || &in[off] != &s[0] {
			t.Fatalf("record %d: span %q is not a slice of the input", i, s)
		}
	}
}
