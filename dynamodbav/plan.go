package dynamodbav

import (
	"encoding"
	"reflect"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
)

// A plan says how attribute values decode into one Go type. It is built
// once per type, by reflection, and follows the rules of attributevalue's
// Decoder with its default options; a type whose decoding could differ from
// attributevalue's in a way the plan does not model is a kindDelegate,
// decoded by attributevalue itself.
type plan struct {
	typ  reflect.Type
	kind planKind

	// time: typ converts to time.Time, so an S decodes as RFC 3339 and an
	// N as Unix seconds (attributevalue's default time decoders).
	time bool

	// elem is the plan of the pointer's target, the slice's or array's
	// element, or the map's value.
	elem *plan

	// bytes: a slice or array of a uint8 kind, which a B decodes into.
	bytes bool

	// setDelegate: a slice or array whose element (through pointers) is
	// delegated; attributevalue gives the whole set to the first
	// element's UnmarshalDynamoDBAttributeValue, so sets into it are
	// delegated as a whole.
	setDelegate bool

	// key is the plan of a map's key, of kindString, kindBool or a
	// number kind; nil when attributevalue cannot decode such keys.
	key *plan

	// fields of a struct, by attribute name and in declaration order.
	fields  map[string]*fieldPlan
	ordered []*fieldPlan

	// native: the type is map[string]any, map[string]string or
	// []any, built without reflection.
	native bool
}

type planKind uint8

const (
	kindOther     planKind = iota // chan, func, complex, uintptr...: only NULL decodes
	kindDelegate                  // decoded by attributevalue
	kindString                    // string kinds
	kindBool                      // bool kinds
	kindInt                       // int kinds
	kindUint                      // uint kinds but uintptr
	kindFloat                     // float kinds
	kindAny                       // interfaces without methods
	kindInterface                 // interfaces with methods: only NULL decodes
	kindPointer                   // allocated, then the target is decoded
	kindSlice                     // from L and sets, or B for bytes
	kindArray                     // as a slice, up to its length
	kindMap                       // from M
	kindStruct                    // from M, by field
)

// fieldPlan is a struct field with the plan of its type.
type fieldPlan struct {
	name     string
	index    []int
	plan     *plan
	asString bool
}

// root is the plan of a *T that images are decoded into.
type root struct {
	plan *plan // of T

	// delegate: attributevalue decodes the whole image, because T is
	// delegated or because a part of T that attributevalue decodes
	// differently in place than on its own is delegated.
	delegate bool
}

