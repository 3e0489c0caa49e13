package esm_test

// Property tests of the core engine, driven through the simulators: for
// random batches, random Options and handlers that fail, panic or overrun
// the deadline at random, every record must end processed or
// dead-lettered, nothing may be processed without the handler succeeding
// with it, and ordering must hold where the settings promise it. Even
// seeds run the *batch.Function itself, odd seeds a handler function that
// calls its Handle method, made a lambda.Handler: the same engine behind
// both ways Lambda reaches it.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// fault says how a record misbehaves: it fails on its first `fails`
// deliveries (always when fails < 0), in the way `how` says.
type fault struct {
	fails int
	how   string // "error", "panic" or "slow" (blocks until its context ends)
}

// world is the handler side of one property run: the plan of faults, and
// what the handler saw.
type world struct {
	mu        sync.Mutex
	plan      map[string]fault
	key       map[string]string // payload -> ordering key
	index     map[string]int    // payload -> send order
	attempts  map[string]int
	successes map[string]int
	first     map[string][]int // key -> send index of each first success, in order
	inflight  map[string]int
	overlaps  []string
}

// newWorld draws n records spread over keys ordering keys; in a deadline
// run some records are slow on their first delivery.
func newWorld(rng *rand.Rand, n, keys int, deadline bool) (*world, []string) {
	w := &world{
		plan: map[string]fault{}, key: map[string]string{}, index: map[string]int{},
		attempts: map[string]int{}, successes: map[string]int{}, first: map[string][]int{}, inflight: map[string]int{},
	}
	payloads := make([]string, n)
	slow := 0
	for i := range payloads {
		p := "rec-" + strconv.Itoa(i)
		payloads[i] = p
		w.key[p] = "key-" + strconv.Itoa(rng.Intn(keys))
		w.index[p] = i
		switch r := rng.Intn(10); {
		case r == 0:
			w.plan[p] = fault{fails: -1, how: "error"}
		case r == 1:
			w.plan[p] = fault{fails: -1, how: "panic"}
		case r <= 3:
			w.plan[p] = fault{fails: 1 + rng.Intn(2), how: "error"}
		case r == 4:
			w.plan[p] = fault{fails: 1, how: "panic"}
		case r == 5 && deadline && slow < 2:
			slow++
			w.plan[p] = fault{fails: 1, how: "slow"}
		}
	}
	return w, payloads
}

// handle is the record handler.
func (w *world) handle(ctx context.Context, payload string) error {
	w.mu.Lock()
	n := w.attempts[payload]
	w.attempts[payload]++
	f := w.plan[payload]
	key := w.key[payload]
	w.inflight[key]++
	if w.inflight[key] > 1 {
		w.overlaps = append(w.overlaps, payload)
	}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.inflight[key]--
		w.mu.Unlock()
	}()
	if f.fails < 0 || n < f.fails {
		switch f.how {
		case "error":
			return errors.New("failed")
		case "panic":
			panic("poison " + payload)
		case "slow":
			<-ctx.Done()
			return context.Cause(ctx)
		}
	}
	w.mu.Lock()
	if w.successes[payload] == 0 {
		w.first[key] = append(w.first[key], w.index[payload])
	}
	w.successes[payload]++
	w.mu.Unlock()
	return nil
}

// randomOptions draws the settings of the engine.
func randomOptions(rng *rand.Rand) batch.Options {
	return batch.Options{
		Concurrency:        []int{0, 1, 2, 3, 8, -1}[rng.Intn(6)],
		SkipGroupOnError:   rng.Intn(2) == 0,
		StopOnFirstFailure: rng.Intn(4) == 0,
		NoBatchError:       rng.Intn(2) == 0,
	}
}

