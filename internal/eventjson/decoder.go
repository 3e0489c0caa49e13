// Package eventjson decodes the JSON events AWS Lambda sends from SQS,
// Kinesis, DynamoDB Streams and Kafka into the aws-lambda-go event types, and
// encodes the partial batch responses, without reflection. A [Plan] decodes
// the records' payloads into the handler's type, by encoding/json's rules,
// with the same scanner (see payload.go).
//
// The decoders are written for exactly these event shapes and fill the same
// values encoding/json would: a differential test and a fuzz target hold
// them to that. They follow encoding/json's rules, including the unusual
// ones: object keys match field names exactly or else case-insensitively, a
// repeated key decodes again into the value already there (the last one
// wins for scalars; maps and slices are reused), invalid UTF-8 becomes
// U+FFFD, []byte fields take standard base64 (or an array of numbers), and
// a null leaves a scalar unchanged. One difference: text after the event
// (other than white space) is an error here, as with json.Unmarshal, while
// lambda.Start's json.Decoder ignores it.
//
// Strings are copied out of the payload into small arenas, one for each
// size class (the powers of two from 16 bytes to 1 KiB), whose chunks hold
// four strings of their class at least; a short value that repeats across
// the records of an event (a region, an ARN, an attribute name) is copied
// once. So most strings cost no allocation of their own, and a string kept
// from an event keeps at most four times its class reachable: less than
// eight times its own length, or 64 bytes for a string of up to 16 bytes.
// A string longer than 1 KiB is an allocation of its own. No string keeps
// the caller's payload buffer (which aws-lambda-go reuses) alive or
// aliases it.
package eventjson

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// b64 is the encoding of []byte in JSON.
var b64 = base64.StdEncoding

// maxDepth is encoding/json's limit on nesting of objects and arrays.
const maxDepth = 10000

// Error is a decoding error: malformed JSON, or a JSON value whose type does
// not fit the event's field.
type Error struct {
	Offset int    // byte offset in the payload where the problem was seen
	Msg    string // what is wrong
}

// Error returns the message with its offset.
func (e *Error) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

// decoder walks one payload. It validates everything it reads, including the
// values it skips.
type decoder struct {
	b     []byte // the payload as given (read only)
	i     int    // read position
	depth int

	scratch []byte // reused buffer for unquoting

	// arenas[c] is the current chunk of size class c (see arenaChunk):
	// each string stored there is a slice of it, so that most strings
	// cost no allocation of their own. A strings.Builder never changes
	// bytes it has written, and String aliases them: a string taken from
	// it stays valid, and unchanged, when a new chunk replaces it.
	arenas [arenaClasses]strings.Builder

	// lenient makes a record-level problem (invalid base64 in a binary
	// field, an invalid DynamoDB attribute value) a FieldError of that
	// record, kept in bad, instead of an error of the whole event; part
	// names the field being decoded, for that error.
	lenient bool
	part    string
	bad     *FieldError // the current record's first problem
	bads    []*FieldError

	// recent holds strings kept lately, by a hash of their bytes, so that
	// a value that repeats across the records of an event (a region, an
	// ARN, an attribute name) is stored once. They are arena strings, so
	// a string shared this way keeps no more reachable than a copy would.
	recent [recentSize]string

	// orders predicts the keys of objects, one for each list of field
	// names (see keyOrder); noOrder serves any further list.
	orders  [4]keyOrder
	noOrder keyOrder

	// rawImages leaves the NewImage and OldImage of DynamoDB records
	// unbuilt (checked as JSON only), for a caller that decodes them from
	// the record's JSON (see DynamoDBRaw). rawSeen counts, for the record
	// being decoded, its dynamodb, NewImage and OldImage members (bits 0-1,
	// 2-3, 4-5, up to 2 each), so that a record that repeats one is built
	// as before: encoding/json merges the repeated maps.
	rawImages bool
	rawSeen   uint8
}

func newDecoder(b []byte) *decoder {
	return &decoder{b: b}
}

