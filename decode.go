package batch

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// This file holds the typed-payload adapters: each turns a handler of a
// decoded value T into a [Handler] of the raw record. One generic function,
// typed, does the work for every source; the exported functions only say
// where the payload sits in the record.

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
// wrong JSON type, or not in the envelope the adapter expects. The handler is
// not called. It is the record's error in the [Report], and is wrapped by the
// record's [*RecordError] in a [BatchError], so [errors.As] finds it in both.
type DecodeError struct {
	ID   string // identifier of the record, as its Source's ID gives it (Kafka: "<topic>-<partition>@<offset>")
	Part string // what was decoded: "body", "body.Message", "body.detail", "data", "value", "NewImage", "OldImage"
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

// SQSJSON returns a handler of SQS messages that decodes each message body as
// JSON into a T and calls h with it. Pass it to [Processor.SQS]:
//
//	resp, err := proc.SQS(ctx, ev, batch.SQSJSON(func(ctx context.Context, o Order) error {
//		return ship(ctx, o)
//	}))
//
// A body that is empty, null, not JSON, or of the wrong JSON type for T fails
// its message with a [*DecodeError]; h is not called. If T or *T has a method
// Validate() error, it is called after decoding, and an error fails the
// message with a [*ValidationError]. Unknown object fields are ignored, as
// [encoding/json] does. A T whose pointer implements [json.Unmarshaler]
// (generated decoders such as easyjson's) is decoded by that method once
// the payload is known to be valid JSON, without encoding/json's
// reflection; every adapter does the same.
//
// It also decodes the body of an SNS notification delivered to the queue with
// raw message delivery turned on, since the body is then the message itself;
// without raw delivery, use [SNSJSON].
func SQSJSON[T any](h func(ctx context.Context, v T) error) Handler[events.SQSMessage] {
	return SQSJSONWithRecord(dropRecord[events.SQSMessage](h))
}

// SQSJSONWithRecord is [SQSJSON] for a handler that also needs the message
// itself: its attributes, message attributes or receipt handle.
func SQSJSONWithRecord[T any](h func(ctx context.Context, v T, m events.SQSMessage) error) Handler[events.SQSMessage] {
	return typed(sqsID, "body", sqsBody, h)
}

// SNSJSON returns a handler of SQS messages that carry an SNS notification
// (an SNS topic subscribed by the queue, raw message delivery off): the body
// is the SNS envelope, and the notification's Message, a string, is decoded
// as JSON into a T. Decoding and validation fail a message as with
// [SQSJSON]; so does a body that is not an SNS notification (no Message
// field, or a Type other than "Notification").
//
// With raw message delivery on, the body is the published message itself:
// use [SQSJSON]. To read the envelope (Subject, MessageAttributes,
// TopicArn), use [SQSJSON] with [events.SNSEntity] or a struct of your own.
func SNSJSON[T any](h func(ctx context.Context, v T) error) Handler[events.SQSMessage] {
	return SNSJSONWithRecord(dropRecord[events.SQSMessage](h))
}

// SNSJSONWithRecord is [SNSJSON] for a handler that also needs the SQS
// message.
func SNSJSONWithRecord[T any](h func(ctx context.Context, v T, m events.SQSMessage) error) Handler[events.SQSMessage] {
	return typed(sqsID, "body.Message", snsMessage, h)
}

// EventBridgeJSON returns a handler of SQS messages that carry an EventBridge
// event (a rule whose target is the queue): the body is the event, and its
// detail is decoded as JSON into a T. Decoding and validation fail a message
// as with [SQSJSON]; so does a body without a detail field.
//
// To read the rest of the event (source, detail-type, time), decode the whole
// body with [SQSJSON] into a struct of your own whose Detail field has type T
// and tag `json:"detail"`.
func EventBridgeJSON[T any](h func(ctx context.Context, v T) error) Handler[events.SQSMessage] {
	return EventBridgeJSONWithRecord(dropRecord[events.SQSMessage](h))
}

// EventBridgeJSONWithRecord is [EventBridgeJSON] for a handler that also
// needs the SQS message.
func EventBridgeJSONWithRecord[T any](h func(ctx context.Context, v T, m events.SQSMessage) error) Handler[events.SQSMessage] {
	return typed(sqsID, "body.detail", eventBridgeDetail, h)
}

// KinesisJSON returns a handler of Kinesis records that decodes each record's
// data as JSON into a T and calls h with it. aws-lambda-go has already
// decoded the base64 of the event into [events.KinesisRecord.Data]. Decoding
// and validation fail a record as with [SQSJSON].
func KinesisJSON[T any](h func(ctx context.Context, v T) error) Handler[events.KinesisEventRecord] {
	return KinesisJSONWithRecord(dropRecord[events.KinesisEventRecord](h))
}

// KinesisJSONWithRecord is [KinesisJSON] for a handler that also needs the
// record: its partition key, sequence number or arrival time.
func KinesisJSONWithRecord[T any](h func(ctx context.Context, v T, r events.KinesisEventRecord) error) Handler[events.KinesisEventRecord] {
	return typed(kinesisID, "data", kinesisData, h)
}

// KafkaJSON returns a handler of Kafka records that decodes each record's
// value (base64 in the event) as JSON into a T and calls h with it. Decoding
// and validation fail a record as with [SQSJSON]; a tombstone (a record
// without a value) fails with a [*DecodeError] wrapping [ErrNoPayload].
func KafkaJSON[T any](h func(ctx context.Context, v T) error) Handler[events.KafkaRecord] {
	return KafkaJSONWithRecord(dropRecord[events.KafkaRecord](h))
}

// KafkaJSONWithRecord is [KafkaJSON] for a handler that also needs the
// record: its key, headers (see [KafkaHeader]), offset or timestamp. Like the
// value, the key is base64 in the event; decode it with
// [base64.StdEncoding].
func KafkaJSONWithRecord[T any](h func(ctx context.Context, v T, r events.KafkaRecord) error) Handler[events.KafkaRecord] {
	return typed(KafkaSource(events.KafkaEvent{}).ID, "value", kafkaValue, h)
}

// KafkaHeader returns the value of the header named key of a Kafka record.
// Kafka allows a key to repeat; KafkaHeader then returns the last value, as
// the Java client's lastHeader does. ok is false when the record has no such
// header. The returned slice shares memory with the record.
func KafkaHeader(r events.KafkaRecord, key string) (value []byte, ok bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if v, ok := r.Headers[i][key]; ok {
			return []byte(v), true
		}
	}
	return nil, false
}

