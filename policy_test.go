package batch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

var errNoCustomer = errors.New("no such customer")

func TestPermanentMarksAnError(t *testing.T) {
	if batch.Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
	err := batch.Permanent(fmt.Errorf("order 7: %w", errNoCustomer))
	if !errors.Is(err, batch.ErrPermanent) || !errors.Is(err, errNoCustomer) {
		t.Fatalf("got %v, want it to match ErrPermanent and the cause", err)
	}
	if got, want := err.Error(), "order 7: no such customer"; got != want {
		t.Fatalf("got message %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("handler: %w", batch.ErrPermanent)
	if !errors.Is(wrapped, batch.ErrPermanent) {
		t.Fatal("a wrapped sentinel is not found")
	}
}

// diverter records what Options.Divert received and diverts everything but
// the records it is told to refuse.
type diverter struct {
	mu     sync.Mutex
	got    []batch.Failure
	refuse map[string]error
}

func (d *diverter) divert(_ context.Context, f batch.Failure) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, f)
	if err := d.refuse[f.ID]; err != nil {
		if err.Error() == "panic" {
			panic("dead-letter queue unreachable")
		}
		return err
	}
	return nil
}

func (d *diverter) ids() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, f := range d.got {
		out = append(out, f.ID)
	}
	return out
}

type ticket struct {
	Customer string `json:"customer"`
	Qty      int    `json:"qty"`
}

func (t ticket) Validate() error {
	if t.Qty <= 0 {
		return errors.New("qty must be positive")
	}
	return nil
}

func handleTicket(_ context.Context, t ticket) error {
	switch t.Customer {
	case "gone":
		return batch.Permanent(errNoCustomer)
	case "busy":
		return errors.New("downstream busy")
	}
	return nil
}

