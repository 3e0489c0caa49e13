package esm

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch/internal/contract"

	"github.com/seed-45ee126e/batch/internal/fake"
)

// Kafka simulates a Kafka topic and the Amazon MSK event source mapping
// that reads it: each partition is read like a stream shard (see
// [StreamConfig], whose Shards is the number of partitions), and resumes
// from the lowest offset the response reports for it. A record's
// identifier in the trace is "<topic>-<partition>@<offset>". A Kafka is not
// safe for concurrent use.
//
// The simulator puts the records of one partition in each event; Lambda
// may mix partitions in one event.
type Kafka struct {
	s *stream[events.KafkaRecord, events.KafkaEvent]
	t *fake.KafkaTopic
}

// NewKafka returns a simulator of the topic called topic. A configuration
// that Lambda rejects makes Run return at once with a [*ConfigError] in
// [Trace.Err].
func NewKafka(topic string, cfg StreamConfig) *Kafka {
	s := newStream[events.KafkaRecord, events.KafkaEvent]("kafka:"+topic, cfg)
	s.seq = kafkaRecordID
	s.arrival = func(r events.KafkaRecord) time.Time { return r.Timestamp.Time }
	s.event = func(rs []events.KafkaRecord) events.KafkaEvent { return fake.KafkaEvent(rs...) }
	s.src = contract.Kafka
	for i, sh := range s.shards {
		sh.id = fmt.Sprintf("%s-%d", topic, i) // the partition stands for the shard
	}
	return &Kafka{s: s, t: fake.NewKafkaTopic(topic, s.cfg.Shards)}
}

func kafkaRecordID(r events.KafkaRecord) string {
	return fmt.Sprintf("%s-%d@%d", r.Topic, r.Partition, r.Offset)
}

// Now returns the simulated time.
func (k *Kafka) Now() time.Time { return k.s.now }

// Advance moves the simulated clock forward by d, as if the topic had been
// idle.
func (k *Kafka) Advance(d time.Duration) { k.s.now = k.s.now.Add(d) }

// Produce adds a record with key and value to the topic (the key picks the
// partition) and returns its identifier, "<topic>-<partition>@<offset>".
func (k *Kafka) Produce(key, value []byte) string {
	k.t.At = k.s.now
	r := k.t.Record(key, value)
	k.s.now = k.t.At
	tp := fmt.Sprintf("%s-%d", r.Topic, r.Partition)
	k.s.put(int(r.Partition), r, tp, string(value))
	return kafkaRecordID(r)
}

// ProduceRecord adds a record with the key, the value and the headers of
// r to the topic, as [Kafka.Produce] does, and returns its identifier. Key
// and Value are base64-encoded, as in the event (a key that is not valid
// base64 picks the partition as it is); the simulator fills in the topic,
// partition, offset and timestamp.
func (k *Kafka) ProduceRecord(r events.KafkaRecord) string {
	var key []byte
	if r.Key != "" {
		if b, err := base64.StdEncoding.DecodeString(r.Key); err == nil {
			key = b
		} else {
			key = []byte(r.Key)
		}
	}
	k.t.At = k.s.now
	rec := k.t.Record(key, nil)
	k.s.now = k.t.At
	rec.Key, rec.Value = r.Key, r.Value
	rec.Headers = append([]map[string]events.JSONNumberBytes{}, r.Headers...)
	value, err := base64.StdEncoding.DecodeString(r.Value)
	if err != nil {
		value = []byte(r.Value)
	}
	tp := fmt.Sprintf("%s-%d", rec.Topic, rec.Partition)
	k.s.put(int(rec.Partition), rec, tp, string(value))
	return kafkaRecordID(rec)
}

// Run invokes fn with batches read from each partition until every
// partition is read to its end, the MaxInvocations guard is reached, or
// ctx is done, and returns the trace of the simulation so far. With a
// configuration that Lambda rejects, Run invokes nothing and the trace's
// Err says why.
func (k *Kafka) Run(ctx context.Context, fn Function) *Trace {
	return k.s.run(ctx, fn)
}
