package eventjson

import "github.com/aws/aws-lambda-go/events"

var (
	recordsFields    = []string{"Records"}
	sqsMessageFields = []string{"messageId", "receiptHandle", "body", "md5OfBody", "md5OfMessageAttributes",
		"attributes", "messageAttributes", "eventSourceARN", "eventSource", "awsRegion"}
	sqsAttributeFields = []string{"stringValue", "binaryValue", "stringListValues", "binaryListValues", "dataType"}
)

// SQS decodes an SQS event. It returns what json.Unmarshal would put into an
// events.SQSEvent, or an error where json.Unmarshal would fail.
func SQS(payload []byte) (events.SQSEvent, error) {
	recs, err := recordsOf(payload, `messageId"`, (*decoder).sqsMessage)
	return events.SQSEvent{Records: recs}, err
}

func (d *decoder) sqsMessage(m *events.SQSMessage) error {
	return d.structInto(sqsMessageFields, func(name string) error {
		switch name {
		case "messageId":
			return d.stringInto(&m.MessageId)
		case "receiptHandle":
			return d.stringInto(&m.ReceiptHandle)
		case "body":
			return d.stringInto(&m.Body)
		case "md5OfBody":
			return d.stringInto(&m.Md5OfBody)
		case "md5OfMessageAttributes":
			return d.stringInto(&m.Md5OfMessageAttributes)
		case "attributes":
			return d.stringMapInto(&m.Attributes, 8)
		case "messageAttributes":
			d.part = "messageAttributes"
			return mapInto(d, &m.MessageAttributes, 0, (*decoder).sqsAttribute)
		case "eventSourceARN":
			return d.stringInto(&m.EventSourceARN)
		case "eventSource":
			return d.stringInto(&m.EventSource)
		case "awsRegion":
			return d.stringInto(&m.AWSRegion)
		}
		return d.skip(false)
	})
}

func (d *decoder) sqsAttribute(a *events.SQSMessageAttribute) error {
	return d.structInto(sqsAttributeFields, func(name string) error {
		switch name {
		case "stringValue":
			if d.peek() == 'n' {
				a.StringValue = nil
				return d.literal("null")
			}
			if a.StringValue == nil {
				a.StringValue = new(string)
			}
			return d.stringInto(a.StringValue)
		case "binaryValue":
			return d.bytesInto(&a.BinaryValue)
		case "stringListValues":
			return sliceInto(d, &a.StringListValues, (*decoder).stringInto)
		case "binaryListValues":
			return sliceInto(d, &a.BinaryListValues, (*decoder).bytesInto)
		case "dataType":
			return d.stringInto(&a.DataType)
		}
		return d.skip(false)
	})
}
