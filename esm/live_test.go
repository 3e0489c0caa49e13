package esm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// sliceReader is a ShardReader over records held in memory, handed out
// chunk records per Read, as a real shard reader hands out pages.
type sliceReader[R any] struct {
	ids    []string
	shards map[string][]R
	chunk  int
	reads  int
	err    error
}

func (r *sliceReader[R]) Shards(context.Context) ([]string, error) { return r.ids, nil }

func (r *sliceReader[R]) Read(_ context.Context, shard string) ([]R, error) {
	r.reads++
	if r.err != nil {
		return nil, r.err
	}
	recs := r.shards[shard]
	n := r.chunk
	if n <= 0 || n > len(recs) {
		n = len(recs)
	}
	r.shards[shard] = recs[n:]
	return recs[:n], nil
}

// liveReport is a function that reports, in each Kinesis batch, the
// records whose data contains "poison", and fails the whole invocation
// for a record whose data contains "crash".
type liveReport struct{}

func (liveReport) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var ev events.KinesisEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	resp := events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}
	for _, r := range ev.Records {
		if strings.Contains(string(r.Kinesis.Data), "crash") {
			return nil, errors.New("crash")
		}
		if strings.Contains(string(r.Kinesis.Data), "poison") {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
		}
	}
	return json.Marshal(resp)
}

// verdicts is what two traces must share when the same records went
// through the same rules, whatever the clock: each invocation's records,
// verdict and retried records, each record's deliveries and final state,
// and what went to the on-failure destination.
func verdicts(tr *esm.Trace) string {
	var b strings.Builder
	for _, inv := range tr.Invocations {
		fmt.Fprintf(&b, "invoke %s %v: %s, failed %v\n", inv.Shard, inv.IDs, inv.Verdict, inv.Failed)
	}
	// Records are listed in the order they were added, which differs:
	// Put adds them in send order, a reader shard by shard.
	recs := append([]esm.Record(nil), tr.Records...)
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	for _, r := range recs {
		fmt.Fprintf(&b, "record %s %s: %d deliveries, %d duplicates, %s\n", r.ID, r.Payload, r.Deliveries, r.Duplicates, r.State)
	}
	for _, d := range tr.Destination {
		fmt.Fprintf(&b, "destination %s %s: %v after %d tries\n", d.Condition, d.Shard, d.IDs, d.InvokeCount)
	}
	fmt.Fprintf(&b, "order violations %v, stopped %v, err %v\n", tr.OrderViolations, tr.Stopped, tr.Err)
	return b.String()
}

// A stream read from a ShardReader goes through the same rules as one fed
// with Put: for the same records and answers, the same invocations,
// verdicts, final states and failure records. The clocks differ: the
// reader's is the wall clock, so each split of the batch costs RetryDelay
// of real time.
func TestReadKinesisAppliesTheRulesOfNewKinesis(t *testing.T) {
	tests := []struct {
		name string
		cfg  esm.StreamConfig
		data []string
	}{
		{"no retry, an on-failure destination", esm.StreamConfig{Shards: 2, BatchSize: 4, OnFailureDestination: true},
			[]string{"a", "b", "poison-1", "c", "d", "e", "crash", "f", "g"}},
		{"bisect on a function error", esm.StreamConfig{BatchSize: 3, BisectBatchOnFunctionError: true, OnFailureDestination: true},
			[]string{"a", "crash", "b", "c"}},
	}
	for _, tt := range tests {
		data := tt.data
		t.Run(tt.name, func(t *testing.T) {
			shards := tt.cfg.Shards
			if shards == 0 {
				shards = 1
			}
			sim := esm.NewKinesis("clicks", tt.cfg)
			stream := batchtest.NewKinesisStream("clicks", shards)
			reader := &sliceReader[events.KinesisEventRecord]{shards: map[string][]events.KinesisEventRecord{}, chunk: 3}
			for i := 0; i < shards; i++ {
				reader.ids = append(reader.ids, fmt.Sprintf("shardId-%012d", i))
			}
			for i, d := range data {
				key := fmt.Sprintf("user-%d", i%3)
				sim.Put(key, []byte(d))
				r := stream.Record(key, []byte(d))
				reader.shards[stream.ShardID(key)] = append(reader.shards[stream.ShardID(key)], r)
			}
			var sent []esm.FailureRecord
			live := tt.cfg
			live.OnDestination = func(fr esm.FailureRecord) { sent = append(sent, fr) }

			want := sim.Run(context.Background(), liveReport{})
			got := esm.ReadKinesis("clicks", live, reader).Run(context.Background(), liveReport{})

			if g, w := verdicts(got), verdicts(want); g != w {
				t.Errorf("read from a ShardReader:\n%s\nwant, as with Put:\n%s", g, w)
			}
			if !reflect.DeepEqual(sent, got.Destination) {
				t.Errorf("OnDestination: got %+v, want the trace's %+v", sent, got.Destination)
			}
			if len(got.Destination) == 0 {
				t.Error("got no failure record, want the test to exercise the destination")
			}
		})
	}
}

