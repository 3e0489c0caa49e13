package dynamodbav

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// This file decodes an image from its JSON, as a DynamoDB Streams event
// carries it, with the result of decodeImage on the map json.Unmarshal
// makes of that JSON with aws-lambda-go's attribute values, without
// building the map: aws-lambda-go boxes every attribute value in an
// interface and makes a Go map per image and per M, which costs more than
// decoding the image into the item.
//
// The JSON is decoded in two passes over reusable memory:
//
//  1. parse reads the whole image into a flat slice of nodes, one per
//     attribute value and per set element, in document order, each
//     knowing where its children end. It checks the rules of
//     aws-lambda-go's UnmarshalJSON on the way, and decodes escapes and
//     base64 into one byte buffer.
//  2. decode walks the nodes with the plans of plan.go, as direct.go walks
//     aws-lambda-go's values, calling the same leaf functions.
//
// Why not decode in one pass, straight from the bytes into the item? The
// item must not be touched when the image is invalid anywhere, and whether
// it is is only known at its end; a repeated key keeps its last value, so
// an earlier one must not be decoded; two attribute names that fill one
// field (names differing only in case) make attributevalue decode the
// whole image, and the parts of a type the plan delegates need the
// attribute values of aws-sdk-go-v2, made from the whole value. With the
// nodes all of this is known before the item is touched, and the nodes
// cost nothing per image once the pool has warmed up: only what the item
// holds is allocated.
//
// Whatever the parser does not model goes the long way (fallbackImage):
// json.Unmarshal into aws-lambda-go's map, then decodeImage. That is any
// image json.Unmarshal would reject (so the error is json.Unmarshal's own),
// a repeated key in any object, a NULL holding anything but true, false or
// null (aws-lambda-go takes any JSON there), a JSON null for the image, an
// image over 256 MiB, and an out that is not a non-nil pointer. Real images
// have none of these.

// decodeImageJSON decodes img, the JSON of one image of a DynamoDB Streams
// record, into out, which should be a non-nil pointer to a zero value,
// with the result decodeImage gives on the map json.Unmarshal makes of
// img. An img json.Unmarshal rejects (or panics on) is an error. Strings
// and byte slices put into out are copies: nothing in out refers to img.
func decodeImageJSON(img []byte, out any) error {
	_, err := decodeImageJSONBy(img, out)
	return err
}

// How decodeImageJSON decoded an image, for tests.
const (
	byJSON         = "json"          // from the nodes, attributevalue for some attributes at most
	byJSONDelegate = "json+delegate" // by attributevalue, from the nodes, as out's type is
	byJSONRedo     = "json+redo"     // by attributevalue, from the nodes, as the image is
	byFallback     = "fallback"      // by json.Unmarshal and decodeImage
)

// decodeImageJSONBy is decodeImageJSON, also saying how it decoded.
func decodeImageJSONBy(img []byte, out any) (string, error) {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return byFallback, fallbackImage(img, out)
	}
	t := trees.Get().(*tree)
	defer t.release()
	if !t.parse(img) {
		return byFallback, fallbackImage(img, out)
	}
	r := rootOf(rv.Type())
	if r.delegate {
		return byJSONDelegate, unmarshalAttributeValues(t.sdkMap(0), out)
	}
	err := t.decode(r.plan, 0, rv.Elem(), false)
	if err != errRedo {
		return byJSON, err
	}
	rv.Elem().SetZero()
	return byJSONRedo, unmarshalAttributeValues(t.sdkMap(0), out)
}

// fallbackImage decodes img as json.Unmarshal and decodeImage do.
func fallbackImage(img []byte, out any) error {
	m, err := unmarshalLambda[map[string]events.DynamoDBAttributeValue](img, "image")
	if err != nil {
		return err
	}
	return decodeImage(m, out)
}

// unmarshalLambda is json.Unmarshal of b into a T holding aws-lambda-go's
// attribute values (an image, a record). aws-lambda-go panics on a binary
// set holding something else than strings: that is an error too, naming
// what b is.
func unmarshalLambda[T any](b []byte, what string) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, fmt.Errorf("dynamodbav: invalid %s: aws-lambda-go panicked: %v", what, r)
		}
	}()
	err = json.Unmarshal(b, &v)
	return v, err
}

// Kinds of node: the data types, and an element of a set.
const (
	nodeS uint8 = iota + 1
	nodeN
	nodeB
	nodeBOOL
	nodeNULL
	nodeSS
	nodeNS
	nodeBS
	nodeL
	nodeM
	nodeElem // of an SS or NS: its text; of a BS: its bytes
)

// A node is an attribute value, or an element of a set, of a parsed image.
// The image itself is node 0, an M.
type node struct {
	kind  uint8
	truth bool  // the value of a BOOL
	n     int32 // number of children: entries of an M, elements of an L or set
	end   int32 // index of the node that follows this one and its children
	key   span  // the name of an entry of an M (or of the image)
	val   span  // the text of an S, an N or an element; the bytes of a B or BS element
}

// A span is a run of bytes of the image (off >= 0) or, when they had to be
// decoded (escapes, base64), of the tree's buffer (at ^off).
type span struct{ off, n int32 }

// maxImage is the largest image parsed, so that spans and node indexes fit
// an int32 (a string can triple when decoded: an invalid byte becomes
// U+FFFD). Lambda's payloads are far smaller.
const maxImage = 1 << 28

