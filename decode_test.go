//go:build legacy

package batch_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// decOrder is the payload type of the typed-payload tests; Validate rejects a
// quantity below 1.
type decOrder struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

var errDecQty = errors.New("qty must be positive")

func (o decOrder) Validate() error {
	if o.Qty < 1 {
		return errDecQty
	}
	return nil
}

// decKind is the expected way a typed adapter treats a payload.
type decKind int

const (
	decOK        decKind = iota // handler called with the decoded value
	decNoPayload                // *DecodeError wrapping ErrNoPayload
	decBad                      // *DecodeError, not ErrNoPayload
	decInvalid                  // *ValidationError wrapping errDecQty
)

func (k decKind) String() string {
	return [...]string{"ok", "no payload", "decode error", "validation error"}[k]
}

// decAdapter runs one typed adapter on a record built around a JSON payload.
type decAdapter struct {
	name string
	// run builds a record carrying payload, with identifier id, and calls the
	// adapter's handler on it; got is what the typed handler received.
	run func(payload, id string) (got decOrder, called bool, err error)
	// kinds overrides the expected outcome of some payloads for this adapter.
	kinds map[string]decKind
}

func decAdapters() []decAdapter {
	record := func(called *bool, got *decOrder) func(context.Context, decOrder) error {
		return func(_ context.Context, v decOrder) error {
			*called, *got = true, v
			return nil
		}
	}
	return []decAdapter{
		{
			name: "SQSJSON",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				err = batch.SQSJSON(record(&called, &got))(context.Background(), events.SQSMessage{MessageId: id, Body: payload})
				return
			},
		},
		{
			name: "SNSJSON",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				env, _ := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:eu-west-1:123456789012:orders", "Message": payload})
				err = batch.SNSJSON(record(&called, &got))(context.Background(), events.SQSMessage{MessageId: id, Body: string(env)})
				return
			},
		},
		{
			name: "EventBridgeJSON",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				body := `{"version":"0","id":"e1","detail-type":"OrderPlaced","source":"shop","detail":` + payload + `}`
				err = batch.EventBridgeJSON(record(&called, &got))(context.Background(), events.SQSMessage{MessageId: id, Body: body})
				return
			},
			// The detail is embedded raw, so a payload that is not JSON
			// breaks the envelope itself.
			kinds: map[string]decKind{"": decBad, "   ": decBad},
		},
		{
			name: "KinesisJSON",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				r := events.KinesisEventRecord{Kinesis: events.KinesisRecord{SequenceNumber: id, Data: []byte(payload)}}
				err = batch.KinesisJSON(record(&called, &got))(context.Background(), r)
				return
			},
		},
		{
			name: "KafkaJSON",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				r := events.KafkaRecord{Topic: "orders", Offset: 7, Value: base64.StdEncoding.EncodeToString([]byte(payload))}
				err = batch.KafkaJSON(record(&called, &got))(context.Background(), r)
				return
			},
		},
	}
}

func TestTypedAdaptersDecodeValidateOrFail(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		want    decKind
		value   decOrder
	}{
		{"object decodes", `{"id":"o-1","qty":2}`, decOK, decOrder{ID: "o-1", Qty: 2}},
		{"unknown fields ignored", `{"id":"o-2","qty":1,"note":"x"}`, decOK, decOrder{ID: "o-2", Qty: 1}},
		{"surrounding space accepted", " \n{\"id\":\"o-3\",\"qty\":3}\t", decOK, decOrder{ID: "o-3", Qty: 3}},
		{"empty payload rejected", "", decNoPayload, decOrder{}},
		{"blank payload rejected", "   ", decNoPayload, decOrder{}},
		{"null rejected", "null", decNoPayload, decOrder{}},
		{"not JSON rejected", `{"id":`, decBad, decOrder{}},
		{"string instead of object rejected", `"o-1"`, decBad, decOrder{}},
		{"array instead of object rejected", `[1,2]`, decBad, decOrder{}},
		{"wrong field type rejected", `{"id":"o-4","qty":"two"}`, decBad, decOrder{}},
		{"trailing data rejected", `{"id":"o-5","qty":1} {}`, decBad, decOrder{}},
		{"failed validation rejected", `{"id":"o-6","qty":0}`, decInvalid, decOrder{}},
	}
	for _, a := range decAdapters() {
		for _, c := range cases {
			a, c := a, c
			t.Run(a.name+"/"+c.name, func(t *testing.T) {
				want := c.want
				if k, ok := a.kinds[c.payload]; ok {
					want = k
				}
				got, called, err := a.run(c.payload, "rec-1")
				if called != (want == decOK) {
					t.Fatalf("handler called = %v, want %v (err %v)", called, want == decOK, err)
				}
				if kind := classify(err); kind != want {
					t.Fatalf("got %v (err %v), want %v", kind, err, want)
				}
				if want == decOK && got != c.value {
					t.Errorf("got value %+v, want %+v", got, c.value)
				}
			})
		}
	}
}

