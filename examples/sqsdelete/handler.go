// Package sqsdeleteexample is a Lambda function for an SQS event source
// mapping that does not have ReportBatchItemFailures turned on (one owned
// by another team, say). It books invoices; since Lambda would ignore a
// partial batch response, the function deletes the messages of the invoices
// it booked itself, with package sqsdelete, and returns an error naming the
// others, so that only those come back.
//
// It is a module of its own, as sqsdelete is, so that the AWS SDK stays out
// of the root module.
package sqsdeleteexample

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/sqsdelete"
)

// Invoice is the body of a message.
type Invoice struct {
	InvoiceID string `json:"invoiceId"` // unique per invoice
	Customer  string `json:"customer"`  // who pays
	Amount    int    `json:"amount"`    // in cents; must be positive
}

// Validate rejects invoices that cannot be booked; the Function calls it
// after decoding the body, before book.
func (i Invoice) Validate() error {
	if i.InvoiceID == "" {
		return errors.New("invoiceId is missing")
	}
	if i.Amount <= 0 {
		return fmt.Errorf("invoice %s: amount %d is not positive", i.InvoiceID, i.Amount)
	}
	return nil
}

// New returns the Lambda function, which books up to 8 invoices at once and
// deletes the messages of those it booked with client (an *sqs.Client in a
// deployed function): lambda.Start(sqsdeleteexample.New(sqs.NewFromConfig(cfg))).
func New(client sqsdelete.Client) *sqsdelete.Function {
	return sqsdelete.New(sqsdelete.Config{Client: client}, book, batch.Options{Concurrency: 8})
}

func book(ctx context.Context, inv Invoice) error {
	// Post the invoice to the ledger, with ctx.
	return nil
}
