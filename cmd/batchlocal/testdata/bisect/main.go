// Command bisect is a test Kinesis function that fails the whole
// invocation, with an error, when a record's data is "poison", and
// succeeds otherwise: the case BisectBatchOnFunctionError is for.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, ev events.KinesisEvent) error {
	for _, r := range ev.Records {
		if string(r.Kinesis.Data) == "poison" {
			return errors.New("poison in the batch")
		}
	}
	return nil
}

func main() { lambda.Start(handle) }
