package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/seed-45ee126e/batch/esm"
	"github.com/seed-45ee126e/batch/internal/contract"
)

// queue is a real SQS queue and what the runner needs of its attributes.
type queue struct {
	client     *sqs.Client
	url, arn   string
	fifo       bool
	visibility time.Duration
	maxReceive int    // the redrive policy's maxReceiveCount; 0 without one
	dlqARN     string // the dead-letter queue's ARN
}

// openQueue finds the queue called name (or at URL name), creating it
// first with create: with the visibility timeout and, when maxReceive is
// positive, a dead-letter queue named <name>-dlq (FIFO: <name>-dlq.fifo).
func openQueue(ctx context.Context, c *sqs.Client, endpoint, name string, create bool, visibility time.Duration, maxReceive int) (*queue, error) {
	url := name
	if !strings.Contains(name, "://") {
		if create {
			var err error
			if url, err = createQueue(ctx, c, name, visibility, maxReceive); err != nil {
				return nil, endpointError(endpoint, err)
			}
		} else {
			out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
			if err != nil {
				if err := endpointError(endpoint, err); err != nil && strings.Contains(err.Error(), "cannot reach") {
					return nil, err
				}
				return nil, fmt.Errorf("queue %q: %w (give --create to create it)", name, err)
			}
			url = aws.ToString(out.QueueUrl)
		}
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		return nil, endpointError(endpoint, fmt.Errorf("queue %s: %w", url, err))
	}
	q := &queue{client: c, url: url, arn: attrs.Attributes["QueueArn"], fifo: attrs.Attributes["FifoQueue"] == "true"}
	if v, err := strconv.Atoi(attrs.Attributes["VisibilityTimeout"]); err == nil {
		q.visibility = time.Duration(v) * time.Second
	}
	if rp := attrs.Attributes["RedrivePolicy"]; rp != "" {
		var p struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     any    `json:"maxReceiveCount"` // a number, or a string on some servers
		}
		if err := json.Unmarshal([]byte(rp), &p); err == nil {
			q.dlqARN = p.DeadLetterTargetArn
			q.maxReceive, _ = strconv.Atoi(fmt.Sprint(p.MaxReceiveCount))
		}
	}
	return q, nil
}

func createQueue(ctx context.Context, c *sqs.Client, name string, visibility time.Duration, maxReceive int) (string, error) {
	fifo := strings.HasSuffix(name, ".fifo")
	attrs := map[string]string{"VisibilityTimeout": strconv.Itoa(int(visibility.Seconds()))}
	if fifo {
		attrs["FifoQueue"] = "true"
	}
	if maxReceive > 0 {
		dlq := strings.TrimSuffix(name, ".fifo") + "-dlq"
		dattrs := map[string]string{}
		if fifo {
			dlq += ".fifo"
			dattrs["FifoQueue"] = "true"
		}
		out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(dlq), Attributes: dattrs})
		if err != nil {
			return "", fmt.Errorf("creating the dead-letter queue %s: %w", dlq, err)
		}
		da, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
		if err != nil {
			return "", err
		}
		rp, _ := json.Marshal(map[string]any{"deadLetterTargetArn": da.Attributes["QueueArn"], "maxReceiveCount": strconv.Itoa(maxReceive)})
		attrs["RedrivePolicy"] = string(rp)
	}
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return "", fmt.Errorf("creating queue %s: %w", name, err)
	}
	return aws.ToString(out.QueueUrl), nil
}

// count returns the messages in the queue: visible, in flight and
// delayed.
func (q *queue) count(ctx context.Context) (int, error) {
	out, err := q.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(q.url),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			types.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range out.Attributes {
		k, _ := strconv.Atoi(v)
		n += k
	}
	return n, nil
}

// sendItems sends items to the queue, ten per SendMessageBatch. On a FIFO
// queue each goes to its message group ("default" when it has none),
// with a deduplication id of its own.
func (q *queue) send(ctx context.Context, items []item) error {
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	for start := 0; start < len(items); start += 10 {
		end := min(start+10, len(items))
		var entries []types.SendMessageBatchRequestEntry
		for i, it := range items[start:end] {
			e := types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(it.body)}
			if len(it.attrs) > 0 {
				e.MessageAttributes = map[string]types.MessageAttributeValue{}
				for k, v := range it.attrs {
					e.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String(v.DataType), StringValue: v.StringValue, BinaryValue: v.BinaryValue}
				}
			}
			if q.fifo {
				group := it.key
				if group == "" {
					group = "default"
				}
				e.MessageGroupId = aws.String(group)
				e.MessageDeduplicationId = aws.String(fmt.Sprintf("%s-%d", stamp, start+i))
			}
			entries = append(entries, e)
		}
		out, err := q.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
		if err != nil {
			return err
		}
		if len(out.Failed) > 0 {
			f := out.Failed[0]
			return fmt.Errorf("sending message %d: %s: %s", start, aws.ToString(f.Code), aws.ToString(f.Message))
		}
	}
	return nil
}

