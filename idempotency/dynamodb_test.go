package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/idempotency"
)

// These tests run Functions against DynamoDB Local, as Lambda would run
// them against DynamoDB: several invocations at once, crashes, expiry,
// outages.

// counting is a DynamoDBClient that counts the calls it passes on.
type counting struct {
	idempotency.DynamoDBClient
	puts, gets, updates, deletes atomic.Int64
}

func (c *counting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, f ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.puts.Add(1)
	return c.DynamoDBClient.PutItem(ctx, in, f...)
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, f ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	return c.DynamoDBClient.GetItem(ctx, in, f...)
}

func (c *counting) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, f ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.updates.Add(1)
	return c.DynamoDBClient.UpdateItem(ctx, in, f...)
}

func (c *counting) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, f ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.deletes.Add(1)
	return c.DynamoDBClient.DeleteItem(ctx, in, f...)
}

// crashing is a Store that begins keys and then loses the process: it
// never completes nor releases them, as an invocation that was killed
// after its Begin.
type crashing struct{ idempotency.Store }

func (crashing) Complete(context.Context, string, idempotency.Item) error { return nil }
func (crashing) Release(context.Context, string, string) error            { return nil }

// ddbStore returns a DynamoDB store on a new table of the test server.
func ddbStore(t testing.TB) (*idempotency.DynamoDBStore, *dynamodb.Client, idempotency.Table) {
	client := newClient(ddbEndpoint)
	tbl := newTable(t, client, idempotency.Table{})
	return idempotency.NewDynamoDBStore(client, tbl), client, tbl
}

// TestDuplicatesAcrossInvocations delivers one batch to 8 invocations at
// once, as SQS may deliver a message to several consumers, and retries the
// records that failed until none does, as Lambda would: each message is
// handled exactly once, and the records that failed meanwhile failed
// because their key was in progress in another invocation.
func TestDuplicatesAcrossInvocations(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  func(Order) string
		// event returns the batch invocation i receives.
		event func(q *batchtest.SQSQueue, ev events.SQSEvent, i int) events.SQSEvent
	}{
		{
			name:  "the same messages, keyed by messageId",
			event: func(_ *batchtest.SQSQueue, ev events.SQSEvent, _ int) events.SQSEvent { return ev },
		},
		{
			name: "the same orders in other messages, keyed by order id",
			key:  orderID,
			event: func(q *batchtest.SQSQueue, ev events.SQSEvent, _ int) events.SQSEvent {
				bodies := make([]string, len(ev.Records))
				for i, m := range ev.Records {
					bodies[i] = m.Body
				}
				return q.Event(bodies...)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, _, _ := ddbStore(t)
			var c calls
			handle := func(ctx context.Context, o Order) error {
				c.add(o.ID)
				time.Sleep(2 * time.Millisecond) // widen the window in which another invocation could begin the key
				return nil
			}
			fn := batch.New(batch.SQS(), idempotency.Handler(store, handle, tc.key, idempotency.Options{}), batch.Options{Concurrency: 4})

			q := batchtest.NewSQSQueue("orders")
			const records, invocations = 20, 8
			bodies := make([]string, records)
			for i := range bodies {
				bodies[i] = fmt.Sprintf(`{"id":"o-%d","qty":%d}`, i, i+1)
			}
			ev := q.Event(bodies...)
			evs := make([]events.SQSEvent, invocations)
			for i := range evs {
				evs[i] = tc.event(q, ev, i)
			}

			var wg sync.WaitGroup
			var inProgress atomic.Int64
			for i := 0; i < invocations; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pending := evs[i]
					for round := 0; len(pending.Records) > 0; round++ {
						if round == 50 {
							t.Errorf("invocation %d: records still failing after 50 rounds", i)
							return
						}
						_, rep := fn.Process(context.Background(), pending)
						var retry events.SQSEvent
						for _, r := range rep.Results {
							if r.Err == nil {
								continue
							}
							var ipe *idempotency.InProgressError
							if !errors.As(r.Err, &ipe) {
								t.Errorf("invocation %d: record %s failed with %v, want only *InProgressError", i, r.ID, r.Err)
								return
							}
							inProgress.Add(1)
							retry.Records = append(retry.Records, r.Record)
						}
						pending = retry
					}
				}()
			}
			wg.Wait()
			t.Logf("%d records failed because another invocation held their key", inProgress.Load())
			for i := 0; i < records; i++ {
				if n := c.get(fmt.Sprint("o-", i)); n != 1 {
					t.Errorf("order o-%d handled %d times, want 1", i, n)
				}
			}
		})
	}
}

