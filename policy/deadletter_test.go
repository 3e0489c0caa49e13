package policy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/policy"
)

const (
	srcARN  = "arn:aws:sqs:us-east-1:123456789012:orders"
	srcURL  = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
	dlqARN  = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
	dlqURL  = "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq"
	fifoARN = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
	fifoURL = "https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo"
	fdlqARN = "arn:aws:sqs:us-east-1:123456789012:orders-dlq.fifo"
	fdlqURL = "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq.fifo"
)

var errGone = errors.New("customer deleted")

// handleBody fails a body "poison…" permanently and a body "flaky…"
// transiently.
func handleBody(_ context.Context, m events.SQSMessage) error {
	switch {
	case strings.HasPrefix(m.Body, "poison"):
		return batch.Permanent(fmt.Errorf("order %s: %w", m.MessageId, errGone))
	case strings.HasPrefix(m.Body, "flaky"):
		return errors.New("downstream unavailable")
	}
	return nil
}

func failedIDs(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestDeadLetterSendsToTheRedriveTarget(t *testing.T) {
	c := &fakeSQS{redrive: map[string]string{srcURL: redrivePolicy(dlqARN)}}
	fn := batch.New(batch.SQS(), handleBody, batch.Options{Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: c})})
	poison := sqsMessage(srcARN, "m1", "poison 1", 1)
	poison.MessageAttributes = map[string]events.SQSMessageAttribute{
		"tenant": {DataType: "String", StringValue: str("acme")},
		"blob":   {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
	}
	poison.Attributes["AWSTraceHeader"] = "Root=1-5759e988-bd862e3fe1be46a994272793"
	ev := events.SQSEvent{Records: []events.SQSMessage{
		sqsMessage(srcARN, "m0", "ok", 1), poison, sqsMessage(srcARN, "m2", "poison 2", 3), sqsMessage(srcARN, "m3", "flaky", 1),
	}}
	resp, rep := fn.Process(context.Background(), ev)
	if got := failedIDs(resp); len(got) != 1 || got[0] != "m3" {
		t.Fatalf("got response %v, want only the transient failure m3", got)
	}
	if rep.Results[1].Outcome != batch.Diverted || rep.Results[2].Outcome != batch.Diverted {
		t.Fatalf("got outcomes %v and %v, want diverted", rep.Results[1].Outcome, rep.Results[2].Outcome)
	}
	if len(c.lookups) != 1 || c.lookups[0] != srcURL {
		t.Fatalf("got GetQueueAttributes on %v, want once on %s", c.lookups, srcURL)
	}
	if len(c.sent) != 2 {
		t.Fatalf("got %d messages sent, want 2", len(c.sent))
	}
	in := c.sent[0]
	if *in.QueueUrl != dlqURL || *in.MessageBody != "poison 1" {
		t.Fatalf("got %s to %s, want the body to %s", *in.MessageBody, *in.QueueUrl, dlqURL)
	}
	want := map[string]string{
		"tenant":                "acme",
		policy.AttrReason:       "order m1: customer deleted",
		policy.AttrSourceQueue:  srcARN,
		policy.AttrReceiveCount: "1",
		policy.AttrMessageID:    "m1",
	}
	for name, v := range want {
		if got := in.MessageAttributes[name]; got.StringValue == nil || *got.StringValue != v {
			t.Errorf("attribute %s: got %v, want %q", name, got.StringValue, v)
		}
	}
	if got := in.MessageAttributes["blob"]; string(got.BinaryValue) != "\x00\x01\x02" || *got.DataType != "Binary" {
		t.Errorf("binary attribute: got %+v, want it kept", got)
	}
	if got := *in.MessageAttributes[policy.AttrReceiveCount].DataType; got != "Number" {
		t.Errorf("receive count: got type %s, want Number", got)
	}
	if got := in.MessageSystemAttributes["AWSTraceHeader"].StringValue; got == nil || *got != poison.Attributes["AWSTraceHeader"] {
		t.Errorf("got trace header %v, want it kept", got)
	}
	if in.MessageGroupId != nil || in.MessageDeduplicationId != nil {
		t.Errorf("standard queue: got group %v, dedup %v; want none", in.MessageGroupId, in.MessageDeduplicationId)
	}
	if got := *c.sent[1].MessageAttributes[policy.AttrReceiveCount].StringValue; got != "3" {
		t.Errorf("second message: got receive count %s, want 3", got)
	}
}