// check asserts the properties every run must have. payloadOf maps the
// trace's record ids to payloads; ordered says whether the settings
// promise that the records of a key succeed in order; keyed whether the
// records of a key must never run at the same time. That last promise
// holds within an invocation only: a handler the Function abandons at the
// deadline (when the machine is too loaded for it to see its cancelled
// context in time) may still be running when the next invocation starts,
// as it would in Lambda, so deadline runs do not check it.
func (w *world) check(t *testing.T, trace *esm.Trace, payloadOf func(esm.Record) string, ordered, keyed bool) {
	t.Helper()
	if err := trace.Drained(); err != nil {
		t.Error(err)
	}
	for _, r := range trace.Records {
		p := payloadOf(r)
		if r.State == esm.Processed && w.successes[p] == 0 {
			t.Errorf("%s: got processed, but the handler never succeeded with it (lost)", p)
		}
		if f := w.plan[p]; f.fails < 0 && r.State != esm.DeadLettered {
			t.Errorf("poison %s: got %s, want dead-lettered", p, r.State)
		}
	}
	if keyed && len(w.overlaps) > 0 {
		t.Errorf("records of one key handled at the same time: %v", w.overlaps)
	}
	if ordered {
		if len(trace.OrderViolations) > 0 {
			t.Errorf("order violations: got %v, want none", trace.OrderViolations)
		}
		for key, idx := range w.first {
			if !sort.IntsAreSorted(idx) {
				t.Errorf("key %s: records first succeeded in order %v, want send order", key, idx)
			}
		}
	}
}

const deadlineEvery = 40 // one iteration in deadlineEvery runs with a function timeout

// functionTimeout is the real-time function timeout of deadline runs: the
// Function's margin is then half of it, so a slow record costs about
// 50 ms of wall time.
const functionTimeout = 100 * time.Millisecond

func TestPropertySQS(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		fifo := fifo // captured by the subtest's closure
		name, queue := "standard", "queue"
		if fifo {
			name, queue = "fifo", "queue.fifo"
		}
		t.Run(name, func(t *testing.T) {
			for seed := int64(0); seed < 200; seed++ {
				rng := rand.New(rand.NewSource(seed))
				deadline := seed%deadlineEvery == 0
				p := randomOptions(rng)
				cfg := esm.SQSConfig{
					BatchSize:       1 + rng.Intn(10),
					MaxReceiveCount: 1 + rng.Intn(4),
					MaxInvocations:  100000,
				}
				if deadline {
					cfg.Timeout = functionTimeout
				}
				w, payloads := newWorld(rng, 1+rng.Intn(30), 1+rng.Intn(5), deadline)
				sim := esm.NewSQS(queue, cfg)
				for _, pl := range payloads {
					sim.SendGroup(w.key[pl], pl)
				}
				fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error { return w.handle(ctx, m.Body) }, p)
				trace := sim.Run(context.Background(), either(seed, fn))
				t.Run(fmt.Sprintf("seed=%d %+v %+v", seed, p, cfg), func(t *testing.T) {
					w.check(t, trace, func(r esm.Record) string { return r.Payload }, fifo, fifo && !deadline)
					for _, r := range trace.Records {
						if r.Deliveries > cfg.MaxReceiveCount {
							t.Errorf("%s: got %d deliveries, want at most maxReceiveCount %d", r.Payload, r.Deliveries, cfg.MaxReceiveCount)
						}
					}
					if got := trace.Duplicates(); !deadline && got != 0 {
						t.Errorf("duplicates: got %d, want 0", got)
					}
				})
			}
		})
	}
}

func TestPropertyKinesis(t *testing.T) {
	for seed := int64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewSource(seed))
		deadline := seed%deadlineEvery == 0
		p := randomOptions(rng)
		cfg := randomStreamConfig(rng, deadline)
		w, payloads := newWorld(rng, 1+rng.Intn(30), 1+rng.Intn(5), deadline)
		sim := esm.NewKinesis("stream", cfg)
		for _, pl := range payloads {
			sim.Put(w.key[pl], []byte(pl))
		}
		fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error {
			return w.handle(ctx, string(r.Kinesis.Data))
		}, p)
		trace := sim.Run(context.Background(), either(seed, fn))
		t.Run(fmt.Sprintf("seed=%d %+v %+v", seed, p, cfg), func(t *testing.T) {
			checkStream(t, w, p, trace, func(r esm.Record) string { return r.Payload }, deadline)
		})
	}
}

