package batch_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// shipments collects the tracking number of each record of one invocation,
// by position: each record writes its own slot, so concurrent records need
// no lock.
type shipments []string

type shipmentsKey struct{}

// Example_collectOutputs shows how to collect what the records of one
// invocation produced. A handler returns only an error, because Lambda's
// response carries only the failures; outputs are the handler's business.
// To gather them, put a slice sized for the batch in the context of the
// call and let each record fill its own slot, found with RecordFrom: the
// Function is still built once, and invocations running at the same time
// do not share the slice.
func Example_collectOutputs() {
	fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		r, _ := batch.RecordFrom(ctx)
		out := ctx.Value(shipmentsKey{}).(shipments)
		out[r.Index] = "TRK-" + strings.ToUpper(m.Body)
		return nil
	}, batch.Options{Concurrency: 4})

	handler := func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		out := make(shipments, len(ev.Records))
		resp, err := fn.Handle(context.WithValue(ctx, shipmentsKey{}, out), ev)
		fmt.Println(out) // publish them, write them to a table, …
		return resp, err
	}
	_, _ = handler(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: "a1"}, {MessageId: "m2", Body: "b2"}, {MessageId: "m3", Body: "c3"},
	}})
	// Output:
	// [TRK-A1 TRK-B2 TRK-C3]
}
