package policy_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/policy"
)

func TestBackoffDelay(t *testing.T) {
	s := time.Second
	tests := []struct {
		name string
		cfg  policy.BackoffConfig
		n    int
		u    float64
		want time.Duration
	}{
		{"first failure: the base", policy.BackoffConfig{Jitter: policy.NoJitter}, 1, 0, s},
		{"doubles", policy.BackoffConfig{Jitter: policy.NoJitter}, 2, 0, 2 * s},
		{"doubles again", policy.BackoffConfig{Jitter: policy.NoJitter}, 4, 0, 8 * s},
		{"a base of its own", policy.BackoffConfig{Base: 5 * s, Jitter: policy.NoJitter}, 3, 0, 20 * s},
		{"capped at the default", policy.BackoffConfig{Jitter: policy.NoJitter}, 30, 0, policy.DefaultMax},
		{"capped at Max", policy.BackoffConfig{Max: 10 * s, Jitter: policy.NoJitter}, 5, 0, 10 * s},
		{"a base above Max", policy.BackoffConfig{Base: time.Hour, Max: time.Minute, Jitter: policy.NoJitter}, 1, 0, time.Minute},
		{"Max is at most what SQS accepts", policy.BackoffConfig{Max: 48 * time.Hour, Jitter: policy.NoJitter}, 100, 0, policy.MaxDelay},
		{"no overflow however many receives", policy.BackoffConfig{Max: policy.MaxDelay, Jitter: policy.NoJitter}, 1 << 30, 0, policy.MaxDelay},
		{"equal jitter: at least half", policy.BackoffConfig{}, 3, 0, 2 * s},
		{"equal jitter: at most all", policy.BackoffConfig{}, 3, 0.999999, 4 * s},
		{"full jitter: from zero", policy.BackoffConfig{Jitter: policy.FullJitter}, 3, 0, 0},
		{"full jitter: halfway", policy.BackoffConfig{Jitter: policy.FullJitter}, 3, 0.5, 2 * s},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := policy.Delay(tt.cfg, tt.n, tt.u)
			if d := got - tt.want; d < -time.Millisecond || d > time.Millisecond {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// With the real random source, every delay stays within its jitter's
// bounds, and the delays of one receive count spread over them.
func TestBackoffJitterBounds(t *testing.T) {
	for _, tt := range []struct {
		jitter policy.Jitter
		lo, hi time.Duration // for 4 receives, before rounding: 8 s
	}{
		{policy.EqualJitter, 4 * time.Second, 8 * time.Second},
		{policy.FullJitter, 0, 8 * time.Second},
		{policy.NoJitter, 8 * time.Second, 8 * time.Second},
	} {
		cfg := policy.BackoffConfig{Jitter: tt.jitter}
		minSeen, maxSeen := time.Duration(1<<62), time.Duration(0)
		for range 10000 {
			d := policy.Delay(cfg, 4, rand.Float64())
			if d < tt.lo || d > tt.hi {
				t.Fatalf("jitter %d: got %v, want within [%v, %v]", tt.jitter, d, tt.lo, tt.hi)
			}
			minSeen, maxSeen = min(minSeen, d), max(maxSeen, d)
		}
		if spread := tt.hi - tt.lo; maxSeen-minSeen < spread*9/10 {
			t.Errorf("jitter %d: got delays from %v to %v, want them spread over [%v, %v]", tt.jitter, minSeen, maxSeen, tt.lo, tt.hi)
		}
	}
}

// failure returns the failure of m as Options.Retry gives it.
func failure(m *events.SQSMessage, o batch.Outcome) batch.Failure {
	err := errors.New("downstream unavailable")
	if o == batch.NotProcessed {
		err = batch.ErrSkipped
	}
	return batch.Failure{Record: batch.Record{ID: m.MessageId, Value: m}, Err: err, Outcome: o}
}

type change struct {
	id    string
	delay time.Duration
	err   error
}

// runBackoff runs Backoff with cfg over fs and returns what OnChange saw.
func runBackoff(cfg policy.BackoffConfig, fs []batch.Failure) []change {
	var got []change
	cfg.OnChange = func(f batch.Failure, d time.Duration, err error) { got = append(got, change{f.ID, d, err}) }
	policy.Backoff(cfg)(context.Background(), fs)
	return got
}

func TestBackoffSetsTheVisibilityFromTheReceiveCount(t *testing.T) {
	c := &fakeSQS{}
	other := "arn:aws:sqs:us-east-1:123456789012:other"
	var fs []batch.Failure
	for i := range 23 {
		arn := srcARN
		if i%4 == 3 {
			arn = other
		}
		m := sqsMessage(arn, fmt.Sprintf("m%02d", i), "flaky", 1+i%5)
		fs = append(fs, failure(&m, batch.Failed))
	}
	got := runBackoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter}, fs)
	// 18 messages of orders, 5 of other: 2 + 1 calls.
	if len(c.changes) != 3 {
		t.Fatalf("got %d calls, want 3 (10 entries at most, one queue each)", len(c.changes))
	}
	perURL := map[string]int{}
	for _, in := range c.changes {
		if len(in.Entries) > 10 {
			t.Fatalf("got %d entries in a call, want at most 10", len(in.Entries))
		}
		ids := map[string]bool{}
		for _, e := range in.Entries {
			if ids[*e.Id] {
				t.Fatalf("entry id %s twice in one call", *e.Id)
			}
			ids[*e.Id] = true
		}
		perURL[*in.QueueUrl] += len(in.Entries)
	}
	if perURL[srcURL] != 18 || perURL["https://sqs.us-east-1.amazonaws.com/123456789012/other"] != 5 {
		t.Fatalf("got entries per queue %v, want 18 and 5", perURL)
	}
	vis := c.visibility()
	for i, ch := range got {
		want := time.Second << (i % 5) // receive count 1+i%5
		if ch.err != nil || ch.delay != want || vis["rh-"+ch.id] != int32(want/time.Second) {
			t.Errorf("%s: got delay %v (sent %d s), error %v; want %v", ch.id, ch.delay, vis["rh-"+ch.id], ch.err, want)
		}
	}
}

// Jitter is drawn once per failed message, and the delay set is whole
// seconds, rounded up.
func TestBackoffRoundsUpToSeconds(t *testing.T) {
	c := &fakeSQS{}
	m := sqsMessage(srcARN, "m1", "flaky", 3) // 4 s before jitter
	cfg := policy.WithRand(policy.BackoffConfig{Client: c, Jitter: policy.FullJitter}, func() float64 { return 0.3 })
	got := runBackoff(cfg, []batch.Failure{failure(&m, batch.Failed)})
	if got[0].delay != 2*time.Second || c.visibility()["rh-m1"] != 2 {
		t.Fatalf("got %v (sent %d s), want 1.2 s rounded up to 2 s", got[0].delay, c.visibility()["rh-m1"])
	}
}

// On a FIFO queue a group waits as one: the messages skipped after a
// failed one get its delay; messages of other groups, skipped because the
// batch stopped, come back at once, as do messages never started.
func TestBackoffOnAFIFOQueue(t *testing.T) {
	msg := func(id, group string, receives int, o batch.Outcome) batch.Failure {
		m := sqsMessage(fifoARN, id, "x", receives)
		m.Attributes["MessageGroupId"] = group
		f := failure(&m, o)
		f.Group = group // as the Function gives it
		return f
	}
	fs := []batch.Failure{
		msg("a1", "A", 3, batch.Failed),       // 4 s
		msg("b1", "B", 1, batch.NotProcessed), // skipped: another group failed
		msg("a2", "A", 1, batch.NotProcessed), // waits with a1
		msg("b2", "B", 1, batch.NotProcessed),
		msg("a3", "A", 7, batch.NotProcessed), // waits with a1 whatever its own count
	}
	c := &fakeSQS{}
	got := runBackoff(policy.BackoffConfig{Client: c}, fs) // equal jitter: a1's delay is drawn once
	delays := map[string]time.Duration{}
	for _, ch := range got {
		delays[ch.id] = ch.delay
	}
	a := delays["a1"]
	if a < 2*time.Second || a > 4*time.Second {
		t.Fatalf("a1: got %v, want between 2 s and 4 s", a)
	}
	if delays["a2"] != a || delays["a3"] != a {
		t.Errorf("group A: got %v, want every message at a1's %v", delays, a)
	}
	if delays["b1"] != 0 || delays["b2"] != 0 {
		t.Errorf("group B: got %v and %v, want 0: it did not fail", delays["b1"], delays["b2"])
	}
	vis := c.visibility()
	if vis["rh-a1"] != vis["rh-a3"] || vis["rh-b1"] != 0 {
		t.Errorf("got visibility %v, want the group's delay sent for each of its messages", vis)
	}
}

// A standard queue's records that never ran come back at once.
func TestBackoffRecordsThatDidNotRun(t *testing.T) {
	c := &fakeSQS{}
	m1, m2 := sqsMessage(srcARN, "m1", "x", 4), sqsMessage(srcARN, "m2", "x", 4)
	dl := failure(&m2, batch.NotProcessed)
	dl.Err = batch.ErrDeadline
	got := runBackoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter}, []batch.Failure{failure(&m1, batch.Failed), dl})
	if got[0].delay != 8*time.Second || got[1].delay != 0 {
		t.Fatalf("got %v, want 8 s for the failure and 0 for the record not started", got)
	}
}

