package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// This file holds the decoding of typed payloads: the step between a record
// and a handler of another type T (see New), the default decoders of the
// sources, and the envelopes SNS and EventBridge.

// ErrNoPayload marks a record whose payload is empty or the JSON literal
// null: an empty SQS body, a Kafka tombstone, an EventBridge event whose
// detail is null. Such a record fails with a [*DecodeError] wrapping it, so a
// [Middleware] that wants to let them through can test for it with
// [errors.Is] and return nil.
var ErrNoPayload = errors.New("no payload")

var (
	errEmptyPayload = fmt.Errorf("%w (empty)", ErrNoPayload)
	errNullPayload  = fmt.Errorf("%w (JSON null)", ErrNoPayload)
)

// DecodeError is the error of a record whose payload could not be turned into
// the handler's type: the payload is missing, not valid JSON or base64, of the
// wrong JSON type, or not in the envelope the decoder expects; or, on the
// [Function.Invoke] path, a field of the record itself could not be decoded
// (invalid base64 in Kinesis data, say). The handler is not called. It is the
// record's error in the [Report], and is wrapped by the record's
// [*RecordError] in a [BatchError], so [errors.As] finds it in both. A
// decoder given to [Source.Decode] may return one to name the part itself;
// any other error it returns is wrapped in one.
type DecodeError struct {
	ID   string // identifier of the record (Kafka: "<topic>-<partition>@<offset>")
	Part string // what was decoded: "body", "body.Message", "body.detail", "data", "data.detail", "value", "payload", dynamodbav's "NewImage" or "OldImage", a field such as "kinesis.data"
	Err  error  // the cause: an encoding/json error, a base64 error, ErrNoPayload, …
}

// Error names the part that could not be decoded, then the cause; the
// record is named by the [*RecordError] or [Result] that carries the error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("cannot decode %s: %v", e.Part, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// ValidationError is the error of a record whose payload decoded, but whose
// Validate method returned an error. The handler is not called.
type ValidationError struct {
	ID  string // identifier of the record, as in [DecodeError]
	Err error  // the error returned by Validate
}

// Error gives the error returned by Validate; the record is named by the
// [*RecordError] or [Result] that carries the error.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid payload: %v", e.Err)
}

// Unwrap returns the error returned by Validate.
func (e *ValidationError) Unwrap() error { return e.Err }

// typedFunc returns what the engine calls for a record, at the end of the
// middleware chain: h itself when it takes the source's records, otherwise
// the decoding of the record's payload into a T, its validation, and h.
// For a source's default JSON payload, the JSON decoder of T is picked
// here, once (see jsonDecoder); std asks for encoding/json. Panics are
// recovered here, innermost, so that middleware sees them as a
// *PanicError.
func typedFunc[E, R, Resp, T any](src Source[E, R, Resp], h func(context.Context, T) error, std bool) recordFunc[R] {
	if raw, ok := any(h).(func(context.Context, R) error); ok {
		return recovering(func(ctx context.Context, _ int, rec *R) error { return raw(ctx, *rec) })
	}
	var decode func(ctx context.Context, i int, rec *R, v *T) error
	switch {
	case src.jsonBytes != nil:
		payload, dec := src.jsonBytes, jsonDecoder[T](std, src.jsonView)
		decode = func(_ context.Context, _ int, rec *R, v *T) error {
			data, err := payload(rec)
			if err != nil {
				return err
			}
			return dec(data, v)
		}
	case src.payload != nil:
		payload := src.payload
		decode = func(_ context.Context, _ int, rec *R, v *T) error { return payload(rec, v) }
	case src.payloadJSON != nil:
		payload := src.payloadJSON
		decode = func(ctx context.Context, i int, rec *R, v *T) error {
			if r, ok := runOf[R](ctx); ok && r.raw != nil {
				own, raw := r.forDecoder(i)
				return payload(own, raw, v) // by value: a copy on the stack
			}
			return payload(*rec, nil, v)
		}
	default:
		var zero T
		panic(fmt.Sprintf("batch: New: %s records have no default decoder for a handler of %T; give one with Source.Decode", src.name, zero))
	}
	part, id := src.part, src.id
	validate := validator[T]()
	return recovering(func(ctx context.Context, i int, rec *R) error {
		var v T
		if err := decode(ctx, i, rec, &v); err != nil {
			return decodeError(err, part, id, rec)
		}
		if validate != nil {
			if err := validate(&v); err != nil {
				ve := &ValidationError{Err: err}
				if id != nil {
					ve.ID = id(rec)
				}
				return ve
			}
		}
		return h(ctx, v)
	})
}

