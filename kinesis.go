package batch

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// Kinesis handles a Kinesis Data Streams event and returns the partial batch
// response. Lambda resumes the shard from the lowest sequence number the
// response reports, so every record after it is delivered again.
//
// The identifier is kinesis.sequenceNumber. Records with the same
// partitionKey are handled in order, one at a time, even with
// [Processor.Concurrency] above 1. [Processor.StopOnFirstFailure] skips every
// record after a failure, [Processor.SkipGroupOnError] only the later records
// of the failed partition key. An event with no records, or with a record
// from another source, is not run: the error is an [*EventError].
func (p Processor) Kinesis(ctx context.Context, ev events.KinesisEvent, h Handler[events.KinesisEventRecord]) (events.KinesisEventResponse, error) {
	if err := checkEvent("Kinesis", len(ev.Records), func(i int) string { return ev.Records[i].EventSource }, "aws:kinesis"); err != nil {
		return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}, err
	}
	return KinesisResponse(Process(ctx, p, ev.Records, KinesisSource(), h))
}

// KinesisSource describes Kinesis records to [Process]: identifier
// kinesis.sequenceNumber, ordering key kinesis.partitionKey.
func KinesisSource() Source[events.KinesisEventRecord] {
	return Source[events.KinesisEventRecord]{
		ID:      func(r events.KinesisEventRecord) string { return r.Kinesis.SequenceNumber },
		Key:     func(r events.KinesisEventRecord) string { return r.Kinesis.PartitionKey },
		Ordered: true,
		Check:   func(r events.KinesisEventRecord) error { return checkSource(r.EventSource, "aws:kinesis") },
	}
}

// KinesisResponse builds the Kinesis partial batch response of a report, and
// returns it with the report's error.
func KinesisResponse(r *Report[events.KinesisEventRecord]) (events.KinesisEventResponse, error) {
	return events.KinesisEventResponse{BatchItemFailures: itemFailures(r.FailedIDs(), func(id string) events.KinesisBatchItemFailure {
		return events.KinesisBatchItemFailure{ItemIdentifier: id}
	})}, r.Err()
}
