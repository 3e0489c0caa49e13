package eventjson

import (
	"time"

	"github.com/aws/aws-lambda-go/events"
)

var (
	kinesisRecordFields = []string{"awsRegion", "eventID", "eventName", "eventSource", "eventSourceARN",
		"eventVersion", "invokeIdentityArn", "kinesis"}
	kinesisDataFields = []string{"approximateArrivalTimestamp", "data", "encryptionType", "partitionKey",
		"sequenceNumber", "kinesisSchemaVersion"}
)

// Kinesis decodes a Kinesis Data Streams event. It returns what
// json.Unmarshal would put into an events.KinesisEvent, or an error where
// json.Unmarshal would fail.
func Kinesis(payload []byte) (events.KinesisEvent, error) {
	recs, err := recordsOf(payload, `sequenceNumber"`, (*decoder).kinesisRecord)
	return events.KinesisEvent{Records: recs}, err
}

func (d *decoder) kinesisRecord(r *events.KinesisEventRecord) error {
	return d.structInto(kinesisRecordFields, func(name string) error {
		switch name {
		case "awsRegion":
			return d.stringInto(&r.AwsRegion)
		case "eventID":
			return d.stringInto(&r.EventID)
		case "eventName":
			return d.stringInto(&r.EventName)
		case "eventSource":
			return d.stringInto(&r.EventSource)
		case "eventSourceARN":
			return d.stringInto(&r.EventSourceArn)
		case "eventVersion":
			return d.stringInto(&r.EventVersion)
		case "invokeIdentityArn":
			return d.stringInto(&r.InvokeIdentityArn)
		case "kinesis":
			return d.kinesisData(&r.Kinesis)
		}
		return d.skip(false)
	})
}

func (d *decoder) kinesisData(k *events.KinesisRecord) error {
	return d.structInto(kinesisDataFields, func(name string) error {
		switch name {
		case "approximateArrivalTimestamp":
			return d.secondsInto(&k.ApproximateArrivalTimestamp)
		case "data":
			d.part = "kinesis.data"
			return d.bytesInto(&k.Data)
		case "encryptionType":
			return d.stringInto(&k.EncryptionType)
		case "partitionKey":
			return d.stringInto(&k.PartitionKey)
		case "sequenceNumber":
			return d.stringInto(&k.SequenceNumber)
		case "kinesisSchemaVersion":
			return d.stringInto(&k.KinesisSchemaVersion)
		}
		return d.skip(false)
	})
}

// secondsInto decodes float seconds since the epoch exactly as
// events.SecondsEpochTime.UnmarshalJSON does (null is time.Unix(0, 0)).
func (d *decoder) secondsInto(t *events.SecondsEpochTime) error {
	epoch, err := d.float()
	if err != nil {
		return err
	}
	sec := int64(epoch)
	nsec := int64((epoch - float64(sec)) * float64(time.Second))
	*t = events.SecondsEpochTime{Time: time.Unix(sec, nsec)}
	return nil
}

// millisInto decodes integer milliseconds since the epoch exactly as
// events.MilliSecondsEpochTime.UnmarshalJSON does (null is time.Unix(0, 0)).
func (d *decoder) millisInto(t *events.MilliSecondsEpochTime) error {
	var ms int64
	if err := d.intInto(&ms); err != nil {
		return err
	}
	*t = events.MilliSecondsEpochTime{Time: time.Unix(ms/1000, (ms%1000)*int64(time.Millisecond))}
	return nil
}