func TestBackoffErrorsAreReportedNotReturned(t *testing.T) {
	callErr := errors.New("throttled")
	tests := []struct {
		name   string
		client *fakeSQS
		ctx    func() context.Context
		want   map[string]error // by message id; nil means success
	}{
		{"an entry fails", &fakeSQS{fail: map[string]string{"rh-m2": "ReceiptHandleIsInvalid"}}, context.Background,
			map[string]error{"m1": nil, "m2": &policy.EntryError{}}},
		{"the call fails", &fakeSQS{callErr: callErr}, context.Background,
			map[string]error{"m1": callErr, "m2": callErr}},
		{"the client panics", &fakeSQS{panicMsg: "boom"}, context.Background,
			map[string]error{"m1": errors.New("panicked"), "m2": errors.New("panicked")}},
		{"the context is done", &fakeSQS{}, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, map[string]error{"m1": context.Canceled, "m2": context.Canceled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m1, m2 := sqsMessage(srcARN, "m1", "x", 1), sqsMessage(srcARN, "m2", "x", 1)
			var got []change
			cfg := policy.BackoffConfig{Client: tt.client, OnChange: func(f batch.Failure, d time.Duration, err error) {
				got = append(got, change{f.ID, d, err})
			}}
			policy.Backoff(cfg)(tt.ctx(), []batch.Failure{failure(&m1, batch.Failed), failure(&m2, batch.Failed)})
			if len(got) != 2 {
				t.Fatalf("OnChange called %d times, want 2", len(got))
			}
			for _, ch := range got {
				want := tt.want[ch.id]
				var ee *policy.EntryError
				switch {
				case want == nil && ch.err != nil:
					t.Errorf("%s: got %v, want nil", ch.id, ch.err)
				case want == nil:
				case errors.As(want, &ee):
					if !errors.As(ch.err, &ee) || ee.Code != "ReceiptHandleIsInvalid" || !ee.SenderFault {
						t.Errorf("%s: got %v, want an *EntryError", ch.id, ch.err)
					}
				case want.Error() == "panicked":
					if ch.err == nil || !contains(ch.err.Error(), "panicked: boom") {
						t.Errorf("%s: got %v, want the panic as an error", ch.id, ch.err)
					}
				case !errors.Is(ch.err, want):
					t.Errorf("%s: got %v, want %v", ch.id, ch.err, want)
				}
			}
		})
	}
}

