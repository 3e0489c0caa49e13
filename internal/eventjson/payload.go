package eventjson

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
)

// This file and payload_decode.go decode a record's payload into a Go type
// of the user's, as json.Unmarshal would, with the scanner of the event
// decoders. A Plan is compiled once per type, by walking the type with
// reflect, and decodes a payload in one pass, setting values through
// reflect as the plan says, with no map lookup or type switch per value
// beyond what the plan settled.
//
// The plan follows encoding/json's rules (see its Unmarshal
// documentation, and payload_fields.go for those of struct fields) and
// gives the same value, or fails when json.Unmarshal fails; the errors
// themselves are the scanner's, not encoding/json's. Types it does not
// handle (see Compile) get an *UnsupportedError, and their caller uses
// encoding/json instead. Strings are kept as the event decoders keep them
// (see keep): a string a user keeps keeps at most a small arena chunk
// reachable, never the payload.

// Plan decodes JSON payloads into values of one Go type. It is safe for
// concurrent use.
type Plan struct {
	ptr  reflect.Type // *T
	root decodeFunc
	pool sync.Pool // of *decoder, whose arenas and recent strings carry over between payloads
}

// decodeFunc decodes the next JSON value into v, which is addressable and
// settable.
type decodeFunc func(d *decoder, v reflect.Value) error

// node is the decoder of one type, referred to by the decoders of the
// types that contain it; fn is set once the type is compiled, so that a
// recursive type can refer to itself.
type node struct {
	fn decodeFunc
}

// UnsupportedError says why a type is not decoded by a Plan.
type UnsupportedError struct {
	Type   reflect.Type // the type given to Compile
	Path   string       // where in it the reason is: "" for the type itself, else ".Field", "[]", "[key]", "*" steps
	Reason string
}

// Error names the type, the place and the reason.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("payload type %v: %s%s", e.Type, e.Reason, pathSuffix(e.Path))
}

func pathSuffix(p string) string {
	if p == "" {
		return ""
	}
	return " (at " + p + ")"
}

var (
	unmarshalerType     = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	numberType          = reflect.TypeOf(json.Number(""))
)

// plans caches the Plan of each type, as encoding/json caches what it
// learns of a type: it holds only immutable plans (and their pools), so
// sharing it between Functions changes no behaviour.
var plans sync.Map // reflect.Type → *Plan or *UnsupportedError

// PlanFor returns the Plan of type t, compiled on first use and cached, or
// the *UnsupportedError saying why t is decoded by encoding/json instead.
func PlanFor(t reflect.Type) (*Plan, error) {
	if p, ok := plans.Load(t); ok {
		if e, bad := p.(*UnsupportedError); bad {
			return nil, e
		}
		return p.(*Plan), nil
	}
	p, err := Compile(t)
	if err != nil {
		plans.LoadOrStore(t, err)
		return nil, err
	}
	got, _ := plans.LoadOrStore(t, p)
	return got.(*Plan), nil
}

// Compile returns the Plan of type t. A Plan handles every type
// encoding/json decodes, but for these, whose rules it does not carry
// over, and whose values it leaves to encoding/json (an
// *UnsupportedError says which and where):
//
//   - map keys whose type implements encoding.TextUnmarshaler, or whose
//     kind is not a string or an integer;
//   - named pointer types (type P *T);
//   - an embedded field that is an unexported struct given a name by
//     its tag, or a pointer to an unexported struct (encoding/json cannot
//     set some of those);
//   - a ",string" field whose type implements json.Unmarshaler or
//     encoding.TextUnmarshaler.
//
// In a program built with GOEXPERIMENT=jsonv2, where encoding/json
// follows encoding/json/v2's rules, it leaves every type to encoding/json.
//
// Types that decode themselves are called as encoding/json calls them:
// UnmarshalJSON with the value's bytes (a slice of the payload),
// UnmarshalText with a string's unquoted bytes.
func Compile(t reflect.Type) (*Plan, error) {
	c := compiler{top: t, nodes: map[reflect.Type]*node{}}
	if jsonV2 {
		return nil, c.unsupported("", "encoding/json is built with GOEXPERIMENT=jsonv2, whose rules differ")
	}
	root, err := c.root(t)
	if err != nil {
		return nil, err
	}
	return &Plan{ptr: reflect.PointerTo(t), root: root}, nil
}