// sqsPoller is the event source mapping of a real SQS queue: it receives
// batches as Lambda's poller does (up to ten messages per ReceiveMessage,
// gathered up to the batch size within the batching window), invokes the
// function with the event Lambda builds, reads the response with the
// rules of internal/contract, deletes the messages that succeeded and
// leaves the others to the queue: SQS itself makes them visible again
// after the visibility timeout and moves them to the dead-letter queue
// after maxReceiveCount receives. It keeps its history as an esm.Trace,
// so that the summary reads it as it reads a simulation's.
type sqsPoller struct {
	q          *queue
	region     string
	o          *runOptions
	fn         esm.Function
	onProgress func(esm.Progress)

	tr         esm.Trace
	index      map[string]int // messageId -> index in tr.Records
	ok         []bool         // the function succeeded with the record at least once
	receives   []int          // ApproximateReceiveCount at the last delivery
	deleteErrs int
}

func newSQSPoller(q *queue, region string, o *runOptions, fn esm.Function, onProgress func(esm.Progress)) *sqsPoller {
	return &sqsPoller{q: q, region: region, o: o, fn: fn, onProgress: onProgress, index: map[string]int{}, tr: esm.Trace{Start: time.Now()}}
}

// run polls until the queue is empty (nothing visible, in flight or
// delayed), the guard is reached or ctx ends.
func (p *sqsPoller) run(ctx context.Context) (*esm.Trace, error) {
	for {
		if ctx.Err() != nil || len(p.tr.Invocations) >= p.o.maxInvocations {
			p.tr.Stopped = true
			break
		}
		msgs, err := p.receive(ctx)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			return nil, err
		}
		if len(msgs) == 0 {
			n, err := p.q.count(ctx)
			if err != nil {
				if ctx.Err() != nil {
					continue
				}
				return nil, err
			}
			if n == 0 {
				break
			}
			continue
		}
		if err := p.invoke(ctx, msgs); err != nil && ctx.Err() == nil {
			return nil, err
		}
	}
	p.tr.End = time.Now()
	if p.deleteErrs > 0 {
		p.o.notes = append(p.o.notes, fmt.Sprintf("%d deletes failed: those messages came back (an invocation longer than the visibility timeout?)", p.deleteErrs))
	}
	// A message received but never deleted left the queue through its
	// redrive policy: SQS moved it to the dead-letter queue. (Without
	// one, it is still there, and the run did not end drained.)
	for i := range p.tr.Records {
		r := &p.tr.Records[i]
		if r.State == esm.Pending && !p.tr.Stopped && p.q.dlqARN != "" {
			r.State = esm.DeadLettered
		}
	}
	p.progress(0)
	return &p.tr, nil
}

// receive gathers a batch. The first ReceiveMessage is a one-second long
// poll, so that an empty queue is seen soon; without a batching window,
// what it returns is the batch. With one, the poller goes on receiving
// until the batch is full or the window, counted from the first
// receive, has passed. The window gathers records: an empty queue has
// none, so the run does not wait it out to find the queue drained.
func (p *sqsPoller) receive(ctx context.Context) ([]types.Message, error) {
	var out []types.Message
	deadline := time.Now().Add(p.o.window)
	wait := int32(1)
	for {
		resp, err := p.q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(p.q.url),
			MaxNumberOfMessages:         int32(min(10, p.o.batchSize-len(out))),
			WaitTimeSeconds:             wait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			return out, err
		}
		out = append(out, resp.Messages...)
		if len(out) == 0 || len(out) >= p.o.batchSize || p.o.window == 0 {
			return out, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return out, nil
		}
		wait = int32(min(20, max(1, int(left.Seconds()+0.999))))
	}
}

// event builds the event Lambda sends for msgs.
func (p *sqsPoller) event(msgs []types.Message) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, m := range msgs {
		attrs := make(map[string]string, len(m.Attributes))
		for k, v := range m.Attributes {
			attrs[k] = v
		}
		mattrs := make(map[string]events.SQSMessageAttribute, len(m.MessageAttributes))
		for k, v := range m.MessageAttributes {
			mattrs[k] = events.SQSMessageAttribute{
				StringValue:      v.StringValue,
				BinaryValue:      v.BinaryValue,
				StringListValues: append([]string{}, v.StringListValues...),
				BinaryListValues: append([][]byte{}, v.BinaryListValues...),
				DataType:         aws.ToString(v.DataType),
			}
		}
		ev.Records[i] = events.SQSMessage{
			MessageId:              aws.ToString(m.MessageId),
			ReceiptHandle:          aws.ToString(m.ReceiptHandle),
			Body:                   aws.ToString(m.Body),
			Md5OfBody:              aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			Attributes:             attrs,
			MessageAttributes:      mattrs,
			EventSourceARN:         p.q.arn,
			EventSource:            "aws:sqs",
			AWSRegion:              p.region,
		}
	}
	return ev
}

