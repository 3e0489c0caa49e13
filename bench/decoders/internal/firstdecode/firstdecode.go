// Package firstdecode is what the programs of programs/ share: each times
// the first decode of an order in its process, which pays whatever the
// decoder does once per type (reflection, caches, code generation), and
// then the second. The body comes from an SQS message, as in a Lambda
// function, so that every program links aws-lambda-go's events. It imports
// no JSON package.
package firstdecode

import (
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/bench/decoders/internal/payload"
)

// Measure decodes two orders with decode, timing each, and writes one line:
//
//	first_ns=N second_ns=N id=ID
func Measure(stdout io.Writer, decode func(data []byte, o *payload.Order) error) error {
	msgs := []events.SQSMessage{
		{MessageId: "m1", Body: string(payload.OrderJSON(1))},
		{MessageId: "m2", Body: string(payload.OrderJSON(2))},
	}
	var (
		took [2]time.Duration
		o    [2]payload.Order
	)
	for i, m := range msgs {
		start := time.Now()
		err := decode([]byte(m.Body), &o[i])
		took[i] = time.Since(start)
		if err != nil {
			return fmt.Errorf("message %s: %w", m.MessageId, err)
		}
	}
	if o[0].ID != "order-000001" || len(o[1].Items) != 3 {
		return fmt.Errorf("decoded %+v and %+v, want order-000001 and order-000002 with 3 items", o[0], o[1])
	}
	_, err := fmt.Fprintf(stdout, "first_ns=%d second_ns=%d id=%s\n", took[0].Nanoseconds(), took[1].Nanoseconds(), o[0].ID)
	return err
}
