package esm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// answer is what a scripted handler returns: the data of the records to
// report ("" for an empty identifier), or an error.
type answer struct {
	report []string
	err    error
}

// kinesisScript returns a function, a handler function made a
// lambda.Handler, that gives answers[i] to invocation i (the last answer
// repeats), and the data of each batch it received.
func kinesisScript(answers ...answer) (esm.Function, *[][]string) {
	var batches [][]string
	n := 0
	h := func(_ context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		a := answers[len(answers)-1]
		if n < len(answers) {
			a = answers[n]
		}
		n++
		var data []string
		for _, r := range ev.Records {
			data = append(data, string(r.Kinesis.Data))
		}
		batches = append(batches, data)
		if a.err != nil {
			return events.KinesisEventResponse{}, a.err
		}
		resp := events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{}}
		for _, f := range a.report {
			if f == "" { // an empty identifier, as a buggy handler returns
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{})
			}
		}
		for _, r := range ev.Records {
			for _, f := range a.report {
				if string(r.Kinesis.Data) == f {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
				}
			}
		}
		return resp, nil
	}
	return lambda.NewHandler(h), &batches
}

func TestKinesisContract(t *testing.T) {
	ok := answer{}
	tests := []struct {
		name        string
		cfg         esm.StreamConfig
		answers     []answer
		records     []string // data, all with one partition key per record
		batches     [][]string
		states      map[string]esm.State
		destination int // failure records sent
		duplicates  int
	}{
		{
			name:       "the shard resumes from the lowest reported record",
			cfg:        esm.StreamConfig{BatchSize: 5, MaximumRetryAttempts: -1},
			answers:    []answer{{report: []string{"r4", "r2"}}, ok},
			records:    []string{"r1", "r2", "r3", "r4", "r5"},
			batches:    [][]string{{"r1", "r2", "r3", "r4", "r5"}, {"r2", "r3", "r4", "r5"}},
			states:     map[string]esm.State{"r1": esm.Processed, "r5": esm.Processed},
			duplicates: 2, // r3 and r5 had succeeded
		},
		{
			name:    "a function error retries the whole batch",
			cfg:     esm.StreamConfig{BatchSize: 5, MaximumRetryAttempts: 1},
			answers: []answer{{err: errFunction}, ok},
			records: []string{"r1", "r2"},
			batches: [][]string{{"r1", "r2"}, {"r1", "r2"}},
			states:  map[string]esm.State{"r1": esm.Processed, "r2": esm.Processed},
		},
		{
			name:        "exhausted retries send the batch to the on-failure destination",
			cfg:         esm.StreamConfig{BatchSize: 2, MaximumRetryAttempts: 2, OnFailureDestination: true},
			answers:     []answer{{report: []string{"r1"}}},
			records:     []string{"r1", "r2", "r3"},
			batches:     [][]string{{"r1", "r2"}, {"r1", "r2"}, {"r1", "r2"}, {"r3"}},
			states:      map[string]esm.State{"r1": esm.DeadLettered, "r2": esm.Processed, "r3": esm.Processed},
			destination: 1,
			duplicates:  2,
		},
		{
			name:    "exhausted retries without a destination discard the failed records",
			cfg:     esm.StreamConfig{BatchSize: 2, MaximumRetryAttempts: 0},
			answers: []answer{{err: errFunction}, ok},
			records: []string{"r1", "r2", "r3"},
			batches: [][]string{{"r1", "r2"}, {"r3"}},
			states:  map[string]esm.State{"r1": esm.Discarded, "r2": esm.Discarded, "r3": esm.Processed},
		},
		{
			name:    "a retry after partial progress counts from the new checkpoint",
			cfg:     esm.StreamConfig{BatchSize: 3, MaximumRetryAttempts: 1, OnFailureDestination: true},
			answers: []answer{{report: []string{"r2"}}, {report: []string{"r2"}}, ok},
			records: []string{"r1", "r2", "r3"},
			batches: [][]string{{"r1", "r2", "r3"}, {"r2", "r3"}},
			states: map[string]esm.State{
				"r1": esm.Processed, "r2": esm.DeadLettered, "r3": esm.Processed,
			},
			destination: 1,
			duplicates:  1,
		},
		{
			name:    "bisect isolates a poison record without using retries",
			cfg:     esm.StreamConfig{BatchSize: 4, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 0, OnFailureDestination: true},
			answers: []answer{{err: errFunction}, {err: errFunction}, ok, {err: errFunction}, ok},
			records: []string{"r1", "r2", "r3", "r4"},
			batches: [][]string{{"r1", "r2", "r3", "r4"}, {"r1", "r2"}, {"r1"}, {"r2"}, {"r3", "r4"}},
			states: map[string]esm.State{
				"r1": esm.Processed, "r2": esm.DeadLettered, "r3": esm.Processed, "r4": esm.Processed,
			},
			destination: 1,
		},
		{
			name:       "with bisect a partial failure retries only the rest of the batch",
			cfg:        esm.StreamConfig{BatchSize: 3, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1},
			answers:    []answer{{report: []string{"r2"}}, ok},
			records:    []string{"r1", "r2", "r3", "r4"},
			batches:    [][]string{{"r1", "r2", "r3"}, {"r2", "r3"}, {"r4"}},
			states:     map[string]esm.State{"r2": esm.Processed, "r4": esm.Processed},
			duplicates: 1, // r3
		},
		{
			name:       "an empty identifier fails the whole batch",
			cfg:        esm.StreamConfig{BatchSize: 2, MaximumRetryAttempts: 1},
			answers:    []answer{{report: []string{""}}, ok},
			records:    []string{"r1", "r2"},
			batches:    [][]string{{"r1", "r2"}, {"r1", "r2"}},
			duplicates: 0, // an invalid response succeeds with no record
		},
		{
			name:    "without ReportBatchItemFailures the reported records are lost",
			cfg:     esm.StreamConfig{IgnoreBatchItemFailures: true},
			answers: []answer{{report: []string{"r1"}}},
			records: []string{"r1", "r2"},
			batches: [][]string{{"r1", "r2"}},
			states:  map[string]esm.State{"r1": esm.Discarded, "r2": esm.Processed},
		},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			sim := esm.NewKinesis("stream", tt.cfg)
			seqs := map[string]string{}
			for _, d := range tt.records {
				seqs[d] = sim.Put("key-"+d, []byte(d))
			}
			h, batches := kinesisScript(tt.answers...)
			trace := sim.Run(context.Background(), h)
			if len(*batches) != len(tt.batches) {
				t.Fatalf("batches: got %v, want %v", *batches, tt.batches)
			}
			for i := range tt.batches {
				if !equal((*batches)[i], tt.batches[i]) {
					t.Errorf("batch %d: got %v, want %v", i, (*batches)[i], tt.batches[i])
				}
			}
			for d, want := range tt.states {
				if err := trace.InState(want, seqs[d]); err != nil {
					t.Errorf("%s: %v", d, err)
				}
			}
			if got := len(trace.Destination); got != tt.destination {
				t.Errorf("destination: got %d failure records, want %d", got, tt.destination)
			}
			if got := trace.Duplicates(); got != tt.duplicates {
				t.Errorf("duplicates: got %d, want %d", got, tt.duplicates)
			}
		})
	}
}

