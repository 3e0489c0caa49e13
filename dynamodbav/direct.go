package dynamodbav

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// This file decodes aws-lambda-go's attribute values straight into Go
// values, by the plans of plan.go, with the results of
// attributevalue.UnmarshalMap (default options) on the converted image.
//
// Targets are always fresh: the decoders below fill zero values, never
// merge into what is there. attributevalue merges when one struct field
// receives two attributes (names that differ only in case, matched by
// its case-insensitive lookup), in an order that depends on map
// iteration; such an image is left to attributevalue (errRedo).

// errRedo asks for the whole image to be decoded by attributevalue.
var errRedo = errors.New("dynamodbav: image left to attributevalue")

// decodeDirect decodes img into v, the settable value r was planned for.
func decodeDirect(r *root, img map[string]events.DynamoDBAttributeValue, v reflect.Value) error {
	return r.plan.decode(events.NewMapAttribute(img), v, false)
}

// decode decodes av into v, a zero value of p.typ; asString is the
// `string` option of the struct field v is, or is pointed to by.
func (p *plan) decode(av events.DynamoDBAttributeValue, v reflect.Value, asString bool) error {
	dt := av.DataType()
	if dt == events.DataTypeNull {
		if p.kind == kindDelegate {
			return p.delegate(av, v)
		}
		return nil // v stays zero, a nil pointer stays nil
	}
	if av.IsNull() {
		return errNoValue // aws-lambda-go's accessors would panic
	}
	switch p.kind {
	case kindDelegate:
		return p.delegate(av, v)
	case kindPointer:
		ptr := reflect.New(p.typ.Elem())
		v.Set(ptr)
		return p.elem.decode(av, ptr.Elem(), asString)
	case kindAny:
		if asString && dt == events.DataTypeString {
			break // a number
		}
		x, err := toAny(av)
		if err != nil {
			return err
		}
		setAny(v, x)
		return nil
	}

	switch dt {
	case events.DataTypeString:
		if asString {
			return p.number(av.String(), v)
		}
		return p.string(av.String(), v)
	case events.DataTypeNumber:
		return p.number(av.Number(), v)
	case events.DataTypeBinary:
		return p.binary(av.Binary(), v)
	case events.DataTypeBoolean:
		if p.kind != kindBool {
			return typeError("bool", p.typ)
		}
		v.SetBool(av.Boolean())
		return nil
	case events.DataTypeStringSet, events.DataTypeNumberSet, events.DataTypeBinarySet:
		return p.set(av, v)
	case events.DataTypeList:
		return p.list(av.List(), v)
	case events.DataTypeMap:
		return p.mapOrStruct(av.Map(), v)
	}
	return unknownType(dt)
}

// delegate decodes av into v with attributevalue, from the converted value.
func (p *plan) delegate(av events.DynamoDBAttributeValue, v reflect.Value) error {
	if err := checkPresent(av); err != nil {
		return err
	}
	sdk, err := convert(av, "")
	if err != nil {
		return err // not reached: checkPresent has looked
	}
	return p.unmarshalSDK(sdk, v)
}

// unmarshalSDK decodes sdk into v with attributevalue. A panic of
// attributevalue is an error.
func (p *plan) unmarshalSDK(sdk types.AttributeValue, v reflect.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("attributevalue panicked decoding into %s: %v", p.typ, r)
		}
	}()
	return attributevalue.Unmarshal(sdk, v.Addr().Interface())
}

// string decodes an S into v.
func (p *plan) string(s string, v reflect.Value) error {
	if p.time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return &attributevalue.UnmarshalError{Err: err, Value: s, Type: timeType}
		}
		setTime(v, t)
		return nil
	}
	switch p.kind {
	case kindString:
		v.SetString(s)
	case kindAny:
		setAny(v, s)
	case kindPointer: // an element of a set
		return p.elem.string(s, alloc(v))
	default:
		return typeError("string", p.typ)
	}
	return nil
}

// number decodes an N (or an S of a field with the `string` option) into v.
func (p *plan) number(n string, v reflect.Value) error {
	switch p.kind {
	case kindString:
		v.SetString(n)
	case kindInt:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return err
		}
		if v.OverflowInt(i) {
			return overflow(n, p.typ)
		}
		v.SetInt(i)
	case kindUint:
		u, err := strconv.ParseUint(n, 10, 64)
		if err != nil {
			return err
		}
		if v.OverflowUint(u) {
			return overflow(n, p.typ)
		}
		v.SetUint(u)
	case kindFloat:
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return err
		}
		if v.OverflowFloat(f) {
			return overflow(n, p.typ)
		}
		v.SetFloat(f)
	case kindAny, kindInterface:
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return err
		}
		if p.kind == kindInterface {
			return typeError("number", p.typ)
		}
		setAny(v, f)
	case kindPointer: // an element of a set
		return p.elem.number(n, alloc(v))
	default:
		if !p.time {
			return typeError("number", p.typ)
		}
		secs, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return &attributevalue.UnmarshalError{Err: err, Value: n, Type: timeType}
		}
		setTime(v, time.Unix(secs, 0))
	}
	return nil
}