func TestDivertTakesPermanentFailuresOutOfTheWay(t *testing.T) {
	bodies := []string{
		`{"customer":"a","qty":1}`,    // m0 succeeds
		`{"customer":"gone","qty":1}`, // m1 permanent: diverted
		`not json`,                    // m2 decode error: permanent by default
		`{"customer":"a","qty":0}`,    // m3 validation error: permanent by default
		`{"customer":"busy","qty":1}`, // m4 transient: reported
	}
	tests := []struct {
		name          string
		opts          batch.Options
		wantDiverted  []string
		wantResponse  []string
		wantPermanent []bool
	}{
		{"permanent failures are diverted, transient ones reported", batch.Options{},
			[]string{"m1", "m2", "m3"}, []string{"m4"}, []bool{false, true, true, true, false}},
		{"decode and validation errors can be made transient", batch.Options{TransientDecodeErrors: true},
			[]string{"m1"}, []string{"m2", "m3", "m4"}, []bool{false, true, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &diverter{}
			tt.opts.Divert = d.divert
			fn := batch.New(batch.SQS(), handleTicket, tt.opts)
			resp, rep := fn.Process(context.Background(), sqsEvent(bodies...))
			if rep.Err != nil {
				t.Fatalf("got error %v, want nil", rep.Err)
			}
			if got := d.ids(); !equalStrings(got, tt.wantDiverted) {
				t.Errorf("diverted %v, want %v", got, tt.wantDiverted)
			}
			if got := failedIDs(resp); !equalStrings(got, tt.wantResponse) {
				t.Errorf("response %v, want %v", got, tt.wantResponse)
			}
			for i, r := range rep.Results {
				if r.Permanent != tt.wantPermanent[i] {
					t.Errorf("record %d: got Permanent %v, want %v (%v)", i, r.Permanent, tt.wantPermanent[i], r.Err)
				}
				diverted := contains(tt.wantDiverted, r.ID)
				if diverted != (r.Outcome == batch.Diverted) {
					t.Errorf("record %d: got outcome %v, want diverted %v", i, r.Outcome, diverted)
				}
				if diverted && r.Err == nil {
					t.Errorf("record %d: a diverted record keeps its error, got nil", i)
				}
			}
			for _, f := range d.got {
				if !f.Permanent || f.Err == nil || f.Value.(*events.SQSMessage).MessageId != f.ID {
					t.Errorf("Divert got %+v, want a permanent failure with its record and error", f)
				}
			}
		})
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// On a FIFO queue a permanent failure stops the rest of the batch; once
// diverted it no longer does, so the records after it are handled in this
// invocation. When Divert fails, the record fails with both errors and the
// batch stops as before: nothing is lost.
func TestDivertOnAFIFOQueue(t *testing.T) {
	ev := sqsEvent(`{"customer":"a","qty":1}`, `{"customer":"gone","qty":1}`, `{"customer":"b","qty":1}`)
	for i := range ev.Records {
		ev.Records[i].EventSourceARN = "arn:aws:sqs:us-east-1:123456789012:q.fifo"
		ev.Records[i].Attributes = map[string]string{"MessageGroupId": "g"}
	}
	t.Run("diverted: the group goes on", func(t *testing.T) {
		d := &diverter{}
		fn := batch.New(batch.SQS(), handleTicket, batch.Options{Divert: d.divert})
		resp, rep := fn.Process(context.Background(), ev)
		if got := failedIDs(resp); len(got) != 0 || rep.Err != nil {
			t.Fatalf("got response %v and %v, want nothing reported", got, rep.Err)
		}
		if rep.Results[2].Outcome != batch.Succeeded {
			t.Fatalf("record after the diverted one: got %v, want succeeded", rep.Results[2].Outcome)
		}
	})
	for _, refusal := range []error{errors.New("queue not found"), errors.New("panic")} {
		t.Run("not diverted ("+refusal.Error()+"): the batch stops", func(t *testing.T) {
			d := &diverter{refuse: map[string]error{"m1": refusal}}
			fn := batch.New(batch.SQS(), handleTicket, batch.Options{Divert: d.divert})
			resp, rep := fn.Process(context.Background(), ev)
			if got, want := failedIDs(resp), []string{"m1", "m2"}; !equalStrings(got, want) {
				t.Fatalf("got response %v, want %v", got, want)
			}
			r := rep.Results[1]
			if r.Outcome != batch.Failed || !errors.Is(r.Err, errNoCustomer) || !strings.Contains(r.Err.Error(), "not diverted") {
				t.Fatalf("got %v %v, want failed with the handler's and Divert's errors", r.Outcome, r.Err)
			}
			if !errors.Is(rep.Results[2].Err, batch.ErrSkipped) {
				t.Fatalf("record after: got %v, want skipped", rep.Results[2].Err)
			}
		})
	}
}

// A batch whose records all failed but some were diverted is not a failed
// batch: the diverted records were handled.
func TestDivertedRecordsAreNotABatchFailure(t *testing.T) {
	d := &diverter{}
	fn := batch.New(batch.SQS(), handleTicket, batch.Options{Divert: d.divert})
	_, err := fn.Handle(context.Background(), sqsEvent(`{"customer":"gone","qty":1}`, `{"customer":"busy","qty":1}`))
	if err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	out, err := fn.Invoke(context.Background(), []byte(`{"Records":[{"messageId":"x","body":"{\"customer\":\"gone\",\"qty\":1}"}]}`))
	if err != nil || string(out) != `{"batchItemFailures":[]}` {
		t.Fatalf("Invoke: got %s, %v; want an empty list", out, err)
	}
}

func TestRetryGetsTheRecordsToRetry(t *testing.T) {
	var calls [][]batch.Failure
	retry := func(_ context.Context, fs []batch.Failure) { calls = append(calls, fs) }
	d := &diverter{}
	fn := batch.New(batch.SQS(), handleTicket, batch.Options{Divert: d.divert, Retry: retry, StopOnFirstFailure: true})
	ev := sqsEvent(`{"customer":"gone","qty":1}`, `{"customer":"busy","qty":1}`, `{"customer":"a","qty":1}`)
	resp, _ := fn.Handle(context.Background(), ev)
	if len(calls) != 1 {
		t.Fatalf("Retry called %d times, want once", len(calls))
	}
	var ids []string
	for _, f := range calls[0] {
		ids = append(ids, f.ID)
	}
	if want := failedIDs(resp); !equalStrings(ids, want) || !equalStrings(ids, []string{"m1", "m2"}) {
		t.Fatalf("Retry got %v, want the response's records [m1 m2]", ids)
	}
	if !errors.Is(calls[0][1].Err, batch.ErrSkipped) || calls[0][0].Permanent {
		t.Fatalf("got %+v, want m1 transient and m2 skipped", calls[0])
	}

	calls = nil
	if _, err := fn.Handle(context.Background(), sqsEvent(`{"customer":"a","qty":1}`)); err != nil || len(calls) != 0 {
		t.Fatalf("got %v and %d calls, want no Retry when nothing is retried", err, len(calls))
	}

	panicky := batch.New(batch.SQS(), handleTicket, batch.Options{Retry: func(context.Context, []batch.Failure) { panic("boom") }})
	resp, err := panicky.Handle(context.Background(), sqsEvent(`{"customer":"busy","qty":1}`, `{"customer":"a","qty":1}`))
	if err != nil || !equalStrings(failedIDs(resp), []string{"m0"}) {
		t.Fatalf("with a panicking Retry: got %v, %v; want m0 reported", failedIDs(resp), err)
	}
}

// A policy is told whether a record to retry ran: a back-off delays a
// record that failed, not one that was skipped. Divert only ever sees
// records that ran.
func TestFailuresSayWhetherTheRecordRan(t *testing.T) {
	var got []batch.Failure
	retry := func(_ context.Context, fs []batch.Failure) { got = fs }
	var diverted []batch.Failure
	divert := func(_ context.Context, f batch.Failure) error { diverted = append(diverted, f); return nil }
	fn := batch.New(batch.SQS(), handleTicket, batch.Options{Retry: retry, Divert: divert, StopOnFirstFailure: true})
	fn.Handle(context.Background(), sqsEvent(`{"customer":"gone","qty":1}`, `{"customer":"busy","qty":1}`, `{"customer":"a","qty":1}`))
	if len(got) != 2 || got[0].Outcome != batch.Failed || got[1].Outcome != batch.NotProcessed {
		t.Fatalf("got %+v, want m1 failed and m2 not processed", got)
	}
	if len(diverted) != 1 || diverted[0].Outcome != batch.Failed {
		t.Fatalf("Divert got %+v, want m0 with outcome failed", diverted)
	}
}

// Retry runs in the time the call has left, and its context ends before
// the invocation's deadline, so that a slow policy cannot make the call
// miss it: the engine keeps half a margin to return the response.
func TestRetryContextEndsBeforeTheDeadline(t *testing.T) {
	var retryDeadline time.Time
	var hasDeadline bool
	retry := func(ctx context.Context, _ []batch.Failure) { retryDeadline, hasDeadline = ctx.Deadline() }
	fn := batch.New(batch.SQS(), handleTicket, batch.Options{Retry: retry, DeadlineMargin: 200 * time.Millisecond, Reserve: time.Second})
	deadline := time.Now().Add(10 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	fn.Handle(ctx, sqsEvent(`{"customer":"busy","qty":1}`, `{"customer":"a","qty":1}`))
	if !hasDeadline {
		t.Fatal("got no deadline in Retry's context, want one")
	}
	if want := deadline.Add(-100 * time.Millisecond); !retryDeadline.Equal(want) {
		t.Fatalf("got Retry's deadline %v before the call's, want %v (half the margin)", deadline.Sub(retryDeadline), deadline.Sub(want))
	}

	// Without deadline handling, Retry gets the caller's context.
	fn = batch.New(batch.SQS(), handleTicket, batch.Options{Retry: retry, DeadlineMargin: -1})
	fn.Handle(ctx, sqsEvent(`{"customer":"busy","qty":1}`))
	if !retryDeadline.Equal(deadline) {
		t.Fatalf("with DeadlineMargin < 0: got Retry's deadline %v, want the call's %v", retryDeadline, deadline)
	}
}

// A policy sees the ordering group the engine handled a record in, the
// same as Result.Group: the MessageGroupId on a FIFO queue, also when
// Options.FIFO makes a batch FIFO; nothing on a standard queue, whose
// group ids (fair queues) order nothing.
func TestFailuresCarryTheirOrderingGroup(t *testing.T) {
	ev := sqsEvent(`{"customer":"gone","qty":1}`, `{"customer":"busy","qty":1}`, `{"customer":"a","qty":1}`)
	for i := range ev.Records {
		ev.Records[i].Attributes = map[string]string{"MessageGroupId": []string{"g1", "g2", "g2"}[i]}
	}
	for _, tt := range []struct {
		name string
		fifo bool
		want []string // groups of the diverted, then of the retried records
	}{
		{"FIFO", true, []string{"g1", "g2", "g2"}},
		{"standard", false, []string{"", "", ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			divert := func(_ context.Context, f batch.Failure) error { got = append(got, f.Group); return nil }
			retry := func(_ context.Context, fs []batch.Failure) {
				for _, f := range fs {
					got = append(got, f.Group)
				}
			}
			fn := batch.New(batch.SQS(), handleTicket, batch.Options{FIFO: tt.fifo, SkipGroupOnError: true, StopOnFirstFailure: !tt.fifo, Divert: divert, Retry: retry})
			_, rep := fn.Process(context.Background(), ev)
			if !equalStrings(got, tt.want) {
				t.Fatalf("got groups %q, want %q", got, tt.want)
			}
			for i, r := range rep.Results {
				if i > 0 && r.Group != tt.want[i] {
					t.Fatalf("record %d: Result.Group %q, Failure.Group %q: want them equal", i, r.Group, tt.want[i])
				}
			}
		})
	}
}
