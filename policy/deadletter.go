package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/seed-45ee126e/batch"
)

// The message attributes [DeadLetter] adds to a message it sends to the
// dead-letter queue, in the order it adds them while there is room (see
// [DeadLetter] for the limits). An attribute of the original message with
// one of these names is replaced.
const (
	// AttrReason is the failure's error text (String), at most
	// [MaxReason] bytes.
	AttrReason = "batch.reason"
	// AttrSourceQueue is the ARN of the queue the message came from
	// (String), its eventSourceARN.
	AttrSourceQueue = "batch.sourceQueue"
	// AttrReceiveCount is how many times the source queue had delivered
	// the message (Number), its ApproximateReceiveCount.
	AttrReceiveCount = "batch.receiveCount"
	// AttrMessageID is the message's id in the source queue (String).
	AttrMessageID = "batch.messageId"
)

// Limits of the messages and documents the policies send.
const (
	// MaxReason is the most bytes of a failure's error text that a
	// policy sends; a longer text is cut, at a character boundary, and
	// ends with "…".
	MaxReason = 1024

	// DefaultMaxMessageSize is the message size limit assumed when a
	// configuration's MaxMessageSize is zero: 262,144 bytes (256 KiB),
	// the limit of SNS and the default MaximumMessageSize of SQS queues
	// created before SQS accepted 1 MiB.
	DefaultMaxMessageSize = 256 * 1024

	// maxAttributes is the most message attributes SQS accepts on a
	// message.
	maxAttributes = 10
)

// DeadLetterConfig configures [DeadLetter]. Only Client is required; the
// zero value of every other field means the documented default.
type DeadLetterConfig struct {
	// Client sends the messages and reads the source queue's redrive
	// policy; usually sqs.NewFromConfig(cfg). It must not be nil.
	Client DeadLetterClient

	// Target is the URL of the queue to send permanently failed messages
	// to. Empty means the source queue's redrive target: the
	// deadLetterTargetArn of its RedrivePolicy, read once per source
	// queue with GetQueueAttributes and kept for the life of the
	// execution environment (a source queue without one is asked again
	// after a minute). SQS makes a FIFO queue's redrive target FIFO
	// too; a Target may be either (see [DeadLetter] for the ids each
	// gets).
	Target string

	// QueueURL returns the URL of a queue given its ARN: the source
	// queue's (eventSourceARN), to read its redrive policy, and the
	// redrive target's. Nil means [QueueURL]; sqsdelete.EndpointQueueURL
	// suits servers that want URLs of their own.
	QueueURL func(queueARN string) (string, error)

	// MaxMessageSize is the largest message, in bytes, that the target
	// accepts (its MaximumMessageSize attribute): the attributes
	// DeadLetter adds must fit in it beside the original. Zero means
	// [DefaultMaxMessageSize].
	MaxMessageSize int
}