// binary decodes a B into v, copying it.
func (p *plan) binary(b []byte, v reflect.Value) error {
	switch {
	case p.kind == kindAny:
		setAny(v, append([]byte{}, b...))
	case p.kind == kindPointer: // an element of a set
		return p.elem.binary(b, alloc(v))
	case p.kind == kindSlice && p.bytes:
		// SetBytes takes any slice of a uint8 kind.
		v.SetBytes(append(make([]byte, 0, len(b)), b...))
	case p.kind == kindArray && p.bytes:
		if len(b) != p.typ.Len() {
			// attributevalue panics (reflect.Value.SetLen on an array).
			return &attributevalue.UnmarshalTypeError{Value: fmt.Sprintf("binary of %d bytes", len(b)), Type: p.typ}
		}
		for i, c := range b {
			v.Index(i).SetUint(uint64(c))
		}
	default:
		return typeError("binary", p.typ)
	}
	return nil
}

// set decodes an SS, NS or BS into v: a slice gets every element, an array
// as many as it holds, an interface a []string, []float64 or [][]byte.
func (p *plan) set(av events.DynamoDBAttributeValue, v reflect.Value) error {
	dt := av.DataType()
	n := 0
	switch dt {
	case events.DataTypeStringSet:
		n = len(av.StringSet())
	case events.DataTypeNumberSet:
		n = len(av.NumberSet())
	default:
		n = len(av.BinarySet())
	}
	switch p.kind {
	case kindAny:
		x, err := toAny(av)
		if err != nil {
			return err
		}
		setAny(v, x)
		return nil
	case kindSlice, kindArray:
		if p.setDelegate {
			return p.delegate(av, v)
		}
	default:
		return typeError(setName(dt), p.typ)
	}
	if p.kind == kindSlice {
		makeSlice(v, n)
	} else {
		n = min(n, p.typ.Len())
	}
	for i := 0; i < n; i++ {
		var err error
		switch dt {
		case events.DataTypeStringSet:
			err = p.elem.string(av.StringSet()[i], v.Index(i))
		case events.DataTypeNumberSet:
			err = p.elem.number(av.NumberSet()[i], v.Index(i))
		default:
			err = p.elem.binary(av.BinarySet()[i], v.Index(i))
		}
		if err != nil {
			return atIndex(err, i)
		}
	}
	return nil
}

// list decodes an L into v: a slice gets every element, an array as many
// as it holds (the others must still be valid attribute values).
func (p *plan) list(l []events.DynamoDBAttributeValue, v reflect.Value) error {
	switch p.kind {
	case kindSlice:
		if p.native {
			x, err := listToAny(l)
			if err != nil {
				return err
			}
			v.Set(reflect.ValueOf(x))
			return nil
		}
		makeSlice(v, len(l))
		for i := range l {
			if err := p.elem.decode(l[i], v.Index(i), false); err != nil {
				return atIndex(err, i)
			}
		}
		return nil
	case kindArray:
		n := p.typ.Len()
		for i := range l {
			var err error
			if i < n {
				err = p.elem.decode(l[i], v.Index(i), false)
			} else {
				err = checkPresent(l[i])
			}
			if err != nil {
				return atIndex(err, i)
			}
		}
		return nil
	}
	return typeError("list", p.typ)
}

// mapOrStruct decodes an M into v, a map or a struct.
func (p *plan) mapOrStruct(m map[string]events.DynamoDBAttributeValue, v reflect.Value) error {
	switch p.kind {
	case kindStruct:
		return p.structFrom(m, v)
	case kindMap:
		return p.mapFrom(m, v)
	}
	return typeError("map", p.typ)
}

// mapFrom decodes an M into v, a map.
func (p *plan) mapFrom(m map[string]events.DynamoDBAttributeValue, v reflect.Value) error {
	if p.key == nil {
		return &attributevalue.UnmarshalTypeError{Value: "map key must be string, number, bool, or TextUnmarshaler", Type: p.typ.Key()}
	}
	if p.native {
		var x any
		var err error
		if p.typ == anyMapType {
			x, err = mapToAny(m)
		} else {
			x, err = stringMap(m)
		}
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(x))
		return nil
	}
	dst := reflect.MakeMapWithSize(p.typ, len(m))
	v.Set(dst)
	key := reflect.New(p.typ.Key()).Elem()
	elem := reflect.New(p.typ.Elem()).Elem()
	for k, av := range m {
		if err := p.key.mapKey(k, key); err != nil {
			return &attributevalue.UnmarshalTypeError{Value: fmt.Sprintf("map key %q", k), Type: p.typ.Key(), Err: err}
		}
		elem.SetZero()
		if err := p.elem.decode(av, elem, false); err != nil {
			return atName(err, k)
		}
		dst.SetMapIndex(key, elem)
	}
	return nil
}

