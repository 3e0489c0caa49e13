package esm_test

// Helpers shared by the tests of this package. Define new shared helpers
// here, not in the file that first needs them.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/esm"
)

// errFunction is the error of a function that fails on purpose.
var errFunction = errors.New("function error")

// invokeFunc is an esm.Function written as a plain func, for tests that
// choose the exact bytes a function answers with.
type invokeFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f invokeFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// answers returns a function that gives resps[i] to invocation i, the last
// one repeating, whatever the event.
func answers(resps ...string) esm.Function {
	n := 0
	return invokeFunc(func(context.Context, []byte) ([]byte, error) {
		r := resps[len(resps)-1]
		if n < len(resps) {
			r = resps[n]
		}
		n++
		return []byte(r), nil
	})
}

// viaHandle returns the lambda.Handler of a handler function that passes
// the event to fn.Handle: the event is decoded by encoding/json, as for
// lambda.Start(handler), instead of by the Function's own decoder.
func viaHandle[E, R, Resp any](fn *batch.Function[E, R, Resp]) esm.Function {
	return lambda.NewHandler(func(ctx context.Context, ev E) (Resp, error) {
		return fn.Handle(ctx, ev)
	})
}

// kafkaItem is the identifier of r in a Kafka response.
func kafkaItem(r events.KafkaRecord) batch.KafkaItemIdentifier {
	return batch.KafkaItemIdentifier{Partition: fmt.Sprintf("%s-%d", r.Topic, r.Partition), Offset: r.Offset}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
