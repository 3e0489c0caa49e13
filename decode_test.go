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

// decKind is the expected way a typed Function treats a payload.
type decKind int

const (
	decOK        decKind = iota // handler called with the decoded value
	decNoPayload                // *DecodeError wrapping ErrNoPayload
	decBad                      // *DecodeError, not ErrNoPayload
	decInvalid                  // *ValidationError wrapping errDecQty
)

func (k decKind) String() string {
	if k < 0 || int(k) >= 4 {
		return "unexpected error"
	}
	return [...]string{"ok", "no payload", "decode error", "validation error"}[k]
}

// decAdapter is one way of decoding a typed payload: a Source, with its
// default decoder or with the one given to Source.Decode.
type decAdapter struct {
	name string
	// run builds an event of one record carrying payload, with identifier
	// id, and runs it through a Function of the source whose handler takes
	// a decOrder; got is what the handler received, err the record's error.
	run func(payload, id string) (got decOrder, called bool, err error)
	// kinds overrides the expected outcome of some payloads for this adapter.
	kinds map[string]decKind
}

// capture returns a handler that records whether it was called, and with
// what.
func capture(got *decOrder, called *bool) func(context.Context, decOrder) error {
	return func(_ context.Context, v decOrder) error {
		*called, *got = true, v
		return nil
	}
}

func decAdapters() []decAdapter {
	eventBridge := func(payload string) string {
		return `{"version":"0","id":"e1","detail-type":"OrderPlaced","source":"shop","detail":` + payload + `}`
	}
	// The detail is embedded raw, so a payload that is not JSON breaks the
	// envelope itself.
	rawEnvelope := map[string]decKind{"": decBad, "   ": decBad}
	return []decAdapter{
		{
			name: "SQS",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				fn := batch.New(batch.SQS(), capture(&got, &called), batch.Options{})
				err = recordErr(fn, sqsOne(id, payload))
				return
			},
		},
		{
			name: "SQS with SNS",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				env, _ := json.Marshal(map[string]string{"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:eu-west-1:123456789012:orders", "Message": payload})
				fn := batch.New(batch.SQS().Decode(batch.SNS), capture(&got, &called), batch.Options{})
				err = recordErr(fn, sqsOne(id, string(env)))
				return
			},
		},
		{
			name: "SQS with EventBridge",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				fn := batch.New(batch.SQS().Decode(batch.EventBridge), capture(&got, &called), batch.Options{})
				err = recordErr(fn, sqsOne(id, eventBridge(payload)))
				return
			},
			kinds: rawEnvelope,
		},
		{
			name: "Kinesis",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				fn := batch.New(batch.Kinesis(), capture(&got, &called), batch.Options{})
				err = recordErr(fn, kinesisOne(id, []byte(payload)))
				return
			},
		},
		{
			name: "Kinesis with EventBridge",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				fn := batch.New(batch.Kinesis().Decode(batch.EventBridge), capture(&got, &called), batch.Options{})
				err = recordErr(fn, kinesisOne(id, []byte(eventBridge(payload))))
				return
			},
			kinds: rawEnvelope,
		},
		{
			name: "Kafka",
			run: func(payload, id string) (got decOrder, called bool, err error) {
				fn := batch.New(batch.Kafka(), capture(&got, &called), batch.Options{})
				err = recordErr(fn, kafkaOne(events.KafkaRecord{Topic: "orders", Offset: 7, Value: b64Value(payload)}))
				return
			},
		},
	}
}

