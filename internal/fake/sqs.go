package fake

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// SQSQueue builds SQS messages as Lambda delivers them from one queue: a
// UUID messageId, a receipt handle, md5OfBody, the attributes SentTimestamp,
// SenderId, ApproximateReceiveCount and ApproximateFirstReceiveTimestamp,
// and on a FIFO queue MessageGroupId, MessageDeduplicationId and an
// increasing SequenceNumber. The queue is FIFO when its name ends in
// ".fifo". Ids are derived from the name, so the same calls give the same
// messages on every run. An SQSQueue is not safe for concurrent use.
type SQSQueue struct {
	name string
	arn  string
	fifo bool
	IDs  Gen
	At   time.Time // SentTimestamp of the next message
	seq  uint64    // FIFO sequence number of the last message, less its leading 1
}

// NewSQSQueue returns a builder of messages from the queue called name in
// account [Account] and region [Region]. A name ending in ".fifo" makes a
// FIFO queue.
func NewSQSQueue(name string) *SQSQueue {
	g := NewGen("sqs:" + name)
	seq := 8800000000000000000 + g.Next()%100000000000000000
	return &SQSQueue{
		name: name,
		arn:  fmt.Sprintf("arn:aws:sqs:%s:%s:%s", Region, Account, name),
		fifo: strings.HasSuffix(name, ".fifo"),
		IDs:  g,
		At:   Epoch,
		seq:  seq,
	}
}

// ARN returns the queue's ARN, the eventSourceARN of its messages.
func (q *SQSQueue) ARN() string { return q.arn }

// FIFO reports whether the queue is a FIFO queue.
func (q *SQSQueue) FIFO() bool { return q.fifo }

// Message returns a message with body, received once. On a FIFO queue its
// MessageGroupId is "default"; use [SQSQueue.GroupMessage] to choose it.
func (q *SQSQueue) Message(body string) events.SQSMessage {
	return q.GroupMessage("", body)
}

// GroupMessage returns a message with body in message group group, received
// once. On a FIFO queue an empty group means "default"; on a standard queue
// a non-empty group is set as MessageGroupId too, as on fair queues.
func (q *SQSQueue) GroupMessage(group, body string) events.SQSMessage {
	sent := q.At
	q.At = q.At.Add(time.Millisecond)
	attrs := map[string]string{
		"ApproximateReceiveCount":          "1",
		"SentTimestamp":                    Millis(sent),
		"SenderId":                         "AIDA" + strings.ToUpper(q.IDs.HexID(17)),
		"ApproximateFirstReceiveTimestamp": Millis(sent.Add(10 * time.Millisecond)),
	}
	if q.fifo && group == "" {
		group = "default"
	}
	if group != "" {
		attrs["MessageGroupId"] = group
	}
	if q.fifo {
		q.seq += 1 + q.IDs.Next()%1000
		attrs["SequenceNumber"] = fmt.Sprintf("1%019d", q.seq)
		attrs["MessageDeduplicationId"] = MD5Hex(body + "\x00" + fmt.Sprint(q.seq))
	}
	return events.SQSMessage{
		MessageId:         q.IDs.UUID(),
		ReceiptHandle:     q.IDs.ReceiptHandle(),
		Body:              body,
		Md5OfBody:         MD5Hex(body),
		Attributes:        attrs,
		MessageAttributes: map[string]events.SQSMessageAttribute{},
		EventSourceARN:    q.arn,
		EventSource:       "aws:sqs",
		AWSRegion:         Region,
	}
}

// Messages returns one message per body, in order, in the default group.
func (q *SQSQueue) Messages(bodies ...string) []events.SQSMessage {
	out := make([]events.SQSMessage, len(bodies))
	for i, b := range bodies {
		out[i] = q.Message(b)
	}
	return out
}

// SQSEvent returns the event that carries messages, in order.
func SQSEvent(messages ...events.SQSMessage) events.SQSEvent {
	return events.SQSEvent{Records: append([]events.SQSMessage{}, messages...)}
}