// classify tells how an adapter treated a payload, from the error it returned.
func classify(err error) decKind {
	var de *batch.DecodeError
	var ve *batch.ValidationError
	switch {
	case err == nil:
		return decOK
	case errors.As(err, &de) && errors.Is(err, batch.ErrNoPayload):
		return decNoPayload
	case errors.As(err, &de):
		return decBad
	case errors.As(err, &ve) && errors.Is(err, errDecQty):
		return decInvalid
	}
	return -1
}

func TestDecodeErrorNamesTheRecordAndPart(t *testing.T) {
	kafka := func(value string) events.KafkaRecord {
		return events.KafkaRecord{Topic: "orders", Partition: 3, Offset: 42, Value: value}
	}
	cases := []struct {
		name     string
		call     func(h func(context.Context, decOrder) error) error
		wantID   string
		wantPart string
	}{
		{"SQS body", func(h func(context.Context, decOrder) error) error {
			return batch.SQSJSON(h)(context.Background(), events.SQSMessage{MessageId: "m-9", Body: "{"})
		}, "m-9", "body"},
		{"SNS message", func(h func(context.Context, decOrder) error) error {
			return batch.SNSJSON(h)(context.Background(), events.SQSMessage{MessageId: "m-8", Body: `{"Type":"Notification","Message":"{"}`})
		}, "m-8", "body.Message"},
		{"EventBridge detail", func(h func(context.Context, decOrder) error) error {
			return batch.EventBridgeJSON(h)(context.Background(), events.SQSMessage{MessageId: "m-7", Body: `{"detail":[]}`})
		}, "m-7", "body.detail"},
		{"Kinesis data", func(h func(context.Context, decOrder) error) error {
			r := events.KinesisEventRecord{Kinesis: events.KinesisRecord{SequenceNumber: "4960", Data: []byte("x")}}
			return batch.KinesisJSON(h)(context.Background(), r)
		}, "4960", "data"},
		{"Kafka value not base64", func(h func(context.Context, decOrder) error) error {
			return batch.KafkaJSON(h)(context.Background(), kafka("%%%"))
		}, "orders-3@42", "value"},
		{"Kafka tombstone", func(h func(context.Context, decOrder) error) error {
			return batch.KafkaJSON(h)(context.Background(), kafka(""))
		}, "orders-3@42", "value"},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			err := c.call(func(context.Context, decOrder) error { return nil })
			var de *batch.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DecodeError", err)
			}
			if de.ID != c.wantID || de.Part != c.wantPart {
				t.Errorf("got ID %q part %q, want ID %q part %q", de.ID, de.Part, c.wantID, c.wantPart)
			}
			var ve *batch.ValidationError
			if errors.As(err, &ve) {
				t.Errorf("got a *ValidationError in %v, want none", err)
			}
		})
	}
}

