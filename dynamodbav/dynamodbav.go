// Package dynamodbav decodes the item images of DynamoDB Streams records into
// Go values, for handlers run by [batch.Processor.DynamoDB].
//
// The images are decoded by aws-sdk-go-v2's attributevalue package, so
// structs use the same `dynamodbav` tags, and the same rules, as the code that
// writes the items with that package. The package lives in its own module so
// that the core package does not depend on aws-sdk-go-v2.
//
//	var proc batch.Processor
//
//	func handler(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
//		return proc.DynamoDB(ctx, ev, dynamodbav.NewImage(func(ctx context.Context, c dynamodbav.Change[Order]) error {
//			if c.New == nil { // REMOVE
//				return nil
//			}
//			return index(ctx, c.New)
//		}))
//	}
//
// An image that cannot be decoded fails its record with a
// [*batch.DecodeError] (Part "NewImage" or "OldImage"); a decoded image whose
// Validate() error method (on T or *T) fails makes a [*batch.ValidationError].
// In both cases the handler is not called and the other records go on.
package dynamodbav

import (
	"context"
	"errors"
	"fmt"
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
	// when the adapter does not decode it ([NewImage]).
	Old *T

	// New is the item after the change. It is nil for a REMOVE, when the
	// stream's view type carries no new image (KEYS_ONLY, OLD_IMAGE), and
	// when the adapter does not decode it ([OldImage]).
	New *T

	// Record is the record as Lambda delivered it: keys, sequence number,
	// approximate creation time, user identity of TTL deletions.
	Record events.DynamoDBEventRecord
}

// which images an adapter decodes.
const (
	decodeOld = 1 << iota
	decodeNew
)

// NewImage returns a handler of DynamoDB Streams records that decodes each
// record's NewImage into a T and calls h with it in [Change.New]; Old is
// left nil. A REMOVE has no new image: h receives New == nil.
func NewImage[T any](h func(ctx context.Context, c Change[T]) error) batch.Handler[events.DynamoDBEventRecord] {
	return adapter(decodeNew, h)
}

// OldImage returns a handler of DynamoDB Streams records that decodes each
// record's OldImage into a T and calls h with it in [Change.Old]; New is
// left nil. An INSERT has no old image: h receives Old == nil. The stream
// must have the OLD_IMAGE or NEW_AND_OLD_IMAGES view type.
func OldImage[T any](h func(ctx context.Context, c Change[T]) error) batch.Handler[events.DynamoDBEventRecord] {
	return adapter(decodeOld, h)
}

// Images returns a handler of DynamoDB Streams records that decodes both
// images of each record into [Change.Old] and [Change.New], for a stream
// with the NEW_AND_OLD_IMAGES view type. An INSERT has Old == nil, a REMOVE
// New == nil.
func Images[T any](h func(ctx context.Context, c Change[T]) error) batch.Handler[events.DynamoDBEventRecord] {
	return adapter(decodeOld|decodeNew, h)
}

func adapter[T any](which int, h func(context.Context, Change[T]) error) batch.Handler[events.DynamoDBEventRecord] {
	if h == nil {
		return nil // the engine fails every record of a nil handler
	}
	validate := validator[T]()
	return func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		c := Change[T]{EventName: events.DynamoDBOperationType(rec.EventName), Record: rec}
		var err error
		if which&decodeOld != 0 {
			if c.Old, err = image(rec.Change.SequenceNumber, "OldImage", rec.Change.OldImage, validate); err != nil {
				return err
			}
		}
		if which&decodeNew != 0 {
			if c.New, err = image(rec.Change.SequenceNumber, "NewImage", rec.Change.NewImage, validate); err != nil {
				return err
			}
		}
		return h(ctx, c)
	}
}

// image decodes and validates one image; an absent (or empty) image gives
// nil.
func image[T any](id, part string, img map[string]events.DynamoDBAttributeValue, validate func(*T) error) (*T, error) {
	if len(img) == 0 {
		return nil, nil
	}
	av, err := AttributeValues(img)
	if err != nil {
		return nil, &batch.DecodeError{ID: id, Part: part, Err: err}
	}
	v := new(T)
	if err := attributevalue.UnmarshalMap(av, v); err != nil {
		return nil, &batch.DecodeError{ID: id, Part: part, Err: err}
	}
	if validate != nil {
		if err := validate(v); err != nil {
			return nil, &batch.ValidationError{ID: id, Err: err}
		}
	}
	return v, nil
}

// validator returns the function that validates a decoded *T, or nil when
// neither T nor *T has a method Validate() error; it is decided once per
// adapter.
func validator[T any]() func(*T) error {
	type validating interface{ Validate() error }
	var zero T
	if _, ok := any(&zero).(validating); ok {
		return func(v *T) error { return any(v).(validating).Validate() }
	}
	if _, ok := any(zero).(validating); ok {
		return func(v *T) error { return any(*v).(validating).Validate() }
	}
	return nil
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