func TestKinesisDestinationRecord(t *testing.T) {
	sim := esm.NewKinesis("stream", esm.StreamConfig{BatchSize: 2, MaximumRetryAttempts: 2, OnFailureDestination: true})
	s1 := sim.Put("k", []byte("r1"))
	s2 := sim.Put("k", []byte("r2"))
	h, _ := kinesisScript(answer{err: errFunction})
	trace := sim.Run(context.Background(), h)
	want := esm.FailureRecord{
		Condition: "RetryAttemptsExhausted", Shard: "shardId-000000000000",
		StartSequenceNumber: s1, EndSequenceNumber: s2, BatchSize: 2, InvokeCount: 3,
	}
	if len(trace.Destination) != 1 {
		t.Fatalf("destination: got %d records, want 1", len(trace.Destination))
	}
	got := trace.Destination[0]
	if got.Condition != want.Condition || got.Shard != want.Shard || got.StartSequenceNumber != want.StartSequenceNumber ||
		got.EndSequenceNumber != want.EndSequenceNumber || got.BatchSize != want.BatchSize || got.InvokeCount != want.InvokeCount {
		t.Errorf("failure record: got %+v, want %+v", got, want)
	}
	// retries wait RetryDelay of simulated time each
	if got, want := got.Time.Sub(trace.Invocations[0].Time), 2*esm.RetryDelay; got != want {
		t.Errorf("time to give up: got %v, want %v", got, want)
	}
}

