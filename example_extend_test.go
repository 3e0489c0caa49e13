//go:build legacy

package batch_test

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// dedupProcessor is a processor of one's own built on the engine, in the
// spirit of a "custom partial processor": it prepares state before the
// batch (loads the ids already handled), changes how each record is
// processed (skips those ids), and cleans up after the batch (saves the
// new ids). Nothing of the engine is copied: ordering, concurrency, the
// deadline and reporting still come from batch.Process.
type dedupProcessor struct {
	batch.Processor
	store map[string]bool // stands for a table of handled message ids
}

func (d *dedupProcessor) SQS(ctx context.Context, ev events.SQSEvent, h batch.Handler[events.SQSMessage]) (events.SQSEventResponse, error) {
	// Prepare: a snapshot of what was handled before this batch.
	seen := make(map[string]bool, len(d.store))
	for id := range d.store {
		seen[id] = true
	}
	var mu sync.Mutex
	var handled []string

	// Custom per-record processing, as middleware around the user's handler.
	skipSeen := func(next batch.Handler[events.SQSMessage]) batch.Handler[events.SQSMessage] {
		return func(ctx context.Context, m events.SQSMessage) error {
			if seen[m.MessageId] {
				return nil // already done in an earlier delivery
			}
			if err := next(ctx, m); err != nil {
				return err
			}
			mu.Lock()
			handled = append(handled, m.MessageId)
			mu.Unlock()
			return nil
		}
	}
	rep := batch.Process(ctx, d.Processor, ev.Records, batch.SQSSource(ev.Records), batch.Wrap(h, skipSeen))

	// Clean: persist what this batch handled. The lock matters: a handler
	// abandoned at the deadline may still be running and append later.
	mu.Lock()
	for _, id := range handled {
		d.store[id] = true
	}
	mu.Unlock()
	return batch.SQSResponse(rep)
}

// Example_customProcessor builds a processor with its own preparation,
// per-record behaviour and clean-up on top of the engine.
func Example_customProcessor() {
	d := &dedupProcessor{Processor: batch.Processor{Concurrency: 2}, store: map[string]bool{"m1": true}}
	calls := 0
	var mu sync.Mutex
	resp, err := d.SQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "charge"}, {MessageId: "m2", Body: "charge"}, {MessageId: "m3", Body: "refund"},
	}}, func(ctx context.Context, m events.SQSMessage) error {
		mu.Lock()
		calls++
		mu.Unlock()
		if m.Body == "refund" {
			return fmt.Errorf("refunds are handled elsewhere")
		}
		return nil
	})
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
