package dynamodbav_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"go.uber.org/goleak"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/dynamodbav"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// item uses the dynamodbav tags of aws-sdk-go-v2's attributevalue package.
type item struct {
	PK      string            `dynamodbav:"pk"`
	Name    string            `dynamodbav:"name"`
	Stock   int               `dynamodbav:"stock"`
	Price   float64           `dynamodbav:"price"`
	Active  bool              `dynamodbav:"active"`
	Tags    []string          `dynamodbav:"tags,stringset"`
	Sizes   []int             `dynamodbav:"sizes,numberset"`
	Blob    []byte            `dynamodbav:"blob"`
	Parts   []part            `dynamodbav:"parts"`
	Labels  map[string]string `dynamodbav:"labels"`
	Note    *string           `dynamodbav:"note"`
	Ignored string            `dynamodbav:"-"`
	Untaged string
}

type part struct {
	SKU string `dynamodbav:"sku"`
	Qty int    `dynamodbav:"qty"`
}

var errStock = errors.New("stock is negative")

func (it *item) Validate() error {
	if it.Stock < 0 {
		return errStock
	}
	return nil
}

// fullImage has one attribute of every DynamoDB type, in the JSON of a
// DynamoDB Streams event.
const fullImage = `{
	"pk": {"S": "p#1"}, "name": {"S": "lamp"}, "stock": {"N": "12"}, "price": {"N": "19.5"},
	"active": {"BOOL": true}, "tags": {"SS": ["blue", "desk"]}, "sizes": {"NS": ["1", "3"]},
	"blob": {"B": "aGVsbG8="},
	"parts": {"L": [{"M": {"sku": {"S": "bulb"}, "qty": {"N": "2"}}}]},
	"labels": {"M": {"origin": {"S": "se"}}},
	"note": {"NULL": true}, "Ignored": {"S": "x"}, "Untaged": {"S": "kept"}
}`

var fullItem = item{
	PK: "p#1", Name: "lamp", Stock: 12, Price: 19.5, Active: true,
	Tags: []string{"blue", "desk"}, Sizes: []int{1, 3}, Blob: []byte("hello"),
	Parts:   []part{{SKU: "bulb", Qty: 2}},
	Labels:  map[string]string{"origin": "se"},
	Untaged: "kept",
}

// record builds a DynamoDB Streams record from the JSON of its images; an
// empty string leaves the image out.
func record(t testing.TB, seq, eventName, oldImage, newImage string) events.DynamoDBEventRecord {
	t.Helper()
	var r events.DynamoDBEventRecord
	r.EventName = eventName
	r.EventSource = "aws:dynamodb"
	r.Change.SequenceNumber = seq
	r.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("p#1")}
	for _, img := range []struct {
		src string
		dst *map[string]events.DynamoDBAttributeValue
	}{{oldImage, &r.Change.OldImage}, {newImage, &r.Change.NewImage}} {
		if img.src == "" {
			continue
		}
		if err := json.Unmarshal([]byte(img.src), img.dst); err != nil {
			t.Fatalf("bad test image %s: %v", img.src, err)
		}
	}
	return r
}

func TestImagesPresentOrNilByEventName(t *testing.T) {
	older := strings.Replace(fullImage, `"N": "12"`, `"N": "11"`, 1)
	olderItem := fullItem
	olderItem.Stock = 11
	adapters := []struct {
		name           string
		dec            func(events.DynamoDBEventRecord, []byte, any) error
		wantOld, wantN bool // which images the decoder decodes
	}{
		{"NewImage", dynamodbav.NewImage, false, true},
		{"OldImage", dynamodbav.OldImage, true, false},
		{"Images", dynamodbav.Images, true, true},
	}
	records := []struct {
		name     string
		rec      events.DynamoDBEventRecord
		hasOld   bool
		hasNew   bool
		wantName events.DynamoDBOperationType
	}{
		{"INSERT has no old image", record(t, "1", "INSERT", "", fullImage), false, true, events.DynamoDBOperationTypeInsert},
		{"MODIFY has both images", record(t, "2", "MODIFY", older, fullImage), true, true, events.DynamoDBOperationTypeModify},
		{"REMOVE has no new image", record(t, "3", "REMOVE", older, ""), true, false, events.DynamoDBOperationTypeRemove},
		{"KEYS_ONLY stream has no image", record(t, "4", "MODIFY", "", ""), false, false, events.DynamoDBOperationTypeModify},
	}
	for _, a := range adapters {
		for _, r := range records {
			a, r := a, r
			t.Run(a.name+"/"+r.name, func(t *testing.T) {
				var got dynamodbav.Change[item]
				called := false
				err := runOne(a.dec, func(_ context.Context, c dynamodbav.Change[item]) error {
					got, called = c, true
					return nil
				}, r.rec)
				if err != nil || !called {
					t.Fatalf("got err %v, called %v, want nil, true", err, called)
				}
				if got.EventName != r.wantName || got.Record.Change.SequenceNumber != r.rec.Change.SequenceNumber {
					t.Errorf("got event %q seq %q, want %q %q", got.EventName, got.Record.Change.SequenceNumber, r.wantName, r.rec.Change.SequenceNumber)
				}
				checkImage(t, "Old", got.Old, a.wantOld && r.hasOld, olderItem)
				checkImage(t, "New", got.New, a.wantN && r.hasNew, fullItem)
			})
		}
	}
}

