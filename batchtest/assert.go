package batchtest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// AssertSQSFailures fails t unless resp reports exactly the message ids
// want, in any order. An empty want asserts that nothing failed.
func AssertSQSFailures(t testing.TB, resp events.SQSEventResponse, want ...string) {
	t.Helper()
	got := make([]string, len(resp.BatchItemFailures))
	for i, f := range resp.BatchItemFailures {
		got[i] = f.ItemIdentifier
	}
	assertSameIDs(t, "SQS batchItemFailures", got, want)
}

// AssertKinesisFailures fails t unless resp reports exactly the sequence
// numbers want, in any order.
func AssertKinesisFailures(t testing.TB, resp events.KinesisEventResponse, want ...string) {
	t.Helper()
	got := make([]string, len(resp.BatchItemFailures))
	for i, f := range resp.BatchItemFailures {
		got[i] = f.ItemIdentifier
	}
	assertSameIDs(t, "Kinesis batchItemFailures", got, want)
}

// AssertDynamoDBFailures fails t unless resp reports exactly the sequence
// numbers want, in any order.
func AssertDynamoDBFailures(t testing.TB, resp events.DynamoDBEventResponse, want ...string) {
	t.Helper()
	got := make([]string, len(resp.BatchItemFailures))
	for i, f := range resp.BatchItemFailures {
		got[i] = f.ItemIdentifier
	}
	assertSameIDs(t, "DynamoDB batchItemFailures", got, want)
}

// AssertKafkaFailures fails t unless resp reports exactly the records want,
// in any order. [KafkaID] builds an identifier from a record.
func AssertKafkaFailures(t testing.TB, resp batch.KafkaEventResponse, want ...batch.KafkaItemIdentifier) {
	t.Helper()
	str := func(id batch.KafkaItemIdentifier) string { return fmt.Sprintf("%s@%d", id.Partition, id.Offset) }
	got := make([]string, len(resp.BatchItemFailures))
	for i, f := range resp.BatchItemFailures {
		got[i] = str(f.ItemIdentifier)
	}
	w := make([]string, len(want))
	for i, id := range want {
		w[i] = str(id)
	}
	assertSameIDs(t, "Kafka batchItemFailures", got, w)
}

// KafkaID returns the identifier of r in a Kafka partial batch response.
func KafkaID(r events.KafkaRecord) batch.KafkaItemIdentifier {
	return batch.KafkaItemIdentifier{Partition: fmt.Sprintf("%s-%d", r.Topic, r.Partition), Offset: r.Offset}
}

// AssertStates fails t unless every record of ids ended in state want in
// trace. A trace whose Run invoked nothing because of an invalid
// configuration ([Trace.Err]) fails it with that error.
func AssertStates(t testing.TB, trace *Trace, want State, ids ...string) {
	t.Helper()
	if trace.Err != nil {
		t.Errorf("simulation not run: %v", trace.Err)
		return
	}
	for _, id := range ids {
		r, ok := trace.Record(id)
		switch {
		case !ok:
			t.Errorf("record %s: not in the trace, want %s", id, want)
		case r.State != want:
			t.Errorf("record %s: got %s after %d deliveries, want %s", id, r.State, r.Deliveries, want)
		}
	}
}

// AssertDrained fails t unless the simulation ended with every record
// processed or dead-lettered: none pending, expired or discarded, the run
// not stopped by its guard, and its configuration valid ([Trace.Err]).
func AssertDrained(t testing.TB, trace *Trace) {
	t.Helper()
	if trace.Err != nil {
		t.Errorf("simulation not run: %v", trace.Err)
		return
	}
	if trace.Stopped {
		t.Errorf("run stopped by its guard after %d invocations, want the source drained", len(trace.Invocations))
	}
	for _, s := range []State{Pending, Expired, Discarded} {
		if ids := trace.IDs(s); len(ids) > 0 {
			t.Errorf("got %d records %s %v, want none", len(ids), s, ids)
		}
	}
}

func assertSameIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	g := append([]string{}, got...)
	w := append([]string{}, want...)
	sort.Strings(g)
	sort.Strings(w)
	same := len(g) == len(w)
	for i := 0; same && i < len(g); i++ {
		same = g[i] == w[i]
	}
	if !same {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}
