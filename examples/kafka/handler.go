// Package kafkaexample is a Lambda function that consumes payments from an
// Amazon MSK topic. Partitions run in parallel, each in offset order; a
// failure stops its partition, since Lambda resumes the partition from the
// failed offset anyway.
package kafkaexample

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// Payment is the value of a record.
type Payment struct {
	PaymentID string `json:"paymentId"` // unique per payment
	Amount    int    `json:"amount"`    // in cents; must be positive
}

// Validate rejects payments that are not positive.
func (p Payment) Validate() error {
	if p.Amount <= 0 {
		return fmt.Errorf("payment %s: amount %d is not positive", p.PaymentID, p.Amount)
	}
	return nil
}

// New returns the Lambda function, which runs partitions in parallel and
// stops a partition at its first failure: lambda.Start(kafkaexample.New()).
func New() *batch.Function[events.KafkaEvent, events.KafkaRecord, batch.KafkaEventResponse] {
	return batch.New(batch.Kafka(), settle, batch.Options{Concurrency: 4, SkipGroupOnError: true})
}

func settle(ctx context.Context, p Payment) error {
	rec, _ := batch.RecordFrom(ctx)
	r := rec.Value.(*events.KafkaRecord)
	if src, ok := batch.KafkaHeader(*r, "source"); !ok || len(src) == 0 {
		return fmt.Errorf("payment %s has no source header", p.PaymentID)
	}
	return nil // book the payment here, with ctx
}
