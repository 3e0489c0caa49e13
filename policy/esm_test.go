package policy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/esm"
	"github.com/seed-45ee126e/batch/policy"
)

// The simulators of package esm implement policy.Simulator.
var _ policy.Simulator = (*esm.SQS)(nil)

// With an esm simulator, a unit test sees the policies act on the queue:
// a poison message lands in the simulated dead-letter queue on its first
// delivery, with its reason, and ends dead-lettered; a flaky message comes
// back after 1, 2, 4 seconds of simulated time, then succeeds.
func TestPoliciesOnAnESMSimulator(t *testing.T) {
	sim := esm.NewSQS("orders", esm.SQSConfig{MaxReceiveCount: 10, VisibilityTimeout: 30 * time.Second})
	poison := sim.Send("poison")[0]
	flaky := sim.Send("flaky")[0]
	ok := sim.Send("ok")[0]

	var attempts int
	c := policy.SimClient{Queue: sim}
	fn := batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
		switch m.Body {
		case "poison":
			return batch.Permanent(errors.New("no such customer"))
		case "flaky":
			attempts++
			if attempts < 4 {
				return errors.New("downstream busy")
			}
		}
		return nil
	}, batch.Options{
		Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: c}),
		Retry:  policy.Backoff(policy.BackoffConfig{Client: c, Base: time.Second, Jitter: policy.NoJitter}),
	})
	trace := sim.Run(context.Background(), fn)
	if err := trace.Drained(); err != nil {
		t.Fatal(err)
	}
	if err := trace.InState(esm.DeadLettered, poison); err != nil {
		t.Error(err)
	}
	if err := trace.InState(esm.Processed, flaky, ok); err != nil {
		t.Error(err)
	}
	if r, _ := trace.Record(poison); r.Deliveries != 1 {
		t.Errorf("poison: got %d deliveries, want 1", r.Deliveries)
	}
	dlq := sim.DeadLetters()
	if len(dlq) != 1 || dlq[0].Body != "poison" || !strings.Contains(attr(dlq[0], policy.AttrReason), "no such customer") {
		t.Fatalf("dead-letter queue: got %+v, want the poison message with its reason", dlq)
	}
	// The flaky message's deliveries, in simulated time from its first.
	r, _ := trace.Record(flaky)
	var at []time.Duration
	for _, i := range r.Invocations {
		at = append(at, trace.Invocations[i].Time.Sub(trace.Start))
	}
	want := []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second}
	if len(at) != len(want) {
		t.Fatalf("flaky delivered at %v, want %v", at, want)
	}
	for i := range want {
		if d := at[i] - at[0]; d != want[i] {
			t.Fatalf("flaky delivered at %v after its first, want %v", diffs(at), want)
		}
	}
}

func attr(m events.SQSMessage, name string) string {
	if a, ok := m.MessageAttributes[name]; ok && a.StringValue != nil {
		return *a.StringValue
	}
	return ""
}

func diffs(at []time.Duration) []time.Duration {
	out := make([]time.Duration, len(at))
	for i := range at {
		out[i] = at[i] - at[0]
	}
	return out
}