func TestKinesisRecordAge(t *testing.T) {
	tests := []struct {
		name        string
		destination bool
		want        esm.State
	}{
		{"old records expire without a destination", false, esm.Expired},
		{"old records go to the destination", true, esm.DeadLettered},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			sim := esm.NewKinesis("stream", esm.StreamConfig{MaximumRecordAge: time.Minute, OnFailureDestination: tt.destination})
			old := sim.Put("k", []byte("old"))
			sim.Advance(2 * time.Minute)
			fresh := sim.Put("k", []byte("fresh"))
			h, batches := kinesisScript(answer{})
			trace := sim.Run(context.Background(), h)
			if err := trace.InState(tt.want, old); err != nil {
				t.Error(err)
			}
			if err := trace.InState(esm.Processed, fresh); err != nil {
				t.Error(err)
			}
			if len(*batches) != 1 || !equal((*batches)[0], []string{"fresh"}) {
				t.Errorf("batches: got %v, want [[fresh]]", *batches)
			}
			if tt.destination && (len(trace.Destination) != 1 || trace.Destination[0].Condition != "RecordAgeExceeded") {
				t.Errorf("destination: got %+v, want one RecordAgeExceeded", trace.Destination)
			}
		})
	}
}

func TestKinesisShards(t *testing.T) {
	t.Run("a stuck shard does not hold back the others", func(t *testing.T) {
		sim := esm.NewKinesis("stream", esm.StreamConfig{Shards: 4, MaximumRetryAttempts: -1, MaxInvocations: 20})
		var poison, other string
		for i := 0; poison == "" || other == ""; i++ {
			key := string(rune('a' + i))
			seq := sim.Put(key, []byte(key))
			if i == 0 {
				poison = seq
			} else if other == "" && batchtest.NewKinesisStream("stream", 4).ShardID(key) != batchtest.NewKinesisStream("stream", 4).ShardID("a") {
				other = seq
			}
		}
		h, _ := kinesisScript(answer{report: []string{"a"}})
		trace := sim.Run(context.Background(), h)
		if !trace.Stopped {
			t.Errorf("stopped: got false, want true (poison retried forever)")
		}
		if err := trace.InState(esm.Pending, poison); err != nil {
			t.Error(err)
		}
		if err := trace.InState(esm.Processed, other); err != nil {
			t.Error(err)
		}
	})
}

func TestKinesisShardsTakeTurns(t *testing.T) {
	sim := esm.NewKinesis("stream", esm.StreamConfig{Shards: 2, BatchSize: 1})
	ref := batchtest.NewKinesisStream("stream", 2)
	keys := map[string]string{}
	for i := 0; len(keys) < 2; i++ {
		k := "k" + fmt.Sprint(i)
		if _, ok := keys[ref.ShardID(k)]; !ok {
			keys[ref.ShardID(k)] = k
		}
	}
	for i := 0; i < 2; i++ {
		for _, k := range keys {
			sim.Put(k, []byte(k))
		}
	}
	h, _ := kinesisScript(answer{})
	trace := sim.Run(context.Background(), h)
	var got []string
	for _, inv := range trace.Invocations {
		got = append(got, inv.Shard)
	}
	want := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000000", "shardId-000000000001"}
	if !equal(got, want) {
		t.Errorf("shards read: got %v, want %v", got, want)
	}
}

