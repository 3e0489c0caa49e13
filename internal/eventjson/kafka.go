package eventjson

import (
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

var (
	kafkaEventFields  = []string{"eventSource", "eventSourceArn", "records", "bootstrapServers"}
	kafkaRecordFields = []string{"topic", "partition", "offset", "timestamp", "timestampType", "key", "value", "headers"}
)

// Kafka decodes an Amazon MSK or self-managed Kafka event. It returns what
// json.Unmarshal would put into an events.KafkaEvent, or an error where
// json.Unmarshal would fail.
func Kafka(payload []byte) (events.KafkaEvent, error) {
	var ev events.KafkaEvent
	d := newDecoder(payload)
	err := d.structInto(kafkaEventFields, func(name string) error {
		switch name {
		case "eventSource":
			return d.stringInto(&ev.EventSource)
		case "eventSourceArn":
			return d.stringInto(&ev.EventSourceARN)
		case "records":
			return mapInto(d, &ev.Records, 0, func(d *decoder, recs *[]events.KafkaRecord) error {
				return sliceInto(d, recs, (*decoder).kafkaRecord)
			})
		case "bootstrapServers":
			return d.stringInto(&ev.BootstrapServers)
		}
		return d.skip(false)
	})
	if err == nil {
		err = d.end()
	}
	return ev, err
}

func (d *decoder) kafkaRecord(r *events.KafkaRecord) error {
	return d.structInto(kafkaRecordFields, func(name string) error {
		switch name {
		case "topic":
			return d.stringInto(&r.Topic)
		case "partition":
			return d.intInto(&r.Partition)
		case "offset":
			return d.intInto(&r.Offset)
		case "timestamp":
			return d.millisInto(&r.Timestamp)
		case "timestampType":
			return d.stringInto(&r.TimestampType)
		case "key":
			return d.stringInto(&r.Key)
		case "value":
			return d.stringInto(&r.Value)
		case "headers":
			return sliceInto(d, &r.Headers, func(d *decoder, h *map[string]events.JSONNumberBytes) error {
				return mapInto(d, h, 0, (*decoder).signedBytes)
			})
		}
		return d.skip(false)
	})
}

// signedBytes decodes a Kafka header value, an array of signed bytes, as
// events.JSONNumberBytes.UnmarshalJSON does: null and [] give an empty,
// non-nil value; a null element is 0.
func (d *decoder) signedBytes(b *events.JSONNumberBytes) error {
	if d.peek() == 'n' {
		*b = events.JSONNumberBytes{}
		return d.literal("null")
	}
	if err := d.array(); err != nil {
		return err
	}
	out := events.JSONNumberBytes{}
	for first := true; ; first = false {
		more, err := d.next(first)
		if err != nil {
			return err
		}
		if !more {
			*b = out
			return nil
		}
		c := d.peek()
		if c == 'n' {
			out = append(out, 0)
			if err := d.literal("null"); err != nil {
				return err
			}
			continue
		}
		if c != '-' && (c < '0' || c > '9') {
			return d.typeErr("int8")
		}
		n, err := d.num()
		if err != nil {
			return err
		}
		v, err := strconv.ParseInt(string(n), 10, 8)
		if err != nil {
			return d.errf("cannot decode number %s into int8", n)
		}
		out = append(out, byte(int8(v)))
	}
}