func TestDeadLetterOnAFIFOQueue(t *testing.T) {
	c := &fakeSQS{redrive: map[string]string{fifoURL: redrivePolicy(fdlqARN)}}
	fn := batch.New(batch.SQS(), handleBody, batch.Options{Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: c})})
	var recs []events.SQSMessage
	for i, body := range []string{"ok", "poison", "ok", "poison"} {
		m := sqsMessage(fifoARN, fmt.Sprintf("m%d", i), body, 1)
		m.Attributes["MessageGroupId"] = "g1"
		m.Attributes["MessageDeduplicationId"] = "same-send-id"
		recs = append(recs, m)
	}
	delete(recs[3].Attributes, "MessageGroupId") // hand-made, without a group
	resp, rep := fn.Process(context.Background(), events.SQSEvent{Records: recs})
	if len(resp.BatchItemFailures) != 0 || rep.Results[2].Outcome != batch.Succeeded {
		t.Fatalf("got %v and %v after the diverted message, want nothing reported and the group going on", failedIDs(resp), rep.Results[2].Outcome)
	}
	if len(c.sent) != 2 {
		t.Fatalf("got %d sent, want 2", len(c.sent))
	}
	for k, want := range []struct{ group, dedup string }{{"g1", "m1"}, {"m3", "m3"}} {
		in := c.sent[k]
		if *in.QueueUrl != fdlqURL || *in.MessageGroupId != want.group || *in.MessageDeduplicationId != want.dedup {
			t.Errorf("message %d: got %s group %s dedup %s, want %s group %s dedup %s (the messageId, not the original's send id)",
				k, *in.QueueUrl, *in.MessageGroupId, *in.MessageDeduplicationId, fdlqURL, want.group, want.dedup)
		}
	}
}

func TestDeadLetterToAConfiguredQueue(t *testing.T) {
	c := &fakeSQS{}
	divert := policy.DeadLetter(policy.DeadLetterConfig{Client: c, Target: fdlqURL})
	m := sqsMessage(srcARN, "m1", "poison", 2)
	if err := divert(context.Background(), batch.Failure{Record: batch.Record{ID: "m1", Value: &m}, Err: errGone, Permanent: true}); err != nil {
		t.Fatal(err)
	}
	if len(c.lookups) != 0 {
		t.Fatalf("got GetQueueAttributes %v, want none with a Target", c.lookups)
	}
	// A FIFO target for a standard queue's message: a group of its own.
	if in := c.sent[0]; *in.QueueUrl != fdlqURL || *in.MessageGroupId != "m1" || *in.MessageDeduplicationId != "m1" {
		t.Fatalf("got %s group %v dedup %v, want %s, group and dedup m1", *in.QueueUrl, in.MessageGroupId, in.MessageDeduplicationId, fdlqURL)
	}
}