func TestPropertyDynamoDB(t *testing.T) {
	for seed := int64(0); seed < 120; seed++ {
		rng := rand.New(rand.NewSource(seed))
		deadline := seed%deadlineEvery == 0
		p := randomOptions(rng)
		cfg := randomStreamConfig(rng, deadline)
		w, payloads := newWorld(rng, 1+rng.Intn(30), 1+rng.Intn(5), deadline)
		sim := esm.NewDynamoDB("table", cfg)
		bySeq := map[string]string{}
		for _, pl := range payloads {
			keys := batchtest.Item{"pk": events.NewStringAttribute(w.key[pl])}
			seq := sim.Modify(keys, batchtest.Item{}, batchtest.Item{"id": events.NewStringAttribute(pl)})
			bySeq[seq] = pl
		}
		fn := batch.New(batch.DynamoDB(), func(ctx context.Context, r events.DynamoDBEventRecord) error {
			return w.handle(ctx, r.Change.NewImage["id"].String())
		}, p)
		trace := sim.Run(context.Background(), either(seed, fn))
		t.Run(fmt.Sprintf("seed=%d %+v %+v", seed, p, cfg), func(t *testing.T) {
			checkStream(t, w, p, trace, func(r esm.Record) string { return bySeq[r.ID] }, deadline)
		})
	}
}

func TestPropertyKafka(t *testing.T) {
	for seed := int64(0); seed < 120; seed++ {
		rng := rand.New(rand.NewSource(seed))
		deadline := seed%deadlineEvery == 0
		p := randomOptions(rng)
		cfg := randomStreamConfig(rng, deadline)
		w, payloads := newWorld(rng, 1+rng.Intn(30), 1+rng.Intn(5), deadline)
		sim := esm.NewKafka("topic", cfg)
		for _, pl := range payloads {
			sim.Produce([]byte(w.key[pl]), []byte(pl))
		}
		fn := batch.New(batch.Kafka(), func(ctx context.Context, r events.KafkaRecord) error {
			v, err := base64.StdEncoding.DecodeString(r.Value)
			if err != nil {
				return err
			}
			return w.handle(ctx, string(v))
		}, p)
		trace := sim.Run(context.Background(), either(seed, fn))
		t.Run(fmt.Sprintf("seed=%d %+v %+v", seed, p, cfg), func(t *testing.T) {
			checkStream(t, w, p, trace, func(r esm.Record) string { return r.Payload }, deadline)
		})
	}
}

func randomStreamConfig(rng *rand.Rand, deadline bool) esm.StreamConfig {
	cfg := esm.StreamConfig{
		Shards:                     1 + rng.Intn(3),
		BatchSize:                  1 + rng.Intn(10),
		MaximumRetryAttempts:       rng.Intn(4),
		BisectBatchOnFunctionError: rng.Intn(2) == 0,
		OnFailureDestination:       true,
		MaxInvocations:             100000,
	}
	if deadline {
		cfg.Timeout = functionTimeout
	}
	return cfg
}

// checkStream asserts the stream properties: ordering per key holds when
// a failure stops the rest of its key (SkipGroupOnError) or of the batch
// (StopOnFirstFailure); with StopOnFirstFailure nothing that succeeded is
// read again.
func checkStream(t *testing.T, w *world, p batch.Options, trace *esm.Trace, payloadOf func(esm.Record) string, deadline bool) {
	t.Helper()
	w.check(t, trace, payloadOf, p.SkipGroupOnError || p.StopOnFirstFailure, !deadline)
	if got := trace.Duplicates(); p.StopOnFirstFailure && !deadline && got != 0 {
		t.Errorf("duplicates with StopOnFirstFailure: got %d, want 0", got)
	}
	for _, fr := range trace.Destination {
		if fr.BatchSize != len(fr.IDs) || fr.StartSequenceNumber != fr.IDs[0] || fr.EndSequenceNumber != fr.IDs[len(fr.IDs)-1] {
			t.Errorf("failure record: got %+v, want bounds matching its records", fr)
		}
	}
}

