package batchtest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestSQSQueue(t *testing.T) {
	tests := []struct {
		name  string
		queue string
		fifo  bool
	}{
		{"standard queue messages", "orders", false},
		{"FIFO queue messages", "orders.fifo", true},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			q := batchtest.NewSQSQueue(tt.queue)
			msgs := []events.SQSMessage{q.GroupMessage("g1", "one"), q.Message("two")}
			if got, want := q.ARN(), "arn:aws:sqs:us-east-1:123456789012:"+tt.queue; got != want {
				t.Errorf("ARN: got %q, want %q", got, want)
			}
			for _, m := range msgs {
				if !uuidRE.MatchString(m.MessageId) {
					t.Errorf("messageId: got %q, want a UUID", m.MessageId)
				}
				if m.ReceiptHandle == "" || m.EventSource != "aws:sqs" || m.EventSourceARN != q.ARN() || m.AWSRegion != "us-east-1" {
					t.Errorf("message: got %+v, want receipt handle, source, ARN and region set", m)
				}
				if m.Md5OfBody == "" || m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] == "" ||
					m.Attributes["SenderId"] == "" || m.Attributes["ApproximateFirstReceiveTimestamp"] == "" {
					t.Errorf("attributes: got %v, want the standard attributes", m.Attributes)
				}
			}
			if msgs[0].MessageId == msgs[1].MessageId {
				t.Errorf("message ids: got %q twice, want distinct ids", msgs[0].MessageId)
			}
			if got := msgs[0].Attributes["MessageGroupId"]; got != "g1" {
				t.Errorf("MessageGroupId: got %q, want g1", got)
			}
			s0, s1 := msgs[0].Attributes["SequenceNumber"], msgs[1].Attributes["SequenceNumber"]
			if tt.fifo {
				if len(s0) != 20 || len(s1) != 20 || s0 >= s1 {
					t.Errorf("SequenceNumber: got %q then %q, want 20 increasing digits", s0, s1)
				}
				if msgs[1].Attributes["MessageGroupId"] != "default" || msgs[1].Attributes["MessageDeduplicationId"] == "" {
					t.Errorf("FIFO attributes: got %v, want default group and a deduplication id", msgs[1].Attributes)
				}
			} else if s0 != "" || msgs[1].Attributes["MessageGroupId"] != "" {
				t.Errorf("standard attributes: got %v, want no FIFO attributes", msgs[1].Attributes)
			}
			again := batchtest.NewSQSQueue(tt.queue).Message("x")
			if again.MessageId != msgs[0].MessageId {
				t.Errorf("determinism: got %q from a new builder, want %q", again.MessageId, msgs[0].MessageId)
			}
		})
	}
}

func TestSQSEventWireFormat(t *testing.T) {
	q := batchtest.NewSQSQueue("orders")
	b, err := json.Marshal(q.Event("a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"Records":[`, `"messageId":`, `"receiptHandle":`, `"eventSourceARN":`, `"ApproximateReceiveCount":"1"`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("JSON: got %s, want it to contain %s", b, field)
		}
	}
	var back events.SQSEvent
	if err := json.Unmarshal(b, &back); err != nil || len(back.Records) != 2 || back.Records[1].Body != "b" {
		t.Errorf("round trip: got %+v (%v), want the two messages", back, err)
	}
}

func TestKinesisStream(t *testing.T) {
	s := batchtest.NewKinesisStream("clicks", 4)
	last := map[string]string{}
	for i := 0; i < 40; i++ {
		key := "user-" + strconv.Itoa(i%7)
		r := s.Record(key, []byte("payload"))
		seq := r.Kinesis.SequenceNumber
		if len(seq) != 56 || strings.Trim(seq, "0123456789") != "" {
			t.Fatalf("sequence number: got %q, want 56 digits", seq)
		}
		shard := s.ShardID(key)
		if got, want := r.EventID, shard+":"+seq; got != want {
			t.Errorf("eventID: got %q, want %q", got, want)
		}
		if prev := last[shard]; prev != "" && seq <= prev {
			t.Errorf("shard %s: got %s after %s, want increasing sequence numbers", shard, seq, prev)
		}
		last[shard] = seq
		if r.EventSource != "aws:kinesis" || r.EventSourceArn != "arn:aws:kinesis:us-east-1:123456789012:stream/clicks" ||
			r.Kinesis.PartitionKey != key || string(r.Kinesis.Data) != "payload" {
			t.Errorf("record: got %+v, want source, ARN, key and data set", r)
		}
	}
	if len(last) < 2 {
		t.Errorf("shards used: got %d, want keys spread over several of 4", len(last))
	}
	b, _ := json.Marshal(batchtest.KinesisEvent(s.Record("k", []byte("hi"))))
	if want := `"data":"` + base64.StdEncoding.EncodeToString([]byte("hi")) + `"`; !strings.Contains(string(b), want) {
		t.Errorf("JSON: got %s, want base64 data %s", b, want)
	}
}

// tableStreamARN is the ARN of the stream of the table "orders".
const tableStreamARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000"

