package batch_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// The fuzz targets feed arbitrary payloads to Functions whose handler takes
// a typed payload: the JSON default decoders of SQS (FuzzSQSJSON), Kinesis
// (FuzzKinesisJSON) and Kafka (FuzzKafkaJSON), and the SNS and EventBridge
// decoders given to Source.Decode (FuzzSNSJSON, FuzzEventBridgeJSON). Their
// seed corpus is in testdata/fuzz/<target>; run one with, for example,
//
//	go test -run '^$' -fuzz '^FuzzSQSJSON$' -fuzztime 30s .
//
// Whatever the input, the Function must not panic, and must call the
// handler or fail the record with a *DecodeError or *ValidationError naming
// it, never both. Each target also holds the decoder to an oracle: the
// envelope (if any) and the payload decoded by encoding/json as the
// decoder's documentation says, which decides whether the handler must be
// called, with which value, or which error the record must get. The
// default decoders are run both with the library's JSON decoder and with
// Options.StdJSON.

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

// checkTypedOutcome asserts the contract of typed decoding for one record:
// err is the record's error, called whether the handler ran.
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

// checkOracle asserts that a Function did what the oracle wants: called the
// handler with the oracle's value, or failed with the error of the wanted
// kind, a *DecodeError naming the oracle's part (wrapping ErrNoPayload
// exactly when the payload is absent) or a *ValidationError.
func checkOracle(t *testing.T, want fuzzOutcome, got fuzzPayload, called bool, err error) {
	t.Helper()
	var de *batch.DecodeError
	switch want.kind {
	case "called":
		if !called || err != nil {
			t.Fatalf("got error %v, want the handler called (the payload decodes and validates)", err)
		}
		if !reflect.DeepEqual(got, want.v) {
			t.Fatalf("got handler value %#v, want %#v as encoding/json decodes it", got, want.v)
		}
	case "invalid":
		var ve *batch.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("got error %v (called %v), want a *ValidationError (%s)", err, called, want.why)
		}
	case "no payload", "decode":
		if !errors.As(err, &de) {
			t.Fatalf("got error %v (called %v), want a *DecodeError (%s)", err, called, want.why)
		}
		if de.Part != want.part {
			t.Fatalf("got decode error of part %q, want %q (%s)", de.Part, want.part, want.why)
		}
		if noPayload := errors.Is(err, batch.ErrNoPayload); noPayload != (want.kind == "no payload") {
			t.Fatalf("got decode error %v wrapping ErrNoPayload: %v, want %v (%s)", err, noPayload, !noPayload, want.why)
		}
	default:
		t.Fatalf("oracle outcome %q unknown", want.kind)
	}
}

// acceptedJSON reports whether encoding/json would accept data as a present
// payload: valid JSON and not null.
func acceptedJSON(data []byte) bool {
	return json.Valid(data) && !absentJSON(data)
}

// absentJSON reports whether data is no payload: empty or the literal null,
// with JSON's white space (space, tab, line feed, carriage return) around.
// bytes.TrimSpace would also trim \v, \f and Unicode spaces, which make a
// payload invalid JSON rather than absent.
func absentJSON(data []byte) bool {
	s := bytes.Trim(data, " \t\r\n")
	return len(s) == 0 || string(s) == "null"
}

func FuzzSQSJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		for _, o := range fuzzOptions {
			var got fuzzPayload
			var called bool
			err := recordErr(batch.New(batch.SQS(), capturingHandler(&got, &called), o), sqsOne("m-1", body))
			checkTypedOutcome(t, "m-1", called, err)
			if called && !acceptedJSON([]byte(body)) {
				t.Fatalf("handler called for body %q, which is not a present JSON value", body)
			}
			checkOracle(t, payloadOracle([]byte(body), "body"), got, called, err)
		}
	})
}

// fuzzOptions are the two ways of decoding a payload: the library's
// decoder, and encoding/json (Options.StdJSON). Both must do what the
// oracle, encoding/json itself, does.
var fuzzOptions = []batch.Options{{}, {StdJSON: true}}

func FuzzSNSJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		var got fuzzPayload
		var called bool
		fn := batch.New(batch.SQS().Decode(batch.SNS), capturingHandler(&got, &called), batch.Options{})
		err := recordErr(fn, sqsOne("m-1", body))
		checkTypedOutcome(t, "m-1", called, err)
		checkOracle(t, snsOracle([]byte(body)), got, called, err)
	})
}

func FuzzEventBridgeJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		var got fuzzPayload
		var called bool
		fn := batch.New(batch.SQS().Decode(batch.EventBridge), capturingHandler(&got, &called), batch.Options{})
		err := recordErr(fn, sqsOne("m-1", body))
		checkTypedOutcome(t, "m-1", called, err)
		checkOracle(t, eventBridgeOracle([]byte(body)), got, called, err)
	})
}

