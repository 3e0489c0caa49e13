package fake

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// KinesisStream builds Kinesis records as Lambda delivers them from one
// stream: each partition key is mapped to a shard by the MD5 of the key, as
// Kinesis does; sequence numbers are 56 digits long and increase within each
// shard; eventID is "<shardId>:<sequenceNumber>". Ids are derived from the
// stream's name, so the same calls give the same records on every run. A
// KinesisStream is not safe for concurrent use.
type KinesisStream struct {
	name   string
	arn    string
	prefix string   // the digits that start every sequence number
	seqs   []uint64 // last sequence counter of each shard
	IDs    Gen
	At     time.Time
}

// NewKinesisStream returns a builder of records of the stream called name,
// with the given number of shards (at least one).
func NewKinesisStream(name string, shards int) *KinesisStream {
	if shards < 1 {
		shards = 1
	}
	g := NewGen("kinesis:" + name)
	s := &KinesisStream{
		name:   name,
		arn:    fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", Region, Account, name),
		prefix: "4959" + g.Digits(16),
		seqs:   make([]uint64, shards),
		At:     Epoch,
	}
	for i := range s.seqs {
		s.seqs[i] = 1_000_000_000_000_000 + g.Next()%1_000_000_000_000_000
	}
	s.IDs = g
	return s
}

// ARN returns the stream's ARN, the eventSourceARN of its records.
func (s *KinesisStream) ARN() string { return s.arn }

// Shards returns the number of shards of the stream.
func (s *KinesisStream) Shards() int { return len(s.seqs) }

// ShardID returns the id of the shard that records with partitionKey go to,
// such as "shardId-000000000001".
func (s *KinesisStream) ShardID(partitionKey string) string {
	return ShardName(HashSlot(partitionKey, len(s.seqs)))
}

// Record returns the record that putting data with partitionKey adds to the
// stream.
func (s *KinesisStream) Record(partitionKey string, data []byte) events.KinesisEventRecord {
	shard := HashSlot(partitionKey, len(s.seqs))
	s.seqs[shard] += 1 + s.IDs.Next()%1_000_000
	// 4 + 16 + 4 + 32 = 56 digits: equal length keeps the numeric and the
	// lexical order the same.
	seq := fmt.Sprintf("%s%04d%032d", s.prefix, shard, s.seqs[shard])
	at := s.At
	s.At = s.At.Add(time.Millisecond)
	return events.KinesisEventRecord{
		AwsRegion:         Region,
		EventID:           ShardName(shard) + ":" + seq,
		EventName:         "aws:kinesis:record",
		EventSource:       "aws:kinesis",
		EventSourceArn:    s.arn,
		EventVersion:      "1.0",
		InvokeIdentityArn: fmt.Sprintf("arn:aws:iam::%s:role/lambda-role", Account),
		Kinesis: events.KinesisRecord{
			ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: at},
			Data:                        append([]byte{}, data...),
			PartitionKey:                partitionKey,
			SequenceNumber:              seq,
			KinesisSchemaVersion:        "1.0",
		},
	}
}

// KinesisEvent returns the event that carries records, in order.
func KinesisEvent(records ...events.KinesisEventRecord) events.KinesisEvent {
	return events.KinesisEvent{Records: append([]events.KinesisEventRecord{}, records...)}
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
type DynamoDBTable struct {
	name string
	arn  string
	seqs []uint64
	IDs  Gen
	At   time.Time
}

// NewDynamoDBTable returns a builder of stream records of the table called
// name, whose stream has the given number of shards (at least one).
func NewDynamoDBTable(name string, shards int) *DynamoDBTable {
	if shards < 1 {
		shards = 1
	}
	g := NewGen("dynamodb:" + name)
	t := &DynamoDBTable{
		name: name,
		arn: fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s/stream/%s", Region, Account, name,
			Epoch.Format("2006-01-02T15:04:05.000")),
		seqs: make([]uint64, shards),
		At:   Epoch,
	}
	for i := range t.seqs {
		t.seqs[i] = 10_000_000_000_000 + g.Next()%10_000_000_000_000
	}
	t.IDs = g
	return t
}

