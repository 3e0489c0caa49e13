package esm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/seed-45ee126e/batch/esm"
)

// The simulators read the bytes a function returns as Lambda reads them
// (internal/contract): a response Lambda rejects fails the whole batch,
// with the reason in Invocation.Reason, and a null or empty response is a
// success. Each case answers the first invocation with resp and every
// later one with an empty response.
func TestRawResponses(t *testing.T) {
	tests := []struct {
		name    string
		source  string // "sqs" or "kafka"
		resp    string // "%1" stands for the identifier of the first record
		verdict esm.Verdict
		reason  string // a substring of Invocation.Reason; "" when the batch did not fail
	}{
		{"SQS, null response", "sqs", `null`, esm.BatchSucceeded, ""},
		{"SQS, empty response", "sqs", ``, esm.BatchSucceeded, ""},
		{"SQS, white space only", "sqs", " \n", esm.BatchSucceeded, ""},
		{"SQS, empty object", "sqs", `{}`, esm.BatchSucceeded, ""},
		{"SQS, null list", "sqs", `{"batchItemFailures":null}`, esm.BatchSucceeded, ""},
		{"SQS, empty list", "sqs", `{"batchItemFailures":[]}`, esm.BatchSucceeded, ""},
		{"SQS, one identifier", "sqs", `{"batchItemFailures":[{"itemIdentifier":"%1"}]}`, esm.PartialFailure, ""},
		{"SQS, empty identifier", "sqs", `{"batchItemFailures":[{"itemIdentifier":""}]}`, esm.BatchFailed, "batchItemFailures[0]: itemIdentifier is empty"},
		{"SQS, null identifier", "sqs", `{"batchItemFailures":[{"itemIdentifier":null}]}`, esm.BatchFailed, "itemIdentifier is null"},
		{"SQS, identifier under a wrong key", "sqs", `{"batchItemFailures":[{"itemId":"%1"}]}`, esm.BatchFailed, `no itemIdentifier key (has "itemId")`},
		{"SQS, identifier not in the batch", "sqs", `{"batchItemFailures":[{"itemIdentifier":"nope"}]}`, esm.BatchFailed, `itemIdentifier "nope" is not in the batch`},
		{"SQS, invalid JSON", "sqs", `{"batchItemFailures":[`, esm.BatchFailed, "the response is not valid JSON"},
		{"SQS, a string instead of an object", "sqs", `"%1"`, esm.BatchFailed, "the response is a JSON string, not an object"},
		{"SQS, an item that is a string", "sqs", `{"batchItemFailures":["%1"]}`, esm.BatchFailed, "batchItemFailures[0]: a JSON string, not an object"},
		{"SQS, a list key in another case", "sqs", `{"BatchItemFailures":[{"itemIdentifier":"%1"}]}`, esm.BatchFailed, `the response has the key "BatchItemFailures"`},

		{"Kafka, null response", "kafka", `null`, esm.BatchSucceeded, ""},
		{"Kafka, empty response", "kafka", ``, esm.BatchSucceeded, ""},
		{"Kafka, empty list", "kafka", `{"batchItemFailures":[]}`, esm.BatchSucceeded, ""},
		{"Kafka, partition and offset", "kafka", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":0}}]}`, esm.PartialFailure, ""},
		{"Kafka, the key topic-partition", "kafka", `{"batchItemFailures":[{"itemIdentifier":{"topic-partition":"orders-0","offset":0}}]}`, esm.BatchFailed, `itemIdentifier has the key "topic-partition"`},
		{"Kafka, empty partition", "kafka", `{"batchItemFailures":[{"itemIdentifier":{"partition":"","offset":0}}]}`, esm.BatchFailed, "partition is empty"},
		{"Kafka, no offset", "kafka", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0"}}]}`, esm.BatchFailed, `itemIdentifier has no "offset"`},
		{"Kafka, offset as a string", "kafka", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":"0"}}]}`, esm.BatchFailed, "offset is a JSON string, not a number"},
		{"Kafka, offset not in the batch", "kafka", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":7}}]}`, esm.BatchFailed, `{partition "orders-0", offset 7} is not in the batch`},
		{"Kafka, partition not in the batch", "kafka", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-9","offset":0}}]}`, esm.BatchFailed, "is not in the batch"},
		{"Kafka, the identifier as a string", "kafka", `{"batchItemFailures":[{"itemIdentifier":"orders-0@0"}]}`, esm.BatchFailed, "itemIdentifier is a JSON string, not an object with partition and offset"},
		{"Kafka, empty identifier", "kafka", `{"batchItemFailures":[{"itemIdentifier":""}]}`, esm.BatchFailed, "itemIdentifier is a JSON string"},
		{"Kafka, invalid JSON", "kafka", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0",`, esm.BatchFailed, "the response is not valid JSON"},
		{"Kafka, a string instead of an object", "kafka", `"orders-0@0"`, esm.BatchFailed, "the response is a JSON string, not an object"},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			var trace *esm.Trace
			var ids []string
			switch tt.source {
			case "sqs":
				sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 3})
				ids = sim.Send("a", "b")
				trace = sim.Run(context.Background(), answers(strings.ReplaceAll(tt.resp, "%1", ids[0]), ``))
			case "kafka":
				sim := esm.NewKafka("orders", esm.StreamConfig{MaximumRetryAttempts: 2})
				ids = []string{sim.Produce([]byte("k"), []byte("a")), sim.Produce([]byte("k"), []byte("b"))}
				trace = sim.Run(context.Background(), answers(tt.resp, ``))
			}
			inv := trace.Invocations[0]
			if inv.Verdict != tt.verdict {
				t.Fatalf("verdict: got %v (reason %q), want %v", inv.Verdict, inv.Reason, tt.verdict)
			}
			if inv.Err != nil {
				t.Errorf("Err: got %v, want nil (the function returned normally)", inv.Err)
			}
			if tt.reason == "" && inv.Reason != "" {
				t.Errorf("reason: got %q, want none", inv.Reason)
			}
			if !strings.Contains(inv.Reason, tt.reason) {
				t.Errorf("reason: got %q, want it to contain %q", inv.Reason, tt.reason)
			}
			switch tt.verdict {
			case esm.BatchFailed:
				if !equal(inv.Failed, ids) {
					t.Errorf("failed: got %v, want the whole batch %v", inv.Failed, ids)
				}
				// no record counts as handled, so the second delivery of
				// each is not a duplicate
				if got := trace.Duplicates(); got != 0 {
					t.Errorf("duplicates: got %d, want 0", got)
				}
			case esm.BatchSucceeded:
				if len(inv.Failed) != 0 || len(trace.Invocations) != 1 {
					t.Errorf("got %v failed and %d invocations, want none failed and 1 invocation", inv.Failed, len(trace.Invocations))
				}
			case esm.PartialFailure:
				if !equal(inv.Reported, ids[:1]) {
					t.Errorf("reported: got %v, want %v", inv.Reported, ids[:1])
				}
			}
			if err := trace.Drained(); err != nil {
				t.Error(err)
			}
		})
	}
}