// When the message cannot be sent, the record is reported as failed as if
// there were no policy: nothing is lost.
func TestDeadLetterFailuresReportTheRecord(t *testing.T) {
	sendErr := errors.New("AccessDenied")
	lookupErr := errors.New("throttled")
	tests := []struct {
		name     string
		client   *fakeSQS
		cfg      policy.DeadLetterConfig
		wantErr  error
		lookups  int // after two invocations
		arn      string
		dontSend bool
	}{
		{"no redrive policy", &fakeSQS{}, policy.DeadLetterConfig{}, policy.ErrNoDeadLetterQueue, 1, srcARN, true},
		{"redrive policy without a target", &fakeSQS{redrive: map[string]string{srcURL: `{"maxReceiveCount":3}`}}, policy.DeadLetterConfig{}, policy.ErrNoDeadLetterQueue, 1, srcARN, true},
		{"lookup fails", &fakeSQS{attrErr: lookupErr}, policy.DeadLetterConfig{}, lookupErr, 2, srcARN, true},
		{"send fails", &fakeSQS{redrive: map[string]string{srcURL: redrivePolicy(dlqARN)}, sendErr: sendErr}, policy.DeadLetterConfig{}, sendErr, 1, srcARN, false},
		{"malformed source ARN", &fakeSQS{}, policy.DeadLetterConfig{}, nil, 0, "arn:aws:sqs:us-east-1:12:q", true},
		{"malformed redrive target", &fakeSQS{redrive: map[string]string{srcURL: redrivePolicy("arn:aws:sns:us-east-1:123456789012:t")}}, policy.DeadLetterConfig{}, nil, 2, srcARN, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Client = tt.client
			fn := batch.New(batch.SQS(), handleBody, batch.Options{Divert: policy.DeadLetter(tt.cfg)})
			for range 2 {
				ev := events.SQSEvent{Records: []events.SQSMessage{sqsMessage(tt.arn, "m0", "poison", 1), sqsMessage(tt.arn, "m1", "ok", 1)}}
				resp, rep := fn.Process(context.Background(), ev)
				if got := failedIDs(resp); len(got) != 1 || got[0] != "m0" {
					t.Fatalf("got response %v, want m0 reported", got)
				}
				r := rep.Results[0]
				if r.Outcome != batch.Failed || !errors.Is(r.Err, errGone) || !r.Permanent {
					t.Fatalf("got %v %v (permanent %v), want failed with the handler's error", r.Outcome, r.Err, r.Permanent)
				}
				if tt.wantErr != nil && !errors.Is(r.Err, tt.wantErr) {
					t.Fatalf("got %v, want it to wrap %v", r.Err, tt.wantErr)
				}
				var ae *policy.ARNError
				if tt.wantErr == nil && !errors.As(r.Err, &ae) {
					t.Fatalf("got %v, want an *ARNError", r.Err)
				}
			}
			if len(tt.client.lookups) != tt.lookups {
				t.Errorf("got %d lookups in two invocations, want %d", len(tt.client.lookups), tt.lookups)
			}
			if tt.dontSend && len(tt.client.sent) != 0 {
				t.Errorf("got %d messages sent, want none", len(tt.client.sent))
			}
		})
	}
}

// SQS takes at most 10 message attributes, and a message of at most the
// queue's size: the original's go as they came, DeadLetter's own as long
// as they fit, the reason first.
func TestDeadLetterAttributeLimits(t *testing.T) {
	ours := []string{policy.AttrReason, policy.AttrSourceQueue, policy.AttrReceiveCount, policy.AttrMessageID}
	withAttrs := func(n int, extra ...string) map[string]events.SQSMessageAttribute {
		a := map[string]events.SQSMessageAttribute{}
		for i := range n {
			a[fmt.Sprintf("a%d", i)] = events.SQSMessageAttribute{DataType: "String", StringValue: str("v")}
		}
		for _, name := range extra {
			a[name] = events.SQSMessageAttribute{DataType: "String", StringValue: str("stale")}
		}
		return a
	}
	tests := []struct {
		name     string
		attrs    map[string]events.SQSMessageAttribute
		body     int // bytes of body
		max      int // MaxMessageSize
		wantOurs int // how many of ours, in priority order
		reason   string
	}{
		{"no attributes", nil, 10, 0, 4, "poisoned"},
		{"six attributes", withAttrs(6), 10, 0, 4, "poisoned"},
		{"eight attributes", withAttrs(8), 10, 0, 2, "poisoned"},
		{"nine attributes", withAttrs(9), 10, 0, 1, "poisoned"},
		{"ten attributes", withAttrs(10), 10, 0, 0, ""},
		{"ours already there are replaced, not added", withAttrs(6, policy.AttrReason, policy.AttrMessageID), 10, 0, 4, "poisoned"},
		{"a body that fills the queue", nil, policy.DefaultMaxMessageSize, 0, 0, ""},
		{"room for part of the reason", nil, 100, 100 + len(policy.AttrReason) + len("String") + 5, 1, "po…"},
		{"a larger queue", nil, policy.DefaultMaxMessageSize, 2 * policy.DefaultMaxMessageSize, 4, "poisoned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeSQS{}
			divert := policy.DeadLetter(policy.DeadLetterConfig{Client: c, Target: dlqURL, MaxMessageSize: tt.max})
			m := sqsMessage(srcARN, "m1", strings.Repeat("x", tt.body), 2)
			m.MessageAttributes = tt.attrs
			if err := divert(context.Background(), batch.Failure{Record: batch.Record{ID: "m1", Value: &m}, Err: errors.New("poisoned"), Permanent: true}); err != nil {
				t.Fatal(err)
			}
			in := c.sent[0]
			if *in.MessageBody != m.Body {
				t.Fatal("the body was changed")
			}
			if len(in.MessageAttributes) > 10 {
				t.Fatalf("got %d attributes, SQS takes at most 10", len(in.MessageAttributes))
			}
			for name := range tt.attrs {
				if _, ok := in.MessageAttributes[name]; !ok {
					t.Errorf("original attribute %s was dropped", name)
				}
			}
			for k, name := range ours {
				a, ok := in.MessageAttributes[name]
				if ok != (k < tt.wantOurs) {
					t.Errorf("attribute %s: got present %v, want %v", name, ok, k < tt.wantOurs)
				}
				if ok && *a.StringValue == "stale" {
					t.Errorf("attribute %s: got the original's value, want ours", name)
				}
			}
			if tt.reason != "" {
				if got := *in.MessageAttributes[policy.AttrReason].StringValue; got != tt.reason {
					t.Errorf("got reason %q, want %q", got, tt.reason)
				}
			}
			if tt.max > 0 && size(in.MessageBody, in.MessageAttributes) > tt.max && tt.wantOurs > 0 {
				t.Errorf("got a message of %d bytes, want at most %d", size(in.MessageBody, in.MessageAttributes), tt.max)
			}
		})
	}
}

