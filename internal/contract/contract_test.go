package contract_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/seed-45ee126e/batch/internal/contract"
)

// The cases follow the lists of success and failure conditions in the AWS
// Lambda Developer Guide (SQS: "Reporting batch item failures"; Kinesis and
// DynamoDB Streams: "Configuring partial batch response", section "Success
// and failure conditions"; Kafka: "Configuring error handling controls for
// Kafka event sources", PartialBatchResponse), see the package comment.

func TestStringIdentifiers(t *testing.T) {
	ids := []string{"a", "b", "c"}
	tests := []struct {
		name   string
		resp   string
		failed []int
		reason string // a substring of the reason; "" for a valid response
	}{
		{"empty response is success", ``, nil, ""},
		{"null response is success", `null`, nil, ""},
		{"empty object is success", `{}`, nil, ""},
		{"null list is success", `{"batchItemFailures":null}`, nil, ""},
		{"empty list is success", `{"batchItemFailures":[]}`, nil, ""},
		{"reported records, in batch order, once", `{"batchItemFailures":[{"itemIdentifier":"c"},{"itemIdentifier":"a"},{"itemIdentifier":"c"}]}`, []int{0, 2}, ""},
		{"unknown fields are ignored", `{"batchItemFailures":[{"itemIdentifier":"b","why":"x"}],"other":1}`, []int{1}, ""},
		{"invalid JSON fails the batch", `{"batchItemFailures":[`, nil, "not valid JSON"},
		{"empty identifier fails the batch", `{"batchItemFailures":[{"itemIdentifier":""}]}`, nil, "empty"},
		{"null identifier fails the batch", `{"batchItemFailures":[{"itemIdentifier":null}]}`, nil, "null"},
		{"identifier under a wrong key fails the batch", `{"batchItemFailures":[{"itemIdentifer":"a"}]}`, nil, "no itemIdentifier key"},
		{"identifier not in the batch fails the batch", `{"batchItemFailures":[{"itemIdentifier":"z"}]}`, nil, "not in the batch"},
		{"identifier of the wrong type fails the batch", `{"batchItemFailures":[{"itemIdentifier":7}]}`, nil, "not a string"},
		{"a list that is not an array fails the batch", `{"batchItemFailures":{"itemIdentifier":"a"}}`, nil, "not an array"},
		{"an item that is not an object fails the batch", `{"batchItemFailures":["a"]}`, nil, "not an object"},
		{"a response that is not an object fails the batch", `["a"]`, nil, "not an object"},
		{"a differently cased list key fails the batch", `{"BatchItemFailures":[{"itemIdentifier":"a"}]}`, nil, "BatchItemFailures"},
	}
	for _, src := range []contract.Source{contract.SQS, contract.Kinesis, contract.DynamoDB} {
		for _, tt := range tests {
			t.Run(src.String()+"/"+tt.name, func(t *testing.T) {
				failed, reason := contract.Check(src, []byte(tt.resp), ids)
				checkVerdict(t, failed, reason, tt.failed, tt.reason)
			})
		}
	}
}

func TestKafkaIdentifiers(t *testing.T) {
	ids := []string{contract.KafkaID("orders-0", 4), contract.KafkaID("orders-0", 5), contract.KafkaID("orders-1", 4)}
	tests := []struct {
		name   string
		resp   string
		failed []int
		reason string
	}{
		{"empty response is success", ``, nil, ""},
		{"null response is success", `null`, nil, ""},
		{"empty list is success", `{"batchItemFailures":[]}`, nil, ""},
		{"partition and offset", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-1","offset":4}},{"itemIdentifier":{"partition":"orders-0","offset":5}}]}`, []int{1, 2}, ""},
		{"the key topic-partition fails the batch", `{"batchItemFailures":[{"itemIdentifier":{"topic-partition":"orders-0","offset":5}}]}`, nil, `"topic-partition"`},
		{"a missing offset fails the batch", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0"}}]}`, nil, `no "offset"`},
		{"a missing partition fails the batch", `{"batchItemFailures":[{"itemIdentifier":{"offset":5}}]}`, nil, `no "partition"`},
		{"an offset as a string fails the batch", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":"5"}}]}`, nil, "not a number"},
		{"a fractional offset fails the batch", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":5.5}}]}`, nil, "not an integer"},
		{"an offset not in the event fails the batch", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-0","offset":6}}]}`, nil, "not in the batch"},
		{"a partition not in the event fails the batch", `{"batchItemFailures":[{"itemIdentifier":{"partition":"orders-7","offset":4}}]}`, nil, "not in the batch"},
		{"a string identifier fails the batch", `{"batchItemFailures":[{"itemIdentifier":"orders-0@5"}]}`, nil, "not an object"},
		{"a null identifier fails the batch", `{"batchItemFailures":[{"itemIdentifier":null}]}`, nil, "null"},
		{"an empty partition fails the batch", `{"batchItemFailures":[{"itemIdentifier":{"partition":"","offset":4}}]}`, nil, "partition is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failed, reason := contract.Check(contract.Kafka, []byte(tt.resp), ids)
			checkVerdict(t, failed, reason, tt.failed, tt.reason)
		})
	}
}

func checkVerdict(t *testing.T, failed []int, reason string, wantFailed []int, wantReason string) {
	t.Helper()
	if wantReason == "" {
		if reason != "" {
			t.Fatalf("got whole-batch failure %q, want a valid response", reason)
		}
		if !reflect.DeepEqual(failed, wantFailed) {
			t.Fatalf("got failed %v, want %v", failed, wantFailed)
		}
		return
	}
	if reason == "" {
		t.Fatalf("got a valid response reporting %v, want a whole-batch failure mentioning %q", failed, wantReason)
	}
	if !strings.Contains(reason, wantReason) {
		t.Fatalf("got reason %q, want it to mention %q", reason, wantReason)
	}
}
