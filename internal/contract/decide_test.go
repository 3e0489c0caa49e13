package contract_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/seed-45ee126e/batch/internal/contract"
)

// What Lambda does next, per source, for valid and invalid responses and
// for a failed invocation. The rules are those of the pages cited in the
// package comment; the checkpoint is the lowest reported sequence number
// (offset, per partition, for Kafka), records after it read again.
func TestDecide(t *testing.T) {
	sqsIDs := []string{"m1", "m2", "m3"}
	fifoGroups := []string{"alice", "bob", "alice"}
	kinIDs := []string{"4960", "4961", "4962", "4963"}
	kinShards := []string{"shardId-0", "shardId-0", "shardId-1", "shardId-1"}
	ddbIDs := []string{"100", "200", "300"}
	kafkaIDs := []string{contract.KafkaID("pay-0", 7), contract.KafkaID("pay-0", 8), contract.KafkaID("pay-1", 3), contract.KafkaID("pay-1", 4)}
	kafkaParts := []string{"pay-0", "pay-0", "pay-1", "pay-1"}

	tests := []struct {
		name    string
		src     contract.Source
		ids     []string
		keys    []string
		resp    string
		funcErr string

		reason      string // a substring of the reason; "" for none
		reported    []int
		retried     []int
		checkpoints map[string]int
		warnings    int
	}{
		// SQS standard
		{name: "SQS: empty response, nothing retried", src: contract.SQS, ids: sqsIDs, resp: ``},
		{name: "SQS: reported messages are retried alone", src: contract.SQS, ids: sqsIDs,
			resp: `{"batchItemFailures":[{"itemIdentifier":"m3"},{"itemIdentifier":"m1"}]}`, reported: []int{0, 2}, retried: []int{0, 2}},
		{name: "SQS: an empty identifier retries the batch", src: contract.SQS, ids: sqsIDs,
			resp: `{"batchItemFailures":[{"itemIdentifier":""}]}`, reason: "empty", retried: []int{0, 1, 2}},
		{name: "SQS: an unknown identifier retries the batch", src: contract.SQS, ids: sqsIDs,
			resp: `{"batchItemFailures":[{"itemIdentifier":"m9"}]}`, reason: "not in the batch", retried: []int{0, 1, 2}},
		{name: "SQS: a wrong key retries the batch", src: contract.SQS, ids: sqsIDs,
			resp: `{"batchItemFailures":[{"id":"m1"}]}`, reason: "no itemIdentifier key", retried: []int{0, 1, 2}},
		{name: "SQS: a function error retries the batch", src: contract.SQS, ids: sqsIDs,
			resp: `{"batchItemFailures":[]}`, funcErr: "Sandbox.Timedout", reason: "function error: Sandbox.Timedout", retried: []int{0, 1, 2}},
		// SQS FIFO
		{name: "FIFO: reporting a group's later messages too keeps its order", src: contract.SQS, ids: sqsIDs, keys: fifoGroups,
			resp: `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m3"}]}`, reported: []int{0, 2}, retried: []int{0, 2}},
		{name: "FIFO: a later message of a reported group left out overtakes it", src: contract.SQS, ids: sqsIDs, keys: fifoGroups,
			resp: `{"batchItemFailures":[{"itemIdentifier":"m1"}]}`, reported: []int{0}, retried: []int{0}, warnings: 1},
		// Kinesis
		{name: "Kinesis: null list, nothing retried", src: contract.Kinesis, ids: kinIDs, keys: kinShards, resp: `{"batchItemFailures":null}`},
		{name: "Kinesis: each shard resumes at its lowest reported record", src: contract.Kinesis, ids: kinIDs, keys: kinShards,
			resp:     `{"batchItemFailures":[{"itemIdentifier":"4963"},{"itemIdentifier":"4961"}]}`,
			reported: []int{1, 3}, retried: []int{1, 3}, checkpoints: map[string]int{"shardId-0": 1, "shardId-1": 3}},
		{name: "Kinesis: records after the checkpoint are read again", src: contract.Kinesis, ids: kinIDs, keys: kinShards,
			resp:     `{"batchItemFailures":[{"itemIdentifier":"4962"}]}`,
			reported: []int{2}, retried: []int{2, 3}, checkpoints: map[string]int{"shardId-1": 2}},
		{name: "Kinesis: a null identifier retries the batch from its start", src: contract.Kinesis, ids: kinIDs, keys: kinShards,
			resp: `{"batchItemFailures":[{"itemIdentifier":null}]}`, reason: "null",
			retried: []int{0, 1, 2, 3}, checkpoints: map[string]int{"shardId-0": 0, "shardId-1": 2}},
		{name: "Kinesis: a number as identifier retries the batch", src: contract.Kinesis, ids: kinIDs,
			resp: `{"batchItemFailures":[{"itemIdentifier":4961}]}`, reason: "not a string",
			retried: []int{0, 1, 2, 3}, checkpoints: map[string]int{"": 0}},
		{name: "Kinesis: invalid JSON retries the batch", src: contract.Kinesis, ids: kinIDs,
			resp: `{"batchItemFailures":`, reason: "not valid JSON",
			retried: []int{0, 1, 2, 3}, checkpoints: map[string]int{"": 0}},
		// DynamoDB Streams
		{name: "DynamoDB: the lowest reported sequence number, whatever the response order", src: contract.DynamoDB, ids: ddbIDs,
			resp:     `{"batchItemFailures":[{"itemIdentifier":"300"},{"itemIdentifier":"200"}]}`,
			reported: []int{1, 2}, retried: []int{1, 2}, checkpoints: map[string]int{"": 1}},
		{name: "DynamoDB: an identifier of another batch retries the batch", src: contract.DynamoDB, ids: ddbIDs,
			resp: `{"batchItemFailures":[{"itemIdentifier":"400"}]}`, reason: "not in the batch",
			retried: []int{0, 1, 2}, checkpoints: map[string]int{"": 0}},
		{name: "DynamoDB: a differently cased key retries the batch", src: contract.DynamoDB, ids: ddbIDs,
			resp: `{"BatchItemFailures":[{"itemIdentifier":"200"}]}`, reason: "BatchItemFailures",
			retried: []int{0, 1, 2}, checkpoints: map[string]int{"": 0}},
		// Kafka
		{name: "Kafka: each partition resumes at its lowest reported offset", src: contract.Kafka, ids: kafkaIDs, keys: kafkaParts,
			resp:     `{"batchItemFailures":[{"itemIdentifier":{"partition":"pay-1","offset":3}},{"itemIdentifier":{"partition":"pay-0","offset":8}}]}`,
			reported: []int{1, 2}, retried: []int{1, 2, 3}, checkpoints: map[string]int{"pay-0": 1, "pay-1": 2}},
		{name: "Kafka: a string identifier retries the batch", src: contract.Kafka, ids: kafkaIDs, keys: kafkaParts,
			resp: `{"batchItemFailures":[{"itemIdentifier":"pay-0@8"}]}`, reason: "not an object",
			retried: []int{0, 1, 2, 3}, checkpoints: map[string]int{"pay-0": 0, "pay-1": 2}},
		{name: "Kafka: topic-partition is not Lambda's key", src: contract.Kafka, ids: kafkaIDs, keys: kafkaParts,
			resp: `{"batchItemFailures":[{"itemIdentifier":{"topic-partition":"pay-0","offset":8}}]}`, reason: "topic-partition",
			retried: []int{0, 1, 2, 3}, checkpoints: map[string]int{"pay-0": 0, "pay-1": 2}},
		{name: "Kafka: an offset not in the batch retries the batch", src: contract.Kafka, ids: kafkaIDs, keys: kafkaParts,
			resp: `{"batchItemFailures":[{"itemIdentifier":{"partition":"pay-0","offset":9}}]}`, reason: "not in the batch",
			retried: []int{0, 1, 2, 3}, checkpoints: map[string]int{"pay-0": 0, "pay-1": 2}},
		{name: "Kafka: a function error retries the batch", src: contract.Kafka, ids: kafkaIDs, keys: kafkaParts,
			funcErr: "Runtime.ExitError", reason: "function error",
			retried: []int{0, 1, 2, 3}, checkpoints: map[string]int{"pay-0": 0, "pay-1": 2}},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			o := contract.Decide(tt.src, tt.ids, tt.keys, []byte(tt.resp), tt.funcErr)
			switch {
			case tt.reason == "" && o.Reason != "":
				t.Errorf("got reason %q, want none", o.Reason)
			case tt.reason != "" && !strings.Contains(o.Reason, tt.reason):
				t.Errorf("got reason %q, want one containing %q", o.Reason, tt.reason)
			}
			if !reflect.DeepEqual(o.Reported, tt.reported) {
				t.Errorf("reported: got %v, want %v", o.Reported, tt.reported)
			}
			if !reflect.DeepEqual(o.Retried, tt.retried) {
				t.Errorf("retried: got %v, want %v", o.Retried, tt.retried)
			}
			if !reflect.DeepEqual(o.Checkpoints, tt.checkpoints) {
				t.Errorf("checkpoints: got %v, want %v", o.Checkpoints, tt.checkpoints)
			}
			if len(o.Warnings) != tt.warnings {
				t.Errorf("warnings: got %q, want %d", o.Warnings, tt.warnings)
			}
		})
	}
}

// Sequence numbers compare as numbers, whatever their length: a shorter
// one is the lower (moto's are "1", "2", … "10").
func TestDecideComparesSequenceNumbersAsNumbers(t *testing.T) {
	ids := []string{"9", "10", "11"}
	o := contract.Decide(contract.Kinesis, ids, nil, []byte(`{"batchItemFailures":[{"itemIdentifier":"11"},{"itemIdentifier":"9"}]}`), "")
	if got := o.Checkpoints[""]; got != 0 {
		t.Errorf("got checkpoint at position %d, want 0 (sequence number 9)", got)
	}
	if want := []int{0, 1, 2}; !reflect.DeepEqual(o.Retried, want) {
		t.Errorf("retried: got %v, want %v", o.Retried, want)
	}
}
