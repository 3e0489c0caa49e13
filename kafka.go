package batch

import (
	"context"
	"sort"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
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

// Kafka handles an Amazon MSK or self-managed Kafka event and returns the
// partial batch response. Lambda resumes each partition from the lowest
// offset the response reports for it; an identifier that is not in the
// event fails the whole batch.
//
// The records are handled topic-partition by topic-partition, in offset
// order within each (see [KafkaRecords]). With [Processor.Concurrency] above
// 1, partitions run in parallel while each stays in order.
// [Processor.SkipGroupOnError] stops a partition at its first failure (the
// later offsets would be redelivered anyway); [Processor.StopOnFirstFailure]
// stops the whole batch. An event with no records, or whose eventSource is
// another than "aws:kafka" or "SelfManagedKafka", is not run: the error is
// an [*EventError].
func (p Processor) Kafka(ctx context.Context, ev events.KafkaEvent, h Handler[events.KafkaRecord]) (KafkaEventResponse, error) {
	records := KafkaRecords(ev)
	err := checkEvent("Kafka", len(records), nil)
	if err == nil {
		if e := checkSource(ev.EventSource, "aws:kafka", "SelfManagedKafka"); e != nil {
			err = &EventError{Source: "Kafka", Err: e}
		}
	}
	if err != nil {
		return KafkaEventResponse{BatchItemFailures: []KafkaBatchItemFailure{}}, err
	}
	return KafkaResponse(Process(ctx, p, records, KafkaSource(ev), h))
}

// KafkaRecords flattens the records of a Kafka event, which arrive as a map
// from topic-partition to records: topic-partitions in lexical order, and
// each partition's records in offset order.
func KafkaRecords(ev events.KafkaEvent) []events.KafkaRecord {
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

// KafkaSource describes the records of ev to [Process]: ordering key the
// topic-partition, identifier "<topic>-<partition>@<offset>" (the response
// carries the structured [KafkaItemIdentifier]). A record whose topic is
// empty has no identifier. Records are rejected with [ErrWrongSource] when
// the event's eventSource is set to something else than "aws:kafka" or
// "SelfManagedKafka".
func KafkaSource(ev events.KafkaEvent) Source[events.KafkaRecord] {
	srcErr := checkSource(ev.EventSource, "aws:kafka", "SelfManagedKafka")
	src := Source[events.KafkaRecord]{
		ID: func(r events.KafkaRecord) string {
			if r.Topic == "" {
				return ""
			}
			return topicPartition(r) + "@" + strconv.FormatInt(r.Offset, 10)
		},
		Key:     topicPartition,
		Ordered: true,
	}
	if srcErr != nil {
		src.Check = func(events.KafkaRecord) error { return srcErr }
	}
	return src
}

// KafkaResponse builds the Kafka partial batch response of a report, and
// returns it with the report's error.
func KafkaResponse(r *Report[events.KafkaRecord]) (KafkaEventResponse, error) {
	ids := failedKeys(r, func(i int) (KafkaItemIdentifier, bool) {
		rec := r.records[i]
		return KafkaItemIdentifier{Partition: topicPartition(rec), Offset: rec.Offset}, rec.Topic != ""
	})
	return KafkaEventResponse{BatchItemFailures: itemFailures(ids, func(id KafkaItemIdentifier) KafkaBatchItemFailure {
		return KafkaBatchItemFailure{ItemIdentifier: id}
	})}, r.Err()
}

func topicPartition(r events.KafkaRecord) string {
	return r.Topic + "-" + strconv.FormatInt(r.Partition, 10)
}
