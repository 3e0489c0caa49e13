// Package firstdecode is what the programs of programs/ share: each times
// the first decode of an order in its process, which pays whatever the
// decoder does once per type (reflection, caches, code generation), and
// then the second. The body comes from an SQS message, as in a Lambda
// function, so that every program links aws-lambda-go's events; and each
// result is checked against json.Unmarshal's, so that every program links
// encoding/json's decoder, as the runtime of aws-lambda-go links it into
// every Lambda function. A program's size over the one that decodes with
// encoding/json is then what its decoder adds to a function.
package firstdecode

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
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
	for i, m := range msgs {
		var want payload.Order
		if err := json.Unmarshal([]byte(m.Body), &want); err != nil {
			return err
		}
		if !reflect.DeepEqual(o[i], want) {
			return fmt.Errorf("message %s: decoded %+v, want %+v", m.MessageId, o[i], want)
		}
	}
	_, err := fmt.Fprintf(stdout, "first_ns=%d second_ns=%d id=%s\n", took[0].Nanoseconds(), took[1].Nanoseconds(), o[0].ID)
	return err
}
