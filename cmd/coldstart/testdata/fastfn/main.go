// Command fastfn is the minimal SQS function with the fast path, measured
// by cmd/coldstart.
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
	lambda.Start(batch.New(batch.SQS(), handle, batch.Options{}))
}
