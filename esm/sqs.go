package esm

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/contract"

	"github.com/seed-45ee126e/batch/internal/fake"
)

// SQSConfig configures an [SQS] simulator: the queue's attributes and the
// event source mapping's. The zero value means SQS's and Lambda's defaults
// with ReportBatchItemFailures turned on, and no dead-letter queue.
type SQSConfig struct {
	// BatchSize is the most messages per invocation; 0 means 10. Lambda
	// accepts at most 10 for a FIFO queue and 10,000 for a standard one
	// (above 10 only with a batching window, which the simulator does not
	// model: a batch holds whatever is visible). A value out of range, or
	// negative, makes Run fail with a [*ConfigError].
	BatchSize int
	// VisibilityTimeout is how long a received message stays invisible;
	// a message that was not deleted becomes visible again after it.
	// 0 means 30 seconds.
	VisibilityTimeout time.Duration
	// MaxReceiveCount is the redrive policy's maxReceiveCount: a message
	// received that many times goes to the dead-letter queue instead of
	// being received again. 0 means no dead-letter queue.
	MaxReceiveCount int
	// RetentionPeriod is how long a message stays in the queue before SQS
	// drops it; 0 means 4 days.
	RetentionPeriod time.Duration
	// IgnoreBatchItemFailures simulates a mapping without
	// ReportBatchItemFailures: Lambda ignores the response, so a nil error
	// deletes the whole batch, reported messages included.
	IgnoreBatchItemFailures bool
	// Timeout, when positive, is the function timeout, in real time: the
	// handler's context gets that deadline, and a handler that returns
	// after it fails the whole batch with [ErrTimeout]. The simulator
	// waits for the handler to return (Lambda would stop it), so a
	// handler that ignores its context delays Run.
	Timeout time.Duration
	// MaxInvocations stops Run after that many invocations, so that a
	// message retried forever cannot make it loop; 0 means
	// [DefaultMaxInvocations].
	MaxInvocations int
	// OnProgress, when not nil, is called on the goroutine that runs Run
	// before each invocation, after it, and when Run returns; see
	// [Progress].
	OnProgress func(Progress)
}

// SQS simulates an SQS queue (standard or FIFO) and the Lambda event source
// mapping that polls it. Send messages, then Run a handler until the queue
// is drained; the returned [Trace] tells what happened to every message.
//
// Time is simulated: waiting for a visibility timeout moves the simulator's
// clock, not the wall clock. An SQS is not safe for concurrent use.
type SQS struct {
	cfg   SQSConfig
	q     *fake.SQSQueue
	now   time.Time
	book  *book
	msgs  []*sqsMessage
	head  int // msgs before head are gone
	dlq   []events.SQSMessage
	calls int

	// mu guards the queue's state against the calls a function makes
	// during an invocation, from its own goroutines (SendDeadLetter,
	// ChangeVisibility): Run holds it except while the function runs.
	mu sync.Mutex
}

type sqsMessage struct {
	msg       events.SQSMessage
	trace     int // index in the trace
	group     string
	sent      time.Time
	visibleAt time.Time
	receives  int
	firstRecv time.Time
	gone      bool
	handle    string // receipt handle of the latest delivery
	moved     bool   // sent to the dead-letter queue by the function during this delivery
}

// NewSQS returns a simulator of the queue called name; a name ending in
// ".fifo" makes a FIFO queue. A configuration that Lambda rejects makes
// Run return at once with a [*ConfigError] in [Trace.Err].
func NewSQS(name string, cfg SQSConfig) *SQS {
	q := fake.NewSQSQueue(name)
	maxBatch := 10_000
	if q.FIFO() {
		maxBatch = 10
	}
	err := checkBatchSize("sqs:"+name, cfg.BatchSize, maxBatch)
	cfg.BatchSize = defaultInt(cfg.BatchSize, 10)
	cfg.VisibilityTimeout = defaultDuration(cfg.VisibilityTimeout, 30*time.Second)
	cfg.RetentionPeriod = defaultDuration(cfg.RetentionPeriod, 4*24*time.Hour)
	cfg.MaxInvocations = defaultInt(cfg.MaxInvocations, DefaultMaxInvocations)
	b := newBook("sqs:"+name, q.FIFO(), cfg.Timeout)
	b.trace.Err = err
	b.onProgress = cfg.OnProgress
	return &SQS{cfg: cfg, q: q, now: fake.Epoch, book: b}
}

