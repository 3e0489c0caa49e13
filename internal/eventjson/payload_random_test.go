//go:build !goexperiment.jsonv2

package eventjson_test

import (
	"encoding/base64"
	"encoding/json"
	"math/rand"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// typedGen writes random JSON aimed at a Go type, with the variations the
// payload decoder must get right: keys in another case or Unicode fold,
// escaped keys, unknown and repeated keys, nulls, numbers at and past the
// bounds of each kind, escapes, surrogates and invalid UTF-8 in strings,
// base64 good and bad, values of the wrong JSON type, and now and then
// broken syntax or text after the value.
type typedGen struct {
	r *rand.Rand
	b []byte
}

var (
	timeType   = reflect.TypeOf(time.Time{})
	rawType    = reflect.TypeOf(json.RawMessage(nil))
	numberType = reflect.TypeOf(json.Number(""))
	kindType   = reflect.TypeOf(zooKind(""))
	centsType  = reflect.TypeOf(zooCents(0))
)

func (g *typedGen) chance(n int) bool { return g.r.Intn(n) == 0 }
func (g *typedGen) raw(s string)      { g.b = append(g.b, s...) }
func (g *typedGen) pick(s ...string)  { g.raw(s[g.r.Intn(len(s))]) }

func (g *typedGen) space() {
	if g.chance(12) {
		g.pick(" ", "\n", "\t ", "\r\n  ")
	}
}

// doc returns a random document for t.
func (g *typedGen) doc(t reflect.Type) []byte {
	g.b = g.b[:0]
	g.space()
	g.value(t, 0)
	g.space()
	switch {
	case g.chance(40): // cut short
		g.b = g.b[:g.r.Intn(len(g.b)+1)]
	case g.chance(40): // a stray byte
		i := g.r.Intn(len(g.b) + 1)
		const stray = "{}[],:\"\\x0 \xff"
		g.b = append(g.b[:i], append([]byte{stray[g.r.Intn(len(stray))]}, g.b[i:]...)...)
	case g.chance(60):
		g.pick(" x", "{}", "null", " 1")
	}
	return append([]byte(nil), g.b...)
}

func (g *typedGen) value(t reflect.Type, depth int) {
	switch {
	case depth > 6 || g.chance(15):
		g.raw("null")
		return
	case g.chance(40): // likely the wrong JSON type
		g.anyJSON(2)
		return
	}
	switch t {
	case timeType:
		g.pick(`"2026-11-22T07:00:00Z"`, `"2026-11-22T07:00:00.123456789+02:00"`, `"2026-11-22"`, `"yesterday"`, `1732262400`, `"2026-11-22T07:00:00\u005a"`)
		return
	case rawType:
		g.anyJSON(3)
		return
	case numberType:
		if g.chance(3) {
			g.pick(`"12"`, `"-0.5e+7"`, `""`, `"1."`, `"01"`, `"abc"`, `"1e"`, `"\u0031"`)
		} else {
			g.number(64, true)
		}
		return
	case kindType:
		g.pick(`"gold"`, `"Silver"`, `"\u0047old"`, `"a kind far too long"`, `""`, `7`)
		return
	case centsType:
		g.pick(`1234`, `"12.34"`, `"x"`, `-5`, `1.5`, `{}`)
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		g.pick("true", "false", "true", `"true"`)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		g.integer(t.Bits(), true)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		g.integer(t.Bits(), false)
	case reflect.Float32, reflect.Float64:
		g.number(t.Bits(), false)
	case reflect.String:
		g.str()
	case reflect.Pointer:
		g.value(t.Elem(), depth+1)
	case reflect.Interface:
		if t.NumMethod() > 0 {
			g.pick("null", "{}", `"x"`)
			return
		}
		g.anyJSON(3)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && g.chance(2) {
			g.base64()
			return
		}
		g.array(t.Elem(), g.r.Intn(5), depth)
	case reflect.Array:
		g.array(t.Elem(), g.r.Intn(t.Len()+3), depth)
	case reflect.Map:
		g.object(g.r.Intn(5), func() { g.mapKey(t.Key()) }, func() { g.value(t.Elem(), depth+1) })
	case reflect.Struct:
		g.structValue(t, depth)
	default: // channels, complex numbers
		g.pick("null", "null", "1", "[]")
	}
}

func (g *typedGen) array(elem reflect.Type, n, depth int) {
	g.raw("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			g.raw(",")
		}
		g.space()
		g.value(elem, depth+1)
	}
	g.raw("]")
}

// object writes n members, keys and values written by key and value.
func (g *typedGen) object(n int, key, value func()) {
	g.raw("{")
	for i := 0; i < n; i++ {
		if i > 0 {
			g.raw(",")
		}
		g.space()
		key()
		g.space()
		g.raw(":")
		g.space()
		value()
	}
	g.raw("}")
}

