package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/policy"
)

// handleData fails a record whose data starts with "poison" permanently.
func handleData(data []byte) error {
	if strings.HasPrefix(string(data), "poison") {
		return batch.Permanent(errGone)
	}
	return nil
}

func decodeDoc(t *testing.T, body string) policy.FailureRecord {
	t.Helper()
	var doc policy.FailureRecord
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the document does not decode into a FailureRecord: %v\n%s", err, body)
	}
	if doc.Version != "1.0" || doc.RequestContext.Condition != policy.ConditionPermanentFailure || doc.Timestamp == "" {
		t.Errorf("got version %q, condition %q, timestamp %q; want 1.0, %s and a time", doc.Version, doc.RequestContext.Condition, doc.Timestamp, policy.ConditionPermanentFailure)
	}
	return doc
}

func TestForwardKinesisToSQS(t *testing.T) {
	s := batchtest.NewKinesisStream("clicks", 2)
	ev := batchtest.KinesisEvent(s.Record("k1", []byte("ok")), s.Record("k1", []byte("poison")), s.Record("k1", []byte("ok after")))
	c := &fakeSQS{}
	fn := batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error { return handleData(r.Kinesis.Data) },
		batch.Options{Divert: policy.Forward(policy.ForwardConfig{SQS: c, QueueURL: dlqURL})})
	lc := &lambdacontext.LambdaContext{AwsRequestID: "req-1", InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f"}
	resp, rep := fn.Process(lambdacontext.NewContext(context.Background(), lc), ev)
	if len(resp.BatchItemFailures) != 0 || rep.Results[1].Outcome != batch.Diverted || rep.Results[2].Outcome != batch.Succeeded {
		t.Fatalf("got %v, outcomes %v %v; want nothing reported, the poison diverted and the record after it handled", resp.BatchItemFailures, rep.Results[1].Outcome, rep.Results[2].Outcome)
	}
	if len(c.sent) != 1 || *c.sent[0].QueueUrl != dlqURL || c.sent[0].MessageGroupId != nil {
		t.Fatalf("got %d messages, want one to %s without a group", len(c.sent), dlqURL)
	}
	doc := decodeDoc(t, *c.sent[0].MessageBody)
	rec := ev.Records[1]
	info := doc.KinesisBatchInfo
	if info == nil || doc.DDBStreamBatchInfo != nil || doc.KafkaBatchInfo != nil {
		t.Fatalf("got %+v, want KinesisBatchInfo only", doc)
	}
	shard, _, _ := strings.Cut(rec.EventID, ":")
	want := policy.StreamBatchInfo{
		ShardID: shard, StartSequenceNumber: rec.Kinesis.SequenceNumber, EndSequenceNumber: rec.Kinesis.SequenceNumber,
		ApproximateArrivalOfFirstRecord: info.ApproximateArrivalOfFirstRecord, ApproximateArrivalOfLastRecord: info.ApproximateArrivalOfFirstRecord,
		BatchSize: 1, StreamARN: rec.EventSourceArn,
	}
	if *info != want || info.ApproximateArrivalOfFirstRecord == "" {
		t.Errorf("got %+v, want %+v", *info, want)
	}
	if doc.RequestContext.RequestID != "req-1" || doc.RequestContext.FunctionARN != lc.InvokedFunctionArn {
		t.Errorf("got request context %+v, want the invocation's", doc.RequestContext)
	}
	if doc.Reason != "customer deleted" {
		t.Errorf("got reason %q, want the handler's error", doc.Reason)
	}
	var payload events.KinesisEvent
	if err := json.Unmarshal(doc.Payload, &payload); err != nil || len(payload.Records) != 1 || !reflect.DeepEqual(payload.Records[0].Kinesis.Data, rec.Kinesis.Data) || payload.Records[0].EventID != rec.EventID {
		t.Errorf("got payload %s (%v), want an event of the one record", doc.Payload, err)
	}
	// The payload is an event the function can be invoked with again.
	if _, err := fn.Invoke(context.Background(), doc.Payload); err != nil {
		t.Errorf("invoking with the payload: %v", err)
	}
}

