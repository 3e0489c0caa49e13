package batchtest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch/batchtest"
)

// keyPaths returns every object key path in a JSON document, with array
// elements merged ("Records[].messageId"). Objects whose keys are data
// (item images, message attributes, Kafka headers) are not entered, except
// the Kafka records map, whose keys are merged under "*".
func keyPaths(v any, prefix string, out map[string]bool) {
	if opaque(prefix) {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			name := k
			if strings.HasSuffix(prefix, ".records") {
				name = "*"
			}
			p := prefix + "." + name
			out[p] = true
			keyPaths(e, p, out)
		}
	case []any:
		for _, e := range x {
			keyPaths(e, prefix+"[]", out)
		}
	}
}

// opaque reports whether the object at path has data-defined keys.
func opaque(path string) bool {
	for _, s := range []string{".Keys", ".NewImage", ".OldImage", ".messageAttributes", ".headers[]"} {
		if strings.HasSuffix(path, s) {
			return true
		}
	}
	return false
}

// The builders' events have the fields of the golden events in ../testdata,
// which pin the shape Lambda sends.
func TestBuiltEventsMatchGoldenShape(t *testing.T) {
	q := batchtest.NewSQSQueue("orders")
	fq := batchtest.NewSQSQueue("orders.fifo")
	ks := batchtest.NewKinesisStream("clicks", 1)
	tbl := batchtest.NewDynamoDBTable("orders", 1)
	topic := batchtest.NewKafkaTopic("payments", 1)
	key := batchtest.Item{"pk": events.NewStringAttribute("o1")}
	tests := []struct {
		name     string
		golden   string
		built    any
		optional []string // golden fields Lambda sends only sometimes
	}{
		// aws-lambda-go always writes md5OfMessageAttributes
		{"SQS", "sqs-event.json", batchtest.SQSEvent(q.Message("x")), []string{".Records[].attributes.AWSTraceHeader", ".Records[].md5OfMessageAttributes"}},
		{"SQS FIFO", "sqs-fifo-event.json", batchtest.SQSEvent(fq.Message("x")), []string{".Records[].attributes.AWSTraceHeader", ".Records[].md5OfMessageAttributes"}},
		{"Kinesis", "kinesis-event.json", batchtest.KinesisEvent(ks.Record("k", []byte("x"))), nil},
		{"DynamoDB", "dynamodb-event.json", batchtest.DynamoDBEvent(
			tbl.Insert(key, batchtest.Item{}), tbl.Modify(key, batchtest.Item{}, batchtest.Item{}), tbl.Remove(key, batchtest.Item{})),
			[]string{".Records[].userIdentity", ".Records[].userIdentity.type", ".Records[].userIdentity.principalId"}},
		{"Kafka", "kafka-event.json", batchtest.KafkaEvent(topic.Record([]byte("k"), []byte("v"))), nil},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "testdata", tt.golden))
			if err != nil {
				t.Fatalf("golden event: %v", err)
			}
			var golden any
			if err := json.Unmarshal(raw, &golden); err != nil {
				t.Fatalf("golden event: %v", err)
			}
			b, err := json.Marshal(tt.built)
			if err != nil {
				t.Fatal(err)
			}
			var built any
			if err := json.Unmarshal(b, &built); err != nil {
				t.Fatal(err)
			}
			want, got := map[string]bool{}, map[string]bool{}
			keyPaths(golden, "", want)
			keyPaths(built, "", got)
			for _, p := range tt.optional {
				delete(want, p)
				delete(got, p)
			}
			var missing, extra []string
			for p := range want {
				if !got[p] {
					missing = append(missing, p)
				}
			}
			for p := range got {
				if !want[p] {
					extra = append(extra, p)
				}
			}
			sort.Strings(missing)
			sort.Strings(extra)
			if len(missing) > 0 || len(extra) > 0 {
				t.Errorf("fields: got %d missing %v and %d extra %v, want the golden event's fields", len(missing), missing, len(extra), extra)
			}
		})
	}
}
