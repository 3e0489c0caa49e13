package dynamodbav_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/dynamodbav"
)

// The tests of this file decode the JSON of images with decodeImageJSON
// and compare the outcome with that of json.Unmarshal into aws-lambda-go's
// map followed by decodeImage (the reference), which the other tests
// compare with attributevalue.

// lambdaMap is json.Unmarshal of img into aws-lambda-go's attribute
// values; its panics (on some bad binary sets) are errors.
func lambdaMap(img []byte) (m map[string]events.DynamoDBAttributeValue, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("aws-lambda-go panicked: %v", r)
		}
	}()
	err = json.Unmarshal(img, &m)
	return m, err
}

// compareJSON decodes img into a new value of type typ with decodeImageJSON
// and with the reference, and describes how they differ; "" if they agree:
// both fail with the same error text, or both succeed with equal values;
// when json.Unmarshal rejects img, decodeImageJSON must fail, with any
// error. When an image has several attributes that fail, or two that fill
// one field, the reference's outcome depends on map order: it is decoded
// again, up to 200 times, until it gives the outcome of decodeImageJSON.
func compareJSON(img []byte, typ reflect.Type) (route, diff string) {
	got := reflect.New(typ)
	route, gotErr := dynamodbav.DecodeImageJSONBy(img, got.Interface())
	m, lambdaErr := lambdaMap(img)
	if lambdaErr != nil {
		if gotErr == nil {
			return route, fmt.Sprintf("got %s, want an error, as json.Unmarshal fails (%v)", show(got.Elem()), lambdaErr)
		}
		return route, ""
	}
	for try := 0; try < 200; try++ {
		want := reflect.New(typ)
		_, wantErr := dynamodbav.DecodeImageBy(m, want.Interface())
		var d string
		switch {
		case (gotErr == nil) != (wantErr == nil):
			d = fmt.Sprintf("got error %v, want %v", gotErr, wantErr)
		case gotErr != nil && gotErr.Error() != wantErr.Error():
			d = fmt.Sprintf("got error %q, want %q", gotErr, wantErr)
		case gotErr == nil && !same(got, want):
			d = fmt.Sprintf("got %s, want %s", show(got.Elem()), show(want.Elem()))
		}
		if d == "" {
			return route, ""
		}
		if try == 0 {
			diff = d
		}
	}
	if gotErr != nil && diff != "" && failsAlone(m, typ, gotErr) {
		// Map order may put that attribute first seldom, or never in
		// 200 draws; alone, it fails as decodeImageJSON says.
		return route, ""
	}
	return route, diff
}

// failsAlone reports whether the top-level attribute that err names fails
// with err when it is the image's only attribute: then err is an outcome
// of decodeImage on the whole image, which meets that attribute first in
// some map order.
func failsAlone(m map[string]events.DynamoDBAttributeValue, typ reflect.Type, err error) bool {
	msg := err.Error()
	const prefix = "attribute "
	i := strings.Index(msg, prefix)
	if i < 0 {
		return false
	}
	name := msg[i+len(prefix):]
	name = name[:strings.IndexAny(name+":", ".[:")]
	av, ok := m[name]
	if !ok {
		return false
	}
	_, aloneErr := dynamodbav.DecodeImageBy(map[string]events.DynamoDBAttributeValue{name: av}, reflect.New(typ).Interface())
	return aloneErr != nil && aloneErr.Error() == msg
}

// jsonRoute is the route of decodeImageJSON for an image the reference
// decodes by route.
func jsonRoute(route string) string {
	switch route {
	case "delegate":
		return "json+delegate"
	case "redo":
		return "json+redo"
	}
	return "json"
}

// A jsonValue is a JSON value read token by token, so that an object keeps
// its members in order, repeated keys included.
type jsonValue struct {
	delim  json.Delim // '{' or '[', 0 for a scalar
	scalar any        // string, json.Number, bool or nil
	keys   []string   // of an object
	elems  []*jsonValue
}

// readJSON reads the next value of dec.
func readJSON(dec *json.Decoder) (*jsonValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return &jsonValue{scalar: tok}, nil
	}
	v := &jsonValue{delim: d}
	for dec.More() {
		if d == '{' {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v.keys = append(v.keys, k.(string))
		}
		e, err := readJSON(dec)
		if err != nil {
			return nil, err
		}
		v.elems = append(v.elems, e)
	}
	_, err = dec.Token() // the closing delimiter
	return v, err
}

// A jsonStyle says how to write a jsonValue back: with whitespace around
// every token, with every character of strings escaped as \uXXXX, and with
// the members of objects in reverse order.
type jsonStyle struct{ spaced, escaped, reversed bool }

