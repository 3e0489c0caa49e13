package dynamodbav

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/seed-45ee126e/batch"
)

// Change is a DynamoDB Streams record with its item images decoded into T.
type Change[T any] struct {
	// EventName is the kind of change: INSERT, MODIFY or REMOVE.
	EventName events.DynamoDBOperationType

	// Old is the item before the change. It is nil for an INSERT, when the
	// stream's view type carries no old image (KEYS_ONLY, NEW_IMAGE), and
	// when the decoder does not decode it ([NewImage]).
	Old *T

	// New is the item after the change. It is nil for a REMOVE, when the
	// stream's view type carries no new image (KEYS_ONLY, OLD_IMAGE), and
	// when the decoder does not decode it ([OldImage]).
	New *T

	// Record is the record as Lambda delivered it, without its images
	// (Change.NewImage and OldImage are nil, whichever the decoder
	// decodes): keys, sequence number, approximate creation time, user
	// identity of TTL deletions. Function.Invoke decodes the images
	// straight from the event's JSON, without building aws-lambda-go's
	// attribute values; [batch.RecordFrom] gives the record with them,
	// built when asked for.
	Record events.DynamoDBEventRecord
}

// Validate validates the images that were decoded, with the Validate()
// error method of T or *T if it has one; the Function calls it after
// decoding, as for any payload type.
func (c Change[T]) Validate() error {
	type validating interface{ Validate() error }
	for _, img := range []*T{c.Old, c.New} {
		if img == nil {
			continue
		}
		v, ok := any(img).(validating) // methods of T or *T
		if !ok {
			v, ok = any(*img).(validating) // T is a pointer whose target has them
			if ok && any(*img) == nil {
				continue
			}
		}
		if ok {
			if err := v.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

// fill decodes the images of src that which names into c.
func (c *Change[T]) fill(rec events.DynamoDBEventRecord, src images, which int) error {
	*c = Change[T]{EventName: events.DynamoDBOperationType(rec.EventName), Record: rec}
	c.Record.Change.NewImage, c.Record.Change.OldImage = nil, nil
	var err error
	if which&decodeOld != 0 {
		if c.Old, err = image[T]("OldImage", src.old); err != nil {
			return err
		}
	}
	if which&decodeNew != 0 {
		if c.New, err = image[T]("NewImage", src.new); err != nil {
			return err
		}
	}
	return nil
}

// filler is implemented by *Change[T] for every T.
type filler interface {
	fill(rec events.DynamoDBEventRecord, src images, which int) error
}

// images are the images of a record, each either built (the record's
// maps) or as JSON.
type images struct {
	old, new imageSource
}

// imageSource is one image: m, or, when json is not nil, its JSON.
type imageSource struct {
	m    map[string]events.DynamoDBAttributeValue
	json []byte
}

// present reports whether the record has the image: an empty one counts
// as absent, as an empty map does.
func (s imageSource) present() bool {
	if s.json != nil {
		return !emptyObject(s.json)
	}
	return len(s.m) > 0
}

// emptyObject reports whether b is the JSON of an empty object.
func emptyObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	return len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}

// imagesOf returns the images of rec, from raw (the record's JSON) when it
// is given. A record whose JSON recordImages cannot take apart is decoded
// whole by encoding/json, as lambda.Start would.
func imagesOf(rec events.DynamoDBEventRecord, raw []byte, which int) (images, error) {
	if raw == nil {
		return images{old: imageSource{m: rec.Change.OldImage}, new: imageSource{m: rec.Change.NewImage}}, nil
	}
	newImg, oldImg, ok := recordImagesOf(raw, true, which)
	if ok {
		return images{old: imageSource{json: oldImg}, new: imageSource{json: newImg}}, nil
	}
	full, err := unmarshalLambda[events.DynamoDBEventRecord](raw, "record")
	if err != nil {
		return images{}, err
	}
	return images{old: imageSource{m: full.Change.OldImage}, new: imageSource{m: full.Change.NewImage}}, nil
}

// which images a decoder decodes.
const (
	decodeOld = 1 << iota
	decodeNew
)

// NewImage decodes a record's NewImage: into [Change.New] for a handler of
// a Change (Old is left nil; a REMOVE has New == nil), or into the item
// type itself for a handler of that type. Give it to
// [batch.Source.DecodeJSON], which hands it the record's JSON (raw) in
// [batch.Function.Invoke]: the image is then decoded from that JSON, with
// the same results. With raw nil it decodes rec's image.
func NewImage(rec events.DynamoDBEventRecord, raw []byte, v any) error {
	return decode(rec, raw, v, decodeNew)
}

// OldImage decodes a record's OldImage: into [Change.Old] for a handler of
// a Change (New is left nil; an INSERT has Old == nil), or into the item
// type itself. The stream must have the OLD_IMAGE or NEW_AND_OLD_IMAGES
// view type. Give it to [batch.Source.DecodeJSON], as [NewImage].
func OldImage(rec events.DynamoDBEventRecord, raw []byte, v any) error {
	return decode(rec, raw, v, decodeOld)
}

// Images decodes both images of a record into [Change.Old] and
// [Change.New], for a stream with the NEW_AND_OLD_IMAGES view type; an
// INSERT has Old == nil, a REMOVE New == nil. The handler must take a
// Change. Give it to [batch.Source.DecodeJSON], as [NewImage].
func Images(rec events.DynamoDBEventRecord, raw []byte, v any) error {
	return decode(rec, raw, v, decodeOld|decodeNew)
}

// decode is the decoder behind NewImage, OldImage and Images.
func decode(rec events.DynamoDBEventRecord, raw []byte, v any, which int) error {
	imgs, err := imagesOf(rec, raw, which)
	if err != nil {
		return &batch.DecodeError{Part: "dynamodb", Err: err}
	}
	if c, ok := v.(filler); ok {
		return c.fill(rec, imgs, which)
	}
	part, img := "NewImage", imgs.new
	switch which {
	case decodeOld:
		part, img = "OldImage", imgs.old
	case decodeOld | decodeNew:
		return &batch.DecodeError{Part: "images", Err: fmt.Errorf("dynamodbav.Images decodes into a dynamodbav.Change, not a %T", v)}
	}
	if !img.present() {
		return &batch.DecodeError{Part: part, Err: batch.ErrNoPayload}
	}
	if err := img.decode(v); err != nil {
		return &batch.DecodeError{Part: part, Err: err}
	}
	return nil
}

// decode decodes the image into out.
func (s imageSource) decode(out any) error {
	if s.json != nil {
		return decodeImageJSON(s.json, out)
	}
	return decodeImage(s.m, out)
}

// image decodes one image; an absent (or empty) image gives nil.
func image[T any](part string, img imageSource) (*T, error) {
	if !img.present() {
		return nil, nil
	}
	v := new(T)
	if err := img.decode(v); err != nil {
		return nil, &batch.DecodeError{Part: part, Err: err}
	}
	return v, nil
}

// decodeImage decodes img into out, which should be a non-nil pointer to a
// zero value, with the result of attributevalue.UnmarshalMap: directly
// (direct.go) when out's type allows, otherwise by converting img and
// calling UnmarshalMap.
func decodeImage(img map[string]events.DynamoDBAttributeValue, out any) error {
	_, err := decodeImageBy(img, out)
	return err
}

// How an image was decoded, for tests.
const (
	byDirect   = "direct"   // directly, attributevalue for some attributes at most
	byDelegate = "delegate" // by attributevalue, as out's type is
	byRedo     = "redo"     // by attributevalue, as the image is
)

// decodeImageBy is decodeImage, also saying how it decoded.
func decodeImageBy(img map[string]events.DynamoDBAttributeValue, out any) (string, error) {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return byDelegate, unmarshalImage(img, out) // attributevalue's error
	}
	r := rootOf(rv.Type())
	if r.delegate {
		return byDelegate, unmarshalImage(img, out)
	}
	err := decodeDirect(r, img, rv.Elem())
	if err != errRedo {
		return byDirect, err
	}
	rv.Elem().SetZero()
	return byRedo, unmarshalImage(img, out)
}

// unmarshalImage decodes img into out by converting it and calling
// attributevalue.UnmarshalMap. A panic in attributevalue (it has some on
// types it cannot set, such as an interface with methods) is an error.
func unmarshalImage(img map[string]events.DynamoDBAttributeValue, out any) error {
	av, err := AttributeValues(img)
	if err != nil {
		return err
	}
	return unmarshalAttributeValues(av, out)
}

// unmarshalAttributeValues is attributevalue.UnmarshalMap, with a panic as
// an error.
func unmarshalAttributeValues(av map[string]types.AttributeValue, out any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("attributevalue panicked decoding into %T: %v", out, r)
		}
	}()
	return attributevalue.UnmarshalMap(av, out)
}

