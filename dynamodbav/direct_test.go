package dynamodbav_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/dynamodbav"
)

// Errors name the attribute by its path and wrap the cause, with the
// error types attributevalue returns.
func TestErrorsNameTheAttribute(t *testing.T) {
	cases := []struct {
		name     string
		image    string
		into     any
		wantText []string // all in the error text
		wantAs   any      // a pointer to an error type the error wraps
	}{
		{"a string into an int", `{"stock": {"S": "many"}}`, new(item),
			[]string{"attribute stock: ", "cannot unmarshal string into Go value type int"}, new(*attributevalue.UnmarshalTypeError)},
		{"a number out of range", `{"parts": {"L": [{"M": {"qty": {"N": "1"}}}, {"M": {"qty": {"N": "1e400"}}}]}}`, new(item),
			[]string{"attribute parts[1].qty: ", "1e400"}, new(*strconv.NumError)},
		{"an overflow", `{"Int8": {"N": "300"}}`, new(wide),
			[]string{"attribute Int8: ", "number overflow, 300"}, new(*attributevalue.UnmarshalTypeError)},
		{"a bad time", `{"Times": {"SS": ["2023-01-02T03:04:05Z", "yesterday"]}}`, new(wide),
			[]string{"attribute Times[1]: ", "yesterday"}, new(*attributevalue.UnmarshalError)},
		{"a map key", `{"MapIS": {"M": {"one": {"S": "x"}}}}`, new(wide),
			[]string{"attribute MapIS: ", `map key "one"`}, new(*strconv.NumError)},
		{"deep in a map of any", `{"a": {"M": {"b": {"L": [{"NS": ["1", "x"]}]}}}}`, new(map[string]any),
			[]string{"attribute a.b[0][1]: ", `"x"`}, new(*strconv.NumError)},
		{"an unmarshaler's error", `{"U": {"BOOL": true}}`, new(withUnmarshalers),
			[]string{"attribute U: ", "Upper: got *types.AttributeValueMemberBOOL"}, nil},
		{"an unmarshaler's panic", `{"panic": {"S": "x"}}`, new(withUnmarshalers),
			[]string{"attribute panic: ", "panicked", "panicky"}, nil},
		{"an interface with methods", `{"Stringer": {"S": "x"}}`, new(wide),
			[]string{"attribute Stringer: ", "fmt.Stringer"}, new(*attributevalue.UnmarshalTypeError)},
		{"a byte array of another length", `{"Arr4": {"B": "AQI="}}`, new(wide),
			[]string{"attribute Arr4: ", "binary of 2 bytes", "[4]uint8"}, new(*attributevalue.UnmarshalTypeError)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var img map[string]events.DynamoDBAttributeValue
			if err := json.Unmarshal([]byte(c.image), &img); err != nil {
				t.Fatal(err)
			}
			route, err := dynamodbav.DecodeImageBy(img, c.into)
			if route != "direct" || err == nil {
				t.Fatalf("got %s, %v, want direct, an error", route, err)
			}
			for _, want := range c.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got error %q, want it to contain %q", err, want)
				}
			}
			if c.wantAs != nil && !errors.As(err, c.wantAs) {
				t.Errorf("got error %v (%T), want it to wrap a %T", err, errors.Unwrap(err), c.wantAs)
			}
		})
	}
}

// Through a Function, an image that fails names the part and the attribute.
func TestDecodeErrorOfARecord(t *testing.T) {
	rec := record(t, "9", "MODIFY", `{"stock": {"N": "1"}}`, `{"parts": {"L": [{"M": {"qty": {"BOOL": true}}}]}}`)
	err := runOne(dynamodbav.Images, nopItem, rec)
	var de *batch.DecodeError
	if !errors.As(err, &de) || de.Part != "NewImage" || de.ID != "9" {
		t.Fatalf("got %v, want a *DecodeError of NewImage naming record 9", err)
	}
	if want := "attribute parts[0].qty: unmarshal failed, cannot unmarshal bool into Go value type int"; !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want it to contain %q", err, want)
	}
}

// Decoded slices are copies: changing them leaves the record as it was.
func TestDecodedSlicesAreCopies(t *testing.T) {
	img := map[string]events.DynamoDBAttributeValue{
		"Strs":      events.NewStringSetAttribute([]string{"a"}),
		"Bytes":     events.NewBinaryAttribute([]byte{1}),
		"BytesList": events.NewBinarySetAttribute([][]byte{{2}}),
		"Any":       events.NewStringSetAttribute([]string{"b"}),
		"Anys":      events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewBinaryAttribute([]byte{3})}),
	}
	var w wide
	if route, err := dynamodbav.DecodeImageBy(img, &w); route != "direct" || err != nil {
		t.Fatalf("got %s, %v, want direct, nil", route, err)
	}
	w.Strs[0], w.Bytes[0], w.BytesList[0][0] = "changed", 9, 9
	w.Any.([]string)[0], w.Anys[0].([]byte)[0] = "changed", 9
	if img["Strs"].StringSet()[0] != "a" || img["Bytes"].Binary()[0] != 1 || img["BytesList"].BinarySet()[0][0] != 2 ||
		img["Any"].StringSet()[0] != "b" || img["Anys"].List()[0].Binary()[0] != 3 {
		t.Errorf("changing the decoded item changed the image: %v", img)
	}
}

// selfPointer points to itself: attributevalue would allocate pointers
// forever for a value other than NULL; the package fails the attribute.
type selfPointer *selfPointer

type withSelfPointer struct {
	P    selfPointer
	Name string
}

func TestPointerToItself(t *testing.T) {
	var v withSelfPointer
	img := map[string]events.DynamoDBAttributeValue{"P": events.NewNullAttribute(), "Name": events.NewStringAttribute("n")}
	if route, err := dynamodbav.DecodeImageBy(img, &v); route != "direct" || err != nil || v.Name != "n" || v.P != nil {
		t.Fatalf("NULL: got %s, %v, %+v, want direct, nil, name n and a nil P", route, err, v)
	}
	img["P"] = events.NewStringAttribute("x")
	if route, err := dynamodbav.DecodeImageBy(img, &withSelfPointer{}); route != "direct" || err == nil || !strings.Contains(err.Error(), "attribute P: ") {
		t.Fatalf("S: got %s, %v, want direct, an error naming P", route, err)
	}
}

// A deeply nested image decodes without trouble: encoding/json, and the
// core's event decoder, allow 10,000 levels of JSON, 5,000 of attributes.
func TestDeepImage(t *testing.T) {
	const depth = 5000
	j := `{"a": ` + strings.Repeat(`{"L": [`, depth-1) + `{"N": "1"}` + strings.Repeat(`]}`, depth-1) + `}`
	var img map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal([]byte(j), &img); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if route, err := dynamodbav.DecodeImageBy(img, &got); route != "direct" || err != nil {
		t.Fatalf("got %s, %v, want direct, nil", route, err)
	}
	v := got["a"]
	for i := 1; i < depth; i++ {
		l, ok := v.([]any)
		if !ok || len(l) != 1 {
			t.Fatalf("level %d: got %T, want a list of one", i, v)
		}
		v = l[0]
	}
	if v != 1.0 {
		t.Errorf("innermost: got %v, want 1", v)
	}
}