// Strings are stored by size class, so that a string a user keeps keeps
// little else alive. A string of n bytes, 0 < n <= maxArenaString, goes to
// the arena of its class c, the power of two >= n and >= minArenaClass,
// which hands out chunks of arenaChunk*c bytes: a chunk holds arenaChunk
// strings of its class at least (more when they are shorter than c), and
// many strings share each allocation. A kept string keeps its one chunk
// reachable, so at most arenaChunk*c bytes, its own included: for n > 16,
// c < 2n and that is less than 8n bytes; for n <= 16 it is 64 bytes. A
// string longer than maxArenaString is an allocation of its own, which
// keeps nothing else reachable. The chunk sizes (64 bytes to 4 KiB) are
// size classes of Go's allocator, so none of a chunk is rounding waste.
const (
	arenaChunk     = 4    // strings of its class a chunk holds at least
	minArenaClass  = 16   // the smallest class, in bytes
	maxArenaString = 1024 // the largest class: longer strings are allocated alone
	arenaClasses   = 7    // 16, 32, ..., 1024
)

// Strings of up to maxRecent bytes are looked up in the decoder's recent
// strings (recentSize of them, two for each value of recentHash) before
// they are stored: values that repeat across records (source, region, ARN,
// attribute names and data types) are short.
const (
	maxRecent  = 128
	recentBits = 6
	recentSize = 2 << recentBits
)

// keep returns b, bytes of the payload or unquoted bytes the decoder will
// reuse, as a string that shares no memory with either (the caller may
// reuse the payload once decoding ends): the recent string with these
// bytes if there is one, else a copy in the arena of its size class, or a
// string of its own when it is longer than maxArenaString. Either way a
// kept string keeps at most one chunk of an arena reachable (see
// arenaChunk).
func (d *decoder) keep(b []byte) string {
	n := len(b)
	switch {
	case n == 0:
		return ""
	case n > maxArenaString:
		return string(b)
	case n > maxRecent:
		return d.store(b)
	}
	// Two slots per hash, the later string first, so that two values
	// that repeat in turn with the same hash are both found.
	set := d.recent[recentHash(b)*2:][:2]
	if set[0] == string(b) {
		return set[0]
	}
	if set[1] == string(b) {
		return set[1]
	}
	s := d.store(b)
	set[1], set[0] = set[0], s
	return s
}

// store copies b, of 1 to maxArenaString bytes, into the arena of its size
// class.
func (d *decoder) store(b []byte) string {
	n := len(b)
	c := 0 // class: 16 << c is the power of two >= n, at least 16
	if n > minArenaClass {
		c = bits.Len(uint(n-1)) - 4
	}
	a := &d.arenas[c]
	if a.Cap()-a.Len() < n {
		*a = strings.Builder{}
		a.Grow(arenaChunk * (minArenaClass << c))
	}
	start := a.Len()
	a.Write(b)
	return a.String()[start:]
}

// recentHash picks the pair of slots of d.recent for b (1 to maxRecent
// bytes) from its length and its first and last eight bytes, which tell
// the short values of an event apart well enough.
func recentHash(b []byte) uint {
	n := len(b)
	var x uint64
	if n >= 8 {
		x = binary.LittleEndian.Uint64(b) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(b[n-8:]), 31)
	} else {
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
	}
	x ^= uint64(n) << 56
	x *= 0x9e3779b97f4a7c15
	return uint(x >> (64 - recentBits))
}

func (d *decoder) errf(format string, args ...any) error {
	return &Error{Offset: d.i, Msg: fmt.Sprintf(format, args...)}
}

// typeErr reports a JSON value of the wrong kind for a field.
func (d *decoder) typeErr(want string) error {
	got := "end of input"
	if d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			got = "string"
		case c == '{':
			got = "object"
		case c == '[':
			got = "array"
		case c == 't' || c == 'f':
			got = "bool"
		case c == 'n':
			got = "null"
		default:
			got = "number"
		}
	}
	return d.errf("cannot decode JSON %s into %s", got, want)
}