// errNoValue is the cause of an attribute value that has no value for its
// type, such as the zero events.DynamoDBAttributeValue.
var errNoValue = errors.New("attribute value is empty")

// AttributeValues converts an item image of a DynamoDB Streams record
// (aws-lambda-go's attribute values) into the attribute values of
// aws-sdk-go-v2, ready for [attributevalue.UnmarshalMap] or for writing the
// item back with the DynamoDB client. It returns an error, naming the
// attribute, for a value that has no valid type, such as the zero
// [events.DynamoDBAttributeValue].
func AttributeValues(img map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	return convertMap(img, "")
}

func convertMap(m map[string]events.DynamoDBAttributeValue, path string) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(m))
	for name, av := range m {
		p := name
		if path != "" {
			p = path + "." + name
		}
		v, err := convert(av, p)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// convert maps one attribute value; path names it in errors.
func convert(av events.DynamoDBAttributeValue, path string) (types.AttributeValue, error) {
	dt := av.DataType()
	if dt != events.DataTypeNull && av.IsNull() {
		// The accessors of aws-lambda-go panic on such a value.
		return nil, fmt.Errorf("attribute %s: %w", path, errNoValue)
	}
	switch dt {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: av.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: av.Number()}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: av.Binary()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: av.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: av.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: av.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: av.BinarySet()}, nil
	case events.DataTypeList:
		list := av.List()
		out := make([]types.AttributeValue, len(list))
		for i, e := range list {
			v, err := convert(e, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case events.DataTypeMap:
		m, err := convertMap(av.Map(), path)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	}
	return nil, fmt.Errorf("attribute %s: unknown data type %d", path, dt)
}
