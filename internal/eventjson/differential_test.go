package eventjson_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// source ties a fast decoder to the aws-lambda-go type it fills.
type source struct {
	name    string
	fast    func([]byte) (any, error)
	std     func([]byte) (any, error)
	lenient func([]byte) (any, []*eventjson.FieldError, error) // nil: no lenient decoder
}

func stdDecode[T any](b []byte) (v any, err error) {
	// aws-lambda-go's DynamoDB attribute decoding panics on some malformed
	// binary sets; count a panic as an error.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	var ev T
	err = json.Unmarshal(b, &ev)
	return ev, err
}

func fastDecode[T any](f func([]byte) (T, error)) func([]byte) (any, error) {
	return func(b []byte) (any, error) {
		v, err := f(b)
		return v, err
	}
}

func lenientDecode[T any](f func([]byte) (T, []*eventjson.FieldError, error)) func([]byte) (any, []*eventjson.FieldError, error) {
	return func(b []byte) (any, []*eventjson.FieldError, error) {
		v, bad, err := f(b)
		return v, bad, err
	}
}

var sources = []source{
	{"sqs", fastDecode(eventjson.SQS), stdDecode[events.SQSEvent], lenientDecode(eventjson.SQSLenient)},
	{"kinesis", fastDecode(eventjson.Kinesis), stdDecode[events.KinesisEvent], lenientDecode(eventjson.KinesisLenient)},
	{"dynamodb", fastDecode(eventjson.DynamoDB), stdDecode[events.DynamoDBEvent], lenientDecode(eventjson.DynamoDBLenient)},
	{"kafka", fastDecode(eventjson.Kafka), stdDecode[events.KafkaEvent], nil},
}

