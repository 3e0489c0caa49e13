package dynamodbav_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/seed-45ee126e/batch/dynamodbav"
)

// The tests of this file decode images both with the package and with
// attributevalue.UnmarshalMap on the converted image (reference), and
// require the same outcome: both fail, or both give equal values. They
// also require the package to have decoded directly where it should, so
// that they do not compare attributevalue with itself.

type (
	namedString string
	namedBool   bool
	namedInt    int16
	namedFloat  float32
	namedAny    any
	namedTime   time.Time
	raw         []byte
	namedBytes  []namedByte
	namedByte   uint8
	stringList  []string
	partMap     map[string]part
)

// wide has a field of most types an attribute can decode into; an image of
// one attribute named after a field tries one value on one type.
type wide struct {
	Str       string
	Named     namedString
	Bool      bool
	NBool     namedBool
	Int       int
	Int8      int8
	Int16     int16
	Int32     int32
	Int64     int64
	NInt      namedInt
	Uint      uint
	Uint8     uint8
	Uint16    uint16
	Uint32    uint32
	Uint64    uint64
	Uintptr   uintptr
	F32       float32
	F64       float64
	NFloat    namedFloat
	C64       complex64
	Bytes     []byte
	Raw       raw
	NBytes    namedBytes
	Arr4      [4]byte
	Arr2      [2]int
	ArrS      [2]string
	ArrAny    [1]any
	Strs      []string
	SList     stringList
	Ints      []int8
	Floats    []float64
	Anys      []any
	Bools     []bool
	BytesList [][]byte
	Arr4List  [][4]byte
	PStrs     []*string
	Parts     []part
	PParts    []*part
	Lists     [][]string
	Any       any
	NAny      namedAny
	Stringer  fmt.Stringer
	Err       error
	PStr      *string
	PPInt     **int
	PAny      *any
	PPart     *part
	PSlice    *[]string
	Part      part
	Anon      struct{ A, B int }
	MapSS     map[string]string
	MapSA     map[string]any
	MapSI     map[string]int
	MapSB     map[string]bool
	MapSE     map[string]struct{}
	MapSP     map[string]*part
	MapSL     map[string][]string
	MapNamed  partMap
	MapIS     map[int]string
	MapUS     map[uint8]string
	MapFS     map[float32]string
	MapBS     map[bool]string
	MapNS     map[namedString]int
	MapAS     map[[2]int]string
	MapPS     map[*string]string
	Time      time.Time
	PTime     *time.Time
	NTime     namedTime
	Times     []time.Time
	UnixT     time.Time `dynamodbav:",unixtime"`
	AsStr     int       `dynamodbav:",string"`
	AsStrF    float64   `dynamodbav:",string"`
	AsStrA    any       `dynamodbav:",string"`
	AsStrP    *uint8    `dynamodbav:",string"`
	AsStrS    string    `dynamodbav:",string"`
	AsStrT    time.Time `dynamodbav:",string"`
	AsStrL    []int     `dynamodbav:",string"`
	Number    attributevalue.Number
	Chan      chan int
	Func      func()
	SSet      []string          `dynamodbav:",stringset,omitempty"`
	NSet      []int             `dynamodbav:",numberset"`
	BSet      [][]byte          `dynamodbav:",binaryset"`
	Renamed   string            `dynamodbav:"renamed-field"`
	Dash      string            `dynamodbav:"-,"`
	Empty     int               `dynamodbav:""`
	Skip      string            `dynamodbav:"-"`
	OmitMap   map[string]string `dynamodbav:",omitempty,nullempty"`
	//lint:ignore U1000 an unexported field, which neither decoder may fill
	unexp string
}

// attributeNames are the names the fields of t decode from, with the
// field each names.
func attributeNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("dynamodbav"), ",")
		switch {
		case name == "-":
			names = append(names, sf.Name) // an attribute named as the field, ignored
		case name != "":
			names = append(names, name, sf.Name)
		default:
			names = append(names, sf.Name)
		}
	}
	return names
}

