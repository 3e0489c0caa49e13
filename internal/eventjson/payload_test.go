//go:build !goexperiment.jsonv2

package eventjson_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// zooType runs the payload decoder and encoding/json on the same bytes for
// one type of the zoo.
type zooType struct {
	name string
	run  func(data []byte) (got, want any, gotErr, wantErr error)
}

// errPanic marks a panic of the payload decoder, which must never happen.
type errPanic struct{ v any }

func (e errPanic) Error() string { return fmt.Sprintf("panic: %v", e.v) }

func zooCase[T any](name string) zooType {
	t := reflect.TypeOf((*T)(nil)).Elem()
	plan, err := eventjson.PlanFor(t)
	if err != nil {
		panic(fmt.Sprintf("zoo type %v has no plan: %v", t, err))
	}
	return zooType{name: name, run: func(data []byte) (got, want any, gotErr, wantErr error) {
		var w T
		wantErr = stdUnmarshal(data, &w)
		var g T
		func() {
			defer func() {
				if p := recover(); p != nil {
					gotErr = errPanic{p}
				}
			}()
			gotErr = plan.Decode(data, &g)
		}()
		return g, w, gotErr, wantErr
	}}
}

// stdUnmarshal is json.Unmarshal, with a panic counted as an error.
func stdUnmarshal(data []byte, v any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("encoding/json panicked: %v", p)
		}
	}()
	return json.Unmarshal(data, v)
}

// zooFold has fields whose names fold alike, to check which one a key
// selects: the exact name first, else the first field in order.
type zooFold struct {
	Name  string `json:"name"`
	NAME  string `json:"NAME"`
	Nãme  string
	Kelvi string `json:"Kelvin"`
	Sku   string `json:"sku"`
}

var zoo = []zooType{
	zooCase[zooOrder]("order"),
	zooCase[zooEvent]("event"),
	zooCase[zooTree]("tree"),
	zooCase[zooScalars]("scalars"),
	zooCase[zooEnvelope]("envelope"),
	zooCase[zooFold]("fold"),
	zooCase[*zooOrder]("*order"),
	zooCase[[]zooItem]("[]item"),
	zooCase[map[string]zooItem]("map[string]item"),
	zooCase[map[string]any]("map[string]any"),
	zooCase[any]("any"),
	zooCase[[2]int]("[2]int"),
	zooCase[string]("string"),
	zooCase[json.Number]("json.Number"),
	zooCase[float32]("float32"),
	zooCase[[]byte]("[]byte"),
	zooCase[time.Time]("time.Time"),
	zooCase[zooKind]("kind"),
	zooCase[json.RawMessage]("json.RawMessage"),
	zooCase[struct {
		time.Time
		N int
	}]("struct embedding time.Time"),
}

func zooNamed(t testing.TB, name string) zooType {
	for _, z := range zoo {
		if z.name == name {
			return z
		}
	}
	t.Fatalf("no zoo type %q", name)
	return zooType{}
}

// compareTyped fails t unless the payload decoder and encoding/json both
// fail on data for type z, or both succeed with deeply equal values. It
// reports whether encoding/json succeeded.
func compareTyped(t testing.TB, z zooType, data []byte) bool {
	t.Helper()
	got, want, gotErr, wantErr := z.run(data)
	if _, ok := gotErr.(errPanic); ok {
		t.Fatalf("%s: %q: the payload decoder %v", z.name, data, gotErr)
	}
	switch {
	case wantErr != nil && gotErr == nil:
		t.Errorf("%s: %q: got %#v and no error, want an error as encoding/json gives (%v)", z.name, data, got, wantErr)
	case wantErr == nil && gotErr != nil:
		t.Errorf("%s: %q: got error %v, want %#v as encoding/json decodes it", z.name, data, gotErr, want)
	case wantErr == nil && !reflect.DeepEqual(got, want):
		t.Errorf("%s: %q:\n got %#v\nwant %#v", z.name, data, got, want)
	}
	return wantErr == nil
}

// typedCase is a hand-picked payload for one zoo type, with whether
// encoding/json accepts it (a check that the case tests what it means to).
type typedCase struct {
	zoo  string
	json string
	ok   bool
}

