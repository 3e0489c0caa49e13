package idempotency_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/idempotency"
)

// Order is the payload of the tests' SQS messages.
type Order struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

// orderID is the business key of an Order.
func orderID(o Order) string { return o.ID }

// calls counts a handler's calls by key.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[k]++
}

func (c *calls) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

func (c *calls) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}

// recorder is a Store that records the keys and items Begin is given and
// passes every call on.
type recorder struct {
	idempotency.Store
	mu    sync.Mutex
	keys  []string
	items []idempotency.Item
}

func (r *recorder) Begin(ctx context.Context, key string, it idempotency.Item, now time.Time) (idempotency.Item, bool, error) {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.items = append(r.items, it)
	r.mu.Unlock()
	return r.Store.Begin(ctx, key, it, now)
}

// failing is a Store whose methods fail with err where set, and otherwise
// pass the call on.
type failing struct {
	idempotency.Store
	begin, complete, release error
}

func (f failing) Begin(ctx context.Context, key string, it idempotency.Item, now time.Time) (idempotency.Item, bool, error) {
	if f.begin != nil {
		return idempotency.Item{}, false, f.begin
	}
	return f.Store.Begin(ctx, key, it, now)
}

func (f failing) Complete(ctx context.Context, key string, it idempotency.Item) error {
	if f.complete != nil {
		return f.complete
	}
	return f.Store.Complete(ctx, key, it)
}

func (f failing) Release(ctx context.Context, key, owner string) error {
	if f.release != nil {
		return f.release
	}
	return f.Store.Release(ctx, key, owner)
}

// results returns the errors of a report's records, in input order.
func results[R any](rep *batch.Report[R]) []error {
	out := make([]error, len(rep.Results))
	for i, r := range rep.Results {
		out[i] = r.Err
	}
	return out
}

