package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// recordKey is the default key of a record: its identity at its source,
// the same for every delivery of it, with the source's name so that keys
// of different sources cannot meet.
//
//   - SQS: the messageId, unique across queues.
//   - Kinesis and DynamoDB Streams: the eventID (for Kinesis the shard and
//     sequence number), with the stream's ARN, since a sequence number is
//     only unique within a stream.
//   - Kafka: the topic-partition@offset of batch.Record.ID.
//   - batch.Records and anything else: batch.Record.ID.
func recordKey(r batch.Record) string {
	switch m := r.Value.(type) {
	case *events.SQSMessage:
		if m.MessageId != "" {
			return "sqs:" + m.MessageId
		}
	case *events.KinesisEventRecord:
		if m.EventID != "" {
			return "kinesis:" + m.EventSourceArn + "/" + m.EventID
		}
	case *events.DynamoDBEventRecord:
		if m.EventID != "" {
			return "dynamodb:" + m.EventSourceArn + "/" + m.EventID
		}
	case *events.KafkaRecord:
		if r.ID != "" {
			return "kafka:" + r.ID
		}
	default:
		return r.ID
	}
	return ""
}

// fingerprint returns the hex SHA-256 of a record's payload as it arrived:
// the SQS body, the Kinesis data, the Kafka value (as the base64 Lambda
// sends), the DynamoDB item's keys with its new image (its old image for a
// REMOVE). Other records, and a handler called outside a batch.Function,
// have the JSON encoding of the decoded value v instead.
func fingerprint(r batch.Record, v any) (string, error) {
	var sum [sha256.Size]byte
	switch m := r.Value.(type) {
	case *events.SQSMessage:
		sum = sha256.Sum256([]byte(m.Body))
	case *events.KinesisEventRecord:
		sum = sha256.Sum256(m.Kinesis.Data)
	case *events.KafkaRecord:
		sum = sha256.Sum256([]byte(m.Value))
	case *events.DynamoDBEventRecord:
		image := m.Change.NewImage
		if len(image) == 0 {
			image = m.Change.OldImage
		}
		// encoding/json writes map keys in order, so equal images give
		// equal bytes.
		b, err := json.Marshal([2]map[string]events.DynamoDBAttributeValue{m.Change.Keys, image})
		if err != nil {
			return "", errFingerprint(err)
		}
		sum = sha256.Sum256(b)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", errFingerprint(err)
		}
		sum = sha256.Sum256(b)
	}
	return hex.EncodeToString(sum[:]), nil
}