// DeadLetter returns a failure policy for [batch.Options.Divert] on SQS
// (standard and FIFO queues) that sends each permanently failed message
// to a dead-letter queue, so that it is not retried maxReceiveCount times
// and, on a FIFO queue, does not hold back its message group:
//
//	fn := batch.New(batch.SQS(), handle, batch.Options{
//		Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: sqs.NewFromConfig(cfg)}),
//	})
//
// The message sent has the original's body and message attributes, its
// AWSTraceHeader, and, on a FIFO target, the original's MessageGroupId
// (its messageId for a message without one) and the original's messageId
// as MessageDeduplicationId: a message sent twice within SQS's five-minute
// deduplication interval (the response to a send was lost and the SDK sent
// it again, or the batch was retried after the send) lands once. The
// original's own MessageDeduplicationId is not used: it names a send to
// the source queue, and two distinct messages may share it more than five
// minutes apart; the target would then drop the second. A standard target
// also gets the MessageGroupId, if the original has one (fair queues use
// it), and no deduplication: a repeated send lands twice.
//
// DeadLetter adds message attributes that say why and where from:
// [AttrReason], [AttrSourceQueue], [AttrReceiveCount] and [AttrMessageID],
// in that order, as long as SQS's limits leave room. SQS accepts at most 10
// message attributes, and a message (body, and each attribute's name,
// type and value) of at most [DeadLetterConfig.MaxMessageSize] bytes. The
// original's body and attributes always go as they came; DeadLetter adds
// its own while they fit: none on a message that already has 10
// attributes, the reason alone on one with 9, the reason shortened when
// only part of it fits in the size left. The failure's text is at most
// [MaxReason] bytes; characters SQS does not accept in a value are replaced
// with U+FFFD.
//
// When the send succeeds, the record is diverted (its outcome is
// [batch.Diverted]): Lambda is not told to retry it, and deletes it from
// the source queue. When it fails (no dead-letter queue, a network error, a
// target that refuses the message), the policy returns the error and the
// record is reported as failed as if there were no policy: nothing is
// lost, and the queue's own redrive policy still applies after
// maxReceiveCount receives. A record that is not an SQS message fails with
// [ErrUnsupportedRecord].
//
// The function's role needs sqs:SendMessage on the target, and, without
// Target, sqs:GetQueueAttributes on the source queue (which an SQS event
// source mapping needs anyway). DeadLetter panics if cfg.Client is nil.
// The returned function is safe for concurrent use.
func DeadLetter(cfg DeadLetterConfig) func(ctx context.Context, f batch.Failure) error {
	if cfg.Client == nil {
		panic("policy: DeadLetter: DeadLetterConfig.Client is nil")
	}
	d := &deadLetter{cfg: cfg, resolve: cfg.QueueURL, max: cfg.MaxMessageSize, targets: make(map[string]*target)}
	if d.resolve == nil {
		d.resolve = QueueURL
	}
	if d.max <= 0 {
		d.max = DefaultMaxMessageSize
	}
	return d.divert
}

// deadLetter is the state of one DeadLetter policy: its configuration and
// the dead-letter queue of each source queue seen.
type deadLetter struct {
	cfg     DeadLetterConfig
	resolve func(string) (string, error)
	max     int

	mu      sync.Mutex
	targets map[string]*target // by source queue ARN
}

// target is the dead-letter queue of one source queue, looked up once.
type target struct {
	mu    sync.Mutex // held during the lookup, so that one caller does it
	url   string     // set once found
	err   error      // ErrNoDeadLetterQueue, kept until until
	until time.Time
}

// noRedriveTTL is how long DeadLetter believes that a source queue has no
// redrive policy before it asks again.
const noRedriveTTL = time.Minute

// divert sends the message of f to its dead-letter queue.
func (d *deadLetter) divert(ctx context.Context, f batch.Failure) error {
	m, ok := f.Value.(*events.SQSMessage)
	if !ok {
		return fmt.Errorf("policy: DeadLetter: %w: %T", ErrUnsupportedRecord, f.Value)
	}
	url, err := d.target(ctx, m.EventSourceARN)
	if err != nil {
		return err
	}
	in := deadLetterMessage(m, f.Err, url, d.max)
	if _, err := d.cfg.Client.SendMessage(ctx, in); err != nil {
		return fmt.Errorf("policy: sending message %s to dead-letter queue %s: %w", m.MessageId, url, err)
	}
	return nil
}

// target returns the URL of the dead-letter queue of the source queue arn.
func (d *deadLetter) target(ctx context.Context, arn string) (string, error) {
	if d.cfg.Target != "" {
		return d.cfg.Target, nil
	}
	d.mu.Lock()
	t := d.targets[arn]
	if t == nil {
		t = &target{}
		d.targets[arn] = t
	}
	d.mu.Unlock()

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.url != "" {
		return t.url, nil
	}
	if t.err != nil && time.Now().Before(t.until) {
		return "", t.err
	}
	url, err := d.lookup(ctx, arn)
	switch {
	case err == nil:
		t.url, t.err = url, nil
	case isNoRedrive(err):
		t.err, t.until = err, time.Now().Add(noRedriveTTL)
	}
	return url, err
}

