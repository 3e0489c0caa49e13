package batch_test

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// dedupFunction is a Lambda function of one's own built on batch.Function,
// in the spirit of a "custom partial processor": it prepares state before
// each batch (loads the ids already handled), changes how each record is
// processed (skips those ids), and cleans up after the batch (saves the
// new ids). Nothing of the engine is copied: ordering, concurrency, the
// deadline and the response still come from the Function.
type dedupFunction struct {
	fn *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse]

	mu    sync.Mutex
	store map[string]bool // stands for a table of handled message ids
}

// seenKey is the context key under which Handle passes the ids handled
// before the batch to the middleware.
type seenKey struct{}

func newDedupFunction(h func(context.Context, events.SQSMessage) error, o batch.Options, store map[string]bool) *dedupFunction {
	// The function is built once; what differs per batch reaches the
	// middleware through the context.
	o.Middleware = append([]batch.Middleware{skipSeen}, o.Middleware...)
	return &dedupFunction{fn: batch.New(batch.SQS(), h, o), store: store}
}

// skipSeen is the custom per-record processing: a record already handled
// in an earlier delivery succeeds without reaching the handler.
func skipSeen(next batch.RecordFunc) batch.RecordFunc {
	return func(ctx context.Context, r batch.Record) error {
		if seen, _ := ctx.Value(seenKey{}).(map[string]bool); seen[r.ID] {
			return nil
		}
		return next(ctx, r)
	}
}

// Handle is the Lambda handler: lambda.Start(d.Handle).
func (d *dedupFunction) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	// Prepare: a snapshot of what was handled before this batch.
	d.mu.Lock()
	seen := make(map[string]bool, len(d.store))
	for id := range d.store {
		seen[id] = true
	}
	d.mu.Unlock()

	resp, rep := d.fn.Process(context.WithValue(ctx, seenKey{}, seen), ev)

	// Clean: persist what this batch handled, read from the report. It
	// holds the outcome each record had when Process returned, even if a
	// handler abandoned at the deadline is still running.
	d.mu.Lock()
	for _, r := range rep.Results {
		if r.Outcome == batch.Succeeded {
			d.store[r.ID] = true
		}
	}
	d.mu.Unlock()
	return resp, rep.Err
}

// A function of one's own, with its own preparation, per-record behaviour
// and clean-up, on top of a Function: a middleware changes how each record
// is handled, and Process gives the outcome of every record for the
// clean-up. This one skips the messages it handled before.
func Example_customFunction() {
	calls := 0
	var mu sync.Mutex
	handle := func(ctx context.Context, m events.SQSMessage) error {
		mu.Lock()
		calls++
		mu.Unlock()
		if m.Body == "refund" {
			return fmt.Errorf("refunds are handled elsewhere")
		}
		return nil
	}
	d := newDedupFunction(handle, batch.Options{Concurrency: 2}, map[string]bool{"m1": true})

	resp, err := d.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "charge"}, {MessageId: "m2", Body: "charge"}, {MessageId: "m3", Body: "refund"},
	}})
	printJSON(resp)
	fmt.Println(err, calls)
	var ids []string
	for id := range d.store {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Println(ids)
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":"m3"}]}
	// <nil> 2
	// [m1 m2]
}
