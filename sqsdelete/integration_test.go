package sqsdelete_test

// Integration tests against a real SQS-compatible server (moto_server; see
// main_test.go). They play the part of Lambda's event source mapping without
// ReportBatchItemFailures: receive a batch, call the function, and delete
// the whole batch when the function returned nil.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/sqsdelete"
)

// queueSeq makes queue names unique within a run.
var queueSeq atomic.Int64

// errHandler is what the test handlers return for a message meant to fail.
var errHandler = errors.New("handler failed on purpose")

// testConfig returns an aws.Config for the test server.
func testConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(sqsEndpoint),
		HTTPClient:   &http.Client{Transport: transport},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "test"}, nil
		}),
	}
}

// sqsClient returns a client for the test server, built the way a function
// builds its own: from an aws.Config.
func sqsClient() *sqs.Client {
	return sqs.NewFromConfig(testConfig())
}

// testQueue is a queue on the test server.
type testQueue struct {
	c        *sqs.Client
	url, arn string
}

// newQueue creates a queue with a unique name built from prefix, a one
// second visibility timeout, and the given extra attributes.
func newQueue(t *testing.T, c *sqs.Client, prefix string, fifo bool, attrs map[string]string) testQueue {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, queueSeq.Add(1))
	a := map[string]string{"VisibilityTimeout": "1"}
	if fifo {
		name += ".fifo"
		a["FifoQueue"] = "true"
		a["ContentBasedDeduplication"] = "true"
	}
	for k, v := range attrs {
		a[k] = v
	}
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: a})
	if err != nil {
		t.Fatalf("CreateQueue(%s): %v", name, err)
	}
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       out.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes(%s): %v", name, err)
	}
	return testQueue{c: c, url: *out.QueueUrl, arn: got.Attributes["QueueArn"]}
}

// send sends the bodies in order; group, if not empty, gives each body's
// message group (FIFO queues).
func (q testQueue) send(t *testing.T, bodies []string, group func(body string) string) {
	t.Helper()
	for _, b := range bodies {
		in := &sqs.SendMessageInput{QueueUrl: &q.url, MessageBody: aws.String(b)}
		if group != nil {
			in.MessageGroupId = aws.String(group(b))
		}
		if _, err := q.c.SendMessage(context.Background(), in); err != nil {
			t.Fatalf("SendMessage(%s): %v", b, err)
		}
	}
}

// sendAndReceiveInOrder sends bodies to a FIFO queue and receives them all
// as one batch, failing t unless they come back in send order (moto
// delivers a FIFO queue's first batch in send order).
func (q testQueue) sendAndReceiveInOrder(t *testing.T, bodies []string, group func(body string) string) []events.SQSMessage {
	t.Helper()
	q.send(t, bodies, group)
	recs := q.receive(t, len(bodies), 10*time.Second)
	if got := bodiesOf(recs); !slices.Equal(got, bodies) {
		t.Fatalf("received %v, want %v", got, bodies)
	}
	return recs
}

// receive receives messages the way the event source mapping does, until it
// holds want distinct messages or within has passed, and returns them as the
// records of an SQS event. A message received twice (its visibility timeout
// expired meanwhile) appears once, with its latest receipt handle.
func (q testQueue) receive(t *testing.T, want int, within time.Duration) []events.SQSMessage {
	t.Helper()
	var recs []events.SQSMessage
	seen := map[string]int{}
	deadline := time.Now().Add(within)
	for len(recs) < want && time.Now().Before(deadline) {
		out, err := q.c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl:                    &q.url,
			MaxNumberOfMessages:         int32(min(10, want-len(recs))),
			WaitTimeSeconds:             1,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			if i, ok := seen[aws.ToString(m.MessageId)]; ok {
				recs[i].ReceiptHandle = aws.ToString(m.ReceiptHandle)
				continue
			}
			seen[aws.ToString(m.MessageId)] = len(recs)
			recs = append(recs, events.SQSMessage{
				MessageId:      aws.ToString(m.MessageId),
				ReceiptHandle:  aws.ToString(m.ReceiptHandle),
				Body:           aws.ToString(m.Body),
				Md5OfBody:      aws.ToString(m.MD5OfBody),
				Attributes:     m.Attributes,
				EventSource:    "aws:sqs",
				EventSourceARN: q.arn,
				AWSRegion:      "us-east-1",
			})
		}
	}
	return recs
}

