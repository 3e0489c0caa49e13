package dynamodbav_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/dynamodbav"
)

// FuzzImages feeds arbitrary images, in the JSON of a DynamoDB Streams event,
// to the Images adapter. The seed corpus is in testdata/fuzz/FuzzImages; run
// it with
//
//	go test -run '^$' -fuzz '^FuzzImages$' -fuzztime 30s .
//
// Each image is decoded twice: by json.Unmarshal into aws-lambda-go's types,
// as lambda.Start does, and by the decoder of the fast path (batch.Function.Invoke), inside a
// whole event. Images that aws-lambda-go rejects are skipped, since Lambda
// cannot deliver them, once the fast decoder is seen to reject them too
// (the event, or the record alone when the image is valid JSON); so
// are images on which aws-lambda-go panics (a binary set holding something
// else than strings), which is aws-lambda-go's failure, not this module's.
// Whatever remains must decode alike in both, and then, from either decoder,
// either reach the handler, with an image exactly where the record has one,
// or fail with a typed error naming the record; never panic.
func FuzzImages(f *testing.F) {
	f.Fuzz(func(t *testing.T, eventName, oldImage, newImage string) {
		oldImg, oldPanic, oldErr := lambdaImage(oldImage)
		newImg, newPanic, newErr := lambdaImage(newImage)

		fast, fastRan, fastErr := fastImages(t, eventName, oldImage, newImage)
		lambdaRejects := oldErr != nil || newErr != nil || oldPanic != nil || newPanic != nil
		var ee *batch.EventError
		var de *batch.DecodeError
		switch {
		case !fastRan:
			// An image that is not JSON on its own cannot be put in an
			// event; nothing to compare.
		case lambdaRejects && !errors.As(fastErr, &ee) && !errors.As(fastErr, &de):
			// aws-lambda-go fails the whole event; the fast decoder fails
			// it too (malformed JSON), or, for an attribute value that is
			// valid JSON but not a valid attribute, the record alone.
			t.Fatalf("fast decoder: got error %v, want an *EventError or the record's *DecodeError, as aws-lambda-go rejects the images (old: %v %v, new: %v %v)",
				fastErr, oldErr, oldPanic, newErr, newPanic)
		case !lambdaRejects && fastErr != nil:
			t.Fatalf("fast decoder: got error %v, want none, as aws-lambda-go decodes the images", fastErr)
		}
		if p := firstNonNil(oldPanic, newPanic); p != nil {
			t.Skipf("aws-lambda-go panics decoding the images: %v", p)
		}
		if lambdaRejects {
			return
		}

		var r events.DynamoDBEventRecord
		r.EventName = eventName
		r.Change.SequenceNumber = "777"
		r.Change.OldImage, r.Change.NewImage = oldImg, newImg
		want := checkImages(t, "aws-lambda-go", r)

		if !fastRan {
			return
		}
		if !reflect.DeepEqual(fast.Change.OldImage, r.Change.OldImage) || !reflect.DeepEqual(fast.Change.NewImage, r.Change.NewImage) {
			t.Fatalf("fast decoder: got images\n%#v\n%#v\nwant those of aws-lambda-go\n%#v\n%#v",
				fast.Change.OldImage, fast.Change.NewImage, r.Change.OldImage, r.Change.NewImage)
		}
		if got := checkImages(t, "fast decoder", fast); got != want {
			t.Fatalf("fast decoder: got outcome %s, want %s, as with aws-lambda-go", got, want)
		}
	})
}

// lambdaImage decodes an image as json.Unmarshal does into an
// events.DynamoDBStreamRecord; an empty string is an absent image.
// aws-lambda-go panics on some malformed images: panicked is then the
// recovered value.
func lambdaImage(s string) (img map[string]events.DynamoDBAttributeValue, panicked any, err error) {
	if s == "" {
		return nil, nil, nil
	}
	defer func() {
		if panicked = recover(); panicked != nil {
			img, err = nil, nil
		}
	}()
	err = json.Unmarshal([]byte(s), &img)
	return img, nil, err
}

