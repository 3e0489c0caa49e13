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

// SQSRaw is SQSLenient that also returns the JSON of each record: raw[i]
// is the slice of payload that record i was decoded from.
func SQSRaw(payload []byte) (ev events.SQSEvent, raw [][]byte, bad []*FieldError, err error) {
	ev.Records, bad, err = recordsWith(newDecoder(payload), `messageId"`, (*decoder).sqsMessage, true, &raw)
	return ev, raw, bad, err
}

// KinesisRaw is KinesisLenient that also returns the JSON of each record,
// as SQSRaw does.
func KinesisRaw(payload []byte) (ev events.KinesisEvent, raw [][]byte, bad []*FieldError, err error) {
	ev.Records, bad, err = recordsWith(newDecoder(payload), `sequenceNumber"`, (*decoder).kinesisRecord, true, &raw)
	return ev, raw, bad, err
}

// DynamoDBRaw is DynamoDBLenient that also returns the JSON of each record,
// as SQSRaw does, and leaves the records' NewImage and OldImage nil: the
// caller decodes them from the record's JSON, or builds them later with
// DynamoDBImages. Their JSON is checked to be well formed, as part of the
// event's, but not to be valid attribute values.
//
// A record whose JSON repeats its dynamodb, NewImage or OldImage member
// (under any case) has its images built, as DynamoDBLenient builds them,
// and a nil JSON: a caller may rely on the records it gets the JSON of
// having each of those members once at most.
func DynamoDBRaw(payload []byte) (ev events.DynamoDBEvent, raw [][]byte, bad []*FieldError, err error) {
	d := newDecoder(payload)
	d.rawImages = true
	var redo []int
	elem := func(d *decoder, r *events.DynamoDBEventRecord) error {
		d.rawSeen = 0
		err := d.dynamoRecord(r)
		if d.repeated() {
			redo = append(redo, len(raw)) // its index: the span is appended next
		}
		return err
	}
	ev.Records, bad, err = recordsWith(d, `SequenceNumber"`, elem, true, &raw)
	if err != nil {
		return ev, raw, bad, err
	}
	for _, i := range redo {
		if i < len(raw) && raw[i] != nil { // the Records array may repeat
			if ierr := DynamoDBImages(raw[i], &ev.Records[i]); ierr != nil {
				fe, ok := ierr.(*FieldError)
				if !ok {
					fe = &FieldError{Field: "dynamodb", Err: ierr}
				}
				fe.Index = i
				bad = append(bad, fe)
			}
			raw[i] = nil
		}
	}
	return ev, raw, bad, err
}

// DynamoDBImages builds the NewImage and OldImage of r, a record
// DynamoDBRaw decoded, from rec, the record's JSON that it returned, as
// DynamoDBLenient would have built them. The error is the record's first
// problem, such as an invalid attribute value, whose image is then built
// as far as it goes; the images' strings are copies, not slices of rec.
func DynamoDBImages(rec []byte, r *events.DynamoDBEventRecord) error {
	d := newDecoder(rec)
	d.lenient = true
	var full events.DynamoDBEventRecord
	err := d.dynamoRecord(&full)
	if err == nil {
		err = d.end()
	}
	r.Change.NewImage, r.Change.OldImage = full.Change.NewImage, full.Change.OldImage
	if err == nil && d.bad != nil {
		err = d.bad
	}
	return err
}
