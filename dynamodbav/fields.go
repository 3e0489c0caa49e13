package dynamodbav

import (
	"reflect"
	"sort"
	"strings"
)

// field is a struct field an attribute can be decoded into, resolved by
// the rules of attributevalue (field.go of
// github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue): the
// attribute name is the `dynamodbav` tag's name, else the field's name;
// fields of embedded structs are promoted unless the embedded field has a
// tag name; `-` drops a field; of several fields with one name, the
// shallowest wins, then the one named by its tag, and a tie hides them all.
type field struct {
	name     string
	tagged   bool         // name came from the tag
	index    []int        // as for reflect.Value.FieldByIndex
	typ      reflect.Type // declared type
	asString bool         // `string` option: a number stored as an S

	// readonly: reflection cannot set the field, either because it is an
	// embedded field of an unexported type or because the path to it
	// goes through an embedded pointer of an unexported type (which would
	// have to be allocated). attributevalue panics on such fields, so the
	// struct is left to it, and the panic becomes an error.
	readonly bool
}

// tagOptions is what the `dynamodbav` tag says that matters for decoding.
type tagOptions struct {
	name     string
	ignore   bool
	asString bool
}

// parseTag reads a `dynamodbav` tag as attributevalue does: the name (an
// empty one keeps the field's name; `-` drops the field), then options
// separated by commas, of which only `string` changes decoding. The set
// options (`stringset` and the like), `omitempty` and `unixtime` matter
// only when encoding: a number decodes into a time.Time as Unix seconds
// either way.
func parseTag(tag string) tagOptions {
	var o tagOptions
	if tag == "" {
		return o
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "-" {
		o.ignore = true
	} else {
		o.name = name
	}
	for opts != "" {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		if opt == "string" {
			o.asString = true
		}
	}
	return o
}

// structFields lists the fields of struct type t that attributes decode
// into, in the order of their indexes.
func structFields(t reflect.Type) []field {
	// A breadth-first walk through embedded structs: the fields of one
	// depth are all listed before those of the next, so that the
	// shallowest of a name can be found by sorting.
	type embedded struct {
		typ      reflect.Type
		index    []int
		readonly bool
	}
	var all []field
	level := []embedded{{typ: t}}
	levelCount := map[reflect.Type]int{} // times each type of level was embedded
	visited := map[reflect.Type]bool{}
	for len(level) > 0 {
		var next []embedded
		nextCount := map[reflect.Type]int{}
		for _, e := range level {
			if visited[e.typ] {
				continue
			}
			visited[e.typ] = true
			for i := 0; i < e.typ.NumField(); i++ {
				sf := e.typ.Field(i)
				if !sf.IsExported() && !sf.Anonymous {
					continue
				}
				opts := parseTag(sf.Tag.Get("dynamodbav"))
				if opts.ignore {
					continue
				}
				index := make([]int, len(e.index)+1)
				copy(index, e.index)
				index[len(e.index)] = i
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous && opts.name == "" && ft.Kind() == reflect.Struct {
					// Promote its fields, from the first place the type
					// is embedded at this depth; embedding it twice at
					// one depth makes its fields ambiguous (see below).
					nextCount[ft]++
					if nextCount[ft] == 1 {
						next = append(next, embedded{
							typ:      ft,
							index:    index,
							readonly: e.readonly || (!sf.IsExported() && sf.Type.Kind() == reflect.Pointer),
						})
					}
					continue
				}
				f := field{
					name:     sf.Name,
					tagged:   opts.name != "",
					index:    index,
					typ:      sf.Type,
					asString: opts.asString,
					readonly: e.readonly || !sf.IsExported(),
				}
				if f.tagged {
					f.name = opts.name
				}
				all = append(all, f)
				if levelCount[e.typ] > 1 {
					// Twice, so that no field of a struct embedded more
					// than once at this depth dominates.
					all = append(all, f)
				}
			}
		}
		level, levelCount = next, nextCount
	}

	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		switch {
		case a.name != b.name:
			return a.name < b.name
		case len(a.index) != len(b.index):
			return len(a.index) < len(b.index)
		case a.tagged != b.tagged:
			return a.tagged
		}
		return indexLess(a.index, b.index)
	})
	out := all[:0]
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		if f, ok := dominant(all[i:j]); ok {
			out = append(out, f)
		}
		i = j
	}
	sort.Slice(out, func(i, j int) bool { return indexLess(out[i].index, out[j].index) })
	return out
}

// dominant picks, among fields of one name sorted by depth and then tagged
// first, the one that decodes the attribute: the only tagged one at the
// least depth, else the only one at that depth; none if that is ambiguous.
func dominant(fs []field) (field, bool) {
	depth := len(fs[0].index)
	n, tagged := 0, 0
	for _, f := range fs {
		if len(f.index) > depth {
			break
		}
		n++
		if f.tagged {
			tagged++
		}
	}
	switch {
	case tagged > 1:
		return field{}, false
	case tagged == 1:
		return fs[0], true // sorted first
	case n > 1:
		return field{}, false
	}
	return fs[0], true
}

// indexLess orders fields as they are declared, an embedded struct's
// fields at the embedded field's place.
func indexLess(a, b []int) bool {
	for k, x := range a {
		if k >= len(b) {
			return false
		}
		if x != b[k] {
			return x < b[k]
		}
	}
	return len(a) < len(b)
}