func TestEnvelopesRejectOtherShapes(t *testing.T) {
	cases := []struct {
		name string
		h    batch.Handler[events.SQSMessage]
		body string
	}{
		{"SNS raw delivery body has no Message", batch.SNSJSON(decNop), `{"id":"o-1","qty":1}`},
		{"SNS subscription confirmation", batch.SNSJSON(decNop), `{"Type":"SubscriptionConfirmation","Message":"{\"id\":\"o\",\"qty\":1}"}`},
		{"SNS Message not a string", batch.SNSJSON(decNop), `{"Type":"Notification","Message":{"id":"o","qty":1}}`},
		{"SNS envelope not an object", batch.SNSJSON(decNop), `["Notification"]`},
		{"SNS Message null", batch.SNSJSON(decNop), `{"Type":"Notification","Message":null}`},
		{"EventBridge event without detail", batch.EventBridgeJSON(decNop), `{"source":"shop","detail-type":"OrderPlaced"}`},
		{"EventBridge body not an object", batch.EventBridgeJSON(decNop), `"detail"`},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			err := c.h(context.Background(), events.SQSMessage{MessageId: "m-1", Body: c.body})
			var de *batch.DecodeError
			if !errors.As(err, &de) || de.ID != "m-1" {
				t.Fatalf("got %v, want a *DecodeError for m-1", err)
			}
		})
	}
}

func decNop(context.Context, decOrder) error { return nil }

func TestSNSRawDeliveryDecodesWithSQSJSON(t *testing.T) {
	var got decOrder
	err := batch.SQSJSON(func(_ context.Context, v decOrder) error { got = v; return nil })(
		context.Background(), events.SQSMessage{MessageId: "m-1", Body: `{"id":"raw","qty":5}`})
	if err != nil || got != (decOrder{ID: "raw", Qty: 5}) {
		t.Errorf("got %+v, %v, want {raw 5}, nil", got, err)
	}
}

// Validate is looked for on T and on *T, including when T is itself a
// pointer type.
type (
	decValueRecv struct{ N int }
	decPtrRecv   struct{ N int }
	decNoCheck   struct{ N int }
)

var errDecNeg = errors.New("negative")

func (v decValueRecv) Validate() error {
	if v.N < 0 {
		return errDecNeg
	}
	return nil
}

func (v *decPtrRecv) Validate() error {
	if v.N < 0 {
		return errDecNeg
	}
	return nil
}

func TestValidateFoundOnValueAndPointerReceivers(t *testing.T) {
	msg := func(body string) events.SQSMessage { return events.SQSMessage{MessageId: "m-1", Body: body} }
	ctx := context.Background()
	cases := []struct {
		name        string
		h           batch.Handler[events.SQSMessage]
		wantInvalid bool
	}{
		{"value receiver", batch.SQSJSON(func(context.Context, decValueRecv) error { return nil }), true},
		{"pointer receiver", batch.SQSJSON(func(context.Context, decPtrRecv) error { return nil }), true},
		{"pointer type with pointer receiver", batch.SQSJSON(func(context.Context, *decPtrRecv) error { return nil }), true},
		{"pointer type with value receiver", batch.SQSJSON(func(context.Context, *decValueRecv) error { return nil }), true},
		{"no Validate method", batch.SQSJSON(func(context.Context, decNoCheck) error { return nil }), false},
		{"map payload", batch.SQSJSON(func(context.Context, map[string]int) error { return nil }), false},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			if err := c.h(ctx, msg(`{"N":1}`)); err != nil {
				t.Fatalf("valid payload: got %v, want nil", err)
			}
			err := c.h(ctx, msg(`{"N":-1}`))
			var ve *batch.ValidationError
			gotInvalid := errors.As(err, &ve)
			if gotInvalid != c.wantInvalid {
				t.Fatalf("invalid payload: got %v, want a *ValidationError: %v", err, c.wantInvalid)
			}
			if gotInvalid && (ve.ID != "m-1" || !errors.Is(err, errDecNeg)) {
				t.Errorf("got ID %q cause %v, want ID m-1 cause %v", ve.ID, ve.Err, errDecNeg)
			}
		})
	}
}

