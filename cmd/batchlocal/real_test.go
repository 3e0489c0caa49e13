package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	"github.com/seed-45ee126e/batch/esm"
	sqsexample "github.com/seed-45ee126e/batch/examples/sqs"
)

// The real backends, against the servers TestMain found or started:
// moto for SQS and DynamoDB Streams, kinesalite for Kinesis. Visibility
// timeouts are real here: the tests keep them at a second.

func sqsClient(t *testing.T) *sqs.Client {
	t.Helper()
	cfg, err := awsConfig(context.Background(), "us-east-1", sqsEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	return sqs.NewFromConfig(cfg)
}

// drain receives every message of the queue called name, and returns
// their bodies, sorted.
func drain(t *testing.T, name string) []string {
	t.Helper()
	c := sqsClient(t)
	ctx := context.Background()
	u, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: u.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
	}
	return sorted(bodies)
}

// A standard and a FIFO queue on moto: the queue is drained, exactly the
// poison messages are in its dead-letter queue (moved there by the
// queue's redrive policy, as SQS does), and nothing was delivered again
// after it succeeded. moto may redeliver a FIFO group out of order (see
// CONTRIBUTING.md), so order is checked on the embedded backend only.
func TestMotoSQS(t *testing.T) {
	needSQS(t)
	tests := []struct {
		name, example string
		fifo          bool
		n             int
		share         float64
	}{
		{"standard", "examples/sqs", false, 60, 0.05},
		{"FIFO", "examples/sqsfifo", true, 30, 0.04},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := unique(t, "orders")
			args := []string{function(t, tt.example), "--endpoint-url", sqsEndpoint, "--queue", q, "--create", "--visibility-timeout", "1s",
				"--max-receive-count", "2", "--send", fmt.Sprint(tt.n), "--poison", fmt.Sprint(tt.share)}
			dlq := q + "-dlq"
			if tt.fifo {
				args = append(args, "--fifo")
				dlq += ".fifo"
			}
			s := runJSON(t, args...)
			want := poisonBodies(srcSQS, tt.fifo, tt.n, tt.share, 4)
			if got := drain(t, dlq); !reflect.DeepEqual(got, want) {
				t.Errorf("dead-letter queue: got %q, want the poison messages %q", got, want)
			}
			if got := sorted(payloads(s.Failed, "dead-lettered")); !reflect.DeepEqual(got, want) {
				t.Errorf("summary: got dead-lettered %q, want %q", got, want)
			}
			if s.Records != tt.n || s.Outcomes["processed"] != tt.n-len(want) || s.Duplicates != 0 {
				t.Errorf("got %d records, outcomes %v, %d duplicates; want %d, %d processed, none", s.Records, s.Outcomes, s.Duplicates, tt.n, tt.n-len(want))
			}
			if got := drain(t, q+map[bool]string{true: ".fifo"}[tt.fifo]); len(got) != 0 {
				t.Errorf("the queue still holds %q, want it drained", got)
			}
		})
	}
}

// The SQS poller receives as Lambda's does: without a batching window,
// one ReceiveMessage per batch; with one, as many as it takes to fill the
// batch within the window. Either way the run ends with one one-second
// long poll that finds the queue empty: a batching window gathers
// records, and an empty queue has none to gather, so it is not waited
// out there.
func TestMotoSQSReceive(t *testing.T) {
	needSQS(t)
	tests := []struct {
		name      string
		batchSize int
		window    time.Duration
		want      []int // the batches' sizes
	}{
		{"one receive per batch without a window", 10, 0, []int{10, 10, 10, 10, 10}},
		{"the window fills the batch", 20, 2 * time.Second, []int{20, 20, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg, err := awsConfig(ctx, "us-east-1", sqsEndpoint)
			if err != nil {
				t.Fatal(err)
			}
			var polls receiveLog
			c := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.APIOptions = append(o.APIOptions, polls.record) })
			q, err := openQueue(ctx, c, sqsEndpoint, unique(t, "receive"), true, 30*time.Second, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.send(ctx, generate(srcSQS, false, 50, 0, 4)); err != nil {
				t.Fatal(err)
			}
			o := &runOptions{batchSize: tt.batchSize, window: tt.window, maxInvocations: 100}
			tr, err := newSQSPoller(q, "us-east-1", o, sqsexample.New(), nil).run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var sizes []int
			for _, inv := range tr.Invocations {
				sizes = append(sizes, len(inv.IDs))
			}
			if !reflect.DeepEqual(sizes, tt.want) || tr.Count(esm.Processed) != 50 {
				t.Errorf("got batches of %v, %d processed; want %v, 50", sizes, tr.Count(esm.Processed), tt.want)
			}
			if last := polls[len(polls)-1]; last.got != 0 || last.wait != 1 {
				t.Errorf("last receive: got %d messages after a %d s long poll, want none after 1 s", last.got, last.wait)
			}
			if tt.window == 0 && len(polls) != len(tt.want)+1 {
				t.Errorf("got %d receives, want %d: one per batch, one to find the queue empty", len(polls), len(tt.want)+1)
			}
		})
	}
}