// The same seed gives the same trace, even with concurrent handlers: a
// test that fails can be replayed.
func TestSimulationIsDeterministic(t *testing.T) {
	run := func() *esm.Trace {
		rng := rand.New(rand.NewSource(7))
		w, payloads := newWorld(rng, 30, 4, false)
		sim := esm.NewKinesis("stream", esm.StreamConfig{Shards: 2, BatchSize: 7, MaximumRetryAttempts: 2, BisectBatchOnFunctionError: true, OnFailureDestination: true})
		for _, pl := range payloads {
			sim.Put(w.key[pl], []byte(pl))
		}
		fn := batch.New(batch.Kinesis(), func(ctx context.Context, r events.KinesisEventRecord) error {
			return w.handle(ctx, string(r.Kinesis.Data))
		}, batch.Options{Concurrency: -1, SkipGroupOnError: true})
		return sim.Run(context.Background(), fn)
	}
	a, b := run(), run()
	if a.String() != b.String() || len(a.Invocations) != len(b.Invocations) {
		t.Fatalf("got %v then %v, want the same trace", a, b)
	}
	for i := range a.Records {
		ra, rb := a.Records[i], b.Records[i]
		if ra.ID != rb.ID || ra.State != rb.State || ra.Deliveries != rb.Deliveries {
			t.Errorf("record %d: got %+v then %+v, want the same", i, ra, rb)
		}
	}
	for i := range a.Invocations {
		if !equal(a.Invocations[i].IDs, b.Invocations[i].IDs) || !a.Invocations[i].Time.Equal(b.Invocations[i].Time) {
			t.Errorf("invocation %d: got %v then %v, want the same", i, a.Invocations[i].IDs, b.Invocations[i].IDs)
		}
	}
}

