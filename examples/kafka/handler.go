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

// Processor runs partitions in parallel and stops a partition at its first
// failure.
var Processor = batch.Processor{Concurrency: 4, SkipGroupOnError: true}

// Handler is the Lambda handler: lambda.Start(kafkaexample.Handler).
func Handler(ctx context.Context, ev events.KafkaEvent) (batch.KafkaEventResponse, error) {
	return Processor.Kafka(ctx, ev, batch.KafkaJSONWithRecord(settle))
}

func settle(ctx context.Context, p Payment, r events.KafkaRecord) error {
	if src, ok := batch.KafkaHeader(r, "source"); !ok || len(src) == 0 {
		return fmt.Errorf("payment %s has no source header", p.PaymentID)
	}
	return nil // book the payment here, with ctx
}
