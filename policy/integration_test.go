package policy_test

// Integration tests against a real SQS and SNS server (moto_server; see
// main_test.go). They play the part of Lambda's event source mapping with
// ReportBatchItemFailures: receive a batch, call the function, and delete
// the messages the response does not report.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/policy"
)

// queueSeq makes queue names unique within a run.
var queueSeq atomic.Int64

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

// testQueue is a queue on the test server.
type testQueue struct {
	c        *sqs.Client
	url, arn string
}

// newQueue creates a queue with a unique name built from prefix, a 30
// second visibility timeout (longer than any test waits), and attrs.
func newQueue(t *testing.T, c *sqs.Client, prefix string, fifo bool, attrs map[string]string) testQueue {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, queueSeq.Add(1))
	a := map[string]string{"VisibilityTimeout": "30"}
	if fifo {
		name += ".fifo"
		a["FifoQueue"] = "true"
	}
	for k, v := range attrs {
		a[k] = v
	}
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: a})
	if err != nil {
		t.Fatalf("CreateQueue(%s): %v", name, err)
	}
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("GetQueueAttributes(%s): %v", name, err)
	}
	return testQueue{c: c, url: *out.QueueUrl, arn: got.Attributes["QueueArn"]}
}

// withDLQ creates a dead-letter queue and a source queue that redrives to
// it after maxReceiveCount receives.
func withDLQ(t *testing.T, c *sqs.Client, prefix string, fifo bool) (src, dlq testQueue) {
	t.Helper()
	dlq = newQueue(t, c, prefix+"-dlq", fifo, nil)
	rp, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 5})
	src = newQueue(t, c, prefix, fifo, map[string]string{"RedrivePolicy": string(rp)})
	return src, dlq
}

// send sends a message; group, if not empty, is its message group.
func (q testQueue) send(t *testing.T, body, group string, attrs map[string]types.MessageAttributeValue) {
	t.Helper()
	in := &sqs.SendMessageInput{QueueUrl: &q.url, MessageBody: &body, MessageAttributes: attrs}
	if group != "" {
		in.MessageGroupId = &group
		in.MessageDeduplicationId = aws.String(fmt.Sprint(body, "-", queueSeq.Add(1)))
	}
	if _, err := q.c.SendMessage(context.Background(), in); err != nil {
		t.Fatalf("SendMessage(%s): %v", body, err)
	}
}

// receive receives messages as the event source mapping does, until it
// holds want or within has passed, and returns them as Lambda delivers
// them.
func (q testQueue) receive(t *testing.T, want int, within time.Duration) []events.SQSMessage {
	t.Helper()
	var recs []events.SQSMessage
	deadline := time.Now().Add(within)
	for len(recs) < want && time.Now().Before(deadline) {
		out, err := q.c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl:                    &q.url,
			MaxNumberOfMessages:         int32(min(10, want-len(recs))),
			WaitTimeSeconds:             1,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			recs = append(recs, lambdaMessage(m, q.arn))
		}
	}
	return recs
}

// poll receives without waiting and returns what is visible, now in
// flight.
func (q testQueue) poll(t *testing.T) []events.SQSMessage {
	t.Helper()
	out, err := q.c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl:                    &q.url,
		MaxNumberOfMessages:         10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	var recs []events.SQSMessage
	for _, m := range out.Messages {
		recs = append(recs, lambdaMessage(m, q.arn))
	}
	return recs
}

func bodies(recs []events.SQSMessage) []string {
	var b []string
	for _, m := range recs {
		b = append(b, m.Body)
	}
	return b
}

// lambdaMessage converts a received message into the record Lambda
// delivers.
func lambdaMessage(m types.Message, arn string) events.SQSMessage {
	rec := events.SQSMessage{
		MessageId:         aws.ToString(m.MessageId),
		ReceiptHandle:     aws.ToString(m.ReceiptHandle),
		Body:              aws.ToString(m.Body),
		Md5OfBody:         aws.ToString(m.MD5OfBody),
		Attributes:        m.Attributes,
		MessageAttributes: map[string]events.SQSMessageAttribute{},
		EventSource:       "aws:sqs",
		EventSourceARN:    arn,
		AWSRegion:         "us-east-1",
	}
	for name, a := range m.MessageAttributes {
		rec.MessageAttributes[name] = events.SQSMessageAttribute{DataType: aws.ToString(a.DataType), StringValue: a.StringValue, BinaryValue: a.BinaryValue}
	}
	return rec
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
		k, _ := strconv.Atoi(v)
		n += k
	}
	return n
}

