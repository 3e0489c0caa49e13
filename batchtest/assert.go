package batchtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/contract"
)

// AssertFailures fails t unless resp reports exactly the records want, in
// any order, in a response Lambda accepts. resp is a partial batch
// response: a value of a response type (events.SQSEventResponse, its
// Kinesis and DynamoDB twins, batch.KafkaEventResponse), or the JSON bytes
// a Function's Invoke method returns. An identifier is the messageId or
// the sequence number; for Kafka, [KafkaID] gives it. An empty want
// asserts that nothing failed.
//
// The response is read as Lambda reads it: one that Lambda would reject as
// a whole (an empty or null identifier, a Kafka identifier without the key
// "partition", invalid JSON) fails t whatever it lists. Kafka's rules apply
// when the response's first identifier is an object or when want holds
// Kafka identifiers; SQS's (the same as Kinesis' and DynamoDB Streams')
// otherwise.
func AssertFailures(t testing.TB, resp any, want ...string) {
	t.Helper()
	data, ok := resp.([]byte)
	if !ok {
		var err error
		if data, err = json.Marshal(resp); err != nil {
			t.Errorf("response %T does not marshal: %v", resp, err)
			return
		}
	}
	src := contract.SQS // the same rules as Kinesis and DynamoDB Streams
	if kafkaShaped(data) || kafkaIDs(want) {
		src = contract.Kafka
	}
	got, reason := contract.Identifiers(src, data)
	if reason != "" {
		t.Errorf("Lambda would fail the whole batch: %s (response %s)", reason, data)
		return
	}
	g := uniqueSorted(got)
	w := uniqueSorted(want)
	same := len(g) == len(w)
	for i := 0; same && i < len(g); i++ {
		same = g[i] == w[i]
	}
	if !same {
		t.Errorf("batchItemFailures: got %q, want %q", got, want)
	}
}

// kafkaIDs reports whether the wanted identifiers are Kafka ones, as
// [KafkaID] writes them ("<topic>-<partition>@<offset>"): a Kafka response
// must then hold objects, and one that holds strings fails.
func kafkaIDs(want []string) bool {
	for _, id := range want {
		at := strings.LastIndexByte(id, '@')
		dash := strings.LastIndexByte(id[:max(at, 0)], '-')
		if at <= 0 || dash <= 0 || !digits(id[at+1:]) || !digits(id[dash+1:at]) {
			return false
		}
	}
	return len(want) > 0
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// kafkaShaped reports whether a response's first identifier is an object,
// as a Kafka one is.
func kafkaShaped(data []byte) bool {
	var r struct {
		BatchItemFailures []struct {
			ItemIdentifier json.RawMessage `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if json.Unmarshal(data, &r) != nil || len(r.BatchItemFailures) == 0 {
		return false
	}
	id := bytes.TrimSpace(r.BatchItemFailures[0].ItemIdentifier)
	return len(id) > 0 && id[0] == '{'
}

func uniqueSorted(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	n := 0
	for i, id := range out {
		if i == 0 || id != out[n-1] {
			out[n] = id
			n++
		}
	}
	return out[:n]
}

// KafkaID returns the identifier of r as [AssertFailures] and the esm
// simulators write it: "<topic>-<partition>@<offset>".
func KafkaID(r events.KafkaRecord) string {
	return contract.KafkaID(fmt.Sprintf("%s-%d", r.Topic, r.Partition), r.Offset)
}
