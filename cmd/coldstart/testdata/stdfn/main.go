// Command stdfn is the minimal SQS function on the standard path
// (lambda.Start with a handler of the event type, encoding/json), measured by
// cmd/coldstart.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
)

func handle(_ context.Context, m events.SQSMessage) error {
	if m.Body == "" {
		return errors.New("empty body")
	}
	return nil
}

func main() {
	fn := batch.New(batch.SQS(), handle, batch.Options{})
	lambda.Start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return fn.Handle(ctx, ev)
	})
}
