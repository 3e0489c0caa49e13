package batchtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

// errFunction is the error of a handler that fails on purpose.
var errFunction = errors.New("function error")

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// invoked returns the response of fn to ev sent as JSON, as Lambda sends
// it.
func invoked(t *testing.T, fn interface {
	Invoke(context.Context, []byte) ([]byte, error)
}, ev any) []byte {
	t.Helper()
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := fn.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("Invoke: got error %v, want none", err)
	}
	return resp
}

func TestAssertFailures(t *testing.T) {
	ctx := context.Background()
	sqs := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "b"}, {ItemIdentifier: "a"}}}
	kin := events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: "1"}}}
	ddb := events.DynamoDBEventResponse{}
	kafka := batch.KafkaEventResponse{BatchItemFailures: []batch.KafkaBatchItemFailure{{ItemIdentifier: batch.KafkaItemIdentifier{Partition: "t-0", Offset: 3}}}}

	// The JSON a real Function returns, one record failed for each source.
	q := batchtest.NewSQSQueue("orders")
	sqsEv := q.Event("ok", "bad")
	sqsJSON := invoked(t, batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
		if m.Body == "bad" {
			return errFunction
		}
		return nil
	}, batch.Options{}), sqsEv)
	stream := batchtest.NewKinesisStream("clicks", 1)
	kinEv := batchtest.KinesisEvent(stream.Record("u1", []byte("ok")), stream.Record("u2", []byte("bad")))
	kinJSON := invoked(t, batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error {
		if string(r.Kinesis.Data) == "bad" {
			return errFunction
		}
		return nil
	}, batch.Options{}), kinEv)
	table := batchtest.NewDynamoDBTable("orders", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("o1")}
	ddbEv := batchtest.DynamoDBEvent(table.Insert(key, batchtest.Item{}), table.Remove(key, batchtest.Item{}))
	ddbJSON := invoked(t, batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
		if r.EventName == "REMOVE" {
			return errFunction
		}
		return nil
	}, batch.Options{}), ddbEv)
	topic := batchtest.NewKafkaTopic("payments", 2)
	k1, k2, k3 := topic.Record([]byte("alice"), []byte("1")), topic.Record([]byte("bob"), []byte("2")), topic.Record([]byte("bob"), []byte("3"))
	kafkaFn := batch.New(batch.Kafka(), func(_ context.Context, n int) error {
		if n == 2 {
			return errFunction
		}
		return nil
	}, batch.Options{})
	kafkaJSON := invoked(t, kafkaFn, batchtest.KafkaEvent(k1, k2, k3))
	kafkaResp, _ := kafkaFn.Handle(ctx, batchtest.KafkaEvent(k1, k2, k3))

	tests := []struct {
		name string
		resp any
		want []string
		fail string // a substring of the failure; "" means it passes
	}{
		{"SQS ids match in any order", sqs, []string{"a", "b"}, ""},
		{"SQS missing id fails", sqs, []string{"a"}, `batchItemFailures: got ["b" "a"], want ["a"]`},
		{"SQS extra id fails", sqs, []string{"a", "b", "c"}, `got ["b" "a"], want ["a" "b" "c"]`},
		{"a duplicate wanted id does not matter", sqs, []string{"a", "b", "b"}, ""},
		{"a duplicate reported id does not matter", events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "a"}, {ItemIdentifier: "a"}}}, []string{"a"}, ""},
		{"a pointer to a response", &sqs, []string{"b", "a"}, ""},
		{"an empty SQS identifier fails", events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{}}}, nil,
			"Lambda would fail the whole batch: batchItemFailures[0]: itemIdentifier is empty"},
		{"an empty SQS identifier fails even when wanted", events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{}}}, []string{""},
			"Lambda would fail the whole batch"},
		{"an empty response passes with nothing wanted", events.SQSEventResponse{}, nil, ""},
		{"an empty response fails when something is wanted", events.SQSEventResponse{}, []string{"a"}, `got [], want ["a"]`},
		{"Kinesis match", kin, []string{"1"}, ""},
		{"Kinesis extra failure", kin, nil, `got ["1"], want []`},
		{"DynamoDB none", ddb, nil, ""},
		{"DynamoDB missing", ddb, []string{"9"}, `want ["9"]`},
		{"Kafka match", kafka, []string{batchtest.KafkaID(events.KafkaRecord{Topic: "t", Partition: 0, Offset: 3})}, ""},
		{"Kafka wrong offset", kafka, []string{"t-0@4"}, `got ["t-0@3"], want ["t-0@4"]`},
		{"Kafka empty partition fails", batch.KafkaEventResponse{BatchItemFailures: []batch.KafkaBatchItemFailure{{}}}, nil,
			"Lambda would fail the whole batch: batchItemFailures[0]: partition is empty"},
		{"Kafka typed response of a Function", kafkaResp, []string{batchtest.KafkaID(k2)}, ""},

		{"SQS JSON of a Function", sqsJSON, []string{sqsEv.Records[1].MessageId}, ""},
		{"SQS JSON of a Function, wrong id", sqsJSON, []string{sqsEv.Records[0].MessageId}, "batchItemFailures: got"},
		{"Kinesis JSON of a Function", kinJSON, []string{kinEv.Records[1].Kinesis.SequenceNumber}, ""},
		{"Kinesis JSON of a Function, nothing wanted", kinJSON, nil, "want []"},
		{"DynamoDB JSON of a Function", ddbJSON, []string{ddbEv.Records[1].Change.SequenceNumber}, ""},
		{"Kafka JSON of a Function", kafkaJSON, []string{batchtest.KafkaID(k2)}, ""},
		{"Kafka JSON of a Function, wrong record", kafkaJSON, []string{batchtest.KafkaID(k3)}, `got ["payments-1@0"], want ["payments-1@1"]`},
		{"Kafka JSON with the key topic-partition fails", []byte(`{"batchItemFailures":[{"itemIdentifier":{"topic-partition":"payments-1","offset":0}}]}`),
			[]string{batchtest.KafkaID(k2)}, `Lambda would fail the whole batch: batchItemFailures[0]: itemIdentifier has the key "topic-partition"`},
		{"Kafka identifiers written as strings fail when Kafka ids are wanted", []byte(`{"batchItemFailures":[{"itemIdentifier":"payments-1@0"}]}`),
			[]string{batchtest.KafkaID(k2)}, "itemIdentifier is a JSON string, not an object"},
		{"Kafka JSON with the offset as a string fails", []byte(`{"batchItemFailures":[{"itemIdentifier":{"partition":"payments-1","offset":"0"}}]}`),
			[]string{batchtest.KafkaID(k2)}, "offset is a JSON string, not a number"},
		{"Kafka JSON with a string identifier after an object fails", []byte(`{"batchItemFailures":[{"itemIdentifier":{"partition":"payments-1","offset":0}},{"itemIdentifier":"payments-1@1"}]}`),
			[]string{batchtest.KafkaID(k2), batchtest.KafkaID(k3)}, "Lambda would fail the whole batch"},
		{"null JSON passes with nothing wanted", []byte(`null`), nil, ""},
		{"empty JSON passes with nothing wanted", []byte{}, nil, ""},
		{"nil bytes pass with nothing wanted", []byte(nil), nil, ""},
		{"a nil response passes with nothing wanted", nil, nil, ""},
		{"null JSON fails when something is wanted", []byte(`null`), []string{"a"}, `got [], want ["a"]`},
		{"invalid JSON fails", []byte(`{"batchItemFailures":[`), nil, "Lambda would fail the whole batch: the response is not valid JSON"},
		{"a JSON string instead of an object fails", []byte(`"a"`), []string{"a"}, "the response is a JSON string, not an object"},
		{"a response that does not marshal fails", func() {}, nil, "does not marshal"},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			batchtest.AssertFailures(r, tt.resp, tt.want...)
			got := strings.Join(r.errors, "\n")
			if tt.fail == "" && got != "" {
				t.Errorf("got failure %q, want none", got)
			}
			if tt.fail != "" && !strings.Contains(got, tt.fail) {
				t.Errorf("got failure %q, want one containing %q", got, tt.fail)
			}
			if len(r.errors) > 1 {
				t.Errorf("got %d failures, want at most one", len(r.errors))
			}
		})
	}
}

// KafkaID writes the identifier the way the esm simulators and
// AssertFailures read a Kafka response.
func TestKafkaID(t *testing.T) {
	tests := []struct {
		name string
		r    events.KafkaRecord
		want string
	}{
		{"a record", events.KafkaRecord{Topic: "payments", Partition: 2, Offset: 41}, "payments-2@41"},
		{"a topic with dashes", events.KafkaRecord{Topic: "a-b", Partition: 0, Offset: 0}, "a-b-0@0"},
		{"a built record", batchtest.NewKafkaTopic("payments", 1).Record([]byte("k"), []byte("v")), "payments-0@0"},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			if got := batchtest.KafkaID(tt.r); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