func TestForwardDynamoDBToSNS(t *testing.T) {
	tbl := batchtest.NewDynamoDBTable("orders", 1)
	keys := batchtest.Item{"id": events.NewStringAttribute("o1")}
	rec := tbl.Insert(keys, batchtest.Item{"id": events.NewStringAttribute("o1"), "qty": events.NewNumberAttribute("0")})
	p := &fakeSNS{}
	topic := "arn:aws:sns:us-east-1:123456789012:failures"
	divert := policy.Forward(policy.ForwardConfig{SNS: p, TopicARN: topic})
	if err := divert(context.Background(), batch.Failure{Record: batch.Record{ID: rec.Change.SequenceNumber, Value: &rec}, Err: errGone}); err != nil {
		t.Fatal(err)
	}
	if len(p.published) != 1 || *p.published[0].TopicArn != topic {
		t.Fatalf("got %d published, want 1 to %s", len(p.published), topic)
	}
	doc := decodeDoc(t, *p.published[0].Message)
	info := doc.DDBStreamBatchInfo
	if info == nil || info.StartSequenceNumber != rec.Change.SequenceNumber || info.StreamARN != rec.EventSourceArn || info.ShardID != "" || info.BatchSize != 1 {
		t.Fatalf("got %+v, want the record's sequence number and stream", info)
	}
	var payload events.DynamoDBEvent
	if err := json.Unmarshal(doc.Payload, &payload); err != nil || len(payload.Records) != 1 || payload.Records[0].Change.NewImage["qty"].Number() != "0" {
		t.Fatalf("got payload %s (%v), want the record with its image", doc.Payload, err)
	}
}