// count returns how many messages the queue holds, visible or not.
func (q testQueue) count(t *testing.T) int {
	t.Helper()
	out, err := q.c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &q.url,
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			types.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	n := 0
	for _, v := range out.Attributes {
		k, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("queue attribute %q is not a number", v)
		}
		n += k
	}
	return n
}

// invoke plays Lambda without ReportBatchItemFailures: it calls the
// function, and deletes the whole batch when it returned nil.
func (q testQueue) invoke(t *testing.T, recs []events.SQSMessage, fn func(context.Context, events.SQSEvent) error) error {
	t.Helper()
	err := fn(context.Background(), events.SQSEvent{Records: recs})
	if err != nil {
		return err
	}
	for len(recs) > 0 {
		n := min(10, len(recs))
		in := &sqs.DeleteMessageBatchInput{QueueUrl: &q.url}
		for i, m := range recs[:n] {
			in.Entries = append(in.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle)})
		}
		out, derr := q.c.DeleteMessageBatch(context.Background(), in)
		if derr != nil || len(out.Failed) > 0 {
			t.Fatalf("Lambda's own delete of the batch failed: %v %+v", derr, out)
		}
		recs = recs[n:]
	}
	return nil
}

// countingClient counts the DeleteMessageBatch calls made through it.
type countingClient struct {
	sqsdelete.Client
	calls atomic.Int64
}

func (c *countingClient) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	c.calls.Add(1)
	return c.Client.DeleteMessageBatch(ctx, in, opts...)
}

// calls records the bodies a handler saw, in order.
type calls struct {
	mu     sync.Mutex
	bodies []string
}

func (c *calls) add(b string) {
	c.mu.Lock()
	c.bodies = append(c.bodies, b)
	c.mu.Unlock()
}

func (c *calls) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.bodies)
}

// failing returns a handler that records each body and fails those in fail.
func failing(seen *calls, fail ...string) func(context.Context, events.SQSMessage) error {
	return func(_ context.Context, m events.SQSMessage) error {
		seen.add(m.Body)
		if slices.Contains(fail, m.Body) {
			return errHandler
		}
		return nil
	}
}

func bodiesOf(recs []events.SQSMessage) []string {
	out := make([]string, len(recs))
	for i, m := range recs {
		out[i] = m.Body
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// idsOf returns the messageIds of the messages whose body is in bodies, in
// batch order.
func idsOf(recs []events.SQSMessage, bodies ...string) []string {
	var out []string
	for _, m := range recs {
		if slices.Contains(bodies, m.Body) {
			out = append(out, m.MessageId)
		}
	}
	return out
}

func errIDs(errs []*batch.RecordError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.ID)
	}
	return out
}