func (g *typedGen) mapKey(t reflect.Type) {
	if t.Kind() == reflect.String {
		g.pick(`"a"`, `"b"`, `"a"`, `"K\u00e9y"`, `""`, "\"\xff\"", `"\ud800"`)
		return
	}
	bound := strconv.FormatUint(1<<(t.Bits()-1), 10)
	g.pick(`"0"`, `"1"`, `"-1"`, `"+3"`, `"07"`, `"-0"`, `" 1"`, `"x"`, `"1.5"`, `"`+bound+`"`, `"-`+bound+`"`, `"18446744073709551615"`)
}

// fieldKey is a key that may select a struct field.
type fieldKey struct {
	name   string
	typ    reflect.Type
	quoted bool
}

// structKeys returns the names of t's fields as encoding/json might see
// them (tag names, Go names, those of embedded structs, hidden or not),
// with their types.
func structKeys(t reflect.Type, out []fieldKey, depth int) []fieldKey {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		if f.Anonymous && depth < 3 {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				out = structKeys(et, out, depth+1)
			}
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, fieldKey{name, ft, strings.Contains(opts, "string")})
	}
	return out
}

func (g *typedGen) structValue(t reflect.Type, depth int) {
	keys := structKeys(t, nil, 0)
	n := g.r.Intn(len(keys) + 2)
	g.raw("{")
	for i := 0; i < n; i++ {
		if i > 0 {
			g.raw(",")
		}
		g.space()
		if g.chance(10) {
			g.pick(`"unknown"`, `"note"`, `""`, `"\u0000"`)
			g.raw(":")
			g.anyJSON(2)
			continue
		}
		k := keys[g.r.Intn(len(keys))]
		g.key(k.name)
		g.raw(":")
		g.space()
		if k.quoted && !g.chance(8) {
			g.quoted(k.typ)
		} else {
			g.value(k.typ, depth+1)
		}
	}
	g.raw("}")
}

// key writes a field's name, sometimes in another case, with a letter
// swapped for a rune that folds to it, or with an escape.
func (g *typedGen) key(name string) {
	switch {
	case g.chance(8):
		name = strings.ToUpper(name)
	case g.chance(8):
		name = strings.ToLower(name)
	case g.chance(12):
		name = strings.NewReplacer("k", "\u212a", "K", "\u212a", "s", "\u017f", "S", "\u017f").Replace(name)
	}
	q, _ := json.Marshal(name)
	if g.chance(10) && len(name) > 0 && name[0] < 0x80 {
		q = append([]byte(`"\u00`+strconv.FormatInt(int64(name[0])>>4, 16)+strconv.FormatInt(int64(name[0])&15, 16)), q[2:]...)
	}
	g.b = append(g.b, q...)
}

// quoted writes the value of a ",string" field: a string holding the
// JSON of a scalar of the field's kind, or of another.
func (g *typedGen) quoted(t reflect.Type) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	saved := g.b
	g.b = nil
	switch {
	case g.chance(8):
		g.pick("null", "true", "nul", "", " 1", "1 ", "+1", "0x10", "-Inf", "NaN", `"x"`)
	case t.Kind() == reflect.String && t != numberType:
		g.str()
	case t.Kind() == reflect.Bool:
		g.pick("true", "false")
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		g.number(t.Bits(), false)
	case t == numberType:
		g.pick("12", "1.5e3", "12abc", `"12"`, `"1x"`)
	default:
		g.integer(t.Bits(), t.Kind() < reflect.Uint)
	}
	inner := string(g.b)
	q, _ := json.Marshal(inner)
	g.b = append(saved, q...)
}

func (g *typedGen) integer(bits int, signed bool) {
	max := uint64(1)<<(bits-1) - 1
	if !signed {
		max = max<<1 | 1
	}
	switch g.r.Intn(12) {
	case 0:
		g.raw(strconv.FormatUint(max, 10))
	case 1:
		g.raw(strconv.FormatUint(max, 10) + "0") // past the bound
	case 2:
		if signed {
			g.raw("-" + strconv.FormatUint(max+1, 10))
		} else {
			g.raw("-1")
		}
	case 3:
		g.pick("-0", "0", "1e2", "1.0", "1.5", "-1", "100000000000000000000")
	default:
		n := g.r.Uint64()
		if lim := max / uint64(1+g.r.Intn(1000)); lim < 1<<63 {
			n %= lim + 1
		}
		if signed && g.chance(3) {
			g.raw("-")
		}
		g.raw(strconv.FormatUint(n, 10))
	}
}

func (g *typedGen) number(bits int, any bool) {
	switch g.r.Intn(10) {
	case 0:
		g.pick("1e309", "-1e309", "3.5e38", "1e39", "1e-400", "4.9e-324", "1.7976931348623157e308", "-0", "0.0")
	case 1:
		g.integer(64, true)
	default:
		g.raw(strconv.FormatFloat((g.r.Float64()-0.5)*float64(int64(1)<<g.r.Intn(60)), 'g', -1, bits))
		if g.chance(5) {
			g.pick("e5", "E-3", "e+2")
		}
	}
}