func checkImage(t *testing.T, name string, got *item, present bool, want item) {
	t.Helper()
	switch {
	case !present && got != nil:
		t.Errorf("got %s %+v, want nil", name, *got)
	case present && got == nil:
		t.Errorf("got %s nil, want %+v", name, want)
	case present && !reflect.DeepEqual(*got, want):
		t.Errorf("got %s %+v, want %+v", name, *got, want)
	}
}

func TestBadImagesFailTheRecordWithTypedErrors(t *testing.T) {
	zeroAttr := record(t, "9", "MODIFY", "", `{"pk": {"S": "p#1"}}`)
	zeroAttr.Change.NewImage["stock"] = events.DynamoDBAttributeValue{} // no type, no value
	nestedZero := record(t, "9", "MODIFY", "", `{"pk": {"S": "p#1"}}`)
	nestedZero.Change.NewImage["parts"] = events.NewListAttribute([]events.DynamoDBAttributeValue{
		events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"sku": {}}),
	})
	cases := []struct {
		name     string
		dec      func(events.DynamoDBEventRecord, []byte, any) error
		rec      events.DynamoDBEventRecord
		wantPart string // "" for a validation error
		wantText string // part of the error text
	}{
		{"string into a number field", dynamodbav.NewImage, record(t, "9", "INSERT", "", `{"stock": {"S": "many"}}`), "NewImage", "cannot unmarshal string"},
		{"number too large for int", dynamodbav.NewImage, record(t, "9", "INSERT", "", `{"stock": {"N": "1e400"}}`), "NewImage", ""},
		{"list into a string field", dynamodbav.OldImage, record(t, "9", "REMOVE", `{"name": {"L": []}}`, ""), "OldImage", ""},
		{"bad old image with good new image", dynamodbav.Images, record(t, "9", "MODIFY", `{"active": {"S": "yes"}}`, fullImage), "OldImage", ""},
		{"attribute value without type", dynamodbav.NewImage, zeroAttr, "NewImage", "attribute stock: attribute value is empty"},
		{"nested attribute value without type", dynamodbav.NewImage, nestedZero, "NewImage", "attribute parts[0].sku"},
		{"validation fails", dynamodbav.NewImage, record(t, "9", "INSERT", "", `{"stock": {"N": "-1"}}`), "", "stock is negative"},
		{"validation fails on the old image", dynamodbav.Images, record(t, "9", "MODIFY", `{"stock": {"N": "-1"}}`, fullImage), "", "stock is negative"},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			err := runOne(c.dec, nopItem, c.rec)
			var de *batch.DecodeError
			var ve *batch.ValidationError
			switch {
			case c.wantPart == "" && errors.As(err, &ve):
				if ve.ID != "9" || !errors.Is(err, errStock) {
					t.Errorf("got validation error %v naming %q, want one naming 9 wrapping %v", err, ve.ID, errStock)
				}
			case c.wantPart != "" && errors.As(err, &de):
				if de.ID != "9" || de.Part != c.wantPart {
					t.Errorf("got decode error naming %q part %q, want 9 %q", de.ID, de.Part, c.wantPart)
				}
			default:
				t.Fatalf("got %v, want a typed error (part %q)", err, c.wantPart)
			}
			if !strings.Contains(err.Error(), c.wantText) {
				t.Errorf("got error text %q, want it to contain %q", err, c.wantText)
			}
		})
	}
}

