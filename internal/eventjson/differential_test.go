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
	name string
	fast func([]byte) (any, error)
	std  func([]byte) (any, error)
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

var sources = []source{
	{"sqs", fastDecode(eventjson.SQS), stdDecode[events.SQSEvent]},
	{"kinesis", fastDecode(eventjson.Kinesis), stdDecode[events.KinesisEvent]},
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compare(t, sourceNamed(t, tt.source), []byte(tt.in))
		})
	}
}
