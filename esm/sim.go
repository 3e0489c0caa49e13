package esm

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seed-45ee126e/batch/internal/fake"
)

// DefaultMaxInvocations is the number of invocations after which Run stops
// when the configuration's MaxInvocations is zero.
const DefaultMaxInvocations = 1000

// book keeps the trace of a simulation and the facts needed to fill it in.
type book struct {
	trace   Trace
	ordered bool   // check that records of a group succeed in order
	everOK  []bool // the handler has succeeded with the record at least once
	groups  map[string][]int
	ids     fake.Gen
	fnARN   string
	timeout time.Duration

	// Running counts for the progress hook, kept as records are added,
	// delivered and settled so that a report costs no walk of the trace.
	states       [Discarded + 1]int
	deliveries   int
	redeliveries int
	onProgress   func(Progress)
}

func newBook(name string, ordered bool, timeout time.Duration) *book {
	return &book{
		trace:   Trace{Start: fake.Epoch},
		ordered: ordered,
		groups:  map[string][]int{},
		ids:     fake.NewGen("lambda:" + name),
		fnARN:   fmt.Sprintf("arn:aws:lambda:%s:%s:function:test-function", fake.Region, fake.Account),
		timeout: timeout,
	}
}

// add registers a record and returns its index in the trace.
func (b *book) add(r Record) int {
	i := len(b.trace.Records)
	b.trace.Records = append(b.trace.Records, r)
	b.everOK = append(b.everOK, false)
	b.states[r.State]++
	g := r.Shard + "\x00" + r.Key
	if r.Key != "" {
		b.groups[g] = append(b.groups[g], i)
	}
	return i
}

// deliver counts a delivery of the records idx in invocation inv.
func (b *book) deliver(inv int, idx []int) {
	for _, i := range idx {
		r := &b.trace.Records[i]
		if r.Deliveries > 0 {
			b.redeliveries++
		}
		b.deliveries++
		r.Deliveries++
		r.Invocations = append(r.Invocations, inv)
		if b.everOK[i] {
			r.Duplicates++
		}
	}
}

// handled records which records of a delivery the handler succeeded with,
// in batch order, and notes any that overtook an earlier record of its
// group.
func (b *book) handled(inv int, idx []int, ok []bool) {
	for n, i := range idx {
		if !ok[n] {
			continue
		}
		r := &b.trace.Records[i]
		if b.ordered && r.Key != "" {
			for _, j := range b.groups[r.Shard+"\x00"+r.Key] {
				if j >= i {
					break
				}
				if !b.everOK[j] && b.trace.Records[j].State == Pending {
					b.trace.OrderViolations = append(b.trace.OrderViolations,
						fmt.Sprintf("invocation %d: %s succeeded before %s, earlier in its group %q", inv, r.ID, b.trace.Records[j].ID, r.Key))
					break
				}
			}
		}
		b.everOK[i] = true
	}
}

// settle gives record i its final state.
func (b *book) settle(i int, s State) {
	r := &b.trace.Records[i]
	b.states[r.State]--
	b.states[s]++
	r.State = s
}

// progress calls the progress hook, if any, with inFlight records in the
// invocation being made.
func (b *book) progress(now time.Time, inFlight int) {
	if b.onProgress == nil {
		return
	}
	b.onProgress(Progress{
		Time:         now,
		Invocations:  len(b.trace.Invocations),
		Records:      len(b.trace.Records),
		InFlight:     inFlight,
		Processed:    b.states[Processed],
		DeadLettered: b.states[DeadLettered],
		Expired:      b.states[Expired],
		Discarded:    b.states[Discarded],
		Deliveries:   b.deliveries,
		Redeliveries: b.redeliveries,
	})
}

// Progress is where a simulation stands, for a progress display or a
// runner's log: the hooks [SQSConfig.OnProgress] and
// [StreamConfig.OnProgress] receive it before each invocation, with its
// batch in flight, after Lambda has judged the invocation, and when Run
// returns.
type Progress struct {
	// Time is the simulator's clock.
	Time time.Time
	// Invocations counts the invocations judged so far; the one in
	// flight, if any, is not counted yet.
	Invocations int
	// Records counts the records sent or put so far, and InFlight those
	// of the invocation being made (0 between invocations).
	Records, InFlight int
	// Processed, DeadLettered, Expired and Discarded count the records
	// in each final [State]; the others are pending.
	Processed, DeadLettered, Expired, Discarded int
	// Deliveries counts every delivery of a record to the function, and
	// Redeliveries those of records that had been delivered before.
	Deliveries, Redeliveries int
}

// Settled returns the number of records in a final state: processed,
// dead-lettered, expired or discarded.
func (p Progress) Settled() int { return p.Processed + p.DeadLettered + p.Expired + p.Discarded }

// Function is what a simulator invokes: a Lambda function as the runtime
// calls it, the event's JSON in, the response's JSON out. A
// *batch.Function is one; so is the lambda.Handler that lambda.NewHandler
// makes of a handler function of any signature lambda.Start accepts.
type Function interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// call invokes fn with ev the way Lambda's Go runtime does: the event as
// JSON, a context that carries a [lambdacontext.LambdaContext] and, when
// the simulation has a timeout, a deadline; a panic becomes an error
// wrapping ErrPanic; a function still running at the deadline makes the
// invocation fail with ErrTimeout (the simulator waits for it to return,
// so that no goroutine is left behind).
func call(ctx context.Context, b *book, fn Function, ev any) (resp []byte, err error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("esm: the event cannot be marshalled: %w", err)
	}
	lc := &lambdacontext.LambdaContext{AwsRequestID: b.ids.UUID(), InvokedFunctionArn: b.fnARN}
	ctx = lambdacontext.NewContext(ctx, lc)
	var deadline time.Time
	if b.timeout > 0 {
		var cancel context.CancelFunc
		deadline = time.Now().Add(b.timeout)
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	func() {
		returned := false // panic(nil) recovers as nil under GODEBUG=panicnil=1
		defer func() {
			if !returned {
				resp, err = nil, fmt.Errorf("%w: %v", ErrPanic, recover())
			}
		}()
		resp, err = fn.Invoke(ctx, payload)
		returned = true
	}()
	if b.timeout > 0 && !time.Now().Before(deadline) {
		return nil, ErrTimeout
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// ConfigError is the error of a simulator built with a configuration that
// Lambda rejects, such as a BatchSize above 10 for a FIFO queue: its Run
// invokes nothing, leaves every record [Pending] and returns the error in
// [Trace.Err]. Check it with [errors.As].
type ConfigError struct {
	// Source is the simulated source, as in "sqs:orders.fifo" or
	// "kinesis:clicks".
	Source string
	// Field is the name of the configuration field, as in "BatchSize".
	Field string
	// Value is the value given, and Max the largest one Lambda accepts;
	// the smallest is 1, and 0 means the default.
	Value, Max int
}

// Error describes the field, its value and the range Lambda accepts.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("esm: %s: %s is %d, Lambda accepts 1 to %d (0 means the default)", e.Source, e.Field, e.Value, e.Max)
}

// checkBatchSize returns a *ConfigError when size is out of the range
// Lambda accepts, 0 (the default) to max.
func checkBatchSize(source string, size, max int) error {
	if size < 0 || size > max {
		return &ConfigError{Source: source, Field: "BatchSize", Value: size, Max: max}
	}
	return nil
}

func defaultInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func defaultDuration(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}