func sourceNamed(t testing.TB, name string) source {
	for _, s := range sources {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no source %q", name)
	return source{}
}

// compare fails t unless both decoders fail on in, or both succeed with
// deeply equal values.
func compare(t testing.TB, src source, in []byte) {
	t.Helper()
	want, wantErr := src.std(in)
	got, gotErr := src.fast(in)
	switch {
	case wantErr != nil && gotErr != nil:
		var e *eventjson.Error
		if !errorsAs(gotErr, &e) {
			t.Errorf("%s: got error of type %T, want *eventjson.Error", src.name, gotErr)
		}
	case wantErr != nil:
		t.Errorf("%s %q: got no error, want one like encoding/json's %v", src.name, in, wantErr)
	case gotErr != nil:
		t.Errorf("%s %q: got error %v, want none (encoding/json decodes it)", src.name, in, gotErr)
	case !reflect.DeepEqual(got, want):
		t.Errorf("%s %q:\ngot  %#v\nwant %#v", src.name, in, got, want)
	}
	if src.lenient == nil {
		return
	}
	// The lenient decoder differs only where a record-level problem would
	// fail the event: it then reports the record instead.
	lv, bad, lerr := src.lenient(in)
	switch {
	case wantErr == nil && (lerr != nil || len(bad) > 0):
		t.Errorf("%s %q: lenient decoder: got error %v and faulty records %v, want neither", src.name, in, lerr, bad)
	case wantErr == nil && !reflect.DeepEqual(lv, want):
		t.Errorf("%s %q: lenient decoder:\ngot  %#v\nwant %#v", src.name, in, lv, want)
	case wantErr != nil && lerr == nil && len(bad) == 0:
		t.Errorf("%s %q: lenient decoder: got no error and no faulty record, want one (encoding/json: %v)", src.name, in, wantErr)
	}
}

func errorsAs(err error, target **eventjson.Error) bool {
	e, ok := err.(*eventjson.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestDecodeMatchesEncodingJSONOnGoldenEvents(t *testing.T) {
	files, err := filepath.Glob("../../testdata/*-event.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("got no golden events in ../../testdata, want some")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), "-event.json")
		kind := strings.SplitN(name, "-", 2)[0]
		var src *source
		for i := range sources {
			if sources[i].name == kind {
				src = &sources[i]
			}
		}
		if src == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := src.fast(b)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if reflect.ValueOf(got).Field(0).Len() == 0 {
				t.Fatalf("got no records, want the golden event's")
			}
			compare(t, *src, b)
		})
	}
}

func TestDecodeMatchesEncodingJSONOnEdgeCases(t *testing.T) {
	tests := []struct {
		name, source, in string
	}{
		{"sqs empty object", "sqs", `{}`},
		{"sqs null payload", "sqs", `null`},
		{"sqs null records", "sqs", `{"Records":null}`},
		{"sqs empty records", "sqs", `{"Records":[]}`},
		{"sqs records not an array", "sqs", `{"Records":{}}`},
		{"sqs payload not an object", "sqs", `[1,2]`},
		{"sqs empty payload", "sqs", ``},
		{"sqs white space only", "sqs", " \n\t"},
		{"sqs trailing garbage", "sqs", `{"Records":[]} x`},
		{"sqs trailing white space", "sqs", "{\"Records\":[{}]} \r\n"},
		{"sqs truncated", "sqs", `{"Records":[{"messageId":"a"`},
		{"sqs trailing comma in object", "sqs", `{"Records":[{"messageId":"a",}]}`},
		{"sqs trailing comma in array", "sqs", `{"Records":[{},]}`},
		{"sqs missing colon", "sqs", `{"Records" []}`},
		{"sqs case-insensitive keys", "sqs", `{"records":[{"MESSAGEID":"a","Body":"b","eventsourcearn":"c"}]}`},
		{"sqs kelvin sign folds to k", "sqs", `{"Records":[{"\u212Aeep":1,"messageId":"\u212A"}]}`},
		{"sqs exact key wins over folded", "sqs", `{"Records":[{"MessageId":"x","messageId":"y"}]}`},
		{"sqs key order changes between records", "sqs", `{"Records":[{"messageId":"a","body":"b","awsRegion":"r"},{"body":"c","messageId":"d","awsRegion":"s"},{"messageId":"e","body":"f","awsRegion":"t"}]}`},
		{"sqs predicted key folded or spaced", "sqs", `{"Records":[{"messageId":"a","body":"b"},{"messageId":"c","Body":"d"},{"messageId":"e" , "body" : "f"},{"messageId":"g","body":"h","body":"i"}]}`},
		{"sqs predicted key is a prefix", "sqs", `{"Records":[{"messageId":"a","body":"b"},{"messageId":"c","bodyx":"d","bod":"e"},{"messageId":"f","body\u0000":"g"}]}`},
		{"sqs duplicate key last wins", "sqs", `{"Records":[{"messageId":"x","messageId":"y"}]}`},
		{"sqs duplicate records merge into elements", "sqs", `{"Records":[{"messageId":"a","body":"b"},{"messageId":"c"}],"Records":[{"messageId":"d"}]}`},
		{"sqs triple records exposes stale element", "sqs", `{"Records":[{"body":"1"},{"body":"2"},{"body":"3"}],"Records":[{}],"Records":[{},{}]}`},
		{"sqs duplicate attributes merge maps", "sqs", `{"Records":[{"attributes":{"a":"1"},"attributes":{"b":"2"}}]}`},
		{"sqs null attribute value", "sqs", `{"Records":[{"attributes":{"a":null}}]}`},
		{"sqs null string field unchanged", "sqs", `{"Records":[{"body":"x","body":null}]}`},
		{"sqs null record", "sqs", `{"Records":[null]}`},
		{"sqs unknown fields of every kind", "sqs", `{"x":[1,-2.5e+3,true,false,null,{"y":"\u00e9"}],"Records":[{"z":{"a":[[]]},"body":"b"}],"w":1e999}`},
		{"sqs escapes", "sqs", `{"Records":[{"body":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00"}]}`},
		{"sqs lone surrogates", "sqs", `{"Records":[{"body":"\ud800x\udc00\ud800\u0041\ud83d\ud83d\ude00"}]}`},
		{"sqs invalid utf-8", "sqs", "{\"Records\":[{\"body\":\"a\xffb\xc3\x28\xed\xa0\x80\",\"messageId\":\"\xe2\x82\"}]}"},
		{"sqs invalid utf-8 with escapes", "sqs", "{\"Records\":[{\"body\":\"\\n\xff\"}]}"},
		{"sqs invalid escape", "sqs", `{"Records":[{"body":"\x"}]}`},
		{"sqs short unicode escape", "sqs", `{"Records":[{"body":"\u12"}]}`},
		{"sqs control character in string", "sqs", "{\"Records\":[{\"body\":\"a\tb\"}]}"},
		{"sqs number for string", "sqs", `{"Records":[{"body":1}]}`},
		{"sqs number for string then garbage", "sqs", `{"Records":[{"body":00"}]}`},
		{"kinesis number for base64", "kinesis", `{"Records":[{"kinesis":{"data":1"}}]}`},
		{"sqs bad number", "sqs", `{"Records":[],"x":01}`},
		{"sqs bad literal", "sqs", `{"Records":[],"x":tru}`},
		{"sqs message attributes", "sqs", `{"Records":[{"messageAttributes":{"s":{"stringValue":"v","dataType":"String"},"b":{"binaryValue":"AQID","dataType":"Binary"},"l":{"stringListValues":["a",null],"binaryListValues":["AA==",null,[1,2]]},"n":null}}]}`},
		{"sqs binary as number array", "sqs", `{"Records":[{"messageAttributes":{"b":{"binaryValue":[0,255,null]}}}]}`},
		{"sqs binary number out of range", "sqs", `{"Records":[{"messageAttributes":{"b":{"binaryValue":[256]}}}]}`},
		{"sqs bad base64", "sqs", `{"Records":[{"messageAttributes":{"b":{"binaryValue":"AQI"}}}]}`},
		{"sqs base64 with newlines", "sqs", `{"Records":[{"messageAttributes":{"b":{"binaryValue":"AQ\nID"}}}]}`},
		{"sqs empty base64", "sqs", `{"Records":[{"messageAttributes":{"b":{"binaryValue":""}}}]}`},
		{"sqs string value null after set", "sqs", `{"Records":[{"messageAttributes":{"s":{"stringValue":"v","stringValue":null}}}]}`},
		{"sqs deep nesting within limit", "sqs", `{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`},
		{"sqs nesting over limit", "sqs", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`},
		{"kinesis record", "kinesis", `{"Records":[{"kinesis":{"data":"aGVsbG8=","partitionKey":"p","sequenceNumber":"1","approximateArrivalTimestamp":1545084650.987,"kinesisSchemaVersion":"1.0"},"eventSource":"aws:kinesis","eventID":"e","invokeIdentityArn":"i","eventVersion":"1.0","eventName":"aws:kinesis:record","eventSourceARN":"arn","awsRegion":"r"}]}`},
		{"kinesis timestamp forms", "kinesis", `{"Records":[{"kinesis":{"approximateArrivalTimestamp":-1.5}},{"kinesis":{"approximateArrivalTimestamp":null}},{"kinesis":{"approximateArrivalTimestamp":1e3}},{"kinesis":{"approximateArrivalTimestamp":-0}},{"kinesis":{"approximateArrivalTimestamp":123456789.123456789}}]}`},
		{"kinesis timestamp as string", "kinesis", `{"Records":[{"kinesis":{"approximateArrivalTimestamp":"1"}}]}`},
		{"kinesis timestamp out of range", "kinesis", `{"Records":[{"kinesis":{"approximateArrivalTimestamp":1e400}}]}`},
		{"kinesis data null and empty", "kinesis", `{"Records":[{"kinesis":{"data":null}},{"kinesis":{"data":""}},{"kinesis":{"data":"\/w=="}}]}`},
		{"kinesis data unpadded", "kinesis", `{"Records":[{"kinesis":{"data":"aGVsbG8"}}]}`},
		{"kinesis data url alphabet", "kinesis", `{"Records":[{"kinesis":{"data":"_-8="}}]}`},
		{"kinesis null kinesis", "kinesis", `{"Records":[{"kinesis":null}]}`},
		{"kinesis kinesis not an object", "kinesis", `{"Records":[{"kinesis":"x"}]}`},
		{"dynamodb every attribute type", "dynamodb", `{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":1.7e9,"SequenceNumber":"1","SizeBytes":26,"StreamViewType":"NEW_AND_OLD_IMAGES","Keys":{"pk":{"S":"a"},"sk":{"N":"1"}},"NewImage":{"s":{"S":"x\u00e9"},"n":{"N":"-1.5e3"},"b":{"B":"AQID"},"t":{"BOOL":true},"f":{"BOOL":false},"z":{"NULL":true},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AA==","AQ=="]},"l":{"L":[{"S":"x"},{"N":"1"},{"L":[]},{"M":{}}]},"m":{"M":{"k":{"M":{"deep":{"SS":[]}}}}}},"OldImage":{}},"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}}]}`},
		{"dynamodb null image and keys", "dynamodb", `{"Records":[{"dynamodb":{"Keys":null,"NewImage":null}}]}`},
		{"dynamodb null attribute", "dynamodb", `{"Records":[{"dynamodb":{"Keys":{"pk":null}}}]}`},
		{"dynamodb empty attribute", "dynamodb", `{"Records":[{"dynamodb":{"Keys":{"pk":{}}}}]}`},
		{"dynamodb two types", "dynamodb", `{"Records":[{"dynamodb":{"Keys":{"pk":{"S":"a","N":"1"}}}}]}`},
		{"dynamodb repeated type last wins", "dynamodb", `{"Records":[{"dynamodb":{"Keys":{"pk":{"S":1,"S":"a"}}}}]}`},
		{"dynamodb repeated type last invalid", "dynamodb", `{"Records":[{"dynamodb":{"Keys":{"pk":{"S":"a","S":1}}}}]}`},
		{"dynamodb escaped type name", "dynamodb", `{"Records":[{"dynamodb":{"Keys":{"pk":{"\u0053":"a"}}}}]}`},
		{"dynamodb lower-case type", "dynamodb", `{"Records":[{"dynamodb":{"Keys":{"pk":{"s":"a"}}}}]}`},
		{"dynamodb unknown type", "dynamodb", `{"Records":[{"dynamodb":{"Keys":{"pk":{"X":"a"}}}}]}`},
		{"dynamodb NULL with any value", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"NULL":false},"b":{"NULL":null},"c":{"NULL":[1,{"x":"y"}]}}}}]}`},
		{"dynamodb number out of float range in NULL", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"NULL":1e400}}}}]}`},
		{"dynamodb number out of float range in replaced value", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"S":1e400,"S":"x"}}}}]}`},
		{"dynamodb number out of float range elsewhere is fine", "dynamodb", `{"Records":[{"dynamodb":{"x":1e400,"NewImage":{"a":{"S":"x"}}}}]}`},
		{"dynamodb wrong JSON types", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"N":1}}}}]}`},
		{"dynamodb bool as string", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"BOOL":"true"}}}}]}`},
		{"dynamodb bad base64", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"B":"A"}}}}]}`},
		{"dynamodb empty binary", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"B":""},"b":{"BS":[""]}}}}]}`},
		{"dynamodb binary set with a number panics aws-lambda-go", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"BS":[1]}}}}]}`},
		{"dynamodb binary set with null", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"BS":[null]}}}}]}`},
		{"dynamodb string set with a number", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"SS":["a",1]}}}}]}`},
		{"dynamodb set null", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"SS":null}}}}]}`},
		{"dynamodb list with null element", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"L":[null]}}}}]}`},
		{"dynamodb list with invalid element", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"L":[{"S":"a"},{"Q":1}]}}}}]}`},
		{"dynamodb map entry replaced by a valid one", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"M":{"k":{"Q":1},"k":{"S":"v"}}}}}}]}`},
		{"dynamodb map entry replaced by an invalid one", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"M":{"k":{"S":"v"},"k":{"Q":1}}}}}}]}`},
		{"dynamodb map not an object", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"M":[]}}}}]}`},
		{"dynamodb repeated image attribute fresh", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"S":"1"},"a":{"N":"2"}}}}]}`},
		{"dynamodb repeated images merge", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":{"S":"1"}},"NewImage":{"b":{"N":"2"}}}}]}`},
		{"dynamodb user identity null and merge", "dynamodb", `{"Records":[{"userIdentity":{"type":"t"},"userIdentity":{"principalId":"p"}},{"userIdentity":{"type":"t"},"userIdentity":null}]}`},
		{"dynamodb size bytes forms", "dynamodb", `{"Records":[{"dynamodb":{"SizeBytes":null}},{"dynamodb":{"SizeBytes":-0}}]}`},
		{"dynamodb size bytes float", "dynamodb", `{"Records":[{"dynamodb":{"SizeBytes":1.0}}]}`},
		{"dynamodb size bytes overflow", "dynamodb", `{"Records":[{"dynamodb":{"SizeBytes":9223372036854775808}}]}`},
		{"kafka record", "kafka", `{"eventSource":"aws:kafka","eventSourceArn":"arn","bootstrapServers":"b1,b2","records":{"t-0":[{"topic":"t","partition":0,"offset":15,"timestamp":1545084650987,"timestampType":"CREATE_TIME","key":"a2V5","value":"dmFsdWU=","headers":[{"h":[104,-1,127,-128,null]},{}]}]}}`},
		{"kafka timestamps", "kafka", `{"records":{"t-0":[{"timestamp":-1},{"timestamp":null},{"timestamp":0},{"timestamp":1999}]}}`},
		{"kafka timestamp float", "kafka", `{"records":{"t-0":[{"timestamp":1.5}]}}`},
		{"kafka timestamp string", "kafka", `{"records":{"t-0":[{"timestamp":"1"}]}}`},
		{"kafka header out of range", "kafka", `{"records":{"t-0":[{"headers":[{"h":[128]}]}]}}`},
		{"kafka header not an array", "kafka", `{"records":{"t-0":[{"headers":[{"h":"aGk="}]}]}}`},
		{"kafka header null and empty", "kafka", `{"records":{"t-0":[{"headers":[{"a":null,"b":[]},null]}]}}`},
		{"kafka header exponent", "kafka", `{"records":{"t-0":[{"headers":[{"a":[1e1]}]}]}}`},
		{"kafka repeated headers merge maps", "kafka", `{"records":{"t-0":[{"headers":[{"a":[1]}],"headers":[{"b":[2]}]}]}}`},
		{"kafka repeated records merge maps", "kafka", `{"records":{"t-0":[{"offset":1}]},"records":{"t-1":[{"offset":2}]},"RECORDS":{"t-0":[]}}`},
		{"kafka records null", "kafka", `{"records":null}`},
		{"kafka partition out of range", "kafka", `{"records":{"t-0":[{"partition":1e3}]}}`},
		{"kafka records as array", "kafka", `{"records":[]}`},
		{"dynamodb deep list", "dynamodb", `{"Records":[{"dynamodb":{"NewImage":{"a":` + strings.Repeat(`{"L":[`, 2000) + strings.Repeat(`]}`, 2000) + `}}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compare(t, sourceNamed(t, tt.source), []byte(tt.in))
		})
	}
}