// write writes v to b in style s.
func (v *jsonValue) write(b *bytes.Buffer, s jsonStyle) {
	space := func() {
		if s.spaced {
			b.WriteString(" \n\t\r ")
		}
	}
	space()
	switch v.delim {
	case 0:
		switch x := v.scalar.(type) {
		case string:
			writeString(b, x, s.escaped)
		case json.Number:
			b.WriteString(string(x))
		default:
			j, _ := json.Marshal(x)
			b.Write(j)
		}
	case '[':
		b.WriteByte('[')
		for i, e := range v.elems {
			if i > 0 {
				space()
				b.WriteByte(',')
			}
			e.write(b, s)
			space()
		}
		b.WriteByte(']')
	case '{':
		b.WriteByte('{')
		for n := range v.elems {
			i := n
			if s.reversed {
				i = len(v.elems) - 1 - n
			}
			if n > 0 {
				space()
				b.WriteByte(',')
				space()
			}
			writeString(b, v.keys[i], s.escaped)
			space()
			b.WriteByte(':')
			v.elems[i].write(b, s)
			space()
		}
		b.WriteByte('}')
	}
	space()
}

// writeString writes s as a JSON string, every character escaped if
// escaped (as a surrogate pair beyond the BMP).
func writeString(b *bytes.Buffer, s string, escaped bool) {
	if !escaped {
		j, _ := json.Marshal(s)
		b.Write(j)
		return
	}
	b.WriteByte('"')
	for _, r := range s {
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04X`, r1, r2)
			continue
		}
		fmt.Fprintf(b, `\u%04x`, r)
	}
	b.WriteByte('"')
}

// variants are img written in other ways that json.Unmarshal reads as img
// (reversed, as long as img has no repeated key): as aws-lambda-go's
// MarshalJSON writes it, spaced, escaped, reversed.
func variants(t testing.TB, img []byte) [][]byte {
	t.Helper()
	m, err := lambdaMap(img)
	if err != nil {
		t.Fatalf("image %s: %v", img, err)
	}
	marshalled, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(img))
	dec.UseNumber()
	v, err := readJSON(dec)
	if err != nil {
		t.Fatal(err)
	}
	out := [][]byte{marshalled}
	for _, s := range []jsonStyle{{spaced: true}, {escaped: true}, {reversed: true}, {true, true, true}} {
		var b bytes.Buffer
		v.write(&b, s)
		out = append(out, b.Bytes())
	}
	return out
}

// Each sample, as the only attribute of an image, into each field of wide,
// as TestEveryValueIntoEveryField; the samples aws-lambda-go cannot make
// from JSON (badSamples) are left out.
func TestImageJSONEveryValueIntoEveryField(t *testing.T) {
	typ := reflect.TypeFor[wide]()
	failures, runs, errs := 0, 0, 0
	for _, name := range attributeNames(typ) {
		for _, attr := range []string{name, strings.ToLower(name)} {
			key, _ := json.Marshal(attr)
			for _, sname := range sortedKeys(samples) {
				img := []byte(`{` + string(key) + `: ` + samples[sname] + `}`)
				imgs := [][]byte{img}
				if attr == name {
					imgs = append(imgs, variants(t, img)...)
				}
				for _, j := range imgs {
					route, diff := compareJSON(j, typ)
					runs++
					if route != "json" {
						t.Fatalf("%s: decoded by %s, want json", j, route)
					}
					if diff != "" {
						failures++
						t.Errorf("%s: %s", j, diff)
						if failures > 40 {
							t.Fatal("too many failures")
						}
					}
					if _, err := dynamodbav.DecodeImageJSONBy(j, new(wide)); err != nil {
						errs++
					}
				}
			}
		}
	}
	if errs < runs/10 || errs > runs*9/10 {
		t.Errorf("got %d errors in %d decodings, want between 10 %% and 90 %%", errs, runs)
	}
}

// Each image of TestEveryImageIntoEveryType, in several writings, into each
// of its types, by the routes the reference takes.
func TestImageJSONEveryImageIntoEveryType(t *testing.T) {
	for _, r := range roots {
		for i, j := range images {
			for k, img := range append([][]byte{[]byte(j)}, variants(t, []byte(j))...) {
				route, diff := compareJSON(img, r.typ)
				if want := jsonRoute(r.route); route != want {
					t.Errorf("%s, image %d.%d: decoded by %s, want %s", r.typ, i, k, route, want)
				}
				if diff != "" {
					t.Errorf("%s, image %d.%d %s: %s", r.typ, i, k, img, diff)
				}
			}
		}
	}
}

// The images of TestDecodedValues, TestErrorsNameTheAttribute,
// TestAttributesSharingAFieldAreLeftToAttributevalue and the benchmarks,
// with their types and the route decodeImageJSON should take ("" for any).
var jsonCases = []struct {
	image string
	into  reflect.Type
	route string
}{
	{embedsImage, reflect.TypeFor[embeds](), "json"},
	{`{"Extra": {"NULL": true}}`, reflect.TypeFor[embeds](), "json"},
	{`{"Extra": {"N": "1"}}`, reflect.TypeFor[embeds](), "json"},
	{twiceImage, reflect.TypeFor[twice](), "json"},
	{`{"SKU": {"S": "bulb"}, "Qty": {"N": "2"}}`, reflect.TypeFor[part](), "json"},
	{unmarshalersImage, reflect.TypeFor[withUnmarshalers](), "json"},
	{`{"PU": {"NULL": true}, "U": {"NULL": true}}`, reflect.TypeFor[withUnmarshalers](), "json"},
	{`{"a": {"N": "12"}, "b": {"L": [{"N": "1"}]}}`, reflect.TypeFor[map[string]any](), "json"},
	{`{"a": {"NULL": true}}`, reflect.TypeFor[map[string]*part](), "json"},
	{`{"s": {"SS": ["x"]}, "n": {"NS": ["2"]}, "b": {"BS": ["AQI="]}}`, reflect.TypeFor[map[string]any](), "json"},
	{`{"AsStr": {"S": "42"}, "AsStrA": {"S": "1.5"}, "AsStrS": {"S": "s"}}`, reflect.TypeFor[wide](), "json"},
	{`{"UnixT": {"N": "0"}, "Time": {"S": "2023-01-02T03:04:05Z"}, "PTime": {"N": "60"}}`, reflect.TypeFor[wide](), "json"},
	{`{"Arr2": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}, "ArrS": {"SS": ["a"]}}`, reflect.TypeFor[wide](), "json"},
	{`{"Strs": {"SS": []}, "Ints": {"L": []}, "Bytes": {"B": ""}}`, reflect.TypeFor[wide](), "json"},
	{`{"stock": {"S": "many"}}`, reflect.TypeFor[item](), "json"},
	{`{"parts": {"L": [{"M": {"qty": {"N": "1"}}}, {"M": {"qty": {"N": "1e400"}}}]}}`, reflect.TypeFor[item](), "json"},
	{`{"Int8": {"N": "300"}}`, reflect.TypeFor[wide](), "json"},
	{`{"Times": {"SS": ["2023-01-02T03:04:05Z", "yesterday"]}}`, reflect.TypeFor[wide](), "json"},
	{`{"MapIS": {"M": {"one": {"S": "x"}}}}`, reflect.TypeFor[wide](), "json"},
	{`{"a": {"M": {"b": {"L": [{"NS": ["1", "x"]}]}}}}`, reflect.TypeFor[map[string]any](), "json"},
	{`{"U": {"BOOL": true}}`, reflect.TypeFor[withUnmarshalers](), "json"},
	{`{"panic": {"S": "x"}}`, reflect.TypeFor[withUnmarshalers](), "json"},
	{`{"Stringer": {"S": "x"}}`, reflect.TypeFor[wide](), "json"},
	{`{"Arr4": {"B": "AQI="}}`, reflect.TypeFor[wide](), "json"},
	{`{"parts": {"L": [{"M": {"qty": {"BOOL": true}}}]}}`, reflect.TypeFor[item](), "json"},
	{`{"P": {"NULL": true}, "Name": {"S": "n"}}`, reflect.TypeFor[withSelfPointer](), "json"},
	{`{"P": {"S": "x"}, "Name": {"S": "n"}}`, reflect.TypeFor[withSelfPointer](), "json"},
	{fullImage, reflect.TypeFor[item](), "json"},
	{fullImage, reflect.TypeFor[map[string]any](), "json"},
	{orderImage(7), reflect.TypeFor[order](), "json"},
	{orderImage(8), reflect.TypeFor[dynamodbav.Change[order]](), "json"},
	{`{"Name": {"S": "a"}, "name": {"S": "b"}}`, reflect.TypeFor[node](), "json+redo"},
	{`{"NAME": {"S": "a"}, "name": {"S": "b"}}`, reflect.TypeFor[node](), "json+redo"},
	{`{"Kids": {"L": [{"M": {"Name": {"S": "a"}, "nAme": {"S": "b"}}}]}}`, reflect.TypeFor[node](), "json+redo"},
	{`{"name": {"S": "a"}}`, reflect.TypeFor[node](), "json"},
	{`{"name": {"BOOL": true}, "Name": {"S": "x"}}`, reflect.TypeFor[node](), "json+redo"},
	{`{"Name": {"S": "x"}, "name": {"BOOL": true}}`, reflect.TypeFor[node](), "json+redo"},
	{`{"Kids": {"L": [{"M": {"nAme": {"L": []}, "Name": {"S": "a"}}}]}, "Next": {"S": "x"}}`, reflect.TypeFor[node](), ""},
	{`{"Keys": {"M": {"a": {"S": "x"}}}, "Name": {"S": "n"}}`, reflect.TypeFor[withTextKeys](), "json"},
	{`{"kelvin": {"S": "k"}, "ſtring": {"S": "s"}, "Ascii": {"S": "a"}}`, reflect.TypeFor[foldedNames](), "json"},
	{`{"Name": {"S": "n"}}`, reflect.TypeFor[unmarshalsWhole](), "json+delegate"},
	{`{"Visible": {"S": "v"}}`, reflect.TypeFor[hiddenPointer](), "json+delegate"},
}

// foldedNames has field names that attribute names of other lengths
// equal, ignoring case: the first letter of Kelvin is the Kelvin sign,
// U+212A, a k; an attribute name can begin String with a long s, U+017F.
type foldedNames struct {
	Kelvin string
	String string
	Ascii  string
}

// The images of jsonCases, in several writings, decode as the reference
// decodes them, by the routes given.
func TestImageJSONCases(t *testing.T) {
	for _, c := range jsonCases {
		for k, img := range append([][]byte{[]byte(c.image)}, variants(t, []byte(c.image))...) {
			route, diff := compareJSON(img, c.into)
			_, errBy := dynamodbav.DecodeImageJSONBy(img, reflect.New(c.into).Interface())
			if err := dynamodbav.DecodeImageJSON(img, reflect.New(c.into).Interface()); fmt.Sprint(err) != fmt.Sprint(errBy) && route != "json+redo" {
				t.Errorf("%s into %s: decodeImageJSON gave %v, decodeImageJSONBy %v", img, c.into, err, errBy)
			}
			if c.route != "" && route != c.route {
				t.Errorf("%s into %s (writing %d): decoded by %s, want %s", c.image, c.into, k, route, c.route)
			}
			if diff != "" {
				t.Errorf("%s into %s (writing %d): %s", img, c.into, k, diff)
			}
		}
	}
}

// jsonTypes are the types hand-written images are decoded into.
var jsonTypes = append([]reflect.Type{
	reflect.TypeFor[map[string]string](),
	reflect.TypeFor[map[string][]byte](),
	reflect.TypeFor[map[string]*part](),
	reflect.TypeFor[order](),
	reflect.TypeFor[any](),
}, fuzzTypes...)

// Images written by hand: escapes, Unicode and invalid UTF-8, repeated
// keys, key order, whitespace, odd but valid attribute values, and JSON or
// attribute values aws-lambda-go rejects. Each goes into every type of
// jsonTypes; route is the route wanted for all of them, "" for any.
func TestImageJSONHandWritten(t *testing.T) {
	cases := []struct {
		name, image, route string
	}{
		{"escapes", `{"pk": {"S": "a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00\u0000"}}`, "json"},
		{"escaped key", `{"\u0070k": {"S": "x"}, "n\u0061me": {"S": "y"}, "\u00e9": {"N": "1"}}`, "json"},
		{"escaped data type", `{"pk": {"\u0053": "x"}, "stock": {"\u004e": "2"}, "tags": {"S\u0053": ["x"]}}`, "json"},
		{"escaped base64", `{"blob": {"B": "AQ\u0049D"}, "Bytes": {"B": "aGVs\nbG8="}, "bs": {"BS": ["AQ\r\nID"]}}`, "json"},
		{"unicode", `{"name": {"S": "Grüße, 世界 😀"}, "Grüße": {"S": "ключ"}}`, "json"},
		{"invalid UTF-8", "{\"name\": {\"S\": \"a\xffb\xc0\x80c\xed\xa0\x80d\xe2\x82\"}, \"k\xfe\": {\"S\": \"x\"}}", "json"},
		{"invalid UTF-8 keys that decode alike", "{\"k\xfe\": {\"S\": \"x\"}, \"k\xff\": {\"S\": \"y\"}}", "fallback"},
		{"lone surrogates", `{"name": {"S": "\ud800 \udc00 \ud800\u0041 \udc00\ud800 \ud83d\ude00 \ud800\ud800\udc00 \ud800\\"}}`, "json"},
		{"surrogate then not an escape", `{"name": {"S": "\ud83d\u00e9\ud83d"}}`, "json"},
		{"whitespace", " \t\r\n{ \"pk\" \n: { \"S\" :\t\"x\" } ,\r\"tags\":{\"SS\":[ \"a\" , \"b\" ]} , \"parts\" : { \"L\" : [ { \"M\" : { } } ] } } \n", "json"},
		{"empty image", `{}`, "json"},
		{"empty containers", `{"parts": {"L": []}, "labels": {"M": {}}, "tags": {"SS": []}, "sizes": {"NS": []}, "bs": {"BS": []}}`, "json"},
		{"NULL false", `{"note": {"NULL": false}, "pk": {"S": "p"}}`, "json"},
		{"NULL null", `{"note": {"NULL": null}}`, "json"},
		{"NULL string", `{"note": {"NULL": "yes"}}`, "fallback"},
		{"NULL number", `{"note": {"NULL": 0}}`, "fallback"},
		{"NULL huge number", `{"note": {"NULL": 1e400}}`, "fallback"},
		{"NULL object", `{"note": {"NULL": {"a": [1, "x"]}}}`, "fallback"},
		{"repeated image key", `{"pk": {"S": "a"}, "pk": {"S": "b"}}`, "fallback"},
		{"repeated image key, first bad", `{"pk": {"S": 1}, "pk": {"S": "b"}}`, "fallback"},
		{"repeated data type", `{"pk": {"S": "a", "S": "b"}}`, "fallback"},
		{"repeated data type, first of another JSON type", `{"pk": {"S": 5, "S": "b"}}`, "fallback"},
		{"repeated M key", `{"labels": {"M": {"a": {"S": "x"}, "a": {"S": "y"}}}}`, "fallback"},
		{"repeated M key, first not a value", `{"labels": {"M": {"a": "junk", "a": {"S": "y"}}}}`, "fallback"},
		{"many keys, one repeated", manyKeys(40, true), "fallback"},
		{"many keys", manyKeys(40, false), "json"},
		{"two data types", `{"pk": {"S": "a", "N": "1"}}`, "fallback"},
		{"no data type", `{"pk": {}}`, "fallback"},
		{"unknown data type", `{"pk": {"X": "a"}}`, "fallback"},
		{"data type in lower case", `{"pk": {"s": "a"}}`, "fallback"},
		{"S not a string", `{"pk": {"S": 1}}`, "fallback"},
		{"N a number", `{"stock": {"N": 1}}`, "fallback"},
		{"BOOL a string", `{"active": {"BOOL": "true"}}`, "fallback"},
		{"B not base64", `{"blob": {"B": "!!"}}`, "fallback"},
		{"B without padding", `{"blob": {"B": "AQI"}}`, "fallback"},
		{"SS holding a number", `{"tags": {"SS": ["a", 1]}}`, "fallback"},
		{"SS null", `{"tags": {"SS": null}}`, "fallback"},
		{"BS holding a number (aws-lambda-go panics)", `{"bs": {"BS": [1]}}`, "fallback"},
		{"BS holding bad base64", `{"bs": {"BS": ["AQI=", "@"]}}`, "fallback"},
		{"L holding null", `{"parts": {"L": [null]}}`, "fallback"},
		{"L holding a string", `{"parts": {"L": ["x"]}}`, "fallback"},
		{"M holding a string", `{"labels": {"M": {"a": "x"}}}`, "fallback"},
		{"attribute null", `{"pk": null}`, "fallback"},
		{"attribute a string", `{"pk": "x"}`, "fallback"},
		{"image null", `null`, "fallback"},
		{"image a list", `[]`, "fallback"},
		{"image a string", `"x"`, "fallback"},
		{"empty", ``, "fallback"},
		{"trailing garbage", `{"pk": {"S": "x"}} x`, "fallback"},
		{"two images", `{} {}`, "fallback"},
		{"trailing comma", `{"pk": {"S": "x"},}`, "fallback"},
		{"control character", "{\"pk\": {\"S\": \"a\tb\"}}", "fallback"},
		{"bad escape", `{"pk": {"S": "\x"}}`, "fallback"},
		{"short unicode escape", `{"pk": {"S": "\u12"}}`, "fallback"},
		{"unterminated", `{"pk": {"S": "x`, "fallback"},
		{"single quote escape", `{"pk": {"S": "\'"}}`, "fallback"},
		{"byte order mark", "\ufeff{}", "fallback"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, typ := range jsonTypes {
				route, diff := compareJSON([]byte(c.image), typ)
				if c.route != "" && route != c.route && !(c.route == "json" && route == "json+redo") {
					t.Errorf("%s: decoded by %s, want %s", typ, route, c.route)
				}
				if diff != "" {
					t.Errorf("%s: %s", typ, diff)
				}
			}
		})
	}
}

