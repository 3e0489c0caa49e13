package batchtest_test

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch/batchtest"
)

// SQSEvent wraps messages in the event Lambda passes to the function.
func ExampleSQSEvent() {
	q := batchtest.NewSQSQueue("orders")
	ev := batchtest.SQSEvent(q.Message("a"), q.Message("b"))
	fmt.Println(len(ev.Records), ev.Records[0].Body, ev.Records[1].Body, ev.Records[0].EventSource)
	// Output:
	// 2 a b aws:sqs
}

// Message builds one message as Lambda delivers it on its first receive.
func ExampleSQSQueue_Message() {
	q := batchtest.NewSQSQueue("orders")
	m := q.Message(`{"order":1}`)
	fmt.Println(m.MessageId, m.Md5OfBody)
	fmt.Println(m.Attributes["ApproximateReceiveCount"], m.Attributes["SentTimestamp"])
	// Output:
	// 08f897d5-6915-4cfa-887b-a580c85331ab 190ad5fd0596a0629a0aa256937135a3
	// 1 1704067200000
}

// GroupMessage sets the message group; on a FIFO queue it also sets a
// deduplication id and an increasing sequence number.
func ExampleSQSQueue_GroupMessage() {
	q := batchtest.NewSQSQueue("orders.fifo")
	m1 := q.GroupMessage("customer-1", "a")
	m2 := q.GroupMessage("customer-2", "b")
	fmt.Println(m1.Attributes["MessageGroupId"], m2.Attributes["MessageGroupId"])
	fmt.Println(len(m1.Attributes["SequenceNumber"]), m1.Attributes["SequenceNumber"] < m2.Attributes["SequenceNumber"])
	// Output:
	// customer-1 customer-2
	// 20 true
}

// Event builds the event of one message per body, sent one millisecond
// apart.
func ExampleSQSQueue_Event() {
	q := batchtest.NewSQSQueue("orders")
	for _, m := range q.Event("a", "b", "c").Records {
		fmt.Println(m.Body, m.Attributes["SentTimestamp"])
	}
	// Output:
	// a 1704067200000
	// b 1704067200001
	// c 1704067200002
}

// KinesisEvent wraps records in the event Lambda passes to the function.
func ExampleKinesisEvent() {
	s := batchtest.NewKinesisStream("clicks", 1)
	ev := batchtest.KinesisEvent(s.Record("u1", []byte("a")), s.Record("u2", []byte("b")))
	for _, r := range ev.Records {
		fmt.Println(r.Kinesis.PartitionKey, string(r.Kinesis.Data), r.EventSource)
	}
	// Output:
	// u1 a aws:kinesis
	// u2 b aws:kinesis
}

// ShardID tells which shard a partition key goes to, so a test can put
// records on chosen shards.
func ExampleKinesisStream_ShardID() {
	s := batchtest.NewKinesisStream("clicks", 2)
	fmt.Println(s.ShardID("alice"), s.ShardID("bob"))
	r := s.Record("bob", []byte("click"))
	fmt.Println(r.EventID[:len("shardId-000000000001")])
	// Output:
	// shardId-000000000000 shardId-000000000001
	// shardId-000000000001
}

// Record builds the record that putting data with a partition key adds;
// sequence numbers increase within a shard.
func ExampleKinesisStream_Record() {
	s := batchtest.NewKinesisStream("clicks", 1)
	r1 := s.Record("alice", []byte("click"))
	r2 := s.Record("alice", []byte("scroll"))
	fmt.Println(string(r2.Kinesis.Data), r2.Kinesis.PartitionKey, r2.Kinesis.ApproximateArrivalTimestamp.UTC())
	fmt.Println(r1.Kinesis.SequenceNumber < r2.Kinesis.SequenceNumber)
	// Output:
	// scroll alice 2024-01-01 00:00:00.001 +0000 UTC
	// true
}

// DynamoDBEvent wraps stream records in the event Lambda passes to the
// function.
func ExampleDynamoDBEvent() {
	t := batchtest.NewDynamoDBTable("orders", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	ev := batchtest.DynamoDBEvent(t.Insert(key, batchtest.Item{}), t.Remove(key, batchtest.Item{}))
	fmt.Println(len(ev.Records), ev.Records[0].EventName, ev.Records[1].EventName, ev.Records[0].EventSource)
	// Output:
	// 2 INSERT REMOVE aws:dynamodb
}

// Insert builds the record of a new item; the new image includes the key.
func ExampleDynamoDBTable_Insert() {
	t := batchtest.NewDynamoDBTable("orders", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	r := t.Insert(key, batchtest.Item{"status": events.NewStringAttribute("new")})
	fmt.Println(r.EventName, r.Change.StreamViewType, r.Change.NewImage["pk"].String(), r.Change.NewImage["status"].String(), r.Change.OldImage == nil)
	// Output:
	// INSERT NEW_AND_OLD_IMAGES order#1 new true
}

// Modify builds the record of an update, with both images.
func ExampleDynamoDBTable_Modify() {
	t := batchtest.NewDynamoDBTable("orders", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	r := t.Modify(key,
		batchtest.Item{"status": events.NewStringAttribute("new")},
		batchtest.Item{"status": events.NewStringAttribute("paid")})
	fmt.Println(r.EventName, r.Change.OldImage["status"].String(), "->", r.Change.NewImage["status"].String())
	// Output:
	// MODIFY new -> paid
}

// Remove builds the record of a deletion, with the old image only.
func ExampleDynamoDBTable_Remove() {
	t := batchtest.NewDynamoDBTable("orders", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
	r := t.Remove(key, batchtest.Item{"status": events.NewStringAttribute("paid")})
	fmt.Println(r.EventName, r.Change.OldImage["status"].String(), r.Change.NewImage == nil)
	// Output:
	// REMOVE paid true
}

// KafkaEvent groups records under their "<topic>-<partition>" keys, as
// Amazon MSK events do.
func ExampleKafkaEvent() {
	topic := batchtest.NewKafkaTopic("payments", 2)
	ev := batchtest.KafkaEvent(
		topic.Record([]byte("alice"), []byte("1")),
		topic.Record([]byte("bob"), []byte("2")),
		topic.Record([]byte("alice"), []byte("3")),
	)
	for _, tp := range []string{"payments-0", "payments-1"} {
		fmt.Println(tp, len(ev.Records[tp]))
	}
	fmt.Println(ev.EventSource)
	// Output:
	// payments-0 2
	// payments-1 1
	// aws:kafka
}

// Record builds the record that producing a value with a key adds; the key
// picks the partition, and offsets count up within it.
func ExampleKafkaTopic_Record() {
	topic := batchtest.NewKafkaTopic("payments", 2)
	for _, key := range []string{"alice", "bob", "alice"} {
		r := topic.Record([]byte(key), []byte("debit"))
		fmt.Println(key, r.Partition, r.Offset, r.Key, r.Value)
	}
	// Output:
	// alice 0 0 YWxpY2U= ZGViaXQ=
	// bob 1 0 Ym9i ZGViaXQ=
	// alice 0 1 YWxpY2U= ZGViaXQ=
}