// stringMap builds a map[string]string: its values decode from S, N (the
// number's text) and NULL (""), as with the plan of string.
func stringMap(m map[string]events.DynamoDBAttributeValue) (map[string]string, error) {
	out := make(map[string]string, len(m))
	for k, av := range m {
		var err error
		switch dt := av.DataType(); {
		case dt == events.DataTypeNull:
			out[k] = ""
		case av.IsNull():
			err = errNoValue
		case dt == events.DataTypeString:
			out[k] = av.String()
		case dt == events.DataTypeNumber:
			out[k] = av.Number()
		default:
			// Any other type fails, as it does for a string.
			err = stringPlan.decode(av, reflect.New(stringPlan.typ).Elem(), false)
		}
		if err != nil {
			return nil, atName(err, k)
		}
	}
	return out, nil
}

// stringPlan is the plan of string.
var stringPlan = &plan{typ: reflect.TypeFor[string](), kind: kindString}

// mapKey decodes a map key into key, by the rules of attributevalue.
func (p *plan) mapKey(k string, key reflect.Value) error {
	switch p.kind {
	case kindString:
		key.SetString(k)
	case kindBool:
		b, err := strconv.ParseBool(k)
		if err != nil {
			return err
		}
		key.SetBool(b)
	default:
		return p.number(k, key)
	}
	return nil
}

// structFrom decodes an M into v, a struct, field by field. An attribute
// that names no field is left out, but must be a valid attribute value.
func (p *plan) structFrom(m map[string]events.DynamoDBAttributeValue, v reflect.Value) error {
	for k, av := range m {
		f := p.fields[k]
		if f == nil {
			f = p.foldedField(k)
			if f != nil && p.sharedField(m, k, f) {
				return errRedo
			}
		}
		var err error
		if f == nil {
			err = checkPresent(av)
		} else {
			err = f.plan.decode(av, fieldOf(v, f.index), f.asString)
		}
		if err != nil {
			return atName(err, k)
		}
	}
	return nil
}

// foldedField is the field that attribute name k decodes into when no
// field has exactly that name: the first, in declaration order, whose name
// equals k ignoring case, as attributevalue looks it up.
func (p *plan) foldedField(k string) *fieldPlan {
	for _, f := range p.ordered {
		if strings.EqualFold(f.name, k) {
			return f
		}
	}
	return nil
}

// sharedField reports whether another attribute of m than k decodes into
// f, which k decodes into.
func (p *plan) sharedField(m map[string]events.DynamoDBAttributeValue, k string, f *fieldPlan) bool {
	for other := range m {
		if other == k || !strings.EqualFold(other, f.name) {
			continue
		}
		g := p.fields[other]
		if g == nil {
			g = p.foldedField(other)
		}
		if g == f {
			return true
		}
	}
	return false
}