// TestCrashedInvocation: an invocation that dies after beginning a key
// holds it until its deadline, and no longer.
func TestCrashedInvocation(t *testing.T) {
	store, _, _ := ddbStore(t)
	var c calls
	handle := func(ctx context.Context, o Order) error {
		c.add(o.ID)
		return nil
	}
	// The record's deadline is the invocation's: no margin.
	opts := batch.Options{DeadlineMargin: -1}
	crashed := batch.New(batch.SQS(), idempotency.Handler(crashing{store}, handle, orderID, idempotency.Options{}), opts)
	fn := batch.New(batch.SQS(), idempotency.Handler(store, handle, orderID, idempotency.Options{}), opts)
	ev := batchtest.NewSQSQueue("orders").Event(`{"id":"o-1"}`)

	deadline := time.Now().Add(2 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if _, err := crashed.Handle(ctx, ev); err != nil {
		t.Fatal(err)
	}

	// Another invocation, before the crashed one's deadline.
	resp, rep := fn.Process(context.Background(), ev)
	batchtest.AssertFailures(t, resp, ev.Records[0].MessageId)
	var ipe *idempotency.InProgressError
	if !errors.As(rep.Results[0].Err, &ipe) {
		t.Fatalf("before the deadline: got %v, want an *InProgressError", rep.Results[0].Err)
	}
	// The lock is stored in milliseconds, rounded up.
	if d := ipe.Until.Sub(deadline); d < 0 || d >= time.Millisecond {
		t.Errorf("locked until %v, want the crashed invocation's deadline %v", ipe.Until, deadline)
	}

	// After it.
	time.Sleep(time.Until(deadline) + 10*time.Millisecond)
	resp, err := fn.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	batchtest.AssertFailures(t, resp)
	if n := c.get("o-1"); n != 2 {
		t.Errorf("handled %d times, want 2: by the crashed invocation, then after its deadline", n)
	}
}

// TestExpiredItem: an item whose expiry has passed counts as absent though
// it is still in the table (DynamoDB deletes expired items some time
// later, and DynamoDB Local never does).
func TestExpiredItem(t *testing.T) {
	store, client, tbl := ddbStore(t)
	var c calls
	fn := batch.New(batch.SQS(), idempotency.Handler(store, func(ctx context.Context, o Order) error {
		c.add(o.ID)
		return nil
	}, orderID, idempotency.Options{Prefix: "p#"}), batch.Options{})
	ctx := context.Background()
	q := batchtest.NewSQSQueue("orders")
	for _, body := range []string{`{"id":"o-1","qty":1}`, `{"id":"o-1","qty":1}`} {
		if _, err := fn.Handle(ctx, q.Event(body)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.get("o-1"); n != 1 {
		t.Fatalf("handled %d times before expiry, want 1", n)
	}

	// Time passes: the item's expiry is now a minute ago.
	key := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "p#o-1"}}
	_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(tbl.Name),
		Key:                       key,
		UpdateExpression:          aws.String("SET expiration = :past"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tbl.Name), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		t.Fatalf("the expired item is not in the table (%v): the test would prove nothing", err)
	}

	// A different payload too: an expired key is free, not a mismatch.
	resp, err := fn.Handle(ctx, q.Event(`{"id":"o-1","qty":2}`))
	if err != nil {
		t.Fatal(err)
	}
	batchtest.AssertFailures(t, resp)
	if n := c.get("o-1"); n != 2 {
		t.Errorf("handled %d times, want 2: once more after expiry", n)
	}
}