func TestTypedPayloadsDecodeValidateOrFail(t *testing.T) {
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

// classify tells how a Function treated a payload, from the record's error.
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

// errNotProto is the error of decodeNotProto, a decoder of another format
// given to Source.Decode.
var errNotProto = errors.New("not a protobuf message")

func decodeNotProto(events.SQSMessage, any) error { return errNotProto }

// decodeOwnPart is a decoder that names the part it failed on itself.
func decodeOwnPart(events.SQSMessage, any) error {
	return &batch.DecodeError{Part: "body.envelope", Err: errNotProto}
}

func TestDecodeErrorNamesTheRecordAndPart(t *testing.T) {
	kafka := func(value string) events.KafkaEvent {
		return kafkaOne(events.KafkaRecord{Topic: "orders", Partition: 3, Offset: 42, Value: value})
	}
	cases := []struct {
		name     string
		call     func(h func(context.Context, decOrder) error) error
		wantID   string
		wantPart string
	}{
		{"SQS body", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.SQS(), h, batch.Options{}), sqsOne("m-9", "{"))
		}, "m-9", "body"},
		{"SNS message", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.SQS().Decode(batch.SNS), h, batch.Options{}), sqsOne("m-8", `{"Type":"Notification","Message":"{"}`))
		}, "m-8", "body.Message"},
		{"EventBridge detail", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.SQS().Decode(batch.EventBridge), h, batch.Options{}), sqsOne("m-7", `{"detail":[]}`))
		}, "m-7", "body.detail"},
		{"Kinesis data", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.Kinesis(), h, batch.Options{}), kinesisOne("4960", []byte("x")))
		}, "4960", "data"},
		{"Kinesis EventBridge detail", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.Kinesis().Decode(batch.EventBridge), h, batch.Options{}), kinesisOne("4961", []byte(`{"detail":"x"}`)))
		}, "4961", "data.detail"},
		{"Kafka value not base64", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.Kafka(), h, batch.Options{}), kafka("%%%"))
		}, "orders-3@42", "value"},
		{"Kafka tombstone", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.Kafka(), h, batch.Options{}), kafka(""))
		}, "orders-3@42", "value"},
		{"custom decoder's error", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.SQS().Decode(decodeNotProto), h, batch.Options{}), sqsOne("m-6", "{}"))
		}, "m-6", "payload"},
		{"custom decoder's own DecodeError", func(h func(context.Context, decOrder) error) error {
			return recordErr(batch.New(batch.SQS().Decode(decodeOwnPart), h, batch.Options{}), sqsOne("m-5", "{}"))
		}, "m-5", "body.envelope"},
		{"EventBridge on a DynamoDB record", func(h func(context.Context, decOrder) error) error {
			ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{Change: events.DynamoDBStreamRecord{SequenceNumber: "777"}}}}
			return recordErr(batch.New(batch.DynamoDB().Decode(batch.EventBridge), h, batch.Options{}), ev)
		}, "777", "payload"},
	}
	for _, c := range cases {
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
		dec  func(events.SQSMessage, any) error
		body string
	}{
		{"SNS raw delivery body has no Message", batch.SNS, `{"id":"o-1","qty":1}`},
		{"SNS subscription confirmation", batch.SNS, `{"Type":"SubscriptionConfirmation","Message":"{\"id\":\"o\",\"qty\":1}"}`},
		{"SNS Message not a string", batch.SNS, `{"Type":"Notification","Message":{"id":"o","qty":1}}`},
		{"SNS envelope not an object", batch.SNS, `["Notification"]`},
		{"SNS Message null", batch.SNS, `{"Type":"Notification","Message":null}`},
		{"EventBridge event without detail", batch.EventBridge[events.SQSMessage], `{"source":"shop","detail-type":"OrderPlaced"}`},
		{"EventBridge body not an object", batch.EventBridge[events.SQSMessage], `"detail"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			called := false
			fn := batch.New(batch.SQS().Decode(c.dec), func(context.Context, decOrder) error { called = true; return nil }, batch.Options{})
			err := recordErr(fn, sqsOne("m-1", c.body))
			var de *batch.DecodeError
			if !errors.As(err, &de) || de.ID != "m-1" {
				t.Fatalf("got %v, want a *DecodeError for m-1", err)
			}
			if called {
				t.Errorf("handler called, want it not called")
			}
		})
	}
}

func decNop(context.Context, decOrder) error { return nil }

func TestSNSRawDeliveryDecodesWithTheDefaultDecoder(t *testing.T) {
	var got decOrder
	fn := batch.New(batch.SQS(), func(_ context.Context, v decOrder) error { got = v; return nil }, batch.Options{})
	err := recordErr(fn, sqsOne("m-1", `{"id":"raw","qty":5}`))
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

// sqsTyped returns a function that runs an SQS message with body through a
// Function whose handler takes a T and succeeds, and returns the message's
// error.
func sqsTyped[T any]() func(body string) error {
	fn := batch.New(batch.SQS(), func(context.Context, T) error { return nil }, batch.Options{})
	return func(body string) error { return recordErr(fn, sqsOne("m-1", body)) }
}

func TestValidateFoundOnValueAndPointerReceivers(t *testing.T) {
	cases := []struct {
		name        string
		run         func(body string) error
		wantInvalid bool
	}{
		{"value receiver", sqsTyped[decValueRecv](), true},
		{"pointer receiver", sqsTyped[decPtrRecv](), true},
		{"pointer type with pointer receiver", sqsTyped[*decPtrRecv](), true},
		{"pointer type with value receiver", sqsTyped[*decValueRecv](), true},
		{"no Validate method", sqsTyped[decNoCheck](), false},
		{"map payload", sqsTyped[map[string]int](), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(`{"N":1}`); err != nil {
				t.Fatalf("valid payload: got %v, want nil", err)
			}
			err := c.run(`{"N":-1}`)
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
	fn := batch.New(batch.SQS(), func(_ context.Context, o decOrder) error {
		handled = append(handled, o.ID)
		return nil
	}, batch.Options{})
	resp, rep := fn.Process(context.Background(), ev)
	if rep.Err != nil {
		t.Fatalf("got error %v, want nil", rep.Err)
	}
	if got, want := failedIDs(resp), []string{"m-2", "m-3", "m-4"}; !equalStrings(got, want) {
		t.Errorf("got failures %v, want %v", got, want)
	}
	if want := []string{"a", "e"}; !equalStrings(handled, want) {
		t.Errorf("got handled %v, want %v", handled, want)
	}
	wantKinds := []decKind{decOK, decBad, decInvalid, decNoPayload, decOK}
	if len(rep.Results) != len(wantKinds) {
		t.Fatalf("got %d results, want %d", len(rep.Results), len(wantKinds))
	}
	for i, want := range wantKinds {
		res := rep.Results[i]
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

func TestKafkaPayloadFailureReportsTopicPartitionAndOffset(t *testing.T) {
	good := base64.StdEncoding.EncodeToString([]byte(`{"id":"k","qty":1}`))
	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"orders-0": {
			{Topic: "orders", Partition: 0, Offset: 10, Value: good},
			{Topic: "orders", Partition: 0, Offset: 11, Value: "not base64!"},
			{Topic: "orders", Partition: 0, Offset: 12}, // tombstone
		},
	}}
	resp, err := batch.New(batch.Kafka(), decNop, batch.Options{}).Handle(context.Background(), ev)
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

// A handler of a decoded payload reads the record it came from with
// RecordFrom, as the WithRecord adapters of the old API passed it.
func TestRecordFromGivesTypedHandlersTheRawRecord(t *testing.T) {
	payload := `{"id":"o-1","qty":1}`
	sns, _ := json.Marshal(map[string]string{"Type": "Notification", "Message": payload})
	cases := []struct {
		name string
		call func() (gotID string, err error)
	}{
		{"SQS", func() (id string, err error) {
			fn := batch.New(batch.SQS(), func(ctx context.Context, _ decOrder) error {
				id = sqsFrom(ctx).MessageId
				return nil
			}, batch.Options{})
			err = recordErr(fn, sqsOne("want", payload))
			return
		}},
		{"SQS with SNS", func() (id string, err error) {
			fn := batch.New(batch.SQS().Decode(batch.SNS), func(ctx context.Context, _ decOrder) error {
				id = sqsFrom(ctx).MessageId
				return nil
			}, batch.Options{})
			err = recordErr(fn, sqsOne("want", string(sns)))
			return
		}},
		{"SQS with EventBridge", func() (id string, err error) {
			fn := batch.New(batch.SQS().Decode(batch.EventBridge), func(ctx context.Context, _ decOrder) error {
				id = sqsFrom(ctx).MessageId
				return nil
			}, batch.Options{})
			err = recordErr(fn, sqsOne("want", `{"detail":`+payload+`}`))
			return
		}},
		{"Kinesis", func() (id string, err error) {
			fn := batch.New(batch.Kinesis(), func(ctx context.Context, _ decOrder) error {
				r, _ := batch.RecordFrom(ctx)
				id = r.Value.(*events.KinesisEventRecord).Kinesis.PartitionKey
				return nil
			}, batch.Options{})
			ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
				{Kinesis: events.KinesisRecord{PartitionKey: "want", Data: []byte(payload)}},
			}}
			err = recordErr(fn, ev)
			return
		}},
		{"Kafka", func() (id string, err error) {
			fn := batch.New(batch.Kafka(), func(ctx context.Context, _ decOrder) error {
				r, _ := batch.RecordFrom(ctx)
				id = r.Value.(*events.KafkaRecord).Key
				return nil
			}, batch.Options{})
			err = recordErr(fn, kafkaOne(events.KafkaRecord{Key: "want", Value: b64Value(payload)}))
			return
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.call()
			if err != nil || got != "want" {
				t.Errorf("got %q, %v, want %q, nil", got, err, "want")
			}
		})
	}
}

// sqsFrom returns the SQS message whose handler received ctx, or an empty
// one when ctx does not come from a Function.
func sqsFrom(ctx context.Context) *events.SQSMessage {
	r, ok := batch.RecordFrom(ctx)
	if !ok {
		return &events.SQSMessage{}
	}
	return r.Value.(*events.SQSMessage)
}

func TestHandlerErrorIsNotADecodeError(t *testing.T) {
	errBoom := errors.New("boom")
	fn := batch.New(batch.SQS(), func(context.Context, decOrder) error { return errBoom }, batch.Options{})
	err := recordErr(fn, sqsOne("m-1", `{"id":"o","qty":1}`))
	var de *batch.DecodeError
	var ve *batch.ValidationError
	if err != errBoom || errors.As(err, &de) || errors.As(err, &ve) {
		t.Errorf("got %v, want the handler's error unchanged", err)
	}
}

// A nil handler is a mistake in the program: New panics when the function
// starts, instead of failing every record at every invocation as the old
// adapters did. So does a handler of a payload type for a source without a
// decoder.
func TestNewPanicsOnANilHandlerOrAMissingDecoder(t *testing.T) {
	cases := []struct {
		name string
		new  func()
	}{
		{"typed handler", func() {
			batch.New(batch.SQS(), (func(context.Context, decOrder) error)(nil), batch.Options{})
		}},
		{"record handler", func() {
			batch.New(batch.SQS(), (func(context.Context, events.SQSMessage) error)(nil), batch.Options{})
		}},
		{"SNS", func() {
			batch.New(batch.SQS().Decode(batch.SNS), (func(context.Context, decOrder) error)(nil), batch.Options{})
		}},
		{"EventBridge", func() {
			batch.New(batch.SQS().Decode(batch.EventBridge), (func(context.Context, decOrder) error)(nil), batch.Options{})
		}},
		{"DynamoDB without a decoder", func() {
			batch.New(batch.DynamoDB(), decNop, batch.Options{})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("New returned, want a panic")
				}
			}()
			c.new()
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
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestTypedFunctionSharedByConcurrentWorkers(t *testing.T) {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 200)}
	for i := range ev.Records {
		body := `{"id":"o-` + strconv.Itoa(i) + `","qty":` + strconv.Itoa(i%4) + `}` // qty 0 fails Validate
		ev.Records[i] = events.SQSMessage{MessageId: "m-" + strconv.Itoa(i), Body: body}
	}
	fn := batch.New(batch.SQS(), func(_ context.Context, o decOrder) error {
		if o.Qty == 3 {
			return errors.New("handler failure")
		}
		return nil
	}, batch.Options{Concurrency: 8})
	for run := 0; run < 3; run++ {
		resp, err := fn.Handle(context.Background(), ev)
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
	paths := []struct {
		name string
		fn   *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse]
	}{
		{"encoding/json", batch.New(batch.SQS(), func(context.Context, map[string]any) error { return nil }, batch.Options{})},
		{"self-decoding", batch.New(batch.SQS(), func(context.Context, json.RawMessage) error { return nil }, batch.Options{})},
	}
	for _, tt := range tests {
		for _, path := range paths {
			t.Run(fmt.Sprintf("%s/%q", path.name, tt.body), func(t *testing.T) {
				_, rep := path.fn.Process(context.Background(), sqsEvent(tt.body))
				err := rep.Results[0].Err
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
// must not be handed a payload that is not JSON: the Function checks
// validity as json.Unmarshal does before calling the type's method.
func TestRawMessagePayloadMustBeJSON(t *testing.T) {
	ev := sqsEvent(`{"a": 1}`, `not json`, `{"a":`, `[1,2] 3`, " \"s\" ")
	var got []string
	fn := batch.New(batch.SQS(), func(_ context.Context, v json.RawMessage) error {
		got = append(got, string(v))
		return nil
	}, batch.Options{})
	_, rep := fn.Process(context.Background(), ev)
	if want := []string{`{"a": 1}`, `"s"`}; !equalStrings(got, want) {
		t.Fatalf("handler got %q, want %q", got, want)
	}
	for _, i := range []int{1, 2, 3} {
		var de *batch.DecodeError
		if r := rep.Results[i]; r.Outcome != batch.Failed || !errors.As(r.Err, &de) {
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
	_, err := batch.New(batch.SQS(), decNop, batch.Options{}).Handle(context.Background(), ev)
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

// The middleware chain runs around the decoding: a payload that does not
// decode or validate reaches every middleware as the record's error, which
// a middleware may inspect, or replace (here, to let tombstones through).
func TestMiddlewareSeesDecodeAndValidationErrors(t *testing.T) {
	var seen []string
	observe := func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, r batch.Record) error {
			err := next(ctx, r)
			seen = append(seen, r.ID+": "+classify(err).String())
			if errors.Is(err, batch.ErrNoPayload) {
				return nil
			}
			return err
		}
	}
	ev := sqsEvent(`{"id":"a","qty":1}`, `{"id":`, `{"id":"c","qty":0}`, ``)
	fn := batch.New(batch.SQS(), decNop, batch.Options{Middleware: []batch.Middleware{observe}})
	resp, err := fn.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	want := []string{"m0: ok", "m1: decode error", "m2: validation error", "m3: no payload"}
	if !equalStrings(seen, want) {
		t.Errorf("middleware saw %q, want %q", seen, want)
	}
	if got, want := failedIDs(resp), []string{"m1", "m2"}; !equalStrings(got, want) {
		t.Errorf("got failures %v, want %v", got, want)
	}
}

// A decoder may return the same *DecodeError for every record; the
// Function fills in each record's identifier on a copy, so records do not
// share it (and, with concurrency, do not race on it).
func TestSharedDecodeErrorIsCopied(t *testing.T) {
	shared := &batch.DecodeError{Part: "body.proto", Err: errors.New("bad")}
	fn := batch.New(batch.SQS().Decode(func(events.SQSMessage, any) error { return shared }),
		func(context.Context, decOrder) error { return nil }, batch.Options{NoBatchError: true, Concurrency: -1})
	bodies := make([]string, 64)
	_, rep := fn.Process(context.Background(), sqsEvent(bodies...))
	for i, r := range rep.Results {
		var de *batch.DecodeError
		if !errors.As(r.Err, &de) {
			t.Fatalf("record %d: got %v, want a *DecodeError", i, r.Err)
		}
		if de.ID != fmt.Sprintf("m%d", i) || de.Part != "body.proto" {
			t.Fatalf("record %d: got a *DecodeError of %s naming %q, want body.proto naming m%d", i, de.Part, de.ID, i)
		}
	}
	if shared.ID != "" {
		t.Fatalf("the decoder's error was changed: ID %q", shared.ID)
	}
}
