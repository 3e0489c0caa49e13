// Command typedfn is the minimal SQS function whose handler takes a typed
// payload, decoded by the library's JSON decoder, measured by
// cmd/coldstart.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
)

// Order is the payload of cmd/coldstart's events.
type Order struct {
	OrderID  string `json:"orderId"`
	Customer struct {
		ID   string `json:"id"`
		Tier string `json:"tier"`
	} `json:"customer"`
	Items []struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	} `json:"items"`
}

func handle(_ context.Context, o Order) error {
	if o.OrderID == "" {
		return errors.New("no order id")
	}
	return nil
}

func main() {
	lambda.Start(batch.New(batch.SQS(), handle, batch.Options{}))
}