func TestIntegrationStandardQueue(t *testing.T) {
	t.Parallel()
	c := sqsClient()
	bodies := []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11"}
	tests := []struct {
		name     string
		fail     []string
		queueURL func(string) (string, error)
		opts     batch.Options
		calls    int64 // DeleteMessageBatch calls expected
	}{
		{name: "partial failure deletes exactly the successful messages", fail: []string{"m1", "m4", "m10"}, calls: 1},
		{name: "concurrent handlers delete exactly the successful messages", fail: []string{"m3", "m11"}, opts: batch.Options{Concurrency: 4}, calls: 1},
		{name: "queue URL built on the endpoint works too", fail: []string{"m0"}, queueURL: sqsdelete.EndpointQueueURL(sqsEndpoint), calls: 2},
		{name: "all succeeded deletes nothing and Lambda deletes the batch", calls: 0},
		{name: "all failed deletes nothing and every message returns", fail: bodies, calls: 0},
	}
	for _, tt := range tests {
		tt := tt
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := newQueue(t, c, "std", false, nil)
			q.send(t, bodies, nil)
			// Twelve messages: more than ten successes take two delete calls.
			recs := q.receive(t, len(bodies), 10*time.Second)
			if len(recs) != len(bodies) {
				t.Fatalf("received %d messages, want %d", len(recs), len(bodies))
			}

			cc := &countingClient{Client: c}
			var seen calls
			fn := sqsdelete.New(sqsdelete.Config{Client: cc, QueueURL: tt.queueURL}, failing(&seen, tt.fail...), tt.opts)
			err := q.invoke(t, recs, fn.Handle)

			if got, want := sorted(seen.get()), sorted(bodies); !slices.Equal(got, want) {
				t.Errorf("handled %v, want %v", got, want)
			}
			if got := cc.calls.Load(); got != tt.calls {
				t.Errorf("got %d DeleteMessageBatch calls, want %d", got, tt.calls)
			}
			if len(tt.fail) == 0 {
				if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
			} else {
				var e *sqsdelete.Error
				if !errors.As(err, &e) {
					t.Fatalf("got error %v, want *sqsdelete.Error", err)
				}
				if got, want := errIDs(e.Failed), idsOf(recs, tt.fail...); !slices.Equal(got, want) {
					t.Errorf("got failed ids %v, want %v", got, want)
				}
				if len(e.NotDeleted) != 0 {
					t.Errorf("got NotDeleted %v, want none", e.NotDeleted)
				}
				if !errors.Is(err, errHandler) {
					t.Errorf("errors.Is(err, handler error) = false, want true")
				}
			}

			// The successful messages are gone; the failed ones are in flight.
			if got, want := q.count(t), len(tt.fail); got != want {
				t.Errorf("queue holds %d messages after the invocation, want %d", got, want)
			}
			// The failed ones come back once the visibility timeout expires.
			if len(tt.fail) > 0 {
				back := q.receive(t, len(tt.fail), 10*time.Second)
				if got, want := sorted(bodiesOf(back)), sorted(tt.fail); !slices.Equal(got, want) {
					t.Errorf("got %v back after the visibility timeout, want %v", got, want)
				}
			}
		})
	}
}

