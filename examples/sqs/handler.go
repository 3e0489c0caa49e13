// Package sqsexample is a Lambda function that consumes orders from a
// standard SQS queue. Each message body is a JSON order; an order that does
// not decode or does not validate fails alone, and only it is retried.
package sqsexample

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// Order is the body of a message.
type Order struct {
	OrderID  string `json:"orderId"`  // unique per order
	SKU      string `json:"sku"`      // the product ordered
	Quantity int    `json:"quantity"` // how many; must be positive
}

// Validate rejects orders that cannot be fulfilled; the Function calls it
// after decoding the body, before fulfil.
func (o Order) Validate() error {
	if o.OrderID == "" {
		return errors.New("orderId is missing")
	}
	if o.Quantity <= 0 {
		return fmt.Errorf("quantity %d is not positive", o.Quantity)
	}
	return nil
}

// New returns the Lambda function, which handles up to 8 orders at once:
// lambda.Start(sqsexample.New()).
func New() *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse] {
	return batch.New(batch.SQS(), fulfil, batch.Options{Concurrency: 8})
}

func fulfil(ctx context.Context, o Order) error {
	// Reserve stock, charge, ship… (a real function calls other services
	// here, with ctx).
	return nil
}