func TestHandler(t *testing.T) {
	ctx := context.Background()
	q := batchtest.NewSQSQueue("orders")

	t.Run("a redelivered message is handled once and then skipped as succeeded", func(t *testing.T) {
		var c calls
		fn := batch.New(batch.SQS(), idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, m events.SQSMessage) error {
			c.add(m.MessageId)
			return nil
		}, nil, idempotency.Options{}), batch.Options{})
		ev := q.Event(`{"id":"o-1"}`, `{"id":"o-2"}`)
		for i := 0; i < 3; i++ {
			resp, err := fn.Handle(ctx, ev)
			if err != nil {
				t.Fatal(err)
			}
			batchtest.AssertFailures(t, resp)
		}
		for _, m := range ev.Records {
			if n := c.get(m.MessageId); n != 1 {
				t.Errorf("message %s handled %d times, want 1", m.MessageId, n)
			}
		}
	})

	t.Run("a business key catches a message sent twice", func(t *testing.T) {
		var c calls
		fn := batch.New(batch.SQS(), idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, o Order) error {
			c.add(o.ID)
			return nil
		}, orderID, idempotency.Options{}), batch.Options{})
		// Two sends of one order: two messages, two messageIds.
		resp, err := fn.Handle(ctx, q.Event(`{"id":"o-1","qty":2}`, `{"id":"o-1","qty":2}`))
		if err != nil {
			t.Fatal(err)
		}
		batchtest.AssertFailures(t, resp)
		if n := c.get("o-1"); n != 1 {
			t.Errorf("order handled %d times, want 1", n)
		}
	})

	t.Run("a key reused with another payload is a MismatchError, and the handler is not called", func(t *testing.T) {
		var c calls
		fn := batch.New(batch.SQS(), idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, o Order) error {
			c.add(o.ID)
			return nil
		}, orderID, idempotency.Options{Prefix: "p#"}), batch.Options{})
		ev := q.Event(`{"id":"o-1","qty":2}`, `{"id":"o-1","qty":3}`)
		_, rep := fn.Process(ctx, ev)
		errs := results(rep)
		var me *idempotency.MismatchError
		if errs[0] != nil || !errors.As(errs[1], &me) {
			t.Fatalf("errors: got %v, want nil and a *MismatchError", errs)
		}
		if me.Key != "p#o-1" || me.Want == me.Got || len(me.Want) != 64 {
			t.Errorf("MismatchError: got %+v, want key p#o-1 and two different SHA-256s", me)
		}
		if !errors.Is(errs[1], batch.ErrPermanent) || !rep.Results[1].Permanent {
			t.Errorf("MismatchError: errors.Is ErrPermanent = %v, Result.Permanent = %v, want both true", errors.Is(errs[1], batch.ErrPermanent), rep.Results[1].Permanent)
		}
		if n := c.get("o-1"); n != 1 {
			t.Errorf("order handled %d times, want 1", n)
		}
	})

	t.Run("NoPayloadCheck skips a key reused with another payload", func(t *testing.T) {
		var c calls
		fn := batch.New(batch.SQS(), idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, o Order) error {
			c.add(o.ID)
			return nil
		}, orderID, idempotency.Options{NoPayloadCheck: true}), batch.Options{})
		resp, err := fn.Handle(ctx, q.Event(`{"id":"o-1","qty":2}`, `{"id":"o-1","qty":3}`))
		if err != nil {
			t.Fatal(err)
		}
		batchtest.AssertFailures(t, resp)
		if n := c.get("o-1"); n != 1 {
			t.Errorf("order handled %d times, want 1", n)
		}
	})

	t.Run("a key in progress elsewhere fails the record with an InProgressError until the lock", func(t *testing.T) {
		store := &idempotency.MemoryStore{}
		ev := q.Event(`{"id":"o-1"}`)
		lock := time.Now().Add(time.Minute)
		mustBegin(t, store, "sqs:"+ev.Records[0].MessageId, idempotency.Item{
			Status: idempotency.InProgress, Owner: "elsewhere", LockUntil: lock, Expires: lock.Add(time.Hour),
		}, time.Now())
		// The item was stored without a prefix: give the Handler none.
		t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "")
		var c calls
		fn := batch.New(batch.SQS(), idempotency.Handler(store, func(ctx context.Context, o Order) error {
			c.add(o.ID)
			return nil
		}, nil, idempotency.Options{}), batch.Options{})
		resp, rep := fn.Process(ctx, ev)
		batchtest.AssertFailures(t, resp, ev.Records[0].MessageId)
		var ipe *idempotency.InProgressError
		if !errors.As(rep.Results[0].Err, &ipe) {
			t.Fatalf("got %v, want an *InProgressError", rep.Results[0].Err)
		}
		if !ipe.Until.Equal(lock) || ipe.Key != "sqs:"+ev.Records[0].MessageId {
			t.Errorf("InProgressError: got %+v, want key sqs:%s until %v", ipe, ev.Records[0].MessageId, lock)
		}
		if c.total() != 0 {
			t.Errorf("handler called %d times, want 0", c.total())
		}
	})

	t.Run("a failed record releases its key, so the retry runs it", func(t *testing.T) {
		var c calls
		fail := true
		fn := batch.New(batch.SQS(), idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, o Order) error {
			c.add(o.ID)
			if fail {
				return errors.New("downstream unavailable")
			}
			return nil
		}, orderID, idempotency.Options{}), batch.Options{})
		ev := q.Event(`{"id":"o-1"}`)
		resp, _ := fn.Handle(ctx, ev)
		batchtest.AssertFailures(t, resp, ev.Records[0].MessageId)
		fail = false
		resp, err := fn.Handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		batchtest.AssertFailures(t, resp)
		if n := c.get("o-1"); n != 2 {
			t.Errorf("handled %d times, want 2 (a failure, then the retry)", n)
		}
	})

	t.Run("a panic releases the key and stays a PanicError", func(t *testing.T) {
		var c calls
		fn := batch.New(batch.SQS(), idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, o Order) error {
			c.add(o.ID)
			if c.get(o.ID) == 1 {
				panic("boom")
			}
			return nil
		}, orderID, idempotency.Options{}), batch.Options{})
		ev := q.Event(`{"id":"o-1"}`)
		_, rep := fn.Process(ctx, ev)
		var pe *batch.PanicError
		if !errors.As(rep.Results[0].Err, &pe) || pe.Value != "boom" {
			t.Fatalf("got %v, want the *PanicError of boom", rep.Results[0].Err)
		}
		resp, err := fn.Handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		batchtest.AssertFailures(t, resp)
		if n := c.get("o-1"); n != 2 {
			t.Errorf("handled %d times, want 2", n)
		}
	})

	t.Run("permanent failures are diverted and not reported", func(t *testing.T) {
		var diverted []string
		fn := batch.New(batch.SQS(), idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, o Order) error {
			return nil
		}, orderID, idempotency.Options{}), batch.Options{
			Divert: func(ctx context.Context, f batch.Failure) error {
				diverted = append(diverted, f.Record.ID)
				return nil
			},
		})
		ev := q.Event(`{"id":"o-1","qty":2}`, `{"id":"o-1","qty":3}`, `{"qty":1}`)
		resp, _ := fn.Process(ctx, ev)
		batchtest.AssertFailures(t, resp)
		if want := []string{ev.Records[1].MessageId, ev.Records[2].MessageId}; fmt.Sprint(diverted) != fmt.Sprint(want) {
			t.Errorf("diverted %v, want %v (the mismatch and the record with no key)", diverted, want)
		}
	})

	t.Run("an empty key fails the record with ErrNoKey", func(t *testing.T) {
		var c calls
		fn := batch.New(batch.SQS(), idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, o Order) error {
			c.add(o.ID)
			return nil
		}, orderID, idempotency.Options{}), batch.Options{})
		ev := q.Event(`{"qty":1}`)
		_, rep := fn.Process(ctx, ev)
		if !errors.Is(rep.Results[0].Err, idempotency.ErrNoKey) {
			t.Errorf("got %v, want ErrNoKey", rep.Results[0].Err)
		}
		if !rep.Results[0].Permanent {
			t.Error("ErrNoKey: Result.Permanent is false, want true")
		}
		if c.total() != 0 {
			t.Errorf("handler called %d times, want 0", c.total())
		}
	})

	t.Run("a store that fails to begin fails the record without calling the handler", func(t *testing.T) {
		outage := errors.New("table unreachable")
		var c calls
		fn := batch.New(batch.SQS(), idempotency.Handler(failing{Store: &idempotency.MemoryStore{}, begin: outage}, func(ctx context.Context, o Order) error {
			c.add(o.ID)
			return nil
		}, orderID, idempotency.Options{Prefix: "f#"}), batch.Options{})
		ev := q.Event(`{"id":"o-1"}`, `{"id":"o-2"}`)
		resp, err := fn.Handle(ctx, ev)
		batchtest.AssertFailures(t, resp, ev.Records[0].MessageId, ev.Records[1].MessageId)
		var be *batch.BatchError
		if !errors.As(err, &be) {
			t.Fatalf("got %v, want a *BatchError: every record failed", err)
		}
		var se *idempotency.StoreError
		if !errors.As(err, &se) || se.Op != "begin" || se.Key != "f#o-1" || !errors.Is(err, outage) {
			t.Errorf("got %v, want a *StoreError of begin f#o-1 wrapping the outage", err)
		}
		if c.total() != 0 {
			t.Errorf("handler called %d times, want 0", c.total())
		}
	})

	t.Run("a store that fails to complete fails the record", func(t *testing.T) {
		outage := errors.New("throttled")
		fn := batch.New(batch.SQS(), idempotency.Handler(failing{Store: &idempotency.MemoryStore{}, complete: outage}, func(ctx context.Context, o Order) error {
			return nil
		}, orderID, idempotency.Options{}), batch.Options{})
		ev := q.Event(`{"id":"o-1"}`)
		resp, rep := fn.Process(ctx, ev)
		batchtest.AssertFailures(t, resp, ev.Records[0].MessageId)
		var se *idempotency.StoreError
		if !errors.As(rep.Results[0].Err, &se) || se.Op != "complete" || !errors.Is(se, outage) {
			t.Errorf("got %v, want a *StoreError of complete", rep.Results[0].Err)
		}
	})

	t.Run("a store that fails to release joins its error to the handler's", func(t *testing.T) {
		outage := errors.New("throttled")
		failure := errors.New("downstream unavailable")
		fn := batch.New(batch.SQS(), idempotency.Handler(failing{Store: &idempotency.MemoryStore{}, release: outage}, func(ctx context.Context, o Order) error {
			return failure
		}, orderID, idempotency.Options{}), batch.Options{})
		_, rep := fn.Process(ctx, q.Event(`{"id":"o-1"}`))
		err := rep.Results[0].Err
		var se *idempotency.StoreError
		if !errors.Is(err, failure) || !errors.As(err, &se) || se.Op != "release" {
			t.Errorf("got %v, want the handler's error joined with a *StoreError of release", err)
		}
	})

	t.Run("a key taken over while the handler ran: the record succeeds", func(t *testing.T) {
		fn := batch.New(batch.SQS(), idempotency.Handler(failing{Store: &idempotency.MemoryStore{}, complete: idempotency.ErrNotOwner}, func(ctx context.Context, o Order) error {
			return nil
		}, orderID, idempotency.Options{}), batch.Options{})
		resp, err := fn.Handle(ctx, q.Event(`{"id":"o-1"}`))
		if err != nil {
			t.Fatal(err)
		}
		batchtest.AssertFailures(t, resp)
	})

	t.Run("a payload that does not decode never reaches the store", func(t *testing.T) {
		rec := &recorder{Store: &idempotency.MemoryStore{}}
		fn := batch.New(batch.SQS(), idempotency.Handler(rec, func(ctx context.Context, o Order) error { return nil }, orderID, idempotency.Options{}), batch.Options{})
		_, rep := fn.Process(ctx, q.Event(`not json`))
		var de *batch.DecodeError
		if !errors.As(rep.Results[0].Err, &de) {
			t.Errorf("got %v, want a *DecodeError", rep.Results[0].Err)
		}
		if len(rec.keys) != 0 {
			t.Errorf("the store was asked for %q", rec.keys)
		}
	})
}