func TestIntegrationDeadLetterQueue(t *testing.T) {
	t.Parallel()
	c := sqsClient()
	dlq := newQueue(t, c, "dlq", false, nil)
	q := newQueue(t, c, "redrive", false, map[string]string{
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"2"}`, dlq.arn),
	})
	q.send(t, []string{"ok-1", "poison", "ok-2"}, nil)

	var seen calls
	fn := sqsdelete.New(sqsdelete.Config{Client: c}, failing(&seen, "poison"), batch.Options{})

	// Poll and invoke like the event source mapping until the poison
	// message has moved to the dead-letter queue (bounded).
	deadline := time.Now().Add(20 * time.Second)
	for dlq.count(t) == 0 && time.Now().Before(deadline) {
		recs := q.receive(t, 3, time.Second)
		if len(recs) > 0 {
			_ = q.invoke(t, recs, fn.Handle)
		}
	}

	got := dlq.receive(t, 1, 5*time.Second)
	if want := []string{"poison"}; !slices.Equal(bodiesOf(got), want) {
		t.Fatalf("dead-letter queue holds %v, want %v", bodiesOf(got), want)
	}
	counts := map[string]int{}
	for _, b := range seen.get() {
		counts[b]++
	}
	want := map[string]int{"ok-1": 1, "ok-2": 1, "poison": 2}
	for b, n := range want {
		if counts[b] != n {
			t.Errorf("message %s handled %d times, want %d", b, counts[b], n)
		}
	}
	if n := q.count(t); n != 0 {
		t.Errorf("source queue holds %d messages, want 0", n)
	}
}

// TestIntegrationFIFODeadLetterQueue runs the function over a FIFO queue
// whose redrive policy moves a message to a FIFO dead-letter queue after two
// receives, until the poison message that always fails has moved there.
func TestIntegrationFIFODeadLetterQueue(t *testing.T) {
	t.Parallel()
	c := sqsClient()
	group := func(body string) string { return body[:1] }
	tests := []struct {
		name      string
		skipGroup bool
		sent      []string // bodies in send order; the first letter is the group
	}{
		{
			// Every message after the poison one would be skipped with it
			// each time and, received as often, follow it to the
			// dead-letter queue: the poison message comes last.
			name: "stop at first failure",
			sent: []string{"a1", "b1", "a2", "b2", "p-poison"},
		},
		{
			name:      "skip group",
			skipGroup: true,
			sent:      []string{"a1", "p-poison", "b1", "a2", "b2", "a3"},
		},
	}
	for _, tt := range tests {
		tt := tt
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dlq := newQueue(t, c, "fifo-dlq", true, nil)
			q := newQueue(t, c, "fifo-redrive", true, map[string]string{
				"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"2"}`, dlq.arn),
			})
			q.send(t, tt.sent, group)

			var seen calls
			fn := sqsdelete.New(sqsdelete.Config{Client: c}, failing(&seen, "p-poison"), batch.Options{SkipGroupOnError: tt.skipGroup})

			// Poll and invoke like the event source mapping until the
			// source queue is empty (bounded): the poison message leaves
			// it only for the dead-letter queue.
			invocations := 0
			deadline := time.Now().Add(20 * time.Second)
			for q.count(t) > 0 && time.Now().Before(deadline) {
				recs := q.receive(t, len(tt.sent), time.Second)
				if len(recs) == 0 {
					continue
				}
				invocations++
				if err := q.invoke(t, recs, fn.Handle); err == nil {
					t.Errorf("invocation %d: got nil error, want one naming the poison message", invocations)
				} else if !errors.Is(err, errHandler) {
					t.Errorf("invocation %d: got %v, want the handler's error", invocations, err)
				}
			}

			if n := q.count(t); n != 0 {
				t.Errorf("source queue holds %d messages, want 0", n)
			}
			if n := dlq.count(t); n != 1 {
				t.Errorf("dead-letter queue holds %d messages, want 1", n)
			}
			got := dlq.receive(t, 1, 5*time.Second)
			if want := []string{"p-poison"}; !slices.Equal(bodiesOf(got), want) {
				t.Fatalf("dead-letter queue holds %v, want %v", bodiesOf(got), want)
			}
			if g := got[0].Attributes["MessageGroupId"]; g != "p" {
				t.Errorf("dead-lettered message has group %q, want %q", g, "p")
			}
			if invocations != 2 {
				t.Errorf("got %d invocations, want 2 (one per receive of the poison message)", invocations)
			}
			counts := map[string]int{}
			for _, b := range seen.get() {
				counts[b]++
			}
			for _, b := range tt.sent {
				want := 1
				if b == "p-poison" {
					want = 2
				}
				if counts[b] != want {
					t.Errorf("message %s handled %d times, want %d", b, counts[b], want)
				}
			}
			// Each group was handled in send order.
			for _, g := range []string{"a", "b"} {
				var got, want []string
				for _, b := range seen.get() {
					if group(b) == g {
						got = append(got, b)
					}
				}
				for _, b := range tt.sent {
					if group(b) == g {
						want = append(want, b)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("group %s handled in order %v, want %v", g, got, want)
				}
			}
		})
	}
}

