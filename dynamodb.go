package batch

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// DynamoDB is the Source of DynamoDB Streams events. The identifier in the
// response is dynamodb.SequenceNumber; Lambda resumes the shard from the
// lowest one reported.
//
// Records of the same item (equal dynamodb.Keys) are handled in order, one
// at a time, even with [Options.Concurrency] above 1; different items run
// in parallel. [Options.StopOnFirstFailure] skips every record after a
// failure, [Options.SkipGroupOnError] only the later records of the failed
// item.
//
// DynamoDB Streams has no default payload decoder: a handler of the
// record type, events.DynamoDBEventRecord, reads the images itself, and
// one of a type of its own needs a decoder of images, such as those of the
// companion module dynamodbav, given to [Source.DecodeJSON] (which lets
// them read the images from the event's JSON, not built) or
// [Source.Decode].
func DynamoDB() Source[events.DynamoDBEvent, events.DynamoDBEventRecord, events.DynamoDBEventResponse] {
	return Source[events.DynamoDBEvent, events.DynamoDBEventRecord, events.DynamoDBEventResponse]{
		name:    "DynamoDB Streams",
		origins: []string{"aws:dynamodb"},
		records: func(ev events.DynamoDBEvent) []events.DynamoDBEventRecord { return ev.Records },
		origin:  func(ev events.DynamoDBEvent, i int) string { return ev.Records[i].EventSource },
		id:      func(r *events.DynamoDBEventRecord) string { return r.Change.SequenceNumber },
		key:     func(r *events.DynamoDBEventRecord) string { return itemKey(r.Change.Keys) },
		ordered: true,
		respond: func(rs []events.DynamoDBEventRecord, failed []int) events.DynamoDBEventResponse {
			out := make([]events.DynamoDBBatchItemFailure, len(failed))
			for k, i := range failed {
				out[k].ItemIdentifier = rs[i].Change.SequenceNumber
			}
			return events.DynamoDBEventResponse{BatchItemFailures: out}
		},
		encode: func(dst []byte, rs []events.DynamoDBEventRecord, failed []int) []byte {
			return eventjson.AppendItemFailures(dst, failed, func(i int) string { return rs[i].Change.SequenceNumber })
		},
		decode:    eventDecoder(dynamodbUnknown(), eventjson.DynamoDBLenient),
		decodeRaw: rawDecoder(dynamodbUnknown(), eventjson.DynamoDBRaw),
		complete: func(r *events.DynamoDBEventRecord, raw []byte) {
			if raw == nil {
				return // built already (DynamoDBRaw: a repeated member)
			}
			// A problem of an attribute value leaves the image built as
			// far as it goes; the decoder of the record met it first.
			_ = eventjson.DynamoDBImages(raw, r)
		},
	}
}

// itemKey encodes a primary key as a string that is equal for equal keys:
// attribute names in order, each with its type and a length-prefixed value,
// so that no two different keys encode alike.
func itemKey(keys map[string]events.DynamoDBAttributeValue) string {
	if len(keys) == 0 {
		return ""
	}
	names := make([]string, 0, len(keys))
	for name := range keys {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		typ, val := keyPart(keys[name])
		for _, s := range [...]string{name, typ, val} {
			b.WriteString(strconv.Itoa(len(s)))
			b.WriteByte(':')
			b.WriteString(s)
		}
	}
	return b.String()
}

// keyPart returns the type and value of one key attribute. An attribute
// value built in Go rather than decoded can be unreadable (the zero
// events.DynamoDBAttributeValue claims to be binary and panics when read):
// all such values of one attribute get the same part, "?", so their records
// share one ordering group, which keeps them in order instead of crashing.
func keyPart(av events.DynamoDBAttributeValue) (typ, val string) {
	defer func() {
		if recover() != nil {
			typ, val = "?", ""
		}
	}()
	switch av.DataType() {
	case events.DataTypeString:
		return "S", av.String()
	case events.DataTypeNumber:
		return "N", av.Number()
	case events.DataTypeBinary:
		return "B", base64.StdEncoding.EncodeToString(av.Binary())
	default: // not a valid key type; still give equal values equal keys
		j, _ := json.Marshal(av)
		return "J", string(j)
	}
}