// TestLock checks the times Handler gives a key: locked until the record's
// deadline, or for LockTimeout without one; remembered for TTL, and never
// expiring before its lock.
func TestLock(t *testing.T) {
	q := batchtest.NewSQSQueue("orders")
	begin := func(t *testing.T, ctx context.Context, o idempotency.Options) idempotency.Item {
		t.Helper()
		rec := &recorder{Store: &idempotency.MemoryStore{}}
		fn := batch.New(batch.SQS(), idempotency.Handler(rec, func(ctx context.Context, o Order) error { return nil }, orderID, o),
			batch.Options{DeadlineMargin: -1})
		if _, err := fn.Handle(ctx, q.Event(`{"id":"o-1"}`)); err != nil {
			t.Fatal(err)
		}
		if len(rec.items) != 1 {
			t.Fatalf("%d Begins, want 1", len(rec.items))
		}
		return rec.items[0]
	}

	t.Run("until the record's deadline", func(t *testing.T) {
		deadline := time.Now().Add(40 * time.Second)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		it := begin(t, ctx, idempotency.Options{})
		if !it.LockUntil.Equal(deadline) {
			t.Errorf("LockUntil: got %v, want the deadline %v", it.LockUntil, deadline)
		}
		if d := it.Expires.Sub(it.LockUntil); d < idempotency.DefaultTTL-time.Minute {
			t.Errorf("Expires is %v after the lock, want about DefaultTTL less the time to the deadline", d)
		}
		if it.Owner == "" || it.Status != idempotency.InProgress || len(it.Fingerprint) != 64 {
			t.Errorf("got %+v, want an in-progress item with an owner and a SHA-256 fingerprint", it)
		}
	})
	t.Run("for LockTimeout without a deadline", func(t *testing.T) {
		before := time.Now()
		it := begin(t, context.Background(), idempotency.Options{LockTimeout: 3 * time.Minute})
		after := time.Now()
		if it.LockUntil.Before(before.Add(3*time.Minute)) || it.LockUntil.After(after.Add(3*time.Minute)) {
			t.Errorf("LockUntil %v, want 3 minutes after the call (%v to %v)", it.LockUntil, before, after)
		}
	})
	t.Run("a TTL shorter than the lock is lengthened to it", func(t *testing.T) {
		it := begin(t, context.Background(), idempotency.Options{TTL: time.Second})
		if it.Expires.Before(it.LockUntil) {
			t.Errorf("Expires %v before LockUntil %v", it.Expires, it.LockUntil)
		}
	})
	t.Run("a completed key is remembered for TTL", func(t *testing.T) {
		store := &idempotency.MemoryStore{}
		ttl := 10 * time.Minute
		before := time.Now()
		fn := batch.New(batch.SQS(), idempotency.Handler(store, func(ctx context.Context, o Order) error { return nil }, orderID, idempotency.Options{TTL: ttl, Prefix: "x#"}), batch.Options{})
		if _, err := fn.Handle(context.Background(), q.Event(`{"id":"o-1"}`)); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		got, ok, _ := store.Begin(context.Background(), "x#o-1", idempotency.Item{Status: idempotency.InProgress}, after)
		if ok || got.Status != idempotency.Completed {
			t.Fatalf("got (%+v, %v), want the completed item", got, ok)
		}
		if got.Expires.Before(before.Add(ttl)) || got.Expires.After(after.Add(ttl)) {
			t.Errorf("Expires %v, want TTL after completion", got.Expires)
		}
	})
}

