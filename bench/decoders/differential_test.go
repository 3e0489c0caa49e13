package decoders_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// The types every input is decoded into: the two payloads of the
// benchmarks and tricky, which has a field for each rule the inputs try.

type Base struct {
	Source string `json:"source"`
	Seq    int    // untagged, as in Meta: the names conflict, and vet checks only tags
}

type Meta struct {
	Seq  int    // conflicts with Base.Seq: neither is promoted
	Note string `json:"note"`
}

// Extra is embedded by pointer, which a decoder must allocate.
type Extra struct {
	Region string `json:"region"`
}

type tricky struct {
	Base
	Meta
	*Extra
	ID     string            `json:"id"`
	Kelvin string            `json:"k"`
	Long   string            `json:"s"`
	Mixed  string            `json:"mixed"`
	MIXED  string            `json:"MIXED"`
	Count  int8              `json:"count"`
	Big    uint32            `json:"big"`
	N      int               `json:"n"`
	Price  float64           `json:"price"`
	Small  float32           `json:"small"`
	Qty    int               `json:"qty,string"`
	OK     bool              `json:"ok,string"`
	Ratio  float64           `json:"ratio,string"`
	Label  string            `json:"label,string"`
	Tags   []string          `json:"tags"`
	Lines  []payload.Item    `json:"lines"`
	Attrs  map[string]string `json:"attrs"`
	ByID   map[int]string    `json:"by_id"`
	Any    any               `json:"any"`
	Ptr    *payload.Item     `json:"ptr"`
	Arr    [2]int            `json:"arr"`
	Bytes  []byte            `json:"bytes"`
	When   time.Time         `json:"when"`
	Num    json.Number       `json:"num"`
	Raw    json.RawMessage   `json:"raw"`
	Skip   string            `json:"-"`
}

// A diffCase is one input, decoded into every type.
type diffCase struct {
	name  string
	input string
}