// samples are attribute values of every type, usual and not: each goes
// into every field of wide, and into other types.
var samples = map[string]string{
	"S":            `{"S": "x"}`,
	"S empty":      `{"S": ""}`,
	"S number":     `{"S": "12"}`,
	"S negative":   `{"S": "-3"}`,
	"S float":      `{"S": "2.5"}`,
	"S unix":       `{"S": "1700000000"}`,
	"S time":       `{"S": "2023-01-02T03:04:05Z"}`,
	"S time zone":  `{"S": "2023-01-02T03:04:05.123+02:00"}`,
	"S bad time":   `{"S": "2023-13-02T03:04:05Z"}`,
	"S true":       `{"S": "true"}`,
	"S unicode":    `{"S": "Grüße, 世界"}`,
	"N":            `{"N": "12"}`,
	"N zero":       `{"N": "0"}`,
	"N negative":   `{"N": "-3"}`,
	"N fraction":   `{"N": "1.5"}`,
	"N exponent":   `{"N": "1e3"}`,
	"N 1e400":      `{"N": "1e400"}`,
	"N -1e400":     `{"N": "-1e400"}`,
	"N 1e-400":     `{"N": "1e-400"}`,
	"N NaN":        `{"N": "NaN"}`,
	"N Inf":        `{"N": "-Inf"}`,
	"N 200":        `{"N": "200"}`,
	"N 300":        `{"N": "300"}`,
	"N -129":       `{"N": "-129"}`,
	"N 40000":      `{"N": "40000"}`,
	"N 2^31":       `{"N": "2147483648"}`,
	"N 2^32":       `{"N": "4294967296"}`,
	"N max uint64": `{"N": "18446744073709551615"}`,
	"N 2^64":       `{"N": "18446744073709551616"}`,
	"N min int64":  `{"N": "-9223372036854775808"}`,
	"N 3.5e38":     `{"N": "3.5e38"}`,
	"N hex":        `{"N": "0x10"}`,
	"N underscore": `{"N": "1_000"}`,
	"N plus":       `{"N": "+7"}`,
	"N empty":      `{"N": ""}`,
	"N text":       `{"N": "twelve"}`,
	"N long":       `{"N": "` + strings.Repeat("9", 400) + `"}`,
	"B":            `{"B": "AQID"}`,
	"B empty":      `{"B": ""}`,
	"B four":       `{"B": "AQIDBA=="}`,
	"BOOL true":    `{"BOOL": true}`,
	"BOOL false":   `{"BOOL": false}`,
	"NULL":         `{"NULL": true}`,
	"NULL false":   `{"NULL": false}`,
	"SS":           `{"SS": ["a", "b"]}`,
	"SS empty":     `{"SS": []}`,
	"SS numbers":   `{"SS": ["1", "2"]}`,
	"SS times":     `{"SS": ["2023-01-02T03:04:05Z", "2024-02-03T04:05:06-07:00"]}`,
	"SS three":     `{"SS": ["a", "b", "c"]}`,
	"NS":           `{"NS": ["1", "2.5"]}`,
	"NS ints":      `{"NS": ["1", "2", "3"]}`,
	"NS empty":     `{"NS": []}`,
	"NS bad":       `{"NS": ["1", "x"]}`,
	"NS NaN":       `{"NS": ["NaN"]}`,
	"NS 300":       `{"NS": ["300"]}`,
	"NS 1e400":     `{"NS": ["1e400"]}`,
	"BS":           `{"BS": ["AQI=", ""]}`,
	"BS four":      `{"BS": ["AQIDBA=="]}`,
	"BS empty":     `{"BS": []}`,
	"L":            `{"L": [{"S": "a"}, {"N": "2"}]}`,
	"L empty":      `{"L": []}`,
	"L strings":    `{"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}`,
	"L numbers":    `{"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}`,
	"L NULL":       `{"L": [{"NULL": true}, {"S": "b"}]}`,
	"L bytes":      `{"L": [{"B": "AQI="}, {"B": "AQIDBA=="}]}`,
	"L maps":       `{"L": [{"M": {"sku": {"S": "bulb"}, "qty": {"N": "2"}}}, {"M": {}}]}`,
	"L lists":      `{"L": [{"L": [{"S": "a"}]}, {"L": []}, {"SS": ["b"]}]}`,
	"L bools":      `{"L": [{"BOOL": true}, {"BOOL": false}]}`,
	"L times":      `{"L": [{"S": "2023-01-02T03:04:05Z"}, {"N": "1700000000"}]}`,
	"L everything": `{"L": [{"S": "a"}, {"N": "1"}, {"B": "AQI="}, {"BOOL": true}, {"NULL": true}, {"SS": ["a"]}, {"NS": ["1"]}, {"BS": ["AQI="]}, {"L": []}, {"M": {}}]}`,
	"M":            `{"M": {"a": {"S": "x"}, "b": {"S": "y"}}}`,
	"M empty":      `{"M": {}}`,
	"M part":       `{"M": {"sku": {"S": "bulb"}, "qty": {"N": "2"}, "other": {"BOOL": true}}}`,
	"M part case":  `{"M": {"SKU": {"S": "bulb"}, "Qty": {"N": "2"}}}`,
	"M int keys":   `{"M": {"1": {"S": "x"}, "-2": {"S": "y"}}}`,
	"M big keys":   `{"M": {"300": {"S": "x"}}}`,
	"M bool keys":  `{"M": {"true": {"S": "x"}, "false": {"S": "y"}}}`,
	"M bad keys":   `{"M": {"maybe": {"S": "x"}}}`,
	"M numbers":    `{"M": {"a": {"N": "1"}, "b": {"N": "2.5"}}}`,
	"M bools":      `{"M": {"a": {"BOOL": true}, "b": {"BOOL": false}}}`,
	"M NULL":       `{"M": {"a": {"NULL": true}}}`,
	"M empty maps": `{"M": {"a": {"M": {}}}}`,
	"M sets":       `{"M": {"a": {"SS": ["x"]}, "b": {"L": [{"S": "y"}]}}}`,
	"M parts":      `{"M": {"a": {"M": {"sku": {"S": "s"}}}, "b": {"NULL": true}}}`,
	"M nested":     `{"M": {"a": {"M": {"b": {"L": [{"M": {"c": {"N": "1"}}}]}}}}}`,
	"M fields":     `{"M": {"A": {"N": "1"}, "b": {"N": "2"}, "C": {"N": "3"}}}`,
	"M everything": `{"M": {"s": {"S": "a"}, "n": {"N": "1"}, "b": {"B": "AQI="}, "t": {"BOOL": true}, "z": {"NULL": true}, "ss": {"SS": ["a"]}, "ns": {"NS": ["1"]}, "bs": {"BS": ["AQI="]}, "l": {"L": []}, "m": {"M": {}}}}`,
}