func typedCases() []typedCase {
	deep := func(n int, open, close string) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	return []typedCase{
		// Keys: exact, then case-insensitive with Unicode folding.
		{"order", `{"id":"a","ID":"b"}`, true},
		{"order", `{"ID":"b"}`, true},
		{"order", `{"\u0069d":"escaped key"}`, true},
		{"order", `{"notes":"lower","NOTES":"upper","Notes":"exact"}`, true},
		{"order", `{"K":"upper k","\u212a":"kelvin sign"}`, true},
		{"order", `{"έλληνας":"greek, folded","ΈΛΛΗΝΑΣ":"upper"}`, true},
		{"order", `{"ſtrange":1,"STRANGE":2,"internal":"x","Ignored":"x","-":"dash"}`, true},
		{"fold", `{"name":"a"}`, true},
		{"fold", `{"NAME":"a"}`, true},
		{"fold", `{"Name":"a"}`, true},
		{"fold", `{"nAME":"a","NãME":"b","NÃME":"c"}`, true},
		{"fold", `{"kelvin":"k","\u212aelvin":"K","ſku":"s","SKU":"S"}`, true},
		{"fold", "{\"na\xffme\":\"invalid UTF-8 key\",\"n\\ud800ame\":\"lone surrogate key\"}", true},
		// Repeated keys: the last wins for scalars; slices, maps, structs
		// and pointers are decoded into what is there.
		{"order", `{"id":"a","id":"b","total":1,"total":2}`, true},
		{"order", `{"items":[{"sku":"a","qty":1},{"sku":"b"}],"items":[{"qty":2}]}`, true},
		{"order", `{"items":[{"sku":"a"},{"sku":"b"}],"items":[{}],"items":[{},{}]}`, true},
		{"order", `{"items":[{"attrs":{"a":"1"}}],"items":[{"attrs":{"b":"2"}}]}`, true},
		{"order", `{"meta":{"a":1},"meta":{"b":2}}`, true},
		{"order", `{"labels":{"a":"1"},"labels":{"b":"2","a":"3"}}`, true},
		{"order", `{"customer":{"id":"c","tags":["x","y"]},"customer":{"email":"e","tags":["z"]}}`, true},
		{"order", `{"customer":{"id":"c"},"customer":null,"customer":{"tier":"t"}}`, true},
		{"order", `{"matrix":[[1,2],[3]],"matrix":[[9],[8,7,6]]}`, true},
		{"order", `{"flags":[true,true,true],"flags":[false]}`, true},
		{"order", `{"raw":{"a":1},"raw":[1,2]}`, true},
		{"order", `{"extra":{"a":1},"extra":[1]}`, true},
		{"*order", `{"id":"a"}`, true},
		{"tree", `{"name":"r","children":[{"name":"a","children":[{"name":"b"}]}],"children":[{"parent":{"name":"p"}}]}`, true},
		{"tree", `{"Attrs":{"x":{"name":"x"},"y":null}}`, true},
		{"map[string]item", `{"a":{"sku":"1"},"a":{"qty":2}}`, true},
		// null.
		{"order", `{"id":null,"total":null,"paid":null,"customer":null,"items":null,"meta":null,"extra":null,"raw":null,"blob":null,"created":null,"updated":null,"flags":null,"kind":null,"price":null,"priceP":null,"amount":null}`, true},
		{"order", `{"id":"a","id":null,"items":[{"sku":"x"}],"items":null,"flags":[true],"flags":null}`, true},
		{"scalars", `{"Err":null,"Ch":null,"C128":null,"PPS":null,"PI":null,"Any":null}`, true},
		{"[]item", `null`, true},
		{"[]item", `[null,{"sku":"a"},null]`, true},
		{"any", `null`, true},
		{"string", `null`, true},
		{"time.Time", `null`, true},
		{"json.RawMessage", `null`, true},
		{"kind", `null`, true},
		// Numbers into integers: an integer literal in range.
		{"scalars", `{"I":-0,"I8":-128,"I16":32767,"I32":-2147483648,"I64":9223372036854775807,"U":0,"U8":255,"U16":65535,"U32":4294967295,"U64":18446744073709551615,"UP":7}`, true},
		{"scalars", `{"I64":-9223372036854775808}`, true},
		{"scalars", `{"I64":9223372036854775808}`, false},
		{"scalars", `{"I64":-9223372036854775809}`, false},
		{"scalars", `{"U64":18446744073709551616}`, false},
		{"scalars", `{"U64":99999999999999999999}`, false},
		{"scalars", `{"I":100000000000000000000}`, false},
		{"scalars", `{"I8":128}`, false},
		{"scalars", `{"I8":-129}`, false},
		{"scalars", `{"U8":256}`, false},
		{"scalars", `{"U":-0}`, false},
		{"scalars", `{"U":-1}`, false},
		{"scalars", `{"I":1e2}`, false},
		{"scalars", `{"I":1.0}`, false},
		{"scalars", `{"I":1E0}`, false},
		{"scalars", `{"I":"1"}`, false},
		{"scalars", `{"I":true}`, false},
		{"order", `{"count":300}`, false},
		{"order", `{"small":-128,"count":0}`, true},
		// Floats: ParseFloat's range.
		{"scalars", `{"F64":1.7976931348623157e308,"F32":3.4028234e38,"F64":-0,"F32":1e-46}`, true},
		{"scalars", `{"F64":1e309}`, false},
		{"scalars", `{"F64":-1e309}`, false},
		{"scalars", `{"F32":3.5e38}`, false},
		{"scalars", `{"F64":1e-400,"F64":4.9e-324,"F64":0.1e-10,"F64":123456789012345678901234567890}`, true},
		{"float32", `16777217`, true},
		{"float32", `1e39`, false},
		{"scalars", `{"F64":"1"}`, false},
		// Strings: escapes, surrogates, invalid UTF-8.
		{"string", `"plain"`, true},
		{"string", `"\"\\\/\b\f\n\r\t\u00e9\u20ac\ud83d\ude00"`, true},
		{"string", `"\ud800"`, true},
		{"string", `"\udc00\ud800x"`, true},
		{"string", `"\ud800\u0041"`, true},
		{"string", "\"\xff\xfe\xc0\x80\xed\xa0\x80\"", true},
		{"string", "\"caf\xc3\xa9 \xe2\x82\"", true},
		{"string", "\"tab\there\"", false},
		{"string", `"\x41"`, false},
		{"string", `"\u12"`, false},
		{"string", `"\'"`, false},
		{"string", `"unterminated`, false},
		{"string", `"` + strings.Repeat("long string é ", 200) + `"`, true},
		{"string", `1`, false},
		{"string", `{}`, false},
		// []byte: standard base64, or an array of numbers.
		{"[]byte", `"aGVsbG8gd29ybGQ="`, true},
		{"[]byte", `"aGVs\nbG8g\r\nd29ybGQ="`, true},
		{"[]byte", `"aGVsbG8gd29ybGQ"`, false},
		{"[]byte", `"aGVsbG8-_w=="`, false},
		{"[]byte", `""`, true},
		{"[]byte", `[1,2,255]`, true},
		{"[]byte", `[256]`, false},
		{"[]byte", `[-1]`, false},
		{"[]byte", `[]`, true},
		{"[]byte", `[null,1]`, true},
		{"[]byte", `{}`, false},
		{"scalars", `{"bs":"AAE=","arr":[1,2,3],"ints":[1,2]}`, true},
		{"scalars", `{"arr":"AAE="}`, false},
		// Arrays: extra elements dropped (unchecked), missing ones zeroed.
		{"[2]int", `[1]`, true},
		{"[2]int", `[1,2,3,"x",{"y":[1e999]}]`, true},
		{"[2]int", `[1,"x"]`, false},
		{"[2]int", `[]`, true},
		{"[2]int", `{}`, false},
		{"order", `{"flags":[true],"flags":[]}`, true},
		// interface{}.
		{"any", `{"a":[1,"x",true,null,{"b":2.5}],"c":{}}`, true},
		{"any", `[1e308,-0,0.5]`, true},
		{"any", `[1e309]`, false},
		{"any", `{"a":1,"a":{"b":2}}`, true},
		{"map[string]any", `{"a":{"b":[]}}`, true},
		{"map[string]any", `[]`, false},
		{"order", `{"extra":1e400}`, false},
		{"order", `{"unknown":1e400}`, true},
		// Maps with integer keys.
		{"order", `{"scores":{"1":1.5,"-2":2,"+3":3,"04":4},"counts":{"65535":1,"0":2}}`, true},
		{"order", `{"scores":{"x":1}}`, false},
		{"order", `{"scores":{"1.5":1}}`, false},
		{"order", `{"scores":{" 1":1}}`, false},
		{"order", `{"scores":{"9223372036854775808":1}}`, false},
		{"order", `{"counts":{"65536":1}}`, false},
		{"order", `{"counts":{"-0":1}}`, false},
		{"scalars", `{"mi8":{"127":"a","-128":"b"},"MS":{"3":3}}`, true},
		{"scalars", `{"mi8":{"128":"a"}}`, false},
		{"order", `{"scores":{}}`, true},
		// The ",string" option.
		{"order", `{"version":"12","priority":"5","flagged":"true","label":"\"x\\u00e9\"","weight":"1.5"}`, true},
		{"order", `{"version":12}`, false},
		{"order", `{"version":"1e2"}`, false},
		{"order", `{"version":"012"}`, true},
		{"order", `{"version":"+12"}`, false},
		{"order", `{"version":" 12"}`, false},
		{"order", `{"version":""}`, false},
		{"order", `{"version":"null","version":null,"priority":"7","priority":"null"}`, true},
		{"order", `{"priority":"7","priority":null}`, true},
		{"order", `{"priority":"nul"}`, false},
		{"order", `{"flagged":"1"}`, false},
		{"order", `{"flagged":true}`, false},
		{"order", `{"label":"x"}`, false},
		{"order", `{"label":"\"it\\'s\""}`, true},
		{"order", `{"label":"\"a\"b\""}`, false},
		{"order", `{"label":"\"a\\"}`, false},
		{"order", `{"weight":"-Inf"}`, true},
		{"order", `{"weight":"Inf"}`, false},
		{"order", `{"weight":"1e39"}`, false},
		{"order", `{"weight":"0x1p-2"}`, true},
		{"order", `{"label":"true"}`, false},
		{"order", `{"label":"12"}`, false},
		{"order", `{"label":{"a":1}}`, false},
		{"scalars", `{"QI8":"-128","QU16":"65535","QF64":"1.5e3","QN":"12abc","QPS":"\"s\"","QPB":"false"}`, true},
		{"scalars", `{"QN":"\"12\""}`, true},
		{"scalars", `{"QN":"\"1x\""}`, false},
		{"scalars", `{"QN":"x"}`, false},
		{"scalars", `{"QPS":"null","QPB":"null"}`, true},
		{"scalars", `{"QPS":"s"}`, false},
		{"scalars", `{"QU16":"-0"}`, false},
		{"scalars", `{"QI8":"128"}`, false},
		// json.Number.
		{"json.Number", `12.5e3`, true},
		{"json.Number", `"12"`, true},
		{"json.Number", `"-0.5E+7"`, true},
		{"json.Number", `""`, false},
		{"json.Number", `"abc"`, false},
		{"json.Number", `"1."`, false},
		{"json.Number", `"01"`, false},
		{"json.Number", `"1e"`, false},
		{"json.Number", `true`, false},
		{"order", `{"amount":"12.50","amount":12.5}`, true},
		// Embedded structs.
		{"event", `{"createdBy":"a","UpdatedBy":"b","source":"s","Source":"S","traceId":"t","span":1,"region":"r","account":"c","depth":2,"Region":"R"}`, true},
		{"event", `{"Dup":"dropped","OnlyA":"a","OnlyB":"b","named":{"a":1,"B":[1]},"a":2}`, true},
		{"event", `{"type":"x","When":"2026-11-22T07:00:00Z","data":{"k":[1,2]}}`, true},
		{"event", `{"span":null}`, true},
		{"event", `{"traceId":1}`, false},
		{"struct embedding time.Time", `{"N":1,"Time":"2026-11-22T07:00:00Z"}`, false}, // the pointer has time.Time's UnmarshalJSON
		{"struct embedding time.Time", `"2026-11-22T07:00:00Z"`, true},
		// Types that decode themselves.
		{"order", `{"price":1234,"priceP":"12.34","kind":"GOLD"}`, true},
		{"order", `{"price":"x"}`, false},
		{"order", `{"priceP":null}`, true},
		{"order", `{"priceP":5,"priceP":null,"priceP":6}`, true},
		{"order", `{"kind":"\u0047old"}`, true},
		{"order", `{"kind":5}`, false},
		{"order", `{"kind":"much too long a kind"}`, false},
		{"order", `{"kind":["x"]}`, false},
		{"order", `{"created":"2026-11-22T07:00:00Z","updated":"2026-11-22T07:00:00.123+02:00"}`, true},
		{"order", `{"created":"yesterday"}`, false},
		{"order", `{"created":1732262400}`, false},
		{"time.Time", `"2026-11-22T07:00:00Z"`, true},
		{"time.Time", `"2026-11-22"`, false},
		{"kind", `"Silver"`, true},
		{"kind", `1`, false},
		{"json.RawMessage", ` {"a" : [1, 2]} `, true},
		{"envelope", `{"version":"0","id":"e","detail-type":"OrderPlaced","source":"shop","time":"2026-11-22T07:00:00Z","resources":[],"detail":{"id":"o"}}`, true},
		// Other kinds: only null decodes into an interface with methods, a
		// channel or a complex number.
		{"scalars", `{"Err":{}}`, false},
		{"scalars", `{"Err":"x"}`, false},
		{"scalars", `{"Ch":1}`, false},
		{"scalars", `{"C128":1}`, false},
		{"scalars", `{"PPS":"s","PPS":"t","PI":1,"PF":2.5}`, true},
		// Wrong JSON types, malformed JSON, and text after the value.
		{"order", `[]`, false},
		{"order", `"order"`, false},
		{"order", `1`, false},
		{"order", `true`, false},
		{"order", `{"id":1}`, false},
		{"order", `{"items":{}}`, false},
		{"order", `{"customer":[]}`, false},
		{"order", `{"meta":[]}`, false},
		{"order", `{"paid":"true"}`, false},
		{"order", `{"id":"a",}`, false},
		{"order", `{"id":"a"`, false},
		{"order", `{"id" "a"}`, false},
		{"order", `{id:"a"}`, false},
		{"order", `{"id":"a"} x`, false},
		{"order", `{"id":"a"}}`, false},
		{"order", " {\"id\":\"a\"} \n\t\r", true},
		{"order", "{\"id\":\"a\"}\v", false},
		{"order", `{"unknown":[1,{"a":tru}]}`, false},
		{"order", `{"unknown":01}`, false},
		{"order", ``, false},
		{"order", `nul`, false},
		{"[]item", `[{"sku":"a"},]`, false},
		{"[]item", `[{"sku":"a"} {"sku":"b"}]`, false},
		// Depth: encoding/json allows 10,000 levels of nesting.
		{"any", deep(10000, "[", "]"), true},
		{"any", deep(10001, "[", "]"), false},
		{"order", `{"unknown":` + deep(9999, "[", "]") + `}`, true},
		{"order", `{"unknown":` + deep(10000, "[", "]") + `}`, false},
		{"order", `{"raw":` + deep(9999, "[", "]") + `}`, true},
		{"order", `{"raw":` + deep(10000, "[", "]") + `}`, false},
		{"order", `{"extra":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat(`}`, 9999) + `}`, true},
		{"tree", strings.Repeat(`{"children":[`, 4999) + strings.Repeat(`]}`, 4999), true},
		{"tree", strings.Repeat(`{"children":[`, 5001) + strings.Repeat(`]}`, 5001), false},
	}
}

// TestTypedDecodeMatchesEncodingJSON decodes every hand-picked case with
// the payload decoder and encoding/json: the same value, or both fail.
func TestTypedDecodeMatchesEncodingJSON(t *testing.T) {
	for _, c := range typedCases() {
		z := zooNamed(t, c.zoo)
		name := c.json
		if len(name) > 60 {
			name = name[:60] + "…"
		}
		t.Run(c.zoo+"/"+name, func(t *testing.T) {
			if ok := compareTyped(t, z, []byte(c.json)); ok != c.ok {
				t.Errorf("encoding/json accepted it: %v, want %v (the case does not test what it says)", ok, c.ok)
			}
		})
	}
}

// TestTypedDecodeEveryZooType runs each case on every zoo type, where
// most fail with a type error, which must be a failure of both.
func TestTypedDecodeEveryZooType(t *testing.T) {
	for _, c := range typedCases() {
		for _, z := range zoo {
			compareTyped(t, z, []byte(c.json))
		}
	}
}
