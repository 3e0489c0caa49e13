package eventjson

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The decoders of a Plan, one per kind of type. Each reads one JSON value
// (validating it completely, as encoding/json checks the whole payload
// before decoding any of it) into v, which is addressable and settable,
// and follows encoding/json's literalStore, array and object: null sets
// nil in a pointer, map, slice or interface and leaves anything else
// unchanged; a value of the wrong JSON type, or a number that does not fit,
// is an error.

// decodeUnmarshaler hands the value's bytes, null included, to the
// UnmarshalJSON method of v's address.
func decodeUnmarshaler(d *decoder, v reflect.Value) error {
	raw, err := d.rawValue()
	if err != nil {
		return err
	}
	return v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw)
}

// rawValue reads one value and returns its bytes, a slice of the payload
// whose capacity ends with it, so that a method appending to it cannot
// write over the rest of the payload.
func (d *decoder) rawValue() ([]byte, error) {
	d.ws()
	start := d.i
	if err := d.skip(false); err != nil {
		return nil, err
	}
	return d.b[start:d.i:d.i], nil
}

// textUnmarshalerOf returns the decoder of a type t whose pointer has an
// UnmarshalText method (and no UnmarshalJSON): a string's unquoted bytes go
// to the method; null is null for t's kind; anything else is an error.
func textUnmarshalerOf(t reflect.Type) decodeFunc {
	k := t.Kind()
	nilable := k == reflect.Interface || k == reflect.Pointer || k == reflect.Map || k == reflect.Slice
	return func(d *decoder, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			if nilable {
				v.SetZero()
			}
			return d.literal("null")
		case '"':
			s, err := d.textBytes()
			if err != nil {
				return err
			}
			return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(s)
		}
		return d.typeErr(t.String())
	}
}

// textBytes reads a string for an UnmarshalText method: a slice of the
// payload when it needs no unquoting, as encoding/json gives, else a new
// slice (never the scratch buffer, which the method might keep).
func (d *decoder) textBytes() ([]byte, error) {
	start, end, ok, err := d.strPlain()
	if err != nil {
		return nil, err
	}
	if ok {
		return d.b[start:end:end], nil
	}
	b, err := d.unquote()
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// pointerUnmarshaler returns the decoder of a pointer type t with an
// UnmarshalJSON method: null sets nil; any other value goes to the method
// of the pointer, allocated first if nil.
func pointerUnmarshaler(t reflect.Type) decodeFunc {
	et := t.Elem()
	return func(d *decoder, v reflect.Value) error {
		if d.peek() == 'n' {
			v.SetZero()
			return d.literal("null")
		}
		if v.IsNil() {
			v.Set(reflect.New(et))
		}
		raw, err := d.rawValue()
		if err != nil {
			return err
		}
		return v.Interface().(json.Unmarshaler).UnmarshalJSON(raw)
	}
}

// pointerTextUnmarshaler is pointerUnmarshaler for a pointer type with an
// UnmarshalText method: only a string or null decodes.
func pointerTextUnmarshaler(t reflect.Type) decodeFunc {
	et := t.Elem()
	return func(d *decoder, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			v.SetZero()
			return d.literal("null")
		case '"':
			if v.IsNil() {
				v.Set(reflect.New(et))
			}
			s, err := d.textBytes()
			if err != nil {
				return err
			}
			return v.Interface().(encoding.TextUnmarshaler).UnmarshalText(s)
		}
		return d.typeErr(t.String())
	}
}

// pointerDecoder returns the decoder of a pointer type: null sets nil; any
// other value is decoded into the target, allocated first if nil (a
// repeated key decodes into the target already there).
func pointerDecoder(t reflect.Type, elem *node) decodeFunc {
	et := t.Elem()
	return func(d *decoder, v reflect.Value) error {
		if d.peek() == 'n' {
			v.SetZero()
			return d.literal("null")
		}
		if v.IsNil() {
			v.Set(reflect.New(et))
		}
		return elem.fn(d, v.Elem())
	}
}