// manyKeys is an image of n attributes, the last named as the first if
// repeat, so that repeated keys are looked for with a hash table.
func manyKeys(n int, repeat bool) string {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		k := i
		if repeat && i == n-1 {
			k = 0
		}
		fmt.Fprintf(&b, `"k%d": {"N": "%d"}`, k, i)
	}
	b.WriteString("}")
	return b.String()
}

// An image as deep as encoding/json allows decodes from the parsed JSON; one
// level deeper fails, as json.Unmarshal fails.
func TestImageJSONDeep(t *testing.T) {
	deep := func(depth int) []byte {
		return []byte(`{"a": ` + strings.Repeat(`{"L": [`, depth-1) + `{"N": "1"}` + strings.Repeat(`]}`, depth-1) + `}`)
	}
	for _, c := range []struct {
		depth int
		route string
		ok    bool
	}{{5000, "json", true}, {5001, "fallback", false}} {
		var got map[string]any
		route, err := dynamodbav.DecodeImageJSONBy(deep(c.depth), &got)
		if route != c.route || (err == nil) != c.ok {
			t.Errorf("depth %d: got %s, %v, want %s and success %t", c.depth, route, err, c.route, c.ok)
		}
	}
}

// Nothing decoded refers to the image or to the memory the decoder reuses:
// overwriting the image, and decoding other images, change nothing.
func TestImageJSONDecodedValuesAreCopies(t *testing.T) {
	const image = `{"pk": {"S": "plain"}, "name": {"S": "esc\u00e4ped"}, "blob": {"B": "aGVsbG8="},
		"tags": {"SS": ["plain", "\u0074ag"]}, "labels": {"M": {"origin": {"S": "se"}, "\u006Bey": {"S": "v\u0061l"}}},
		"parts": {"L": [{"M": {"sku": {"S": "bulb"}}}]}, "Untaged": {"S": "kept"}, "bs": {"BS": ["AQI="]}}`
	for _, typ := range []reflect.Type{reflect.TypeFor[item](), reflect.TypeFor[map[string]any](), reflect.TypeFor[map[string]string]()} {
		img := []byte(image)
		got := reflect.New(typ)
		route, err := dynamodbav.DecodeImageJSONBy(img, got.Interface())
		if route != "json" {
			t.Fatalf("%s: got %s, %v, want json", typ, route, err)
		}
		want := reflect.New(typ)
		dynamodbav.DecodeImageJSONBy([]byte(image), want.Interface())
		for i := range img {
			img[i] = 'X'
		}
		for i := 0; i < 20; i++ {
			other := []byte(strings.ReplaceAll(image, `e`, `\u0065X`))
			dynamodbav.DecodeImageJSONBy(other, reflect.New(typ).Interface())
			for i := range other {
				other[i] = 'Y'
			}
		}
		if !same(got, want) {
			t.Errorf("%s: got %s after changing the image, want %s", typ, show(got.Elem()), show(want.Elem()))
		}
	}
}