func TestBackoffSkipsWhatItCannotChange(t *testing.T) {
	c := &fakeSQS{}
	noHandle := sqsMessage(srcARN, "m1", "x", 1)
	noHandle.ReceiptHandle = ""
	badARN := sqsMessage("not an arn", "m2", "x", 1)
	got := runBackoff(policy.BackoffConfig{Client: c}, []batch.Failure{
		failure(&noHandle, batch.Failed),
		failure(&badARN, batch.Failed),
		{Record: batch.Record{ID: "k", Value: &events.KinesisEventRecord{}}, Err: errGone, Outcome: batch.Failed},
	})
	var ae *policy.ARNError
	if got[0].err == nil || !errors.As(got[1].err, &ae) || !errors.Is(got[2].err, policy.ErrUnsupportedRecord) {
		t.Fatalf("got %v, want errors for the message without a handle, the bad ARN and the Kinesis record", got)
	}
	if len(c.changes) != 0 {
		t.Fatalf("got %d calls, want none", len(c.changes))
	}
}

// blockingSQS counts the calls in flight.
type blockingSQS struct {
	fakeSQS
	in, peak atomic.Int32
	release  chan struct{}
}

func (b *blockingSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	n := b.in.Add(1)
	for {
		p := b.peak.Load()
		if n <= p || b.peak.CompareAndSwap(p, n) {
			break
		}
	}
	<-b.release
	b.in.Add(-1)
	return b.fakeSQS.ChangeMessageVisibilityBatch(ctx, in, o...)
}

