package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/policy"
)

// fakeSim is a small simulated queue with the semantics policy.Simulator
// asks of esm.SQS: simulated time, a receipt handle per delivery, a
// visibility timeout, FIFO groups that deliver nothing while a message is
// in flight, and a dead-letter queue.
type fakeSim struct {
	mu      sync.Mutex // held by the methods the function's goroutines call
	arn     string
	fifo    bool
	vis     time.Duration
	maxRecv int
	now     time.Time
	msgs    []*simMsg
	dlq     []events.SQSMessage
	moving  map[string]bool // source message ids sent to the DLQ by the function
	seq     int
	log     []delivery
	size    int // batch size; 0 means 10
}

type simMsg struct {
	id, body, group string
	receives        int
	visibleAt       time.Time
	handle          string
	state           string // "", "processed", "dead-lettered"
}

// delivery is one delivery of a message, at a simulated instant.
type delivery struct {
	at time.Duration // since the start
	id string
}

var simStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func newFakeSim(name string, maxRecv int) *fakeSim {
	return &fakeSim{
		arn: "arn:aws:sqs:us-east-1:123456789012:" + name, fifo: strings.HasSuffix(name, ".fifo"),
		vis: 30 * time.Second, maxRecv: maxRecv, now: simStart, moving: map[string]bool{},
	}
}

func (s *fakeSim) ARN() string { return s.arn }

func (s *fakeSim) RedrivePolicy() (string, int) {
	if s.maxRecv == 0 {
		return "", 0
	}
	name := strings.TrimSuffix(s.arn, ".fifo") + "-dlq"
	if s.fifo {
		name += ".fifo"
	}
	return name, s.maxRecv
}

func (s *fakeSim) SendDeadLetter(source string, m events.SQSMessage) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	m.MessageId = fmt.Sprintf("dlq-%d", s.seq)
	s.dlq = append(s.dlq, m)
	if source != "" {
		s.moving[source] = true
	}
	return m.MessageId
}

func (s *fakeSim) ChangeVisibility(handle string, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d < 0 || d > 12*time.Hour {
		return fmt.Errorf("visibility %v out of range", d)
	}
	for _, m := range s.msgs {
		if m.handle == handle && m.state == "" && m.visibleAt.After(s.now) {
			m.visibleAt = s.now.Add(d)
			return nil
		}
	}
	return errors.New("no message in flight has that receipt handle")
}

func (s *fakeSim) send(group string, bodies ...string) {
	for _, b := range bodies {
		s.seq++
		s.msgs = append(s.msgs, &simMsg{id: fmt.Sprintf("m%d", s.seq), body: b, group: group, visibleAt: s.now})
	}
}

// run plays the event source mapping until the queue is empty or after
// limit invocations.
func (s *fakeSim) run(t *testing.T, fn interface {
	Invoke(context.Context, []byte) ([]byte, error)
}, limit int) {
	t.Helper()
	for range limit {
		batch := s.receive()
		if batch == nil {
			next := time.Time{}
			for _, m := range s.msgs {
				if m.state == "" && (next.IsZero() || m.visibleAt.Before(next)) {
					next = m.visibleAt
				}
			}
			if next.IsZero() {
				return
			}
			s.now = next
			continue
		}
		ev := events.SQSEvent{}
		for _, m := range batch {
			s.seq++
			m.handle = fmt.Sprintf("rh-%d", s.seq)
			attrs := map[string]string{"ApproximateReceiveCount": fmt.Sprint(m.receives)}
			if m.group != "" {
				attrs["MessageGroupId"] = m.group
			}
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: m.id, ReceiptHandle: m.handle, Body: m.body, EventSource: "aws:sqs", EventSourceARN: s.arn, Attributes: attrs})
			s.log = append(s.log, delivery{s.now.Sub(simStart), m.id})
		}
		payload, _ := json.Marshal(ev)
		out, err := fn.Invoke(context.Background(), payload)
		if err != nil {
			continue // the whole batch comes back when its visibility ends
		}
		var resp events.SQSEventResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("invalid response %s: %v", out, err)
		}
		reported := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			reported[f.ItemIdentifier] = true
		}
		for _, m := range batch {
			switch {
			case reported[m.id]:
			case s.moving[m.id]:
				m.state = "dead-lettered"
			default:
				m.state = "processed"
			}
		}
	}
	t.Fatalf("the queue was not drained after %d invocations", limit)
}