// invoke plays Lambda with ReportBatchItemFailures: it calls the function
// and deletes the messages the response does not report. It returns the
// reported message ids.
func (q testQueue) invoke(t *testing.T, fn *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse], recs []events.SQSMessage) []string {
	t.Helper()
	resp, err := fn.Handle(context.Background(), events.SQSEvent{Records: recs})
	reported := failedIDs(resp)
	if err != nil {
		var be *batch.BatchError
		if !errors.As(err, &be) {
			t.Fatalf("Handle: %v", err)
		}
		return reported // Lambda deletes nothing
	}
	for _, m := range recs {
		if slices.Contains(reported, m.MessageId) {
			continue
		}
		if _, err := q.c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &q.url, ReceiptHandle: &m.ReceiptHandle}); err != nil {
			t.Fatalf("Lambda's delete of %s: %v", m.MessageId, err)
		}
	}
	return reported
}

// A permanent failure lands in the dead-letter queue once, with its body,
// its attributes and the reason; Lambda deletes it from the source queue.
func TestMotoDeadLetter(t *testing.T) {
	c := sqs.NewFromConfig(testConfig())
	src, dlq := withDLQ(t, c, "dl", false)
	src.send(t, "ok", "", nil)
	src.send(t, "poison 1", "", map[string]types.MessageAttributeValue{
		"tenant": {DataType: aws.String("String"), StringValue: aws.String("acme")},
		"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
	})
	src.send(t, "flaky", "", nil)
	recs := src.receive(t, 3, 10*time.Second)

	fn := batch.New(batch.SQS(), handleBody, batch.Options{Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: c})})
	reported := src.invoke(t, fn, recs)
	if len(reported) != 1 || recs[slices.IndexFunc(recs, func(m events.SQSMessage) bool { return m.MessageId == reported[0] })].Body != "flaky" {
		t.Fatalf("got %v reported, want the flaky message only", reported)
	}
	if n := src.count(t); n != 1 {
		t.Fatalf("source queue holds %d messages, want 1 (the flaky one)", n)
	}
	got := dlq.receive(t, 1, 5*time.Second)
	if n := dlq.count(t); len(got) != 1 || n != 1 {
		t.Fatalf("dead-letter queue holds %d messages, want exactly 1", n)
	}
	m := got[0]
	poison := recs[slices.IndexFunc(recs, func(m events.SQSMessage) bool { return m.Body == "poison 1" })]
	attr := func(name string) string { return aws.ToString(m.MessageAttributes[name].StringValue) }
	if m.Body != "poison 1" || attr("tenant") != "acme" || string(m.MessageAttributes["blob"].BinaryValue) != "\x01\x02\x03" {
		t.Errorf("got body %q and attributes %v, want the original's", m.Body, m.MessageAttributes)
	}
	if attr(policy.AttrReason) != "order "+poison.MessageId+": customer deleted" || attr(policy.AttrSourceQueue) != src.arn ||
		attr(policy.AttrReceiveCount) != "1" || attr(policy.AttrMessageID) != poison.MessageId {
		t.Errorf("got reason %q, source %q, receive count %q, id %q; want the failure's", attr(policy.AttrReason), attr(policy.AttrSourceQueue), attr(policy.AttrReceiveCount), attr(policy.AttrMessageID))
	}
}

// On a FIFO queue the dead-letter message keeps its group, is deduplicated
// on the source's messageId, and the group goes on after it.
func TestMotoDeadLetterFIFO(t *testing.T) {
	c := sqs.NewFromConfig(testConfig())
	src, dlq := withDLQ(t, c, "dlf", true)
	for _, b := range []string{"ok 1", "poison", "ok 2"} {
		src.send(t, b, "g1", nil)
	}
	recs := src.receive(t, 3, 10*time.Second)
	if got := []string{recs[0].Body, recs[1].Body, recs[2].Body}; !slices.Equal(got, []string{"ok 1", "poison", "ok 2"}) {
		t.Fatalf("received %v, want send order", got)
	}
	divert := policy.DeadLetter(policy.DeadLetterConfig{Client: c})
	fn := batch.New(batch.SQS(), handleBody, batch.Options{Divert: divert})
	if reported := src.invoke(t, fn, recs); len(reported) != 0 {
		t.Fatalf("got %v reported, want none: the poison message diverted, the group going on", reported)
	}
	// The same message diverted again (a retried batch) lands once.
	if err := divert(context.Background(), batch.Failure{Record: batch.Record{ID: recs[1].MessageId, Value: &recs[1]}, Err: errGone}); err != nil {
		t.Fatal(err)
	}
	if n := src.count(t); n != 0 {
		t.Fatalf("source queue holds %d messages, want 0", n)
	}
	got := dlq.receive(t, 1, 5*time.Second)
	if n := dlq.count(t); len(got) != 1 || n != 1 {
		t.Fatalf("dead-letter queue holds %d messages, want exactly 1", n)
	}
	if m := got[0]; m.Body != "poison" || m.Attributes["MessageGroupId"] != "g1" || m.Attributes["MessageDeduplicationId"] != recs[1].MessageId {
		t.Errorf("got %q group %q dedup %q, want poison, g1, %s", m.Body, m.Attributes["MessageGroupId"], m.Attributes["MessageDeduplicationId"], recs[1].MessageId)
	}
}