// TestMismatch: a key reused with another payload fails with a
// MismatchError, in the same invocation or a later one.
func TestMismatch(t *testing.T) {
	store, _, _ := ddbStore(t)
	var c calls
	fn := batch.New(batch.SQS(), idempotency.Handler(store, func(ctx context.Context, o Order) error {
		c.add(o.ID)
		return nil
	}, orderID, idempotency.Options{Prefix: "p#"}), batch.Options{})
	q := batchtest.NewSQSQueue("orders")
	if _, err := fn.Handle(context.Background(), q.Event(`{"id":"o-1","qty":1}`)); err != nil {
		t.Fatal(err)
	}
	ev := q.Event(`{"id":"o-1","qty":1}`, `{"id":"o-1","qty":7}`)
	resp, rep := fn.Process(context.Background(), ev)
	batchtest.AssertFailures(t, resp, ev.Records[1].MessageId)
	var me *idempotency.MismatchError
	if rep.Results[0].Err != nil || !errors.As(rep.Results[1].Err, &me) || me.Key != "p#o-1" {
		t.Errorf("got %v, want nil and a *MismatchError of p#o-1", results(rep))
	}
	if n := c.get("o-1"); n != 1 {
		t.Errorf("handled %d times, want 1", n)
	}
}

// TestOutage: when DynamoDB cannot be reached, or the table is missing,
// every record fails with a StoreError and no handler runs.
func TestOutage(t *testing.T) {
	// A port with nothing listening: take one, then free it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()

	for _, tc := range []struct {
		name  string
		store func(t *testing.T) idempotency.Store
		cause func(err error) bool
	}{
		{
			name: "endpoint down",
			store: func(t *testing.T) idempotency.Store {
				return idempotency.NewDynamoDBStore(newClient(down), idempotency.Table{Name: "idempotency"})
			},
			cause: func(err error) bool { var ne *net.OpError; return errors.As(err, &ne) },
		},
		{
			name: "table missing",
			store: func(t *testing.T) idempotency.Store {
				return idempotency.NewDynamoDBStore(newClient(ddbEndpoint), idempotency.Table{Name: "no-such-table"})
			},
			cause: func(err error) bool { var rnf *types.ResourceNotFoundException; return errors.As(err, &rnf) },
		},
		{
			name: "table missing, behind the cache",
			store: func(t *testing.T) idempotency.Store {
				return idempotency.Cached(idempotency.NewDynamoDBStore(newClient(ddbEndpoint), idempotency.Table{Name: "no-such-table"}), 0)
			},
			cause: func(err error) bool { var rnf *types.ResourceNotFoundException; return errors.As(err, &rnf) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c calls
			fn := batch.New(batch.SQS(), idempotency.Handler(tc.store(t), func(ctx context.Context, o Order) error {
				c.add(o.ID)
				return nil
			}, nil, idempotency.Options{}), batch.Options{})
			ev := batchtest.NewSQSQueue("orders").Event(`{"id":"o-1"}`, `{"id":"o-2"}`)
			resp, rep := fn.Process(context.Background(), ev)
			batchtest.AssertFailures(t, resp, ev.Records[0].MessageId, ev.Records[1].MessageId)
			for _, r := range rep.Results {
				var se *idempotency.StoreError
				if r.Outcome != batch.Failed || !errors.As(r.Err, &se) || se.Op != "begin" || !tc.cause(r.Err) {
					t.Errorf("record %d: got %s, %v; want failed with a *StoreError of begin and the cause", r.Index, r.Outcome, r.Err)
				}
			}
			var be *batch.BatchError
			if !errors.As(rep.Err, &be) {
				t.Errorf("got %v, want a *BatchError: every record failed", rep.Err)
			}
			if c.total() != 0 {
				t.Errorf("handler called %d times, want 0", c.total())
			}
		})
	}
}