func TestIntegrationFIFOQueue(t *testing.T) {
	t.Parallel()
	c := sqsClient()
	// Two message groups, interleaved; a2 fails.
	sent := []string{"a1", "b1", "a2", "b2", "a3"}
	group := func(body string) string { return body[:1] }
	tests := []struct {
		name      string
		skipGroup bool
		handled   []string // in order
		failed    []string // in batch order: the failure, then the skipped
		remain    []string // on the queue after the invocation
	}{
		{
			name:    "first failure stops the batch and nothing after it is deleted",
			handled: []string{"a1", "b1", "a2"},
			failed:  []string{"a2", "b2", "a3"},
			remain:  []string{"a2", "a3", "b2"},
		},
		{
			name:      "skip group keeps the failed group and deletes the other",
			skipGroup: true,
			handled:   []string{"a1", "b1", "a2", "b2"},
			failed:    []string{"a2", "a3"},
			remain:    []string{"a2", "a3"},
		},
	}
	for _, tt := range tests {
		tt := tt
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := newQueue(t, c, "fifo", true, nil)
			recs := q.sendAndReceiveInOrder(t, sent, group)

			opts := batch.Options{SkipGroupOnError: tt.skipGroup}
			var seen calls
			err := q.invoke(t, recs, sqsdelete.New(sqsdelete.Config{Client: c}, failing(&seen, "a2"), opts).Handle)
			if got := seen.get(); !slices.Equal(got, tt.handled) {
				t.Errorf("handled %v, want %v", got, tt.handled)
			}
			var e *sqsdelete.Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %v, want *sqsdelete.Error", err)
			}
			if got, want := errIDs(e.Failed), idsOf(recs, tt.failed...); !slices.Equal(got, want) {
				t.Errorf("got failed ids %v, want %v", got, want)
			}
			for _, re := range e.Failed[1:] {
				if !errors.Is(re, batch.ErrSkipped) {
					t.Errorf("message %s: got %v, want batch.ErrSkipped", re.ID, re.Err)
				}
			}
			if got, want := q.count(t), len(tt.remain); got != want {
				t.Errorf("queue holds %d messages after the invocation, want %d", got, want)
			}

			// The failed and skipped messages, and only they, come back
			// after the visibility timeout; handling them successfully
			// empties the queue. They are polled like the event source
			// mapping does, over several batches if need be: when several
			// messages of one group become visible together, moto may
			// deliver a later one first (here a3 before a2) and hold the
			// earlier one back until the later one is deleted. So only the
			// set is checked here, not the order of redelivery.
			var again calls
			deadline := time.Now().Add(15 * time.Second)
			for q.count(t) > 0 && time.Now().Before(deadline) {
				recs := q.receive(t, len(tt.remain), time.Second)
				if len(recs) == 0 {
					continue
				}
				if err := q.invoke(t, recs, sqsdelete.New(sqsdelete.Config{Client: c}, failing(&again), opts).Handle); err != nil {
					t.Fatalf("later invocation: got error %v, want nil", err)
				}
			}
			if n := q.count(t); n != 0 {
				t.Errorf("queue holds %d messages after the later invocations, want 0", n)
			}
			if got, want := sorted(slices.Compact(sorted(again.get()))), sorted(tt.remain); !slices.Equal(got, want) {
				t.Errorf("later invocations handled %v, want %v", got, want)
			}
		})
	}
}

