package batch

import (
	"encoding/json"
	"fmt"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// Source describes one kind of event to [New]: how to take the records out
// of an event of type E and identify them, which of them must stay in
// order, where a record's payload is and how to decode it into a handler's
// type, and how to build the response Resp that Lambda expects. Build one
// with [SQS], [Kinesis], [DynamoDB], [Kafka] or, for records of your own,
// [Records]; adjust it with [Source.Decode]. A Source is a plain value:
// its methods return a changed copy.
type Source[E, R, Resp any] struct {
	name    string   // for errors: "SQS", "Kinesis", …
	origins []string // accepted eventSource values; nil: not checked
	custom  bool     // Records: an empty event is fine, no eventSource

	records func(E) []R
	origin  func(E, int) string // eventSource of record i
	id      func(*R) string
	key     func(*R) string // ordering key; nil: none
	ordered bool            // records of one key stay in order (streams)
	fifo    func([]R) bool  // whether a batch is a FIFO queue's

	respond func(records []R, failed []int) Resp
	encode  func(dst []byte, records []R, failed []int) []byte
	decode  decodeFunc[E]

	// decodeRaw decodes an event as decode does and also gives each
	// record's JSON, for a decoder of DecodeJSON; nil where the source
	// cannot (Kafka, Records, an event decoded by encoding/json). It may
	// leave out of the records what such a decoder reads from their JSON
	// (DynamoDB Streams: the images); complete then builds it into a
	// record from its JSON, for whoever else sees the record.
	decodeRaw rawDecodeFunc[E]
	complete  func(rec *R, raw []byte)

	// The payload of a record, for a handler of another type T: either
	// jsonBytes, the source's default, which gives the bytes of a JSON
	// payload that New pairs with the JSON decoder it picks for T, or
	// payload, a decoder given to Decode, which decodes into v, a *T.
	// Neither: the source has no default. part names the payload in a
	// DecodeError.
	jsonBytes func(rec *R) ([]byte, error)
	// jsonView: the bytes jsonBytes gives are a view of a string (an SQS
	// body), to be read only, and not kept; they are copied before any
	// code but the library's decoder sees them.
	jsonView bool
	payload  func(rec *R, v any) error
	part     string

	// payloadJSON is a decoder given to DecodeJSON: payload, that also
	// receives the record's JSON (nil when it is not at hand).
	payloadJSON func(rec R, raw []byte, v any) error
}

// Decode returns a copy of s whose records are decoded into a handler's
// payload type by dec instead of the source's default (the JSON body of an
// SQS message, the JSON data of a Kinesis record, the JSON value of a Kafka
// record; DynamoDB Streams has none). dec receives the record and a *T to
// fill; an error fails the record with a [*DecodeError] wrapping it, and
// the handler is not called. The package's own decoders are [SNS] and
// [EventBridge]; any function of that shape will do, for protobuf, Avro
// or a format of your own (those of DynamoDB images, in dynamodbav, also
// read the record's JSON: give them to [Source.DecodeJSON]):
//
//	src := batch.SQS().Decode(batch.SNS)
//	src := batch.Kinesis().Decode(batch.EventBridge)
//
// Validation stays with the engine: after dec succeeds, a Validate() error
// method of T or *T is called as for the default decoder. A nil dec
// removes the decoder, default included: only handlers of the record type
// can then be given to [New].
func (s Source[E, R, Resp]) Decode(dec func(rec R, v any) error) Source[E, R, Resp] {
	s.jsonBytes, s.jsonView, s.payloadJSON = nil, false, nil
	if dec == nil {
		s.payload, s.part = nil, ""
		return s
	}
	s.payload = func(rec *R, v any) error { return dec(*rec, v) }
	s.part = "payload"
	return s
}

// DecodeJSON is [Source.Decode] for a decoder that also reads the record
// as the event's JSON carries it: raw is the record's JSON object (the
// element of the event's Records), a slice of the invocation's payload that
// is valid during the call only, so copy what you keep. raw is nil where
// that JSON is not at hand: in [Function.Handle] and [Function.Process],
// which receive a decoded event, for [Kafka] and [Records] sources, and
// when [Function.Invoke] decodes the event with encoding/json (see there);
// the decoder must then read rec.
//
// With raw, [Function.Invoke] leaves out of rec what such a decoder reads
// from the JSON instead, so as not to build it twice: for [DynamoDB], the
// images (rec.Change.NewImage and OldImage are nil; dynamodbav's decoders
// read them from raw). Everything else that sees the record sees it
// whole, built from its JSON when first asked for: [RecordFrom],
// [Options.Divert] and [Options.Retry], and the request hook of
// lambda/handlertrace. A [Middleware] receives every record before its
// decoder does, and whole, so a Function with middleware (or with a
// handler of the record type) decodes events as with Decode, and raw is
// nil: building each record again from its JSON would cost more than the
// decoder saves.
// Images left out are not checked until they are built: an invalid
// attribute value in an image the decoder does not read fails no record.
//
// A nil dec removes the decoder, as with Decode.
func (s Source[E, R, Resp]) DecodeJSON(dec func(rec R, raw []byte, v any) error) Source[E, R, Resp] {
	s = s.Decode(nil)
	if dec == nil {
		return s
	}
	s.payloadJSON = dec
	s.part = "payload"
	return s
}

// Records is the Source of a batch of records of your own type R, for
// [Function.Process] (and Handle) rather than for a Lambda event source:
// id gives the identifier of a record (a failed record without one is an
// [ErrNoIdentifier] error), key its ordering key, or nil when records are
// independent. Records with the same non-empty key are handled one at a
// time, in order; [Options.SkipGroupOnError] and
// [Options.StopOnFirstFailure] apply as for a stream. The response is the
// list of identifiers of the records that did not succeed, never nil.
//
// Records has no payload decoder: use [Source.Decode] for a handler of
// another type than R. Its Invoke method reads a JSON array of R with
// encoding/json and writes the response as a JSON array of strings.
func Records[R any](id func(R) string, key func(R) string) Source[[]R, R, []string] {
	s := Source[[]R, R, []string]{
		name:    fmt.Sprintf("%T", []R(nil)),
		custom:  true,
		records: func(rs []R) []R { return rs },
		ordered: key != nil,
		respond: func(records []R, failed []int) []string {
			out := make([]string, 0, len(failed))
			for _, i := range failed {
				if id != nil {
					out = append(out, id(records[i]))
				}
			}
			return out
		},
		decode: func(payload []byte) ([]R, []*eventjson.FieldError, error) {
			var rs []R
			err := json.Unmarshal(payload, &rs)
			return rs, nil, err
		},
	}
	if id != nil {
		s.id = func(r *R) string { return id(*r) }
	}
	if key != nil {
		s.key = func(r *R) string { return key(*r) }
	}
	s.encode = func(dst []byte, records []R, failed []int) []byte {
		b, _ := json.Marshal(s.respond(records, failed))
		return append(dst, b...)
	}
	return s
}