// receiveLog records the ReceiveMessage calls of an SQS client.
type receiveLog []receiveCall

// receiveCall is one ReceiveMessage: the long poll it asked for, and the
// messages it got.
type receiveCall struct {
	wait int32
	got  int
}

// record is an APIOptions entry that adds the recording to a client.
func (l *receiveLog) record(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("receiveLog",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if r, ok := in.Parameters.(*sqs.ReceiveMessageInput); ok && err == nil {
				*l = append(*l, receiveCall{r.WaitTimeSeconds, len(out.Result.(*sqs.ReceiveMessageOutput).Messages)})
			}
			return out, md, err
		}), middleware.After)
}

// kinesalite: the shard resumes at the reported record, and the records
// Lambda gives up on reach the on-failure destination, an SQS queue on
// moto, as a failure record shaped like Lambda's.
func TestKinesalite(t *testing.T) {
	needKinesis(t)
	t.Parallel()
	var clicks []string
	for i := 0; i < 20; i++ {
		if i == 10 {
			clicks = append(clicks, `{"user":"u"}`)
		} else {
			clicks = append(clicks, fmt.Sprintf(`{"user":"u","page":"/p/%d"}`, i))
		}
	}
	stream, dest := unique(t, "clicks"), unique(t, "failures")
	tr := filepath.Join(t.TempDir(), "trace.json")
	s := runJSON(t, function(t, "examples/kinesis"), "--source", "kinesis", "--endpoint-url", kinesisEndpoint, "--stream", stream, "--create",
		"--messages", lines(t, clicks...), "--keys", "1", "--max-retry-attempts", "0",
		"--on-failure", dest, "--destination-endpoint-url", sqsEndpoint, "--trace", tr)
	f := readTrace(t, tr)
	if len(f.Records) != 20 || len(f.Invocations) != 1 {
		t.Fatalf("got %d records in %d invocations, want 20 in 1", len(f.Records), len(f.Invocations))
	}
	if want := []string{f.Records[10].ID}; !reflect.DeepEqual(f.Invocations[0].Reported[:1], want) {
		t.Errorf("reported: got %q, want the invalid click first", f.Invocations[0].Reported)
	}
	if s.Outcomes["processed"] != 10 || s.Outcomes["dead-lettered"] != 10 {
		t.Errorf("got outcomes %v, want 10 processed, 10 from the checkpoint on dead-lettered", s.Outcomes)
	}
	docs := drain(t, dest)
	if len(docs) != 1 {
		t.Fatalf("destination: got %d messages, want 1", len(docs))
	}
	var doc struct {
		RequestContext struct {
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
			FunctionArn            string `json:"functionArn"`
		} `json:"requestContext"`
		Version string `json:"version"`
		Info    struct {
			ShardID             string `json:"shardId"`
			StartSequenceNumber string `json:"startSequenceNumber"`
			EndSequenceNumber   string `json:"endSequenceNumber"`
			BatchSize           int    `json:"batchSize"`
			StreamArn           string `json:"streamArn"`
		} `json:"KinesisBatchInfo"`
	}
	if err := json.Unmarshal([]byte(docs[0]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.RequestContext.Condition != "RetryAttemptsExhausted" || doc.RequestContext.ApproximateInvokeCount != 1 || doc.Version != "1.0" ||
		doc.Info.StartSequenceNumber != f.Records[10].ID || doc.Info.EndSequenceNumber != f.Records[19].ID || doc.Info.BatchSize != 10 ||
		!strings.HasSuffix(doc.Info.StreamArn, ":stream/"+stream) || doc.Info.ShardID == "" {
		t.Errorf("got failure record %s, want the records from the checkpoint on", docs[0])
	}
}

// ddb calls DynamoDB's JSON API on moto, which checks no signature.
func ddb(t *testing.T, op, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, sqsEndpoint+"/", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("DynamoDB %s: status %d", op, resp.StatusCode)
	}
}

// A DynamoDB table's stream on moto: the example refuses to forget an
// order removed while open; with no retry, that change goes to the
// on-failure destination as a DDBStreamBatchInfo record.
func TestMotoDynamoDBStreams(t *testing.T) {
	needSQS(t)
	t.Parallel()
	table, dest := unique(t, "orders"), unique(t, "ddb-failures")
	ddb(t, "CreateTable", fmt.Sprintf(`{"TableName":%q,"KeySchema":[{"AttributeName":"orderId","KeyType":"HASH"}],
		"AttributeDefinitions":[{"AttributeName":"orderId","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",
		"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`, table))
	put := func(id, status string) {
		ddb(t, "PutItem", fmt.Sprintf(`{"TableName":%q,"Item":{"orderId":{"S":%q},"status":{"S":%q}}}`, table, id, status))
	}
	del := func(id string) {
		ddb(t, "DeleteItem", fmt.Sprintf(`{"TableName":%q,"Key":{"orderId":{"S":%q}}}`, table, id))
	}
	put("o-1", "OPEN")
	put("o-2", "OPEN")
	put("o-2", "CANCELLED")
	del("o-2")
	del("o-1") // removed while OPEN: the example fails it
	put("o-3", "SHIPPED")
	s := runJSON(t, function(t, "examples/dynamodb"), "--source", "dynamodb", "--endpoint-url", sqsEndpoint, "--table", table,
		"--max-retry-attempts", "0", "--on-failure", dest, "--create")
	if s.Records != 6 || s.Outcomes["dead-lettered"] == 0 || s.Outcomes["pending"] != 0 {
		t.Fatalf("got %d records, outcomes %v; want 6, the failed removal dead-lettered", s.Records, s.Outcomes)
	}
	if p := payloads(s.Failed, "dead-lettered"); len(p) == 0 || !strings.HasPrefix(p[0], "REMOVE orderId=o-1") {
		t.Errorf("got dead-lettered %q, want the removal of o-1 first", p)
	}
	docs := drain(t, dest)
	if len(docs) != 1 || !strings.Contains(docs[0], `"DDBStreamBatchInfo"`) || !strings.Contains(docs[0], `"RetryAttemptsExhausted"`) {
		t.Errorf("destination: got %q, want one DDBStreamBatchInfo failure record", docs)
	}
}

// Bisection on kinesalite: the same rules as on the embedded backend
// (esm.ReadKinesis), on the wall clock: each split waits a second.
func TestKinesaliteBisect(t *testing.T) {
	needKinesis(t)
	t.Parallel()
	stream := unique(t, "bisect")
	tr := filepath.Join(t.TempDir(), "trace.json")
	s := runJSON(t, function(t, "testdata/bisect"), "--source", "kinesis", "--endpoint-url", kinesisEndpoint, "--stream", stream, "--create",
		"--messages", lines(t, "a", "b", "c", "d", "e", "poison", "g", "h"), "--keys", "1",
		"--batch-size", "8", "--bisect", "--max-retry-attempts", "0", "--on-failure", "embedded-label-unused", "--create",
		"--destination-endpoint-url", sqsEndpoint, "--trace", tr)
	f := readTrace(t, tr)
	var sizes []int
	for _, inv := range f.Invocations {
		sizes = append(sizes, len(inv.IDs))
	}
	if want := []int{8, 4, 4, 2, 1, 1, 2}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("got batch sizes %v, want %v", sizes, want)
	}
	if s.Outcomes["processed"] != 7 || s.Outcomes["dead-lettered"] != 1 {
		t.Errorf("got outcomes %v, want 7 processed, the poison dead-lettered", s.Outcomes)
	}
}