func decodeBool(d *decoder, v reflect.Value) error {
	switch d.peek() {
	case 't':
		if err := d.literal("true"); err != nil {
			return err
		}
		v.SetBool(true)
		return nil
	case 'f':
		if err := d.literal("false"); err != nil {
			return err
		}
		v.SetBool(false)
		return nil
	case 'n':
		return d.literal("null")
	}
	return d.typeErr("bool")
}

func decodeString(d *decoder, v reflect.Value) error {
	switch d.peek() {
	case '"':
		b, err := d.strBytes()
		if err != nil {
			return err
		}
		v.SetString(d.keep(b))
		return nil
	case 'n':
		return d.literal("null")
	}
	return d.typeErr("string")
}

// decodeNumber decodes a json.Number: a number as it is written, or a
// string holding a valid number.
func decodeNumber(d *decoder, v reflect.Value) error {
	switch c := d.peek(); {
	case c == '"':
		at := d.i
		b, err := d.strBytes()
		if err != nil {
			return err
		}
		if !validNumber(b) {
			d.i = at
			return d.errf("invalid number literal %q for json.Number", b)
		}
		v.SetString(d.keep(b))
		return nil
	case c == 'n':
		return d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		n, err := d.num()
		if err != nil {
			return err
		}
		v.SetString(d.keep(n))
		return nil
	}
	return d.typeErr("json.Number")
}

// number reads a number for an integer or float kind (null is reported as
// a nil slice and no error).
func (d *decoder) number(want string) ([]byte, error) {
	c := d.peek()
	if c == 'n' {
		return nil, d.literal("null")
	}
	if c != '-' && (c < '0' || c > '9') {
		return nil, d.typeErr(want)
	}
	return d.num()
}

func intDecoder(bits int) decodeFunc {
	return func(d *decoder, v reflect.Value) error {
		at := d.i
		n, err := d.number("integer")
		if err != nil || n == nil {
			return err
		}
		x, ok := parseInt(n, bits)
		if !ok {
			d.i = at
			return d.errf("number %s does not fit a %d-bit integer", n, bits)
		}
		v.SetInt(x)
		return nil
	}
}

func uintDecoder(bits int) decodeFunc {
	return func(d *decoder, v reflect.Value) error {
		at := d.i
		n, err := d.number("unsigned integer")
		if err != nil || n == nil {
			return err
		}
		x, ok := parseUint(n, bits)
		if !ok {
			d.i = at
			return d.errf("number %s does not fit a %d-bit unsigned integer", n, bits)
		}
		v.SetUint(x)
		return nil
	}
}

func floatDecoder(bits int) decodeFunc {
	return func(d *decoder, v reflect.Value) error {
		at := d.i
		n, err := d.number("float")
		if err != nil || n == nil {
			return err
		}
		x, err := strconv.ParseFloat(string(n), bits)
		if err != nil {
			d.i = at
			return d.errf("number %s does not fit a float%d", n, bits)
		}
		v.SetFloat(x)
		return nil
	}
}

// parseInt is strconv.ParseInt(s, 10, 64) with a check that the result
// fits bits, for s a valid JSON number: it fails for a fraction or an
// exponent (1.0, 1e2) and out of range.
func parseInt(s []byte, bits int) (int64, bool) {
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) > 19 { // JSON has no leading zeros: more than 19 digits is out of range
		return 0, false
	}
	var u uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0') // at most 19 digits: no overflow
	}
	limit := uint64(1) << (bits - 1)
	if neg {
		if u > limit {
			return 0, false
		}
		return int64(-u), true
	}
	if u >= limit {
		return 0, false
	}
	return int64(u), true
}

// parseUint is strconv.ParseUint(s, 10, 64) with a check that the result
// fits bits, for s a valid JSON number: a sign, even on zero, fails.
func parseUint(s []byte, bits int) (uint64, bool) {
	if s[0] == '-' || len(s) > 20 {
		return 0, false
	}
	var u uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	if bits < 64 && u >= 1<<bits {
		return 0, false
	}
	return u, true
}