func TestForwardKafka(t *testing.T) {
	topic := batchtest.NewKafkaTopic("orders", 3)
	rec := topic.Record([]byte("k"), []byte("poison"))
	c := &fakeSQS{}
	divert := policy.Forward(policy.ForwardConfig{SQS: c, QueueURL: dlqURL})
	if err := divert(context.Background(), batch.Failure{Record: batch.Record{Value: &rec}, Err: errGone}); err != nil {
		t.Fatal(err)
	}
	doc := decodeDoc(t, *c.sent[0].MessageBody)
	key := rec.Topic + "-" + jsonNumber(rec.Partition)
	info, ok := doc.KafkaBatchInfo.RecordsInfo[key]
	if !ok || len(doc.KafkaBatchInfo.RecordsInfo) != 1 || info.FirstRecordOffset != jsonNumber(rec.Offset) || info.LastRecordOffset != info.FirstRecordOffset {
		t.Fatalf("got %+v, want recordsInfo[%s] with the record's offset %d", doc.KafkaBatchInfo, key, rec.Offset)
	}
	var payload events.KafkaEvent
	if err := json.Unmarshal(doc.Payload, &payload); err != nil || payload.EventSource != "aws:kafka" || len(payload.Records[key]) != 1 || payload.Records[key][0].Value != rec.Value {
		t.Fatalf("got payload %s (%v), want a Kafka event of the record", doc.Payload, err)
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestForwardWithoutPayload(t *testing.T) {
	s := batchtest.NewKinesisStream("clicks", 1)
	small := s.Record("k", []byte("poison"))
	big := s.Record("k", []byte("poison"+strings.Repeat("x", 300_000)))
	for _, tt := range []struct {
		name      string
		cfg       policy.ForwardConfig
		rec       events.KinesisEventRecord
		omitted   bool
		maxLength int
	}{
		{"with the record", policy.ForwardConfig{}, small, false, policy.DefaultMaxMessageSize},
		{"NoPayload", policy.ForwardConfig{NoPayload: true}, small, true, 1000},
		{"too large for the destination", policy.ForwardConfig{}, big, true, 1000},
		{"too large for a size of its own", policy.ForwardConfig{MaxMessageSize: 500}, small, true, 1000},
		{"fits a larger destination", policy.ForwardConfig{MaxMessageSize: 1 << 20}, big, false, 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeSQS{}
			tt.cfg.SQS, tt.cfg.QueueURL = c, dlqURL
			if err := policy.Forward(tt.cfg)(context.Background(), batch.Failure{Record: batch.Record{Value: &tt.rec}, Err: errGone}); err != nil {
				t.Fatal(err)
			}
			body := *c.sent[0].MessageBody
			doc := decodeDoc(t, body)
			if doc.PayloadOmitted != tt.omitted || (len(doc.Payload) == 0) != tt.omitted {
				t.Errorf("got payload of %d bytes, omitted %v; want omitted %v", len(doc.Payload), doc.PayloadOmitted, tt.omitted)
			}
			if len(body) > tt.maxLength {
				t.Errorf("got %d bytes, want at most %d", len(body), tt.maxLength)
			}
			if doc.KinesisBatchInfo.StartSequenceNumber != tt.rec.Kinesis.SequenceNumber {
				t.Errorf("the reference is missing: %+v", doc.KinesisBatchInfo)
			}
		})
	}
}

// A FIFO destination needs a group and a deduplication id: the shard, and
// a hash of the record's position, the same each time it is sent.
func TestForwardToFIFO(t *testing.T) {
	s := batchtest.NewKinesisStream("clicks", 4)
	r1, r2 := s.Record("a", []byte("poison")), s.Record("b", []byte("poison"))
	longTopic := batchtest.NewKafkaTopic(strings.Repeat("t", 200), 1).Record(nil, []byte("poison"))
	c, p := &fakeSQS{}, &fakeSNS{}
	toQueue := policy.Forward(policy.ForwardConfig{SQS: c, QueueURL: fdlqURL})
	toTopic := policy.Forward(policy.ForwardConfig{SNS: p, TopicARN: "arn:aws:sns:us-east-1:123456789012:failures.fifo"})
	for _, r := range []*events.KinesisEventRecord{&r1, &r1, &r2} {
		f := batch.Failure{Record: batch.Record{ID: r.Kinesis.SequenceNumber, Value: r}, Err: errGone}
		if err := toQueue(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		if err := toTopic(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
	if err := toQueue(context.Background(), batch.Failure{Record: batch.Record{Value: &longTopic}, Err: errGone}); err != nil {
		t.Fatal(err)
	}
	shard := func(r events.KinesisEventRecord) string { s, _, _ := strings.Cut(r.EventID, ":"); return s }
	for k, in := range c.sent[:3] {
		want := shard([]events.KinesisEventRecord{r1, r1, r2}[k])
		if in.MessageGroupId == nil || *in.MessageGroupId != want || in.MessageDeduplicationId == nil {
			t.Fatalf("message %d: got group %v, want %s and a deduplication id", k, in.MessageGroupId, want)
		}
		if pub := p.published[k]; *pub.MessageGroupId != *in.MessageGroupId || *pub.MessageDeduplicationId != *in.MessageDeduplicationId {
			t.Errorf("topic and queue differ: %v/%v and %v/%v", *pub.MessageGroupId, *pub.MessageDeduplicationId, *in.MessageGroupId, *in.MessageDeduplicationId)
		}
	}
	if *c.sent[0].MessageDeduplicationId != *c.sent[1].MessageDeduplicationId || *c.sent[0].MessageDeduplicationId == *c.sent[2].MessageDeduplicationId {
		t.Errorf("got deduplication ids %s, %s, %s; want the same for the same record, another for another", *c.sent[0].MessageDeduplicationId, *c.sent[1].MessageDeduplicationId, *c.sent[2].MessageDeduplicationId)
	}
	if g := *c.sent[3].MessageGroupId; len(g) > 128 {
		t.Errorf("got a group id of %d characters, SQS takes 128", len(g))
	}
}

// When the document cannot be sent, the record is reported: the shard
// stops at it as without the policy.
func TestForwardFailureReportsTheRecord(t *testing.T) {
	s := batchtest.NewKinesisStream("clicks", 1)
	ev := batchtest.KinesisEvent(s.Record("k", []byte("ok")), s.Record("k", []byte("poison")), s.Record("k", []byte("ok")))
	sendErr := errors.New("AccessDenied")
	fn := batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error { return handleData(r.Kinesis.Data) },
		batch.Options{StopOnFirstFailure: true, Divert: policy.Forward(policy.ForwardConfig{SNS: &fakeSNS{err: sendErr}, TopicARN: "arn:aws:sns:us-east-1:123456789012:t"})})
	resp, rep := fn.Process(context.Background(), ev)
	if len(resp.BatchItemFailures) != 2 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[1].Kinesis.SequenceNumber {
		t.Fatalf("got %v, want the poison record and the one after it reported", resp.BatchItemFailures)
	}
	if r := rep.Results[1]; !errors.Is(r.Err, sendErr) || !errors.Is(r.Err, errGone) {
		t.Fatalf("got %v, want the handler's and the send's errors", r.Err)
	}
}

func TestForwardRefusesSQSRecords(t *testing.T) {
	m := sqsMessage(srcARN, "m1", "poison", 1)
	err := policy.Forward(policy.ForwardConfig{SQS: &fakeSQS{}, QueueURL: dlqURL})(context.Background(), batch.Failure{Record: batch.Record{Value: &m}, Err: errGone})
	if !errors.Is(err, policy.ErrUnsupportedRecord) {
		t.Fatalf("got %v, want ErrUnsupportedRecord", err)
	}
}

func TestForwardPanicsOnAConfigurationWithoutOneDestination(t *testing.T) {
	for name, cfg := range map[string]policy.ForwardConfig{
		"none":            {},
		"both":            {SQS: &fakeSQS{}, QueueURL: dlqURL, SNS: &fakeSNS{}, TopicARN: "arn"},
		"no queue URL":    {SQS: &fakeSQS{}},
		"no topic ARN":    {SNS: &fakeSNS{}},
		"a URL, a client": {SNS: &fakeSNS{}, QueueURL: dlqURL},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			policy.Forward(cfg)
		})
	}
}
