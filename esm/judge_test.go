package esm

import (
	"testing"

	"github.com/seed-45ee126e/batch/internal/contract"
)

// The simulators judge the response in the JSON form the function sends, by
// the rules of internal/contract, so that a response Lambda would reject
// fails the whole batch in a simulation too. Kafka is the case that was
// wrong before: the identifier's key is "partition" (AWS Lambda Developer
// Guide, kafka-retry-configurations, PartialBatchResponse).
func TestJudgeReadsKafkaResponsesAsLambdaDoes(t *testing.T) {
	ids := []string{"orders-0@4", "orders-0@5"}
	tests := []struct {
		name    string
		resp    string
		verdict Verdict
		failed  []string
	}{
		{"partition and offset", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":5}}]}`, PartialFailure, []string{"orders-0@5"}},
		{"topic-partition is not a key Lambda reads", `{"batchItemFailures":[{"itemIdentifier":{"topic-partition":"orders-0","offset":5}}]}`, BatchFailed, ids},
		{"null response", `null`, BatchSucceeded, nil},
		{"empty response", ``, BatchSucceeded, nil},
		{"offset not in the event", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":6}}]}`, BatchFailed, ids},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inv Invocation
			judge(&inv, ids, false, contract.Kafka, []byte(tt.resp))
			if inv.Verdict != tt.verdict {
				t.Fatalf("got verdict %s (%s), want %s", inv.Verdict, inv.Reason, tt.verdict)
			}
			if len(inv.Failed) != len(tt.failed) {
				t.Fatalf("got failed %q, want %q", inv.Failed, tt.failed)
			}
			for i := range tt.failed {
				if inv.Failed[i] != tt.failed[i] {
					t.Fatalf("got failed %q, want %q", inv.Failed, tt.failed)
				}
			}
		})
	}
}
