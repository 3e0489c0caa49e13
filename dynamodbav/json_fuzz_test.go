package dynamodbav_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/dynamodbav"
)

// FuzzImageJSONDifferential decodes the fuzzer's bytes, as the JSON of an
// image, into the types of FuzzImageDifferential with decodeImageJSON and
// with json.Unmarshal and decodeImage (compareJSON), which must agree:
// the same value or the same error text, and an error from
// decodeImageJSON wherever json.Unmarshal fails (or aws-lambda-go
// panics). Images with keys that differ only in case decode by map order
// (attributevalue's, and decodeImage's when it meets them): with up to two
// such keys, the reference soon gives every outcome and they are compared;
// with more, they are decoded, to look for panics, but not compared.
// Besides its own corpus in
// testdata/fuzz/FuzzImageJSONDifferential, it starts from that of
// FuzzImageDifferential and from the images of the tests. Run it with
//
//	go test -run '^$' -fuzz '^FuzzImageJSONDifferential$' -fuzztime 3m .
func FuzzImageJSONDifferential(f *testing.F) {
	for _, seed := range fuzzSeeds(f, "FuzzImageDifferential") {
		f.Add(seed)
	}
	for _, img := range images {
		f.Add([]byte(img))
	}
	for _, c := range jsonCases {
		f.Add([]byte(c.image))
	}
	for _, s := range samples {
		f.Add([]byte(`{"Any": ` + s + `, "name": ` + s + `}`))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := lambdaMap(data)
		twins := 0
		if err == nil {
			twins = twinKeys(m)
		}
		for _, typ := range fuzzTypes {
			route, diff := compareJSON(data, typ)
			if diff != "" && twins <= 2 {
				t.Errorf("%s (decoded by %s): %s", typ, route, diff)
			}
		}
	})
}

// twinKeys counts the keys of the maps of img, at any depth, that differ
// only in case from another key of their map: for each set of such keys,
// all of them but one.
func twinKeys(img map[string]events.DynamoDBAttributeValue) int {
	n := 0
	seen := make(map[string]bool, len(img))
	for k, av := range img {
		if f := foldKey(k); seen[f] {
			n++
		} else {
			seen[f] = true
		}
		n += twinKeysIn(av)
	}
	return n
}

// twinKeysIn is twinKeys of the maps within av.
func twinKeysIn(av events.DynamoDBAttributeValue) int {
	if av.IsNull() {
		return 0
	}
	switch av.DataType() {
	case events.DataTypeMap:
		return twinKeys(av.Map())
	case events.DataTypeList:
		n := 0
		for _, e := range av.List() {
			n += twinKeysIn(e)
		}
		return n
	}
	return 0
}

// fuzzSeeds reads the corpus of the fuzz target name, in
// testdata/fuzz/name: files of one []byte each.
func fuzzSeeds(tb testing.TB, name string) [][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus of %s: %v", name, err)
	}
	var seeds [][]byte
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 || lines[0] != "go test fuzz v1" {
			tb.Fatalf("%s: not a corpus file of one value", file)
		}
		quoted, prefixed := strings.CutPrefix(lines[1], "[]byte(")
		quoted, suffixed := strings.CutSuffix(quoted, ")")
		if !prefixed || !suffixed {
			tb.Fatalf("%s: not a []byte", file)
		}
		s, err := strconv.Unquote(quoted)
		if err != nil {
			tb.Fatalf("%s: %v", file, err)
		}
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzRecordImages looks for records whose images recordImages finds
// otherwise than encoding/json does in aws-lambda-go's record: where it
// finds them (ok), the record must be valid JSON, and, if json.Unmarshal
// decodes it, the images must decode to the record's. Run it with
//
//	go test -run '^$' -fuzz '^FuzzRecordImages$' -fuzztime 1m .
func FuzzRecordImages(f *testing.F) {
	f.Add([]byte(`{"eventID":"1","eventName":"MODIFY","dynamodb":{"ApproximateCreationDateTime":1700000000,"Keys":{"pk":{"S":"k"}},` +
		`"NewImage":` + orderImage(1) + `,"OldImage":` + fullImage + `,"SequenceNumber":"1","SizeBytes":26,"StreamViewType":"NEW_AND_OLD_IMAGES"},"eventSourceARN":"arn"}`))
	f.Add([]byte(`{"DynamoDB": {"newimage": {"a": {"S": "x"}}, "OLDIMAGE": null}, "x": [1, 2.5e3, true, null, {"y": "\u00e9"}]}`))
	f.Add([]byte(`{"dyn\u0061modb": {"New\u0049mage": {}, "NewImage": {}}}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		newImg, oldImg, ok := dynamodbav.RecordImages(rec)
		if msg := checkedAgrees(rec, newImg, oldImg, ok); msg != "" {
			t.Fatal(msg)
		}
		if !ok {
			if newImg != nil || oldImg != nil {
				t.Fatalf("got images %q, %q with ok false", newImg, oldImg)
			}
			return
		}
		if !json.Valid(rec) {
			t.Fatalf("got ok for invalid JSON")
		}
		for _, img := range [][]byte{newImg, oldImg} {
			if img != nil && (!bytes.HasPrefix(img, []byte("{")) || !json.Valid(img)) {
				t.Fatalf("got image %q, want an object", img)
			}
		}
		var r events.DynamoDBEventRecord
		if !unmarshalRecord(rec, &r) {
			return // another field does not decode, or an attribute value
		}
		for _, p := range []struct {
			got  []byte
			want map[string]events.DynamoDBAttributeValue
		}{{newImg, r.Change.NewImage}, {oldImg, r.Change.OldImage}} {
			var got map[string]events.DynamoDBAttributeValue
			if p.got != nil {
				var err error
				if got, err = lambdaMap(p.got); err != nil {
					t.Fatalf("image %q: %v, though the record decodes", p.got, err)
				}
			}
			if !reflect.DeepEqual(got, p.want) {
				t.Fatalf("got image %v, want %v, as encoding/json", got, p.want)
			}
		}
	})
}

// unmarshalRecord is json.Unmarshal of rec into r, reporting success; a
// panic of aws-lambda-go is a failure.
func unmarshalRecord(rec []byte, r *events.DynamoDBEventRecord) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return json.Unmarshal(rec, r) == nil
}