// fastImages decodes a DynamoDB Streams event holding one record with the
// given event name and images with the decoder of the fast path (batch.Function.Invoke), and
// returns the record it decoded, or its error. ran is false when an image is
// not valid JSON on its own, so that no event could hold it.
func fastImages(t *testing.T, eventName, oldImage, newImage string) (rec events.DynamoDBEventRecord, ran bool, err error) {
	t.Helper()
	name, err := json.Marshal(eventName)
	if err != nil {
		t.Fatalf("marshalling event name %q: %v", eventName, err)
	}
	change := `"SequenceNumber":"777"`
	for _, img := range []struct{ field, json string }{{"OldImage", oldImage}, {"NewImage", newImage}} {
		if img.json == "" {
			continue
		}
		if !json.Valid([]byte(img.json)) {
			return rec, false, nil
		}
		change += fmt.Sprintf(",%q:%s", img.field, img.json)
	}
	payload := fmt.Sprintf(`{"Records":[{"eventName":%s,"eventSource":"aws:dynamodb","dynamodb":{%s}}]}`, name, change)

	handled := 0
	h := batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
		rec = r
		handled++
		return nil
	}, batch.Options{})
	if _, err := h.Invoke(context.Background(), []byte(payload)); err != nil {
		return rec, true, err
	}
	if handled != 1 {
		t.Fatalf("fast decoder: got %d records handled, want 1", handled)
	}
	var wantName string
	if err := json.Unmarshal(name, &wantName); err != nil || rec.EventName != wantName {
		t.Fatalf("fast decoder: got event name %q, want %q", rec.EventName, wantName)
	}
	return rec, true, nil
}

// checkImages runs the Images adapter on r and checks its contract: the
// handler is called, with an image exactly where r has one, or a typed
// error names the record. It returns the outcome, for comparison between
// decoders: "called", "DecodeError <part>" or "ValidationError".
func checkImages(t *testing.T, decoder string, r events.DynamoDBEventRecord) string {
	t.Helper()
	var got dynamodbav.Change[item]
	called := false
	err := runOne(dynamodbav.Images, func(_ context.Context, c dynamodbav.Change[item]) error {
		got, called = c, true
		return nil
	}, r)
	var de *batch.DecodeError
	var ve *batch.ValidationError
	switch {
	case err == nil:
		if !called {
			t.Fatalf("%s: got nil error without the handler being called", decoder)
		}
		if (got.Old != nil) != (len(r.Change.OldImage) > 0) || (got.New != nil) != (len(r.Change.NewImage) > 0) {
			t.Fatalf("%s: got old %v new %v, want images where the record has them (old %d, new %d attributes)",
				decoder, got.Old != nil, got.New != nil, len(r.Change.OldImage), len(r.Change.NewImage))
		}
		if string(got.EventName) != r.EventName {
			t.Fatalf("%s: got event name %q, want %q", decoder, got.EventName, r.EventName)
		}
		return "called"
	case called:
		t.Fatalf("%s: got error %v after the handler was called", decoder, err)
	case errors.As(err, &de):
		if de.ID != "777" || (de.Part != "OldImage" && de.Part != "NewImage") {
			t.Fatalf("%s: got decode error naming %q part %q, want 777 and an image", decoder, de.ID, de.Part)
		}
		return "DecodeError " + de.Part
	case errors.As(err, &ve):
		if ve.ID != "777" || !errors.Is(err, errStock) {
			t.Fatalf("%s: got validation error %v, want one naming 777 wrapping %v", decoder, err, errStock)
		}
		return "ValidationError"
	default:
		t.Fatalf("%s: got error %v (%T), want a *DecodeError or *ValidationError", decoder, err, err)
	}
	return ""
}

func firstNonNil(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
