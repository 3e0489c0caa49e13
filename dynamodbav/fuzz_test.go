package dynamodbav_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/dynamodbav"
)

// FuzzImages feeds arbitrary images, in the JSON of a DynamoDB Streams event,
// to the Images adapter. Images that aws-lambda-go itself rejects are
// skipped, since Lambda cannot deliver them. Whatever remains must either
// reach the handler, with an image exactly where the record has one, or fail
// with a typed error naming the record; never panic. The seed corpus is in
// testdata/fuzz/FuzzImages; run it with
//
//	go test -run '^$' -fuzz '^FuzzImages$' -fuzztime 30s .
func FuzzImages(f *testing.F) {
	f.Fuzz(func(t *testing.T, eventName, oldImage, newImage string) {
		var r events.DynamoDBEventRecord
		r.EventName = eventName
		r.Change.SequenceNumber = "777"
		if oldImage != "" && json.Unmarshal([]byte(oldImage), &r.Change.OldImage) != nil {
			return
		}
		if newImage != "" && json.Unmarshal([]byte(newImage), &r.Change.NewImage) != nil {
			return
		}
		var got dynamodbav.Change[item]
		called := false
		err := dynamodbav.Images(func(_ context.Context, c dynamodbav.Change[item]) error {
			got, called = c, true
			return nil
		})(context.Background(), r)
		var de *batch.DecodeError
		var ve *batch.ValidationError
		switch {
		case err == nil:
			if !called {
				t.Fatal("got nil error without the handler being called")
			}
			if (got.Old != nil) != (len(r.Change.OldImage) > 0) || (got.New != nil) != (len(r.Change.NewImage) > 0) {
				t.Fatalf("got old %v new %v, want images where the record has them (old %d, new %d attributes)",
					got.Old != nil, got.New != nil, len(r.Change.OldImage), len(r.Change.NewImage))
			}
			if string(got.EventName) != eventName {
				t.Fatalf("got event name %q, want %q", got.EventName, eventName)
			}
		case called:
			t.Fatalf("got error %v after the handler was called", err)
		case errors.As(err, &de):
			if de.ID != "777" || (de.Part != "OldImage" && de.Part != "NewImage") {
				t.Fatalf("got decode error naming %q part %q, want 777 and an image", de.ID, de.Part)
			}
		case errors.As(err, &ve):
			if ve.ID != "777" || !errors.Is(err, errStock) {
				t.Fatalf("got validation error %v, want one naming 777 wrapping %v", err, errStock)
			}
		default:
			t.Fatalf("got error %v (%T), want a *DecodeError or *ValidationError", err, err)
		}
	})
}