// receive takes the visible messages, moving those received maxRecv times
// to the dead-letter queue; a FIFO group with a message in flight gives
// none.
func (s *fakeSim) receive() []*simMsg {
	blocked := map[string]bool{}
	for _, m := range s.msgs {
		if s.fifo && m.state == "" && m.visibleAt.After(s.now) {
			blocked[m.group] = true
		}
	}
	var out []*simMsg
	for _, m := range s.msgs {
		if m.state != "" || m.visibleAt.After(s.now) || blocked[m.group] || len(out) == s.batchSize() {
			continue
		}
		if s.maxRecv > 0 && m.receives >= s.maxRecv {
			m.state = "dead-lettered"
			s.dlq = append(s.dlq, events.SQSMessage{MessageId: m.id, Body: m.body})
			continue
		}
		m.receives++
		m.visibleAt = s.now.Add(s.vis)
		out = append(out, m)
	}
	return out
}

func (s *fakeSim) batchSize() int {
	if s.size > 0 {
		return s.size
	}
	return 10
}

func (s *fakeSim) deliveries(id string) []time.Duration {
	var at []time.Duration
	for _, d := range s.log {
		if d.id == id {
			at = append(at, d.at)
		}
	}
	return at
}

// The two things a user wants to see in a unit test: a poison message in
// the dead-letter queue after its first delivery, and a flaky one back
// after 1, 2, 4 seconds of simulated time.
func TestSimClientShowsThePolicies(t *testing.T) {
	q := newFakeSim("orders", 5)
	q.send("", "poison", "flaky", "ok")
	c := policy.SimClient{Queue: q}
	fn := batch.New(batch.SQS(), handleBody, batch.Options{
		Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: c}),
		Retry:  policy.Backoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter}),
	})
	q.run(t, fn, 100)

	if got := q.deliveries("m1"); len(got) != 1 {
		t.Errorf("poison: got %d deliveries, want 1", len(got))
	}
	if len(q.dlq) < 1 || q.dlq[0].Body != "poison" || q.msgs[0].state != "dead-lettered" {
		t.Fatalf("got dead-letter queue %+v, state %q; want the poison message, dead-lettered", q.dlq, q.msgs[0].state)
	}
	if got := *q.dlq[0].MessageAttributes[policy.AttrReason].StringValue; !strings.Contains(got, "customer deleted") {
		t.Errorf("got reason %q, want the handler's error", got)
	}
	// The flaky message: received at 0, back after 1 s, 2 s, 4 s, 8 s;
	// then the redrive policy's fifth receive moves it.
	want := []time.Duration{0, 1 * time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second}
	if got := q.deliveries("m2"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("flaky: got deliveries at %v, want %v", got, want)
	}
	if len(q.dlq) != 2 || q.dlq[1].Body != "flaky" {
		t.Errorf("got dead-letter queue %v, want the flaky message after maxReceiveCount", q.dlq)
	}
}

// On a FIFO queue, the messages after a failed one wait with it and come
// back after it, in order; a diverted message does not hold its group
// back.
func TestSimClientFIFO(t *testing.T) {
	q := newFakeSim("orders.fifo", 3)
	q.send("A", "flaky", "ok a2")
	q.send("B", "poison", "ok b2")
	c := policy.SimClient{Queue: q}
	fn := batch.New(batch.SQS(), handleBody, batch.Options{
		SkipGroupOnError: true,
		Divert:           policy.DeadLetter(policy.DeadLetterConfig{Client: c}),
		Retry:            policy.Backoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter}),
	})
	q.run(t, fn, 100)
	s := time.Second
	for id, want := range map[string][]time.Duration{
		"m1": {0, 1 * s, 3 * s}, // flaky: then moved by the redrive policy at 7 s
		"m2": {0, 1 * s, 3 * s}, // always with m1, after it
		"m3": {0},               // poison: diverted
		"m4": {0},               // handled right after it
	} {
		if got := q.deliveries(id); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got deliveries at %v, want %v", id, got, want)
		}
	}
	// As in SQS, a message skipped behind a failure of its group was
	// received each time too: it reaches maxReceiveCount with the failed
	// one and follows it to the dead-letter queue.
	var bodies []string
	for _, m := range q.dlq {
		bodies = append(bodies, m.Body)
	}
	if fmt.Sprint(bodies) != "[poison flaky ok a2]" || q.dlq[0].Attributes["MessageGroupId"] != "B" {
		t.Errorf("got dead-letter queue %q (poison's group %q), want the poison message (group B), then the flaky one and the one behind it", bodies, q.dlq[0].Attributes["MessageGroupId"])
	}
}

