package dynamodbav

import (
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

	// Record is the record as Lambda delivered it: keys, sequence number,
	// approximate creation time, user identity of TTL deletions.
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

// fill decodes the images of rec that which names into c.
func (c *Change[T]) fill(rec events.DynamoDBEventRecord, which int) error {
	*c = Change[T]{EventName: events.DynamoDBOperationType(rec.EventName), Record: rec}
	var err error
	if which&decodeOld != 0 {
		if c.Old, err = image[T]("OldImage", rec.Change.OldImage); err != nil {
			return err
		}
	}
	if which&decodeNew != 0 {
		if c.New, err = image[T]("NewImage", rec.Change.NewImage); err != nil {
			return err
		}
	}
	return nil
}

// filler is implemented by *Change[T] for every T.
type filler interface {
	fill(rec events.DynamoDBEventRecord, which int) error
}

// which images a decoder decodes.
const (
	decodeOld = 1 << iota
	decodeNew
)

// NewImage decodes a record's NewImage: into [Change.New] for a handler of
// a Change (Old is left nil; a REMOVE has New == nil), or into the item
// type itself for a handler of that type. Give it to
// [batch.Source.Decode].
func NewImage(rec events.DynamoDBEventRecord, v any) error { return decode(rec, v, decodeNew) }

// OldImage decodes a record's OldImage: into [Change.Old] for a handler of
// a Change (New is left nil; an INSERT has Old == nil), or into the item
// type itself. The stream must have the OLD_IMAGE or NEW_AND_OLD_IMAGES
// view type.
func OldImage(rec events.DynamoDBEventRecord, v any) error { return decode(rec, v, decodeOld) }

// Images decodes both images of a record into [Change.Old] and
// [Change.New], for a stream with the NEW_AND_OLD_IMAGES view type; an
// INSERT has Old == nil, a REMOVE New == nil. The handler must take a
// Change.
func Images(rec events.DynamoDBEventRecord, v any) error {
	return decode(rec, v, decodeOld|decodeNew)
}

// decode is the decoder behind NewImage, OldImage and Images.
func decode(rec events.DynamoDBEventRecord, v any, which int) error {
	if c, ok := v.(filler); ok {
		return c.fill(rec, which)
	}
	part, img := "NewImage", rec.Change.NewImage
	switch which {
	case decodeOld:
		part, img = "OldImage", rec.Change.OldImage
	case decodeOld | decodeNew:
		return &batch.DecodeError{Part: "images", Err: fmt.Errorf("dynamodbav.Images decodes into a dynamodbav.Change, not a %T", v)}
	}
	if len(img) == 0 {
		return &batch.DecodeError{Part: part, Err: batch.ErrNoPayload}
	}
	if err := decodeImage(img, v); err != nil {
		return &batch.DecodeError{Part: part, Err: err}
	}
	return nil
}

// image decodes one image; an absent (or empty) image gives nil.
func image[T any](part string, img map[string]events.DynamoDBAttributeValue) (*T, error) {
	if len(img) == 0 {
		return nil, nil
	}
	v := new(T)
	if err := decodeImage(img, v); err != nil {
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
