package batch

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// The event decoder of Invoke (internal/eventjson) reads the fields of the
// aws-lambda-go event types it was written against. A program may build
// with a newer aws-lambda-go than this module requires (minimal version
// selection picks the highest version any of its modules requires), whose
// types may have fields the decoder does not know: they would be left
// empty, silently. So each source compares, once per process when it is
// first built, the JSON fields of its event type (found by reflection)
// with those the decoder reads, and if the type has more, its Invoke
// decodes with encoding/json, as lambda.Start would: slower, but nothing
// is lost.

// decodeFunc decodes the payload of an invocation into an event E, with
// the records the lenient decoders could not decode completely.
type decodeFunc[E any] func(payload []byte) (E, []*eventjson.FieldError, error)

// The fields of each event type that the decoder does not read, found once
// per process, at the first use of the source.
var (
	sqsUnknown      = unknownFields[events.SQSEvent]()
	kinesisUnknown  = unknownFields[events.KinesisEvent]()
	dynamodbUnknown = unknownFields[events.DynamoDBEvent]()
	kafkaUnknown    = unknownFields[events.KafkaEvent]()
)

func unknownFields[E any]() func() []string {
	return sync.OnceValue(func() []string {
		return eventjson.Unknown(reflect.TypeOf((*E)(nil)).Elem())
	})
}

// eventDecoder returns fast, the decoder written for events of type E,
// when unknown is empty: it then reads every field of E. Otherwise it
// returns the decoding of E by encoding/json, which fills the fields fast
// does not know; a record-level problem (invalid base64 in Kinesis data, a
// bad DynamoDB attribute value) then fails the whole event, as it does
// with lambda.Start, instead of its record alone.
func eventDecoder[E any](unknown []string, fast decodeFunc[E]) decodeFunc[E] {
	if len(unknown) == 0 {
		return fast
	}
	return decodeEventStd[E]
}

// rawDecodeFunc decodes an event as a decodeFunc does and also returns the
// JSON of each record, the slice of the payload it was decoded from.
type rawDecodeFunc[E any] func(payload []byte) (E, [][]byte, []*eventjson.FieldError, error)

// rawDecoder returns fast when unknown is empty, nil otherwise: the
// records' JSON is known only to the library's decoder, and when that
// decoder does not know every field of E, encoding/json decodes E (see
// eventDecoder) and the decoders of Source.DecodeJSON get no JSON.
func rawDecoder[E any](unknown []string, fast rawDecodeFunc[E]) rawDecodeFunc[E] {
	if len(unknown) == 0 {
		return fast
	}
	return nil
}

// decodeEventStd decodes an event with encoding/json.
func decodeEventStd[E any](payload []byte) (ev E, _ []*eventjson.FieldError, err error) {
	defer func() {
		// aws-lambda-go's DynamoDB attribute decoding panics on some
		// malformed binary sets; the decoder must fail instead.
		if p := recover(); p != nil {
			var zero E
			ev, err = zero, fmt.Errorf("encoding/json: %v", p)
		}
	}()
	err = json.Unmarshal(payload, &ev)
	return ev, nil, err
}