// validNumber reports whether s is a JSON number, as encoding/json's
// isValidNumber checks a string decoded into a json.Number.
func validNumber(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if len(s) == 0 {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if len(s) == 0 {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return len(s) == 0
}

var anyType = reflect.TypeOf((*any)(nil)).Elem()

// decodeInterface decodes into an empty interface: null sets nil; anything
// else replaces what it holds with a map[string]any, []any, float64,
// string or bool.
func decodeInterface(d *decoder, v reflect.Value) error {
	if d.peek() == 'n' {
		v.SetZero()
		return d.literal("null")
	}
	x, err := d.anyValue()
	if err != nil {
		return err
	}
	if v.Type() == anyType {
		*v.Addr().Interface().(*any) = x
	} else {
		v.Set(reflect.ValueOf(x))
	}
	return nil
}

// anyValue reads a value as encoding/json decodes it into an interface{}:
// objects into map[string]any, arrays into []any, numbers into float64
// (one that does not fit is an error).
func (d *decoder) anyValue() (any, error) {
	switch c := d.peek(); c {
	case '{':
		if err := d.enter(); err != nil {
			return nil, err
		}
		m := make(map[string]any)
		for first := true; ; first = false {
			k, more, err := d.key(first)
			if err != nil {
				return nil, err
			}
			if !more {
				return m, nil
			}
			x, err := d.anyValue()
			if err != nil {
				return nil, err
			}
			m[k] = x
		}
	case '[':
		if err := d.enter(); err != nil {
			return nil, err
		}
		a := make([]any, 0)
		for first := true; ; first = false {
			more, err := d.next(first)
			if err != nil {
				return nil, err
			}
			if !more {
				return a, nil
			}
			x, err := d.anyValue()
			if err != nil {
				return nil, err
			}
			a = append(a, x)
		}
	case '"':
		return d.str()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	case 0:
		return nil, d.errf("unexpected end of JSON input")
	default:
		if c != '-' && (c < '0' || c > '9') {
			return nil, d.errf("invalid character %q looking for beginning of value", c)
		}
		at := d.i
		n, err := d.num()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			d.i = at
			return nil, d.errf("number %s does not fit a float64", n)
		}
		return f, nil
	}
}

// What null does to a type that takes nothing else.
const (
	keepOnNull = false // a channel, function or complex number: unchanged
	nilOnNull  = true  // an interface with methods: set to nil
)

// decodeNullOnly returns the decoder of a type only null decodes into:
// an interface with methods, a channel, a function, a complex number.
func decodeNullOnly(setNil bool) decodeFunc {
	return func(d *decoder, v reflect.Value) error {
		if d.peek() == 'n' {
			if setNil {
				v.SetZero()
			}
			return d.literal("null")
		}
		return d.typeErr(v.Type().String())
	}
}

// sliceDecoder returns the decoder of slice type t: null sets nil; an
// array is decoded into the elements already there, the slice growing as
// needed and cut to the array's length (an empty array gives a new empty
// slice); bytes also take a string of standard base64.
func sliceDecoder(t reflect.Type, elem *node, bytes bool) decodeFunc {
	return func(d *decoder, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			v.SetZero()
			return d.literal("null")
		case '[':
		case '"':
			if bytes {
				return d.base64Value(v)
			}
			return d.typeErr(t.String())
		default:
			return d.typeErr(t.String())
		}
		if err := d.enter(); err != nil {
			return err
		}
		i := 0
		for first := true; ; first = false {
			more, err := d.next(first)
			if err != nil {
				return err
			}
			if !more {
				break
			}
			if i >= v.Cap() {
				v.Grow(1)
			}
			if i >= v.Len() {
				v.SetLen(i + 1)
			}
			if err := elem.fn(d, v.Index(i)); err != nil {
				return err
			}
			i++
		}
		if i < v.Len() {
			v.SetLen(i)
		}
		if i == 0 {
			v.Set(reflect.MakeSlice(t, 0, 0))
		}
		return nil
	}
}

// base64Value decodes a string of standard base64 into the byte slice v.
func (d *decoder) base64Value(v reflect.Value) error {
	at := d.i
	src, err := d.strBytes()
	if err != nil {
		return err
	}
	b := make([]byte, b64.DecodedLen(len(src)))
	n, err := b64.Decode(b, src)
	if err != nil {
		d.i = at
		return d.errf("base64: %v", err)
	}
	v.SetBytes(b[:n])
	return nil
}