// Decode decodes data, which must hold one JSON value and white space,
// into v, a pointer to a value of the Plan's type. The error is an *Error
// when data is not valid JSON or a value does not fit its Go type, or the
// error of a type that decodes itself; v may then be partly set.
func (p *Plan) Decode(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Type() != p.ptr || rv.IsNil() {
		return fmt.Errorf("eventjson: Plan of %v given a %T", p.ptr, v)
	}
	d, _ := p.pool.Get().(*decoder)
	if d == nil {
		d = &decoder{}
	}
	d.b, d.i, d.depth = data, 0, 0
	err := p.root(d, rv.Elem())
	if err == nil {
		err = d.end()
	}
	d.b = nil // the pool must not keep the payload
	p.pool.Put(d)
	return err
}

// compiler builds the decoders of a type and of the types it contains.
type compiler struct {
	top   reflect.Type
	nodes map[reflect.Type]*node
}

func (c *compiler) unsupported(path, format string, args ...any) error {
	return &UnsupportedError{Type: c.top, Path: path, Reason: fmt.Sprintf(format, args...)}
}

// root returns the decoder of the value json.Unmarshal is given a pointer
// to: the pointer's own methods count there, whether or not t is named.
func (c *compiler) root(t reflect.Type) (decodeFunc, error) {
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(unmarshalerType):
		return decodeUnmarshaler, nil
	case pt.Implements(textUnmarshalerType):
		return textUnmarshalerOf(t), nil
	}
	n, err := c.node(t, "")
	if err != nil {
		return nil, err
	}
	return n.fn, nil
}

// node returns the decoder of a value of type t at an addressable place:
// a struct field, an element, a map value, a pointer's target.
func (c *compiler) node(t reflect.Type, path string) (*node, error) {
	if n, ok := c.nodes[t]; ok {
		return n, nil
	}
	n := &node{}
	c.nodes[t] = n
	fn, err := c.build(t, path)
	if err != nil {
		return nil, err
	}
	n.fn = fn
	return n, nil
}

func (c *compiler) build(t reflect.Type, path string) (decodeFunc, error) {
	// A named type is addressed first, so that methods of its pointer
	// count (encoding/json's indirect); an unnamed one is not.
	if t.Kind() != reflect.Pointer && t.Name() != "" {
		pt := reflect.PointerTo(t)
		switch {
		case pt.Implements(unmarshalerType):
			return decodeUnmarshaler, nil
		case pt.Implements(textUnmarshalerType):
			return textUnmarshalerOf(t), nil
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		return decodeBool, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intDecoder(t.Bits()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintDecoder(t.Bits()), nil
	case reflect.Float32, reflect.Float64:
		return floatDecoder(t.Bits()), nil
	case reflect.String:
		if t == numberType {
			return decodeNumber, nil
		}
		return decodeString, nil
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return decodeInterface, nil
		}
		return decodeNullOnly(nilOnNull), nil
	case reflect.Pointer:
		if t.Name() != "" {
			return nil, c.unsupported(path, "named pointer type %v", t)
		}
		return c.pointer(t, path)
	case reflect.Slice:
		elem, err := c.node(t.Elem(), path+"[]")
		if err != nil {
			return nil, err
		}
		return sliceDecoder(t, elem, t.Elem().Kind() == reflect.Uint8), nil
	case reflect.Array:
		elem, err := c.node(t.Elem(), path+"[]")
		if err != nil {
			return nil, err
		}
		return arrayDecoder(elem), nil
	case reflect.Map:
		return c.mapOf(t, path)
	case reflect.Struct:
		return c.structOf(t, path)
	default: // Chan, Func, Complex64, Complex128, UnsafePointer: only null decodes into them
		return decodeNullOnly(keepOnNull), nil
	}
}

// pointer returns the decoder of an unnamed pointer type: null sets nil,
// anything else goes to the target, allocated when the pointer is nil,
// unless the pointer type decodes itself.
func (c *compiler) pointer(t reflect.Type, path string) (decodeFunc, error) {
	switch {
	case t.Implements(unmarshalerType):
		return pointerUnmarshaler(t), nil
	case t.Implements(textUnmarshalerType):
		return pointerTextUnmarshaler(t), nil
	}
	elem, err := c.node(t.Elem(), path+"*")
	if err != nil {
		return nil, err
	}
	return pointerDecoder(t, elem), nil
}

func (c *compiler) mapOf(t reflect.Type, path string) (decodeFunc, error) {
	kt := t.Key()
	if reflect.PointerTo(kt).Implements(textUnmarshalerType) {
		return nil, c.unsupported(path, "map key type %v implements encoding.TextUnmarshaler", kt)
	}
	switch kt.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		return nil, c.unsupported(path, "map key type %v", kt)
	}
	elem, err := c.node(t.Elem(), path+"[key]")
	if err != nil {
		return nil, err
	}
	return mapDecoder(t, elem), nil
}

