package batch_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

const (
	fifoARN     = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
	standardARN = "arn:aws:sqs:us-east-1:123456789012:orders"
)

// groupEvent builds an SQS event from "do/group" specs such as "fail/g1";
// an empty group means no MessageGroupId.
func groupEvent(arn string, specs ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, s := range specs {
		do, group, _ := strings.Cut(s, "/")
		m := events.SQSMessage{MessageId: fmt.Sprintf("m%d", i), Body: do, EventSourceARN: arn, EventSource: "aws:sqs"}
		if group != "" {
			m.Attributes = map[string]string{"MessageGroupId": group}
		}
		ev.Records = append(ev.Records, m)
	}
	return ev
}

// recorder is a handler that notes which records it was called for, checks
// that no two records of one group run at once, and fails or succeeds as the
// body says.
type recorder struct {
	mu       sync.Mutex
	called   []string
	inFlight map[string]bool
	overlap  []string
	delay    time.Duration
}

func (r *recorder) handle(ctx context.Context, m events.SQSMessage) error {
	g := m.Attributes["MessageGroupId"]
	r.mu.Lock()
	if r.inFlight == nil {
		r.inFlight = map[string]bool{}
	}
	if g != "" && r.inFlight[g] {
		r.overlap = append(r.overlap, m.MessageId)
	}
	r.inFlight[g] = true
	r.called = append(r.called, m.MessageId)
	r.mu.Unlock()
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	r.mu.Lock()
	r.inFlight[g] = false
	r.mu.Unlock()
	return sqsDo(ctx, m)
}

func TestFIFO(t *testing.T) {
	tests := []struct {
		name       string
		opts       batch.Options
		arn        string
		specs      []string
		wantCalled []string
		wantFailed []string
		wantErr    bool
	}{
		{
			name:       "detected from the .fifo ARN: the first failure stops the batch",
			arn:        fifoARN,
			specs:      []string{"ok/g1", "fail/g1", "ok/g2", "ok/g3"},
			wantCalled: []string{"m0", "m1"},
			wantFailed: []string{"m1", "m2", "m3"},
		},
		{
			name:       "documented case, default: everything from the first failure on",
			arn:        fifoARN,
			specs:      []string{"fail/g1", "ok/g1", "fail/g2", "ok/g2", "ok/g3"},
			wantCalled: []string{"m0"},
			wantFailed: []string{"m0", "m1", "m2", "m3", "m4"},
			wantErr:    true,
		},
		{
			name:       "documented case, skip group: only the failed groups",
			opts:       batch.Options{SkipGroupOnError: true},
			arn:        fifoARN,
			specs:      []string{"fail/g1", "ok/g1", "fail/g2", "ok/g2", "ok/g3"},
			wantCalled: []string{"m0", "m2", "m4"},
			wantFailed: []string{"m0", "m1", "m2", "m3"},
		},
		{
			name:       "full batch error can be turned off for FIFO",
			opts:       batch.Options{NoBatchError: true},
			arn:        fifoARN,
			specs:      []string{"fail/g1", "ok/g1"},
			wantCalled: []string{"m0"},
			wantFailed: []string{"m0", "m1"},
		},
		{
			name:       "skip group: messages without a group are independent",
			opts:       batch.Options{SkipGroupOnError: true},
			arn:        fifoARN,
			specs:      []string{"fail/", "ok/", "fail/g1", "ok/", "ok/g1"},
			wantCalled: []string{"m0", "m1", "m2", "m3"},
			wantFailed: []string{"m0", "m2", "m4"},
		},
		{
			name:       "a standard queue with group ids (fair queue) is not FIFO",
			arn:        standardARN,
			specs:      []string{"fail/g1", "ok/g1", "ok/g2"},
			wantCalled: []string{"m0", "m1", "m2"},
			wantFailed: []string{"m0"},
		},
		{
			name:       "Options.FIFO forces FIFO on a standard ARN",
			opts:       batch.Options{FIFO: true},
			arn:        standardARN,
			specs:      []string{"ok/g1", "fail/g1", "ok/g2"},
			wantCalled: []string{"m0", "m1"},
			wantFailed: []string{"m1", "m2"},
		},
		{
			name:       "FIFO without skip group stays sequential whatever the concurrency",
			opts:       batch.Options{Concurrency: 8},
			arn:        fifoARN,
			specs:      []string{"ok/g1", "ok/g2", "fail/g3", "ok/g4", "ok/g5"},
			wantCalled: []string{"m0", "m1", "m2"},
			wantFailed: []string{"m2", "m3", "m4"},
		},
		{
			name:       "StopOnFirstFailure wins over SkipGroupOnError",
			opts:       batch.Options{SkipGroupOnError: true, StopOnFirstFailure: true},
			arn:        fifoARN,
			specs:      []string{"ok/g1", "fail/g1", "ok/g2"},
			wantCalled: []string{"m0", "m1"},
			wantFailed: []string{"m1", "m2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			ev := groupEvent(tt.arn, tt.specs...)
			resp, err := batch.New(batch.SQS(), r.handle, tt.opts).Handle(context.Background(), ev)
			if (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want error: %v", err, tt.wantErr)
			}
			if !equalStrings(r.called, tt.wantCalled) {
				t.Errorf("handler called for %v, want %v", r.called, tt.wantCalled)
			}
			if got := failedIDs(resp); !equalStrings(got, tt.wantFailed) {
				t.Errorf("got failures %v, want %v", got, tt.wantFailed)
			}
		})
	}
}

