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

// Processor keeps order per message group (customer) and runs up to four
// groups at once.
var Processor = batch.Processor{SkipGroupOnError: true, Concurrency: 4}

// Handler is the Lambda handler: lambda.Start(fifoexample.Handler).
func Handler(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	l := &ledger{balance: map[string]int{}}
	return Processor.SQS(ctx, ev, batch.SQSJSON(l.apply))
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