func nopItem(context.Context, dynamodbav.Change[item]) error { return nil }

func TestDecodeFailuresFailOnlyTheirRecord(t *testing.T) {
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record(t, "100", "INSERT", "", fullImage),
		record(t, "200", "INSERT", "", `{"pk": {"S": "p#2"}, "stock": {"BOOL": true}}`),
		record(t, "300", "REMOVE", fullImage, ""),
		record(t, "400", "INSERT", "", `{"pk": {"S": "p#4"}, "stock": {"N": "-5"}}`),
	}}
	var seen []string
	fn := batch.New(batch.DynamoDB().DecodeJSON(dynamodbav.Images), func(_ context.Context, c dynamodbav.Change[item]) error {
		seen = append(seen, string(c.EventName))
		return nil
	}, batch.Options{})
	resp, err := fn.Handle(context.Background(), ev)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if want := []string{"200", "400"}; !reflect.DeepEqual(failed, want) {
		t.Errorf("got failures %v, want %v", failed, want)
	}
	if want := []string{"INSERT", "REMOVE"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("got handled %v, want %v", seen, want)
	}
}

type plain struct {
	N int `dynamodbav:"n"`
}

type ptrValidated struct {
	N int `dynamodbav:"n"`
}

func (p ptrValidated) Validate() error {
	if p.N < 0 {
		return errStock
	}
	return nil
}

func TestValidateLookupAndOtherTargetTypes(t *testing.T) {
	bad := record(t, "1", "INSERT", "", `{"n": {"N": "-1"}}`)
	cases := []struct {
		name        string
		run         func() error
		wantInvalid bool
	}{
		{"pointer type with value-receiver Validate", func() error {
			return runOne(dynamodbav.NewImage, func(context.Context, dynamodbav.Change[*ptrValidated]) error { return nil }, bad)
		}, true},
		{"value type with value-receiver Validate", func() error {
			return runOne(dynamodbav.NewImage, func(context.Context, dynamodbav.Change[ptrValidated]) error { return nil }, bad)
		}, true},
		{"no Validate method", func() error {
			return runOne(dynamodbav.NewImage, func(context.Context, dynamodbav.Change[plain]) error { return nil }, bad)
		}, false},
		{"map target", func() error {
			return runOne(dynamodbav.NewImage, func(context.Context, dynamodbav.Change[map[string]any]) error { return nil }, bad)
		}, false},
		{"the item type itself, with Validate", func() error {
			return runOne(dynamodbav.NewImage, func(context.Context, ptrValidated) error { return nil }, bad)
		}, true},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			var ve *batch.ValidationError
			if got := errors.As(err, &ve); got != c.wantInvalid {
				t.Errorf("got %v, want a *ValidationError: %v", err, c.wantInvalid)
			}
			if !c.wantInvalid && err != nil {
				t.Errorf("got %v, want nil", err)
			}
		})
	}
}

// runOne runs rec through a Function of DynamoDB Streams decoded by dec
// and h, and returns the record's error: first through Process, where dec
// decodes the images the record holds, then as JSON through Invoke, where
// dec decodes them from the record's JSON, which must give the same
// error (h is called again: what it keeps is the second run's). A record
// that does not marshal to JSON (an invalid attribute value built in Go)
// runs through Process alone.
func runOne[T any](dec func(events.DynamoDBEventRecord, []byte, any) error, h func(context.Context, T) error, rec events.DynamoDBEventRecord) error {
	var invokeErr error
	invoked := false
	o := batch.Options{NoBatchError: true, Retry: func(_ context.Context, fs []batch.Failure) {
		for _, f := range fs {
			invokeErr = f.Err
		}
	}}
	fn := batch.New(batch.DynamoDB().DecodeJSON(dec), h, o)
	_, rep := fn.Process(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
	if rep.Err != nil {
		return rep.Err
	}
	err := rep.Results[0].Err
	payload, ok := marshalEvent(rec)
	if !ok {
		return err
	}
	invokeErr = nil
	o.Retry = func(_ context.Context, fs []batch.Failure) {
		invoked = true
		for _, f := range fs {
			invokeErr = f.Err
		}
	}
	fn = batch.New(batch.DynamoDB().DecodeJSON(dec), h, o)
	if _, ierr := fn.Invoke(context.Background(), payload); ierr != nil {
		return fmt.Errorf("Invoke of %s: %w", payload, ierr)
	}
	if !sameFailure(err, invokeErr) || invoked != (err != nil) {
		return fmt.Errorf("Process gave %v, Invoke of the record's JSON %v", err, invokeErr)
	}
	return err
}

// sameFailure reports whether a and b fail a record alike: both nil, or
// errors of the same type and, for a DecodeError, of the same part. With
// two bad attributes, which one an error names may differ: a built image
// is a map, read in no set order.
func sameFailure(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return false
	}
	var da, db *batch.DecodeError
	if errors.As(a, &da) && errors.As(b, &db) {
		return da.Part == db.Part && errors.Is(a, batch.ErrNoPayload) == errors.Is(b, batch.ErrNoPayload)
	}
	return true
}

