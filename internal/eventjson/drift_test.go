package eventjson_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// eventTypes are the aws-lambda-go types the decoders fill, by the name of
// the source in sources.
var eventTypes = map[string]reflect.Type{
	"sqs":      reflect.TypeOf(events.SQSEvent{}),
	"kinesis":  reflect.TypeOf(events.KinesisEvent{}),
	"dynamodb": reflect.TypeOf(events.DynamoDBEvent{}),
	"kafka":    reflect.TypeOf(events.KafkaEvent{}),
}

var (
	secondsType = reflect.TypeOf(events.SecondsEpochTime{})
	millisType  = reflect.TypeOf(events.MilliSecondsEpochTime{})
	attrType    = reflect.TypeOf(events.DynamoDBAttributeValue{})
	imageType   = reflect.TypeOf(map[string]events.DynamoDBAttributeValue{})
	headerType  = reflect.TypeOf(events.JSONNumberBytes{})
)

// filler gives every field it fills a value of its own, none of them zero.
type filler struct{ n int }

// fill sets v, and everything reachable from it, to values that are not
// zero: each exported field of each struct, two elements in each slice and
// map, every DynamoDB attribute type in each image.
func (f *filler) fill(v reflect.Value) {
	f.n++
	n := f.n
	switch v.Type() {
	case secondsType: // seconds with a fraction a float64 holds exactly
		v.Set(reflect.ValueOf(events.SecondsEpochTime{Time: time.Unix(1700000000+int64(n), 250000000)}))
		return
	case millisType:
		v.Set(reflect.ValueOf(events.MilliSecondsEpochTime{Time: time.UnixMilli(1700000000000 + int64(n))}))
		return
	case attrType:
		v.Set(reflect.ValueOf(events.NewStringAttribute(fmt.Sprint("attr", n))))
		return
	case imageType:
		s := fmt.Sprint(n)
		v.Set(reflect.ValueOf(map[string]events.DynamoDBAttributeValue{
			"s":    events.NewStringAttribute("s" + s),
			"n":    events.NewNumberAttribute(s),
			"b":    events.NewBinaryAttribute([]byte{1, byte(n)}),
			"bool": events.NewBooleanAttribute(true),
			"null": events.NewNullAttribute(),
			"ss":   events.NewStringSetAttribute([]string{"a", s}),
			"ns":   events.NewNumberSetAttribute([]string{"1", s}),
			"bs":   events.NewBinarySetAttribute([][]byte{{1}, {byte(n)}}),
			"l":    events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewStringAttribute(s)}),
			"m":    events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"k": events.NewNumberAttribute(s)}),
		}))
		return
	case headerType:
		v.Set(reflect.ValueOf(events.JSONNumberBytes{1, 0x80, byte(n)}))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d \"\u00e9\"\n", n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(n) + 0.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte{byte(n), 2, 3})
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			f.fill(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := 0; i < 2; i++ {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k)
			f.fill(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf(fmt.Sprint("any", n)))
	}
}

// isWhole reports whether t is compared as a whole rather than field by
// field: a type with unexported state, which the decoders build whole.
func isWhole(t reflect.Type) bool {
	return t == secondsType || t == millisType || t == attrType
}