// decodeError makes err a *DecodeError of rec, keeping the part of one the
// decoder returned. The decoder's own error is copied, not changed: it may
// be a value the decoder shares between records.
func decodeError[R any](err error, part string, id func(*R) string, rec *R) error {
	if own, ok := err.(*DecodeError); ok && own != nil {
		de := *own
		if de.ID == "" && id != nil {
			de.ID = id(rec)
		}
		return &de
	}
	de := &DecodeError{Part: part, Err: err}
	if id != nil {
		de.ID = id(rec)
	}
	return de
}

// jsonDecoder returns the function that decodes a JSON payload into a *T,
// decided once per Function. An empty payload and the literal null fail
// with ErrNoPayload (encoding/json would leave the value zero). Then:
//
//   - with std (Options.StdJSON), or for a type the library's decoder
//     leaves to encoding/json (eventjson.Compile lists them), json.Unmarshal;
//   - for a type that decodes itself (*T implements json.Unmarshaler, as
//     json.RawMessage and code generated by easyjson and the like do), its
//     UnmarshalJSON, given the payload once it is known to be one valid
//     JSON value, as json.Unmarshal checks it;
//   - for any other type, the library's decoder (internal/eventjson's Plan),
//     which gives the values encoding/json gives, several times faster.
//     When it fails, json.Unmarshal decodes the payload again, into a zero
//     T, so that the error is encoding/json's own, and the value too should
//     the two ever disagree.
//
// With view, data is a view of a string (see Source.jsonView): the
// library's decoder reads it as it is, which saves a copy of every SQS
// body; encoding/json and UnmarshalJSON methods, which could write to it
// or keep it, get a copy.
func jsonDecoder[T any](std, view bool) func(data []byte, v *T) error {
	stdDecode := func(data []byte, v *T) error { return decodeStd(data, v) }
	if view {
		stdDecode = func(data []byte, v *T) error { return decodeStd(bytes.Clone(data), v) }
	}
	if std {
		return stdDecode
	}
	if _, ok := any((*T)(nil)).(json.Unmarshaler); ok {
		return stdDecode
	}
	plan, err := eventjson.PlanFor(reflect.TypeOf((*T)(nil)).Elem())
	if err != nil {
		return stdDecode
	}
	return func(data []byte, v *T) error {
		if err := checkPresent(data); err != nil {
			return err
		}
		if plan.Decode(data, v) == nil {
			return nil
		}
		var zero T
		*v = zero
		if view {
			data = bytes.Clone(data)
		}
		return json.Unmarshal(data, v)
	}
}

// decodeStd decodes a JSON payload into v, a pointer, with encoding/json:
// an empty payload and the literal null fail with ErrNoPayload. A type that
// decodes itself gets the payload once it is known to be one valid JSON
// value, as json.Unmarshal checks it, without encoding/json's reflection;
// the check is the event decoder's scanner, since a type such as
// json.RawMessage accepts any bytes.
func decodeStd(data []byte, v any) error {
	if err := checkPresent(data); err != nil {
		return err
	}
	if u, ok := v.(json.Unmarshaler); ok {
		if err := eventjson.Validate(data); err != nil {
			return err
		}
		return u.UnmarshalJSON(eventjson.TrimSpace(data))
	}
	return json.Unmarshal(data, v)
}

// decodeJSON decodes a JSON payload into v, a *T of a type known only at
// run time (the payload of an SNS notification or EventBridge event), as
// jsonDecoder's default does: ErrNoPayload for an absent payload, the
// type's own UnmarshalJSON, or unmarshal.
func decodeJSON(data []byte, v any) error {
	if err := checkPresent(data); err != nil {
		return err
	}
	if _, ok := v.(json.Unmarshaler); ok {
		return decodeStd(data, v)
	}
	return unmarshal(data, v)
}

// unmarshal is json.Unmarshal with the library's decoder: the Plan of v's
// type (compiled on first use, and cached) decodes data when the type has
// one; when it has none, or the Plan fails, json.Unmarshal decodes data
// into a zero value, and its result stands.
func unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return json.Unmarshal(data, v) // its InvalidUnmarshalError
	}
	if plan, err := eventjson.PlanFor(rv.Type().Elem()); err == nil {
		if plan.Decode(data, v) == nil {
			return nil
		}
		rv.Elem().SetZero()
	}
	return json.Unmarshal(data, v)
}

