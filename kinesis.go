package batch

import (
	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/eventjson"
)

// Kinesis is the Source of Kinesis Data Streams events. The identifier in
// the response is kinesis.sequenceNumber; Lambda resumes the shard from the
// lowest one reported, so every record after it is delivered again.
//
// Records with the same partitionKey are handled in order, one at a time,
// even with [Options.Concurrency] above 1; different keys run in parallel.
// [Options.StopOnFirstFailure] skips every record after a failure,
// [Options.SkipGroupOnError] only the later records of the failed
// partition key.
//
// The default payload is the record's data (base64 in the event), decoded
// as JSON.
func Kinesis() Source[events.KinesisEvent, events.KinesisEventRecord, events.KinesisEventResponse] {
	return Source[events.KinesisEvent, events.KinesisEventRecord, events.KinesisEventResponse]{
		name:    "Kinesis",
		origins: []string{"aws:kinesis"},
		records: func(ev events.KinesisEvent) []events.KinesisEventRecord { return ev.Records },
		origin:  func(ev events.KinesisEvent, i int) string { return ev.Records[i].EventSource },
		id:      func(r *events.KinesisEventRecord) string { return r.Kinesis.SequenceNumber },
		key:     func(r *events.KinesisEventRecord) string { return r.Kinesis.PartitionKey },
		ordered: true,
		respond: func(rs []events.KinesisEventRecord, failed []int) events.KinesisEventResponse {
			out := make([]events.KinesisBatchItemFailure, len(failed))
			for k, i := range failed {
				out[k].ItemIdentifier = rs[i].Kinesis.SequenceNumber
			}
			return events.KinesisEventResponse{BatchItemFailures: out}
		},
		encode: func(dst []byte, rs []events.KinesisEventRecord, failed []int) []byte {
			return eventjson.AppendItemFailures(dst, failed, func(i int) string { return rs[i].Kinesis.SequenceNumber })
		},
		decode:    eventDecoder(kinesisUnknown(), eventjson.KinesisLenient),
		decodeRaw: rawDecoder(kinesisUnknown(), eventjson.KinesisRaw),
		jsonBytes: func(r *events.KinesisEventRecord) ([]byte, error) { return r.Kinesis.Data, nil },
		part:      "data",
	}
}