func TestTypedRecordsFailAloneInTheResponse(t *testing.T) {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-1", Body: `{"id":"a","qty":1}`},
		{MessageId: "m-2", Body: `{"id":`},
		{MessageId: "m-3", Body: `{"id":"c","qty":0}`},
		{MessageId: "m-4", Body: ``},
		{MessageId: "m-5", Body: `{"id":"e","qty":9}`},
	}}
	var handled []string
	h := batch.SQSJSON(func(_ context.Context, o decOrder) error {
		handled = append(handled, o.ID)
		return nil
	})
	rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.SQSSource(ev.Records), h)
	resp, err := batch.SQSResponse(rep)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if got, want := failedIDs(resp), []string{"m-2", "m-3", "m-4"}; !equalStrings(got, want) {
		t.Errorf("got failures %v, want %v", got, want)
	}
	if want := []string{"a", "e"}; !equalStrings(handled, want) {
		t.Errorf("got handled %v, want %v", handled, want)
	}
	wantKinds := []decKind{decOK, decBad, decInvalid, decNoPayload, decOK}
	for i, want := range wantKinds {
		res := rep.Result(i)
		if got := classify(res.Err); got != want {
			t.Errorf("record %d: got %v (%v), want %v", i, got, res.Err, want)
		}
		var de *batch.DecodeError
		var ve *batch.ValidationError
		switch {
		case errors.As(res.Err, &de) && de.ID != res.ID:
			t.Errorf("record %d: got decode error naming %q, want %q", i, de.ID, res.ID)
		case errors.As(res.Err, &ve) && ve.ID != res.ID:
			t.Errorf("record %d: got validation error naming %q, want %q", i, ve.ID, res.ID)
		}
	}
}

func TestKafkaJSONFailureReportsTopicPartitionAndOffset(t *testing.T) {
	good := base64.StdEncoding.EncodeToString([]byte(`{"id":"k","qty":1}`))
	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"orders-0": {
			{Topic: "orders", Partition: 0, Offset: 10, Value: good},
			{Topic: "orders", Partition: 0, Offset: 11, Value: "not base64!"},
			{Topic: "orders", Partition: 0, Offset: 12}, // tombstone
		},
	}}
	resp, err := batch.Processor{}.Kafka(context.Background(), ev, batch.KafkaJSON(decNop))
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	var got []string
	for _, f := range resp.BatchItemFailures {
		got = append(got, f.ItemIdentifier.Partition+"@"+strconv.FormatInt(f.ItemIdentifier.Offset, 10))
	}
	if want := []string{"orders-0@11", "orders-0@12"}; !equalStrings(got, want) {
		t.Errorf("got failures %v, want %v", got, want)
	}
}

func TestWithRecordVariantsPassTheRawRecord(t *testing.T) {
	ctx := context.Background()
	payload := `{"id":"o-1","qty":1}`
	sns, _ := json.Marshal(map[string]string{"Type": "Notification", "Message": payload})
	cases := []struct {
		name string
		call func() (gotID string, err error)
	}{
		{"SQSJSONWithRecord", func() (id string, err error) {
			err = batch.SQSJSONWithRecord(func(_ context.Context, _ decOrder, m events.SQSMessage) error { id = m.MessageId; return nil })(
				ctx, events.SQSMessage{MessageId: "want", Body: payload})
			return
		}},
		{"SNSJSONWithRecord", func() (id string, err error) {
			err = batch.SNSJSONWithRecord(func(_ context.Context, _ decOrder, m events.SQSMessage) error { id = m.MessageId; return nil })(
				ctx, events.SQSMessage{MessageId: "want", Body: string(sns)})
			return
		}},
		{"EventBridgeJSONWithRecord", func() (id string, err error) {
			err = batch.EventBridgeJSONWithRecord(func(_ context.Context, _ decOrder, m events.SQSMessage) error { id = m.MessageId; return nil })(
				ctx, events.SQSMessage{MessageId: "want", Body: `{"detail":` + payload + `}`})
			return
		}},
		{"KinesisJSONWithRecord", func() (id string, err error) {
			err = batch.KinesisJSONWithRecord(func(_ context.Context, _ decOrder, r events.KinesisEventRecord) error {
				id = r.Kinesis.PartitionKey
				return nil
			})(
				ctx, events.KinesisEventRecord{Kinesis: events.KinesisRecord{PartitionKey: "want", Data: []byte(payload)}})
			return
		}},
		{"KafkaJSONWithRecord", func() (id string, err error) {
			err = batch.KafkaJSONWithRecord(func(_ context.Context, _ decOrder, r events.KafkaRecord) error { id = r.Key; return nil })(
				ctx, events.KafkaRecord{Key: "want", Value: base64.StdEncoding.EncodeToString([]byte(payload))})
			return
		}},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			got, err := c.call()
			if err != nil || got != "want" {
				t.Errorf("got %q, %v, want %q, nil", got, err, "want")
			}
		})
	}
}

