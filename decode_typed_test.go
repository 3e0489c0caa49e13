package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// richOrder is a payload type with most of what encoding/json decodes:
// nested structs and pointers, slices, maps, time.Time, json.RawMessage,
// an interface, []byte, a ",string" field and an embedded struct.
type richOrder struct {
	ID       string            `json:"id"`
	Customer *richCustomer     `json:"customer"`
	Items    []richItem        `json:"items"`
	Total    float64           `json:"total"`
	Created  time.Time         `json:"created"`
	Tags     map[string]string `json:"tags"`
	Extra    any               `json:"extra"`
	Raw      json.RawMessage   `json:"raw"`
	Blob     []byte            `json:"blob"`
	Version  int64             `json:"version,string"`
	Count    uint8             `json:"count"`
	richAudit
}

type richCustomer struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

type richItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type richAudit struct {
	CreatedBy string `json:"createdBy"`
}

// richPayloads are bodies that decode, and bodies encoding/json rejects for
// each reason it has: syntax, a value of the wrong type, a number out of
// range, a bad ",string" value, bad base64, a time that does not parse.
var richPayloads = []string{
	`{"id":"o-1","customer":{"id":"c","email":"e@example.com"},"items":[{"sku":"a","qty":2},{"sku":"b","qty":1}],` +
		`"total":12.5,"created":"2026-11-22T07:00:00Z","tags":{"k":"v"},"extra":{"n":[1,"x",null]},"raw":[1, 2],` +
		`"blob":"aGk=","version":"7","count":255,"createdBy":"ops"}`,
	`{"ID":"case","ITEMS":[{"SKU":"x"}],"items":[{"qty":3}],"\u0069d":"escaped","CREATEDBY":"me"}`,
	"{\"id\":\"caf\xc3\xa9 \xff \\ud800\",\"extra\":1e300,\"tags\":null,\"customer\":null,\"raw\":null}",
	`{"id":"o-2"} `,
	`{"id":"o-3",}`,
	`{"id":3}`,
	`{"count":256}`,
	`{"total":1e400}`,
	`{"version":7}`,
	`{"blob":"not base64!"}`,
	`{"created":"yesterday"}`,
	`{"items":{"sku":"a"}}`,
	`{"id":"o-4"} {}`,
	`[{"id":"o-5"}]`,
}

// typedPath runs payload through a Function of one source and decoder,
// returning what the handler got or the record's error.
type typedPath struct {
	name string
	run  func(payload string, o batch.Options) (got richOrder, called bool, err error)
}

func typedPaths() []typedPath {
	capture := func(got *richOrder, called *bool) func(context.Context, richOrder) error {
		return func(_ context.Context, v richOrder) error {
			*got, *called = v, true
			return nil
		}
	}
	snsBody := func(payload string) string {
		b, _ := json.Marshal(map[string]string{"Type": "Notification", "Message": payload})
		return string(b)
	}
	ebBody := func(payload string) string { return `{"source":"shop","detail":` + payload + `}` }
	return []typedPath{
		{"SQS", func(p string, o batch.Options) (got richOrder, called bool, err error) {
			err = recordErr(batch.New(batch.SQS(), capture(&got, &called), o), sqsOne("m-1", p))
			return
		}},
		{"Kinesis", func(p string, o batch.Options) (got richOrder, called bool, err error) {
			err = recordErr(batch.New(batch.Kinesis(), capture(&got, &called), o), kinesisOne("1", []byte(p)))
			return
		}},
		{"Kafka", func(p string, o batch.Options) (got richOrder, called bool, err error) {
			err = recordErr(batch.New(batch.Kafka(), capture(&got, &called), o), kafkaOne(events.KafkaRecord{Topic: "t", Value: b64Value(p)}))
			return
		}},
		{"SNS", func(p string, o batch.Options) (got richOrder, called bool, err error) {
			err = recordErr(batch.New(batch.SQS().Decode(batch.SNS), capture(&got, &called), o), sqsOne("m-1", snsBody(p)))
			return
		}},
		{"EventBridge", func(p string, o batch.Options) (got richOrder, called bool, err error) {
			if !json.Valid([]byte(p)) {
				return richOrder{}, false, errSkipPath // the detail is embedded raw: the envelope would be broken
			}
			err = recordErr(batch.New(batch.SQS().Decode(batch.EventBridge), capture(&got, &called), o), sqsOne("m-1", ebBody(p)))
			return
		}},
	}
}

var errSkipPath = errors.New("payload does not apply to this path")