// checkPresent rejects an empty payload and the JSON literal null, which
// encoding/json would accept as a zero value. White space is JSON's (space,
// tab, line feed, carriage return): a payload of other characters around
// null is not JSON, and fails to decode instead.
func checkPresent(data []byte) error {
	s := eventjson.TrimSpace(data)
	switch {
	case len(s) == 0:
		return errEmptyPayload
	case string(s) == "null":
		return errNullPayload
	}
	return nil
}

// validator returns the function that validates a decoded *T, or nil when
// neither T nor *T has a method Validate() error. It is decided once per
// Function, so records of a type without Validate pay nothing.
func validator[T any]() func(*T) error {
	type validating interface{ Validate() error }
	var zero T
	if _, ok := any(&zero).(validating); ok { // methods of T or *T
		return func(v *T) error { return any(v).(validating).Validate() }
	}
	if _, ok := any(zero).(validating); ok { // T is a pointer type whose target has Validate
		return func(v *T) error { return any(*v).(validating).Validate() }
	}
	return nil
}

// SNS decodes the payload of an SQS message that carries an SNS
// notification (an SNS topic subscribed by the queue, raw message delivery
// off): the body is the SNS envelope, and the notification's Message, a
// string, is decoded as JSON into v. Give it to [Source.Decode]:
//
//	fn := batch.New(batch.SQS().Decode(batch.SNS), handle, batch.Options{})
//
// A body that is not an SNS notification (no Message field, or a Type
// other than "Notification") fails the message with a [*DecodeError], as
// does a Message that does not decode. With raw message delivery on, the
// body is the published message itself: keep the source's default. To
// read the envelope (Subject, MessageAttributes, TopicArn), let the
// default decoder fill an [events.SNSEntity] or a struct of your own.
func SNS(m events.SQSMessage, v any) error {
	var env struct {
		Type    string  `json:"Type"`
		Message *string `json:"Message"`
	}
	body := []byte(m.Body)
	if err := checkPresent(body); err != nil {
		return &DecodeError{Part: "body", Err: err}
	}
	if err := unmarshal(body, &env); err != nil {
		return &DecodeError{Part: "body", Err: fmt.Errorf("SNS envelope: %w", err)}
	}
	if env.Type != "" && env.Type != "Notification" {
		return &DecodeError{Part: "body", Err: fmt.Errorf("SNS message of type %q, want Notification", env.Type)}
	}
	if env.Message == nil {
		return &DecodeError{Part: "body", Err: errors.New("not an SNS notification: no Message field (with raw message delivery, keep the default decoder)")}
	}
	if err := decodeJSON([]byte(*env.Message), v); err != nil {
		return &DecodeError{Part: "body.Message", Err: err}
	}
	return nil
}

// EventBridge decodes the payload of a record that carries an EventBridge
// event, delivered by a rule whose target is an SQS queue (the message
// body) or a Kinesis stream (the record's data): the event's detail is
// decoded as JSON into v. Give it to [Source.Decode]:
//
//	fn := batch.New(batch.SQS().Decode(batch.EventBridge), handle, batch.Options{})
//
// A payload without a detail field fails its record with a
// [*DecodeError], as does a detail that does not decode, and a record of
// another source. To read the rest of the event (source, detail-type,
// time), let the default decoder fill a struct of your own whose Detail
// field has type T and tag `json:"detail"`.
func EventBridge[R any](rec R, v any) error {
	var body []byte
	part := ""
	switch r := any(rec).(type) {
	case events.SQSMessage:
		body, part = []byte(r.Body), "body"
	case events.KinesisEventRecord:
		body, part = r.Kinesis.Data, "data"
	default:
		return &DecodeError{Part: "payload", Err: fmt.Errorf("EventBridge delivers to SQS and Kinesis, not in a %T", rec)}
	}
	if err := checkPresent(body); err != nil {
		return &DecodeError{Part: part, Err: err}
	}
	var env struct {
		Detail json.RawMessage `json:"detail"`
	}
	if err := unmarshal(body, &env); err != nil {
		return &DecodeError{Part: part, Err: fmt.Errorf("EventBridge event: %w", err)}
	}
	if env.Detail == nil {
		return &DecodeError{Part: part, Err: errors.New("not an EventBridge event: no detail field")}
	}
	if err := decodeJSON(env.Detail, v); err != nil {
		return &DecodeError{Part: part + ".detail", Err: err}
	}
	return nil
}