// ARN returns the ARN of the table's stream, the eventSourceARN of its
// records.
func (t *DynamoDBTable) ARN() string { return t.arn }

// Shards returns the number of shards of the table's stream.
func (t *DynamoDBTable) Shards() int { return len(t.seqs) }

// ShardID returns the id of the shard that records of the item with keys go
// to.
func (t *DynamoDBTable) ShardID(keys Item) string {
	return ShardName(HashSlot(KeyString(keys), len(t.seqs)))
}

// Insert returns the record of a new item.
func (t *DynamoDBTable) Insert(keys, newImage Item) events.DynamoDBEventRecord {
	return t.record(events.DynamoDBOperationTypeInsert, keys, nil, newImage)
}

// Modify returns the record of an update of an item.
func (t *DynamoDBTable) Modify(keys, oldImage, newImage Item) events.DynamoDBEventRecord {
	return t.record(events.DynamoDBOperationTypeModify, keys, oldImage, newImage)
}

// Remove returns the record of a deletion of an item.
func (t *DynamoDBTable) Remove(keys, oldImage Item) events.DynamoDBEventRecord {
	return t.record(events.DynamoDBOperationTypeRemove, keys, oldImage, nil)
}

func (t *DynamoDBTable) record(op events.DynamoDBOperationType, keys, oldImage, newImage Item) events.DynamoDBEventRecord {
	shard := HashSlot(KeyString(keys), len(t.seqs))
	t.seqs[shard] += 1 + t.IDs.Next()%1000
	at := t.At
	t.At = t.At.Add(time.Millisecond)
	change := events.DynamoDBStreamRecord{
		ApproximateCreationDateTime: events.SecondsEpochTime{Time: at},
		Keys:                        copyItem(keys, nil),
		SequenceNumber:              fmt.Sprintf("1%03d%020d", shard, t.seqs[shard]),
		StreamViewType:              "NEW_AND_OLD_IMAGES",
	}
	if oldImage != nil {
		change.OldImage = copyItem(oldImage, keys)
	}
	if newImage != nil {
		change.NewImage = copyItem(newImage, keys)
	}
	if b, err := json.Marshal(struct{ K, N, O Item }{change.Keys, change.NewImage, change.OldImage}); err == nil {
		change.SizeBytes = int64(len(b))
	}
	return events.DynamoDBEventRecord{
		AWSRegion:      Region,
		Change:         change,
		EventID:        t.IDs.HexID(32),
		EventName:      string(op),
		EventSource:    "aws:dynamodb",
		EventVersion:   "1.1",
		EventSourceArn: t.arn,
	}
}

// DynamoDBEvent returns the event that carries records, in order.
func DynamoDBEvent(records ...events.DynamoDBEventRecord) events.DynamoDBEvent {
	return events.DynamoDBEvent{Records: append([]events.DynamoDBEventRecord{}, records...)}
}

// copyItem copies item and adds the attributes of keys it lacks, as
// DynamoDB's images carry the key attributes.
func copyItem(item, keys Item) Item {
	out := make(Item, len(item)+len(keys))
	for k, v := range keys {
		out[k] = v
	}
	for k, v := range item {
		out[k] = v
	}
	return out
}

// keyString encodes a primary key so that equal keys encode alike, in a
// readable form: a JSON array of [name, value] pairs in name order, such as
// [["pk",{"S":"order#1"}]].
func KeyString(keys Item) string {
	names := make([]string, 0, len(keys))
	for n := range keys {
		names = append(names, n)
	}
	sort.Strings(names)
	pairs := make([][2]any, len(names))
	for i, n := range names {
		pairs[i] = [2]any{n, keys[n]}
	}
	b, err := json.Marshal(pairs)
	if err != nil { // an attribute value that does not marshal
		return fmt.Sprint(pairs)
	}
	return string(b)
}