func TestDynamoDBTable(t *testing.T) {
	tbl := batchtest.NewDynamoDBTable("orders", 2)
	key := batchtest.Item{"pk": events.NewStringAttribute("o1"), "sk": events.NewNumberAttribute("1")}
	ins := tbl.Insert(key, batchtest.Item{"total": events.NewNumberAttribute("10")})
	mod := tbl.Modify(key, batchtest.Item{"total": events.NewNumberAttribute("10")}, batchtest.Item{"total": events.NewNumberAttribute("12")})
	rem := tbl.Remove(key, batchtest.Item{"total": events.NewNumberAttribute("12")})
	tests := []struct {
		name     string
		rec      events.DynamoDBEventRecord
		event    string
		old, new bool
	}{
		{"insert has a new image", ins, "INSERT", false, true},
		{"modify has both images", mod, "MODIFY", true, true},
		{"remove has an old image", rem, "REMOVE", true, false},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rec
			if r.EventName != tt.event || r.EventSource != "aws:dynamodb" || r.EventSourceArn != tableStreamARN || len(r.EventID) != 32 {
				t.Errorf("record: got %+v, want %s from the table's stream", r, tt.event)
			}
			if (r.Change.OldImage != nil) != tt.old || (r.Change.NewImage != nil) != tt.new {
				t.Errorf("images: got old %v new %v, want old %v new %v", r.Change.OldImage, r.Change.NewImage, tt.old, tt.new)
			}
			for _, img := range []batchtest.Item{r.Change.OldImage, r.Change.NewImage} {
				if img != nil && img["pk"].String() != "o1" {
					t.Errorf("image: got %v, want the key attributes", img)
				}
			}
			if r.Change.SizeBytes <= 0 || r.Change.StreamViewType != "NEW_AND_OLD_IMAGES" {
				t.Errorf("stream record: got size %d view %q", r.Change.SizeBytes, r.Change.StreamViewType)
			}
		})
	}
	if !(ins.Change.SequenceNumber < mod.Change.SequenceNumber && mod.Change.SequenceNumber < rem.Change.SequenceNumber) {
		t.Errorf("sequence numbers: got %s %s %s, want increasing", ins.Change.SequenceNumber, mod.Change.SequenceNumber, rem.Change.SequenceNumber)
	}
}

func TestKafkaTopic(t *testing.T) {
	topic := batchtest.NewKafkaTopic("payments", 3)
	var recs []events.KafkaRecord
	for i := 0; i < 12; i++ {
		recs = append(recs, topic.Record([]byte("k"+strconv.Itoa(i%4)), []byte("v"+strconv.Itoa(i))))
	}
	ev := batchtest.KafkaEvent(recs...)
	if ev.EventSource != "aws:kafka" || !strings.HasPrefix(ev.EventSourceARN, "arn:aws:kafka:") || ev.BootstrapServers == "" {
		t.Errorf("event: got %+v, want MSK source, ARN and bootstrap servers", ev)
	}
	n := 0
	for key, rs := range ev.Records {
		for i, r := range rs {
			n++
			if want := r.Topic + "-" + strconv.FormatInt(r.Partition, 10); key != want {
				t.Errorf("key: got %q for a record of %q", key, want)
			}
			if i > 0 && r.Offset != rs[i-1].Offset+1 {
				t.Errorf("offsets in %s: got %d after %d, want consecutive", key, r.Offset, rs[i-1].Offset)
			}
			if _, err := base64.StdEncoding.DecodeString(r.Value); err != nil {
				t.Errorf("value: got %q, want base64", r.Value)
			}
		}
	}
	if n != 12 {
		t.Errorf("records: got %d, want 12", n)
	}
}

// A stream built with fewer than one shard has one, as with 0 in the
// simulators' configuration.
func TestStreamsHaveAtLeastOneShard(t *testing.T) {
	s := batchtest.NewKinesisStream("clicks", 0)
	for _, key := range []string{"alice", "bob", "carol", "dave"} {
		if got := s.ShardID(key); got != "shardId-000000000000" {
			t.Errorf("ShardID(%q): got %s, want shardId-000000000000", key, got)
		}
		if r := s.Record(key, nil); !strings.HasPrefix(r.EventID, "shardId-000000000000:") {
			t.Errorf("eventID of %q: got %s, want one of shard 0", key, r.EventID)
		}
	}
	tbl := batchtest.NewDynamoDBTable("orders", -1)
	r := tbl.Insert(batchtest.Item{"pk": events.NewStringAttribute("o1")}, batchtest.Item{})
	if r.Change.SequenceNumber == "" {
		t.Errorf("SequenceNumber: got none, want one")
	}
}