// TrimSpace removes the white space JSON allows around a value: space,
// tab, line feed and carriage return, and nothing else (not the other
// Unicode spaces bytes.TrimSpace removes).
func TrimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Validate reports whether data is one JSON value, with white space
// around it, by the rules encoding/json applies (json.Valid): the same
// scanner the event decoders use, so it rejects what they reject. The
// error is an [*Error] that gives the offset.
func Validate(data []byte) error {
	d := decoder{b: data}
	if err := d.skip(false); err != nil {
		return err
	}
	return d.end()
}

// ws skips white space.
func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// end checks that only white space is left.
func (d *decoder) end() error {
	d.ws()
	if d.i != len(d.b) {
		return d.errf("invalid character %q after top-level value", d.b[d.i])
	}
	return nil
}

func (d *decoder) literal(lit string) error {
	if end := d.i + len(lit); end > len(d.b) || string(d.b[d.i:end]) != lit {
		return d.errf("invalid literal, want %s", lit)
	}
	d.i += len(lit)
	return nil
}

// enter consumes the opening byte of an object or array.
func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errf("exceeded max depth")
	}
	d.i++
	return nil
}

// object starts reading an object; the next byte must be '{'.
func (d *decoder) object() error {
	if d.peek() != '{' {
		return d.typeErr("object")
	}
	return d.enter()
}

// key reads the next key of an object started with object, for a map: the
// key is kept like a string value. It reports false when the object ended.
// first is true for the first call on an object.
func (d *decoder) key(first bool) (string, bool, error) {
	k, more, err := d.member(first)
	if err != nil || !more {
		return "", more, err
	}
	return d.keep(k), true, nil
}

// rawKey is key for a key that is only looked at: its bytes are a slice of
// the payload or of the decoder's scratch buffer, valid until the next
// string is read, and must not be modified.
func (d *decoder) rawKey(first bool) ([]byte, bool, error) {
	more, err := d.keyStart(first)
	if err != nil || !more {
		return nil, false, err
	}
	k, err := d.strBytes()
	if err != nil {
		return nil, false, err
	}
	return k, true, d.colon()
}

// keyStart consumes what comes before a key: the separator after the
// previous value, or the end of the object (more is then false).
func (d *decoder) keyStart(first bool) (more bool, err error) {
	c := d.peek()
	if c == '}' {
		d.i++
		d.depth--
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, d.errf("invalid character %q after object key:value pair", c)
		}
		d.i++
		c = d.peek()
		if c == '}' {
			return false, d.errf("invalid character '}' looking for beginning of object key string")
		}
	}
	if c != '"' {
		return false, d.errf("invalid character looking for beginning of object key string")
	}
	return true, nil
}

// colon consumes the colon after a key.
func (d *decoder) colon() error {
	if d.peek() != ':' {
		return d.errf("invalid character after object key")
	}
	d.i++
	return nil
}

// array starts reading an array; the next byte must be '['.
func (d *decoder) array() error {
	if d.peek() != '[' {
		return d.typeErr("array")
	}
	return d.enter()
}

// next reports whether the array started with array has another element,
// consuming the separator. first is true for the first call on an array.
func (d *decoder) next(first bool) (bool, error) {
	c := d.peek()
	if c == ']' {
		d.i++
		d.depth--
		return false, nil
	}
	if first {
		return true, nil
	}
	if c != ',' {
		return false, d.errf("invalid character %q after array element", c)
	}
	d.i++
	if d.peek() == ']' {
		return false, d.errf("invalid character ']' looking for beginning of value")
	}
	return true, nil
}