// badSamples are attribute values that aws-lambda-go can hold but are not
// valid: without a type, or holding one somewhere within.
func badSamples() map[string]events.DynamoDBAttributeValue {
	zero := events.DynamoDBAttributeValue{}
	return map[string]events.DynamoDBAttributeValue{
		"no type":              zero,
		"no type in L":         events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewStringAttribute("a"), zero}),
		"no type late in L":    events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewNumberAttribute("1"), events.NewNumberAttribute("2"), events.NewNumberAttribute("3"), zero}),
		"no type in M":         events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"a": zero}),
		"no type deep":         events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"sku": events.NewListAttribute([]events.DynamoDBAttributeValue{zero})}),
		"no type in extra key": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"sku": events.NewStringAttribute("s"), "unknown": events.NewListAttribute([]events.DynamoDBAttributeValue{zero})}),
		"nil L":                events.NewListAttribute(nil),
		"nil M":                events.NewMapAttribute(nil),
		"nil SS":               events.NewStringSetAttribute(nil),
		"nil B":                events.NewBinaryAttribute(nil),
	}
}

// allSamples decodes samples and adds badSamples, by name.
func allSamples(t *testing.T) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	out := badSamples()
	for name, j := range samples {
		var av events.DynamoDBAttributeValue
		if err := json.Unmarshal([]byte(j), &av); err != nil {
			t.Fatalf("sample %s: %v", name, err)
		}
		out[name] = av
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestEveryValueIntoEveryField decodes each sample, as the only attribute
// of an image, into each field of wide, by its name and by its name in
// lower case (found by attributevalue's case-insensitive lookup).
func TestEveryValueIntoEveryField(t *testing.T) {
	svals := allSamples(t)
	typ := reflect.TypeFor[wide]()
	names := attributeNames(typ)
	failures, runs, errs := 0, 0, 0
	for _, name := range names {
		for _, attr := range []string{name, strings.ToLower(name)} {
			for _, sname := range sortedKeys(svals) {
				img := map[string]events.DynamoDBAttributeValue{attr: svals[sname]}
				got, diff := compare(img, typ)
				runs++
				if got.err != nil {
					errs++
				}
				if got.route != "direct" {
					t.Fatalf("%s = %s: decoded by %s, want direct", attr, sname, got.route)
				}
				if diff != "" {
					failures++
					t.Errorf("%s = %s: %s", attr, sname, diff)
					if failures > 40 {
						t.Fatal("too many failures")
					}
				}
			}
		}
	}
	// Both outcomes must be well represented, or the test says little.
	if errs < runs/10 || errs > runs*9/10 {
		t.Errorf("got %d errors in %d decodings, want between 10 %% and 90 %%", errs, runs)
	}
}

// roots are types an image decodes into, other than wide, with how the
// package should decode them.
var roots = []struct {
	typ   reflect.Type
	route string
}{
	{reflect.TypeFor[item](), "direct"},
	{reflect.TypeFor[*item](), "direct"},
	{reflect.TypeFor[**part](), "direct"},
	{reflect.TypeFor[part](), "direct"},
	{reflect.TypeFor[map[string]any](), "direct"},
	{reflect.TypeFor[map[string]string](), "direct"},
	{reflect.TypeFor[map[string]int](), "direct"},
	{reflect.TypeFor[map[string][]string](), "direct"},
	{reflect.TypeFor[map[string]*part](), "direct"},
	{reflect.TypeFor[map[namedString]namedAny](), "direct"},
	{reflect.TypeFor[map[int]string](), "direct"},
	{reflect.TypeFor[map[[1]int]string](), "direct"},
	{reflect.TypeFor[partMap](), "direct"},
	{reflect.TypeFor[any](), "direct"},
	{reflect.TypeFor[namedAny](), "direct"},
	{reflect.TypeFor[fmt.Stringer](), "direct"},
	{reflect.TypeFor[string](), "direct"},
	{reflect.TypeFor[[]string](), "direct"},
	{reflect.TypeFor[time.Time](), "direct"},
	{reflect.TypeFor[struct{}](), "direct"},
	{reflect.TypeFor[embeds](), "direct"},
	{reflect.TypeFor[twice](), "direct"},
	{reflect.TypeFor[tagged](), "direct"},
	{reflect.TypeFor[node](), "direct"},
	{reflect.TypeFor[withUnmarshalers](), "direct"},
	{reflect.TypeFor[withTextKeys](), "direct"},
	{reflect.TypeFor[Upper](), "delegate"},
	{reflect.TypeFor[unmarshalsWhole](), "delegate"},
	{reflect.TypeFor[struct{ Upper }](), "delegate"},
	{reflect.TypeFor[hiddenPointer](), "delegate"},
	{reflect.TypeFor[hiddenString](), "delegate"},
	{reflect.TypeFor[map[time.Time]string](), "delegate"},
	{reflect.TypeFor[*unmarshalsWhole](), "delegate"},
}

// images are whole images, each decoded into every root type.
var images = []string{
	fullImage,
	`{"pk": {"S": "p#1"}}`,
	`{"sku": {"S": "bulb"}, "qty": {"N": "2"}}`,
	`{"Sku": {"S": "bulb"}, "QTY": {"N": "2"}}`,
	`{"sku": {"N": "2"}}`,
	`{"a": {"S": "x"}, "b": {"N": "1"}}`,
	`{"a": {"NULL": true}}`,
	`{"a": {"SS": ["x", "y"]}}`,
	`{"1": {"S": "x"}}`,
	`{"x": {"M": {}}}`,
	embedsImage,
	`{"Extra": {"NULL": true}}`,
	twiceImage,
	`{"x": {"S": "tag"}, "y": {"S": "tag"}, "Name": {"S": "n"}}`,
	`{"Name": {"S": "root"}, "Next": {"M": {"Name": {"S": "second"}, "Next": {"M": {"Name": {"S": "third"}}}}}, "Kids": {"L": [{"M": {"Name": {"S": "kid"}, "Kids": {"L": []}}}]}}`,
	unmarshalersImage,
	`{"U": {"N": "1"}}`,
	`{"U": {"NULL": true}, "PU": {"NULL": true}}`,
	`{"USet": {"SS": []}, "PUs": {"SS": ["x"]}}`,
	`{"PUs": {"L": [{"S": "x"}, {"NULL": true}]}}`,
	`{"Keys": {"M": {"a": {"S": "x"}}}, "Name": {"S": "n"}}`,
	`{"Keys": {"M": {"": {"S": "x"}}}}`,
	`{"Keys": {"S": "x"}}`,
	`{"2023-01-02T03:04:05Z": {"S": "x"}}`,
	`{"Name": {"S": "visible"}}`,
	`{"Name": {"L": [{"S": "x"}]}}`,
	`{"panic": {"S": "please"}}`,
	`{"Visible": {"S": "v"}}`,
	`{"lower": {"S": "x"}}`,
	`{"lower": {"NULL": true}, "Name": {"S": "n"}}`,
}

const (
	embedsImage       = `{"ID": {"S": "id"}, "Name": {"S": "n"}, "Level": {"N": "3"}, "Extra": {"N": "4"}, "shared": {"S": "sh"}, "Deep": {"N": "1"}, "Shared": {"S": "SH"}}`
	twiceImage        = `{"X": {"N": "1"}, "Y": {"N": "2"}, "Z": {"S": "z"}, "W": {"N": "4"}, "T": {"S": "t"}}`
	unmarshalersImage = `{"Name": {"S": "n"}, "U": {"S": "up"}, "PU": {"S": "ptr"}, "Us": {"L": [{"S": "a"}, {"NULL": true}]}, "USet": {"SS": ["a", "b"]}, "UMap": {"M": {"k": {"S": "v"}}}, "UArr": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}, "Wrapped": {"M": {"Upper": {"S": "w"}}}}`
)

// Types of the images above.
type (
	// embeds mixes promoted fields: ID is at depth 1 in both Base and
	// *Other, so neither wins; Level shadows Deep's; Shared is tagged
	// "shared" in Base and plain in Deep.
	embeds struct {
		Base
		*Other
		Name  string
		Level int
	}
	Base struct {
		ID     string
		Shared string `dynamodbav:"shared"`
		Deep
	}
	Deep struct {
		Level  int
		Shared string
	}
	Other struct {
		ID    string
		Extra *int
	}

	// twice embeds Coords twice at depth 2 (through A and B): its fields
	// are ambiguous and dropped; W is embedded by A only.
	twice struct {
		A
		B
		T string
	}
	A struct {
		Coords
		W int
	}
	B struct{ Coords }
	// Coords has X, Y and Z.
	Coords struct{ X, Y, Z int }

	// tagged has two fields tagged "x" at one depth (neither wins) and
	// one tagged "y" beside an untagged Y deeper down.
	tagged struct {
		TagX1
		TagX2
		Name string
		Y    string `dynamodbav:"y"`
	}
	TagX1 struct {
		P string `dynamodbav:"x"`
		Y string
	}
	TagX2 struct {
		Q string `dynamodbav:"x"`
	}

	// node refers to itself.
	node struct {
		Name string
		Next *node
		Kids []node
	}

	// withUnmarshalers has fields attributevalue decodes by their
	// UnmarshalDynamoDBAttributeValue; the package delegates them alone.
	withUnmarshalers struct {
		Name    string
		U       Upper
		PU      *Upper
		Us      []Upper
		USet    []Upper
		PUs     []*Upper
		UMap    map[string]Upper
		UArr    [2]Upper
		Wrapped struct{ Upper }
		Panic   panicky `dynamodbav:"panic"`
	}

	// withTextKeys has a map whose keys decode themselves from text.
	withTextKeys struct {
		Name string
		Keys map[textKey]string
	}

	// hiddenPointer embeds a pointer to an unexported struct, which
	// reflection cannot allocate: attributevalue panics when an
	// attribute names one of its fields.
	hiddenPointer struct {
		*hidden
		Name string
	}
	hidden struct{ Visible, Name string }

	// hiddenString embeds an unexported string type.
	hiddenString struct {
		//lint:ignore U1000 an embedded unexported non-struct type, which neither decoder may fill
		lower
		Name string
	}
	//lint:ignore U1000 embedded in hiddenString only
	lower string

	// unmarshalsWhole has UnmarshalDynamoDBAttributeValue on its pointer.
	unmarshalsWhole struct{ Got string }
)

// Upper decodes an S in upper case, and fails on any other value but NULL.
type Upper string

func (u *Upper) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		*u = Upper(strings.ToUpper(v.Value))
	case *types.AttributeValueMemberSS:
		*u = Upper(strings.Join(v.Value, "+"))
	case *types.AttributeValueMemberNULL:
		*u = "null"
	default:
		return fmt.Errorf("Upper: got %T", av)
	}
	return nil
}