// Now returns the simulated time.
func (s *SQS) Now() time.Time { return s.now }

// Advance moves the simulated clock forward by d, as if the queue had not
// been polled meanwhile; messages may then exceed the retention period.
func (s *SQS) Advance(d time.Duration) { s.now = s.now.Add(d) }

// ARN returns the ARN of the simulated queue.
func (s *SQS) ARN() string { return s.q.ARN() }

// Send sends one message per body and returns their message ids. On a FIFO
// queue they go to message group "default".
func (s *SQS) Send(bodies ...string) []string { return s.SendGroup("", bodies...) }

// SendGroup sends one message per body to message group group and returns
// their message ids.
func (s *SQS) SendGroup(group string, bodies ...string) []string {
	ids := make([]string, len(bodies))
	for i, body := range bodies {
		ids[i] = s.send(group, body, nil)
	}
	return ids
}

// SendMessage sends a message with the body, the message attributes and
// the MessageGroupId attribute of m, and returns its message id; the
// simulator fills in everything else (ids, timestamps, ARN).
func (s *SQS) SendMessage(m events.SQSMessage) string {
	return s.send(m.Attributes["MessageGroupId"], m.Body, m.MessageAttributes)
}

func (s *SQS) send(group, body string, attrs map[string]events.SQSMessageAttribute) string {
	sent := s.now
	s.q.At = sent
	m := s.q.GroupMessage(group, body)
	s.now = s.q.At
	for k, v := range attrs {
		m.MessageAttributes[k] = v
	}
	g := m.Attributes["MessageGroupId"]
	t := s.book.add(Record{ID: m.MessageId, Key: g, Payload: body})
	s.msgs = append(s.msgs, &sqsMessage{msg: m, trace: t, group: g, sent: sent, visibleAt: sent})
	return m.MessageId
}

// DeadLetters returns the messages in the dead-letter queue, in the order
// they arrived there.
func (s *SQS) DeadLetters() []events.SQSMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]events.SQSMessage{}, s.dlq...)
}

// RedrivePolicy returns the ARN of the queue's dead-letter queue and its
// maxReceiveCount, or "" and 0 when SQSConfig.MaxReceiveCount is 0. The
// dead-letter queue is named after the queue, with "-dlq" before a
// ".fifo" suffix ("orders-dlq", "orders-dlq.fifo").
func (s *SQS) RedrivePolicy() (deadLetterARN string, maxReceiveCount int) {
	if s.cfg.MaxReceiveCount <= 0 {
		return "", 0
	}
	arn := s.q.ARN()
	if base, ok := strings.CutSuffix(arn, ".fifo"); ok {
		return base + "-dlq.fifo", s.cfg.MaxReceiveCount
	}
	return arn + "-dlq", s.cfg.MaxReceiveCount
}

// SendDeadLetter puts m into the dead-letter queue, as a function's
// SendMessage to it does (the failure policies of package policy, through
// policy.SimClient): its Body, its MessageAttributes and, on a FIFO queue,
// the MessageGroupId and MessageDeduplicationId of its Attributes. It
// returns the id of the new message. source, when not empty, is the id of
// the message of this queue being moved: if the invocation in progress
// then does not report it (so that Lambda deletes it), its final state is
// [DeadLettered] rather than [Processed]. It is safe to call from the
// function's goroutines while Run runs.
func (s *SQS) SendDeadLetter(source string, m events.SQSMessage) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	dl := events.SQSMessage{
		MessageId:         s.q.IDs.UUID(),
		Body:              m.Body,
		Md5OfBody:         fake.MD5Hex(m.Body),
		Attributes:        map[string]string{"SentTimestamp": fake.Millis(s.now), "ApproximateReceiveCount": "0"},
		MessageAttributes: map[string]events.SQSMessageAttribute{},
		EventSource:       "aws:sqs",
		AWSRegion:         fake.Region,
	}
	dl.EventSourceARN, _ = s.RedrivePolicy() // configuration only: no lock needed
	for k, v := range m.MessageAttributes {
		dl.MessageAttributes[k] = v
	}
	for _, a := range []string{"MessageGroupId", "MessageDeduplicationId"} {
		if v := m.Attributes[a]; v != "" {
			dl.Attributes[a] = v
		}
	}
	s.dlq = append(s.dlq, dl)
	if source != "" {
		for _, q := range s.msgs[s.head:] {
			if q.msg.MessageId == source && !q.gone {
				q.moved = true
			}
		}
	}
	return dl.MessageId
}