// failingSQS is a real client whose SendMessage fails.
type failingSQS struct {
	*sqs.Client
	sends atomic.Int32
}

func (f *failingSQS) SendMessage(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.sends.Add(1)
	return nil, errors.New("connection reset")
}

// When the dead-letter queue cannot take the message, the record is
// reported: it stays on the source queue, and nothing is lost.
func TestMotoDeadLetterSendFails(t *testing.T) {
	c := sqs.NewFromConfig(testConfig())
	for _, tt := range []struct {
		name  string
		setup func(src, dlq testQueue) policy.DeadLetterClient
	}{
		{"the dead-letter queue was deleted", func(_, dlq testQueue) policy.DeadLetterClient {
			if _, err := c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: &dlq.url}); err != nil {
				t.Fatal(err)
			}
			return c
		}},
		{"the client fails", func(_, _ testQueue) policy.DeadLetterClient { return &failingSQS{Client: c} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, dlq := withDLQ(t, c, "dlx", false)
			client := tt.setup(src, dlq)
			src.send(t, "poison", "", nil)
			src.send(t, "ok", "", nil)
			recs := src.receive(t, 2, 10*time.Second)
			fn := batch.New(batch.SQS(), handleBody, batch.Options{Divert: policy.DeadLetter(policy.DeadLetterConfig{Client: client})})
			_, rep := fn.Process(context.Background(), events.SQSEvent{Records: recs})
			for _, r := range rep.Results {
				if r.Record.Body == "poison" && (r.Outcome != batch.Failed || !errors.Is(r.Err, errGone) || !strings.Contains(r.Err.Error(), "not diverted")) {
					t.Fatalf("got %v %v, want the poison message failed with both errors", r.Outcome, r.Err)
				}
			}
			reported := src.invoke(t, fn, src.receiveAgain(t, recs))
			if len(reported) != 1 || src.count(t) != 1 {
				t.Fatalf("got %v reported and %d messages left, want the poison message reported and still on the queue", reported, src.count(t))
			}
			if f, ok := client.(*failingSQS); ok && f.sends.Load() == 0 {
				t.Fatal("the failing client was not called")
			}
		})
	}
}

// receiveAgain makes the messages visible and receives them again, so
// that the test can invoke with fresh receipt handles.
func (q testQueue) receiveAgain(t *testing.T, recs []events.SQSMessage) []events.SQSMessage {
	t.Helper()
	in := &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: &q.url}
	for i, m := range recs {
		in.Entries = append(in.Entries, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle)})
	}
	if _, err := q.c.ChangeMessageVisibilityBatch(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return q.receive(t, len(recs), 10*time.Second)
}

