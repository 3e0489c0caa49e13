package batch

import (
	"encoding/base64"
	"sort"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// KafkaEventResponse is the partial batch response of an Amazon MSK or
// self-managed Apache Kafka event source mapping. aws-lambda-go has the event
// type ([events.KafkaEvent]) but not this one.
type KafkaEventResponse struct {
	// BatchItemFailures lists the records to redeliver; empty, never nil,
	// when every record succeeded.
	BatchItemFailures []KafkaBatchItemFailure `json:"batchItemFailures"`
}

// KafkaBatchItemFailure is one failed record of a [KafkaEventResponse].
type KafkaBatchItemFailure struct {
	ItemIdentifier KafkaItemIdentifier `json:"itemIdentifier"` // the failed record
}

// KafkaItemIdentifier names a Kafka record in a response:
// {"partition": "<topic>-<partition>", "offset": N}. The partition is
// written as in the keys of the event's records, the offset is a JSON
// number. The shape is the one the AWS Lambda Developer Guide gives for
// Kafka partial batch responses ("Configuring error handling controls for
// Kafka event sources"), and the one Powertools for AWS Lambda (Python)
// uses; Lambda fails the whole batch on an identifier with another key.
type KafkaItemIdentifier struct {
	Partition string `json:"partition"` // "<topic>-<partition>"
	Offset    int64  `json:"offset"`    // the record's offset in its partition
}

// Kafka is the Source of Amazon MSK and self-managed Apache Kafka events.
// The identifier in the response is a [KafkaItemIdentifier]; Lambda
// resumes each partition from the lowest offset reported for it, and an
// identifier that is not in the event fails the whole batch.
//
// The event's records arrive as a map from topic-partition to records;
// they are handled topic-partition by topic-partition (in lexical order),
// each in offset order, and with [Options.Concurrency] above 1 partitions
// run in parallel while each stays in order. A [Record]'s ID, and a
// [DecodeError]'s, is "<topic>-<partition>@<offset>".
// [Options.SkipGroupOnError] stops a partition at its first failure (the
// later offsets would be redelivered anyway); [Options.StopOnFirstFailure]
// stops the whole batch. An event whose eventSource is set to another
// value than "aws:kafka" or "SelfManagedKafka" is rejected.
//
// The default payload is the record's value (base64 in the event),
// decoded as JSON; a record without a value (a tombstone) fails with a
// [*DecodeError] wrapping [ErrNoPayload]. [KafkaHeader] reads headers.
func Kafka() Source[events.KafkaEvent, events.KafkaRecord, KafkaEventResponse] {
	return Source[events.KafkaEvent, events.KafkaRecord, KafkaEventResponse]{
		name:    "Kafka",
		origins: []string{"aws:kafka", "SelfManagedKafka"},
		records: kafkaRecords,
		origin:  func(ev events.KafkaEvent, _ int) string { return ev.EventSource },
		id: func(r *events.KafkaRecord) string {
			if r.Topic == "" {
				return ""
			}
			return topicPartition(r) + "@" + strconv.FormatInt(r.Offset, 10)
		},
		key:     topicPartition,
		ordered: true,
		respond: func(rs []events.KafkaRecord, failed []int) KafkaEventResponse {
			out := make([]KafkaBatchItemFailure, len(failed))
			for k, i := range failed {
				out[k].ItemIdentifier = KafkaItemIdentifier{Partition: topicPartition(&rs[i]), Offset: rs[i].Offset}
			}
			return KafkaEventResponse{BatchItemFailures: out}
		},
		encode: func(dst []byte, rs []events.KafkaRecord, failed []int) []byte {
			return eventjson.AppendKafkaItemFailures(dst, failed, func(i int) (string, int64) {
				return topicPartition(&rs[i]), rs[i].Offset
			})
		},
		decode: eventDecoder(kafkaUnknown(), func(payload []byte) (events.KafkaEvent, []*eventjson.FieldError, error) {
			ev, err := eventjson.Kafka(payload)
			return ev, nil, err // the value is a base64 string, decoded per record
		}),
		jsonBytes: func(r *events.KafkaRecord) ([]byte, error) {
			if r.Value == "" {
				return nil, errEmptyPayload
			}
			return base64.StdEncoding.DecodeString(r.Value)
		},
		part: "value",
	}
}

// kafkaRecords flattens the records of a Kafka event, which arrive as a map
// from topic-partition to records: topic-partitions in lexical order, and
// each partition's records in offset order.
func kafkaRecords(ev events.KafkaEvent) []events.KafkaRecord {
	keys := make([]string, 0, len(ev.Records))
	n := 0
	for k, recs := range ev.Records {
		keys = append(keys, k)
		n += len(recs)
	}
	sort.Strings(keys)
	out := make([]events.KafkaRecord, 0, n)
	for _, k := range keys {
		start := len(out)
		out = append(out, ev.Records[k]...)
		part := out[start:]
		sort.SliceStable(part, func(i, j int) bool { return part[i].Offset < part[j].Offset })
	}
	return out
}

func topicPartition(r *events.KafkaRecord) string {
	return r.Topic + "-" + strconv.FormatInt(r.Partition, 10)
}

// KafkaHeader returns the value of the header named key of a Kafka record.
// Kafka allows a key to repeat; KafkaHeader then returns the last value, as
// the Java client's lastHeader does. ok is false when the record has no such
// header. The returned slice shares memory with the record.
func KafkaHeader(r events.KafkaRecord, key string) (value []byte, ok bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if v, ok := r.Headers[i][key]; ok {
			return []byte(v), true
		}
	}
	return nil, false
}