func TestHandlerErrorIsNotADecodeError(t *testing.T) {
	errBoom := errors.New("boom")
	err := batch.SQSJSON(func(context.Context, decOrder) error { return errBoom })(
		context.Background(), events.SQSMessage{MessageId: "m-1", Body: `{"id":"o","qty":1}`})
	var de *batch.DecodeError
	var ve *batch.ValidationError
	if err != errBoom || errors.As(err, &de) || errors.As(err, &ve) {
		t.Errorf("got %v, want the handler's error unchanged", err)
	}
}

func TestNilTypedHandlerFailsRecordsWithoutPanicking(t *testing.T) {
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: `{}`}}}
	cases := []struct {
		name string
		h    batch.Handler[events.SQSMessage]
	}{
		{"SQSJSON", batch.SQSJSON[decOrder](nil)},
		{"SQSJSONWithRecord", batch.SQSJSONWithRecord[decOrder](nil)},
		{"SNSJSON", batch.SNSJSON[decOrder](nil)},
		{"EventBridgeJSON", batch.EventBridgeJSON[decOrder](nil)},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			resp, err := batch.Processor{NoBatchError: true}.SQS(context.Background(), ev, c.h)
			if err != nil || !equalStrings(failedIDs(resp), []string{"m-1"}) {
				t.Errorf("got %v, %v, want [m-1], nil", failedIDs(resp), err)
			}
		})
	}
}

func TestKafkaHeader(t *testing.T) {
	rec := events.KafkaRecord{Headers: []map[string]events.JSONNumberBytes{
		{"trace-id": []byte("t-1")},
		{"tenant": []byte("acme"), "kind": []byte("order")},
		{"trace-id": []byte("t-2")},
		{"empty": []byte{}},
	}}
	cases := []struct {
		name   string
		rec    events.KafkaRecord
		key    string
		want   string
		wantOK bool
	}{
		{"single header", rec, "tenant", "acme", true},
		{"header in a map of several", rec, "kind", "order", true},
		{"repeated key gives the last value", rec, "trace-id", "t-2", true},
		{"empty value is present", rec, "empty", "", true},
		{"missing key", rec, "nope", "", false},
		{"no headers", events.KafkaRecord{}, "tenant", "", false},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			got, ok := batch.KafkaHeader(c.rec, c.key)
			if string(got) != c.want || ok != c.wantOK {
				t.Errorf("got %q, %v, want %q, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestDecodeErrorMessages(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"decode error", &batch.DecodeError{ID: "m-1", Part: "body", Err: batch.ErrNoPayload}, `cannot decode body: no payload`},
		{"validation error", &batch.ValidationError{ID: "m-2", Err: errDecQty}, `invalid payload: qty must be positive`},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestTypedAdapterSharedByConcurrentWorkers(t *testing.T) {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 200)}
	for i := range ev.Records {
		body := `{"id":"o-` + strconv.Itoa(i) + `","qty":` + strconv.Itoa(i%4) + `}` // qty 0 fails Validate
		ev.Records[i] = events.SQSMessage{MessageId: "m-" + strconv.Itoa(i), Body: body}
	}
	h := batch.SQSJSON(func(_ context.Context, o decOrder) error {
		if o.Qty == 3 {
			return errors.New("handler failure")
		}
		return nil
	})
	proc := batch.Processor{Concurrency: 8}
	for run := 0; run < 3; run++ {
		resp, err := proc.SQS(context.Background(), ev, h)
		if err != nil {
			t.Fatalf("got error %v, want nil", err)
		}
		if got, want := len(resp.BatchItemFailures), 100; got != want {
			t.Fatalf("got %d failures, want %d (qty 0 invalid, qty 3 failing)", got, want)
		}
	}
}

// One rule for "no payload": the white space around an empty payload or a
// null is JSON's (space, tab, line feed, carriage return). Other Unicode
// spaces make the payload invalid JSON, a decode error that middleware
// cannot mistake for an absent payload (ErrNoPayload), on the
// encoding/json path and on the path of types that decode themselves.
func TestNoPayloadUsesJSONWhiteSpace(t *testing.T) {
	tests := []struct {
		body      string
		noPayload bool
	}{
		{"", true},
		{" \t\r\n", true},
		{" null\n", true},
		{"\u00a0null", false},
		{"null\u00a0", false},
		{"\u2028null", false},
		{"\fnull", false},
		{"\vnull", false},
	}
	for _, tt := range tests {
		for _, path := range []struct {
			name string
			h    batch.Handler[events.SQSMessage]
		}{
			{"encoding/json", batch.SQSJSON(func(context.Context, map[string]any) error { return nil })},
			{"self-decoding", batch.SQSJSON(func(context.Context, json.RawMessage) error { return nil })},
		} {
			t.Run(fmt.Sprintf("%s/%q", path.name, tt.body), func(t *testing.T) {
				ev := sqsEvent(tt.body)
				rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.SQSSource(ev.Records), path.h)
				err := rep.Result(0).Err
				var de *batch.DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("got %v, want a *batch.DecodeError", err)
				}
				if got := errors.Is(err, batch.ErrNoPayload); got != tt.noPayload {
					t.Fatalf("errors.Is(err, ErrNoPayload) = %v, want %v (err: %v)", got, tt.noPayload, err)
				}
			})
		}
	}
}

