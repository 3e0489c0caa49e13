package sqsdelete_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// entryID is what SQS accepts as the Id of a batch entry.
var entryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// call is one DeleteMessageBatch call seen by fakeClient.
type call struct {
	url     string
	handles []string
}

// fakeClient stands in for SQS. By default every entry is deleted; respond,
// if set, decides the outcome of call number n (from 0) instead. It checks
// the rules SQS enforces on a request and records violations.
type fakeClient struct {
	respond func(ctx context.Context, n int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error)

	mu         sync.Mutex
	calls      []call
	deleted    []string // receipt handles deleted, in call order
	violations []string
}

func (f *fakeClient) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	f.mu.Lock()
	n := len(f.calls)
	c := call{url: aws.ToString(in.QueueUrl)}
	ids := map[string]bool{}
	for _, e := range in.Entries {
		id := aws.ToString(e.Id)
		if !entryID.MatchString(id) {
			f.violations = append(f.violations, fmt.Sprintf("call %d: invalid entry id %q", n, id))
		}
		if ids[id] {
			f.violations = append(f.violations, fmt.Sprintf("call %d: duplicate entry id %q", n, id))
		}
		ids[id] = true
		c.handles = append(c.handles, aws.ToString(e.ReceiptHandle))
	}
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		f.violations = append(f.violations, fmt.Sprintf("call %d: %d entries", n, len(in.Entries)))
	}
	if c.url == "" {
		f.violations = append(f.violations, fmt.Sprintf("call %d: no QueueUrl", n))
	}
	f.calls = append(f.calls, c)
	f.mu.Unlock()

	var (
		out *sqs.DeleteMessageBatchOutput
		err error
	)
	if f.respond != nil {
		out, err = f.respond(ctx, n, in)
	} else {
		out = succeedAll(in)
	}
	if err != nil || out == nil {
		return out, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range out.Successful {
		for _, e := range in.Entries {
			if aws.ToString(e.Id) == aws.ToString(s.Id) {
				f.deleted = append(f.deleted, aws.ToString(e.ReceiptHandle))
			}
		}
	}
	return out, nil
}

// succeedAll answers that every entry was deleted.
func succeedAll(in *sqs.DeleteMessageBatchInput) *sqs.DeleteMessageBatchOutput {
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Successful = append(out.Successful, types.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out
}

// failEntries answers that the entries whose receipt handle is in handles
// failed with code and senderFault, and that the others were deleted.
func failEntries(in *sqs.DeleteMessageBatchInput, code string, senderFault bool, handles ...string) *sqs.DeleteMessageBatchOutput {
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		failed := false
		for _, h := range handles {
			failed = failed || aws.ToString(e.ReceiptHandle) == h
		}
		if failed {
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String(code), Message: aws.String("on purpose"), SenderFault: senderFault})
			continue
		}
		out.Successful = append(out.Successful, types.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out
}

func (f *fakeClient) snapshot() (calls []call, deleted, violations []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...), append([]string(nil), f.deleted...), append([]string(nil), f.violations...)
}

// Queue ARNs and the URLs QueueURL derives from them.
const (
	stdARN   = "arn:aws:sqs:eu-west-1:123456789012:orders"
	stdURL   = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"
	std2ARN  = "arn:aws:sqs:eu-west-1:123456789012:refunds"
	std2URL  = "https://sqs.eu-west-1.amazonaws.com/123456789012/refunds"
	fifoARN  = "arn:aws:sqs:eu-west-1:123456789012:orders.fifo"
	fifoURL  = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo"
	fifo2ARN = "arn:aws:sqs:eu-west-1:123456789012:refunds.fifo"
	fifo2URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/refunds.fifo"
)

// event returns the SQS event of records, as Lambda would deliver it.
func event(records []events.SQSMessage) events.SQSEvent {
	return events.SQSEvent{Records: records}
}

// msg builds a message with id, receipt handle "rh-<id>", body id and the
// given queue ARN and FIFO group.
func msg(id, arn, group string) events.SQSMessage {
	m := events.SQSMessage{
		MessageId:      id,
		ReceiptHandle:  "rh-" + id,
		Body:           id,
		EventSource:    "aws:sqs",
		EventSourceARN: arn,
		AWSRegion:      "eu-west-1",
	}
	if group != "" {
		m.Attributes = map[string]string{"MessageGroupId": group}
	}
	return m
}

// msgs builds n messages of one queue, with ids <prefix>0, <prefix>1, …
func msgs(prefix string, n int, arn string) []events.SQSMessage {
	out := make([]events.SQSMessage, n)
	for i := range out {
		out[i] = msg(prefix+strconv.Itoa(i), arn, "")
	}
	return out
}

// handles returns "rh-<id>" for each id.
func handles(ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "rh-" + id
	}
	return out
}

// failIDs returns a handler that fails the messages with the given ids.
func failIDs(ids ...string) func(context.Context, events.SQSMessage) error {
	return func(_ context.Context, m events.SQSMessage) error {
		for _, id := range ids {
			if m.MessageId == id {
				return errHandler
			}
		}
		return nil
	}
}

// fakeSQSHTTP is an aws.HTTPClient that answers for SQS without a network:
// it answers every DeleteMessageBatch request with all entries deleted,
// records each request, and, if print is set, prints it.
type fakeSQSHTTP struct {
	print bool

	mu   sync.Mutex
	reqs []fakeRequest
}

// fakeRequest is a request fakeSQSHTTP received.
type fakeRequest struct {
	url, target, queueURL, auth string
	handles                     []string
}

func (f *fakeSQSHTTP) Do(r *http.Request) (*http.Response, error) {
	var in struct {
		QueueUrl string
		Entries  []struct{ Id, ReceiptHandle string }
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return nil, err
	}
	req := fakeRequest{url: r.URL.String(), target: r.Header.Get("X-Amz-Target"), queueURL: in.QueueUrl, auth: r.Header.Get("Authorization")}
	var out struct {
		Successful []struct{ Id string }
		Failed     []struct{}
	}
	for _, e := range in.Entries {
		req.handles = append(req.handles, e.ReceiptHandle)
		out.Successful = append(out.Successful, struct{ Id string }{e.Id})
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if f.print {
		fmt.Printf("%s %s %s %s: %s\n", r.Method, req.url, req.target, req.queueURL, strings.Join(req.handles, " "))
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Status:        "200 OK",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}

func (f *fakeSQSHTTP) requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}