// zeroPath returns the path of a field of v that is zero, or "".
func zeroPath(v reflect.Value, path string) string {
	if v.IsZero() {
		return path
	}
	if isWhole(v.Type()) {
		return ""
	}
	switch v.Kind() {
	case reflect.Pointer:
		return zeroPath(v.Elem(), path)
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if p := zeroPath(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if p := zeroPath(iter.Value(), fmt.Sprintf("%s[%q]", path, iter.Key())); p != "" {
				return p
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if sf := v.Type().Field(i); sf.IsExported() {
				if p := zeroPath(v.Field(i), fieldPath(path, sf)); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// diffPath returns the path of the first difference between got and want,
// values of one type, with both values, or "".
func diffPath(got, want reflect.Value, path string) string {
	if reflect.DeepEqual(got.Interface(), want.Interface()) {
		return ""
	}
	if !isWhole(got.Type()) {
		switch got.Kind() {
		case reflect.Pointer:
			if !got.IsNil() && !want.IsNil() {
				return diffPath(got.Elem(), want.Elem(), path)
			}
		case reflect.Slice:
			if got.Len() == want.Len() {
				for i := 0; i < got.Len(); i++ {
					if p := diffPath(got.Index(i), want.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
						return p
					}
				}
			}
		case reflect.Map:
			if got.Len() == want.Len() {
				iter := want.MapRange()
				for iter.Next() {
					g := got.MapIndex(iter.Key())
					if !g.IsValid() {
						break
					}
					if p := diffPath(g, iter.Value(), fmt.Sprintf("%s[%q]", path, iter.Key())); p != "" {
						return p
					}
				}
			}
		case reflect.Struct:
			for i := 0; i < got.NumField(); i++ {
				if sf := got.Type().Field(i); sf.IsExported() {
					if p := diffPath(got.Field(i), want.Field(i), fieldPath(path, sf)); p != "" {
						return p
					}
				}
			}
		}
	}
	return fmt.Sprintf("%s: got %#v, want %#v", path, got.Interface(), want.Interface())
}

func fieldPath(path string, sf reflect.StructField) string {
	name := sf.Name
	if tag, _, _ := strings.Cut(sf.Tag.Get("json"), ","); tag != "" {
		name += fmt.Sprintf(" (%q)", tag)
	}
	return path + "." + name
}

// TestDecodersReadEveryField fills every field of every struct reachable
// from each event type with a value that is not zero, encodes the event
// with encoding/json, and decodes it with the decoders (strict and lenient)
// and with json.Unmarshal: the values must be equal, so a field a decoder
// does not read (one a newer aws-lambda-go added, say) fails the test,
// named by its path. The fill must survive encoding/json: a field still
// zero after json.Unmarshal fails the test too, naming the field the
// filler must learn.
func TestDecodersReadEveryField(t *testing.T) {
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			typ := eventTypes[src.name]
			ev := reflect.New(typ).Elem()
			(&filler{}).fill(ev)
			payload, err := json.Marshal(ev.Interface())
			if err != nil {
				t.Fatal(err)
			}
			want, err := src.std(payload)
			if err != nil {
				t.Fatalf("json.Unmarshal: %v", err)
			}
			if p := zeroPath(reflect.ValueOf(want), "event"); p != "" {
				t.Fatalf("got %s zero after encoding/json, want every field filled: teach the filler its type", p)
			}
			got, err := src.fast(payload)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if p := diffPath(reflect.ValueOf(got), reflect.ValueOf(want), "event"); p != "" {
				t.Errorf("the decoder does not read every field encoding/json fills: %s", p)
			}
			if src.lenient != nil {
				got, bad, err := src.lenient(payload)
				if err != nil || len(bad) > 0 {
					t.Fatalf("lenient decoder: got error %v and faulty records %v, want neither", err, bad)
				}
				if p := diffPath(reflect.ValueOf(got), reflect.ValueOf(want), "event"); p != "" {
					t.Errorf("the lenient decoder does not read every field encoding/json fills: %s", p)
				}
			}
		})
	}
}

// TestNoUnknownFields checks that Unknown, which Invoke consults once per
// source to choose between these decoders and encoding/json, finds nothing
// unknown in the aws-lambda-go version of go.mod: the fast decoders are in
// use.
func TestNoUnknownFields(t *testing.T) {
	for name, typ := range eventTypes {
		if got := eventjson.Unknown(typ); len(got) != 0 {
			t.Errorf("%s: got unknown %q, want none", name, got)
		}
	}
}

// Types of a newer aws-lambda-go, simulated.
type (
	newerEvent struct {
		Records []newerMessage `json:"Records"`
	}
	newerMessage struct {
		events.SQSMessage
		Priority  int           `json:"priority"`
		Ignored   string        `json:"-"`
		internal  string        // not decoded: unexported
		Timestamp *time.Time    `json:"timestamp,omitempty"`
		Trace     traceMetadata `json:"trace"`
	}
	traceMetadata struct {
		ID string `json:"id"`
	}
	selfDecoding struct {
		Records []struct{} `json:"Records"`
	}
)

func (*selfDecoding) UnmarshalJSON([]byte) error { return nil }

var _ = newerMessage{}.internal

func TestUnknownFindsWhatTheDecodersDoNotRead(t *testing.T) {
	drop := func(typ reflect.Type, name string) map[reflect.Type][]string {
		known := eventjson.KnownFields()
		var keep []string
		for _, n := range known[typ] {
			if n != name {
				keep = append(keep, n)
			}
		}
		known[typ] = keep
		return known
	}
	sqs := eventjson.KnownFields()[reflect.TypeOf(events.SQSMessage{})]
	withNewer := eventjson.KnownFields()
	withNewer[reflect.TypeOf(newerEvent{})] = []string{"Records"}
	withNewer[reflect.TypeOf(newerMessage{})] = append(append([]string(nil), sqs...), "priority", "timestamp", "trace")
	withNewer[reflect.TypeOf(traceMetadata{})] = []string{"id"}

	tests := []struct {
		name  string
		typ   reflect.Type
		known map[reflect.Type][]string
		want  []string
	}{
		{"a top-level field", reflect.TypeOf(events.KafkaEvent{}), drop(reflect.TypeOf(events.KafkaEvent{}), "bootstrapServers"),
			[]string{"events.KafkaEvent.bootstrapServers"}},
		{"a field of a record", reflect.TypeOf(events.SQSEvent{}), drop(reflect.TypeOf(events.SQSMessage{}), "awsRegion"),
			[]string{"events.SQSMessage.awsRegion"}},
		{"a field of a map value", reflect.TypeOf(events.SQSEvent{}), drop(reflect.TypeOf(events.SQSMessageAttribute{}), "dataType"),
			[]string{"events.SQSMessageAttribute.dataType"}},
		{"a field behind a pointer", reflect.TypeOf(events.DynamoDBEvent{}), drop(reflect.TypeOf(events.DynamoDBUserIdentity{}), "principalId"),
			[]string{"events.DynamoDBUserIdentity.principalId"}},
		{"a new field beside an embedded struct's", reflect.TypeOf(newerEvent{}), func() map[reflect.Type][]string {
			k := eventjson.KnownFields()
			k[reflect.TypeOf(newerEvent{})] = []string{"Records"}
			k[reflect.TypeOf(newerMessage{})] = sqs
			return k
		}(), []string{
			"eventjson_test.newerMessage.priority",
			"eventjson_test.newerMessage.timestamp", "time.Time (decodes itself)",
			"eventjson_test.newerMessage.trace", "eventjson_test.traceMetadata (a type the decoders do not know)",
		}},
		{"a type the decoders do not know", reflect.TypeOf(newerEvent{}), func() map[reflect.Type][]string {
			k := eventjson.KnownFields()
			k[reflect.TypeOf(newerEvent{})] = []string{"Records"}
			return k
		}(), []string{"eventjson_test.newerMessage (a type the decoders do not know)"}},
		{"a type that gained UnmarshalJSON", reflect.TypeOf(selfDecoding{}), eventjson.KnownFields(),
			[]string{"eventjson_test.selfDecoding (decodes itself)"}},
		// Every name known, but time.Time is not a type the decoders
		// decode: Timestamp is reported through its type.
		{"every name known", reflect.TypeOf(newerEvent{}), withNewer, []string{"time.Time (decodes itself)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := eventjson.UnknownIn(tt.typ, tt.known)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The decoders predict keys with a table of fixed size for each list of
// field names (keyOrder): a list that outgrew it would index past its end.
func TestFieldListsFitKeyPrediction(t *testing.T) {
	for typ, names := range eventjson.KnownFields() {
		if len(names) > eventjson.MaxFieldNames {
			t.Errorf("%v: got %d field names, want at most %d", typ, len(names), eventjson.MaxFieldNames)
		}
	}
}