// The simulators themselves, fed random and often invalid responses, never
// panic, always end, and keep their books straight: records and
// invocations agree on every delivery, no batch holds a record twice, and
// no record is left pending unless the guard stopped the run. The
// responses are raw JSON, so that they can be anything a function may
// send: valid, wrong in one identifier, or not a response at all.
func TestPropertySimulatorBooks(t *testing.T) {
	for seed := int64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewSource(seed))
		// respond reports a random subset of ids, sometimes with an empty
		// or unknown identifier, or returns an error or a response
		// Lambda rejects as a whole; item writes one identifier.
		respond := func(ids []string, item func(id string) any) ([]byte, error) {
			var list []any
			switch rng.Intn(9) {
			case 0:
				return nil, errors.New("function error")
			case 1:
				list = []any{item("")}
			case 2:
				list = []any{item("not-in-batch")}
			case 3:
				raw := []string{``, `null`, `"oops"`, `{"batchItemFailures":[`, `{"batchItemFailures":[{"itemIdentifier":{"topic-partition":"x-0","offset":1}}]}`}
				return []byte(raw[rng.Intn(len(raw))]), nil
			default:
				for _, id := range ids {
					if rng.Intn(3) == 0 {
						list = append(list, item(id))
					}
				}
			}
			return json.Marshal(map[string]any{"batchItemFailures": list})
		}
		stringItem := func(id string) any { return map[string]any{"itemIdentifier": id} }
		var trace *esm.Trace
		switch seed % 4 {
		case 0, 1:
			queue := "queue"
			if seed%4 == 1 {
				queue = "queue.fifo"
			}
			sim := esm.NewSQS(queue, esm.SQSConfig{
				BatchSize: 1 + rng.Intn(10), MaxReceiveCount: rng.Intn(4), MaxInvocations: 200,
				RetentionPeriod: time.Duration(1+rng.Intn(10)) * time.Minute, IgnoreBatchItemFailures: rng.Intn(4) == 0,
			})
			for i := 0; i < 1+rng.Intn(25); i++ {
				sim.SendGroup("g"+strconv.Itoa(rng.Intn(3)), strconv.Itoa(i))
			}
			trace = sim.Run(context.Background(), invokeFunc(func(_ context.Context, payload []byte) ([]byte, error) {
				var ev events.SQSEvent
				if err := json.Unmarshal(payload, &ev); err != nil {
					return nil, err
				}
				ids := make([]string, len(ev.Records))
				for i, m := range ev.Records {
					ids[i] = m.MessageId
				}
				return respond(ids, stringItem)
			}))
		case 2:
			sim := esm.NewKinesis("stream", esm.StreamConfig{
				Shards: 1 + rng.Intn(3), BatchSize: 1 + rng.Intn(10), MaximumRetryAttempts: rng.Intn(5) - 1,
				BisectBatchOnFunctionError: rng.Intn(2) == 0, OnFailureDestination: rng.Intn(2) == 0,
				MaximumRecordAge: time.Duration(rng.Intn(3)) * 5 * time.Second, MaxInvocations: 200,
				IgnoreBatchItemFailures: rng.Intn(4) == 0,
			})
			for i := 0; i < 1+rng.Intn(25); i++ {
				sim.Put("k"+strconv.Itoa(rng.Intn(5)), []byte(strconv.Itoa(i)))
			}
			trace = sim.Run(context.Background(), invokeFunc(func(_ context.Context, payload []byte) ([]byte, error) {
				var ev events.KinesisEvent
				if err := json.Unmarshal(payload, &ev); err != nil {
					return nil, err
				}
				ids := make([]string, len(ev.Records))
				for i, r := range ev.Records {
					ids[i] = r.Kinesis.SequenceNumber
				}
				return respond(ids, stringItem)
			}))
		case 3:
			sim := esm.NewKafka("topic", esm.StreamConfig{
				Shards: 1 + rng.Intn(3), BatchSize: 1 + rng.Intn(10), MaximumRetryAttempts: rng.Intn(5) - 1,
				BisectBatchOnFunctionError: rng.Intn(2) == 0, OnFailureDestination: rng.Intn(2) == 0,
				MaxInvocations: 200, IgnoreBatchItemFailures: rng.Intn(4) == 0,
			})
			for i := 0; i < 1+rng.Intn(25); i++ {
				sim.Produce([]byte("k"+strconv.Itoa(rng.Intn(5))), []byte(strconv.Itoa(i)))
			}
			// A Kafka identifier is "<topic>-<partition>@<offset>" in
			// the trace and an object in the response.
			kafkaItem := func(id string) any {
				tp, off := id, "0"
				if at := strings.LastIndexByte(id, '@'); at >= 0 {
					tp, off = id[:at], id[at+1:]
				}
				n, _ := strconv.ParseInt(off, 10, 64)
				return map[string]any{"itemIdentifier": batch.KafkaItemIdentifier{Partition: tp, Offset: n}}
			}
			trace = sim.Run(context.Background(), invokeFunc(func(_ context.Context, payload []byte) ([]byte, error) {
				var ev events.KafkaEvent
				if err := json.Unmarshal(payload, &ev); err != nil {
					return nil, err
				}
				var ids []string
				for _, recs := range ev.Records {
					for _, r := range recs {
						ids = append(ids, batchtest.KafkaID(r))
					}
				}
				return respond(ids, kafkaItem)
			}))
		}
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			delivered := 0
			in := map[string][]int{} // record id -> invocations that delivered it
			for i, inv := range trace.Invocations {
				delivered += len(inv.IDs)
				seen := map[string]bool{}
				for _, id := range inv.IDs {
					if seen[id] {
						t.Errorf("invocation %d: got %s twice in one batch", i, id)
					}
					seen[id] = true
					in[id] = append(in[id], i)
				}
			}
			for _, r := range trace.Records {
				if fmt.Sprint(r.Invocations) != fmt.Sprint(in[r.ID]) && !(len(r.Invocations) == 0 && len(in[r.ID]) == 0) {
					t.Errorf("%s: got invocations %v in the record, %v in the invocations", r.ID, r.Invocations, in[r.ID])
				}
			}
			if got := trace.Deliveries(); got != delivered {
				t.Errorf("deliveries: got %d in records, %d in invocations", got, delivered)
			}
			if n := trace.Count(esm.Pending); n > 0 && !trace.Stopped {
				t.Errorf("pending: got %d records left while the run was not stopped", n)
			}
		})
	}
}

// either returns fn itself for an even seed and, for an odd one, a handler
// function calling fn.Handle made a lambda.Handler, so that the property
// tests run both.
func either[E, R, Resp any](seed int64, fn *batch.Function[E, R, Resp]) esm.Function {
	if seed%2 == 0 {
		return fn
	}
	return viaHandle(fn)
}