// lookup reads the redrive policy of the source queue arn and returns the
// URL of its dead-letter queue.
func (d *deadLetter) lookup(ctx context.Context, arn string) (string, error) {
	src, err := d.resolve(arn)
	if err != nil {
		return "", fmt.Errorf("policy: the dead-letter queue of %q: %w", arn, err)
	}
	out, err := d.cfg.Client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       &src,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameRedrivePolicy},
	})
	if err != nil {
		return "", fmt.Errorf("policy: reading the redrive policy of %s: %w", src, err)
	}
	var rp struct {
		Target string `json:"deadLetterTargetArn"`
	}
	if out == nil || out.Attributes[string(types.QueueAttributeNameRedrivePolicy)] == "" {
		return "", noRedrive(arn)
	}
	if err := json.Unmarshal([]byte(out.Attributes[string(types.QueueAttributeNameRedrivePolicy)]), &rp); err != nil {
		return "", fmt.Errorf("policy: the redrive policy of %s: %w", src, err)
	}
	if rp.Target == "" {
		return "", noRedrive(arn)
	}
	url, err := d.resolve(rp.Target)
	if err != nil {
		return "", fmt.Errorf("policy: the dead-letter queue of %s: %w", src, err)
	}
	return url, nil
}

func noRedrive(arn string) error {
	return fmt.Errorf("policy: queue %s: %w", arn, ErrNoDeadLetterQueue)
}

// deadLetterMessage builds the SendMessage request that moves m, which
// failed with err, to the queue at url, whose messages may be of max bytes.
func deadLetterMessage(m *events.SQSMessage, err error, url string, max int) *sqs.SendMessageInput {
	in := &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &m.Body}
	ours := [...]string{AttrReason, AttrSourceQueue, AttrReceiveCount, AttrMessageID}
	attrs := make(map[string]types.MessageAttributeValue, len(m.MessageAttributes)+len(ours))
	size := len(m.Body)
	for name, a := range m.MessageAttributes {
		if isOurs(name) {
			continue
		}
		v := types.MessageAttributeValue{
			DataType:         ptr(a.DataType),
			BinaryValue:      a.BinaryValue,
			StringListValues: a.StringListValues,
			BinaryListValues: a.BinaryListValues,
		}
		if a.StringValue != nil {
			v.StringValue = ptr(*a.StringValue)
		}
		attrs[name] = v
		size += attributeSize(name, v)
	}
	values := [...]struct{ typ, value string }{
		{"String", reason(err)},
		{"String", m.EventSourceARN},
		{"Number", m.Attributes["ApproximateReceiveCount"]},
		{"String", m.MessageId},
	}
	for k, name := range ours {
		typ, value := values[k].typ, values[k].value
		if typ == "Number" {
			if _, err := strconv.ParseUint(value, 10, 64); err != nil {
				continue // not a count: leave it out rather than have SQS refuse it
			}
		}
		if value == "" || len(attrs) >= maxAttributes {
			continue
		}
		room := max - size - len(name) - len(typ)
		if name == AttrReason && len(value) > room {
			value = cut(value, room)
		}
		if value == "" || len(value) > room {
			continue
		}
		v := types.MessageAttributeValue{DataType: ptr(typ), StringValue: ptr(value)}
		attrs[name] = v
		size += attributeSize(name, v)
	}
	if len(attrs) > 0 {
		in.MessageAttributes = attrs
	}
	if h := m.Attributes["AWSTraceHeader"]; h != "" {
		in.MessageSystemAttributes = map[string]types.MessageSystemAttributeValue{
			string(types.MessageSystemAttributeNameForSendsAWSTraceHeader): {DataType: ptr("String"), StringValue: ptr(h)},
		}
	}
	group := m.Attributes["MessageGroupId"]
	if isFIFO(url) {
		if group == "" {
			group = m.MessageId
		}
		if m.MessageId != "" {
			in.MessageDeduplicationId = ptr(m.MessageId)
		}
	}
	if group != "" {
		in.MessageGroupId = ptr(group)
	}
	return in
}

// isOurs reports whether name is one of the attributes DeadLetter sets.
func isOurs(name string) bool {
	switch name {
	case AttrReason, AttrSourceQueue, AttrReceiveCount, AttrMessageID:
		return true
	}
	return false
}

// attributeSize is what a message attribute counts towards the size of a
// message: its name, its data type and its value.
func attributeSize(name string, v types.MessageAttributeValue) int {
	n := len(name) + len(deref(v.DataType)) + len(deref(v.StringValue)) + len(v.BinaryValue)
	for _, s := range v.StringListValues {
		n += len(s)
	}
	for _, b := range v.BinaryListValues {
		n += len(b)
	}
	return n
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
