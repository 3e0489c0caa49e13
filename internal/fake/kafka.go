package fake

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// KafkaTopic builds Kafka records as Lambda delivers them from an Amazon MSK
// topic: a record's key picks its partition, offsets increase within each
// partition, and key and value are base64-encoded as in the event. A
// KafkaTopic is not safe for concurrent use.
type KafkaTopic struct {
	name    string
	offsets []int64
	At      time.Time
}

// NewKafkaTopic returns a builder of records of the topic called name with
// the given number of partitions (at least one).
func NewKafkaTopic(name string, partitions int) *KafkaTopic {
	if partitions < 1 {
		partitions = 1
	}
	return &KafkaTopic{name: name, offsets: make([]int64, partitions), At: Epoch}
}

// Record returns the record that producing value with key adds to the
// topic. An empty key goes to partition 0.
func (t *KafkaTopic) Record(key, value []byte) events.KafkaRecord {
	p := 0
	if len(key) > 0 {
		p = HashSlot(string(key), len(t.offsets))
	}
	off := t.offsets[p]
	t.offsets[p]++
	at := t.At
	t.At = t.At.Add(time.Millisecond)
	rec := events.KafkaRecord{
		Topic:         t.name,
		Partition:     int64(p),
		Offset:        off,
		Timestamp:     events.MilliSecondsEpochTime{Time: at},
		TimestampType: "CREATE_TIME",
		Value:         base64.StdEncoding.EncodeToString(value),
		Headers:       []map[string]events.JSONNumberBytes{},
	}
	if key != nil {
		rec.Key = base64.StdEncoding.EncodeToString(key)
	}
	return rec
}

// KafkaEvent returns the Amazon MSK event that carries records, grouped
// under their "<topic>-<partition>" keys in the given order.
func KafkaEvent(records ...events.KafkaRecord) events.KafkaEvent {
	ev := events.KafkaEvent{
		EventSource:    "aws:kafka",
		EventSourceARN: fmt.Sprintf("arn:aws:kafka:%s:%s:cluster/test-cluster/00000000-0000-4000-8000-000000000000-1", Region, Account),
		Records:        map[string][]events.KafkaRecord{},
	}
	ev.BootstrapServers = fmt.Sprintf("b-1.test-cluster.abcdef.c2.kafka.%[1]s.amazonaws.com:9092,b-2.test-cluster.abcdef.c2.kafka.%[1]s.amazonaws.com:9092", Region)
	for _, r := range records {
		k := fmt.Sprintf("%s-%d", r.Topic, r.Partition)
		ev.Records[k] = append(ev.Records[k], r)
	}
	return ev
}