func TestDynamoDBSimulator(t *testing.T) {
	t.Run("records of an item keep their order and images", func(t *testing.T) {
		sim := esm.NewDynamoDB("orders", esm.StreamConfig{Shards: 2, BatchSize: 10, MaximumRetryAttempts: 3})
		key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
		s1 := sim.Insert(key, batchtest.Item{"status": events.NewStringAttribute("new")})
		s2 := sim.Modify(key, batchtest.Item{"status": events.NewStringAttribute("new")}, batchtest.Item{"status": events.NewStringAttribute("paid")})
		s3 := sim.Remove(key, batchtest.Item{"status": events.NewStringAttribute("paid")})
		var names []string
		trace := sim.Run(context.Background(), batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
			names = append(names, r.EventName)
			if r.EventName != "REMOVE" && r.Change.NewImage["pk"].String() != "order#1" {
				t.Errorf("NewImage: got %v, want the key attributes in it", r.Change.NewImage)
			}
			return nil
		}, batch.Options{}))
		if want := []string{"INSERT", "MODIFY", "REMOVE"}; !equal(names, want) {
			t.Errorf("event names: got %v, want %v", names, want)
		}
		if err := trace.InState(esm.Processed, s1, s2, s3); err != nil {
			t.Error(err)
		}
		if !(s1 < s2 && s2 < s3) {
			t.Errorf("sequence numbers: got %s, %s, %s, want increasing", s1, s2, s3)
		}
	})
	t.Run("a later record of an item that succeeds first is an order violation", func(t *testing.T) {
		sim := esm.NewDynamoDB("orders", esm.StreamConfig{MaximumRetryAttempts: 3})
		key := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
		s1 := sim.Insert(key, batchtest.Item{})
		sim.Modify(key, batchtest.Item{}, batchtest.Item{})
		calls := 0
		trace := sim.Run(context.Background(), lambda.NewHandler(func(_ context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			calls++
			if calls == 1 {
				return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: s1}}}, nil
			}
			return events.DynamoDBEventResponse{}, nil
		}))
		if len(trace.OrderViolations) != 1 {
			t.Errorf("order violations: got %v, want 1", trace.OrderViolations)
		}
	})
	t.Run("a Function with SkipGroupOnError holds back the failed item only", func(t *testing.T) {
		sim := esm.NewDynamoDB("orders", esm.StreamConfig{MaximumRetryAttempts: 3})
		one := batchtest.Item{"pk": events.NewStringAttribute("order#1")}
		two := batchtest.Item{"pk": events.NewStringAttribute("order#2")}
		a1 := sim.Insert(one, batchtest.Item{})
		b1 := sim.Insert(two, batchtest.Item{})
		a2 := sim.Modify(one, batchtest.Item{}, batchtest.Item{})
		failed := false
		trace := sim.Run(context.Background(), batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
			if r.Change.SequenceNumber == a1 && !failed {
				failed = true
				return errFunction
			}
			return nil
		}, batch.Options{SkipGroupOnError: true}))
		// Lambda re-reads from the lowest reported record, so b1, which
		// had succeeded, comes back too.
		if got, want := trace.Invocations[0].Failed, []string{a1, b1, a2}; !equal(got, want) {
			t.Errorf("first invocation: got %v to read again, want %v", got, want)
		}
		if err := trace.Drained(); err != nil {
			t.Error(err)
		}
		if len(trace.OrderViolations) != 0 {
			t.Errorf("order violations: got %v, want none", trace.OrderViolations)
		}
		if got := trace.Duplicates(); got != 1 {
			t.Errorf("duplicates: got %d, want 1 (b1)", got)
		}
	})
}