// dropRecord adapts a handler of the payload alone to the WithRecord form.
// A nil h stays nil, so that the engine fails every record as it does for
// any nil handler.
func dropRecord[R, T any](h func(ctx context.Context, v T) error) func(context.Context, T, R) error {
	if h == nil {
		return nil
	}
	return func(ctx context.Context, v T, _ R) error { return h(ctx, v) }
}

// typed is the adapter behind every exported one: it takes the payload of a
// record, decodes it into a T, validates it, and calls h. id names the record
// in errors, part names the payload.
func typed[R, T any](id func(R) string, part string, payload func(R) ([]byte, error), h func(context.Context, T, R) error) Handler[R] {
	if h == nil {
		return nil // the engine fails every record of a nil handler
	}
	validate := validator[T]()
	unmarshal := unmarshaler[T]()
	return func(ctx context.Context, rec R) error {
		data, err := payload(rec)
		if err == nil {
			err = checkPresent(data)
		}
		v := new(T)
		if err == nil {
			err = unmarshal(data, v)
		}
		if err != nil {
			return &DecodeError{ID: id(rec), Part: part, Err: err}
		}
		if validate != nil {
			if err := validate(v); err != nil {
				return &ValidationError{ID: id(rec), Err: err}
			}
		}
		return h(ctx, *v, rec)
	}
}

// unmarshaler returns the function that decodes a payload into a *T,
// decided once per adapter. When *T decodes itself (it implements
// json.Unmarshaler, as json.RawMessage and code generated by easyjson and
// the like do), the payload is checked to be one JSON value, as
// json.Unmarshal checks it, and then given to the type's method with the
// surrounding white space removed: this skips encoding/json's reflection
// but not its validity check, since a type such as json.RawMessage accepts
// any bytes. Any other T goes through [json.Unmarshal].
func unmarshaler[T any]() func(data []byte, v *T) error {
	var zero T
	if _, ok := any(&zero).(json.Unmarshaler); ok {
		return func(data []byte, v *T) error {
			if err := eventjson.Validate(data); err != nil {
				return err
			}
			return any(v).(json.Unmarshaler).UnmarshalJSON(eventjson.TrimSpace(data))
		}
	}
	return func(data []byte, v *T) error { return json.Unmarshal(data, v) }
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
// adapter, so records of a type without Validate pay nothing.
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

func sqsID(m events.SQSMessage) string { return m.MessageId }

func kinesisID(r events.KinesisEventRecord) string { return r.Kinesis.SequenceNumber }

func sqsBody(m events.SQSMessage) ([]byte, error) { return []byte(m.Body), nil }

func kinesisData(r events.KinesisEventRecord) ([]byte, error) { return r.Kinesis.Data, nil }

func kafkaValue(r events.KafkaRecord) ([]byte, error) {
	if r.Value == "" {
		return nil, nil
	}
	return base64.StdEncoding.DecodeString(r.Value)
}

// snsMessage extracts the Message of an SNS notification envelope.
func snsMessage(m events.SQSMessage) ([]byte, error) {
	var env struct {
		Type    string  `json:"Type"`
		Message *string `json:"Message"`
	}
	body := []byte(m.Body)
	if err := checkPresent(body); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("SNS envelope: %w", err)
	}
	if env.Type != "" && env.Type != "Notification" {
		return nil, fmt.Errorf("SNS message of type %q, want Notification", env.Type)
	}
	if env.Message == nil {
		return nil, errors.New("not an SNS notification: no Message field (with raw message delivery, use SQSJSON)")
	}
	return []byte(*env.Message), nil
}

// eventBridgeDetail extracts the detail of an EventBridge event.
func eventBridgeDetail(m events.SQSMessage) ([]byte, error) {
	var env struct {
		Detail json.RawMessage `json:"detail"`
	}
	body := []byte(m.Body)
	if err := checkPresent(body); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("EventBridge event: %w", err)
	}
	if env.Detail == nil {
		return nil, errors.New("not an EventBridge event: no detail field")
	}
	return env.Detail, nil
}