func TestDeadLetterReasonIsCutAndCleaned(t *testing.T) {
	c := &fakeSQS{}
	divert := policy.DeadLetter(policy.DeadLetterConfig{Client: c, Target: dlqURL})
	m := sqsMessage(srcARN, "m1", "poison", 1)
	long := strings.Repeat("é", policy.MaxReason) // 2 bytes each
	for _, err := range []error{errors.New(long), errors.New("bad\x00byte \xff"), errors.New("")} {
		if err := divert(context.Background(), batch.Failure{Record: batch.Record{Value: &m}, Err: err}); err != nil {
			t.Fatal(err)
		}
	}
	got := *c.sent[0].MessageAttributes[policy.AttrReason].StringValue
	if len(got) > policy.MaxReason || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("long reason: got %d bytes (valid UTF-8 %v), want at most %d ending in …", len(got), utf8.ValidString(got), policy.MaxReason)
	}
	if got := *c.sent[1].MessageAttributes[policy.AttrReason].StringValue; got != "bad\uFFFDbyte \uFFFD" {
		t.Errorf("got %q, want the characters SQS refuses replaced", got)
	}
	if _, ok := c.sent[2].MessageAttributes[policy.AttrReason]; ok {
		t.Errorf("empty reason: got an attribute, SQS refuses empty values")
	}
}

func TestDeadLetterRefusesOtherRecords(t *testing.T) {
	divert := policy.DeadLetter(policy.DeadLetterConfig{Client: &fakeSQS{}, Target: dlqURL})
	err := divert(context.Background(), batch.Failure{Record: batch.Record{Value: &events.KinesisEventRecord{}}, Err: errGone})
	if !errors.Is(err, policy.ErrUnsupportedRecord) {
		t.Fatalf("got %v, want ErrUnsupportedRecord", err)
	}
}

// The redrive target of a queue is looked up once, however many records
// of the queue fail at the same time.
func TestDeadLetterLooksUpOnceUnderConcurrency(t *testing.T) {
	c := &fakeSQS{redrive: map[string]string{srcURL: redrivePolicy(dlqARN), fifoURL: redrivePolicy(fdlqARN)}}
	divert := policy.DeadLetter(policy.DeadLetterConfig{Client: c})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arn := srcARN
			if i%2 == 1 {
				arn = fifoARN
			}
			m := sqsMessage(arn, fmt.Sprint(i), "poison", 1)
			if err := divert(context.Background(), batch.Failure{Record: batch.Record{Value: &m}, Err: errGone}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(c.lookups) != 2 || len(c.sent) != 50 {
		t.Fatalf("got %d lookups and %d sends, want 2 and 50", len(c.lookups), len(c.sent))
	}
}

func TestDeadLetterPanicsWithoutClient(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a nil Client")
		}
	}()
	policy.DeadLetter(policy.DeadLetterConfig{})
}
