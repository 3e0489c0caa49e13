package batchtest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestAssertions(t *testing.T) {
	sqs := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "b"}, {ItemIdentifier: "a"}}}
	kin := events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: "1"}}}
	ddb := events.DynamoDBEventResponse{}
	kafka := batch.KafkaEventResponse{BatchItemFailures: []batch.KafkaBatchItemFailure{{ItemIdentifier: batch.KafkaItemIdentifier{Partition: "t-0", Offset: 3}}}}
	tests := []struct {
		name   string
		assert func(testing.TB)
		fail   string // substring of the failure; "" means it passes
	}{
		{"SQS ids match in any order", func(tb testing.TB) { batchtest.AssertSQSFailures(tb, sqs, "a", "b") }, ""},
		{"SQS missing id fails", func(tb testing.TB) { batchtest.AssertSQSFailures(tb, sqs, "a") }, `got ["b" "a"], want ["a"]`},
		{"SQS duplicate id fails", func(tb testing.TB) { batchtest.AssertSQSFailures(tb, sqs, "a", "b", "b") }, "want"},
		{"Kinesis match", func(tb testing.TB) { batchtest.AssertKinesisFailures(tb, kin, "1") }, ""},
		{"Kinesis extra failure", func(tb testing.TB) { batchtest.AssertKinesisFailures(tb, kin) }, `got ["1"], want []`},
		{"DynamoDB none", func(tb testing.TB) { batchtest.AssertDynamoDBFailures(tb, ddb) }, ""},
		{"DynamoDB missing", func(tb testing.TB) { batchtest.AssertDynamoDBFailures(tb, ddb, "9") }, `want ["9"]`},
		{"Kafka match", func(tb testing.TB) {
			batchtest.AssertKafkaFailures(tb, kafka, batchtest.KafkaID(events.KafkaRecord{Topic: "t", Partition: 0, Offset: 3}))
		}, ""},
		{"Kafka wrong offset", func(tb testing.TB) {
			batchtest.AssertKafkaFailures(tb, kafka, batch.KafkaItemIdentifier{Partition: "t-0", Offset: 4})
		}, `got ["t-0@3"], want ["t-0@4"]`},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			tt.assert(r)
			got := strings.Join(r.errors, "\n")
			if tt.fail == "" && got != "" {
				t.Errorf("got failure %q, want none", got)
			}
			if tt.fail != "" && !strings.Contains(got, tt.fail) {
				t.Errorf("got failure %q, want one containing %q", got, tt.fail)
			}
		})
	}
}

func TestAssertTrace(t *testing.T) {
	trace := &batchtest.Trace{Records: []batchtest.Record{
		{ID: "a", State: batchtest.Processed},
		{ID: "b", State: batchtest.Discarded, Deliveries: 1},
	}}
	tests := []struct {
		name   string
		assert func(testing.TB)
		fail   string
	}{
		{"state matches", func(tb testing.TB) { batchtest.AssertStates(tb, trace, batchtest.Processed, "a") }, ""},
		{"state differs", func(tb testing.TB) { batchtest.AssertStates(tb, trace, batchtest.Processed, "b") }, "got discarded after 1 deliveries, want processed"},
		{"unknown record", func(tb testing.TB) { batchtest.AssertStates(tb, trace, batchtest.Processed, "z") }, "not in the trace"},
		{"a discarded record is not drained", func(tb testing.TB) { batchtest.AssertDrained(tb, trace) }, "got 1 records discarded [b], want none"},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			tt.assert(r)
			got := strings.Join(r.errors, "\n")
			if (tt.fail == "") != (got == "") || !strings.Contains(got, tt.fail) {
				t.Errorf("got failure %q, want %q", got, tt.fail)
			}
		})
	}
}