// strSafe holds the ASCII bytes that can be copied from a JSON string as
// they are.
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string; the next byte must be '"'. The string is a copy (see
// keep).
func (d *decoder) str() (string, error) {
	b, err := d.strBytes()
	if err != nil {
		return "", err
	}
	return d.keep(b), nil
}

// strBytes reads a string like str, but returns its bytes as a slice of the
// payload (when the string needs no unquoting) or of the decoder's scratch
// buffer: they must not be modified, and are valid only until the next
// string is read, so they serve to look at a key or to decode base64 into
// a new slice, never as a value.
func (d *decoder) strBytes() ([]byte, error) {
	start, end, ok, err := d.strPlain()
	if err != nil {
		return nil, err
	}
	if !ok {
		return d.unquote()
	}
	return d.b[start:end:end], nil
}

// strPlain reads a string whose body needs no unquoting (no escape, no
// control character, valid UTF-8), the common case. An ASCII string is
// read in one pass, eight bytes at a time; from the first byte above 0x7f
// on, the rest is checked with bulk scans. It reports false, without
// moving, for any other string.
func (d *decoder) strPlain() (start, end int, ok bool, err error) {
	if d.peek() != '"' {
		return 0, 0, false, d.typeErr("string")
	}
	start = d.i + 1
	j := plainEnd(d.b, start)
	if j < len(d.b) && d.b[j] == '"' {
		d.i = j + 1
		return start, j, true, nil
	}
	end, ok = d.plainFrom(start, j)
	return start, end, ok, nil
}

// plainFrom is the rest of strPlain for the string whose body starts at
// start, when plainEnd has found its bytes up to j plain: it returns the
// end of the body and true, past the string, when the body needs no
// unquoting, else false without moving.
func (d *decoder) plainFrom(start, j int) (end int, ok bool) {
	s := d.b
	if j >= len(s) {
		return 0, false
	}
	if s[j] == '"' {
		d.i = j + 1
		return j, true
	}
	if s[j] < utf8.RuneSelf {
		return 0, false // an escape or a control character
	}
	q := bytes.IndexByte(s[j:], '"')
	if q < 0 {
		return 0, false
	}
	seg := s[j : j+q]
	if bytes.IndexByte(seg, '\\') >= 0 {
		return 0, false
	}
	if ctrl, _ := scanPlain(seg); ctrl || !utf8.Valid(seg) {
		return 0, false
	}
	d.i = j + q + 1
	return j + q, true
}

// skipStr validates a string (the next byte is '"') without keeping it:
// a plain one is not copied.
func (d *decoder) skipStr() error {
	if _, _, ok, err := d.strPlain(); ok || err != nil {
		return err
	}
	_, err := d.unquote()
	return err
}

// unquote reads any string (the next byte is '"'), validating it and
// unquoting it in one pass as encoding/json does: escapes resolved, invalid
// UTF-8 and lone surrogates replaced with U+FFFD. The result is the
// decoder's scratch buffer, valid until the next call.
func (d *decoder) unquote() ([]byte, error) {
	s := d.b
	i := d.i + 1
	buf := d.scratch[:0]
	for {
		if i+8 <= len(s) {
			// Plain bytes are copied eight at a time: the whole word
			// is stored past the end of buf, which then takes in those
			// of its bytes before the first special one.
			if cap(buf)-len(buf) < 8 {
				buf = append(buf, make([]byte, 8+len(buf))...)[:len(buf)]
			}
			w := binary.LittleEndian.Uint64(s[i:])
			n := len(buf)
			binary.LittleEndian.PutUint64(buf[n:n+8], w)
			m := specialMask(w)
			if m == 0 {
				buf = buf[:n+8]
				i += 8
				continue
			}
			k := bits.TrailingZeros64(m) >> 3
			i += k
			n += k
			// An escaped quote, backslash or slash, the escapes of a
			// JSON document inside a string, is unquoted here: buf
			// has room, the word had eight bytes.
			if s[i] == '\\' && i+1 < len(s) {
				if e := s[i+1]; e == '"' || e == '\\' || e == '/' {
					buf = buf[:n+1]
					buf[n] = e
					i += 2
					continue
				}
			}
			buf = buf[:n]
		} else {
			for i < len(s) && strSafe[s[i]] {
				buf = append(buf, s[i])
				i++
			}
			if i >= len(s) {
				d.i = len(s)
				return nil, d.errf("unexpected end of JSON input in string")
			}
		}
		switch c := s[i]; {
		case c == '"':
			d.i = i + 1
			d.scratch = buf
			return buf, nil
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, s[i:i+n]...)
			}
			i += n
		case c == '\\':
			if i+1 >= len(s) {
				d.i = len(s)
				return nil, d.errf("unexpected end of JSON input in string escape")
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				if !hex4(s, i+2) {
					d.i = i
					return nil, d.errf("invalid \\u escape in string literal")
				}
				r := hexVal(s[i+2:])
				i += 6
				if utf16.IsSurrogate(r) {
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' && hex4(s, i+2) {
						if pair := utf16.DecodeRune(r, hexVal(s[i+2:])); pair != unicode.ReplacementChar {
							buf = utf8.AppendRune(buf, pair)
							i += 6
							continue
						}
					}
					r = unicode.ReplacementChar
				}
				buf = utf8.AppendRune(buf, r)
				continue
			default:
				d.i = i + 1
				return nil, d.errf("invalid character %q in string escape code", e)
			}
			i += 2
		default:
			d.i = i
			return nil, d.errf("invalid character %q in string literal", c)
		}
	}
}