var (
	unmarshalerType     = reflect.TypeFor[attributevalue.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType            = reflect.TypeFor[time.Time]()
	anyType             = reflect.TypeFor[any]()
	anyMapType          = reflect.TypeFor[map[string]any]()
	stringMapType       = reflect.TypeFor[map[string]string]()
	anySliceType        = reflect.TypeFor[[]any]()
)

// roots caches the root of each pointer type, built on first use.
var roots sync.Map // reflect.Type → *root

// rootOf returns the root of pointer type pt, building it on first use.
func rootOf(pt reflect.Type) *root {
	if r, ok := roots.Load(pt); ok {
		return r.(*root)
	}
	b := builder{plans: map[reflect.Type]*plan{}}
	r := &root{plan: b.plan(pt.Elem())}
	b.finish()
	// attributevalue decodes the image into the value out points at,
	// after asking out (a *T) for UnmarshalDynamoDBAttributeValue, which
	// an unnamed T can have by embedding.
	r.delegate = b.inexact || r.plan.kind == kindDelegate || pt.Implements(unmarshalerType)
	actual, _ := roots.LoadOrStore(pt, r)
	return actual.(*root)
}

// builder builds the plans of one root type and of the types within it.
type builder struct {
	plans map[reflect.Type]*plan

	// inexact: a delegated plan is of an unnamed type whose pointer has
	// UnmarshalDynamoDBAttributeValue. attributevalue does not look for
	// the method on such a value in place, but would on its own, so the
	// delegation would not give the same result; the root delegates.
	inexact bool
}

// plan returns the plan of t, built on first use within this builder (a
// type can refer to itself).
func (b *builder) plan(t reflect.Type) *plan {
	if p, ok := b.plans[t]; ok {
		return p
	}
	p := &plan{typ: t}
	b.plans[t] = p

	// attributevalue looks for UnmarshalDynamoDBAttributeValue on a
	// pointer it meets (having allocated it), and on the address of a
	// named value; the method then gets the converted attribute value.
	if t.Kind() == reflect.Pointer {
		if t.Implements(unmarshalerType) {
			p.kind = kindDelegate
			return p
		}
	} else if t.Name() != "" && reflect.PointerTo(t).Implements(unmarshalerType) {
		p.kind = kindDelegate
		return p
	}

	p.time = t.ConvertibleTo(timeType)
	switch t.Kind() {
	case reflect.String:
		p.kind = kindString
	case reflect.Bool:
		p.kind = kindBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind = kindInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p.kind = kindUint
	case reflect.Float32, reflect.Float64:
		p.kind = kindFloat
	case reflect.Interface:
		p.kind = kindInterface
		if t.NumMethod() == 0 {
			p.kind = kindAny
		}
	case reflect.Pointer:
		p.kind = kindPointer
		p.elem = b.plan(t.Elem())
	case reflect.Slice, reflect.Array:
		p.kind = kindSlice
		if t.Kind() == reflect.Array {
			p.kind = kindArray
		}
		p.elem = b.plan(t.Elem())
		p.bytes = t.Elem().Kind() == reflect.Uint8
		p.native = t == anySliceType
	case reflect.Map:
		b.mapPlan(p)
	case reflect.Struct:
		b.structPlan(p)
	default:
		p.kind = kindOther
	}
	return p
}

// mapPlan fills in the plan of a map type. Keys decode as attributevalue
// decodes them: strings as they are, numbers and bools parsed; a key type
// that decodes itself from text is delegated.
func (b *builder) mapPlan(p *plan) {
	t := p.typ
	kt := t.Key()
	if kt.Implements(textUnmarshalerType) || reflect.PointerTo(kt).Implements(textUnmarshalerType) {
		b.delegate(p)
		return
	}
	p.kind = kindMap
	p.elem = b.plan(t.Elem())
	p.native = t == anyMapType || t == stringMapType
	switch kt.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		// A plan of its own, not b.plan(kt): a key is never looked at
		// for UnmarshalDynamoDBAttributeValue, nor as a time.
		key := &plan{typ: kt}
		switch kt.Kind() {
		case reflect.String:
			key.kind = kindString
		case reflect.Bool:
			key.kind = kindBool
		case reflect.Float32, reflect.Float64:
			key.kind = kindFloat
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			key.kind = kindInt
		default:
			key.kind = kindUint
		}
		p.key = key
	}
}

// structPlan fills in the plan of a struct type.
func (b *builder) structPlan(p *plan) {
	fields := structFields(p.typ)
	for _, f := range fields {
		if f.readonly {
			b.delegate(p)
			return
		}
	}
	p.kind = kindStruct
	p.fields = make(map[string]*fieldPlan, len(fields))
	p.ordered = make([]*fieldPlan, len(fields))
	for i, f := range fields {
		fp := &fieldPlan{name: f.name, index: f.index, plan: b.plan(f.typ), asString: f.asString}
		p.fields[f.name] = fp
		p.ordered[i] = fp
	}
}

// delegate makes p a plan decoded by attributevalue.
func (b *builder) delegate(p *plan) {
	p.kind = kindDelegate
	if p.typ.Name() == "" && reflect.PointerTo(p.typ).Implements(unmarshalerType) {
		b.inexact = true
	}
}

// finish completes the plans once every type is planned: whether sets
// decode into each slice or array must know its element's final plan.
//
// A pointer type can point to itself (type P *P). attributevalue would
// allocate such pointers forever for any value but NULL; here they decode
// NULL only.
func (b *builder) finish() {
	var cyclic []*plan
	for _, p := range b.plans {
		if p.kind == kindPointer && target(p, len(b.plans)) == nil {
			cyclic = append(cyclic, p)
		}
	}
	for _, p := range cyclic {
		p.kind, p.elem = kindOther, nil
	}
	for _, p := range b.plans {
		if p.kind == kindSlice || p.kind == kindArray {
			if e := target(p.elem, len(b.plans)); e != nil {
				p.setDelegate = e.kind == kindDelegate
			}
		}
	}
}

// target follows pointer plans from p to the first plan that is not a
// pointer; nil if there is none within n steps (a cycle).
func target(p *plan, n int) *plan {
	for i := 0; i <= n && p != nil; i++ {
		if p.kind != kindPointer {
			return p
		}
		p = p.elem
	}
	return nil
}