// When the dead-letter queue cannot take the message, the record is
// reported and comes back: nothing is lost.
func TestSimClientNothingLost(t *testing.T) {
	q := newFakeSim("orders", 0) // no redrive policy, so no dead-letter queue
	q.send("", "poison")
	c := policy.SimClient{Queue: q}
	fn := batch.New(batch.SQS(), handleBody, batch.Options{Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: c})})
	for range 3 {
		out, err := fn.Invoke(context.Background(), []byte(`{"Records":[{"messageId":"m1","receiptHandle":"rh","body":"poison","eventSource":"aws:sqs","eventSourceARN":"`+q.arn+`"}]}`))
		if err == nil || len(q.dlq) != 0 {
			t.Fatalf("got %s, %v, dead-letter queue %v; want the message reported (the whole batch failed)", out, err, q.dlq)
		}
		if !errors.Is(err, policy.ErrNoDeadLetterQueue) {
			t.Fatalf("got %v, want it to say there is no dead-letter queue", err)
		}
	}
}

func TestSimClientAnswersLikeSQS(t *testing.T) {
	q := newFakeSim("orders", 4)
	q.send("", "a")
	q.receive() // in flight
	q.msgs[0].handle = "rh-live"
	c := policy.SimClient{Queue: q}
	ctx := context.Background()
	url := "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
	other := "https://sqs.us-east-1.amazonaws.com/123456789012/other"

	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url})
	if err != nil || out.Attributes["QueueArn"] != q.arn || !strings.Contains(out.Attributes["RedrivePolicy"], `"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq"`) {
		t.Fatalf("GetQueueAttributes: got %v, %v", out, err)
	}
	if _, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &other}); err == nil || !strings.Contains(err.Error(), "NonExistentQueue") {
		t.Fatalf("GetQueueAttributes of another queue: got %v, want NonExistentQueue", err)
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: str("x")}); err == nil {
		t.Fatal("SendMessage to the source queue: got nil, want an error (only the dead-letter queue takes sends)")
	}
	dlq := url + "-dlq"
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &dlq, MessageBody: str("x"), MessageGroupId: str("g"),
		MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: str("String"), StringValue: str("v")}}})
	if err != nil || *sent.MessageId == "" || q.dlq[0].Body != "x" || *q.dlq[0].MessageAttributes["k"].StringValue != "v" || q.dlq[0].Attributes["MessageGroupId"] != "g" {
		t.Fatalf("SendMessage to the dead-letter queue: got %v, %v, %+v", sent, err, q.dlq)
	}
	vis, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: &url, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: str("0"), ReceiptHandle: str("rh-live"), VisibilityTimeout: 5},
		{Id: str("1"), ReceiptHandle: str("rh-stale"), VisibilityTimeout: 5},
	}})
	if err != nil || len(vis.Successful) != 1 || *vis.Successful[0].Id != "0" || len(vis.Failed) != 1 || *vis.Failed[0].Code != "ReceiptHandleIsInvalid" || !vis.Failed[0].SenderFault {
		t.Fatalf("ChangeMessageVisibilityBatch: got %+v, %v", vis, err)
	}
	if got := q.msgs[0].visibleAt.Sub(q.now); got != 5*time.Second {
		t.Fatalf("got the message visible in %v, want 5s", got)
	}
	many := make([]types.ChangeMessageVisibilityBatchRequestEntry, 11)
	if _, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: &url, Entries: many}); err == nil {
		t.Fatal("11 entries: got nil, want an error")
	}
}

// The function's goroutines call the simulator at the same time: records
// diverted in parallel, visibility changed in several calls at once.
func TestSimClientConcurrently(t *testing.T) {
	q := newFakeSim("orders", 3)
	q.size = 100
	for i := range 60 {
		q.send("", []string{"ok", "poison", "flaky"}[i%3])
	}
	c := policy.SimClient{Queue: q}
	fn := batch.New(batch.SQS(), handleBody, batch.Options{
		Concurrency: 8,
		Divert:      policy.DeadLetter(policy.DeadLetterConfig{Client: c}),
		Retry:       policy.Backoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter, Concurrency: 4}),
	})
	q.run(t, fn, 100)
	if len(q.dlq) != 40 {
		t.Fatalf("got %d messages in the dead-letter queue, want 20 diverted and 20 redriven", len(q.dlq))
	}
	for _, m := range q.msgs[2:3] {
		if got := q.deliveries(m.id); fmt.Sprint(got) != "[0s 1s 3s]" {
			t.Fatalf("flaky %s: got deliveries at %v, want [0s 1s 3s]", m.id, got)
		}
	}
}