func TestSkippedRecordsCarryErrSkipped(t *testing.T) {
	ev := groupEvent(fifoARN, "ok/g1", "fail/g1", "ok/g2")
	_, rep := batch.New(batch.SQS(), sqsDo, batch.Options{}).Process(context.Background(), ev)
	if got := rep.Results[1]; got.Outcome != batch.Failed || errors.Is(got.Err, batch.ErrSkipped) {
		t.Errorf("failed record: got %v / %v, want failed with the handler's error", got.Outcome, got.Err)
	}
	got := rep.Results[2]
	if got.Outcome != batch.NotProcessed || !errors.Is(got.Err, batch.ErrSkipped) {
		t.Errorf("later record: got %v / %v, want not processed with ErrSkipped", got.Outcome, got.Err)
	}
}

func TestNoStateSurvivesBetweenInvocations(t *testing.T) {
	var r recorder
	fn := batch.New(batch.SQS(), r.handle, batch.Options{SkipGroupOnError: true})
	// Every record of the first batch fails (one error, one skip): the error
	// is expected and not what this test is about.
	resp, _ := fn.Handle(context.Background(), groupEvent(fifoARN, "fail/g1", "ok/g1"))
	if len(resp.BatchItemFailures) != 2 {
		t.Fatalf("first invocation: got %d failures, want 2", len(resp.BatchItemFailures))
	}
	r = recorder{}
	resp, err := fn.Handle(context.Background(), groupEvent(fifoARN, "ok/g1", "ok/g1"))
	if err != nil || len(resp.BatchItemFailures) != 0 || len(r.called) != 2 {
		t.Errorf("second invocation: got %v, %v, called %v; want group g1 handled normally", resp.BatchItemFailures, err, r.called)
	}
}