// maxDepth is encoding/json's limit of nesting.
const maxDepth = 10000

// A tree is a parsed image, and the scratch memory of its decoding. Trees
// are pooled; one holds no reference to the image once released.
type tree struct {
	scanner
	nodes []node
	buf   []byte // decoded strings and bytes
	keys  []span // keys of the objects being parsed, to find repeated ones
	table []int32
	seen  []*fieldPlan // fields filled by the structs being decoded

	// strs is the length of the image's S values; arena holds the strings
	// decoded into the value (see keep).
	strs  int
	arena strings.Builder
}

var trees = sync.Pool{New: func() any { return new(tree) }}

// release puts t back in the pool, unless it has grown beyond what common
// images need.
func (t *tree) release() {
	t.src, t.arena = nil, strings.Builder{}
	if cap(t.nodes) > 1<<14 || cap(t.buf) > 1<<20 || cap(t.table) > 1<<12 || cap(t.keys) > 1<<12 {
		return
	}
	t.nodes, t.buf, t.keys, t.seen = t.nodes[:0], t.buf[:0], t.keys[:0], t.seen[:0]
	trees.Put(t)
}

// keep returns s as a string of the arena: the strings of one image share
// an allocation, sized for its S values, instead of costing one each. A
// string kept from the decoded value keeps that arena reachable, at most
// the length of the image's strings; never the image, or the event. A
// strings.Builder never changes what it has written, and a new one takes
// over when the arena is full, so strings handed out stay valid.
func (t *tree) keep(s []byte) string {
	if len(s) == 0 {
		return ""
	}
	if t.arena.Cap()-t.arena.Len() < len(s) {
		t.arena = strings.Builder{}
		t.arena.Grow(max(t.strs, len(s)))
	}
	start := t.arena.Len()
	t.arena.Write(s)
	return t.arena.String()[start:]
}

// bytes returns what s spans. The bytes are the image's or the buffer's:
// they are copied into anything decoded.
func (t *tree) bytes(s span) []byte {
	if s.off >= 0 {
		return t.src[s.off : s.off+s.n]
	}
	o := ^s.off
	return t.buf[o : o+s.n]
}

// parse parses img into t's nodes, reporting whether img is an image the
// nodes model: valid for json.Unmarshal, and without anything that goes
// the long way (see the top of this file).
func (t *tree) parse(img []byte) bool {
	if len(img) > maxImage {
		return false
	}
	t.src, t.pos, t.strs = img, 0, 0
	t.arena = strings.Builder{} // strings already handed out stay as they are
	t.nodes = append(t.nodes[:0], node{kind: nodeM})
	t.buf, t.keys = t.buf[:0], t.keys[:0]
	t.ws()
	if t.peek() != '{' || !t.members(0, 1) {
		return false
	}
	t.nodes[0].end = int32(len(t.nodes))
	t.ws()
	return t.pos == len(t.src)
}

// A scanner reads JSON from src, at pos.
type scanner struct {
	src []byte
	pos int
}

// peek returns the next byte, 0 at the end.
func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