// nested is {"any": …} holding n nested arrays: n+1 levels in all.
func nested(n int) string {
	return `{"any":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
}

// longString is a 6,000-byte string value with an escape every 100 bytes.
func longString() string {
	return `{"id":"` + strings.Repeat(strings.Repeat("x", 98)+`\n`, 60) + `"}`
}

// diffCases are the tricky inputs. A top-level null or empty input is left
// out: the library rejects it on purpose (batch.ErrNoPayload), where
// encoding/json leaves the value zero.
var diffCases = []diffCase{
	// Repeated keys.
	{"repeated key, last wins", `{"id":"a","id":"b","customer":"a","customer":"b"}`},
	{"repeated key, null leaves the value", `{"id":"a","id":null,"price":1.5,"price":null,"total":2.5,"total":null}`},
	{"repeated key merges a map field", `{"attrs":{"a":"1"},"attrs":{"b":"2"}}`},
	{"repeated key reuses slice elements", `{"lines":[{"sku":"a","qty":1},{"sku":"b","qty":2}],"lines":[{"qty":3}],` +
		`"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}],"items":[{"qty":3}]}`},
	{"repeated key into a pointer", `{"ptr":{"sku":"a"},"ptr":{"qty":2}}`},
	{"repeated key inside any", `{"any":{"a":1,"a":2},"x":{"p":1},"x":{"q":2}}`},
	{"repeated key of an embedded pointer", `{"region":"eu","region":"us"}`},

	// Key matching.
	{"keys in other cases", `{"ID":"x","Price":2.5,"CUSTOMER":"c","Items":[{"SKU":"s","QTY":1}],"TOTAL":3}`},
	{"exact match before a folded one", `{"Mixed":"c","MIXED":"a","mixed":"b"}`},
	{"Kelvin sign folds to k, escaped", `{"\u212a":"kelvin"}`},
	{"Kelvin sign folds to k, raw", "{\"\u212a\":\"kelvin\"}"},
	{"long s folds to s", `{"\u017f":"long"}`},
	{"key written with escapes", `{"\u0069\u0064":"x","\u0063ustomer":"c"}`},
	{"empty key", `{"":1,"id":"x"}`},
	{"ignored field", `{"-":"dash","Skip":"x","skip":"y"}`},

	// Strings and UTF-8.
	{"invalid UTF-8 in a string", "{\"id\":\"a\xffb\",\"customer\":\"\xc3\x28\",\"currency\":\"\xed\xa0\x80\"}"},
	{"invalid UTF-8 in a key", "{\"i\xffd\":\"x\",\"\xff\":1}"},
	{"truncated UTF-8 at the end of a string", "{\"id\":\"ab\xe2\x82\"}"},
	{"lone surrogate escapes", `{"id":"\ud800x","customer":"\udc00","currency":"\ud800\u0041"}`},
	{"surrogate pair", `{"id":"\ud83d\ude00","customer":"\uD83D\uDE00"}`},
	{"every escape", `{"id":"\"\\\/\b\f\n\r\t","customer":"a\u0000b"}`},
	{"invalid escape", `{"id":"\'"}`},
	{"raw control character in a string", "{\"id\":\"a\tb\"}"},
	{"non-ASCII text", `{"id":"héllo wörld ✓","customer":"日本"}`},
	{"long string with escapes", longString()},

	// Numbers.
	{"int8 overflow", `{"count":128}`},
	{"int8 underflow", `{"count":-129}`},
	{"uint32 overflow", `{"big":4294967296}`},
	{"negative into an unsigned field", `{"big":-1}`},
	{"fraction into an int", `{"n":1.5,"qty":"2"}`},
	{"exponent into an int", `{"n":1e2}`},
	{"largest int64", `{"n":9223372036854775807}`},
	{"int64 overflow", `{"n":9223372036854775808}`},
	{"negative zero", `{"n":-0,"price":-0.0,"total":-0}`},
	{"float64 overflow", `{"price":1e400,"total":1e400}`},
	{"largest float64", `{"price":1.7976931348623157e308,"total":1.7976931348623157e308}`},
	{"float64 underflow to zero", `{"price":1e-400,"total":1e-400}`},
	{"smallest subnormal", `{"price":5e-324,"total":4.9e-324}`},
	{"float32 overflow", `{"small":1e39}`},
	{"float32 rounding", `{"small":0.1,"price":0.1}`},
	{"more digits than a float64 holds", `{"price":3.141592653589793238462643383279502884197,"total":0.30000000000000000001}`},
	{"big integer into any", `{"any":12345678901234567890123,"total":12345678901234567890123}`},
	{"float64 overflow into any", `{"any":1e400}`},
	{"upper-case exponent", `{"price":1E+2,"total":2E-1}`},
	{"leading zero", `{"price":01}`},
	{"no digit after the point", `{"price":1.}`},
	{"no digit before the point", `{"price":.5}`},
	{"plus sign", `{"price":+1}`},
	{"bare minus", `{"price":-}`},
	{"no exponent digits", `{"price":1e}`},
	{"NaN", `{"price":NaN}`},
	{"Infinity", `{"price":Infinity}`},

	// null into values that are not pointers.
	{"null into every field", `{"id":null,"count":null,"price":null,"tags":null,"attrs":null,"ptr":null,"arr":null,` +
		`"any":null,"when":null,"num":null,"raw":null,"bytes":null,"qty":null,"ok":null,"lines":null,"items":null,"total":null}`},
	{"null clears a slice, a map and a pointer", `{"tags":["x"],"tags":null,"attrs":{"a":"b"},"attrs":null,` +
		`"ptr":{"sku":"a"},"ptr":null,"items":[{"sku":"a"}],"items":null}`},
	{"null in arrays", `{"tags":[null,"x"],"arr":[null,1],"items":[null],"lines":[null,{"qty":1}]}`},
	{"null map value", `{"attrs":{"a":null},"by_id":{"1":null}}`},

	// Unknown fields.
	{"unknown fields of every kind", `{"x":1,"y":"s","z":[1,{"a":null}],"w":{"q":true},"v":false,"id":"ok"}`},
	{"unknown field holding invalid JSON", `{"x":01,"id":"ok"}`},
	{"unknown field holding an invalid escape", `{"x":"\q","id":"ok"}`},
	{"unknown field holding invalid UTF-8", "{\"x\":\"\xff\",\"id\":\"ok\"}"},

	// ,string fields.
	{",string, well formed", `{"qty":"42","ok":"true","ratio":"1.5","label":"\"x\""}`},
	{",string, unquoted number", `{"qty":42}`},
	{",string, unquoted bool", `{"ok":true}`},
	{",string, not a number", `{"qty":"4x"}`},
	{",string, space before the number", `{"qty":" 42"}`},
	{",string, space after the number", `{"qty":"42 "}`},
	{",string, escaped digits", `{"qty":"\u0034\u0032","ratio":"\u0031"}`},
	{",string, 1 for a bool", `{"ok":"1"}`},
	{",string, float64 overflow", `{"ratio":"1e400"}`},
	{",string, Inf", `{"ratio":"Inf"}`},
	{",string, unquoted string", `{"label":"x"}`},
	{",string, escapes in a quoted string", `{"label":"\"a\\u00e9\\n\""}`},
	{",string, \"null\"", `{"qty":"null","ok":"null","label":"null","ratio":"null"}`},
	{",string, quoted twice", `{"qty":"\"42\""}`},
	{",string, null", `{"qty":null,"label":null}`},
	{",string, empty", `{"qty":""}`},

	// Embedded structs.
	{"promoted and conflicting fields", `{"source":"s","seq":5,"note":"n","region":"eu"}`},
	{"embedded struct names are not keys", `{"base":{"source":"x"},"Base":{"source":"y"},"Extra":{"region":"z"}}`},
	{"conflicting field in another case", `{"Seq":1,"SEQ":2,"SOURCE":"s"}`},

	// Other types.
	{"base64", `{"bytes":"aGVsbG8="}`},
	{"base64 without padding", `{"bytes":"aGVsbG8"}`},
	{"base64 with a line break", `{"bytes":"aGVs\nbG8=","attrs":{"a":"b"}}`},
	{"base64 with CR LF", `{"bytes":"aGVs\r\nbG8="}`},
	{"base64, URL alphabet", `{"bytes":"aGVsbG8_"}`},
	{"[]byte from an array of numbers", `{"bytes":[104,105]}`},
	{"time", `{"when":"2026-11-22T07:00:00Z"}`},
	{"time with an offset and nanoseconds", `{"when":"2026-11-22T07:00:00.123456789+02:00"}`},
	{"time, not RFC 3339", `{"when":"2026-11-22"}`},
	{"json.Number", `{"num":12.5e3}`},
	{"json.Number from a string", `{"num":"12"}`},
	{"json.Number from a string that is no number", `{"num":"x"}`},
	{"json.RawMessage keeps spaces", `{"raw": {"a" : [1, 2]} ,"id":"x"}`},
	{"map with integer keys", `{"by_id":{"1":"a","-2":"b"}}`},
	{"integer key with a plus sign", `{"by_id":{"+1":"a"}}`},
	{"integer key with a leading zero", `{"by_id":{"01":"a"}}`},
	{"integer key that is no number", `{"by_id":{"x":"a"}}`},
	{"integer key overflow", `{"by_id":{"9223372036854775808":"a"}}`},
	{"array longer than the Go array", `{"arr":[1,2,3]}`},
	{"array shorter than the Go array", `{"arr":[1]}`},

	// Values of the wrong type.
	{"number into a string", `{"id":1,"customer":"c"}`},
	{"string into a slice", `{"tags":"x","items":"x"}`},
	{"object into a slice", `{"lines":{},"items":{}}`},
	{"string into a float", `{"total":"1","price":"1"}`},
	{"array into any", `{"any":[],"x":[]}`},
	{"object into an array", `{"arr":{}}`},

	// The document around the value.
	{"array at the top", `[1,2]`},
	{"string at the top", `"x"`},
	{"number at the top", `1`},
	{"empty object", `{}`},
	{"white space around", " \t\r\n{\"id\":\"x\"} \n"},
	{"text after the value", `{"id":"x"} x`},
	{"second value after the first", `{"id":"x"}{}`},
	{"trailing comma", `{"id":"x",}`},
	{"missing colon", `{"id" "x"}`},
	{"single quotes", `{'id':'x'}`},
	{"unterminated object", `{"id":"x"`},
	{"unterminated string", `{"id":"x`},
	{"nesting at encoding/json's limit", nested(9999)},
	{"nesting one level past it", nested(10000)},
	{"the order body", string(payload.OrderJSON(7))},
	{"the document", string(payload.DocJSON(7))},
}

// An outcome is what one decoder made of one input.
type outcome struct {
	value any
	err   error
}

// A target is a type the inputs are decoded into, with the ways to decode
// into a new value of it.
type target struct {
	name string
	// decode calls unmarshal with a pointer to a new value.
	decode func(unmarshal func([]byte, any) error, data []byte) outcome
	// plan decodes with the library's payload decoder alone; ok is false
	// when the library leaves the type to encoding/json.
	plan func(data []byte) (o outcome, ok bool)
	// invoke decodes through Function.Invoke of a batch.New whose handler
	// takes the type, on an event of the source ("sqs" or "kinesis").
	invoke func(source string, data []byte) (outcome, error)
}

func targetOf[T any](name string) target {
	return target{
		name: name,
		decode: func(unmarshal func([]byte, any) error, data []byte) (o outcome) {
			defer func() {
				if r := recover(); r != nil {
					o = outcome{err: fmt.Errorf("panic: %v", r)}
				}
			}()
			var v T
			err := unmarshal(data, &v)
			return outcome{v, err}
		},
		plan: func(data []byte) (outcome, bool) {
			p, err := eventjson.PlanFor(reflect.TypeFor[T]())
			if err != nil {
				return outcome{}, false
			}
			var v T
			err = p.Decode(data, &v)
			return outcome{v, err}, true
		},
		invoke: invokeTyped[T],
	}
}

// invoker is what every *batch.Function has, whatever its source.
type invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// invokeTyped runs data through the library as a user's function gets it:
// a record of an event, Function.Invoke, the payload decoder, a handler of
// T. The outcome's error is the cause of the record's *batch.DecodeError;
// the returned error is a failure of the harness.
func invokeTyped[T any](source string, data []byte) (outcome, error) {
	var (
		got    T
		called bool
	)
	h := func(_ context.Context, v T) error {
		got, called = v, true
		return nil
	}
	var (
		fn    invoker
		event any
	)
	switch source {
	case "sqs":
		fn = batch.New(batch.SQS(), h, batch.Options{})
		event = batchtest.NewSQSQueue("orders").Event(string(data))
	case "kinesis":
		fn = batch.New(batch.Kinesis(), h, batch.Options{})
		event = batchtest.KinesisEvent(batchtest.NewKinesisStream("orders", 1).Record("pk", data))
	default:
		return outcome{}, fmt.Errorf("no source %q", source)
	}
	ev, err := json.Marshal(event)
	if err != nil {
		return outcome{}, err
	}
	out, err := fn.Invoke(context.Background(), ev)
	if err != nil {
		var de *batch.DecodeError
		if errors.As(err, &de) && !called {
			return outcome{err: de.Err}, nil
		}
		return outcome{}, fmt.Errorf("Invoke: %w", err)
	}
	if !called || string(out) != `{"batchItemFailures":[]}` {
		return outcome{}, fmt.Errorf("Invoke returned %s with the handler called: %v", out, called)
	}
	return outcome{value: got}, nil
}

var targets = []target{
	targetOf[tricky]("tricky"),
	targetOf[payload.Order]("payload.Order"),
	targetOf[map[string]any]("map[string]any"),
}

// difference says how got differs from want, encoding/json's outcome, or
// returns "". When encoding/json fails, only whether the other fails too
// is compared: the value encoding/json leaves beside an error is no
// contract.
func difference(want, got outcome) string {
	switch {
	case want.err != nil && got.err == nil:
		return fmt.Sprintf("no error, want %q", want.err)
	case want.err == nil && got.err != nil:
		return fmt.Sprintf("error %q, want none", got.err)
	case want.err == nil && !reflect.DeepEqual(want.value, got.value):
		return "value: " + valueDiff(reflect.ValueOf(got.value), reflect.ValueOf(want.value))
	}
	return ""
}

// valueDiff names the fields or keys of a struct or map where got and
// want differ, each as got, want; other values are shown whole.
func valueDiff(got, want reflect.Value) string {
	var parts []string
	switch {
	case got.Kind() == reflect.Struct:
		for i := 0; i < got.NumField(); i++ {
			g, w := got.Field(i), want.Field(i)
			if !reflect.DeepEqual(g.Interface(), w.Interface()) {
				parts = append(parts, got.Type().Field(i).Name+": "+valueDiff(g, w))
			}
		}
	case got.Kind() == reflect.Map && want.Kind() == reflect.Map:
		for _, k := range want.MapKeys() {
			if g := got.MapIndex(k); !g.IsValid() || !reflect.DeepEqual(g.Interface(), want.MapIndex(k).Interface()) {
				parts = append(parts, fmt.Sprintf("[%q]: %s", k, valueDiff(g, want.MapIndex(k))))
			}
		}
		for _, k := range got.MapKeys() {
			if !want.MapIndex(k).IsValid() {
				parts = append(parts, fmt.Sprintf("[%q]: extra key", k))
			}
		}
	default:
		return short(got) + ", want " + short(want)
	}
	return "{" + strings.Join(parts, "; ") + "}"
}

// short is a value's Go syntax, cut to keep a log line short.
func short(v reflect.Value) string {
	s := "missing"
	if v.IsValid() {
		s = fmt.Sprintf("%#v", v.Interface())
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// A tally counts one decoder's differences from encoding/json.
type tally struct {
	name                   string
	cases, values, errs    int
	acceptsInvalid, panics int
	skipped                int // cases this path cannot carry
	inputs                 map[string]bool
}

// add counts one case, an input into a type, and returns its difference.
func (t *tally) add(input string, want, got outcome) (diff string) {
	t.cases++
	diff = difference(want, got)
	if diff != "" {
		if t.inputs == nil {
			t.inputs = map[string]bool{}
		}
		t.inputs[input] = true
	}
	switch {
	case diff == "":
	case got.err != nil && strings.HasPrefix(got.err.Error(), "panic: "):
		t.panics++
		t.errs++
	case want.err == nil && got.err == nil:
		t.values++
	default:
		t.errs++
		if want.err != nil {
			t.acceptsInvalid++
		}
	}
	return diff
}

func (t *tally) total() int { return t.values + t.errs }

// TestDifferential decodes every input of diffCases into every type of
// targets with encoding/json, with each alternative decoder, with the
// library's payload decoder alone, and through Function.Invoke of an SQS
// and a Kinesis function with a typed handler. It counts, per decoder,
// the inputs whose value differs from encoding/json's, or that one accepts
// and the other rejects. The alternatives' differences are documented, not
// failures (go test -v prints them and the counts); the library's paths
// through Invoke must not differ.
func TestDifferential(t *testing.T) {
	var tallies []*tally
	for _, d := range alternatives {
		tallies = append(tallies, &tally{name: d.name})
	}
	plan := &tally{name: "batch: payload decoder alone (eventjson.Plan)"}
	sqs := &tally{name: "batch: Function.Invoke, SQS body"}
	kinesis := &tally{name: "batch: Function.Invoke, Kinesis data"}

	for _, tg := range targets {
		for _, c := range diffCases {
			data := []byte(c.input)
			want := tg.decode(stdDecoder.unmarshal, data)
			where := fmt.Sprintf("%s into %s", c.name, tg.name)
			for i, d := range alternatives {
				if diff := tallies[i].add(c.name, want, tg.decode(d.unmarshal, data)); diff != "" {
					t.Logf("%s: %s: %s", d.name, where, diff)
				}
			}
			if got, ok := tg.plan(data); ok {
				if diff := plan.add(c.name, want, got); diff != "" {
					t.Logf("%s: %s: %s", plan.name, where, diff)
				}
			} else {
				plan.skipped++
			}
			for _, p := range []struct {
				source string
				tally  *tally
			}{{"sqs", sqs}, {"kinesis", kinesis}} {
				// An SQS body is a JSON string of the event: it cannot
				// carry invalid UTF-8, which the event's decoder
				// replaces before the payload decoder sees it.
				if p.source == "sqs" && !utf8.Valid(data) {
					p.tally.skipped++
					continue
				}
				got, err := tg.invoke(p.source, data)
				if err != nil {
					t.Fatalf("%s: %s: %v", p.tally.name, where, err)
				}
				if diff := p.tally.add(c.name, want, got); diff != "" {
					t.Errorf("%s: %s: %s", p.tally.name, where, diff)
				}
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "differences from encoding/json, %d inputs into %d types:\n\n", len(diffCases), len(targets))
	b.WriteString("| decoder | cases | differ | inputs that differ | other value | error or not | of which accepts what encoding/json rejects | panics |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, tl := range append(tallies, plan, sqs, kinesis) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %d |\n",
			tl.name, tl.cases, tl.total(), len(tl.inputs), tl.values, tl.errs, tl.acceptsInvalid, tl.panics)
	}
	t.Log(b.String())
	if plan.skipped > 0 {
		t.Logf("the library leaves %d of the cases' types to encoding/json", plan.skipped/len(diffCases))
	}
}
