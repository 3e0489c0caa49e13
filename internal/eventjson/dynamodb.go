package eventjson

import (
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// The member names of a DynamoDB Streams record, as Lambda sends it and as
// aws-lambda-go's events.DynamoDBEventRecord, DynamoDBStreamRecord and
// DynamoDBUserIdentity tag them (the DynamoDB Streams API reference calls
// them Record, StreamRecord and Identity); TestUnknownFindsWhatTheDecodersDoNotRead
// fails if aws-lambda-go's types gain one the decoder does not read.
var (
	dynamoRecordFields = []string{"awsRegion", "dynamodb", "eventID", "eventName", "eventSource", "eventVersion",
		"eventSourceARN", "userIdentity"}
	dynamoStreamFields = []string{"ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SequenceNumber",
		"SizeBytes", "StreamViewType"}
	dynamoIdentityFields = []string{"type", "principalId"}
)

// DynamoDB decodes a DynamoDB Streams event. It returns what json.Unmarshal
// would put into an events.DynamoDBEvent, or an error where json.Unmarshal
// would fail (or where aws-lambda-go's attribute decoding would panic, on a
// binary set holding something else than strings).
//
// Attribute values are built with the events.New…Attribute constructors,
// not by events.DynamoDBAttributeValue.UnmarshalJSON, which decodes every
// attribute into a map[string]interface{} first.
func DynamoDB(payload []byte) (events.DynamoDBEvent, error) {
	recs, err := recordsOf(payload, `SequenceNumber"`, (*decoder).dynamoRecord)
	return events.DynamoDBEvent{Records: recs}, err
}

func (d *decoder) dynamoRecord(r *events.DynamoDBEventRecord) error {
	return d.structInto(dynamoRecordFields, func(name string) error {
		switch name {
		case "awsRegion":
			return d.stringInto(&r.AWSRegion)
		case "dynamodb":
			d.seen(0)
			return d.dynamoChange(&r.Change)
		case "eventID":
			return d.stringInto(&r.EventID)
		case "eventName":
			return d.stringInto(&r.EventName)
		case "eventSource":
			return d.stringInto(&r.EventSource)
		case "eventVersion":
			return d.stringInto(&r.EventVersion)
		case "eventSourceARN":
			return d.stringInto(&r.EventSourceArn)
		case "userIdentity":
			if d.peek() == 'n' {
				r.UserIdentity = nil
				return d.literal("null")
			}
			if r.UserIdentity == nil {
				r.UserIdentity = new(events.DynamoDBUserIdentity)
			}
			u := r.UserIdentity
			return d.structInto(dynamoIdentityFields, func(name string) error {
				switch name {
				case "type":
					return d.stringInto(&u.Type)
				case "principalId":
					return d.stringInto(&u.PrincipalID)
				}
				return d.skip(false)
			})
		}
		return d.skip(false)
	})
}

func (d *decoder) dynamoChange(c *events.DynamoDBStreamRecord) error {
	return d.structInto(dynamoStreamFields, func(name string) error {
		switch name {
		case "ApproximateCreationDateTime":
			return d.secondsInto(&c.ApproximateCreationDateTime)
		case "Keys":
			return d.imageInto(&c.Keys, 2, "dynamodb.Keys")
		case "NewImage":
			if d.rawImages {
				d.seen(2)
				return d.skip(false)
			}
			return d.imageInto(&c.NewImage, 8, "dynamodb.NewImage")
		case "OldImage":
			if d.rawImages {
				d.seen(4)
				return d.skip(false)
			}
			return d.imageInto(&c.OldImage, 8, "dynamodb.OldImage")
		case "SequenceNumber":
			return d.stringInto(&c.SequenceNumber)
		case "SizeBytes":
			return d.intInto(&c.SizeBytes)
		case "StreamViewType":
			return d.stringInto(&c.StreamViewType)
		}
		return d.skip(false)
	})
}

// seen counts a member of a DynamoDB record in rawSeen, at bit shift.
func (d *decoder) seen(shift uint) {
	if n := d.rawSeen >> shift & 3; n < 2 {
		d.rawSeen += 1 << shift
	}
}

// repeated reports whether the record decoded last repeats its dynamodb,
// NewImage or OldImage member.
func (d *decoder) repeated() bool {
	return d.rawSeen&0b101010 != 0
}

// imageInto decodes an image or key map, as mapInto would. Any problem with
// an attribute value is an error, as events.DynamoDBAttributeValue's
// UnmarshalJSON fails the whole decoding; when lenient, a problem of an
// attribute that is valid JSON fails the record instead (see FieldError).
// name names the map in such an error.
func (d *decoder) imageInto(p *map[string]events.DynamoDBAttributeValue, hint int, name string) error {
	if d.peek() == 'n' {
		*p = nil
		return d.literal("null")
	}
	if err := d.object(); err != nil {
		return err
	}
	m := *p
	if m == nil {
		m = make(map[string]events.DynamoDBAttributeValue, hint)
		*p = m
	}
	for first := true; ; first = false {
		k, more, err := d.key(first)
		if err != nil || !more {
			return err
		}
		at := d.i
		v, bad, err := d.attr()
		if err != nil {
			return err
		}
		if bad != nil {
			if !d.lenient {
				return &Error{Offset: at, Msg: "DynamoDB attribute value: " + bad.Error()}
			}
			d.markBad(at, name+"."+k, fmt.Errorf("invalid attribute value: %w", bad))
		}
		m[k] = v
	}
}

// Reasons for an attribute value that is valid JSON but not a valid
// attribute; aws-lambda-go rejects the same values.
var (
	errAttrNotObject = errors.New("not an object")
	errAttrOneType   = errors.New("must hold exactly one type")
	errAttrType      = errors.New("value of the wrong JSON type for its data type")
	errAttrBase64    = errors.New("invalid base64")
	errAttrUnknown   = errors.New("unsupported data type")
	errAttrChild     = errors.New("invalid element")
)

// attr decodes an attribute value object such as {"S":"x"}. bad is set when
// the JSON is well formed but is not an attribute value (which only
// matters if the value is kept: a repeated key in an M replaces it); err is
// set when decoding cannot go on (malformed JSON, a number that does not fit
// a float64).
//
// The rules are those of aws-lambda-go, which decodes the object into a
// map[string]interface{}: a repeated key keeps its last value, and the map
// must end up with exactly one key.
func (d *decoder) attr() (av events.DynamoDBAttributeValue, bad, err error) {
	if d.peek() != '{' {
		return av, errAttrNotObject, d.skip(true)
	}
	if err := d.enter(); err != nil {
		return av, nil, err
	}
	var label string
	types := 0
	for first := true; ; first = false {
		k, more, err := d.rawKey(first)
		if err != nil {
			return av, nil, err
		}
		if !more {
			break
		}
		kind := attrType(k) // k is overwritten by the strings of the value
		v, vbad, err := d.attrPayload(kind)
		if err != nil {
			return av, nil, err
		}
		switch {
		case types == 0:
			types = 1
			label, av, bad = kind, v, vbad
		case kind == label && types == 1:
			av, bad = v, vbad
		case kind != label:
			types = 2
		}
	}
	if types != 1 {
		return events.DynamoDBAttributeValue{}, errAttrOneType, nil
	}
	return av, bad, nil
}

// attrType returns the key k of an attribute value object as a string that
// stays valid after k: the data type it names (case matters, as
// aws-lambda-go compares keys exactly), or a copy of any other key.
func attrType(k []byte) string {
	switch string(k) { // compiled without converting k
	case "S":
		return "S"
	case "N":
		return "N"
	case "B":
		return "B"
	case "BOOL":
		return "BOOL"
	case "NULL":
		return "NULL"
	case "SS":
		return "SS"
	case "NS":
		return "NS"
	case "BS":
		return "BS"
	case "L":
		return "L"
	case "M":
		return "M"
	}
	return string(k)
}

// attrPayload decodes the value of an attribute value's type key.
func (d *decoder) attrPayload(label string) (av events.DynamoDBAttributeValue, bad, err error) {
	switch label {
	case "S", "N", "B":
		return d.attrScalar(label)
	case "BOOL":
		switch d.peek() {
		case 't':
			return events.NewBooleanAttribute(true), nil, d.literal("true")
		case 'f':
			return events.NewBooleanAttribute(false), nil, d.literal("false")
		}
		return av, errAttrType, d.skip(true)
	case "NULL":
		return events.NewNullAttribute(), nil, d.skip(true)
	case "SS", "NS", "BS":
		return d.attrSet(label)
	case "L":
		return d.attrList()
	case "M":
		return d.attrMap()
	}
	return av, errAttrUnknown, d.skip(true)
}

// attrScalar decodes the string of an S, N or B attribute value.
func (d *decoder) attrScalar(label string) (av events.DynamoDBAttributeValue, bad, err error) {
	if d.peek() != '"' {
		return av, errAttrType, d.skip(true)
	}
	if label != "B" {
		s, err := d.str()
		if label == "S" {
			return events.NewStringAttribute(s), nil, err
		}
		return events.NewNumberAttribute(s), nil, err
	}
	src, err := d.strBytes()
	if err != nil {
		return av, nil, err
	}
	var b []byte
	if d.base64Into(&b, src) != nil {
		return av, errAttrBase64, nil
	}
	return events.NewBinaryAttribute(b), nil, nil
}

// attrSet decodes the array of strings of an SS, NS or BS attribute value.
// An element of the wrong type, or bad base64 in a BS, makes the value bad
// but not the JSON: the array is read to its end.
func (d *decoder) attrSet(label string) (av events.DynamoDBAttributeValue, bad, err error) {
	if d.peek() != '[' {
		return av, errAttrType, d.skip(true)
	}
	var (
		strs []string
		bins [][]byte
	)
	if label == "BS" {
		bins = make([][]byte, 0, 4)
	} else {
		strs = make([]string, 0, 4)
	}
	err = d.attrElems(func() error {
		if d.peek() != '"' {
			bad = errAttrType
			return d.skip(true)
		}
		if label != "BS" {
			s, err := d.str()
			strs = append(strs, s)
			return err
		}
		src, err := d.strBytes()
		if err != nil {
			return err
		}
		var b []byte
		if d.base64Into(&b, src) != nil {
			bad = errAttrBase64
		}
		bins = append(bins, b)
		return nil
	})
	switch label {
	case "SS":
		return events.NewStringSetAttribute(strs), bad, err
	case "NS":
		return events.NewNumberSetAttribute(strs), bad, err
	}
	return events.NewBinarySetAttribute(bins), bad, err
}

// attrList decodes the array of attribute values of an L.
func (d *decoder) attrList() (av events.DynamoDBAttributeValue, bad, err error) {
	if d.peek() != '[' {
		return av, errAttrType, d.skip(true)
	}
	list := make([]events.DynamoDBAttributeValue, 0, 4)
	err = d.attrElems(func() error {
		v, vbad, err := d.attr()
		if vbad != nil {
			bad = errAttrChild
		}
		list = append(list, v)
		return err
	})
	return events.NewListAttribute(list), bad, err
}

// attrMap decodes the object of attribute values of an M. A repeated key
// keeps its last value, and the map is bad only if one of the values it
// keeps is.
func (d *decoder) attrMap() (av events.DynamoDBAttributeValue, bad, err error) {
	if d.peek() != '{' {
		return av, errAttrType, d.skip(true)
	}
	if err := d.enter(); err != nil {
		return av, nil, err
	}
	m := map[string]events.DynamoDBAttributeValue{}
	var badKeys map[string]bool // entries whose last value is invalid
	for first := true; ; first = false {
		k, more, err := d.key(first)
		if err != nil {
			return av, nil, err
		}
		if !more {
			break
		}
		v, vbad, err := d.attr()
		if err != nil {
			return av, nil, err
		}
		m[k] = v
		if vbad != nil {
			if badKeys == nil {
				badKeys = map[string]bool{}
			}
			badKeys[k] = true
		} else if badKeys != nil {
			delete(badKeys, k)
		}
	}
	if len(badKeys) > 0 {
		bad = errAttrChild
	}
	return events.NewMapAttribute(m), bad, nil
}

// attrElems calls elem for each element of the array that is next.
func (d *decoder) attrElems(elem func() error) error {
	if err := d.enter(); err != nil {
		return err
	}
	for first := true; ; first = false {
		more, err := d.next(first)
		if err != nil || !more {
			return err
		}
		if err := elem(); err != nil {
			return err
		}
	}
}