// ws skips whitespace.
func (s *scanner) ws() {
	for s.pos < len(s.src) && isSpace(s.src[s.pos]) {
		s.pos++
	}
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// punct skips whitespace, c and whitespace, reporting whether c was there.
func (s *scanner) punct(c byte) bool {
	s.ws()
	if s.peek() != c {
		return false
	}
	s.pos++
	s.ws()
	return true
}

// more reads what follows a member of an object or an element of an
// array that closes with c: a comma (more) or c.
func (s *scanner) more(c byte) (more, ok bool) {
	s.ws()
	switch s.peek() {
	case ',':
		s.pos++
		s.ws()
		return true, true
	case c:
		s.pos++
		return false, true
	}
	return false, false
}

// literal reads lit if it is next.
func (s *scanner) literal(lit string) bool {
	if len(s.src)-s.pos < len(lit) || string(s.src[s.pos:s.pos+len(lit)]) != lit {
		return false
	}
	s.pos += len(lit)
	return true
}

// members parses an object of attribute values, the image or the value of
// an M, into the children of node self; depth is the object's. A repeated
// key is left to the long way.
func (t *tree) members(self int32, depth int) bool {
	if depth > maxDepth {
		return false
	}
	t.pos++ // '{'
	t.ws()
	base := len(t.keys)
	var n int32
	if t.peek() == '}' {
		t.pos++
	} else {
		for more := true; more; {
			if t.peek() != '"' {
				return false
			}
			k, ok := t.str()
			if !ok || !t.punct(':') {
				return false
			}
			at := int32(len(t.nodes))
			if !t.attr(depth + 1) {
				return false
			}
			t.nodes[at].key = k
			t.keys = append(t.keys, k)
			n++
			if more, ok = t.more('}'); !ok {
				return false
			}
		}
	}
	repeated := t.repeated(t.keys[base:])
	t.keys = t.keys[:base]
	t.nodes[self].n = n
	return !repeated
}

// attr parses an attribute value object, such as {"S":"x"}, at depth, into
// a new node. As aws-lambda-go decodes it, it must have one key, a data
// type, whose value has the JSON type of that data type; a repeated key
// goes the long way.
func (t *tree) attr(depth int) bool {
	if depth > maxDepth || t.peek() != '{' {
		return false
	}
	t.pos++
	t.ws()
	if t.peek() != '"' {
		return false
	}
	label, ok := t.str()
	if !ok || !t.punct(':') {
		return false
	}
	at := int32(len(t.nodes))
	kind := labelKind(t.bytes(label))
	t.nodes = append(t.nodes, node{kind: kind})
	switch kind {
	case nodeS, nodeN, nodeB:
		if t.peek() != '"' {
			return false
		}
		v, ok := t.str()
		if ok && kind == nodeB {
			v, ok = t.base64(v)
		}
		if !ok {
			return false
		}
		t.nodes[at].val = v
		if kind == nodeS {
			t.strs += int(v.n)
		}
	case nodeBOOL:
		switch {
		case t.literal("true"):
			t.nodes[at].truth = true
		case t.literal("false"):
		default:
			return false
		}
	case nodeNULL:
		// aws-lambda-go takes any value; other values than these are
		// left to the long way.
		if !t.literal("true") && !t.literal("false") && !t.literal("null") {
			return false
		}
	case nodeSS, nodeNS, nodeBS:
		if !t.parseSet(at, kind == nodeBS, depth+1) {
			return false
		}
	case nodeL:
		if !t.parseList(at, depth+1) {
			return false
		}
	case nodeM:
		if t.peek() != '{' || !t.members(at, depth+1) {
			return false
		}
	default:
		return false
	}
	t.ws()
	if t.peek() != '}' {
		return false
	}
	t.pos++
	t.nodes[at].end = int32(len(t.nodes))
	return true
}

// labelKind returns the node kind of a data type's name, 0 for another
// name.
func labelKind(label []byte) uint8 {
	switch string(label) {
	case "S":
		return nodeS
	case "N":
		return nodeN
	case "B":
		return nodeB
	case "BOOL":
		return nodeBOOL
	case "NULL":
		return nodeNULL
	case "SS":
		return nodeSS
	case "NS":
		return nodeNS
	case "BS":
		return nodeBS
	case "L":
		return nodeL
	case "M":
		return nodeM
	}
	return 0
}

// parseSet parses the array of strings of an SS, NS or BS (binary:
// base64) into the children of node self.
func (t *tree) parseSet(self int32, binary bool, depth int) bool {
	return t.parseArray(self, depth, func() bool {
		if t.peek() != '"' {
			return false
		}
		v, ok := t.str()
		if ok && binary {
			v, ok = t.base64(v)
		}
		if !ok {
			return false
		}
		t.nodes = append(t.nodes, node{kind: nodeElem, val: v, end: int32(len(t.nodes)) + 1})
		return true
	})
}

// parseList parses the array of attribute values of an L into the
// children of node self.
func (t *tree) parseList(self int32, depth int) bool {
	return t.parseArray(self, depth, func() bool { return t.attr(depth + 1) })
}

// parseArray parses a JSON array whose elements elem parses into children
// of node self, and counts them.
func (t *tree) parseArray(self int32, depth int, elem func() bool) bool {
	if depth > maxDepth || t.peek() != '[' {
		return false
	}
	t.pos++
	t.ws()
	var n int32
	if t.peek() == ']' {
		t.pos++
	} else {
		for more := true; more; {
			if !elem() {
				return false
			}
			n++
			var ok bool
			if more, ok = t.more(']'); !ok {
				return false
			}
		}
	}
	t.nodes[self].n = n
	return true
}

// str reads a string (the next byte is '"'): a span of the image when it
// needs no decoding, else of the buffer, where it is decoded as
// encoding/json decodes strings.
func (t *tree) str() (span, bool) {
	start := t.pos + 1
	end, plain, ok := scanString(t.src, start)
	if !ok {
		return span{}, false
	}
	t.pos = end + 1
	if plain {
		return span{off: int32(start), n: int32(end - start)}, true
	}
	o := len(t.buf)
	t.buf = unquote(t.buf, t.src[start:end])
	return span{off: ^int32(o), n: int32(len(t.buf) - o)}, true
}

// base64 decodes the base64 of s into the buffer, as aws-lambda-go does
// (base64.StdEncoding, which skips line breaks).
func (t *tree) base64(s span) (span, bool) {
	src := t.bytes(s) // still valid if the buffer moves
	o := len(t.buf)
	n := base64.StdEncoding.DecodedLen(len(src))
	t.buf = slices.Grow(t.buf, n)
	m, err := base64.StdEncoding.Decode(t.buf[o:o+n], src)
	if err != nil {
		return span{}, false
	}
	t.buf = t.buf[:o+m]
	return span{off: ^int32(o), n: int32(m)}, true
}

// repeated reports whether two of keys span the same bytes.
func (t *tree) repeated(keys []span) bool {
	if len(keys) < 2 {
		return false
	}
	if len(keys) <= 16 {
		for i := 1; i < len(keys); i++ {
			k := t.bytes(keys[i])
			for j := 0; j < i; j++ {
				if bytes.Equal(k, t.bytes(keys[j])) {
					return true
				}
			}
		}
		return false
	}
	// A hash table of indexes into keys, with linear probing.
	size := 32
	for size < 2*len(keys) {
		size *= 2
	}
	t.table = slices.Grow(t.table[:0], size)[:size]
	for i := range t.table {
		t.table[i] = -1
	}
	mask := uint64(size - 1)
	for i, s := range keys {
		k := t.bytes(s)
		h := maphash.Bytes(keySeed, k) & mask
		for ; t.table[h] >= 0; h = (h + 1) & mask {
			if bytes.Equal(k, t.bytes(keys[t.table[h]])) {
				return true
			}
		}
		t.table[h] = int32(i)
	}
	return false
}

var keySeed = maphash.MakeSeed()

// plainByte tells the bytes a string holds as they are: ASCII but for
// control characters, the quote and the backslash.
var plainByte = func() (p [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		p[c] = c != '"' && c != '\\'
	}
	return p
}()

// scanString finds the end of the string whose body starts at s[i]: the
// index of its closing quote. plain reports that the body needs no
// decoding (no escape, valid UTF-8); ok that it is valid JSON (no control
// character, valid escapes, a closing quote).
func scanString(s []byte, i int) (end int, plain, ok bool) {
	plain = true
	for i < len(s) {
		c := s[i]
		if plainByte[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i, plain, true
		case c == '\\':
			plain = false
			if i+1 >= len(s) {
				return 0, false, false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if !hex4(s, i+2) {
					return 0, false, false
				}
				i += 6
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		default:
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				plain = false
			}
			i += n
		}
	}
	return 0, false, false
}

// hex4 reports whether s[i:i+4] are four hexadecimal digits.
func hex4(s []byte, i int) bool {
	if i+4 > len(s) {
		return false
	}
	for _, c := range s[i : i+4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// hexRune returns the rune of the escape \uXXXX at s[i:], or -1 if there
// is none.
func hexRune(s []byte, i int) rune {
	if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' || !hex4(s, i+2) {
		return -1
	}
	var r rune
	for _, c := range s[i+2 : i+6] {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unquote appends the decoded body of a valid JSON string to dst, as
// encoding/json decodes it: escapes resolved, a UTF-16 surrogate pair
// joined, a lone surrogate and each byte of invalid UTF-8 replaced with
// U+FFFD.
func unquote(dst, body []byte) []byte {
	for i := 0; i < len(body); {
		switch c := body[i]; {
		case c == '\\':
			switch e := body[i+1]; e {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := hexRune(body, i)
				i += 6
				if utf16.IsSurrogate(r) {
					if pair := utf16.DecodeRune(r, hexRune(body, i)); pair != unicode.ReplacementChar {
						r = pair
						i += 6
					} else {
						r = unicode.ReplacementChar
					}
				}
				dst = utf8.AppendRune(dst, r)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, e)
			}
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(body[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for an invalid byte
			i += n
		}
	}
	return dst
}

// The decoding of the nodes mirrors direct.go, function by function, with
// the same results; only the way to the values differs. A node parsed
// from JSON always has a value (aws-lambda-go's UnmarshalJSON never makes
// the valueless attribute values checkPresent looks for), so nothing here
// checks for one.

// decode decodes node i into v, a zero value of p.typ; asString is the
// `string` option of the struct field v is, or is pointed to by. It is
// plan.decode.
func (t *tree) decode(p *plan, i int32, v reflect.Value, asString bool) error {
	nd := &t.nodes[i]
	if nd.kind == nodeNULL {
		if p.kind == kindDelegate {
			return t.delegate(p, i, v)
		}
		return nil
	}
	switch p.kind {
	case kindDelegate:
		return t.delegate(p, i, v)
	case kindPointer:
		ptr := reflect.New(p.typ.Elem())
		v.Set(ptr)
		return t.decode(p.elem, i, ptr.Elem(), asString)
	case kindAny:
		if asString && nd.kind == nodeS {
			break // a number
		}
		x, err := t.toAny(i)
		if err != nil {
			return err
		}
		setAny(v, x)
		return nil
	}

	switch nd.kind {
	case nodeS:
		if asString {
			return t.number(p, t.bytes(nd.val), v)
		}
		return t.string(p, t.bytes(nd.val), v)
	case nodeN:
		return t.number(p, t.bytes(nd.val), v)
	case nodeB:
		return p.binary(t.bytes(nd.val), v) // copies
	case nodeBOOL:
		if p.kind != kindBool {
			return typeError("bool", p.typ)
		}
		v.SetBool(nd.truth)
		return nil
	case nodeSS, nodeNS, nodeBS:
		return t.set(p, i, v)
	case nodeL:
		return t.list(p, i, v)
	}
	return t.mapOrStruct(p, i, v)
}

// delegate decodes node i into v with attributevalue. It is plan.delegate.
func (t *tree) delegate(p *plan, i int32, v reflect.Value) error {
	return p.unmarshalSDK(t.sdkValue(i), v)
}

// string decodes the text of an S into v. It is plan.string, without
// making a string of s where v does not keep one.
func (t *tree) string(p *plan, s []byte, v reflect.Value) error {
	if p.time {
		if tm, err := time.Parse(time.RFC3339, string(s)); err == nil {
			setTime(v, tm)
			return nil
		}
	} else {
		switch p.kind {
		case kindString:
			v.SetString(t.keep(s))
			return nil
		case kindPointer:
			return t.string(p.elem, s, alloc(v))
		}
	}
	return p.string(string(s), v)
}

// number decodes the text of an N (or of an S of a field with the
// `string` option) into v. It is plan.number, without making a string of
// n where v does not keep one; anything but a number that fits goes to
// plan.number, for its result or its error.
func (t *tree) number(p *plan, n []byte, v reflect.Value) error {
	switch p.kind {
	case kindInt:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil && !v.OverflowInt(i) {
			v.SetInt(i)
			return nil
		}
	case kindUint:
		if u, err := strconv.ParseUint(string(n), 10, 64); err == nil && !v.OverflowUint(u) {
			v.SetUint(u)
			return nil
		}
	case kindFloat:
		if f, err := strconv.ParseFloat(string(n), 64); err == nil && !v.OverflowFloat(f) {
			v.SetFloat(f)
			return nil
		}
	case kindPointer:
		return t.number(p.elem, n, alloc(v))
	default:
		if p.time && p.kind != kindString && p.kind != kindAny && p.kind != kindInterface {
			if secs, err := strconv.ParseInt(string(n), 10, 64); err == nil {
				setTime(v, time.Unix(secs, 0))
				return nil
			}
		}
	}
	return p.number(string(n), v)
}

// set decodes an SS, NS or BS into v. It is plan.set.
func (t *tree) set(p *plan, i int32, v reflect.Value) error {
	nd := &t.nodes[i]
	n := int(nd.n)
	switch p.kind {
	case kindAny:
		x, err := t.toAny(i)
		if err != nil {
			return err
		}
		setAny(v, x)
		return nil
	case kindSlice, kindArray:
		if p.setDelegate {
			return t.delegate(p, i, v)
		}
	default:
		return typeError(setName(nd.dataType()), p.typ)
	}
	if p.kind == kindSlice {
		makeSlice(v, n)
	} else {
		n = min(n, p.typ.Len())
	}
	for k := 0; k < n; k++ {
		e := t.bytes(t.nodes[int(i)+1+k].val) // set elements have no children
		var err error
		switch nd.kind {
		case nodeSS:
			err = t.string(p.elem, e, v.Index(k))
		case nodeNS:
			err = t.number(p.elem, e, v.Index(k))
		default:
			err = p.elem.binary(e, v.Index(k))
		}
		if err != nil {
			return atIndex(err, k)
		}
	}
	return nil
}

// dataType returns aws-lambda-go's data type of nd.
func (nd *node) dataType() events.DynamoDBDataType {
	switch nd.kind {
	case nodeS:
		return events.DataTypeString
	case nodeN:
		return events.DataTypeNumber
	case nodeB:
		return events.DataTypeBinary
	case nodeBOOL:
		return events.DataTypeBoolean
	case nodeNULL:
		return events.DataTypeNull
	case nodeSS:
		return events.DataTypeStringSet
	case nodeNS:
		return events.DataTypeNumberSet
	case nodeBS:
		return events.DataTypeBinarySet
	case nodeL:
		return events.DataTypeList
	}
	return events.DataTypeMap
}

// list decodes an L into v. It is plan.list.
func (t *tree) list(p *plan, i int32, v reflect.Value) error {
	nd := &t.nodes[i]
	switch p.kind {
	case kindSlice:
		if p.native {
			x, err := t.listToAny(i)
			if err != nil {
				return err
			}
			v.Set(reflect.ValueOf(x))
			return nil
		}
		makeSlice(v, int(nd.n))
		k := 0
		for c := i + 1; c < nd.end; c = t.nodes[c].end {
			if err := t.decode(p.elem, c, v.Index(k), false); err != nil {
				return atIndex(err, k)
			}
			k++
		}
		return nil
	case kindArray:
		n, k := p.typ.Len(), 0
		for c := i + 1; c < nd.end && k < n; c = t.nodes[c].end {
			if err := t.decode(p.elem, c, v.Index(k), false); err != nil {
				return atIndex(err, k)
			}
			k++
		}
		return nil
	}
	return typeError("list", p.typ)
}

// mapOrStruct decodes an M (or the image) into v. It is plan.mapOrStruct.
func (t *tree) mapOrStruct(p *plan, i int32, v reflect.Value) error {
	switch p.kind {
	case kindStruct:
		return t.structFrom(p, i, v)
	case kindMap:
		return t.mapFrom(p, i, v)
	}
	return typeError("map", p.typ)
}

// mapFrom decodes an M into v, a map. It is plan.mapFrom.
func (t *tree) mapFrom(p *plan, i int32, v reflect.Value) error {
	if p.key == nil {
		return &attributevalue.UnmarshalTypeError{Value: "map key must be string, number, bool, or TextUnmarshaler", Type: p.typ.Key()}
	}
	if p.native {
		var x any
		var err error
		if p.typ == anyMapType {
			x, err = t.mapToAny(i)
		} else {
			x, err = t.stringMap(i)
		}
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(x))
		return nil
	}
	nd := &t.nodes[i]
	dst := reflect.MakeMapWithSize(p.typ, int(nd.n))
	v.Set(dst)
	key := reflect.New(p.typ.Key()).Elem()
	elem := reflect.New(p.typ.Elem()).Elem()
	for c := i + 1; c < nd.end; c = t.nodes[c].end {
		k := t.bytes(t.nodes[c].key)
		if err := t.mapKey(p.key, k, key); err != nil {
			return &attributevalue.UnmarshalTypeError{Value: fmt.Sprintf("map key %q", string(k)), Type: p.typ.Key(), Err: err}
		}
		elem.SetZero()
		if err := t.decode(p.elem, c, elem, false); err != nil {
			return atName(err, string(k))
		}
		dst.SetMapIndex(key, elem)
	}
	return nil
}

// mapKey decodes a map key into key. It is plan.mapKey.
func (t *tree) mapKey(p *plan, k []byte, key reflect.Value) error {
	switch p.kind {
	case kindString:
		key.SetString(string(k))
		return nil
	case kindBool:
		if b, err := strconv.ParseBool(string(k)); err == nil {
			key.SetBool(b)
			return nil
		}
		return p.mapKey(string(k), key)
	}
	return t.number(p, k, key)
}

// stringMap builds a map[string]string. It is stringMap of direct.go.
func (t *tree) stringMap(i int32) (map[string]string, error) {
	nd := &t.nodes[i]
	out := make(map[string]string, nd.n)
	for c := i + 1; c < nd.end; c = t.nodes[c].end {
		e := &t.nodes[c]
		var err error
		switch e.kind {
		case nodeNULL:
			out[string(t.bytes(e.key))] = ""
		case nodeS, nodeN:
			out[string(t.bytes(e.key))] = string(t.bytes(e.val))
		default:
			err = t.decode(stringPlan, c, reflect.New(stringPlan.typ).Elem(), false)
		}
		if err != nil {
			return nil, atName(err, string(t.bytes(e.key)))
		}
	}
	return out, nil
}

// structFrom decodes an M (or the image) into v, a struct, field by field.
// It is plan.structFrom, but for when it finds two attributes that fill one
// field (names that differ only in case), which asks for the whole image to
// be decoded by attributevalue (errRedo): before decoding any attribute.
// plan.structFrom finds them when it meets the one matched by case
// folding, which may be the first it meets in map order, so that is always
// one of its outcomes; meeting them in the order of the JSON would not be
// (the other one could fail first).
func (t *tree) structFrom(p *plan, i int32, v reflect.Value) error {
	base := len(t.seen)
	err := t.fields(p, i, v, base)
	t.seen = t.seen[:base] // those of the struct v is in stay
	return err
}

// fields is structFrom from seen[base] on, where it lists the field of each
// attribute (nil for none), then decodes them.
func (t *tree) fields(p *plan, i int32, v reflect.Value, base int) error {
	nd := &t.nodes[i]
	for c := i + 1; c < nd.end; c = t.nodes[c].end {
		k := t.bytes(t.nodes[c].key)
		f := p.fields[string(k)]
		if f == nil {
			f = foldedFieldOf(p, k)
		}
		if f != nil && slices.Contains(t.seen[base:], f) {
			return errRedo
		}
		t.seen = append(t.seen, f)
	}
	at := base
	for c := i + 1; c < nd.end; c = t.nodes[c].end {
		f := t.seen[at]
		at++
		if f == nil {
			continue // a valid value, as any node is
		}
		if err := t.decode(f.plan, c, fieldOf(v, f.index), f.asString); err != nil {
			return atName(err, string(t.bytes(t.nodes[c].key)))
		}
	}
	return nil
}

// foldedFieldOf is p.foldedField(string(k)): the first field, in
// declaration order, whose name equals k ignoring case. Names and keys in
// ASCII, the usual ones, are compared here; strings.EqualFold compares
// the others.
func foldedFieldOf(p *plan, k []byte) *fieldPlan {
	ascii := isASCII(k)
	for _, f := range p.ordered {
		if ascii && isASCII(f.name) {
			if asciiEqualFold(f.name, k) {
				return f
			}
		} else if strings.EqualFold(f.name, string(k)) {
			return f
		}
	}
	return nil
}

// isASCII reports whether s is all ASCII.
func isASCII[S string | []byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiEqualFold reports whether s and k, both ASCII, are equal ignoring
// case.
func asciiEqualFold(s string, k []byte) bool {
	if len(s) != len(k) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], k[i]
		if a == b {
			continue
		}
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// toAny decodes node i as attributevalue decodes into an empty interface.
// It is toAny of direct.go.
func (t *tree) toAny(i int32) (any, error) {
	nd := &t.nodes[i]
	switch nd.kind {
	case nodeNULL:
		return nil, nil
	case nodeS:
		return string(t.bytes(nd.val)), nil
	case nodeN:
		return strconv.ParseFloat(string(t.bytes(nd.val)), 64)
	case nodeB:
		return append([]byte{}, t.bytes(nd.val)...), nil
	case nodeBOOL:
		return nd.truth, nil
	case nodeSS:
		out := make([]string, nd.n)
		for k := range out {
			out[k] = string(t.bytes(t.nodes[int(i)+1+k].val))
		}
		return out, nil
	case nodeNS:
		out := make([]float64, nd.n)
		for k := range out {
			f, err := strconv.ParseFloat(string(t.bytes(t.nodes[int(i)+1+k].val)), 64)
			if err != nil {
				return nil, atIndex(err, k)
			}
			out[k] = f
		}
		return out, nil
	case nodeBS:
		out := make([][]byte, nd.n)
		for k := range out {
			out[k] = append([]byte{}, t.bytes(t.nodes[int(i)+1+k].val)...)
		}
		return out, nil
	case nodeL:
		return t.listToAny(i)
	}
	return t.mapToAny(i)
}

// listToAny decodes an L into a []any. It is listToAny of direct.go.
func (t *tree) listToAny(i int32) ([]any, error) {
	nd := &t.nodes[i]
	out := make([]any, nd.n)
	k := 0
	for c := i + 1; c < nd.end; c = t.nodes[c].end {
		x, err := t.toAny(c)
		if err != nil {
			return nil, atIndex(err, k)
		}
		out[k] = x
		k++
	}
	return out, nil
}

// mapToAny decodes an M into a map[string]any. It is mapToAny of
// direct.go.
func (t *tree) mapToAny(i int32) (map[string]any, error) {
	nd := &t.nodes[i]
	out := make(map[string]any, nd.n)
	for c := i + 1; c < nd.end; c = t.nodes[c].end {
		x, err := t.toAny(c)
		k := t.bytes(t.nodes[c].key)
		if err != nil {
			return nil, atName(err, string(k))
		}
		out[string(k)] = x
	}
	return out, nil
}

// sdkValue converts node i into aws-sdk-go-v2's attribute value, as
// convert does the aws-lambda-go value json.Unmarshal would have made of
// it. Everything is copied.
func (t *tree) sdkValue(i int32) types.AttributeValue {
	nd := &t.nodes[i]
	switch nd.kind {
	case nodeS:
		return &types.AttributeValueMemberS{Value: string(t.bytes(nd.val))}
	case nodeN:
		return &types.AttributeValueMemberN{Value: string(t.bytes(nd.val))}
	case nodeB:
		return &types.AttributeValueMemberB{Value: append([]byte{}, t.bytes(nd.val)...)}
	case nodeBOOL:
		return &types.AttributeValueMemberBOOL{Value: nd.truth}
	case nodeNULL:
		return &types.AttributeValueMemberNULL{Value: true}
	case nodeSS, nodeNS:
		out := make([]string, nd.n)
		for k := range out {
			out[k] = string(t.bytes(t.nodes[int(i)+1+k].val))
		}
		if nd.kind == nodeSS {
			return &types.AttributeValueMemberSS{Value: out}
		}
		return &types.AttributeValueMemberNS{Value: out}
	case nodeBS:
		out := make([][]byte, nd.n)
		for k := range out {
			out[k] = append([]byte{}, t.bytes(t.nodes[int(i)+1+k].val)...)
		}
		return &types.AttributeValueMemberBS{Value: out}
	case nodeL:
		out := make([]types.AttributeValue, 0, nd.n)
		for c := i + 1; c < nd.end; c = t.nodes[c].end {
			out = append(out, t.sdkValue(c))
		}
		return &types.AttributeValueMemberL{Value: out}
	}
	return &types.AttributeValueMemberM{Value: t.sdkMap(i)}
}

// sdkMap converts the entries of node i, an M or the image, as
// AttributeValues does.
func (t *tree) sdkMap(i int32) map[string]types.AttributeValue {
	nd := &t.nodes[i]
	out := make(map[string]types.AttributeValue, nd.n)
	for c := i + 1; c < nd.end; c = t.nodes[c].end {
		out[string(t.bytes(t.nodes[c].key))] = t.sdkValue(c)
	}
	return out
}

// recordImages returns the JSON of the NewImage and of the OldImage of rec,
// the JSON object of one record of a DynamoDB Streams event: slices of rec,
// nil for an image that is absent or null. Keys match as encoding/json
// matches them to the fields of aws-lambda-go's record: exactly, else
// ignoring case. ok is false when rec is not valid JSON, when the record or
// its "dynamodb" object is neither an object nor null, when an image is
// neither, and when a key matches a field twice ("NewImage" and "newimage",
// say), as encoding/json would then merge the values, which is left to it.
// The images themselves are only checked to be valid JSON.
//
// The names are those of the event Lambda sends: each record holds the
// stream record under "dynamodb", whose item images are "NewImage" and
// "OldImage" (DynamoDB Streams API reference, Record and StreamRecord;
// the json tags of aws-lambda-go v1.54.0's events.DynamoDBEventRecord and
// events.DynamoDBStreamRecord; Powertools' DynamoDBStreamSchema). Which
// images are there depends on the stream's view type: KEYS_ONLY has none,
// NEW_IMAGE and OLD_IMAGE one, NEW_AND_OLD_IMAGES both, and an INSERT has
// no old image, a REMOVE no new one.
func recordImages(rec []byte) (newImg, oldImg []byte, ok bool) {
	return recordImagesOf(rec, false, 0)
}

// recordImagesOf is recordImages; with checked, rec is the JSON of a
// record as Source.DecodeJSON hands it: the event decoder has checked it,
// and it has each of its dynamodb, NewImage and OldImage members once at
// most (the event decoder builds the others itself). The values it skips,
// the images included, are then skipped by their brackets and quotes
// (skipChecked), and the scan stops once it has met the images that want
// names (decodeNew, decodeOld; 0: read to the end). On such JSON the
// result is recordImages'. The images are checked when decoded.
func recordImagesOf(rec []byte, checked bool, want int) (newImg, oldImg []byte, ok bool) {
	s := scanner{src: rec}
	skip := s.skip
	if checked {
		skip = func(int) bool { return s.skipChecked() }
	} else {
		want = 0
	}
	met, done := 0, false
	s.ws()
	if s.peek() != '{' {
		return nil, nil, false
	}
	changes := 0
	ok = s.object(1, func(key []byte, plain bool) bool {
		if !fieldNameIs("dynamodb", key, plain) {
			return skip(2)
		}
		if changes++; changes > 1 || s.literal("null") {
			return changes == 1
		}
		if s.peek() != '{' {
			return false
		}
		news, olds := 0, 0
		return s.object(2, func(key []byte, plain bool) bool {
			img := &newImg
			switch {
			case fieldNameIs("NewImage", key, plain):
				news++
			case fieldNameIs("OldImage", key, plain):
				olds++
				img = &oldImg
			default:
				return skip(3)
			}
			if news > 1 || olds > 1 {
				return false
			}
			if img == &newImg {
				met |= decodeNew
			} else {
				met |= decodeOld
			}
			if !s.literal("null") {
				start := s.pos
				if s.peek() != '{' || !skip(3) {
					return false
				}
				*img = rec[start:s.pos:s.pos]
			}
			if want != 0 && met&want == want {
				done = true
				return false // all there is to find: stop
			}
			return true
		})
	})
	if done {
		return newImg, oldImg, true
	}
	s.ws()
	if !ok || s.pos != len(rec) {
		return nil, nil, false
	}
	return newImg, oldImg, true
}

// fieldNameIs reports whether encoding/json decodes the object member
// whose key is the string body (plain: without escapes or invalid UTF-8)
// into the field of the given name: the key equals it, or does ignoring
// case. encoding/json folds case with the Unicode tables, but the names
// asked for (dynamodb, NewImage, OldImage) have no letter that a rune
// outside ASCII folds into (only k and s have one: U+212A, U+017F), so
// only ASCII keys can match.
func fieldNameIs(name string, body []byte, plain bool) bool {
	if plain {
		return asciiEqualFold(name, body)
	}
	if len(body) > 6*len(name) {
		return false // an escape decodes into one byte at least
	}
	var buf [64]byte
	return asciiEqualFold(name, unquote(buf[:0], body))
}

// object reads the object that is next (the next byte is '{'), at depth,
// calling member for each key, with the scanner at the member's value,
// which member must read. The key is the string's body, as in the JSON;
// plain says that it needs no decoding (see scanString). object stops at
// the first false from member.
func (s *scanner) object(depth int, member func(key []byte, plain bool) bool) bool {
	if depth > maxDepth {
		return false
	}
	s.pos++
	s.ws()
	if s.peek() == '}' {
		s.pos++
		return true
	}
	for more := true; more; {
		if s.peek() != '"' {
			return false
		}
		start := s.pos + 1
		end, plain, ok := scanString(s.src, start)
		if !ok {
			return false
		}
		s.pos = end + 1
		if !s.punct(':') || !member(s.src[start:end], plain) {
			return false
		}
		if more, ok = s.more('}'); !ok {
			return false
		}
	}
	return true
}

// skip reads the value that is next, at depth, reporting whether it is
// valid JSON.
func (s *scanner) skip(depth int) bool {
	switch c := s.peek(); {
	case c == '{':
		return s.object(depth, func([]byte, bool) bool { return s.skip(depth + 1) })
	case c == '[':
		if depth > maxDepth {
			return false
		}
		s.pos++
		s.ws()
		if s.peek() == ']' {
			s.pos++
			return true
		}
		for more := true; more; {
			var ok bool
			if !s.skip(depth + 1) {
				return false
			}
			if more, ok = s.more(']'); !ok {
				return false
			}
		}
		return true
	case c == '"':
		end, _, ok := scanString(s.src, s.pos+1)
		s.pos = end + 1
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

// skipChecked skips the value at s.pos of JSON that the event decoder has
// already checked: it finds the end of strings by their closing quote and
// of objects and arrays by their brackets, without reading what is between
// as skip does, several times faster on an image. On JSON that is not
// valid it stops somewhere before the end, or reports false; it never
// reads past the end.
func (s *scanner) skipChecked() bool {
	s.ws()
	src, i := s.src, s.pos
	if i >= len(src) {
		return false
	}
	switch src[i] {
	case '"':
		end := quoteEnd(src, i+1)
		if end < 0 {
			return false
		}
		s.pos = end + 1
		return true
	case '{', '[':
	default: // a number or a literal: up to what follows it
		for i < len(src) && !isSpace(src[i]) && src[i] != ',' && src[i] != '}' && src[i] != ']' {
			i++
		}
		ok := i > s.pos
		s.pos = i
		return ok
	}
	depth := 0
	for i < len(src) {
		switch src[i] {
		case '"':
			end := quoteEnd(src, i+1)
			if end < 0 {
				return false
			}
			i = end + 1
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				s.pos = i + 1
				return true
			}
		}
		i++
	}
	return false
}

// quoteEnd returns the index of the quote that ends the string whose body
// starts at src[i], or -1: the first quote not escaped by an odd number of
// backslashes.
func quoteEnd(src []byte, i int) int {
	for {
		q := bytes.IndexByte(src[i:], '"')
		if q < 0 {
			return -1
		}
		q += i
		n := 0
		for j := q - 1; j >= i && src[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return q
		}
		i = q + 1
	}
}

// number reads a JSON number.
func (s *scanner) number() bool {
	b, i := s.src, s.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	s.pos = i
	return true
}

// digits returns the index of the first byte at or after i that is not a
// decimal digit.
func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