// fieldOf returns the field of struct v at index, allocating the embedded
// structs that are pointers on the way, as attributevalue does, even when
// the attribute is NULL.
func fieldOf(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// makeSlice sets v, a nil slice, to n zero elements: with Grow, which
// allocates the elements alone, where reflect.MakeSlice allocates a slice
// header too. An empty slice is not nil, as with attributevalue.
func makeSlice(v reflect.Value, n int) {
	if n == 0 {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		return
	}
	v.Grow(n)
	v.SetLen(n)
}

// alloc points v, a nil pointer, to a new zero value, and returns that.
func alloc(v reflect.Value) reflect.Value {
	ptr := reflect.New(v.Type().Elem())
	v.Set(ptr)
	return ptr.Elem()
}

// setAny stores x in v, an interface without methods.
func setAny(v reflect.Value, x any) {
	if v.Type() == anyType {
		*v.Addr().Interface().(*any) = x
		return
	}
	v.Set(reflect.ValueOf(x))
}

// setTime stores t in v, of a type that converts to time.Time.
func setTime(v reflect.Value, t time.Time) {
	if v.Type() == timeType {
		*v.Addr().Interface().(*time.Time) = t
		return
	}
	v.Set(reflect.ValueOf(t).Convert(v.Type()))
}

// toAny decodes av as attributevalue decodes into an empty interface: NULL
// as nil, S as string, N as float64, B as []byte, BOOL as bool, SS, NS, BS
// as []string, []float64, [][]byte, L as []any and M as map[string]any.
func toAny(av events.DynamoDBAttributeValue) (any, error) {
	dt := av.DataType()
	if dt == events.DataTypeNull {
		return nil, nil
	}
	if av.IsNull() {
		return nil, errNoValue
	}
	switch dt {
	case events.DataTypeString:
		return av.String(), nil
	case events.DataTypeNumber:
		return strconv.ParseFloat(av.Number(), 64)
	case events.DataTypeBinary:
		return append([]byte{}, av.Binary()...), nil
	case events.DataTypeBoolean:
		return av.Boolean(), nil
	case events.DataTypeStringSet:
		return append([]string{}, av.StringSet()...), nil
	case events.DataTypeNumberSet:
		ns := av.NumberSet()
		out := make([]float64, len(ns))
		for i, n := range ns {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return nil, atIndex(err, i)
			}
			out[i] = f
		}
		return out, nil
	case events.DataTypeBinarySet:
		bs := av.BinarySet()
		out := make([][]byte, len(bs))
		for i, b := range bs {
			out[i] = append([]byte{}, b...)
		}
		return out, nil
	case events.DataTypeList:
		return listToAny(av.List())
	case events.DataTypeMap:
		return mapToAny(av.Map())
	}
	return nil, unknownType(dt)
}

func listToAny(l []events.DynamoDBAttributeValue) ([]any, error) {
	out := make([]any, len(l))
	for i, e := range l {
		x, err := toAny(e)
		if err != nil {
			return nil, atIndex(err, i)
		}
		out[i] = x
	}
	return out, nil
}

func mapToAny(m map[string]events.DynamoDBAttributeValue) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		x, err := toAny(e)
		if err != nil {
			return nil, atName(err, k)
		}
		out[k] = x
	}
	return out, nil
}

// checkPresent checks that av, which is not decoded, could be converted:
// it and every value within have a type and a value.
func checkPresent(av events.DynamoDBAttributeValue) error {
	dt := av.DataType()
	if dt == events.DataTypeNull {
		return nil
	}
	if av.IsNull() {
		return errNoValue
	}
	switch dt {
	case events.DataTypeList:
		for i, e := range av.List() {
			if err := checkPresent(e); err != nil {
				return atIndex(err, i)
			}
		}
	case events.DataTypeMap:
		for k, e := range av.Map() {
			if err := checkPresent(e); err != nil {
				return atName(err, k)
			}
		}
	case events.DataTypeString, events.DataTypeNumber, events.DataTypeBinary, events.DataTypeBoolean,
		events.DataTypeStringSet, events.DataTypeNumberSet, events.DataTypeBinarySet:
	default:
		return unknownType(dt)
	}
	return nil
}

func typeError(what string, t reflect.Type) error {
	return &attributevalue.UnmarshalTypeError{Value: what, Type: t}
}

func overflow(n string, t reflect.Type) error {
	return &attributevalue.UnmarshalTypeError{Value: "number overflow, " + n, Type: t}
}

func unknownType(dt events.DynamoDBDataType) error {
	return fmt.Errorf("unknown data type %d", dt)
}

func setName(dt events.DynamoDBDataType) string {
	switch dt {
	case events.DataTypeStringSet:
		return "string set"
	case events.DataTypeNumberSet:
		return "number set"
	}
	return "binary set"
}

// attrError is an error decoding the attribute at path, such as
// "parts[0].sku". It wraps the cause.
type attrError struct {
	path []step // innermost first, as the error travels up
	err  error
}

// step is a map key or an index within a list or set.
type step struct {
	name  string
	index int // -1 for a name
}

func (e *attrError) Error() string {
	var b strings.Builder
	b.WriteString("attribute ")
	for i := len(e.path) - 1; i >= 0; i-- {
		s := e.path[i]
		switch {
		case s.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case i == len(e.path)-1:
			b.WriteString(s.name)
		default:
			b.WriteByte('.')
			b.WriteString(s.name)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.err.Error())
	return b.String()
}

func (e *attrError) Unwrap() error { return e.err }

// atName adds the attribute name k to the path of err.
func atName(err error, k string) error { return at(err, step{name: k, index: -1}) }

// atIndex adds the index i to the path of err.
func atIndex(err error, i int) error { return at(err, step{index: i}) }

func at(err error, s step) error {
	if err == errRedo {
		return err
	}
	e, ok := err.(*attrError)
	if !ok {
		e = &attrError{err: err}
	}
	e.path = append(e.path, s)
	return e
}