// TestCache: with the cache, a batch handled before in this process costs
// no DynamoDB call; without it, one PutItem per record.
func TestCache(t *testing.T) {
	client := newClient(ddbEndpoint)
	tbl := newTable(t, client, idempotency.Table{})
	cc := &counting{DynamoDBClient: client}
	ddb := idempotency.NewDynamoDBStore(cc, tbl)
	var c calls
	handle := func(ctx context.Context, o Order) error {
		c.add(o.ID)
		return nil
	}
	cachedFn := batch.New(batch.SQS(), idempotency.Handler(idempotency.Cached(ddb, 100), handle, orderID, idempotency.Options{}), batch.Options{})
	plainFn := batch.New(batch.SQS(), idempotency.Handler(ddb, handle, orderID, idempotency.Options{}), batch.Options{})
	q := batchtest.NewSQSQueue("orders")
	ev := q.Event(`{"id":"o-1"}`, `{"id":"o-2"}`, `{"id":"o-3"}`)

	counts := func() [4]int64 {
		return [4]int64{cc.puts.Load(), cc.gets.Load(), cc.updates.Load(), cc.deletes.Load()}
	}
	step := func(name string, fn *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse], want [4]int64) {
		t.Helper()
		before := counts()
		resp, err := fn.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		batchtest.AssertFailures(t, resp)
		after := counts()
		var got [4]int64
		for i := range got {
			got[i] = after[i] - before[i]
		}
		if got != want {
			t.Errorf("%s: calls (put, get, update, delete) %v, want %v", name, got, want)
		}
	}
	step("first, through the cache", cachedFn, [4]int64{3, 0, 3, 0})
	step("again, through the cache", cachedFn, [4]int64{0, 0, 0, 0})
	step("again, without the cache", plainFn, [4]int64{3, 0, 0, 0})
	for _, id := range []string{"o-1", "o-2", "o-3"} {
		if n := c.get(id); n != 1 {
			t.Errorf("order %s handled %d times, want 1", id, n)
		}
	}

	// A cache of another process has not seen the keys: it asks DynamoDB,
	// and remembers the completed keys it is told of.
	other := batch.New(batch.SQS(), idempotency.Handler(idempotency.Cached(ddb, 100), handle, orderID, idempotency.Options{}), batch.Options{})
	step("another process's cache, first", other, [4]int64{3, 0, 0, 0})
	step("another process's cache, again", other, [4]int64{0, 0, 0, 0})
}

// TestCustomTable: every attribute name can be chosen.
func TestCustomTable(t *testing.T) {
	client := newClient(ddbEndpoint)
	tbl := newTable(t, client, idempotency.Table{
		Key: "pk", Status: "state", Expiry: "ttl", LockExpiry: "lock_ms", Fingerprint: "hash", Owner: "holder",
	})
	store := idempotency.NewDynamoDBStore(client, tbl)
	var c calls
	fn := batch.New(batch.SQS(), idempotency.Handler(store, func(ctx context.Context, o Order) error {
		c.add(o.ID)
		return nil
	}, orderID, idempotency.Options{Prefix: "p#"}), batch.Options{})
	ev := batchtest.NewSQSQueue("orders").Event(`{"id":"o-1"}`, `{"id":"o-1"}`)
	if _, err := fn.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if n := c.get("o-1"); n != 1 {
		t.Errorf("handled %d times, want 1", n)
	}
	out, err := client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(tbl.Name),
		Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "p#o-1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"pk", "state", "ttl", "hash", "holder"} {
		if _, ok := out.Item[a]; !ok {
			t.Errorf("the item has no attribute %q: %v", a, out.Item)
		}
	}
	if _, ok := out.Item["lock_ms"]; ok {
		t.Errorf("a completed item still has its lock attribute: %v", out.Item)
	}
	if s, _ := out.Item["state"].(*types.AttributeValueMemberS); s == nil || s.Value != "COMPLETED" {
		t.Errorf("state: got %v, want COMPLETED", out.Item["state"])
	}
}
