package batch

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// DynamoDB handles a DynamoDB Streams event and returns the partial batch
// response. Lambda resumes the shard from the lowest sequence number the
// response reports.
//
// The identifier is dynamodb.SequenceNumber. Records of the same item (equal
// dynamodb.Keys) are handled in order, one at a time, even with
// [Processor.Concurrency] above 1. [Processor.StopOnFirstFailure] skips every
// record after a failure, [Processor.SkipGroupOnError] only the later records
// of the failed item. An event with no records, or with a record from
// another source, is not run: the error is an [*EventError].
func (p Processor) DynamoDB(ctx context.Context, ev events.DynamoDBEvent, h Handler[events.DynamoDBEventRecord]) (events.DynamoDBEventResponse, error) {
	if err := checkEvent("DynamoDB Streams", len(ev.Records), func(i int) string { return ev.Records[i].EventSource }, "aws:dynamodb"); err != nil {
		return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}, err
	}
	return DynamoDBResponse(Process(ctx, p, ev.Records, DynamoDBSource(), h))
}

// DynamoDBSource describes DynamoDB Streams records to [Process]: identifier
// dynamodb.SequenceNumber, ordering key the item's primary key
// (dynamodb.Keys).
func DynamoDBSource() Source[events.DynamoDBEventRecord] {
	return Source[events.DynamoDBEventRecord]{
		ID:      func(r events.DynamoDBEventRecord) string { return r.Change.SequenceNumber },
		Key:     func(r events.DynamoDBEventRecord) string { return itemKey(r.Change.Keys) },
		Ordered: true,
		Check:   func(r events.DynamoDBEventRecord) error { return checkSource(r.EventSource, "aws:dynamodb") },
	}
}

// DynamoDBResponse builds the DynamoDB Streams partial batch response of a
// report, and returns it with the report's error.
func DynamoDBResponse(r *Report[events.DynamoDBEventRecord]) (events.DynamoDBEventResponse, error) {
	return events.DynamoDBEventResponse{BatchItemFailures: itemFailures(r.FailedIDs(), func(id string) events.DynamoDBBatchItemFailure {
		return events.DynamoDBBatchItemFailure{ItemIdentifier: id}
	})}, r.Err()
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