// capturingHandler records whether it was called, and with what.
func capturingHandler(got *fuzzPayload, called *bool) func(context.Context, fuzzPayload) error {
	return func(_ context.Context, v fuzzPayload) error {
		*got, *called = v, true
		return nil
	}
}

// fuzzOutcome is what a Function must do with one record, as an oracle
// built on encoding/json and the decoder's documentation decides it.
type fuzzOutcome struct {
	kind string      // "called", "no payload", "decode" or "invalid"
	v    fuzzPayload // for "called": the value the handler must get
	part string      // for "no payload" and "decode": the DecodeError's Part
	why  string      // what the oracle saw, for messages
}

// payloadOracle decides the outcome of a payload once extracted from its
// envelope, where it is part: absent or null, not decodable into a
// fuzzPayload, not valid, or handed to the handler.
func payloadOracle(data []byte, part string) fuzzOutcome {
	if absentJSON(data) {
		return fuzzOutcome{kind: "no payload", part: part, why: "payload empty or null"}
	}
	var v fuzzPayload
	if err := json.Unmarshal(data, &v); err != nil {
		return fuzzOutcome{kind: "decode", part: part, why: "encoding/json: " + err.Error()}
	}
	if err := v.Validate(); err != nil {
		return fuzzOutcome{kind: "invalid", why: err.Error()}
	}
	return fuzzOutcome{kind: "called", v: v}
}

// snsOracle is the documented contract of batch.SNS: the body is an SNS
// envelope whose Type, if present, is "Notification" and whose Message is
// a string holding the payload. A problem with the envelope is one of the
// body; one with the payload, of body.Message.
func snsOracle(body []byte) fuzzOutcome {
	if absentJSON(body) {
		return fuzzOutcome{kind: "no payload", part: "body", why: "body empty or null"}
	}
	var env struct {
		Type    string  `json:"Type"`
		Message *string `json:"Message"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fuzzOutcome{kind: "decode", part: "body", why: "envelope: " + err.Error()}
	}
	if env.Type != "" && env.Type != "Notification" {
		return fuzzOutcome{kind: "decode", part: "body", why: "envelope of type " + env.Type}
	}
	if env.Message == nil {
		return fuzzOutcome{kind: "decode", part: "body", why: "envelope without Message"}
	}
	return payloadOracle([]byte(*env.Message), "body.Message")
}

// eventBridgeOracle is the documented contract of batch.EventBridge: the body
// is an event object whose detail holds the payload. A problem with the
// event is one of the body; one with the detail, of body.detail.
func eventBridgeOracle(body []byte) fuzzOutcome {
	if absentJSON(body) {
		return fuzzOutcome{kind: "no payload", part: "body", why: "body empty or null"}
	}
	var ev struct {
		Detail json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return fuzzOutcome{kind: "decode", part: "body", why: "event: " + err.Error()}
	}
	detail := ev.Detail
	if detail == nil {
		return fuzzOutcome{kind: "decode", part: "body", why: "event without detail"}
	}
	return payloadOracle(detail, "body.detail")
}

func FuzzKinesisJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range fuzzOptions {
			var got fuzzPayload
			var called bool
			const seq = "49590338271490256608559692538361571095921575989136588898"
			err := recordErr(batch.New(batch.Kinesis(), capturingHandler(&got, &called), o), kinesisOne(seq, data))
			checkTypedOutcome(t, seq, called, err)
			if called && !acceptedJSON(data) {
				t.Fatalf("handler called for data %q, which is not a present JSON value", data)
			}
			checkOracle(t, payloadOracle(data, "data"), got, called, err)
		}
	})
}

func FuzzKafkaJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, value string) {
		for _, o := range fuzzOptions {
			var got fuzzPayload
			var called bool
			r := events.KafkaRecord{Topic: "orders", Partition: 2, Offset: 9, Value: value}
			err := recordErr(batch.New(batch.Kafka(), capturingHandler(&got, &called), o), kafkaOne(r))
			checkTypedOutcome(t, "orders-2@9", called, err)
			data, derr := base64.StdEncoding.DecodeString(value)
			if called && (derr != nil || !acceptedJSON(data)) {
				t.Fatalf("handler called for value %q, which is not base64 of a present JSON value", value)
			}
			want := payloadOracle(data, "value")
			if derr != nil {
				want = fuzzOutcome{kind: "decode", part: "value", why: "base64: " + derr.Error()}
			}
			checkOracle(t, want, got, called, err)
		}
	})
}