// ChangeVisibility makes the message in flight whose latest delivery had
// receiptHandle visible again d after the simulated time of the
// invocation, as ChangeMessageVisibility does (the SQS back-off of package
// policy, through policy.SimClient). It returns an error when no message
// in flight has that receipt handle (never received, deleted, or received
// again since), or when d is negative or more than 12 hours. It is safe to
// call from the function's goroutines while Run runs.
func (s *SQS) ChangeVisibility(receiptHandle string, d time.Duration) error {
	if d < 0 || d > 12*time.Hour {
		return fmt.Errorf("esm: visibility timeout %v, SQS accepts 0 to 12 hours", d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs[s.head:] {
		if !m.gone && m.handle == receiptHandle && m.visibleAt.After(s.now) {
			m.visibleAt = s.now.Add(d)
			return nil
		}
	}
	return fmt.Errorf("esm: no message in flight with receipt handle %q", receiptHandle)
}

// Run invokes fn with batches of visible messages until the queue is empty,
// the MaxInvocations guard is reached, or ctx is done, and returns the trace
// of the simulation so far. Run may be called again after sending more
// messages. With a configuration that Lambda rejects, Run invokes nothing
// and the trace's Err says why.
func (s *SQS) Run(ctx context.Context, fn Function) *Trace {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.book
	b.trace.Stopped = false
	for b.trace.Err == nil {
		batch := s.receive()
		if len(batch) == 0 {
			next, ok := s.nextVisible()
			if !ok {
				break
			}
			s.now = next
			continue
		}
		if s.calls >= s.cfg.MaxInvocations || ctx.Err() != nil {
			// Put the batch back untouched.
			for _, m := range batch {
				m.receives--
				m.visibleAt = s.now
			}
			b.trace.Stopped = true
			break
		}
		s.calls++
		b.progress(s.now, len(batch))
		s.invoke(ctx, fn, batch)
		b.progress(s.now, 0)
	}
	b.trace.End = s.now
	b.progress(s.now, 0)
	return b.trace.clone()
}

// receive takes the next batch of visible messages, moving messages that
// exceeded maxReceiveCount to the dead-letter queue and dropping expired
// ones on the way. On a FIFO queue, a message group with a message in
// flight delivers nothing, and a group's messages are taken in order.
func (s *SQS) receive() []*sqsMessage {
	for s.head < len(s.msgs) && s.msgs[s.head].gone {
		s.head++
	}
	live := s.msgs[s.head:]
	fifo := s.q.FIFO()
	blocked := map[string]bool{}
	if fifo {
		for _, m := range live {
			if !m.gone && m.visibleAt.After(s.now) {
				blocked[m.group] = true
			}
		}
	}
	var batch []*sqsMessage
	for _, m := range live {
		if m.gone || m.visibleAt.After(s.now) || (fifo && blocked[m.group]) {
			continue
		}
		if s.now.Sub(m.sent) >= s.cfg.RetentionPeriod {
			m.gone = true
			s.book.settle(m.trace, Expired)
			continue
		}
		if s.cfg.MaxReceiveCount > 0 && m.receives >= s.cfg.MaxReceiveCount {
			m.gone = true
			s.book.settle(m.trace, DeadLettered)
			s.dlq = append(s.dlq, s.delivered(m))
			continue
		}
		if len(batch) == s.cfg.BatchSize {
			break
		}
		m.receives++
		if m.receives == 1 {
			m.firstRecv = s.now
		}
		m.visibleAt = s.now.Add(s.cfg.VisibilityTimeout)
		batch = append(batch, m)
	}
	return batch
}

// nextVisible returns when the next message in flight becomes visible.
func (s *SQS) nextVisible() (time.Time, bool) {
	var next time.Time
	found := false
	for _, m := range s.msgs[s.head:] {
		if !m.gone && m.visibleAt.After(s.now) && (!found || m.visibleAt.Before(next)) {
			next, found = m.visibleAt, true
		}
	}
	return next, found
}

// delivered returns the message as this receive delivers it.
func (s *SQS) delivered(m *sqsMessage) events.SQSMessage {
	out := m.msg
	out.ReceiptHandle = s.q.IDs.ReceiptHandle()
	out.Attributes = make(map[string]string, len(m.msg.Attributes))
	for k, v := range m.msg.Attributes {
		out.Attributes[k] = v
	}
	out.MessageAttributes = make(map[string]events.SQSMessageAttribute, len(m.msg.MessageAttributes))
	for k, v := range m.msg.MessageAttributes {
		out.MessageAttributes[k] = v
	}
	out.Attributes["ApproximateReceiveCount"] = strconv.Itoa(m.receives)
	if m.receives > 0 {
		out.Attributes["ApproximateFirstReceiveTimestamp"] = fake.Millis(m.firstRecv)
	}
	return out
}

func (s *SQS) invoke(ctx context.Context, fn Function, batch []*sqsMessage) {
	b := s.book
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(batch))}
	ids := make([]string, len(batch))
	idx := make([]int, len(batch))
	for i, m := range batch {
		ev.Records[i] = s.delivered(m)
		m.handle = ev.Records[i].ReceiptHandle
		m.moved = false
		ids[i] = m.msg.MessageId
		idx[i] = m.trace
	}
	n := len(b.trace.Invocations)
	b.deliver(n, idx)
	s.mu.Unlock() // the function may call SendDeadLetter and ChangeVisibility
	resp, err := call(ctx, b, fn, ev)
	s.mu.Lock()
	inv := Invocation{Time: s.now, IDs: ids, Err: err}
	failed, ok, reported := judge(&inv, ids, s.cfg.IgnoreBatchItemFailures, contract.SQS, resp)
	b.trace.Invocations = append(b.trace.Invocations, inv)
	b.handled(n, idx, ok)
	for i, m := range batch {
		if failed[i] {
			continue // visible again when its visibility timeout ends
		}
		m.gone = true
		switch {
		case reported[i]:
			b.settle(m.trace, Discarded)
		case m.moved:
			b.settle(m.trace, DeadLettered) // the function's failure policy moved it
		default:
			b.settle(m.trace, Processed)
		}
	}
}

