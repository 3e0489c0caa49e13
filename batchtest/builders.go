package batchtest

import (
	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/fake"
)

const (
	// Account is the AWS account id that builders put in ARNs.
	Account = fake.Account
	// Region is the AWS region that builders put in ARNs and awsRegion
	// fields.
	Region = fake.Region
)

// SQSQueue builds SQS messages as Lambda delivers them from one queue: a
// UUID messageId, a receipt handle, md5OfBody, the attributes SentTimestamp,
// SenderId, ApproximateReceiveCount and ApproximateFirstReceiveTimestamp,
// and on a FIFO queue MessageGroupId, MessageDeduplicationId and an
// increasing SequenceNumber. The queue is FIFO when its name ends in
// ".fifo". Ids are derived from the name, so the same calls give the same
// messages on every run. An SQSQueue is not safe for concurrent use.
type SQSQueue struct{ q *fake.SQSQueue }

// NewSQSQueue returns a builder of messages from the queue called name in
// account [Account] and region [Region]. A name ending in ".fifo" makes a
// FIFO queue.
func NewSQSQueue(name string) *SQSQueue { return &SQSQueue{fake.NewSQSQueue(name)} }

// ARN returns the queue's ARN, the eventSourceARN of its messages.
func (q *SQSQueue) ARN() string { return q.q.ARN() }

// Message returns a message with body, received once. On a FIFO queue its
// MessageGroupId is "default"; use [SQSQueue.GroupMessage] to choose it.
func (q *SQSQueue) Message(body string) events.SQSMessage { return q.q.Message(body) }

// GroupMessage returns a message with body in message group group, received
// once. On a FIFO queue an empty group means "default"; on a standard queue
// a non-empty group is set as MessageGroupId too, as on fair queues.
func (q *SQSQueue) GroupMessage(group, body string) events.SQSMessage {
	return q.q.GroupMessage(group, body)
}

// Event returns the event that carries one new message per body, in order,
// in the default group.
func (q *SQSQueue) Event(bodies ...string) events.SQSEvent {
	return fake.SQSEvent(q.q.Messages(bodies...)...)
}

// KinesisStream builds Kinesis records as Lambda delivers them from one
// stream: each partition key is mapped to a shard by the MD5 of the key, as
// Kinesis does; sequence numbers are 56 digits long and increase within each
// shard; eventID is "<shardId>:<sequenceNumber>". Ids are derived from the
// stream's name, so the same calls give the same records on every run. A
// KinesisStream is not safe for concurrent use.
type KinesisStream struct{ s *fake.KinesisStream }

// NewKinesisStream returns a builder of records of the stream called name,
// with the given number of shards (at least one).
func NewKinesisStream(name string, shards int) *KinesisStream {
	return &KinesisStream{fake.NewKinesisStream(name, shards)}
}

// ShardID returns the id of the shard that records with partitionKey go to,
// such as "shardId-000000000001".
func (s *KinesisStream) ShardID(partitionKey string) string { return s.s.ShardID(partitionKey) }

// Record returns the record that putting data with partitionKey adds to the
// stream.
func (s *KinesisStream) Record(partitionKey string, data []byte) events.KinesisEventRecord {
	return s.s.Record(partitionKey, data)
}

// Item is a DynamoDB item or primary key: attribute names to values, as in
// the Keys, NewImage and OldImage of a stream record.
type Item = map[string]events.DynamoDBAttributeValue

// DynamoDBTable builds DynamoDB Streams records as Lambda delivers them from
// one table's stream (view type NEW_AND_OLD_IMAGES): Keys, the images (which
// include the key attributes), a SequenceNumber increasing within each
// shard, SizeBytes and a 32-hex-digit eventID. Every record of one item goes
// to the same shard. Ids are derived from the table's name. A DynamoDBTable
// is not safe for concurrent use.
type DynamoDBTable struct{ t *fake.DynamoDBTable }

// NewDynamoDBTable returns a builder of stream records of the table called
// name, whose stream has the given number of shards (at least one).
func NewDynamoDBTable(name string, shards int) *DynamoDBTable {
	return &DynamoDBTable{fake.NewDynamoDBTable(name, shards)}
}

// Insert returns the record of a new item.
func (t *DynamoDBTable) Insert(keys, newImage Item) events.DynamoDBEventRecord {
	return t.t.Insert(keys, newImage)
}

// Modify returns the record of an update of an item.
func (t *DynamoDBTable) Modify(keys, oldImage, newImage Item) events.DynamoDBEventRecord {
	return t.t.Modify(keys, oldImage, newImage)
}

// Remove returns the record of a deletion of an item.
func (t *DynamoDBTable) Remove(keys, oldImage Item) events.DynamoDBEventRecord {
	return t.t.Remove(keys, oldImage)
}

// KafkaTopic builds Kafka records as Lambda delivers them from an Amazon MSK
// topic: a record's key picks its partition, offsets increase within each
// partition, and key and value are base64-encoded as in the event. A
// KafkaTopic is not safe for concurrent use.
type KafkaTopic struct{ t *fake.KafkaTopic }

// NewKafkaTopic returns a builder of records of the topic called name with
// the given number of partitions (at least one).
func NewKafkaTopic(name string, partitions int) *KafkaTopic {
	return &KafkaTopic{fake.NewKafkaTopic(name, partitions)}
}

// Record returns the record that producing value with key adds to the
// topic. An empty key goes to partition 0.
func (t *KafkaTopic) Record(key, value []byte) events.KafkaRecord { return t.t.Record(key, value) }

// SQSEvent returns the event that carries messages, in order.
func SQSEvent(messages ...events.SQSMessage) events.SQSEvent { return fake.SQSEvent(messages...) }

// KinesisEvent returns the event that carries records, in order.
func KinesisEvent(records ...events.KinesisEventRecord) events.KinesisEvent {
	return fake.KinesisEvent(records...)
}

// DynamoDBEvent returns the event that carries records, in order.
func DynamoDBEvent(records ...events.DynamoDBEventRecord) events.DynamoDBEvent {
	return fake.DynamoDBEvent(records...)
}

// KafkaEvent returns the Amazon MSK event that carries records, grouped
// under their "<topic>-<partition>" keys in the given order.
func KafkaEvent(records ...events.KafkaRecord) events.KafkaEvent { return fake.KafkaEvent(records...) }