// hex4 reports whether s[i:i+4] are four hexadecimal digits.
func hex4(s []byte, i int) bool {
	return i+4 <= len(s) && isHex(s[i]) && isHex(s[i+1]) && isHex(s[i+2]) && isHex(s[i+3])
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// specialMask tells which of the eight bytes of w may end a run of plain
// string bytes (a quote, a backslash, a control character or a byte of a
// multi-byte sequence): the high bit of a byte lane is set where the byte
// may be special. Above the first special
// byte there may be false positives (a borrow carries into the next lane),
// below it there are none, so the first special byte of w is byte
// bits.TrailingZeros64(m)/8 (in little-endian order), exactly.
func specialMask(w uint64) uint64 {
	q := w ^ (lsb * '"')
	bs := w ^ (lsb * '\\')
	return ((w-lsb*0x20)&^w | (q-lsb)&^q | (bs-lsb)&^bs | w) & msb
}

// scanPlain reports whether seg holds a control character, and whether it
// holds a byte above 0x7f.
func scanPlain(seg []byte) (ctrl, high bool) {
	var lt, hi uint64 // high bit set in a byte lane where a byte < 0x20 / >= 0x80 was seen
	i := 0
	for ; i+8 <= len(seg); i += 8 {
		w := binary.LittleEndian.Uint64(seg[i:])
		lt |= (w - lsb*0x20) &^ w
		hi |= w
	}
	for ; i < len(seg); i++ {
		c := uint64(seg[i])
		lt |= (c - 0x20) &^ c & 0x80
		hi |= c
	}
	return lt&msb != 0, hi&msb != 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(s []byte) rune {
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// num reads a number and returns its text.
func (d *decoder) num() ([]byte, error) {
	s := d.b
	start := d.i
	i := start
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	default:
		d.i = i
		return nil, d.errf("invalid character in numeric literal")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return nil, d.errf("invalid character after decimal point in numeric literal")
		}
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return nil, d.errf("invalid character in exponent of numeric literal")
		}
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	}
	d.i = i
	return s[start:i], nil
}

// skip validates and skips one value. With floats set, every number must
// also fit a float64, as when encoding/json decodes into an interface{}.
func (d *decoder) skip(floats bool) error {
	switch c := d.peek(); c {
	case '{':
		if err := d.enter(); err != nil {
			return err
		}
		for first := true; ; first = false {
			_, more, err := d.rawKey(first)
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
			if err := d.skip(floats); err != nil {
				return err
			}
		}
	case '[':
		if err := d.enter(); err != nil {
			return err
		}
		for first := true; ; first = false {
			more, err := d.next(first)
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
			if err := d.skip(floats); err != nil {
				return err
			}
		}
	case '"':
		return d.skipStr()
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	case 0:
		return d.errf("unexpected end of JSON input")
	default:
		if c != '-' && (c < '0' || c > '9') {
			return d.errf("invalid character %q looking for beginning of value", c)
		}
		n, err := d.num()
		if err != nil {
			return err
		}
		if floats {
			if _, err := strconv.ParseFloat(string(n), 64); err != nil {
				return d.errf("number %s does not fit a float64", n)
			}
		}
		return nil
	}
}