// TestTypedPayloadsDecodeAsEncodingJSON holds every default decoder and
// envelope, with the library's decoder and with Options.StdJSON, to
// json.Unmarshal: the handler gets the value it gives, or the record fails
// with a *DecodeError whose Err is encoding/json's own error.
func TestTypedPayloadsDecodeAsEncodingJSON(t *testing.T) {
	for _, path := range typedPaths() {
		for _, o := range []batch.Options{{}, {StdJSON: true}} {
			for _, p := range richPayloads {
				name := path.name + "/std=" + map[bool]string{false: "no", true: "yes"}[o.StdJSON] + "/" + p
				t.Run(name, func(t *testing.T) {
					var want richOrder
					wantErr := json.Unmarshal([]byte(p), &want)
					got, called, err := path.run(p, o)
					if errors.Is(err, errSkipPath) {
						t.Skip(err)
					}
					if wantErr == nil {
						if err != nil || !called {
							t.Fatalf("got error %v (handler called: %v), want the handler called", err, called)
						}
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("got %#v\nwant %#v as json.Unmarshal decodes it", got, want)
						}
						return
					}
					var de *batch.DecodeError
					if called || !errors.As(err, &de) {
						t.Fatalf("got error %v (handler called: %v), want a *DecodeError", err, called)
					}
					if cause := errors.Unwrap(de.Err); path.name == "SNS" || path.name == "EventBridge" {
						_ = cause // the envelopes wrap nothing around the payload's error
					}
					if !reflect.DeepEqual(de.Err, wantErr) {
						t.Fatalf("got cause %#v (%v), want encoding/json's %#v (%v)", de.Err, de.Err, wantErr, wantErr)
					}
				})
			}
		}
	}
}

// TestTypedPayloadErrorsAreEncodingJSONs checks that the errors callers
// may look for with errors.As come through.
func TestTypedPayloadErrorsAreEncodingJSONs(t *testing.T) {
	run := sqsTyped[richOrder]()
	var syn *json.SyntaxError
	if err := run(`{"id":`); !errors.As(err, &syn) {
		t.Errorf("malformed payload: got %v, want a *json.SyntaxError", err)
	}
	var ute *json.UnmarshalTypeError
	if err := run(`{"count":300}`); !errors.As(err, &ute) || ute.Field != "count" {
		t.Errorf("number out of range: got %v, want a *json.UnmarshalTypeError for field count", err)
	}
	var perr *time.ParseError
	if err := run(`{"created":"2026-13-01T00:00:00Z"}`); !errors.As(err, &perr) {
		t.Errorf("bad time: got %v, want time.Parse's error", err)
	}
}

// TestTypedPayloadKeptStringsRetainLittle is issue 14's rule for typed
// payloads: a string a handler keeps from its payload keeps little else
// reachable: not the payload, and not much of the arenas strings are
// copied into (see internal/eventjson's keep), at most 8 bytes a kept byte
// plus 64 a string. 2,000 events of 10 SQS records through Function.Invoke
// with a typed handler that keeps the 12-byte id of every record, or only
// of each event's first (the worst case: its chunk holds nothing else kept),
// while a long note in each body is dropped.
func TestTypedPayloadKeptStringsRetainLittle(t *testing.T) {
	const invocations, records = 2000, 10
	type order struct {
		ID   string `json:"id"`
		Note string `json:"note"`
	}
	note := strings.Repeat("a long note that must not stay reachable ", 20)
	payloads := make([][]byte, invocations)
	for k := range payloads {
		ev := fastSQSEvent(records)
		for i := range ev.Records {
			ev.Records[i].Body = fmt.Sprintf(`{"id":"order-%07d","note":%q}`, k*records+i, note)
		}
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		payloads[k] = b
	}
	for _, every := range []bool{true, false} {
		t.Run(map[bool]string{true: "every record", false: "first record only"}[every], func(t *testing.T) {
			kept := make([]string, 0, invocations*records)
			fn := batch.New(batch.SQS(), func(ctx context.Context, o order) error {
				if r, _ := batch.RecordFrom(ctx); every || r.Index == 0 {
					kept = append(kept, o.ID)
				}
				return nil
			}, batch.Options{})
			ctx := context.Background()
			buf := make([]byte, len(payloads[0])+64)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&before)
			for _, p := range payloads {
				b := buf[:copy(buf, p)] // a buffer reused across invocations, as aws-lambda-go does
				if _, err := fn.Invoke(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&after)
			var own, bound int64
			for _, s := range kept {
				own += int64(len(s))
				bound += int64(8*len(s) + 64)
			}
			extra := int64(after.HeapAlloc) - int64(before.HeapAlloc) - own
			runtime.KeepAlive(kept)
			n := float64(len(kept))
			t.Logf("%d strings kept (%.1f bytes each): %.1f bytes reachable per kept string beyond its own (bound %.1f)",
				len(kept), float64(own)/n, float64(extra)/n, float64(bound)/n)
			if extra > bound {
				t.Errorf("kept strings keep %d bytes reachable beyond their own %d, want at most %d", extra, own, bound)
			}
		})
	}
}