// arrayDecoder returns the decoder of an array type: null leaves it; an
// array fills the elements in order, those beyond the Go array's length
// are dropped, those missing are zeroed.
func arrayDecoder(elem *node) decodeFunc {
	return func(d *decoder, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			return d.literal("null")
		case '[':
		default:
			return d.typeErr(v.Type().String())
		}
		if err := d.enter(); err != nil {
			return err
		}
		n := v.Len()
		i := 0
		for first := true; ; first = false {
			more, err := d.next(first)
			if err != nil {
				return err
			}
			if !more {
				break
			}
			if i < n {
				err = elem.fn(d, v.Index(i))
			} else {
				err = d.skip(false)
			}
			if err != nil {
				return err
			}
			i++
		}
		for ; i < n; i++ {
			v.Index(i).SetZero()
		}
		return nil
	}
}

// mapDecoder returns the decoder of map type t, whose keys are strings or
// integers: null sets nil; an object adds its members to the map already
// there (made if nil), each value decoded into a zero value.
func mapDecoder(t reflect.Type, elem *node) decodeFunc {
	kt, et := t.Key(), t.Elem()
	kind := kt.Kind()
	return func(d *decoder, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			v.SetZero()
			return d.literal("null")
		case '{':
		default:
			return d.typeErr(t.String())
		}
		if err := d.enter(); err != nil {
			return err
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		kv := reflect.New(kt).Elem()
		ev := reflect.New(et).Elem()
		for first := true; ; first = false {
			at := d.i
			k, more, err := d.rawKey(first)
			if err != nil || !more {
				return err
			}
			switch kind {
			case reflect.String:
				kv.SetString(d.keep(k))
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				n, err := strconv.ParseInt(string(k), 10, 64)
				if err != nil || kv.OverflowInt(n) {
					d.i = at
					return d.errf("object key %q is not a %v", k, kt)
				}
				kv.SetInt(n)
			default: // the unsigned kinds
				n, err := strconv.ParseUint(string(k), 10, 64)
				if err != nil || kv.OverflowUint(n) {
					d.i = at
					return d.errf("object key %q is not a %v", k, kt)
				}
				kv.SetUint(n)
			}
			ev.SetZero()
			if err := elem.fn(d, ev); err != nil {
				return err
			}
			v.SetMapIndex(kv, ev)
		}
	}
}

// structPlan decodes objects into a struct type.
type structPlan struct {
	fields []structField  // in the order of their index paths
	exact  map[string]int // field by name
	folded map[string]int // first field by folded name (see appendFold)
}

// structField is a field an object key sets.
type structField struct {
	name   string
	index  []int      // path from the struct, through embedded structs
	node   *node      // the decoder of the field's type
	quoted decodeFunc // the decoder of a ",string" field, else nil
}

// decode decodes an object into the struct v: null leaves it; each key
// selects a field by its exact name, else by a case-insensitive match,
// else none (the value is skipped); a repeated key decodes again into the
// field. Embedded pointers on the way to a field are allocated when nil.
func (sp *structPlan) decode(d *decoder, v reflect.Value) error {
	switch d.peek() {
	case 'n':
		return d.literal("null")
	case '{':
	default:
		return d.typeErr(v.Type().String())
	}
	if err := d.enter(); err != nil {
		return err
	}
	next := 0 // keys tend to come in the fields' order: try the next one first
	for first := true; ; first = false {
		k, more, err := d.rawKey(first)
		if err != nil || !more {
			return err
		}
		i := sp.lookup(k, next)
		if i < 0 {
			if err := d.skip(false); err != nil {
				return err
			}
			continue
		}
		next = i + 1
		f := &sp.fields[i]
		fv := v.Field(f.index[0])
		for _, x := range f.index[1:] {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					fv.Set(reflect.New(fv.Type().Elem()))
				}
				fv = fv.Elem()
			}
			fv = fv.Field(x)
		}
		if f.quoted != nil {
			err = f.quoted(d, fv)
		} else {
			err = f.node.fn(d, fv)
		}
		if err != nil {
			return err
		}
	}
}