// stringInto decodes a string field: null leaves it unchanged.
func (d *decoder) stringInto(p *string) error {
	// A string right after the colon, the common case, is read here,
	// scanned once (str would scan it again to find where it starts);
	// anything else goes the long way, through str.
	if s, i := d.b, d.i; i < len(s) && s[i] == '"' {
		if j := plainEnd(s, i+1); j < len(s) && s[j] == '"' {
			*p = d.keep(s[i+1 : j])
			d.i = j + 1
			return nil
		} else if end, ok := d.plainFrom(i+1, j); ok {
			*p = d.keep(s[i+1 : end])
			return nil
		}
		b, err := d.unquote()
		if err != nil {
			return err
		}
		*p = d.keep(b)
		return nil
	}
	if d.peek() == 'n' {
		return d.literal("null")
	}
	s, err := d.str()
	if err != nil {
		return err
	}
	*p = s
	return nil
}

// intInto decodes an int64 field: null leaves it unchanged; the number must
// be an integer in range.
func (d *decoder) intInto(p *int64) error {
	c := d.peek()
	if c == 'n' {
		return d.literal("null")
	}
	if c != '-' && (c < '0' || c > '9') {
		return d.typeErr("int64")
	}
	n, err := d.num()
	if err != nil {
		return err
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return d.errf("cannot decode number %s into int64", n)
	}
	*p = v
	return nil
}

// float reads a number for a float64, with null as 0 (how the epoch time
// types of aws-lambda-go treat it).
func (d *decoder) float() (float64, error) {
	c := d.peek()
	if c == 'n' {
		return 0, d.literal("null")
	}
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.typeErr("float64")
	}
	n, err := d.num()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, d.errf("cannot decode number %s into float64", n)
	}
	return v, nil
}

// bytesInto decodes a []byte field: null sets nil, a string is standard
// base64, an array holds numbers 0 to 255 (decoded into the slice already
// there, as encoding/json does).
func (d *decoder) bytesInto(p *[]byte) error {
	switch d.peek() {
	case 'n':
		*p = nil
		return d.literal("null")
	case '"':
		at := d.i
		src, err := d.strBytes()
		if err != nil {
			return err
		}
		err = d.base64Into(p, src)
		if err != nil && d.lenient {
			*p = nil
			d.markBad(at, d.part, err)
			return nil
		}
		return err
	case '[':
		return sliceInto(d, p, func(d *decoder, e *byte) error {
			c := d.peek()
			if c == 'n' {
				return d.literal("null")
			}
			if c != '-' && (c < '0' || c > '9') {
				return d.typeErr("uint8")
			}
			n, err := d.num()
			if err != nil {
				return err
			}
			v, err := strconv.ParseUint(string(n), 10, 8)
			if err != nil {
				return d.errf("cannot decode number %s into uint8", n)
			}
			*e = byte(v)
			return nil
		})
	}
	return d.typeErr("[]byte")
}

func (d *decoder) base64Into(p *[]byte, src []byte) error {
	b := make([]byte, b64.DecodedLen(len(src)))
	n, err := b64.Decode(b, src)
	if err != nil {
		return d.errf("base64: %v", err)
	}
	*p = b[:n]
	return nil
}

// sliceInto decodes an array into *p the way encoding/json does: null sets
// nil; elements are decoded into the slice already there, which grows when
// needed; an empty array gives an empty, non-nil slice.
func sliceInto[T any](d *decoder, p *[]T, elem func(d *decoder, e *T) error) error {
	if d.peek() == 'n' {
		*p = nil
		return d.literal("null")
	}
	if err := d.array(); err != nil {
		return err
	}
	s := *p
	i := 0
	for first := true; ; first = false {
		more, err := d.next(first)
		if err != nil {
			*p = s
			return err
		}
		if !more {
			break
		}
		if i >= cap(s) {
			var zero T
			s = append(s, zero)
		} else if i >= len(s) {
			s = s[:i+1]
		}
		if err := elem(d, &s[i]); err != nil {
			*p = s
			return err
		}
		i++
	}
	if i < len(s) {
		s = s[:i]
	}
	if i == 0 {
		s = make([]T, 0)
	}
	*p = s
	return nil
}