var strPieces = []string{
	"order", "a b", "é", "😀", "日本", `\"`, `\\`, `\/`, `\b\f\n\r\t`, `\u00e9`, `\u20AC`,
	`\ud83d\ude00`, `\ud800`, `\udc00`, `\ud800\u0041`, "\xff", "\xc0\x80", "\xed\xa0\x80", "\xe2\x82",
	"\u2028", "<>&",
}

func (g *typedGen) str() {
	g.raw(`"`)
	for n := g.r.Intn(6); n > 0; n-- {
		g.raw(strPieces[g.r.Intn(len(strPieces))])
	}
	switch {
	case g.chance(60):
		g.raw(strings.Repeat("long ", 250))
	case g.chance(200):
		g.raw("\x01") // a control character: invalid
	}
	g.raw(`"`)
}

func (g *typedGen) base64() {
	b := make([]byte, g.r.Intn(20))
	g.r.Read(b)
	s := base64.StdEncoding.EncodeToString(b)
	switch {
	case g.chance(6) && len(s) > 2:
		s = s[:len(s)-1] // bad padding
	case g.chance(6) && len(s) > 4:
		s = s[:4] + `\n` + s[4:] // a line break, which base64 skips
	case g.chance(10):
		s += "-_"
	}
	g.raw(`"` + s + `"`)
}

// anyJSON writes any JSON value, nested up to depth.
func (g *typedGen) anyJSON(depth int) {
	n := 7
	if depth <= 0 {
		n = 5
	}
	switch g.r.Intn(n) {
	case 0:
		g.raw("null")
	case 1:
		g.pick("true", "false")
	case 2:
		g.number(64, true)
	case 3, 4:
		g.str()
	case 5:
		g.raw("[")
		for i, m := 0, g.r.Intn(4); i < m; i++ {
			if i > 0 {
				g.raw(",")
			}
			g.anyJSON(depth - 1)
		}
		g.raw("]")
	default:
		g.object(g.r.Intn(4), func() { g.mapKey(reflect.TypeOf("")) }, func() { g.anyJSON(depth - 1) })
	}
}

// zooTypes are the Go types the random documents aim at.
var zooTypes = map[string]reflect.Type{
	"order":           reflect.TypeOf(zooOrder{}),
	"event":           reflect.TypeOf(zooEvent{}),
	"tree":            reflect.TypeOf(zooTree{}),
	"scalars":         reflect.TypeOf(zooScalars{}),
	"envelope":        reflect.TypeOf(zooEnvelope{}),
	"fold":            reflect.TypeOf(zooFold{}),
	"*order":          reflect.TypeOf(&zooOrder{}),
	"[]item":          reflect.TypeOf([]zooItem{}),
	"map[string]item": reflect.TypeOf(map[string]zooItem{}),
	"map[string]any":  reflect.TypeOf(map[string]any{}),
	"any":             reflect.TypeOf((*any)(nil)).Elem(),
	"[2]int":          reflect.TypeOf([2]int{}),
	"string":          reflect.TypeOf(""),
	"json.Number":     numberType,
	"float32":         reflect.TypeOf(float32(0)),
	"[]byte":          reflect.TypeOf([]byte{}),
	"time.Time":       timeType,
	"kind":            kindType,
	"json.RawMessage": rawType,
}

// TestTypedDecodeRandom compares the payload decoder with encoding/json
// on random documents aimed at each zoo type, each also decoded into
// another type of the zoo.
func TestTypedDecodeRandom(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 200
	}
	g := &typedGen{r: rand.New(rand.NewSource(17))}
	for _, z := range zoo {
		typ, ok := zooTypes[z.name]
		if !ok {
			continue
		}
		accepted := 0
		for i := 0; i < n; i++ {
			doc := g.doc(typ)
			if compareTyped(t, z, doc) {
				accepted++
			}
			compareTyped(t, zoo[g.r.Intn(len(zoo))], doc)
			if t.Failed() {
				t.FailNow()
			}
		}
		t.Logf("%s: encoding/json accepted %d of %d documents", z.name, accepted, n)
		if accepted < n/20 {
			t.Errorf("%s: encoding/json accepted %d of %d documents, want more, to compare values", z.name, accepted, n)
		}
	}
}

// FuzzTypedDecode feeds the same bytes to the payload decoder and to
// encoding/json for every zoo type: both fail, or both give deeply equal
// values; the payload decoder never panics. Seeds: the hand-picked cases,
// random documents for each type, and testdata/fuzz/FuzzTypedDecode.
//
//	go test ./internal/eventjson -run '^$' -fuzz FuzzTypedDecode -fuzztime 10m
func FuzzTypedDecode(f *testing.F) {
	for _, c := range typedCases() {
		if len(c.json) < 4096 {
			f.Add([]byte(c.json))
		}
	}
	g := &typedGen{r: rand.New(rand.NewSource(3))}
	for _, typ := range zooTypes {
		for i := 0; i < 3; i++ {
			f.Add(g.doc(typ))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, z := range zoo {
			compareTyped(t, z, data)
		}
	})
}