// TestIntegrationFIFODeleteFailure checks on the server that when the
// delete of a FIFO message fails, the later messages of its group stay on
// the queue with it, and come back with it, while the other groups'
// messages are deleted; with and without SkipGroupOnError.
func TestIntegrationFIFODeleteFailure(t *testing.T) {
	t.Parallel()
	c := sqsClient()
	sent := []string{"a1", "b1", "a2", "b2", "a3", "x1"}
	group := func(body string) string { return body[:1] }
	tests := []struct {
		name      string
		skipGroup bool
		stale     string   // the message whose receipt handle SQS rejects
		held      []string // not deleted to keep the order, in batch order
		remain    []string // on the queue after the invocation
	}{
		{
			// Before, every later message of the batch stayed.
			name:   "stop at first failure: the later messages of the group stay",
			stale:  "b1",
			held:   []string{"b2"},
			remain: []string{"b1", "b2", "x1"},
		},
		{
			name:      "skip group: the later messages of the group stay",
			skipGroup: true,
			stale:     "a1",
			held:      []string{"a2", "a3"},
			remain:    []string{"a1", "a2", "a3", "x1"},
		},
	}
	for _, tt := range tests {
		tt := tt
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := newQueue(t, c, "fifo-stale", true, nil)
			recs := q.sendAndReceiveInOrder(t, sent, group)
			for i := range recs {
				if recs[i].Body == tt.stale {
					recs[i].ReceiptHandle = "not-a-receipt-handle"
				}
			}

			opts := batch.Options{SkipGroupOnError: tt.skipGroup}
			err := q.invoke(t, recs, sqsdelete.New(sqsdelete.Config{Client: c}, failing(&calls{}, "x1"), opts).Handle)
			var e *sqsdelete.Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %v, want *sqsdelete.Error", err)
			}
			if got, want := errIDs(e.NotDeleted), idsOf(recs, append([]string{tt.stale}, tt.held...)...); !slices.Equal(got, want) {
				t.Errorf("got not-deleted ids %v, want %v", got, want)
			}
			var held []string
			for _, re := range e.NotDeleted {
				if errors.Is(re, sqsdelete.ErrEarlierNotDeleted) {
					held = append(held, re.ID)
				}
			}
			if want := idsOf(recs, tt.held...); !slices.Equal(held, want) {
				t.Errorf("got held back %v, want %v", held, want)
			}
			if got, want := q.count(t), len(tt.remain); got != want {
				t.Errorf("queue holds %d messages after the invocation, want %d", got, want)
			}
			// What stays comes back after the visibility timeout (the
			// set only: see TestIntegrationFIFOQueue on moto's order).
			var back []string
			deadline := time.Now().Add(15 * time.Second)
			for q.count(t) > 0 && time.Now().Before(deadline) {
				recs := q.receive(t, len(tt.remain), time.Second)
				if len(recs) == 0 {
					continue
				}
				back = append(back, bodiesOf(recs)...)
				if err := q.invoke(t, recs, sqsdelete.New(sqsdelete.Config{Client: c}, failing(&calls{}), opts).Handle); err != nil {
					t.Fatalf("later invocation: got error %v, want nil", err)
				}
			}
			if got, want := sorted(slices.Compact(sorted(back))), sorted(tt.remain); !slices.Equal(got, want) {
				t.Errorf("got %v back, want %v", got, want)
			}
		})
	}
}

// TestIntegrationInvoke runs a Function as lambda.Start does, through
// Invoke with the event's JSON, with a client built from an aws.Config as a
// function builds its own.
func TestIntegrationInvoke(t *testing.T) {
	t.Parallel()
	c := sqsClient()
	q := newQueue(t, c, "invoke", false, nil)
	bodies := []string{"m0", "m1", "m2"}
	q.send(t, bodies, nil)
	recs := q.receive(t, len(bodies), 10*time.Second)
	if len(recs) != len(bodies) {
		t.Fatalf("received %d messages, want %d", len(recs), len(bodies))
	}
	fn := sqsdelete.New(sqsdelete.Config{Client: sqs.NewFromConfig(testConfig())}, failing(&calls{}, "m1"), batch.Options{})
	err := q.invoke(t, recs, func(ctx context.Context, ev events.SQSEvent) error {
		payload, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("marshalling the event: %v", err)
		}
		out, err := fn.Invoke(ctx, payload)
		if err != nil && out != nil {
			t.Errorf("got response %q with error %v, want none", out, err)
		}
		return err
	})
	var e *sqsdelete.Error
	if !errors.As(err, &e) || len(e.NotDeleted) != 0 {
		t.Fatalf("got error %v, want *sqsdelete.Error without NotDeleted", err)
	}
	if got, want := errIDs(e.Failed), idsOf(recs, "m1"); !slices.Equal(got, want) {
		t.Errorf("got failed ids %v, want %v", got, want)
	}
	if got := q.count(t); got != 1 {
		t.Errorf("queue holds %d messages, want 1", got)
	}
}

