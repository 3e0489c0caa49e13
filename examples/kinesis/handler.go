// Package kinesisexample is a Lambda function that consumes a clickstream
// from Kinesis Data Streams. Records of different users run in parallel;
// the records of one user (one partition key) stay in order, and after a
// failure that user's later records are skipped, so that they are
// redelivered after it rather than handled before it.
package kinesisexample

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// Click is the data of a record.
type Click struct {
	User string `json:"user"` // who clicked
	Page string `json:"page"` // the page clicked; required
}

// Validate rejects clicks without a page.
func (c Click) Validate() error {
	if c.Page == "" {
		return errors.New("page is missing")
	}
	return nil
}

// New returns the Lambda function, which runs up to 16 partition keys at
// once and stops a key at its first failure: lambda.Start(kinesisexample.New()).
func New() *batch.Function[events.KinesisEvent, events.KinesisEventRecord, events.KinesisEventResponse] {
	return batch.New(batch.Kinesis(), record, batch.Options{Concurrency: 16, SkipGroupOnError: true})
}

func record(ctx context.Context, c Click) error {
	// Update the user's session, counters… with ctx.
	return nil
}