// A type that decodes itself but accepts anything, such as json.RawMessage,
// must not be handed a payload that is not JSON: the adapter checks
// validity as json.Unmarshal does before calling the type's method.
func TestRawMessagePayloadMustBeJSON(t *testing.T) {
	ev := sqsEvent(`{"a": 1}`, `not json`, `{"a":`, `[1,2] 3`, " \"s\" ")
	var got []string
	rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.SQSSource(ev.Records),
		batch.SQSJSON(func(_ context.Context, v json.RawMessage) error {
			got = append(got, string(v))
			return nil
		}))
	if want := []string{`{"a": 1}`, `"s"`}; !equalStrings(got, want) {
		t.Fatalf("handler got %q, want %q", got, want)
	}
	for _, i := range []int{1, 2, 3} {
		var de *batch.DecodeError
		if r := rep.Result(i); r.Outcome != batch.Failed || !errors.As(r.Err, &de) {
			t.Errorf("record %d: got %v %v, want failed with a *batch.DecodeError", i, r.Outcome, r.Err)
		}
	}
}

// Each layer of an error adds its context once: the package prefix once,
// the record once (by the *RecordError), then what went wrong. errors.Is
// and errors.As still reach every layer.
func TestErrorTextSaysEachThingOnce(t *testing.T) {
	ev := sqsEvent(``, `{"qty":0}`)
	ev.Records[0].MessageId, ev.Records[1].MessageId = "a", "b"
	_, err := batch.Processor{}.SQS(context.Background(), ev, batch.SQSJSON(func(context.Context, decOrder) error { return nil }))
	var be *batch.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("got %v, want a *batch.BatchError", err)
	}
	const want = `batch: all 2 records failed; first: record 0 (a): cannot decode body: no payload (empty)`
	if got := err.Error(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	second := be.Errs[1].Error()
	if want := `batch: record 1 (b): invalid payload: qty must be positive`; second != want {
		t.Fatalf("got %q, want %q", second, want)
	}
	var de *batch.DecodeError
	var ve *batch.ValidationError
	var re *batch.RecordError
	if !errors.As(err, &de) || !errors.Is(err, batch.ErrNoPayload) || !errors.As(be.Errs[1], &ve) || !errors.Is(err, errDecQty) || !errors.As(err, &re) {
		t.Fatalf("errors.Is/As lost a layer of %v", err)
	}
}