// marshalEvent returns the JSON of an event of rec; ok is false when
// aws-lambda-go cannot marshal it (it panics on some invalid values).
func marshalEvent(rec events.DynamoDBEventRecord) (b []byte, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	b, err := json.Marshal(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}})
	return b, err == nil
}

// The item type itself can be the handler's type: the decoder fills it
// from the image; a record without that image has no payload.
func TestItemTypeItself(t *testing.T) {
	var got item
	err := runOne(dynamodbav.NewImage, func(_ context.Context, it item) error { got = it; return nil }, record(t, "1", "INSERT", "", fullImage))
	if err != nil || !reflect.DeepEqual(got, fullItem) {
		t.Fatalf("got %+v, %v; want %+v, nil", got, err, fullItem)
	}
	err = runOne(dynamodbav.NewImage, func(context.Context, item) error { return nil }, record(t, "2", "REMOVE", fullImage, ""))
	var de *batch.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, batch.ErrNoPayload) || de.Part != "NewImage" {
		t.Fatalf("REMOVE into the item type: got %v, want a *DecodeError of NewImage wrapping ErrNoPayload", err)
	}
	err = runOne(dynamodbav.Images, func(context.Context, item) error { return nil }, record(t, "3", "MODIFY", fullImage, fullImage))
	if !errors.As(err, &de) {
		t.Fatalf("Images into the item type: got %v, want a *DecodeError", err)
	}
}

func TestAttributeValuesMapsEveryType(t *testing.T) {
	var img map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal([]byte(fullImage), &img); err != nil {
		t.Fatal(err)
	}
	got, err := dynamodbav.AttributeValues(img)
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	want := map[string]types.AttributeValue{
		"pk":     &types.AttributeValueMemberS{Value: "p#1"},
		"name":   &types.AttributeValueMemberS{Value: "lamp"},
		"stock":  &types.AttributeValueMemberN{Value: "12"},
		"price":  &types.AttributeValueMemberN{Value: "19.5"},
		"active": &types.AttributeValueMemberBOOL{Value: true},
		"tags":   &types.AttributeValueMemberSS{Value: []string{"blue", "desk"}},
		"sizes":  &types.AttributeValueMemberNS{Value: []string{"1", "3"}},
		"blob":   &types.AttributeValueMemberB{Value: []byte("hello")},
		"parts": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"sku": &types.AttributeValueMemberS{Value: "bulb"},
			"qty": &types.AttributeValueMemberN{Value: "2"},
		}}}},
		"labels":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"origin": &types.AttributeValueMemberS{Value: "se"}}},
		"note":    &types.AttributeValueMemberNULL{Value: true},
		"Ignored": &types.AttributeValueMemberS{Value: "x"},
		"Untaged": &types.AttributeValueMemberS{Value: "kept"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
	bs, err := dynamodbav.AttributeValues(map[string]events.DynamoDBAttributeValue{"b": events.NewBinarySetAttribute([][]byte{[]byte("x")})})
	if err != nil || !reflect.DeepEqual(bs["b"], &types.AttributeValueMemberBS{Value: [][]byte{[]byte("x")}}) {
		t.Errorf("got %#v, %v, want a BS value", bs["b"], err)
	}
}