// mapInto decodes an object into the map *p: null sets nil, the map already
// there is reused, each value is decoded into a zero T.
func mapInto[T any](d *decoder, p *map[string]T, hint int, elem func(d *decoder, e *T) error) error {
	if d.peek() == 'n' {
		*p = nil
		return d.literal("null")
	}
	if err := d.object(); err != nil {
		return err
	}
	m := *p
	if m == nil {
		m = make(map[string]T, hint)
		*p = m
	}
	var v *T // one slot for every value: elem's pointer escapes
	for first := true; ; first = false {
		k, more, err := d.key(first)
		if err != nil || !more {
			return err
		}
		if v == nil {
			v = new(T)
		} else {
			var zero T
			*v = zero
		}
		if err := elem(d, v); err != nil {
			return err
		}
		m[k] = *v
	}
}

// stringMapInto is mapInto for map[string]string, without the callback
// (whose pointer argument would cost an allocation).
func (d *decoder) stringMapInto(p *map[string]string, hint int) error {
	if d.peek() == 'n' {
		*p = nil
		return d.literal("null")
	}
	if err := d.object(); err != nil {
		return err
	}
	m := *p
	if m == nil {
		m = make(map[string]string, hint)
		*p = m
	}
	for first := true; ; first = false {
		k, more, err := d.key(first)
		if err != nil || !more {
			return err
		}
		var v string
		if err := d.stringInto(&v); err != nil {
			return err
		}
		m[k] = v
	}
}

// structInto decodes an object into a struct whose JSON field names are
// names: null leaves it unchanged; for each key, field is called with the
// name the key selects (see match), "" for none, and must consume the value.
//
// Keys are predicted (see keyOrder): a key written as the name predicted,
// right after the separator, is recognised by one comparison.
func (d *decoder) structInto(names []string, field func(name string) error) error {
	if d.peek() == 'n' {
		return d.literal("null")
	}
	if err := d.object(); err != nil {
		return err
	}
	ko := d.keyOrder(names)
	prev := 0 // index in ko.succ of the prediction for the next key
	for first := true; ; first = false {
		name := ""
		if c := int(ko.succ[prev]); c < len(names) && d.predictedName(first, names[c]) {
			name, prev = names[c], c+1
		} else {
			k, more, err := d.member(first)
			if err != nil || !more {
				return err
			}
			if i := match(k, names); i >= 0 {
				name = names[i]
				ko.succ[prev] = uint8(i)
				prev = i + 1
			}
		}
		if err := field(name); err != nil {
			return err
		}
	}
}

// keyOrder predicts the keys of the objects decoded with one list of field
// names: succ[0] holds the index of the name whose key comes first in an
// object, succ[i+1] that of the name whose key follows name i's. At first
// they say the names' order; a key found otherwise replaces the
// prediction, since the next objects (the next records) likely come from
// the same producer, whose order need not be the names' (Lambda writes an
// SQS message's keys in an order of its own). A wrong guess costs one
// comparison; a prediction only chooses which name is compared first, and
// selects it only when the key is exactly that name, as encoding/json's
// exact match does.
type keyOrder struct {
	names *string // &names[0] of the list it serves; nil while unused
	succ  [maxFieldNames + 1]uint8
}

// maxFieldNames bounds the names of one struct the decoders fill, so that
// a keyOrder needs no allocation.
const maxFieldNames = 15

// keyOrder returns the decoder's keyOrder for names, or a fresh one that
// predicts nothing when the decoder's are all taken (they are enough for
// the struct types of any one source).
func (d *decoder) keyOrder(names []string) *keyOrder {
	for i := range d.orders {
		ko := &d.orders[i]
		if ko.names == &names[0] {
			return ko
		}
		if ko.names == nil {
			ko.names = &names[0]
			for j := range ko.succ {
				ko.succ[j] = uint8(j)
			}
			return ko
		}
	}
	return &d.noOrder
}

