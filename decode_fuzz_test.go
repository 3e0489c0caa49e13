package batch_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// The fuzz targets feed arbitrary payloads to the typed adapters. Their seed
// corpus is in testdata/fuzz/<target>; run one with, for example,
//
//	go test -run '^$' -fuzz '^FuzzSQSJSON$' -fuzztime 30s .
//
// Whatever the input, an adapter must not panic, must call the handler or
// return a *DecodeError or *ValidationError naming the record, never both.

// fuzzPayload has fields of many kinds, so that the decoder walks many paths.
type fuzzPayload struct {
	ID    string            `json:"id"`
	Qty   int               `json:"qty"`
	Price *float64          `json:"price"`
	Tags  []string          `json:"tags"`
	Attrs map[string]string `json:"attrs"`
	Raw   json.RawMessage   `json:"raw"`
	Any   any               `json:"any"`
	Bytes []byte            `json:"bytes"`
}

var errFuzzQty = errors.New("negative qty")

func (p *fuzzPayload) Validate() error {
	if p.Qty < 0 {
		return errFuzzQty
	}
	return nil
}

// checkTypedOutcome asserts the adapter contract for one call.
func checkTypedOutcome(t *testing.T, id string, called bool, err error) {
	t.Helper()
	var de *batch.DecodeError
	var ve *batch.ValidationError
	switch {
	case err == nil:
		if !called {
			t.Fatalf("got nil error without the handler being called, want one or the other")
		}
	case called:
		t.Fatalf("got error %v after the handler was called, want the handler's own result", err)
	case errors.As(err, &de):
		if de.ID != id {
			t.Fatalf("got decode error naming %q, want %q", de.ID, id)
		}
	case errors.As(err, &ve):
		if ve.ID != id || !errors.Is(err, errFuzzQty) {
			t.Fatalf("got validation error %v naming %q, want one naming %q wrapping %v", err, ve.ID, id, errFuzzQty)
		}
	default:
		t.Fatalf("got error %v (%T), want a *DecodeError or *ValidationError", err, err)
	}
}

// fuzzHandler records whether it was called.
func fuzzHandler(called *bool) func(context.Context, fuzzPayload) error {
	return func(context.Context, fuzzPayload) error {
		*called = true
		return nil
	}
}

// acceptedJSON reports whether encoding/json would accept data as a present
// payload: valid JSON and not null.
func acceptedJSON(data []byte) bool {
	s := bytes.TrimSpace(data)
	return json.Valid(s) && string(s) != "null"
}

func FuzzSQSJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		var called bool
		err := batch.SQSJSON(fuzzHandler(&called))(context.Background(), events.SQSMessage{MessageId: "m-1", Body: body})
		checkTypedOutcome(t, "m-1", called, err)
		if called && !acceptedJSON([]byte(body)) {
			t.Fatalf("handler called for body %q, which is not a present JSON value", body)
		}
	})
}

func FuzzSNSJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		var called bool
		err := batch.SNSJSON(fuzzHandler(&called))(context.Background(), events.SQSMessage{MessageId: "m-1", Body: body})
		checkTypedOutcome(t, "m-1", called, err)
	})
}

func FuzzEventBridgeJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		var called bool
		err := batch.EventBridgeJSON(fuzzHandler(&called))(context.Background(), events.SQSMessage{MessageId: "m-1", Body: body})
		checkTypedOutcome(t, "m-1", called, err)
	})
}

func FuzzKinesisJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var called bool
		r := events.KinesisEventRecord{Kinesis: events.KinesisRecord{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", Data: data}}
		err := batch.KinesisJSON(fuzzHandler(&called))(context.Background(), r)
		checkTypedOutcome(t, r.Kinesis.SequenceNumber, called, err)
		if called && !acceptedJSON(data) {
			t.Fatalf("handler called for data %q, which is not a present JSON value", data)
		}
	})
}

func FuzzKafkaJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		var called bool
		r := events.KafkaRecord{Topic: "orders", Partition: 2, Offset: 9, Value: value}
		err := batch.KafkaJSON(fuzzHandler(&called))(context.Background(), r)
		checkTypedOutcome(t, "orders-2@9", called, err)
		if called {
			data, derr := base64.StdEncoding.DecodeString(value)
			if derr != nil || !acceptedJSON(data) {
				t.Fatalf("handler called for value %q, which is not base64 of a present JSON value", value)
			}
		}
	})
}
