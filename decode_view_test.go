package batch_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// scribbler writes over the bytes it is given and keeps them, which the
// contract of UnmarshalJSON forbids but a careless type may do.
type scribbler struct{ kept []byte }

func (s *scribbler) UnmarshalJSON(b []byte) error {
	s.kept = b
	for i := range b {
		b[i] = 'x'
	}
	return nil
}

// fallible is decoded by the library's decoder, which fails on a number
// too large for it, and then by encoding/json, which fails too.
type fallible struct{ N int8 }

// An SQS body reaches the library's decoder as a view of the string, not
// a copy: whatever else decodes it must get a copy, so that the message
// (immutable, a string) is never written.
func TestSQSBodyIsNeverWritten(t *testing.T) {
	const body = `{"a":1}`
	in := []byte(`{"Records":[{"messageId":"m1","body":"{\"a\":1}","eventSource":"aws:sqs"}]}`)
	check := func(ctx context.Context, body string) {
		r, _ := batch.RecordFrom(ctx)
		if got := r.Value.(*events.SQSMessage).Body; got != body {
			t.Errorf("body is %q after decoding, want %q", got, body)
		}
	}
	t.Run("UnmarshalJSON", func(t *testing.T) {
		fn := batch.New(batch.SQS(), func(ctx context.Context, s scribbler) error { check(ctx, body); return nil }, batch.Options{})
		if _, err := fn.Invoke(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("StdJSON", func(t *testing.T) {
		fn := batch.New(batch.SQS(), func(ctx context.Context, s struct{ S scribbler }) error { check(ctx, `{"S":{"a":1}}`); return nil }, batch.Options{StdJSON: true})
		if _, err := fn.Invoke(context.Background(), []byte(`{"Records":[{"messageId":"m1","body":"{\"S\":{\"a\":1}}","eventSource":"aws:sqs"}]}`)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("fallback to encoding/json", func(t *testing.T) {
		var err error
		fn := batch.New(batch.SQS(), func(ctx context.Context, f fallible) error { return nil }, batch.Options{
			Middleware: []batch.Middleware{func(next batch.RecordFunc) batch.RecordFunc {
				return func(ctx context.Context, r batch.Record) error {
					err = next(ctx, r)
					if got := r.Value.(*events.SQSMessage).Body; got != `{"N":300}` {
						t.Errorf("body is %q after decoding, want it unchanged", got)
					}
					return err
				}
			}},
		})
		if _, ierr := fn.Invoke(context.Background(), []byte(`{"Records":[{"messageId":"m1","body":"{\"N\":300}","eventSource":"aws:sqs"}]}`)); ierr == nil {
			t.Fatal("got no error, want the batch to fail: its only record does not decode")
		}
		if err == nil {
			t.Fatal("got no decode error for 300 into an int8")
		}
	})
}