// The records of one item go to one shard of the table's stream, and
// their sequence numbers increase; the items spread over the shards.
func TestDynamoDBTableShards(t *testing.T) {
	tbl := batchtest.NewDynamoDBTable("orders", 4)
	// The sequence number starts with "1" and the shard on three digits.
	shard := func(r events.DynamoDBEventRecord) string { return r.Change.SequenceNumber[:4] }
	used := map[string]bool{}
	for i := 0; i < 8; i++ {
		key := batchtest.Item{"pk": events.NewStringAttribute("order#" + strconv.Itoa(i))}
		r1 := tbl.Insert(key, batchtest.Item{})
		r2 := tbl.Modify(key, batchtest.Item{}, batchtest.Item{})
		r3 := tbl.Remove(key, batchtest.Item{})
		if shard(r1) != shard(r2) || shard(r2) != shard(r3) {
			t.Errorf("item %d: got sequence numbers %s, %s, %s, want one shard", i, r1.Change.SequenceNumber, r2.Change.SequenceNumber, r3.Change.SequenceNumber)
		}
		if !(r1.Change.SequenceNumber < r2.Change.SequenceNumber && r2.Change.SequenceNumber < r3.Change.SequenceNumber) {
			t.Errorf("item %d: got sequence numbers %s, %s, %s, want increasing", i, r1.Change.SequenceNumber, r2.Change.SequenceNumber, r3.Change.SequenceNumber)
		}
		used[shard(r1)] = true
	}
	if len(used) < 2 {
		t.Errorf("shards used: got %d, want items spread over several of 4", len(used))
	}
}

// The builders' events go through a Function as Lambda's would: decoded
// already (Handle) and as JSON (Invoke), with the same response.
func TestBuiltEventsThroughAFunction(t *testing.T) {
	ctx := context.Background()
	invoke := func(t *testing.T, fn interface {
		Invoke(context.Context, []byte) ([]byte, error)
	}, ev any) []byte {
		t.Helper()
		payload, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := fn.Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("Invoke: got error %v, want none", err)
		}
		return resp
	}
	t.Run("SQS FIFO detected from the ARN", func(t *testing.T) {
		q := batchtest.NewSQSQueue("jobs.fifo")
		ev := q.Event("ok", "bad", "after")
		fn := batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
			if m.Body == "bad" {
				return errFunction
			}
			return nil
		}, batch.Options{})
		resp, err := fn.Handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		batchtest.AssertFailures(t, resp, ev.Records[1].MessageId, ev.Records[2].MessageId)
		batchtest.AssertFailures(t, invoke(t, fn, ev), ev.Records[1].MessageId, ev.Records[2].MessageId)
	})
	t.Run("SQS, JSON bodies into a payload type", func(t *testing.T) {
		q := batchtest.NewSQSQueue("orders")
		ev := batchtest.SQSEvent(q.Message(`{"qty":1}`), q.Message(`{"qty":-1}`), q.Message(`not json`))
		fn := batch.New(batch.SQS(), func(_ context.Context, o struct{ Qty int }) error {
			if o.Qty < 0 {
				return errFunction
			}
			return nil
		}, batch.Options{})
		batchtest.AssertFailures(t, invoke(t, fn, ev), ev.Records[1].MessageId, ev.Records[2].MessageId)
	})
	t.Run("Kinesis", func(t *testing.T) {
		s := batchtest.NewKinesisStream("s", 1)
		ev := batchtest.KinesisEvent(s.Record("a", []byte("1")), s.Record("b", []byte("2")))
		fn := batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error {
			if r.Kinesis.PartitionKey == "b" {
				return errFunction
			}
			return nil
		}, batch.Options{})
		resp, _ := fn.Handle(ctx, ev)
		batchtest.AssertFailures(t, resp, ev.Records[1].Kinesis.SequenceNumber)
		batchtest.AssertFailures(t, invoke(t, fn, ev), ev.Records[1].Kinesis.SequenceNumber)
	})
	t.Run("DynamoDB", func(t *testing.T) {
		tbl := batchtest.NewDynamoDBTable("t", 1)
		ev := batchtest.DynamoDBEvent(tbl.Insert(batchtest.Item{"pk": events.NewStringAttribute("x")}, batchtest.Item{}))
		fn := batch.New(batch.DynamoDB(), func(context.Context, events.DynamoDBEventRecord) error { return nil }, batch.Options{})
		resp, _ := fn.Handle(ctx, ev)
		batchtest.AssertFailures(t, resp)
		batchtest.AssertFailures(t, invoke(t, fn, ev))
	})
	t.Run("Kafka", func(t *testing.T) {
		topic := batchtest.NewKafkaTopic("t", 2)
		r1, r2 := topic.Record([]byte("a"), []byte("1")), topic.Record([]byte("b"), []byte("2"))
		ev := batchtest.KafkaEvent(r1, r2)
		fn := batch.New(batch.Kafka(), func(_ context.Context, r events.KafkaRecord) error {
			if r.Key == r2.Key {
				return errFunction
			}
			return nil
		}, batch.Options{})
		resp, _ := fn.Handle(ctx, ev)
		batchtest.AssertFailures(t, resp, batchtest.KafkaID(r2))
		batchtest.AssertFailures(t, invoke(t, fn, ev), batchtest.KafkaID(r2))
	})
}