// Decoders running at once, each with memory from the pool, decode each
// image as one decoder alone does.
func TestImageJSONConcurrently(t *testing.T) {
	imgs := make([][]byte, 64)
	want := make([]order, len(imgs))
	for i := range imgs {
		// Escaped strings and base64 go through the pooled buffer.
		imgs[i] = []byte(strings.ReplaceAll(orderImage(i), `"S":"SKU-`, `"S":"\u0053KU-`))
		if err := dynamodbav.DecodeImageJSON(imgs[i], &want[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 200; n++ {
				i := (n*7 + g) % len(imgs)
				var got order
				if err := dynamodbav.DecodeImageJSON(imgs[i], &got); err != nil || !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Errorf("image %d: got %+v, %v, want %+v", i, got, err, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// An out that is not a non-nil pointer fails as decodeImage makes it fail.
func TestImageJSONOutNotAPointer(t *testing.T) {
	img := []byte(`{"pk": {"S": "x"}}`)
	m, err := lambdaMap(img)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []any{nil, item{}, (*item)(nil), map[string]any{}} {
		route, err := dynamodbav.DecodeImageJSONBy(img, out)
		_, want := dynamodbav.DecodeImageBy(m, out)
		if route != "fallback" || err == nil || err.Error() != want.Error() {
			t.Errorf("%T: got %s, %v, want fallback, %v", out, route, err, want)
		}
	}
}

// Prefixes of an image, and the image with each byte changed, never make
// the decoder panic, and decode as the reference does.
func TestImageJSONGarbage(t *testing.T) {
	img := []byte(fullImage)
	check := func(j []byte) {
		t.Helper()
		for _, typ := range []reflect.Type{reflect.TypeFor[item](), reflect.TypeFor[map[string]any]()} {
			if _, diff := compareJSON(j, typ); diff != "" {
				t.Errorf("%q into %s: %s", j, typ, diff)
			}
		}
	}
	for n := range img {
		check(img[:n])
	}
	for i := range img {
		for _, c := range []byte{'"', '\\', '{', '}', '[', ']', ',', ':', 'x', 0, 0xff} {
			j := bytes.Clone(img)
			j[i] = c
			check(j)
		}
	}
}

// recordImages finds the images as encoding/json finds them in
// aws-lambda-go's record, and declines what it does not model.
func TestRecordImages(t *testing.T) {
	const (
		newImg = `{"pk": {"S": "new"}}`
		oldImg = `{"pk":{"S":"old"}}`
	)
	cases := []struct {
		name     string
		rec      string
		new, old string // "" for nil
		ok       bool
	}{
		{"both", `{"eventID": "1", "eventName": "MODIFY", "dynamodb": {"ApproximateCreationDateTime": 1700000000, "Keys": {"pk": {"S": "k"}}, "NewImage": ` + newImg + `, "OldImage": ` + oldImg + `, "SequenceNumber": "1", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"}, "eventSourceARN": "arn"}`, newImg, oldImg, true},
		{"old first", `{"dynamodb": {"OldImage": ` + oldImg + `, "NewImage": ` + newImg + `}}`, newImg, oldImg, true},
		{"new only", `{"dynamodb": {"NewImage": ` + newImg + `}}`, newImg, "", true},
		{"old only", `{"dynamodb":{"OldImage":` + oldImg + `}}`, "", oldImg, true},
		{"keys only", `{"dynamodb": {"Keys": {"pk": {"S": "k"}}, "StreamViewType": "KEYS_ONLY"}}`, "", "", true},
		{"null images", `{"dynamodb": {"NewImage": null, "OldImage": null}}`, "", "", true},
		{"null dynamodb", `{"eventID": "1", "dynamodb": null}`, "", "", true},
		{"no dynamodb", `{"eventID": "1"}`, "", "", true},
		{"empty record", `{}`, "", "", true},
		{"empty image", `{"dynamodb": {"NewImage": {}}}`, `{}`, "", true},
		{"case variants", `{"DynamoDB": {"newimage": ` + newImg + `, "OLDIMAGE": ` + oldImg + `}}`, newImg, oldImg, true},
		{"escaped keys", `{"dyn\u0061modb": {"New\u0049mage": ` + newImg + `, "\u004f\u006c\u0064\u0049\u006d\u0061\u0067\u0065": ` + oldImg + `}}`, newImg, oldImg, true},
		{"non-ASCII look-alike", `{"dynamodb": {"Newİmage": ` + newImg + `}}`, "", "", true},
		{"longer key", `{"dynamodbx": {"NewImage": ` + newImg + `}, "dynamodb": {"NewImages": ` + newImg + `}}`, "", "", true},
		{"whitespace", " \n{ \"dynamodb\" :\t{ \"NewImage\" : " + newImg + " \r\n} }\n ", newImg, "", true},
		{"other values skipped", `{"a": [1, -2.5e+3, true, false, null, {"b": "\"\\\u00e9"}], "dynamodb": {"x": {"y": []}, "NewImage": ` + newImg + `}, "z": 0}`, newImg, "", true},
		{"image twice", `{"dynamodb": {"NewImage": ` + newImg + `, "NewImage": ` + newImg + `}}`, "", "", false},
		{"image twice by case", `{"dynamodb": {"NewImage": ` + newImg + `, "newimage": null}}`, "", "", false},
		{"old image twice", `{"dynamodb": {"OldImage": null, "oldImage": ` + oldImg + `}}`, "", "", false},
		{"dynamodb twice", `{"dynamodb": {"NewImage": ` + newImg + `}, "dynamodb": {"OldImage": ` + oldImg + `}}`, "", "", false},
		{"dynamodb twice by case", `{"dynamodb": null, "Dynamodb": {"OldImage": ` + oldImg + `}}`, "", "", false},
		{"image a string", `{"dynamodb": {"NewImage": "x"}}`, "", "", false},
		{"image a list", `{"dynamodb": {"NewImage": []}}`, "", "", false},
		{"dynamodb a number", `{"dynamodb": 1}`, "", "", false},
		{"record a list", `[]`, "", "", false},
		{"record null", `null`, "", "", false},
		{"empty", ``, "", "", false},
		{"truncated", `{"dynamodb": {"NewImage": ` + newImg, "", "", false},
		{"trailing garbage", `{"dynamodb": {}} x`, "", "", false},
		{"bad number", `{"a": 01, "dynamodb": {}}`, "", "", false},
		{"bad string", `{"a": "\q", "dynamodb": {}}`, "", "", false},
		{"bad literal", `{"a": tru, "dynamodb": {}}`, "", "", false},
		{"missing colon", `{"dynamodb" {}}`, "", "", false},
		{"bad image JSON", `{"dynamodb": {"NewImage": {"pk": {"S": "x"}]}}`, "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, o, ok := dynamodbav.RecordImages([]byte(c.rec))
			if ok != c.ok || string(n) != c.new || string(o) != c.old || (n == nil) != (c.new == "") || (o == nil) != (c.old == "") {
				t.Fatalf("got %q, %q, %t, want %q, %q, %t", n, o, ok, c.new, c.old, c.ok)
			}
			if msg := checkedAgrees([]byte(c.rec), n, o, ok); msg != "" {
				t.Fatal(msg)
			}
			if !ok {
				return
			}
			// What encoding/json finds.
			var rec events.DynamoDBEventRecord
			if err := json.Unmarshal([]byte(c.rec), &rec); err != nil {
				t.Fatalf("json.Unmarshal: %v", err)
			}
			for _, p := range []struct {
				name string
				got  []byte
				want map[string]events.DynamoDBAttributeValue
			}{{"NewImage", n, rec.Change.NewImage}, {"OldImage", o, rec.Change.OldImage}} {
				var got map[string]events.DynamoDBAttributeValue
				if p.got != nil {
					if err := json.Unmarshal(p.got, &got); err != nil {
						t.Fatal(err)
					}
				}
				if !reflect.DeepEqual(got, p.want) {
					t.Errorf("%s: got %v, want %v, as encoding/json", p.name, got, p.want)
				}
			}
		})
	}
}

// checkedAgrees compares, on JSON the event decoder would accept, what
// recordImagesOf finds in checked mode with what recordImages found (n, o,
// ok): the same reading to the end; the same wanted images when it may
// stop early, for a record whose members are not repeated (recordImages
// ok), the only records it is given then. "" when they agree.
func checkedAgrees(rec, n, o []byte, ok bool) string {
	if !json.Valid(rec) {
		dynamodbav.RecordImagesChecked(rec, 0) // must not panic
		dynamodbav.RecordImagesChecked(rec, dynamodbav.WantNew)
		return ""
	}
	same := func(a, b []byte) bool { return bytes.Equal(a, b) && (a == nil) == (b == nil) }
	cn, co, cok := dynamodbav.RecordImagesChecked(rec, 0)
	if cok != ok || !same(cn, n) || !same(co, o) {
		return fmt.Sprintf("checked JSON: got %q, %q, %t, want %q, %q, %t", cn, co, cok, n, o, ok)
	}
	if !ok {
		return ""
	}
	for _, want := range []int{dynamodbav.WantNew, dynamodbav.WantOld, dynamodbav.WantNew | dynamodbav.WantOld} {
		cn, co, cok := dynamodbav.RecordImagesChecked(rec, want)
		if !cok || want&dynamodbav.WantNew != 0 && !same(cn, n) || want&dynamodbav.WantOld != 0 && !same(co, o) {
			return fmt.Sprintf("checked JSON, stopping at %d: got %q, %q, %t, want %q, %q, true", want, cn, co, cok, n, o)
		}
	}
	return ""
}

// recordImages, run once per record, allocates nothing, even for an escaped
// key.
func TestRecordImagesAllocatesNothing(t *testing.T) {
	rec := []byte(`{"eventID":"1","eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"k"}},"New\u0049mage":` + orderImage(1) + `,"SequenceNumber":"1"},"awsRegion":"eu-north-1"}`)
	if n := testing.AllocsPerRun(100, func() { dynamodbav.RecordImages(rec) }); n != 0 {
		t.Errorf("got %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { dynamodbav.RecordImagesChecked(rec, dynamodbav.WantNew) }); n != 0 {
		t.Errorf("checked JSON: got %v allocations, want 0", n)
	}
}

var imageSink int

// BenchmarkImageJSON decodes the NewImage of the order benchmarks into an
// order, cycling through 1,000 images: from its JSON with decodeImageJSON;
// with decodeImage from aws-lambda-go's map, made beforehand (what the
// decoder costs when the event decoder has built the map); and with
// json.Unmarshal into that map, then decodeImage.
func BenchmarkImageJSON(b *testing.B) {
	imgs := make([][]byte, benchRecords)
	maps := make([]map[string]events.DynamoDBAttributeValue, benchRecords)
	for i := range imgs {
		imgs[i] = []byte(orderImage(i))
		if err := json.Unmarshal(imgs[i], &maps[i]); err != nil {
			b.Fatal(err)
		}
		var got, want order
		route, err := dynamodbav.DecodeImageJSONBy(imgs[i], &got)
		if _, wantErr := dynamodbav.DecodeImageBy(maps[i], &want); route != "json" || err != nil || wantErr != nil || !reflect.DeepEqual(got, want) {
			b.Fatalf("image %d: got %s, %v, %+v, want json, %+v (%v)", i, route, err, got, want, wantErr)
		}
	}
	run := func(b *testing.B, decode func(i int, o *order) error) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var o order
			if err := decode(i, &o); err != nil {
				b.Fatal(err)
			}
			imageSink += o.Count
			if i++; i == len(imgs) {
				i = 0
			}
		}
	}
	b.Run("from=json", func(b *testing.B) {
		run(b, func(i int, o *order) error {
			_, err := dynamodbav.DecodeImageJSONBy(imgs[i], o)
			return err
		})
	})
	b.Run("from=map", func(b *testing.B) {
		run(b, func(i int, o *order) error {
			_, err := dynamodbav.DecodeImageBy(maps[i], o)
			return err
		})
	})
	b.Run("from=json.Unmarshal+map", func(b *testing.B) {
		run(b, func(i int, o *order) error {
			var m map[string]events.DynamoDBAttributeValue
			if err := json.Unmarshal(imgs[i], &m); err != nil {
				return err
			}
			_, err := dynamodbav.DecodeImageBy(m, o)
			return err
		})
	})
}