// waitVisible polls the queue until a message is visible and returns how
// long after from that was, and the messages received (now in flight).
func (q testQueue) waitVisible(t *testing.T, from time.Time, within time.Duration) (time.Duration, []events.SQSMessage) {
	t.Helper()
	for time.Since(from) < within {
		if got := q.poll(t); len(got) > 0 {
			return time.Since(from), got
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing visible within %v", within)
	return 0, nil
}

// Back-off: a failed message is invisible for the delay its receive count
// gives, then visible again, long before the queue's 30-second visibility
// timeout; a message that did not run is visible at once.
func TestMotoBackoff(t *testing.T) {
	c := sqs.NewFromConfig(testConfig())
	q := newQueue(t, c, "bo", false, nil)
	var changes []string
	fn := batch.New(batch.SQS(), handleBody, batch.Options{
		StopOnFirstFailure: true,
		Retry: policy.Backoff(policy.BackoffConfig{Client: c, Jitter: policy.NoJitter, OnChange: func(f batch.Failure, d time.Duration, err error) {
			if err != nil {
				t.Errorf("%s: %v", f.ID, err)
			}
			changes = append(changes, fmt.Sprint(d))
		}}),
	})
	q.send(t, "flaky", "", nil)
	recs := q.receive(t, 1, 10*time.Second)
	for receive, want := range []time.Duration{time.Second, 2 * time.Second} {
		if n := recs[0].Attributes["ApproximateReceiveCount"]; n != strconv.Itoa(receive+1) {
			t.Fatalf("got receive count %s, want %d", n, receive+1)
		}
		start := time.Now()
		q.invoke(t, fn, recs)
		if got := q.poll(t); len(got) != 0 {
			t.Fatalf("got %v visible right after the invocation, want nothing for %v", bodies(got), want)
		}
		took, got := q.waitVisible(t, start, 10*time.Second)
		if took < want-100*time.Millisecond {
			t.Fatalf("receive %d: visible again after %v, want %v", receive+1, took, want)
		}
		t.Logf("receive %d: delay %v, visible again after %v", receive+1, want, took.Round(10*time.Millisecond))
		recs = got
	}
	if fmt.Sprint(changes) != "[1s 2s]" {
		t.Errorf("OnChange saw %v, want [1s 2s]", changes)
	}
}

func TestMotoBackoffSkippedComeBackAtOnce(t *testing.T) {
	c := sqs.NewFromConfig(testConfig())
	q := newQueue(t, c, "bs", false, nil)
	fn := batch.New(batch.SQS(), handleBody, batch.Options{
		StopOnFirstFailure: true,
		Retry:              policy.Backoff(policy.BackoffConfig{Client: c, Base: 3 * time.Second, Jitter: policy.NoJitter}),
	})
	q.send(t, "flaky", "", nil)
	q.send(t, "ok", "", nil)
	recs := q.receive(t, 2, 10*time.Second)
	slices.SortFunc(recs, func(a, b events.SQSMessage) int { return strings.Compare(a.Body, b.Body) }) // flaky first: the other is skipped
	start := time.Now()
	q.invoke(t, fn, recs)
	if got := bodies(q.poll(t)); !slices.Equal(got, []string{"ok"}) {
		t.Fatalf("got %v visible right after the invocation, want the skipped message only", got)
	}
	took, got := q.waitVisible(t, start, 10*time.Second)
	if !slices.Equal(bodies(got), []string{"flaky"}) || took < 3*time.Second-100*time.Millisecond {
		t.Fatalf("got %v after %v, want the flaky message after 3 s", bodies(got), took)
	}
}

// On a FIFO queue the messages after a failed one wait with it; other
// groups come back at once.
func TestMotoBackoffFIFO(t *testing.T) {
	c := sqs.NewFromConfig(testConfig())
	q := newQueue(t, c, "bf", true, nil)
	q.send(t, "flaky a1", "A", nil)
	q.send(t, "ok a2", "A", nil)
	q.send(t, "ok b1", "B", nil)
	recs := q.receive(t, 3, 10*time.Second)
	if got := []string{recs[0].Body, recs[1].Body, recs[2].Body}; !slices.Equal(got, []string{"flaky a1", "ok a2", "ok b1"}) {
		t.Fatalf("received %v, want send order", got)
	}
	delays := map[string]time.Duration{}
	fn := batch.New(batch.SQS(), handleBody, batch.Options{Retry: policy.Backoff(policy.BackoffConfig{Client: c, Base: 2 * time.Second, Jitter: policy.NoJitter,
		OnChange: func(f batch.Failure, d time.Duration, err error) {
			if err != nil {
				t.Errorf("%s: %v", f.ID, err)
			}
			delays[f.Value.(*events.SQSMessage).Body] = d
		}})})
	start := time.Now()
	if reported := q.invoke(t, fn, recs); len(reported) != 3 {
		t.Fatalf("got %v reported, want all three (a FIFO batch stops at its first failure)", reported)
	}
	if want := map[string]time.Duration{"flaky a1": 2 * time.Second, "ok a2": 2 * time.Second, "ok b1": 0}; fmt.Sprint(delays) != fmt.Sprint(want) {
		t.Fatalf("got delays %v, want %v", delays, want)
	}
	if got := bodies(q.poll(t)); !slices.Equal(got, []string{"ok b1"}) {
		t.Fatalf("got %v visible right after the invocation, want group B only", got)
	}
	took, recs := q.waitVisible(t, start, 10*time.Second)
	if took < 2*time.Second-100*time.Millisecond {
		t.Fatalf("group A visible again after %v, want 2 s", took)
	}
	// SQS delivers a group in order. moto may not when two messages of a
	// group become visible together (see LOCAL-SERVICES.md), and the one
	// it hands out first then locks the group: release what came and poll
	// again until the group is back whole. The order is logged, not
	// asserted.
	var order, got []string
	for range 5 {
		for _, b := range bodies(recs) {
			order = append(order, b)
			if !slices.Contains(got, b) {
				got = append(got, b)
			}
		}
		if len(got) >= 2 {
			break
		}
		q.release(t, recs)
		recs = q.poll(t)
	}
	t.Logf("group A came back as %v (SQS would give [flaky a1 ok a2])", order)
	slices.Sort(got)
	if !slices.Equal(got, []string{"flaky a1", "ok a2"}) {
		t.Fatalf("got %v, want group A back whole", got)
	}
}

// release makes messages in flight visible again at once.
func (q testQueue) release(t *testing.T, recs []events.SQSMessage) {
	t.Helper()
	for _, m := range recs {
		if _, err := q.c.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{QueueUrl: &q.url, ReceiptHandle: &m.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
}

// Forward to an SQS queue and to an SNS topic (delivered raw to a queue):
// the document holds the reference, the reason and the record.
func TestMotoForward(t *testing.T) {
	cfg := testConfig()
	c, p := sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg)
	direct := newQueue(t, c, "fw", false, nil)
	viaTopic := newQueue(t, c, "fwt", false, nil)
	topic, err := p.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(fmt.Sprint("failures-", queueSeq.Add(1)))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Subscribe(context.Background(), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: &viaTopic.arn,
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	s := batchtest.NewKinesisStream("clicks", 1)
	ev := batchtest.KinesisEvent(s.Record("k", []byte("ok")), s.Record("k", []byte("poison")), s.Record("k", []byte("ok")))
	for _, tt := range []struct {
		name string
		cfg  policy.ForwardConfig
		q    testQueue
	}{
		{"SQS", policy.ForwardConfig{SQS: c, QueueURL: direct.url}, direct},
		{"SNS", policy.ForwardConfig{SNS: p, TopicARN: *topic.TopicArn}, viaTopic},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fn := batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error { return handleData(r.Kinesis.Data) },
				batch.Options{Divert: policy.Forward(tt.cfg)})
			resp, err := fn.Handle(context.Background(), ev)
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("got %v, %v; want nothing reported: the checkpoint moves past the poison record", resp.BatchItemFailures, err)
			}
			got := tt.q.receive(t, 1, 5*time.Second)
			if n := tt.q.count(t); len(got) != 1 || n != 1 {
				t.Fatalf("got %d documents, want exactly 1", n)
			}
			doc := decodeDoc(t, got[0].Body)
			if doc.KinesisBatchInfo == nil || doc.KinesisBatchInfo.StartSequenceNumber != ev.Records[1].Kinesis.SequenceNumber || doc.Reason != "customer deleted" {
				t.Fatalf("got %+v, want the poison record's reference and reason", doc)
			}
			var payload events.KinesisEvent
			if err := json.Unmarshal(doc.Payload, &payload); err != nil || string(payload.Records[0].Kinesis.Data) != "poison" {
				t.Fatalf("got payload %s (%v), want the record", doc.Payload, err)
			}
		})
	}
}

// Forwarding the same record twice to a FIFO queue lands one document.
func TestMotoForwardFIFODeduplicates(t *testing.T) {
	c := sqs.NewFromConfig(testConfig())
	q := newQueue(t, c, "fwf", true, nil)
	s := batchtest.NewKinesisStream("clicks", 1)
	rec := s.Record("k", []byte("poison"))
	forward := policy.Forward(policy.ForwardConfig{SQS: c, QueueURL: q.url})
	for range 2 {
		if err := forward(context.Background(), batch.Failure{Record: batch.Record{ID: rec.Kinesis.SequenceNumber, Value: &rec}, Err: errGone}); err != nil {
			t.Fatal(err)
		}
	}
	if got := q.receive(t, 1, 5*time.Second); len(got) != 1 || q.count(t) != 1 {
		t.Fatalf("got %d documents, want 1", q.count(t))
	}
}
