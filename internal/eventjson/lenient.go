package eventjson

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// FieldError is a problem confined to one record of an event that the
// lenient decoders (SQSLenient, KinesisLenient, DynamoDBLenient) keep
// apart instead of failing the whole event: a binary field whose base64 is
// invalid, or a DynamoDB attribute value that is valid JSON but not a valid
// attribute. The record is decoded as far as possible; its faulty field is
// left empty. encoding/json, and so lambda.Start, fails the whole event
// instead.
type FieldError struct {
	Index  int    // the record's position in the event's Records
	Field  string // the field, as in "kinesis.data" or "dynamodb.NewImage.photo"
	Offset int    // byte offset of the field's value in the payload
	Err    error  // what is wrong with it
}

// Error names the field and the offset, then the problem.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s (at offset %d): %v", e.Field, e.Offset, e.Err)
}

// Unwrap returns the problem.
func (e *FieldError) Unwrap() error { return e.Err }

// markBad notes a problem of the record being decoded; the first one of a
// record is kept.
func (d *decoder) markBad(at int, field string, err error) {
	if d.bad == nil {
		d.bad = &FieldError{Field: field, Offset: at, Err: err}
	}
}

// SQSLenient is SQS, except that an invalid binary message attribute value
// fails its record alone (see FieldError).
func SQSLenient(payload []byte) (events.SQSEvent, []*FieldError, error) {
	recs, bad, err := recordsOfMode(payload, `messageId"`, (*decoder).sqsMessage, true)
	return events.SQSEvent{Records: recs}, bad, err
}

// KinesisLenient is Kinesis, except that data whose base64 is invalid fails
// its record alone (see FieldError).
func KinesisLenient(payload []byte) (events.KinesisEvent, []*FieldError, error) {
	recs, bad, err := recordsOfMode(payload, `sequenceNumber"`, (*decoder).kinesisRecord, true)
	return events.KinesisEvent{Records: recs}, bad, err
}

// DynamoDBLenient is DynamoDB, except that an invalid attribute value (bad
// base64 in a B or BS, a value of the wrong JSON type, an unknown data
// type) fails its record alone (see FieldError).
func DynamoDBLenient(payload []byte) (events.DynamoDBEvent, []*FieldError, error) {
	recs, bad, err := recordsOfMode(payload, `SequenceNumber"`, (*decoder).dynamoRecord, true)
	return events.DynamoDBEvent{Records: recs}, bad, err
}
