package dynamodbav_test

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/seed-45ee126e/batch/dynamodbav"
)

// reference decodes img into out as the package did before it decoded
// images directly: converted to aws-sdk-go-v2's attribute values and given
// to attributevalue.UnmarshalMap. A panic of attributevalue counts as an
// error (the package turns it into one).
func reference(img map[string]events.DynamoDBAttributeValue, out any) (err error) {
	av, err := dynamodbav.AttributeValues(img)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("attributevalue panicked: %v", r)
		}
	}()
	return attributevalue.UnmarshalMap(av, out)
}

// outcome is the result of decoding one image into one type.
type outcome struct {
	route string // how the package decoded it: direct, delegate, redo
	err   error
	value reflect.Value // the *T decoded into
}

// compare decodes img into a new value of type t with the package and
// with the reference, and describes how they differ; "" if they agree:
// both fail, or both succeed with equal values (NaN equal to NaN).
func compare(img map[string]events.DynamoDBAttributeValue, t reflect.Type) (outcome, string) {
	got := outcome{value: reflect.New(t)}
	got.route, got.err = dynamodbav.DecodeImageBy(img, got.value.Interface())
	want := reflect.New(t)
	wantErr := reference(img, want.Interface())
	switch {
	case (got.err == nil) != (wantErr == nil):
		return got, fmt.Sprintf("got error %v, want %v", got.err, wantErr)
	case got.err == nil && !same(got.value, want):
		return got, fmt.Sprintf("got %s, want %s", show(got.value.Elem()), show(want.Elem()))
	}
	return got, ""
}

// show prints a decoded value, following pointers.
func show(v reflect.Value) string {
	var b strings.Builder
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if depth > 20 {
			b.WriteString("…")
			return
		}
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			b.WriteString("&")
			walk(v.Elem(), depth+1)
		case reflect.Interface:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			fmt.Fprintf(&b, "%s(", v.Elem().Type())
			walk(v.Elem(), depth+1)
			b.WriteString(")")
		case reflect.Struct:
			if v.Type().ConvertibleTo(reflect.TypeFor[fmt.Stringer]()) || !v.CanInterface() {
				fmt.Fprintf(&b, "%v", v)
				return
			}
			b.WriteString("{")
			for i := 0; i < v.NumField(); i++ {
				if !v.Type().Field(i).IsExported() || v.Field(i).IsZero() {
					continue
				}
				fmt.Fprintf(&b, "%s:", v.Type().Field(i).Name)
				walk(v.Field(i), depth+1)
				b.WriteString(" ")
			}
			b.WriteString("}")
		case reflect.Slice, reflect.Array:
			if v.Kind() == reflect.Slice && v.IsNil() {
				b.WriteString("[]nil")
				return
			}
			b.WriteString("[")
			for i := 0; i < v.Len(); i++ {
				if i > 0 {
					b.WriteString(" ")
				}
				walk(v.Index(i), depth+1)
			}
			b.WriteString("]")
		case reflect.Map:
			if v.IsNil() {
				b.WriteString("map nil")
				return
			}
			fmt.Fprintf(&b, "map%v", v)
		default:
			if v.CanInterface() {
				fmt.Fprintf(&b, "%#v", v.Interface())
			} else {
				fmt.Fprintf(&b, "%v", v)
			}
		}
	}
	walk(v, 0)
	return b.String()
}

// same is reflect.DeepEqual, but a NaN equals a NaN.
func same(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	case reflect.Complex64, reflect.Complex128:
		return a.Complex() == b.Complex()
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return a.Pointer() == b.Pointer() || same(a.Elem(), b.Elem())
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		fallthrough
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		it := a.MapRange()
		for it.Next() {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() || !same(it.Value(), bv) {
				return false
			}
		}
		return true
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return a.IsNil() == b.IsNil() && a.Pointer() == b.Pointer()
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	}
	panic("same: unexpected kind " + a.Kind().String())
}

// foldTwins reports whether a map of img, at any depth, has two keys that
// differ only in case. attributevalue decodes both into the field that
// matches them, in map order, so its result is not determined; the package
// leaves such an image (when it decodes into a struct) to attributevalue.
func foldTwins(img map[string]events.DynamoDBAttributeValue) bool {
	seen := make(map[string]bool, len(img))
	for k, av := range img {
		f := foldKey(k)
		if seen[f] || foldTwinsIn(av) {
			return true
		}
		seen[f] = true
	}
	return false
}

func foldTwinsIn(av events.DynamoDBAttributeValue) bool {
	if av.IsNull() {
		return false
	}
	switch av.DataType() {
	case events.DataTypeMap:
		return foldTwins(av.Map())
	case events.DataTypeList:
		for _, e := range av.List() {
			if foldTwinsIn(e) {
				return true
			}
		}
	}
	return false
}

// foldKey maps strings equal under strings.EqualFold to one key. Like
// EqualFold, it reads each invalid UTF-8 byte as U+FFFD.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		// The smallest rune of r's case-folding orbit.
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}