// panicky panics when it decodes anything.
type panicky struct{}

func (*panicky) UnmarshalDynamoDBAttributeValue(types.AttributeValue) error {
	panic("panicky")
}

func (u *unmarshalsWhole) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	u.Got = fmt.Sprintf("%T", av)
	return nil
}

// textKey decodes from text, rejecting the empty string.
type textKey string

func (k *textKey) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		return errors.New("empty key")
	}
	*k = textKey("key:" + string(b))
	return nil
}

func TestEveryImageIntoEveryType(t *testing.T) {
	imgs := make([]map[string]events.DynamoDBAttributeValue, len(images))
	for i, j := range images {
		if err := json.Unmarshal([]byte(j), &imgs[i]); err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
	}
	for _, r := range roots {
		ok, failed := 0, 0
		for i, img := range imgs {
			got, diff := compare(img, r.typ)
			if got.route != r.route {
				t.Errorf("%s, image %d: decoded by %s, want %s", r.typ, i, got.route, r.route)
			}
			if diff != "" {
				t.Errorf("%s, image %d %s: %s", r.typ, i, images[i], diff)
			}
			if got.err == nil {
				ok++
			} else {
				failed++
			}
		}
		t.Logf("%s: %d decoded, %d failed, alike", r.typ, ok, failed)
	}
}