// TestKeys checks the default key of each source, the prefix, and the
// fingerprint of each source's payload.
func TestKeys(t *testing.T) {
	ctx := context.Background()
	type kv struct{ key, fp string }
	run := func(t *testing.T, h func(rec *recorder)) []kv {
		t.Helper()
		rec := &recorder{Store: &idempotency.MemoryStore{}}
		h(rec)
		out := make([]kv, len(rec.keys))
		for i := range rec.keys {
			out[i] = kv{rec.keys[i], rec.items[i].Fingerprint}
		}
		return out
	}
	t.Run("SQS: the messageId, prefixed with the function's name", func(t *testing.T) {
		t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "orders-fn")
		q := batchtest.NewSQSQueue("orders")
		ev := q.Event(`{"id":"o-1"}`, `{"id":"o-1"}`)
		got := run(t, func(rec *recorder) {
			fn := batch.New(batch.SQS(), idempotency.Handler(rec, func(ctx context.Context, m events.SQSMessage) error { return nil }, nil, idempotency.Options{}), batch.Options{})
			_, _ = fn.Handle(ctx, ev)
		})
		for i, m := range ev.Records {
			if want := "orders-fn#sqs:" + m.MessageId; got[i].key != want {
				t.Errorf("key %d: got %q, want %q", i, got[i].key, want)
			}
		}
		// The fingerprint is the SHA-256 of the body's bytes.
		sum := sha256.Sum256([]byte(`{"id":"o-1"}`))
		for i := range got {
			if want := hex.EncodeToString(sum[:]); got[i].fp != want {
				t.Errorf("fingerprint %d: got %q, want %q", i, got[i].fp, want)
			}
		}
	})
	t.Run("Kinesis: the stream's ARN and the eventID", func(t *testing.T) {
		s := batchtest.NewKinesisStream("clicks", 2)
		ev := batchtest.KinesisEvent(s.Record("user-1", []byte(`{"id":"o-1"}`)))
		got := run(t, func(rec *recorder) {
			fn := batch.New(batch.Kinesis(), idempotency.Handler(rec, func(ctx context.Context, o Order) error { return nil }, nil, idempotency.Options{Prefix: "p#"}), batch.Options{})
			_, _ = fn.Handle(ctx, ev)
		})
		r := ev.Records[0]
		if want := "p#kinesis:" + r.EventSourceArn + "/" + r.EventID; len(got) != 1 || got[0].key != want {
			t.Errorf("keys: got %v, want %q", got, want)
		}
		if !strings.Contains(r.EventID, r.Kinesis.SequenceNumber) {
			t.Errorf("eventID %q does not hold the sequence number %q", r.EventID, r.Kinesis.SequenceNumber)
		}
	})
	t.Run("DynamoDB Streams: the stream's ARN and the eventID; keys and image in the fingerprint", func(t *testing.T) {
		tbl := batchtest.NewDynamoDBTable("orders", 1)
		keys := batchtest.Item{"id": events.NewStringAttribute("o-1")}
		img := func(qty string) batchtest.Item {
			return batchtest.Item{"id": events.NewStringAttribute("o-1"), "qty": events.NewNumberAttribute(qty)}
		}
		ev := batchtest.DynamoDBEvent(tbl.Insert(keys, img("1")), tbl.Modify(keys, img("1"), img("2")), tbl.Remove(keys, img("2")))
		got := run(t, func(rec *recorder) {
			fn := batch.New(batch.DynamoDB(), idempotency.Handler(rec, func(ctx context.Context, r events.DynamoDBEventRecord) error { return nil }, nil, idempotency.Options{Prefix: "p#"}), batch.Options{})
			_, _ = fn.Handle(ctx, ev)
		})
		for i, r := range ev.Records {
			if want := "p#dynamodb:" + r.EventSourceArn + "/" + r.EventID; got[i].key != want {
				t.Errorf("key %d: got %q, want %q", i, got[i].key, want)
			}
		}
		// The insert (new image qty 1) and the modify (qty 2) differ; the
		// remove (old image qty 2) has the modify's image.
		if got[0].fp == got[1].fp || got[1].fp != got[2].fp {
			t.Errorf("fingerprints %q, want the first different and the last two equal", got)
		}
	})
	t.Run("Kafka: the topic-partition@offset", func(t *testing.T) {
		topic := batchtest.NewKafkaTopic("orders", 2)
		ev := batchtest.KafkaEvent(topic.Record([]byte("k"), []byte(`{"id":"o-1"}`)))
		got := run(t, func(rec *recorder) {
			fn := batch.New(batch.Kafka(), idempotency.Handler(rec, func(ctx context.Context, o Order) error { return nil }, nil, idempotency.Options{Prefix: "p#"}), batch.Options{})
			_, _ = fn.Handle(ctx, ev)
		})
		var r events.KafkaRecord
		for _, rs := range ev.Records {
			r = rs[0]
		}
		if want := "p#kafka:" + batchtest.KafkaID(r); len(got) != 1 || got[0].key != want {
			t.Errorf("keys: got %v, want %q", got, want)
		}
	})
	t.Run("Records: the record's id, and the JSON of the value as the payload", func(t *testing.T) {
		got := run(t, func(rec *recorder) {
			fn := batch.New(batch.Records(orderID, nil), idempotency.Handler(rec, func(ctx context.Context, o Order) error { return nil }, nil, idempotency.Options{Prefix: "p#"}), batch.Options{})
			_, _ = fn.Handle(ctx, []Order{{ID: "o-1", Qty: 1}, {ID: "o-2", Qty: 1}})
		})
		if len(got) != 2 || got[0].key != "p#o-1" || got[1].key != "p#o-2" {
			t.Errorf("keys: got %v, want p#o-1 and p#o-2", got)
		}
		if got[0].fp == got[1].fp {
			t.Errorf("the two orders have the same fingerprint %q", got[0].fp)
		}
	})
	t.Run("outside a Function: the key function's key, or ErrNoKey", func(t *testing.T) {
		store := &idempotency.MemoryStore{}
		n := 0
		h := idempotency.Handler(store, func(ctx context.Context, o Order) error { n++; return nil }, orderID, idempotency.Options{})
		for i := 0; i < 2; i++ {
			if err := h(ctx, Order{ID: "o-1"}); err != nil {
				t.Fatal(err)
			}
		}
		if n != 1 {
			t.Errorf("handled %d times, want 1", n)
		}
		var me *idempotency.MismatchError
		if err := h(ctx, Order{ID: "o-1", Qty: 5}); !errors.As(err, &me) {
			t.Errorf("another payload: got %v, want a *MismatchError", err)
		}
		noKey := idempotency.Handler(store, func(ctx context.Context, o Order) error { return nil }, nil, idempotency.Options{})
		if err := noKey(ctx, Order{ID: "o-1"}); !errors.Is(err, idempotency.ErrNoKey) {
			t.Errorf("nil key: got %v, want ErrNoKey", err)
		}
	})
	t.Run("a payload that cannot be encoded fails the record", func(t *testing.T) {
		h := idempotency.Handler(&idempotency.MemoryStore{}, func(ctx context.Context, v func()) error { return nil }, func(func()) string { return "k" }, idempotency.Options{})
		var ue *json.UnsupportedTypeError
		if err := h(ctx, func() {}); !errors.As(err, &ue) {
			t.Errorf("got %v, want a json.UnsupportedTypeError", err)
		}
	})
}

// TestNew checks the mistakes caught when a Handler or a store is built.
func TestNew(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	h := func(ctx context.Context, o Order) error { return nil }
	mustPanic("Handler(nil store)", func() { idempotency.Handler(nil, h, nil, idempotency.Options{}) })
	mustPanic("Handler(nil handler)", func() {
		idempotency.Handler[Order](&idempotency.MemoryStore{}, nil, nil, idempotency.Options{})
	})
	mustPanic("Cached(nil)", func() { idempotency.Cached(nil, 1) })
	mustPanic("NewDynamoDBStore(nil client)", func() { idempotency.NewDynamoDBStore(nil, idempotency.Table{Name: "t"}) })
	client := newClient(ddbEndpoint)
	mustPanic("NewDynamoDBStore(no name)", func() { idempotency.NewDynamoDBStore(client, idempotency.Table{}) })
	mustPanic("NewDynamoDBStore(a name twice)", func() {
		idempotency.NewDynamoDBStore(client, idempotency.Table{Name: "t", Owner: "id"})
	})
}