func TestKafkaSimulator(t *testing.T) {
	t.Run("a partition resumes from the lowest reported offset", func(t *testing.T) {
		sim := esm.NewKafka("payments", esm.StreamConfig{Shards: 2, MaximumRetryAttempts: 2, OnFailureDestination: true})
		for i := 0; i < 6; i++ {
			sim.Produce([]byte("acct-"+string(rune('a'+i%3))), []byte{byte('0' + i)})
		}
		calls := 0
		var failedID string
		trace := sim.Run(context.Background(), lambda.NewHandler(func(_ context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
			calls++
			resp := batch.KafkaEventResponse{BatchItemFailures: []batch.KafkaBatchItemFailure{}}
			if calls == 1 {
				for _, recs := range ev.Records {
					r := recs[len(recs)-1]
					failedID = batchtest.KafkaID(r)
					resp.BatchItemFailures = append(resp.BatchItemFailures, batch.KafkaBatchItemFailure{ItemIdentifier: kafkaItem(r)})
				}
			}
			return resp, nil
		}))
		if err := trace.Drained(); err != nil {
			t.Error(err)
		}
		r, _ := trace.Record(failedID)
		if r.Deliveries != 2 {
			t.Errorf("deliveries of %s: got %d, want 2", failedID, r.Deliveries)
		}
		if got := trace.Duplicates(); got != 0 {
			t.Errorf("duplicates: got %d, want 0 (the failed record was last)", got)
		}
		if r.Shard != "payments-0" && r.Shard != "payments-1" {
			t.Errorf("shard: got %q, want a topic-partition", r.Shard)
		}
	})
	t.Run("an identifier with an unknown offset fails the whole batch", func(t *testing.T) {
		sim := esm.NewKafka("payments", esm.StreamConfig{MaximumRetryAttempts: 1})
		sim.Produce([]byte("k"), []byte("v"))
		calls := 0
		trace := sim.Run(context.Background(), lambda.NewHandler(func(_ context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
			calls++
			if calls > 1 {
				return batch.KafkaEventResponse{}, nil
			}
			return batch.KafkaEventResponse{BatchItemFailures: []batch.KafkaBatchItemFailure{
				{ItemIdentifier: batch.KafkaItemIdentifier{Partition: "payments-0", Offset: 99}},
			}}, nil
		}))
		if got := trace.Invocations[0].Verdict; got != esm.BatchFailed {
			t.Errorf("verdict: got %v, want %v", got, esm.BatchFailed)
		}
		if err := trace.Drained(); err != nil {
			t.Error(err)
		}
	})
	// A *batch.Function writes the identifier under "partition", the key
	// Lambda reads, so its partial failures are partial failures in the
	// simulator too.
	t.Run("a Function's failed record is read again from its offset", func(t *testing.T) {
		sim := esm.NewKafka("payments", esm.StreamConfig{MaximumRetryAttempts: 1})
		ids := []string{
			sim.Produce([]byte("k"), []byte(`1`)),
			sim.Produce([]byte("k"), []byte(`2`)),
			sim.Produce([]byte("k"), []byte(`3`)),
		}
		failed := false
		trace := sim.Run(context.Background(), batch.New(batch.Kafka(), func(_ context.Context, n int) error {
			if n == 2 && !failed {
				failed = true
				return errFunction
			}
			return nil
		}, batch.Options{}))
		first := trace.Invocations[0]
		if first.Verdict != esm.PartialFailure || !equal(first.Reported, ids[1:2]) || !equal(first.Failed, ids[1:]) {
			t.Errorf("first invocation: got %v reporting %v, %v read again (%s); want a partial failure reporting %v, %v read again",
				first.Verdict, first.Reported, first.Failed, first.Reason, ids[1:2], ids[1:])
		}
		if err := trace.InState(esm.Processed, ids...); err != nil {
			t.Error(err)
		}
		if got := trace.Duplicates(); got != 1 {
			t.Errorf("duplicates: got %d, want 1 (offset 2, which had succeeded)", got)
		}
	})
}