// predictedName reads the next member's comma (unless first), key and
// colon when they are written exactly as ,"name": and reports whether they
// were.
func (d *decoder) predictedName(first bool, name string) bool {
	s, j := d.b, d.i
	if !first {
		if j >= len(s) || s[j] != ',' {
			return false
		}
		j++
	}
	e := j + 1 + len(name) // the closing quote
	if e+1 >= len(s) || s[j] != '"' || s[e] != '"' || s[e+1] != ':' || string(s[j+1:e]) != name {
		return false
	}
	d.i = e + 2
	return true
}

// recordsOf decodes an event whose only field of interest is its
// "Records" array (SQS, Kinesis, DynamoDB Streams), each element with elem.
// Other fields are skipped, as json.Unmarshal does for fields the event
// type does not have; the slice is presized from marker (see presize).
func recordsOf[T any](payload []byte, marker string, elem func(*decoder, *T) error) ([]T, error) {
	recs, _, err := recordsOfMode(payload, marker, elem, false)
	return recs, err
}

// recordsOfMode is recordsOf with the choice of lenient decoding, which
// also returns the problems of single records (see decoder.lenient).
func recordsOfMode[T any](payload []byte, marker string, elem func(*decoder, *T) error, lenient bool) ([]T, []*FieldError, error) {
	return recordsWith(newDecoder(payload), marker, elem, lenient, nil)
}

// recordsWith is recordsOfMode on a decoder the caller set up. With spans
// non-nil, it also sets *spans to the JSON of each record: (*spans)[i] is
// the slice of the payload that record i was decoded from.
func recordsWith[T any](d *decoder, marker string, elem func(*decoder, *T) error, lenient bool, spans *[][]byte) ([]T, []*FieldError, error) {
	var recs []T
	d.lenient = lenient
	if spans != nil {
		inner := elem
		elem = func(d *decoder, r *T) error {
			start := d.i
			err := inner(d, r)
			*spans = append(*spans, d.b[start:d.i:d.i])
			return err
		}
	}
	i := 0 // index of the record being decoded
	if lenient {
		inner := elem
		elem = func(d *decoder, r *T) error {
			d.bad = nil
			err := inner(d, r)
			if d.bad != nil {
				d.bad.Index = i
				d.bads = append(d.bads, d.bad)
			}
			i++
			return err
		}
	}
	sized := false
	err := d.structInto(recordsFields, func(name string) error {
		if name != "" {
			// A repeated key decodes the array again from its start.
			i, d.bads = 0, nil
			if spans != nil {
				*spans = (*spans)[:0]
			}
			if !sized {
				sized = true
				recs = presize[T](d, marker)
				if spans != nil && *spans == nil {
					*spans = make([][]byte, 0, cap(recs))
				}
			}
			return sliceInto(d, &recs, elem)
		}
		return d.skip(false)
	})
	if err == nil {
		err = d.end()
	}
	return recs, d.bads, err
}

// presize returns an empty slice with room for about as many elements as
// the payload holds occurrences of marker (a field every record has once),
// so that decoding a large batch does not grow the slice step by step. The
// count is only a capacity hint, so for a large payload it is estimated
// from its first presizeSample bytes, the records of one event being alike
// in size, with an eighth added for the variation: a full count would be a
// pass over the whole payload, several per cent of the decoding time. An
// estimate that is short only makes append grow the slice.
func presize[T any](d *decoder, marker string) []T {
	var n int
	if len(d.b) <= presizeSample {
		n = bytes.Count(d.b, []byte(marker))
	} else {
		seen := bytes.Count(d.b[:presizeSample], []byte(marker))
		n = int(int64(seen)*int64(len(d.b))/presizeSample) + seen/8 + 1
	}
	// Real records take several hundred bytes; the bound keeps a payload
	// made of markers from reserving much more memory than its own size.
	if max := len(d.b) / 128; n > max {
		n = max
	}
	return make([]T, 0, n)
}

// presizeSample is how much of a large payload presize reads.
const presizeSample = 64 << 10

// match returns the index of the name in names that key selects: the name
// equal to key, or else the first one equal under Unicode case folding, as
// encoding/json matches keys to struct fields; -1 when none does.
func match(key []byte, names []string) int {
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	for i, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return i
		}
	}
	return -1
}