func (c *compiler) structOf(t reflect.Type, path string) (decodeFunc, error) {
	// Embedded fields encoding/json may be unable to set, or would reach
	// through a value it cannot take the address of, are left to it.
	for _, f := range embeddedFields(t) {
		if f.IsExported() {
			continue
		}
		if ft := f.Type; ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			return nil, c.unsupported(path, "embedded pointer to unexported struct %v", ft.Elem())
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); f.Type.Kind() == reflect.Struct && validTag(name) {
			return nil, c.unsupported(path, "embedded unexported struct %v named by its tag", f.Type)
		}
	}
	jf := structFields(t)
	sp := &structPlan{fields: make([]structField, len(jf)), succ: make([]atomic.Int32, len(jf)+1)}
	for i := range sp.succ {
		sp.succ[i].Store(int32(i)) // the fields' order
	}
	exact := make([]string, len(jf))
	folded := make([]string, len(jf))
	for i, f := range jf {
		fpath := path + "." + f.name
		ft := fieldType(t, f.index)
		n, err := c.node(ft, fpath)
		if err != nil {
			return nil, err
		}
		sf := structField{name: f.name, index0: f.index[0], node: n}
		if len(f.index) > 1 {
			sf.deeper = f.index[1:]
		}
		if plainName(f.name) {
			sf.key = f.name + `":`
		}
		if f.quoted {
			// The target of ",string" is the field, or what its unnamed
			// pointer points to.
			target := ft
			if ft.Kind() == reflect.Pointer {
				target = ft.Elem()
			}
			for _, x := range []reflect.Type{ft, target} {
				if x.Implements(unmarshalerType) || x.Implements(textUnmarshalerType) ||
					reflect.PointerTo(x).Implements(unmarshalerType) || reflect.PointerTo(x).Implements(textUnmarshalerType) {
					return nil, c.unsupported(fpath, `",string" field of type %v, which decodes itself`, ft)
				}
			}
			sf.quoted = quotedDecoder(ft.Kind() == reflect.Pointer, target)
		}
		sp.fields[i] = sf
		exact[i] = f.name
		folded[i] = string(appendFold(nil, []byte(f.name)))
	}
	sp.exact, sp.folded = newNameTable(exact), newNameTable(folded)
	return sp.decode, nil
}

// embeddedFields returns the embedded fields of struct t that
// encoding/json looks at (all but those tagged "-"), and those of the
// structs it flattens into t (embedded without a name in their tag), at
// any depth.
func embeddedFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if !f.Anonymous || tag == "-" {
				continue
			}
			out = append(out, f)
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if name, _, _ := strings.Cut(tag, ","); ft.Kind() == reflect.Struct && !validTag(name) {
				walk(ft)
			}
		}
	}
	walk(t)
	return out
}

// plainName reports whether name is written in JSON as it is, between
// quotes, with no escape.
func plainName(name string) bool {
	for i := 0; i < len(name); i++ {
		if !strSafe[name[i]] {
			return false
		}
	}
	return true
}

// fieldType returns the type of the field at index in struct t, through
// embedded pointers.
func fieldType(t reflect.Type, index []int) reflect.Type {
	for _, i := range index {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		t = t.Field(i).Type
	}
	return t
}
