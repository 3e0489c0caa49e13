package eventjson

import (
	"encoding"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/bits"
	"reflect"
	"strconv"
	"sync/atomic"
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
		x, ok := float64(0), false
		if bits == 64 {
			x, ok = exactFloat(n)
		}
		if !ok {
			if x, err = strconv.ParseFloat(string(n), bits); err != nil {
				d.i = at
				return d.errf("number %s does not fit a float%d", n, bits)
			}
		}
		v.SetFloat(x)
		return nil
	}
}

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// exactFloat returns the float64 nearest the JSON number s, as
// strconv.ParseFloat(s, 64) does, for the common numbers it can compute
// exactly: at most 15 digits and no exponent. The digits then make an
// integer a float64 holds exactly, and dividing it by an exact power of
// ten is one correctly rounded operation (strconv's own fast path). It
// reports false for any other number.
func exactFloat(s []byte) (float64, bool) {
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var m uint64
	digits, frac := 0, -1
	for _, c := range s {
		switch {
		case '0' <= c && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.':
			frac = 0
		default: // an exponent
			return 0, false
		}
	}
	if digits > 15 {
		return 0, false
	}
	f := float64(m)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
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
			kb, more, err := d.member(first)
			if err != nil {
				return nil, err
			}
			if !more {
				return m, nil
			}
			k := d.keep(kb)
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
		a := make([]any, 0, firstCap)
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
		if f, ok := exactFloat(n); ok {
			return f, nil
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
				// Room for a few elements at once where encoding/json
				// grows by one: the values are the same, since a slice
				// only grows when full (what a repeated key decodes into
				// is what is there either way).
				if i == 0 {
					v.Grow(firstCap)
				} else {
					v.Grow(1)
				}
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

// firstCap is the capacity of a slice that grows from empty.
const firstCap = 4

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
			k, more, err := d.member(first)
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

// member reads what comes before the value of an object's next member
// (the object's opening brace read): the comma unless first, the key and
// the colon; more is false at the closing brace. The key's bytes are a
// slice of the payload or of the scratch buffer, valid until the next
// string is read. The common case, a plain ASCII key right after the comma
// and before the colon, is read here; anything else goes to rawKey, which
// also words the errors.
func (d *decoder) member(first bool) (key []byte, more bool, err error) {
	s, i := d.b, d.i
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '}' {
		d.i = i + 1
		d.depth--
		return nil, false, nil
	}
	if !first {
		if i >= len(s) || s[i] != ',' {
			return d.rawKey(first)
		}
		i++
		for i < len(s) && isSpace(s[i]) {
			i++
		}
	}
	if i >= len(s) || s[i] != '"' {
		return d.rawKey(first)
	}
	j := plainEnd(s, i+1)
	if j+1 >= len(s) || s[j] != '"' || s[j+1] != ':' {
		return d.rawKey(first)
	}
	d.i = j + 2
	return s[i+1 : j : j], true, nil
}

// predicted reads the next member's comma (unless first), key and colon
// when the key is exactly the name in key (a field's name followed by
// `":`), and reports whether it did; else it moves nothing.
func (d *decoder) predicted(first bool, key string) bool {
	s, j := d.b, d.i
	if !first {
		if j >= len(s) || s[j] != ',' {
			return false
		}
		j++
	}
	if len(s)-j-1 < len(key) || s[j] != '"' || string(s[j+1:j+1+len(key)]) != key {
		return false
	}
	d.i = j + 1 + len(key)
	return true
}

// plainEnd returns the index of the first byte from j on that cannot be
// copied from a JSON string as it is (a quote, a backslash, a control
// character or a non-ASCII byte), or len(s).
func plainEnd(s []byte, j int) int {
	for ; j+8 <= len(s); j += 8 {
		if m := specialMask(binary.LittleEndian.Uint64(s[j:])); m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	for j < len(s) && strSafe[s[j]] {
		j++
	}
	return j
}

// structPlan decodes objects into a struct type.
type structPlan struct {
	fields []structField // in the order of their index paths
	exact  nameTable     // field by name
	folded nameTable     // first field by folded name (see appendFold)

	// succ predicts keys: succ[0] holds the index of the field whose key
	// comes first in an object, succ[i+1] that of the field whose key
	// follows field i's. At first they say the fields' order; a key found
	// otherwise replaces the prediction, since the next objects likely
	// come from the same producer, whose order need not be the fields'
	// (JSON written from a map, or by another language). A wrong guess
	// costs a comparison; no allocation, whatever the producers do.
	succ []atomic.Int32
}

// nameTable finds a field by name: an open-addressing hash table of field
// indexes, cheaper than a map for the few short names of a struct.
type nameTable struct {
	names []string // by field index: the name the field is found by, "" for none
	slots []int32  // field index + 1, 0 for an empty slot; len is a power of two
}

func newNameTable(names []string) nameTable {
	n := 4
	for n < 2*len(names) {
		n *= 2
	}
	t := nameTable{names: names, slots: make([]int32, n)}
	for i, name := range names {
		if name == "" || t.find([]byte(name)) >= 0 {
			continue // the first field of a name wins
		}
		h := nameHash([]byte(name)) & uint32(n-1)
		for t.slots[h] != 0 {
			h = (h + 1) & uint32(n-1)
		}
		t.slots[h] = int32(i + 1)
	}
	return t
}

// find returns the index of the field named key, or -1.
func (t *nameTable) find(key []byte) int {
	mask := uint32(len(t.slots) - 1)
	for h := nameHash(key) & mask; ; h = (h + 1) & mask {
		s := t.slots[h]
		if s == 0 {
			return -1
		}
		if t.names[s-1] == string(key) {
			return int(s - 1)
		}
	}
}

// nameHash hashes a name by its length and its first and last bytes,
// which tell a struct's field names apart well enough.
func nameHash(b []byte) uint32 {
	h := uint32(len(b))
	if len(b) > 0 {
		h |= uint32(b[0])<<8 | uint32(b[len(b)-1])<<16
	}
	h *= 0x9e3779b1
	return h ^ h>>15
}

// structField is a field an object key sets.
type structField struct {
	name   string
	key    string     // name + `":`, when name needs no escaping; else ""
	index0 int        // the field's index in the struct, or that of the embedded struct holding it
	deeper []int      // the rest of the path, through embedded structs; nil for a field of the struct itself
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
	// Keys are predicted, to be recognised by one comparison (see succ).
	prev := 0
	for first := true; ; first = false {
		cand := int(sp.succ[prev].Load())
		i := -1
		if cand < len(sp.fields) {
			// A quick look at the key's first byte before a comparison.
			f := &sp.fields[cand]
			if j := d.i + 2; f.key != "" && j < len(d.b) && (d.b[j] == f.key[0] || d.b[j-1] == f.key[0]) && d.predicted(first, f.key) {
				i = cand
			}
		}
		if i < 0 {
			key, more, err := d.member(first)
			if err != nil || !more {
				return err
			}
			if i = sp.lookup(key); i >= 0 {
				sp.succ[prev].Store(int32(i))
			}
		}
		if i < 0 {
			if err := d.skip(false); err != nil {
				return err
			}
			continue
		}
		prev = i + 1
		f := &sp.fields[i]
		fv := v.Field(f.index0)
		for _, x := range f.deeper {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					fv.Set(reflect.New(fv.Type().Elem()))
				}
				fv = fv.Elem()
			}
			fv = fv.Field(x)
		}
		var err error
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
func (sp *structPlan) lookup(key []byte) int {
	if i := sp.exact.find(key); i >= 0 {
		return i
	}
	var buf [32]byte
	return sp.folded.find(appendFold(buf[:0], key))
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