// judge decides, as Lambda does, what an invocation's result means for each
// record of its batch: failed (to be retried), ok (the invocation succeeded
// with it: no error and a valid response that does not report it, or,
// with ignore, a response that does not report it) and reported (listed in
// the response, when Lambda acts on the list). resp is the response as the
// function returned it, in JSON, read by the rules of src (see
// internal/contract). It fills in inv's Reported list and verdict.
//
// A function error or an invalid response fails the whole batch, and then
// no record is ok: Lambda cannot tell which records the handler succeeded
// with, and neither can the simulator.
func judge(inv *Invocation, ids []string, ignore bool, src contract.Source, resp []byte) (failed, ok, reported []bool) {
	n := len(ids)
	failed, ok, reported = make([]bool, n), make([]bool, n), make([]bool, n)
	failAll := func(reason string) {
		inv.Verdict, inv.Reason = BatchFailed, reason
		for i := range failed {
			failed[i] = true
		}
		inv.Failed = append([]string{}, ids...)
	}
	if inv.Err != nil {
		failAll("function error: " + inv.Err.Error())
		return failed, ok, reported
	}
	list, _ := contract.Identifiers(src, resp) // an invalid response lists nothing
	inv.Reported = list
	if ignore {
		// Lambda ignores the response: every record leaves the source,
		// and those it reports were failed by the handler.
		set := make(map[string]bool, len(list))
		for _, id := range list {
			set[id] = true
		}
		inv.Verdict = BatchSucceeded
		for i, id := range ids {
			reported[i] = set[id]
			ok[i] = !set[id]
		}
		return failed, ok, reported
	}
	pos, why := contract.Check(src, resp, ids)
	if why != "" {
		failAll(why)
		return failed, ok, reported
	}
	for i := range ok {
		ok[i] = true
	}
	for _, p := range pos {
		failed[p], reported[p], ok[p] = true, true, false
		inv.Failed = append(inv.Failed, ids[p])
	}
	if len(pos) == 0 {
		inv.Verdict = BatchSucceeded
	} else {
		inv.Verdict = PartialFailure
	}
	return failed, ok, reported
}
