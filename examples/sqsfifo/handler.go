// Package fifoexample is a Lambda function that applies account operations
// from an SQS FIFO queue, one message group per customer. The operations of
// one customer must apply in order: when one fails, that customer's later
// messages are skipped and retried with it, while other customers go on, in
// parallel.
package fifoexample

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

// Operation is the body of a message.
type Operation struct {
	Customer string `json:"customer"` // the account, also the message group
	Action   string `json:"action"`   // open, deposit, withdraw
	Amount   int    `json:"amount"`   // in cents
}

// New returns the Lambda function, which keeps order per message group
// (customer), stops only the failed customer's later operations, and runs
// up to four customers at once: lambda.Start(fifoexample.New()).
func New() *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse] {
	l := &ledger{balance: map[string]int{}}
	return batch.New(batch.SQS(), l.apply, batch.Options{SkipGroupOnError: true, Concurrency: 4})
}

// ledger stands for the accounts table.
type ledger struct {
	mu      sync.Mutex
	balance map[string]int
}

func (l *ledger) apply(ctx context.Context, op Operation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch op.Action {
	case "open":
		l.balance[op.Customer] = 0
	case "deposit":
		l.balance[op.Customer] += op.Amount
	case "withdraw":
		if l.balance[op.Customer] < op.Amount {
			return fmt.Errorf("%s: cannot withdraw %d from %d", op.Customer, op.Amount, l.balance[op.Customer])
		}
		l.balance[op.Customer] -= op.Amount
	default:
		return fmt.Errorf("unknown action %q", op.Action)
	}
	return nil
}