// Some images are worth checking value by value, beyond agreeing with
// attributevalue: the rules the comparison relies on.
func TestDecodedValues(t *testing.T) {
	img := func(j string) map[string]events.DynamoDBAttributeValue {
		var m map[string]events.DynamoDBAttributeValue
		if err := json.Unmarshal([]byte(j), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name  string
		image string
		into  any // a pointer to a zero value
		want  any // what into points to after decoding
	}{
		{"promoted fields, the shallowest or tagged wins, ambiguous ones dropped",
			embedsImage, new(embeds),
			&embeds{Base: Base{Shared: "sh", Deep: Deep{Shared: "SH"}}, Other: &Other{Extra: ptr(4)}, Name: "n", Level: 3}},
		{"an embedded pointer is allocated for a NULL", `{"Extra": {"NULL": true}}`, new(embeds), &embeds{Other: &Other{}}},
		{"an embedded pointer is allocated for a value", `{"Extra": {"N": "1"}}`, new(embeds), &embeds{Other: &Other{Extra: ptr(1)}}},
		{"a struct embedded twice at one depth hides its fields", twiceImage, new(twice), &twice{A: A{W: 4}, T: "t"}},
		{"case-insensitive names", `{"SKU": {"S": "bulb"}, "Qty": {"N": "2"}}`, new(part), &part{SKU: "bulb", Qty: 2}},
		{"unmarshalers get the converted value", unmarshalersImage, new(withUnmarshalers), &withUnmarshalers{
			Name: "n", U: "UP", PU: ptr(Upper("PTR")), Us: []Upper{"A", "null"}, USet: []Upper{"a+b"},
			UMap: map[string]Upper{"k": "V"}, UArr: [2]Upper{"A", "B"}, Wrapped: struct{ Upper }{"W"},
		}},
		{"NULL into a pointer to an unmarshaler is nil", `{"PU": {"NULL": true}, "U": {"NULL": true}}`, new(withUnmarshalers), &withUnmarshalers{U: "null"}},
		{"a number into an interface is a float64", `{"a": {"N": "12"}, "b": {"L": [{"N": "1"}]}}`, new(map[string]any),
			&map[string]any{"a": 12.0, "b": []any{1.0}}},
		{"a NULL in a map is a key with a zero value", `{"a": {"NULL": true}}`, new(map[string]*part), &map[string]*part{"a": nil}},
		{"sets into interfaces", `{"s": {"SS": ["x"]}, "n": {"NS": ["2"]}, "b": {"BS": ["AQI="]}}`, new(map[string]any),
			&map[string]any{"s": []string{"x"}, "n": []float64{2}, "b": [][]byte{{1, 2}}}},
		{"the string option reads a number from an S", `{"AsStr": {"S": "42"}, "AsStrA": {"S": "1.5"}, "AsStrS": {"S": "s"}}`, new(wide),
			&wide{AsStr: 42, AsStrA: 1.5, AsStrS: "s"}},
		{"unixtime and plain time.Time read seconds and RFC 3339", `{"UnixT": {"N": "0"}, "Time": {"S": "2023-01-02T03:04:05Z"}, "PTime": {"N": "60"}}`, new(wide),
			&wide{UnixT: time.Unix(0, 0), Time: time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC), PTime: ptr(time.Unix(60, 0))}},
		{"an array takes what it holds", `{"Arr2": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}, "ArrS": {"SS": ["a"]}}`, new(wide),
			&wide{Arr2: [2]int{1, 2}, ArrS: [2]string{"a", ""}}},
		{"empty sets and lists are empty, not nil", `{"Strs": {"SS": []}, "Ints": {"L": []}, "Bytes": {"B": ""}}`, new(wide),
			&wide{Strs: []string{}, Ints: []int8{}, Bytes: []byte{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			route, err := dynamodbav.DecodeImageBy(img(c.image), c.into)
			if err != nil || route != "direct" {
				t.Fatalf("got %s, %v, want direct, nil", route, err)
			}
			if !same(reflect.ValueOf(c.into), reflect.ValueOf(c.want)) {
				t.Errorf("got %s, want %s", show(reflect.ValueOf(c.into).Elem()), show(reflect.ValueOf(c.want).Elem()))
			}
			ref := reflect.New(reflect.TypeOf(c.into).Elem()).Interface()
			if err := reference(img(c.image), ref); err != nil || !same(reflect.ValueOf(ref), reflect.ValueOf(c.want)) {
				t.Errorf("attributevalue: got %s, %v, want %s (the case is wrong)", show(reflect.ValueOf(ref).Elem()), err, show(reflect.ValueOf(c.want).Elem()))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// Two attribute names that differ only in case fill one field, in an order
// attributevalue leaves to map iteration: the package gives such an image
// to attributevalue rather than pick an order of its own.
func TestAttributesSharingAFieldAreLeftToAttributevalue(t *testing.T) {
	for _, j := range []string{
		`{"Name": {"S": "a"}, "name": {"S": "b"}}`,
		`{"NAME": {"S": "a"}, "name": {"S": "b"}}`,
		`{"Kids": {"L": [{"M": {"Name": {"S": "a"}, "nAme": {"S": "b"}}}]}}`,
	} {
		var img map[string]events.DynamoDBAttributeValue
		if err := json.Unmarshal([]byte(j), &img); err != nil {
			t.Fatal(err)
		}
		var n node
		route, err := dynamodbav.DecodeImageBy(img, &n)
		if route != "redo" || err != nil {
			t.Errorf("%s: got %s, %v, want redo, nil", j, route, err)
		}
		name := n.Name
		if len(n.Kids) == 1 {
			name = n.Kids[0].Name
		}
		if name != "a" && name != "b" {
			t.Errorf("%s: got %+v, want a name of a or b", j, n)
		}
		// One attribute matching by case alone is no reason to redo.
		if route, _ := dynamodbav.DecodeImageBy(map[string]events.DynamoDBAttributeValue{"name": img[sortedKeys(img)[0]]}, &node{}); route != "direct" {
			t.Errorf("%s: one attribute decoded by %s, want direct", j, route)
		}
	}
}