// A reader's error stops Run and is the trace's Err; a stopped context
// ends Run without an error.
func TestReadKinesisReaderError(t *testing.T) {
	boom := errors.New("boom")
	reader := &sliceReader[events.KinesisEventRecord]{ids: []string{"shardId-000000000000"}, err: boom}
	trace := esm.ReadKinesis("clicks", esm.StreamConfig{}, reader).Run(context.Background(), liveReport{})
	if !errors.Is(trace.Err, boom) {
		t.Errorf("got Err %v, want it to wrap %v", trace.Err, boom)
	}
	if err := trace.Drained(); err == nil {
		t.Error("Drained: got nil, want the reader's error")
	}
}

// Records cannot be added to a simulator that reads a real stream, nor
// its clock moved: both are mistakes in the test, caught at once.
func TestReadStreamsRefusePutAndAdvance(t *testing.T) {
	kr := &sliceReader[events.KinesisEventRecord]{}
	dr := &sliceReader[events.DynamoDBEventRecord]{}
	tests := []struct {
		name string
		f    func()
	}{
		{"Kinesis.Put", func() { esm.ReadKinesis("s", esm.StreamConfig{}, kr).Put("k", nil) }},
		{"Kinesis.Advance", func() { esm.ReadKinesis("s", esm.StreamConfig{}, kr).Advance(1) }},
		{"DynamoDB.Insert", func() { esm.ReadDynamoDB("t", esm.StreamConfig{}, dr).Insert(nil, nil) }},
		{"DynamoDB.Advance", func() { esm.ReadDynamoDB("t", esm.StreamConfig{}, dr).Advance(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("got no panic, want one")
				}
			}()
			tt.f()
		})
	}
}

// The progress hook sees every invocation before and after it, and its
// counts agree with the trace at the end.
func TestProgress(t *testing.T) {
	var seen []esm.Progress
	sim := esm.NewSQS("orders", esm.SQSConfig{BatchSize: 2, MaxReceiveCount: 2, OnProgress: func(p esm.Progress) { seen = append(seen, p) }})
	sim.Send("a", "poison", "b")
	trace := sim.Run(context.Background(), invokeFunc(func(_ context.Context, payload []byte) ([]byte, error) {
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, m := range ev.Records {
			if m.Body == "poison" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			}
		}
		return json.Marshal(resp)
	}))

	if got, want := len(seen), 2*len(trace.Invocations)+1; got != want {
		t.Fatalf("got %d calls, want %d (two per invocation, one at the end)", got, want)
	}
	for i, inv := range trace.Invocations {
		before, after := seen[2*i], seen[2*i+1]
		if before.InFlight != len(inv.IDs) || before.Invocations != i {
			t.Errorf("before invocation %d: got %+v, want %d in flight, %d judged", i, before, len(inv.IDs), i)
		}
		if after.InFlight != 0 || after.Invocations != i+1 {
			t.Errorf("after invocation %d: got %+v, want none in flight, %d judged", i, after, i+1)
		}
	}
	last := seen[len(seen)-1]
	want := esm.Progress{
		Time:         trace.End,
		Invocations:  len(trace.Invocations),
		Records:      3,
		Processed:    trace.Count(esm.Processed),
		DeadLettered: trace.Count(esm.DeadLettered),
		Deliveries:   trace.Deliveries(),
		Redeliveries: trace.Deliveries() - 3,
	}
	if last != want {
		t.Errorf("at the end: got %+v, want %+v", last, want)
	}
	if last.Settled() != 3 || last.DeadLettered != 1 {
		t.Errorf("got %d settled, %d dead-lettered, want 3 and 1", last.Settled(), last.DeadLettered)
	}
}

// ProduceRecord keeps the record's headers, key and value, so that a
// function that reads headers sees them.
func TestKafkaProduceRecord(t *testing.T) {
	sim := esm.NewKafka("payments", esm.StreamConfig{Shards: 3})
	topic := batchtest.NewKafkaTopic("payments", 3)
	r := topic.Record([]byte("customer-7"), []byte(`{"amount":5}`))
	r.Headers = []map[string]events.JSONNumberBytes{{"source": events.JSONNumberBytes("shop")}}
	id := sim.ProduceRecord(r)
	if want := batchtest.KafkaID(r); id != want {
		t.Errorf("got id %s, want %s (the same partition as the key gives)", id, want)
	}
	var got events.KafkaRecord
	sim.Run(context.Background(), invokeFunc(func(_ context.Context, payload []byte) ([]byte, error) {
		var ev events.KafkaEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		for _, rs := range ev.Records {
			got = rs[0]
		}
		return nil, nil
	}))
	if got.Key != r.Key || got.Value != r.Value || len(got.Headers) != 1 || string(got.Headers[0]["source"]) != "shop" {
		t.Errorf("got key %q value %q headers %v, want %q %q [source:shop]", got.Key, got.Value, got.Headers, r.Key, r.Value)
	}
}
