//go:build !goexperiment.jsonv2

package eventjson

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The parts of the payload decoder written in place of strconv and
// encoding/json functions, each held to the function it stands for.

func TestExactFloatMatchesParseFloat(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	check := func(s string) {
		got, ok := exactFloat([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || got != want || (got == 0 && (1/got > 0) != (1/want > 0)) {
			t.Fatalf("exactFloat(%q) = %v, strconv.ParseFloat gives %v, %v", s, got, want, err)
		}
	}
	for _, s := range []string{"0", "-0", "0.0", "-0.000", "1", "0.1", "0.3", "19.99", "5.49", "123456789012345", "-99999999999999.9", "0.000000000000001", "9007199254740993", "1e5", "1.5E-3"} {
		check(s)
	}
	for i := 0; i < 1000000; i++ {
		n := 1 + r.Intn(17)
		digits := make([]byte, n)
		for k := range digits {
			digits[k] = byte('0' + r.Intn(10))
		}
		if n > 1 && digits[0] == '0' {
			digits[0] = '1'
		}
		s := string(digits)
		if p := r.Intn(n + 1); p < n {
			if p == 0 {
				s = "0." + s
			} else {
				s = s[:p] + "." + s[p:]
			}
		}
		if r.Intn(2) == 0 {
			s = "-" + s
		}
		check(s)
	}
}

func TestParseIntsMatchStrconv(t *testing.T) {
	nums := []string{"0", "-0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "32767", "-32768", "65535", "65536",
		"2147483647", "-2147483648", "4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
		"99999999999999999999", "100000000000000000000", "1e2", "1.0", "1E0", "-1.5", "12345678901234567890123"}
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 100000; i++ {
		s := strconv.FormatUint(r.Uint64()>>r.Intn(64), 10)
		if r.Intn(2) == 0 {
			s = "-" + s
		}
		nums = append(nums, s)
	}
	for _, s := range nums {
		for _, bits := range []int{8, 16, 32, 64} {
			want, err := strconv.ParseInt(s, 10, 64)
			wantOK := err == nil && want == want<<(64-bits)>>(64-bits)
			if got, ok := parseInt([]byte(s), bits); ok != wantOK || ok && got != want {
				t.Fatalf("parseInt(%q, %d) = %d, %v; want %d, %v", s, bits, got, ok, want, wantOK)
			}
			wantU, err := strconv.ParseUint(s, 10, 64)
			wantOK = err == nil && (bits == 64 || wantU < 1<<bits)
			if got, ok := parseUint([]byte(s), bits); ok != wantOK || ok && got != wantU {
				t.Fatalf("parseUint(%q, %d) = %d, %v; want %d, %v", s, bits, got, ok, wantU, wantOK)
			}
		}
	}
}

// TestValidNumberMatchesEncodingJSON decodes strings into a json.Number,
// which encoding/json checks with its isValidNumber.
func TestValidNumberMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "0", "-0", "-", "01", "1.", "1.5", ".5", "1e", "1e+", "1e-5", "1E+05", "1ex", "+1", "0x1", "1.5.5", "--1", "1e5e5", "Infinity", "12abc", " 1", "1 "} {
		q, _ := json.Marshal(s)
		var n json.Number
		want := json.Unmarshal(q, &n) == nil
		if got := validNumber([]byte(s)); got != want {
			t.Errorf("validNumber(%q) = %v, encoding/json accepts it into a json.Number: %v", s, got, want)
		}
	}
}

// TestFoldedKeysMatchEqualFold checks appendFold against bytes.EqualFold,
// which encoding/json's folding is defined by.
func TestFoldedKeysMatchEqualFold(t *testing.T) {
	runes := []rune{'a', 'A', 'k', 'K', 's', 'S', 'z', '_', '0', 'é', 'É', 'ß', 'ẞ', 'σ', 'ς', 'Σ', '\u212a', '\u017f', 'ǅ', 'ǆ', 'Ǆ', 'ı', 'İ', 'i', 'I', 'Ω', '\u2126', 'ω', utf8.RuneError}
	r := rand.New(rand.NewSource(3))
	word := func() []byte {
		var b []byte
		for n := 1 + r.Intn(4); n > 0; n-- {
			b = utf8.AppendRune(b, runes[r.Intn(len(runes))])
		}
		return b
	}
	for i := 0; i < 200000; i++ {
		a, b := word(), word()
		if got, want := bytes.Equal(appendFold(nil, a), appendFold(nil, b)), bytes.EqualFold(a, b); got != want {
			t.Fatalf("%q and %q fold alike: %v, bytes.EqualFold: %v", a, b, got, want)
		}
	}
}

// Types whose fields show encoding/json's rules for embedded structs.
type (
	fieldsA struct {
		A, Both string
		fieldsDeep
	}
	fieldsB struct {
		B, Both string
		Tagged  string `json:"T"`
	}
	fieldsDeep struct {
		A, D  string
		Inner string `json:"inner"`
	}
	FieldsExported struct{ X, Y string }
	fieldsTop      struct {
		fieldsA
		fieldsB
		*FieldsExported
		T    string
		Y    string `json:"Y"`
		Skip string `json:"-"`
		//lint:ignore SA5008 encoding/json reads the key "-" from this tag; the test holds the decoder to it
		Dash string `json:"-,"`
		//lint:ignore SA5008 an invalid tag name, which encoding/json ignores for the field's own name
		Bad   string  `json:"a\\b"`
		Named fieldsB `json:"named"`
		//lint:ignore U1000 an unexported field, which no decoder may fill
		lower string
	}
	fieldsTwice struct {
		fieldsA
		Other fieldsA
	}
	//lint:ignore U1000 a type that embeds a pointer to itself, for structFields
	fieldsCycle struct {
		*fieldsCycle
		N int
	}
)

// TestPayloadFieldRules holds structFields to encoding/json: json.Marshal
// of a value whose every field is set writes exactly the keys of the
// fields it decodes (the same rules pick them), and in that order.
func TestPayloadFieldRules(t *testing.T) {
	for _, v := range []any{fieldsTop{}, fieldsTwice{}, fieldsCycle{}, fieldsA{}, struct {
		fieldsA
		fieldsDeep
	}{}} {
		typ := reflect.TypeOf(v)
		p := reflect.New(typ)
		fill(p.Elem(), 3)
		b, err := json.Marshal(p.Interface())
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.Token() // {
		for dec.More() {
			k, _ := dec.Token()
			want = append(want, k.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		var got []string
		for _, f := range structFields(typ) {
			got = append(got, f.name)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%v: got fields %v, want %v as encoding/json writes them (%s)", typ, got, want, b)
		}
		t.Logf("%v: %v", typ, got)
	}
}

// fill sets every settable field of v, allocating pointers, to depth.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int:
		v.SetInt(1)
	case reflect.Pointer:
		if depth > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), depth-1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				fill(f, depth)
			} else if v.Type().Field(i).Anonymous && f.Kind() == reflect.Struct {
				fill(f, depth) // an embedded unexported struct: its exported fields are settable
			}
		}
	}
}