// TestGroupParallelEqualsSequential runs many random FIFO batches with skip
// group, sequentially and with several workers, and checks that the
// response, the outcome of every record and the set of handled records are
// the same, and that no two records of one group ever ran at once.
func TestGroupParallelEqualsSequential(t *testing.T) {
	rng := rand.New(rand.NewSource(45))
	for iter := 0; iter < 300; iter++ {
		n := 1 + rng.Intn(40)
		groups := 1 + rng.Intn(8)
		failRate := rng.Float64() * 0.5
		specs := make([]string, n)
		for i := range specs {
			do := "ok"
			switch x := rng.Float64(); {
			case x < failRate*0.8:
				do = "fail"
			case x < failRate:
				do = "panic"
			}
			g := fmt.Sprintf("g%d", rng.Intn(groups))
			if rng.Intn(10) == 0 {
				g = "" // no group: independent
			}
			specs[i] = do + "/" + g
		}
		ev := groupEvent(fifoARN, specs...)
		var seq recorder
		seqResp, seqRep := batch.New(batch.SQS(), seq.handle, batch.Options{SkipGroupOnError: true}).Process(context.Background(), ev)
		for _, workers := range []int{2, 5, -1} {
			par := recorder{delay: time.Duration(rng.Intn(2)) * 50 * time.Microsecond}
			parResp, parRep := batch.New(batch.SQS(), par.handle, batch.Options{SkipGroupOnError: true, Concurrency: workers}).Process(context.Background(), ev)
			if got, want := failedIDs(parResp), failedIDs(seqResp); !equalStrings(got, want) {
				t.Fatalf("batch %v, %d workers: got failures %v, want %v (sequential)", specs, workers, got, want)
			}
			for i := 0; i < n; i++ {
				if g, s := parRep.Results[i].Outcome, seqRep.Results[i].Outcome; g != s {
					t.Fatalf("batch %v, %d workers: record %d outcome %v, want %v", specs, workers, i, g, s)
				}
				if g, want := parRep.Results[i].Group, ev.Records[i].Attributes["MessageGroupId"]; g != want {
					t.Fatalf("batch %v, %d workers: record %d group %q, want %q", specs, workers, i, g, want)
				}
			}
			if !sameSet(par.called, seq.called) {
				t.Fatalf("batch %v, %d workers: handled %v, want %v", specs, workers, par.called, seq.called)
			}
			if len(par.overlap) > 0 {
				t.Fatalf("batch %v, %d workers: records %v ran while another of their group was running", specs, workers, par.overlap)
			}
			if !groupOrderKept(ev, par.called) {
				t.Fatalf("batch %v, %d workers: group order broken in %v", specs, workers, par.called)
			}
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

// groupOrderKept reports whether, within each group, the handled messages
// were called in input order.
func groupOrderKept(ev events.SQSEvent, called []string) bool {
	pos := map[string]int{}
	group := map[string]string{}
	for i, m := range ev.Records {
		pos[m.MessageId] = i
		group[m.MessageId] = m.Attributes["MessageGroupId"]
	}
	last := map[string]int{}
	for _, id := range called {
		g := group[id]
		if g == "" {
			continue
		}
		if p, ok := last[g]; ok && pos[id] < p {
			return false
		}
		last[g] = pos[id]
	}
	return true
}

func kinesisEvent(specs ...string) events.KinesisEvent {
	var ev events.KinesisEvent
	for i, s := range specs {
		do, key, _ := strings.Cut(s, "/")
		ev.Records = append(ev.Records, events.KinesisEventRecord{
			EventSource: "aws:kinesis",
			Kinesis:     events.KinesisRecord{SequenceNumber: fmt.Sprintf("%d", 1000+i), PartitionKey: key, Data: []byte(do)},
		})
	}
	return ev
}

func TestStreams(t *testing.T) {
	tests := []struct {
		name       string
		opts       batch.Options
		specs      []string
		wantCalled []string
		wantFailed []string
	}{
		{
			name:       "default: every record handled, failures reported",
			specs:      []string{"ok/a", "fail/a", "ok/b", "ok/a"},
			wantCalled: []string{"1000", "1001", "1002", "1003"},
			wantFailed: []string{"1001"},
		},
		{
			name:       "stop on first failure reports the failed record and every later one",
			opts:       batch.Options{StopOnFirstFailure: true, Concurrency: 4},
			specs:      []string{"ok/a", "fail/b", "ok/c", "ok/a"},
			wantCalled: []string{"1000", "1001"},
			wantFailed: []string{"1001", "1002", "1003"},
		},
		{
			name:       "skip group stops only the failed partition key",
			opts:       batch.Options{SkipGroupOnError: true},
			specs:      []string{"ok/a", "fail/b", "ok/a", "ok/b", "fail/a", "ok/a"},
			wantCalled: []string{"1000", "1001", "1002", "1004"},
			wantFailed: []string{"1001", "1003", "1004", "1005"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var called []string
			fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error {
				mu.Lock()
				called = append(called, r.Kinesis.SequenceNumber)
				mu.Unlock()
				return doRecord(ctx, rec{Do: string(r.Kinesis.Data)})
			}, tt.opts)
			resp, err := fn.Handle(context.Background(), kinesisEvent(tt.specs...))
			if err != nil {
				t.Fatal(err)
			}
			if !sameSet(called, tt.wantCalled) {
				t.Errorf("handler called for %v, want %v", called, tt.wantCalled)
			}
			var got []string
			for _, f := range resp.BatchItemFailures {
				got = append(got, f.ItemIdentifier)
			}
			if !equalStrings(got, tt.wantFailed) {
				t.Errorf("got failures %v, want %v", got, tt.wantFailed)
			}
		})
	}
}

// TestStreamKeysStayInOrderUnderConcurrency checks that with many workers,
// records of one partition key (Kinesis) or one item (DynamoDB) are never
// handled at the same time and are handled in input order.
func TestStreamKeysStayInOrderUnderConcurrency(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var kev events.KinesisEvent
	var dev events.DynamoDBEvent
	for i := 0; i < 300; i++ {
		key := fmt.Sprintf("k%d", rng.Intn(12))
		seq := fmt.Sprintf("%06d", i)
		kev.Records = append(kev.Records, events.KinesisEventRecord{Kinesis: events.KinesisRecord{SequenceNumber: seq, PartitionKey: key}})
		dev.Records = append(dev.Records, events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq,
			Keys: map[string]events.DynamoDBAttributeValue{
				"pk": events.NewStringAttribute(key),
				"sk": events.NewNumberAttribute("1"),
			},
		}})
	}
	check := func(t *testing.T, run func(h func(key, seq string) error)) {
		var mu sync.Mutex
		inFlight := map[string]bool{}
		last := map[string]string{}
		var problems []string
		run(func(key, seq string) error {
			mu.Lock()
			if inFlight[key] {
				problems = append(problems, "overlap on "+key)
			}
			if last[key] > seq {
				problems = append(problems, fmt.Sprintf("%s: %s after %s", key, seq, last[key]))
			}
			inFlight[key], last[key] = true, seq
			mu.Unlock()
			time.Sleep(20 * time.Microsecond)
			mu.Lock()
			inFlight[key] = false
			mu.Unlock()
			return nil
		})
		if len(problems) > 0 {
			t.Errorf("ordering broken: %v", problems)
		}
		if len(last) != 12 {
			t.Errorf("got %d keys handled, want 12", len(last))
		}
	}
	opts := batch.Options{Concurrency: 6}
	t.Run("kinesis partition keys", func(t *testing.T) {
		check(t, func(h func(key, seq string) error) {
			fn := batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error {
				return h(r.Kinesis.PartitionKey, r.Kinesis.SequenceNumber)
			}, opts)
			if _, err := fn.Handle(context.Background(), kev); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("dynamodb item keys", func(t *testing.T) {
		check(t, func(h func(key, seq string) error) {
			fn := batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
				return h(r.Change.Keys["pk"].String(), r.Change.SequenceNumber)
			}, opts)
			if _, err := fn.Handle(context.Background(), dev); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestDynamoDBItemKeyDistinguishesKeys(t *testing.T) {
	// Keys that a naive concatenation would confuse must be different
	// groups: with skip group, a failure of one must not skip the other.
	mk := func(seq string, keys map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{SequenceNumber: seq, Keys: keys}}
	}
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		mk("1", map[string]events.DynamoDBAttributeValue{"a": events.NewStringAttribute("b:c")}),
		mk("2", map[string]events.DynamoDBAttributeValue{"a": events.NewStringAttribute("b"), "c": events.NewStringAttribute("")}),
		mk("3", map[string]events.DynamoDBAttributeValue{"a": events.NewNumberAttribute("1")}),
		mk("4", map[string]events.DynamoDBAttributeValue{"a": events.NewStringAttribute("1")}),
		mk("5", map[string]events.DynamoDBAttributeValue{"a": events.NewBinaryAttribute([]byte("x")), "m": events.NewMapAttribute(nil)}),
		mk("6", map[string]events.DynamoDBAttributeValue{"a": events.NewStringAttribute("b:c")}),
	}}
	fail := map[string]bool{"1": true, "3": true}
	fn := batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
		if fail[r.Change.SequenceNumber] {
			return errAsked
		}
		return nil
	}, batch.Options{SkipGroupOnError: true})
	resp, err := fn.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range resp.BatchItemFailures {
		got = append(got, f.ItemIdentifier)
	}
	if want := []string{"1", "3", "6"}; !equalStrings(got, want) {
		t.Errorf("got failures %v, want %v (only record 6 shares a key with a failed one)", got, want)
	}
}

func TestDynamoDBUnreadableKeyDoesNotPanic(t *testing.T) {
	// A zero DynamoDBAttributeValue cannot come from JSON but can be built in
	// Go; reading it panics in aws-lambda-go. Records with such a key must
	// still be processed, in one ordering group, with the call not crashing.
	mk := func(seq string, av events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{SequenceNumber: seq, Keys: map[string]events.DynamoDBAttributeValue{"id": av}}}
	}
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		mk("1", events.DynamoDBAttributeValue{}),
		mk("2", events.NewStringAttribute("x")),
		mk("3", events.DynamoDBAttributeValue{}),
	}}
	for _, opts := range []batch.Options{{Concurrency: 2}, {SkipGroupOnError: true}, {Concurrency: 2, SkipGroupOnError: true}} {
		var mu sync.Mutex
		var seen []string
		fn := batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
			mu.Lock()
			seen = append(seen, r.Change.SequenceNumber)
			mu.Unlock()
			if r.Change.SequenceNumber == "1" {
				return errAsked
			}
			return nil
		}, opts)
		resp, err := fn.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range resp.BatchItemFailures {
			got = append(got, f.ItemIdentifier)
		}
		want := []string{"1"}
		if opts.SkipGroupOnError {
			want = []string{"1", "3"} // 3 shares the unreadable key of 1
		}
		if !equalStrings(got, want) {
			t.Errorf("%+v: got failures %v, want %v (handled %v)", opts, got, want, seen)
		}
		// The report reads the keys again, for Result.Group.
		_, rep := fn.Process(context.Background(), ev)
		if g := rep.Results; len(g) != 3 || g[0].Group != g[2].Group || g[0].Group == g[1].Group {
			t.Errorf("%+v: got results %+v, want records 1 and 3 in one group, 2 in another", opts, g)
		}
	}
}
