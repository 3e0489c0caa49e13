package dynamodbav_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// fuzzTypes are the types FuzzImageDifferential decodes each image into.
var fuzzTypes = []reflect.Type{
	stringKeyed(reflect.TypeFor[wide]()),
	reflect.TypeFor[item](),
	reflect.TypeFor[map[string]any](),
	reflect.TypeFor[withUnmarshalers](),
	reflect.TypeFor[embeds](),
	reflect.TypeFor[tagged](),
	reflect.TypeFor[node](),
}

// stringKeyed is struct type t without its unexported fields and its maps
// whose keys are not strings. attributevalue fills such a map from keys
// that name one key ("1" and "01" are both 1) in map iteration order, so
// its result is not determined; TestEveryValueIntoEveryField uses images
// whose keys do not collide.
func stringKeyed(t reflect.Type) reflect.Type {
	var fields []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || (sf.Type.Kind() == reflect.Map && sf.Type.Key().Kind() != reflect.String) {
			continue
		}
		fields = append(fields, sf)
	}
	return reflect.StructOf(fields)
}

// FuzzImageDifferential decodes images, made from the fuzzer's bytes as
// aws-lambda-go decodes the JSON of a DynamoDB Streams image, into several
// types, with the package and with attributevalue (reference), which must
// agree as in TestEveryValueIntoEveryField, and the package must decode
// directly (it may only redo images with keys that differ only in case,
// whose result attributevalue leaves to map order: those are decoded, to
// look for panics, but not compared). The seed corpus is in
// testdata/fuzz/FuzzImageDifferential; run the fuzzer with
//
//	go test -run '^$' -fuzz '^FuzzImageDifferential$' -fuzztime 3m .
func FuzzImageDifferential(f *testing.F) {
	for _, typ := range fuzzTypes {
		if typ.Kind() == reflect.Struct && typ.NumField() == 0 {
			f.Fatalf("fuzz type %s has no fields", typ)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, ok := lambdaJSONImage(data)
		if !ok {
			t.Skip("not an image aws-lambda-go decodes")
		}
		twins := foldTwins(img)
		for _, typ := range fuzzTypes {
			got, diff := compare(img, typ)
			switch {
			case twins:
			case got.route != "direct":
				t.Errorf("%s: decoded by %s, want direct", typ, got.route)
			case diff != "":
				t.Errorf("%s: %s", typ, diff)
			}
			if got.route == "direct" && got.err != nil && !strings.Contains(got.err.Error(), "attribute ") && typ.Kind() == reflect.Struct {
				t.Errorf("%s: got error %q, want one naming the attribute", typ, got.err)
			}
		}
	})
}

// lambdaJSONImage decodes data as json.Unmarshal does into a DynamoDB
// Streams image (aws-lambda-go panics on some invalid ones: then ok is
// false, as for any error).
func lambdaJSONImage(data []byte) (img map[string]events.DynamoDBAttributeValue, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if err := json.Unmarshal(data, &img); err != nil || img == nil {
		return nil, false
	}
	return img, true
}