// invoke runs one batch and settles it as Lambda does.
func (p *sqsPoller) invoke(ctx context.Context, msgs []types.Message) error {
	ev := p.event(msgs)
	ids := make([]string, len(msgs))
	groups := make([]string, len(msgs))
	idx := make([]int, len(msgs))
	n := len(p.tr.Invocations)
	for i, m := range ev.Records {
		ids[i] = m.MessageId
		groups[i] = m.Attributes["MessageGroupId"]
		j, seen := p.index[m.MessageId]
		if !seen {
			j = len(p.tr.Records)
			p.index[m.MessageId] = j
			p.tr.Records = append(p.tr.Records, esm.Record{ID: m.MessageId, Key: groups[i], Payload: m.Body})
			p.ok = append(p.ok, false)
			p.receives = append(p.receives, 0)
		}
		idx[i] = j
		r := &p.tr.Records[j]
		r.Deliveries++
		r.Invocations = append(r.Invocations, n)
		if p.ok[j] {
			r.Duplicates++
		}
		p.receives[j], _ = strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
	}
	p.progress(len(msgs))
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	inv := esm.Invocation{Time: time.Now(), IDs: ids}
	resp, ferr := p.fn.Invoke(ctx, payload)
	if ctx.Err() != nil {
		return nil // interrupted: the messages come back after their visibility timeout
	}
	inv.Err = ferr
	funcErr := ""
	if ferr != nil {
		funcErr = ferr.Error()
	}
	var keys []string
	if p.q.fifo {
		keys = groups
	}
	out := contract.Decide(contract.SQS, ids, keys, resp, funcErr)
	failed := make([]bool, len(ids))
	switch {
	case ferr != nil || (out.Reason != "" && !p.o.noReport):
		inv.Verdict, inv.Reason = esm.BatchFailed, out.Reason
		for i := range failed {
			failed[i] = true
		}
		inv.Failed = append([]string{}, ids...)
	default:
		for _, pos := range out.Reported {
			inv.Reported = append(inv.Reported, ids[pos])
			if !p.o.noReport {
				failed[pos] = true
				inv.Failed = append(inv.Failed, ids[pos])
			}
		}
		inv.Verdict = esm.BatchSucceeded
		if len(inv.Failed) > 0 {
			inv.Verdict = esm.PartialFailure
		}
	}
	p.tr.Invocations = append(p.tr.Invocations, inv)

	var del []types.DeleteMessageBatchRequestEntry
	var succeeded []int
	for i, m := range ev.Records {
		j := idx[i]
		if failed[i] {
			continue
		}
		if !contains(inv.Reported, m.MessageId) {
			succeeded = append(succeeded, j)
			p.ok[j] = true
			p.tr.Records[j].State = esm.Processed
		} else {
			p.tr.Records[j].State = esm.Discarded // reported, but Lambda ignores the response
		}
		del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle)})
	}
	for _, j := range succeeded {
		p.checkOrder(n, j)
	}
	for start := 0; start < len(del); start += 10 {
		dout, err := p.q.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.q.url), Entries: del[start:min(start+10, len(del))]})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("deleting messages: %w", err)
		}
		for _, f := range dout.Failed {
			// The message comes back: its visibility timeout ended before
			// the delete (the invocation took too long).
			k, _ := strconv.Atoi(aws.ToString(f.Id))
			p.tr.Records[idx[k]].State = esm.Pending
			p.deleteErrs++
		}
	}
	p.progress(0)
	return nil
}

// checkOrder notes, on a FIFO queue, record j succeeding while a message
// of its group delivered before it for the first time has not succeeded
// and was not dead-lettered (received fewer than maxReceiveCount times).
// SQS delivers a group's messages in order, so the first delivery orders
// them; SequenceNumber would too on SQS, but moto's are random.
func (p *sqsPoller) checkOrder(inv, j int) {
	if !p.q.fifo {
		return
	}
	r := p.tr.Records[j]
	for k := 0; k < j; k++ {
		other := p.tr.Records[k]
		if other.Key != r.Key || p.ok[k] || other.State != esm.Pending {
			continue
		}
		if p.q.maxReceive > 0 && p.receives[k] >= p.q.maxReceive {
			continue // moved to the dead-letter queue before this one was received
		}
		p.tr.OrderViolations = append(p.tr.OrderViolations,
			fmt.Sprintf("invocation %d: %s succeeded before %s, delivered before it in its group %q", inv, r.ID, other.ID, r.Key))
		return
	}
}

// progress reports to the progress hook as the simulators do.
func (p *sqsPoller) progress(inFlight int) {
	if p.onProgress == nil {
		return
	}
	pr := esm.Progress{Time: time.Now(), Invocations: len(p.tr.Invocations), Records: len(p.tr.Records), InFlight: inFlight}
	for _, r := range p.tr.Records {
		pr.Deliveries += r.Deliveries
		if r.Deliveries > 1 {
			pr.Redeliveries += r.Deliveries - 1
		}
		switch r.State {
		case esm.Processed:
			pr.Processed++
		case esm.DeadLettered:
			pr.DeadLettered++
		case esm.Discarded:
			pr.Discarded++
		}
	}
	p.onProgress(pr)
}
