package batch_test

// Helpers of the typed-payload tests (decode_*_test.go): one-record events
// of each source, and the outcome of the one record once a Function has
// run such an event.

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// recordErr runs ev, an event of one record, through fn.Process and returns
// that record's error: nil when it succeeded. An event that did not run, or
// ran another number of records, gives an error saying so, which no test
// mistakes for a record's *DecodeError or *ValidationError.
func recordErr[E, R, Resp any](fn *batch.Function[E, R, Resp], ev E) error {
	_, rep := fn.Process(context.Background(), ev)
	if len(rep.Results) != 1 {
		return fmt.Errorf("test: got %d results (error %v), want 1", len(rep.Results), rep.Err)
	}
	return rep.Results[0].Err
}

// sqsOne is an SQS event of one message.
func sqsOne(id, body string) events.SQSEvent {
	return events.SQSEvent{Records: []events.SQSMessage{{MessageId: id, Body: body}}}
}

// kinesisOne is a Kinesis event of one record.
func kinesisOne(seq string, data []byte) events.KinesisEvent {
	return events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: seq, Data: data}},
	}}
}

// kafkaOne is a Kafka event of one record.
func kafkaOne(r events.KafkaRecord) events.KafkaEvent {
	tp := fmt.Sprintf("%s-%d", r.Topic, r.Partition)
	return events.KafkaEvent{Records: map[string][]events.KafkaRecord{tp: {r}}}
}

// b64Value base64-encodes a record value as a Kafka event carries it.
func b64Value(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