func TestIntegrationNotDeleted(t *testing.T) {
	t.Parallel()
	c := sqsClient()
	bodies := []string{"m0", "m1", "m2", "m3"}

	t.Run("stale receipt handle: reported, and the message comes back", func(t *testing.T) {
		t.Parallel()
		q := newQueue(t, c, "stale", false, nil)
		q.send(t, bodies, nil)
		recs := q.receive(t, len(bodies), 10*time.Second)
		if len(recs) != len(bodies) {
			t.Fatalf("received %d messages, want %d", len(recs), len(bodies))
		}
		// m2 succeeds, but SQS will not accept its receipt handle.
		for i := range recs {
			if recs[i].Body == "m2" {
				recs[i].ReceiptHandle = "not-a-receipt-handle"
			}
		}
		cc := &countingClient{Client: c}
		var seen calls
		fn := sqsdelete.New(sqsdelete.Config{Client: cc}, failing(&seen, "m1"), batch.Options{})
		err := q.invoke(t, recs, fn.Handle)
		var e *sqsdelete.Error
		if !errors.As(err, &e) {
			t.Fatalf("got error %v, want *sqsdelete.Error", err)
		}
		if got, want := errIDs(e.Failed), idsOf(recs, "m1"); !slices.Equal(got, want) {
			t.Errorf("got failed ids %v, want %v", got, want)
		}
		if got, want := errIDs(e.NotDeleted), idsOf(recs, "m2"); !slices.Equal(got, want) {
			t.Errorf("got not-deleted ids %v, want %v", got, want)
		}
		var ee *sqsdelete.EntryError
		if !errors.As(err, &ee) || ee.Code != "ReceiptHandleIsInvalid" || !ee.SenderFault {
			t.Errorf("got entry error %+v, want ReceiptHandleIsInvalid with SenderFault", ee)
		}
		if got := cc.calls.Load(); got != 1 {
			t.Errorf("got %d DeleteMessageBatch calls, want 1 (a sender fault is not retried)", got)
		}
		if got, want := q.count(t), 2; got != want {
			t.Errorf("queue holds %d messages, want %d", got, want)
		}
		back := q.receive(t, 2, 10*time.Second)
		if got, want := sorted(bodiesOf(back)), []string{"m1", "m2"}; !slices.Equal(got, want) {
			t.Errorf("got %v back after the visibility timeout, want %v", got, want)
		}
	})

	t.Run("queue gone: reported without retry", func(t *testing.T) {
		t.Parallel()
		q := newQueue(t, c, "gone", false, nil)
		q.send(t, bodies, nil)
		recs := q.receive(t, len(bodies), 10*time.Second)
		if len(recs) != len(bodies) {
			t.Fatalf("received %d messages, want %d", len(recs), len(bodies))
		}
		if _, err := c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: &q.url}); err != nil {
			t.Fatalf("DeleteQueue: %v", err)
		}
		cc := &countingClient{Client: c}
		fn := sqsdelete.New(sqsdelete.Config{Client: cc}, failing(&calls{}, "m0"), batch.Options{})
		err := fn.Handle(context.Background(), events.SQSEvent{Records: recs})
		var e *sqsdelete.Error
		if !errors.As(err, &e) {
			t.Fatalf("got error %v, want *sqsdelete.Error", err)
		}
		if got, want := errIDs(e.NotDeleted), idsOf(recs, "m1", "m2", "m3"); !slices.Equal(got, want) {
			t.Errorf("got not-deleted ids %v, want %v", got, want)
		}
		var gone *types.QueueDoesNotExist
		if !errors.As(err, &gone) {
			t.Errorf("got %v, want it to wrap *types.QueueDoesNotExist", err)
		}
		if got := cc.calls.Load(); got != 1 {
			t.Errorf("got %d DeleteMessageBatch calls, want 1 (a missing queue is not retried)", got)
		}
	})
}