// lookup returns the index of the field key selects, or -1.
func (sp *structPlan) lookup(key []byte, next int) int {
	if next < len(sp.fields) && string(key) == sp.fields[next].name {
		return next
	}
	if i, ok := sp.exact[string(key)]; ok {
		return i
	}
	var buf [32]byte
	if i, ok := sp.folded[string(appendFold(buf[:0], key))]; ok {
		return i
	}
	return -1
}

// quotedDecoder returns the decoder of a field with the ",string" option,
// of a boolean, number or string kind, or an unnamed pointer to one (ptr):
// the JSON value must be a string (or null) whose contents are decoded as
// encoding/json's literalStore does for quoted values.
func quotedDecoder(ptr bool, target reflect.Type) decodeFunc {
	return func(d *decoder, v reflect.Value) error {
		switch d.peek() {
		case 'n':
			if err := d.literal("null"); err != nil {
				return err
			}
			if ptr {
				v.SetZero()
			}
			return nil
		case '"':
			at := d.i
			s, err := d.strBytes()
			if err != nil {
				return err
			}
			if !d.quotedStore(v, s, ptr, target) {
				d.i = at
				return d.errf("invalid use of ,string struct tag, trying to unmarshal %q into %v", s, v.Type())
			}
			return nil
		}
		return d.errf("invalid use of ,string struct tag, trying to unmarshal unquoted value into %v", v.Type())
	}
}

// quotedStore stores item, the contents of the string of a ",string"
// field, into v, and reports whether it could.
func (d *decoder) quotedStore(v reflect.Value, item []byte, ptr bool, target reflect.Type) bool {
	if len(item) == 0 {
		return false
	}
	if ptr {
		if item[0] == 'n' { // "null" sets the pointer to nil
			if string(item) != "null" {
				return false
			}
			v.SetZero()
			return true
		}
		if v.IsNil() {
			v.Set(reflect.New(target))
		}
		v = v.Elem()
	}
	switch c := item[0]; c {
	case 'n':
		return string(item) == "null" // leaves v unchanged
	case 't', 'f':
		if string(item) != "true" && string(item) != "false" || v.Kind() != reflect.Bool {
			return false
		}
		v.SetBool(c == 't')
		return true
	case '"':
		s, ok := unquoteBytes(item)
		if !ok || v.Kind() != reflect.String || v.Type() == numberType && !validNumber(s) {
			return false
		}
		v.SetString(d.keep(s))
		return true
	}
	if c := item[0]; c != '-' && (c < '0' || c > '9') {
		return false
	}
	switch v.Kind() {
	case reflect.String:
		if v.Type() != numberType {
			return false
		}
		v.SetString(d.keep(item)) // not checked, as encoding/json does not
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(item), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(string(item), 10, 64)
		if err != nil || v.OverflowUint(n) {
			return false
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(string(item), v.Type().Bits())
		if err != nil || v.OverflowFloat(n) {
			return false
		}
		v.SetFloat(n)
	default:
		return false
	}
	return true
}

// unquoteBytes is encoding/json's unquoteBytes, which reads the string
// held in a ",string" field's string: s must be a quoted string in its
// entirety, and may use the escape \' besides JSON's.
func unquoteBytes(s []byte) ([]byte, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return nil, false
	}
	s = s[1 : len(s)-1]
	b := make([]byte, 0, len(s)+2*utf8.UTFMax)
	for r := 0; r < len(s); {
		switch c := s[r]; {
		case c == '\\':
			r++
			if r >= len(s) {
				return nil, false
			}
			switch s[r] {
			default:
				return nil, false
			case '"', '\\', '/', '\'':
				b = append(b, s[r])
				r++
			case 'b':
				b = append(b, '\b')
				r++
			case 'f':
				b = append(b, '\f')
				r++
			case 'n':
				b = append(b, '\n')
				r++
			case 'r':
				b = append(b, '\r')
				r++
			case 't':
				b = append(b, '\t')
				r++
			case 'u':
				r--
				rr := getu4(s[r:])
				if rr < 0 {
					return nil, false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					rr1 := getu4(s[r:])
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						r += 6
						b = utf8.AppendRune(b, dec)
						break
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
			}
		case c == '"', c < ' ':
			return nil, false
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b, true
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' || !hex4(s, 2) {
		return -1
	}
	return hexVal(s[2:])
}
