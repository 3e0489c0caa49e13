package eventjson

import (
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds encoding/json's rules for the fields of a struct: which
// fields a JSON object's keys can set, under which names, and how a key
// selects one. They follow typeFields, dominantField, parseTag, isValidTag
// and foldName of encoding/json (the same in Go 1.21 and 1.26), which are
// unexported there; TestPayloadFieldRules holds them to encoding/json's
// behaviour.

// jsonField is a field that an object key can set.
type jsonField struct {
	name   string // the key: the tag's name, else the Go field name
	tagged bool   // name came from the tag
	index  []int  // path from the struct through embedded structs
	typ    reflect.Type
	quoted bool // the ",string" option, on a kind that accepts it
}

// structFields returns the fields of struct type t that encoding/json
// decodes, in the order of their index paths, with the names hidden by
// Go's embedding rules (as modified by tags) removed.
func structFields(t reflect.Type) []jsonField {
	// Embedded structs to explore at the current level and the next.
	type embedded struct {
		typ   reflect.Type
		index []int
	}
	current := []embedded{}
	next := []embedded{{typ: t}}

	// How many times each struct type was queued at the current level
	// and the next: a type embedded twice at one level makes its fields
	// ambiguous.
	var count, nextCount map[reflect.Type]int

	visited := map[reflect.Type]bool{}
	var fields []jsonField

	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}

		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true

			for i := 0; i < f.typ.NumField(); i++ {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					t := sf.Type
					if t.Kind() == reflect.Pointer {
						t = t.Elem()
					}
					if !sf.IsExported() && t.Kind() != reflect.Struct {
						continue // embedded field of an unexported non-struct type
					}
					// An embedded unexported struct type may have exported fields.
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTag(name) {
					name = ""
				}
				index := make([]int, len(f.index)+1)
				copy(index, f.index)
				index[len(f.index)] = i

				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}

				// Only strings, floats, integers and booleans can be quoted.
				quoted := false
				if hasOption(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool,
						reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64,
						reflect.String:
						quoted = true
					}
				}

				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					tagged := name != ""
					if name == "" {
						name = sf.Name
					}
					field := jsonField{name: name, tagged: tagged, index: index, typ: ft, quoted: quoted}
					fields = append(fields, field)
					if count[f.typ] > 1 {
						// Several instances at this level: add a second,
						// so that dominance sees a duplicate.
						fields = append(fields, field)
					}
					continue
				}

				// An embedded struct to explore at the next level.
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, embedded{typ: ft, index: index})
				}
			}
		}
	}

	// By name, then depth, then tagged first, then index path.
	sort.SliceStable(fields, func(i, j int) bool {
		a, b := fields[i], fields[j]
		if a.name != b.name {
			return a.name < b.name
		}
		if len(a.index) != len(b.index) {
			return len(a.index) < len(b.index)
		}
		if a.tagged != b.tagged {
			return a.tagged
		}
		return compareIndex(a.index, b.index) < 0
	})

	// Keep, for each name, the one field that dominates the others, or
	// none when two at the shallowest depth are equally tagged.
	out := fields[:0]
	for advance, i := 0, 0; i < len(fields); i += advance {
		fi := fields[i]
		for advance = 1; i+advance < len(fields); advance++ {
			if fields[i+advance].name != fi.name {
				break
			}
		}
		if advance == 1 {
			out = append(out, fi)
			continue
		}
		if len(fi.index) == len(fields[i+1].index) && fi.tagged == fields[i+1].tagged {
			continue
		}
		out = append(out, fi)
	}
	fields = out
	sort.Slice(fields, func(i, j int) bool { return compareIndex(fields[i].index, fields[j].index) < 0 })
	return fields
}

func compareIndex(a, b []int) int {
	for k := 0; k < len(a) && k < len(b); k++ {
		if a[k] != b[k] {
			if a[k] < b[k] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// hasOption reports whether the comma-separated options of a tag hold
// name.
func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// validTag reports whether s may be a field name in a json tag: letters,
// digits and punctuation other than the backslash and the quote.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// appendFold appends to out the folded form of in: two keys fold alike
// exactly when bytes.EqualFold holds for them. ASCII letters become upper
// case; any other rune becomes the smallest rune of its Unicode fold set.
func appendFold(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		out = utf8.AppendRune(out, foldRune(r))
		i += n
	}
	return out
}

// foldRune returns the smallest rune of r's fold set.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