func TestBackoffConcurrency(t *testing.T) {
	for _, tt := range []struct{ concurrency, want int32 }{{0, policy.DefaultBackoffConcurrency}, {2, 2}, {-1, 7}} {
		b := &blockingSQS{release: make(chan struct{})}
		var fs []batch.Failure
		for i := range 70 { // 7 calls
			m := sqsMessage(srcARN, fmt.Sprint(i), "x", 1)
			fs = append(fs, failure(&m, batch.Failed))
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			policy.Backoff(policy.BackoffConfig{Client: b, Concurrency: int(tt.concurrency)})(context.Background(), fs)
		}()
		// Let the calls pile up, then release them one by one.
		for range 7 {
			for b.in.Load() < min(tt.want, 7) && b.peak.Load() < tt.want {
				time.Sleep(time.Millisecond)
			}
			b.release <- struct{}{}
		}
		wg.Wait()
		if got := b.peak.Load(); got != tt.want {
			t.Errorf("Concurrency %d: got %d calls at once, want %d", tt.concurrency, got, tt.want)
		}
		ids := make([]string, 0, 70)
		for _, in := range b.changes {
			for _, e := range in.Entries {
				ids = append(ids, *e.ReceiptHandle)
			}
		}
		if sort.Strings(ids); len(ids) != 70 {
			t.Errorf("Concurrency %d: got %d entries, want 70", tt.concurrency, len(ids))
		}
	}
}

// Through a Function: Retry gets the failed and skipped messages, and
// Backoff sets their visibility before the call returns. The groups are
// the Function's: Options.FIFO makes a batch without a ".fifo" ARN FIFO,
// and its groups wait as one too.
func TestBackoffThroughAFunction(t *testing.T) {
	for _, tt := range []struct {
		name string
		arn  string
		fifo bool
	}{{"a FIFO queue", fifoARN, false}, {"Options.FIFO", srcARN, true}} {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeSQS{}
			fn := batch.New(batch.SQS(), handleBody, batch.Options{FIFO: tt.fifo, Retry: policy.Backoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter})})
			var recs []events.SQSMessage
			for i, body := range []string{"ok", "flaky", "ok", "flaky", "flaky"} {
				m := sqsMessage(tt.arn, fmt.Sprint("m", i), body, 2)
				m.Attributes["MessageGroupId"] = []string{"A", "A", "A", "B", "B"}[i]
				recs = append(recs, m)
			}
			resp, _ := fn.Handle(context.Background(), events.SQSEvent{Records: recs})
			if got := failedIDs(resp); len(got) != 4 {
				t.Fatalf("got %v reported, want m1 to m4 (a FIFO batch stops at its first failure)", got)
			}
			want := map[string]int32{"rh-m1": 2, "rh-m2": 2, "rh-m3": 0, "rh-m4": 0}
			if got := c.visibility(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got visibility %v, want %v", got, want)
			}
		})
	}
}

func TestBackoffPanicsWithoutClient(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a nil Client")
		}
	}()
	policy.Backoff(policy.BackoffConfig{})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
