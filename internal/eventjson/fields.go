package eventjson

import (
	"encoding"
	"encoding/json"
	"reflect"

	"github.com/aws/aws-lambda-go/events"
)

// The decoders read the fields of the aws-lambda-go event types they were
// written against, listed by name in the …Fields variables of each source's
// file. A program may build with a newer aws-lambda-go than this module
// requires (minimal version selection picks the highest version any module
// of the program requires), whose types may have fields the decoders do not
// know: they would be left empty, silently. Unknown tells which, so that the
// caller can decode with encoding/json instead; the tests hold the lists to
// the types of the version in go.mod (TestDecodersReadEveryField,
// TestNoUnknownFields).

// knownFields maps each struct type the decoders fill field by field to the
// JSON names of the fields they read.
func knownFields() map[reflect.Type][]string {
	return map[reflect.Type][]string{
		reflect.TypeOf(events.SQSEvent{}):             recordsFields,
		reflect.TypeOf(events.SQSMessage{}):           sqsMessageFields,
		reflect.TypeOf(events.SQSMessageAttribute{}):  sqsAttributeFields,
		reflect.TypeOf(events.KinesisEvent{}):         recordsFields,
		reflect.TypeOf(events.KinesisEventRecord{}):   kinesisRecordFields,
		reflect.TypeOf(events.KinesisRecord{}):        kinesisDataFields,
		reflect.TypeOf(events.DynamoDBEvent{}):        recordsFields,
		reflect.TypeOf(events.DynamoDBEventRecord{}):  dynamoRecordFields,
		reflect.TypeOf(events.DynamoDBStreamRecord{}): dynamoStreamFields,
		reflect.TypeOf(events.DynamoDBUserIdentity{}): dynamoIdentityFields,
		reflect.TypeOf(events.KafkaEvent{}):           kafkaEventFields,
		reflect.TypeOf(events.KafkaRecord{}):          kafkaRecordFields,
	}
}

// wholeTypes are the types the decoders decode as a whole, the way their
// UnmarshalJSON methods do (secondsInto, millisInto, attr, signedBytes):
// their fields are not walked.
func wholeTypes() map[reflect.Type]bool {
	return map[reflect.Type]bool{
		reflect.TypeOf(events.SecondsEpochTime{}):       true,
		reflect.TypeOf(events.MilliSecondsEpochTime{}):  true,
		reflect.TypeOf(events.DynamoDBAttributeValue{}): true,
		reflect.TypeOf(events.JSONNumberBytes{}):        true,
	}
}

// Unknown returns what json.Unmarshal would fill in a value of t, one of
// the event types the decoders decode (events.SQSEvent, KinesisEvent,
// DynamoDBEvent, KafkaEvent), that the decoders would not: a field they do
// not read, as "events.SQSMessage.newField" (the Go type and the JSON
// name), or a type they do not know, or one that has gained a method
// UnmarshalJSON. It returns nil when they read all of it, as they do for
// the aws-lambda-go version this module requires.
func Unknown(t reflect.Type) []string {
	return unknown(t, knownFields())
}

// unknown is Unknown with the table of known fields as a parameter, for the
// tests to take names out of.
func unknown(t reflect.Type, known map[reflect.Type][]string) []string {
	var (
		out   []string
		whole = wholeTypes()
		seen  = map[reflect.Type]bool{}
		walk  func(t reflect.Type)
	)
	walk = func(t reflect.Type) {
		for {
			if seen[t] {
				return
			}
			seen[t] = true
			if whole[t] {
				return
			}
			if decodesItself(t) {
				out = append(out, t.String()+" (decodes itself)")
				return
			}
			switch t.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Array:
				t = t.Elem()
				continue
			case reflect.Map:
				walk(t.Key())
				t = t.Elem()
				continue
			case reflect.Interface:
				out = append(out, t.String()+" (an interface)")
				return
			case reflect.Struct:
			default:
				return // strings, numbers, booleans
			}
			break
		}
		names, ok := known[t]
		if !ok {
			out = append(out, t.String()+" (a type the decoders do not know)")
			return
		}
		for _, f := range structFields(t) {
			if !contains(names, f.name) {
				out = append(out, t.String()+"."+f.name)
			}
			walk(f.typ)
		}
	}
	walk(t)
	return out
}

var (
	jsonUnmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// decodesItself reports whether encoding/json would hand a value of t to a
// method of its own instead of filling it.
func decodesItself(t reflect.Type) bool {
	if t.Kind() == reflect.Interface {
		return false
	}
	p := reflect.PointerTo(t)
	return p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler)
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
