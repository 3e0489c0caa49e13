package batch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/handlertrace"

	"github.com/seed-45ee126e/batch"
)

// A Function is a lambda.Handler, for every source.
var (
	_ lambda.Handler = (*batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse])(nil)
	_ lambda.Handler = (*batch.Function[events.KinesisEvent, events.KinesisEventRecord, events.KinesisEventResponse])(nil)
	_ lambda.Handler = (*batch.Function[events.DynamoDBEvent, events.DynamoDBEventRecord, events.DynamoDBEventResponse])(nil)
	_ lambda.Handler = (*batch.Function[events.KafkaEvent, events.KafkaRecord, batch.KafkaEventResponse])(nil)
	_ lambda.Handler = batch.New(batch.SQS(), sqsDo, batch.Options{})
)

// fastCase pairs a source's Function.Invoke with the path lambda.Start
// takes for a handler function calling the same Function's Handle:
// encoding/json in, encoding/json out.
type fastCase struct {
	name   string
	golden string
	fast   func(o batch.Options, fail func(id string) bool) lambda.Handler
	std    func(o batch.Options, fail func(id string) bool) lambda.Handler
}

func errIf(fail bool) error {
	if fail {
		return errors.New("boom")
	}
	return nil
}

// viaInvoke is a Function as lambda.Start runs it: its Invoke method.
// viaHandle is the Function's Handle method given to lambda.NewHandler, as
// lambda.Start runs a handler function of the event type.
func viaInvoke[E, R, Resp, T any](src batch.Source[E, R, Resp], h func(context.Context, T) error, o batch.Options) lambda.Handler {
	return batch.New(src, h, o)
}

func viaHandle[E, R, Resp, T any](src batch.Source[E, R, Resp], h func(context.Context, T) error, o batch.Options) lambda.Handler {
	return lambda.NewHandler(batch.New(src, h, o).Handle)
}

func fastCases() []fastCase {
	sqs := func(fail func(string) bool) func(context.Context, events.SQSMessage) error {
		return func(_ context.Context, m events.SQSMessage) error { return errIf(fail(m.MessageId)) }
	}
	kinesis := func(fail func(string) bool) func(context.Context, events.KinesisEventRecord) error {
		return func(_ context.Context, r events.KinesisEventRecord) error {
			return errIf(fail(r.Kinesis.SequenceNumber))
		}
	}
	dynamodb := func(fail func(string) bool) func(context.Context, events.DynamoDBEventRecord) error {
		return func(_ context.Context, r events.DynamoDBEventRecord) error {
			return errIf(fail(r.Change.SequenceNumber))
		}
	}
	kafka := func(fail func(string) bool) func(context.Context, events.KafkaRecord) error {
		return func(_ context.Context, r events.KafkaRecord) error {
			return errIf(fail(strconv.FormatInt(r.Offset, 10)))
		}
	}
	return []fastCase{
		{
			name: "sqs", golden: "testdata/sqs-event.json",
			fast: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaInvoke(batch.SQS(), sqs(fail), o)
			},
			std: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaHandle(batch.SQS(), sqs(fail), o)
			},
		},
		{
			name: "sqs-fifo", golden: "testdata/sqs-fifo-event.json",
			fast: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaInvoke(batch.SQS(), sqs(fail), o)
			},
			std: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaHandle(batch.SQS(), sqs(fail), o)
			},
		},
		{
			name: "kinesis", golden: "testdata/kinesis-event.json",
			fast: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaInvoke(batch.Kinesis(), kinesis(fail), o)
			},
			std: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaHandle(batch.Kinesis(), kinesis(fail), o)
			},
		},
		{
			name: "dynamodb", golden: "testdata/dynamodb-event.json",
			fast: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaInvoke(batch.DynamoDB(), dynamodb(fail), o)
			},
			std: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaHandle(batch.DynamoDB(), dynamodb(fail), o)
			},
		},
		{
			name: "kafka", golden: "testdata/kafka-event.json",
			fast: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaInvoke(batch.Kafka(), kafka(fail), o)
			},
			std: func(o batch.Options, fail func(string) bool) lambda.Handler {
				return viaHandle(batch.Kafka(), kafka(fail), o)
			},
		},
	}
}

func TestInvokeWritesWhatLambdaStartWrites(t *testing.T) {
	policies := []struct {
		name    string
		partial bool
		fail    func(id string) bool
	}{
		{"all succeed", false, func(string) bool { return false }},
		{"some fail", true, nil}, // every other record, in call order
	}
	for _, c := range fastCases() {
		payload, err := os.ReadFile(c.golden)
		if err != nil {
			t.Fatal(err)
		}
		for _, pol := range policies {
			t.Run(c.name+"/"+pol.name, func(t *testing.T) {
				ctx := context.Background()
				fail := func() func(string) bool {
					if pol.fail != nil {
						return pol.fail
					}
					n := 0
					return func(string) bool { n++; return n%2 == 0 }
				}
				want, wantErr := c.std(batch.Options{}, fail()).Invoke(ctx, payload)
				got, gotErr := c.fast(batch.Options{}, fail()).Invoke(ctx, payload)
				if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
					t.Fatalf("got error %v, want %v", gotErr, wantErr)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("got response %q, want %q", got, want)
				}
				if failures := bytes.Count(got, []byte("itemIdentifier")); pol.partial && failures == 0 {
					t.Errorf("got response %s, want some failures", got)
				}
			})
		}
	}
}

func TestInvokeReturnsTheBatchErrorWithoutResponse(t *testing.T) {
	for _, c := range fastCases() {
		t.Run(c.name, func(t *testing.T) {
			payload, err := os.ReadFile(c.golden)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.fast(batch.Options{}, func(string) bool { return true }).Invoke(context.Background(), payload)
			var be *batch.BatchError
			if !errors.As(err, &be) {
				t.Fatalf("got error %v, want a *BatchError", err)
			}
			if got != nil {
				t.Errorf("got response %s, want nil (Lambda ignores it on error)", got)
			}
		})
	}
}

func TestInvokeEscapesIdentifiers(t *testing.T) {
	ids := []string{`quote"back\slash`, "tab\tnew\nline\x01", "<html>&", "é€😀", "line\u2028sep", "bad\xffutf8"}
	var ev strings.Builder
	ev.WriteString(`{"Records":[`)
	for i, id := range ids {
		if i > 0 {
			ev.WriteString(",")
		}
		ev.WriteString(`{"eventSource":"aws:sqs","messageId":`)
		ev.WriteString(strings.ReplaceAll(mustJSON(t, id), `\ufffd`, "\xff"))
		ev.WriteString("}")
	}
	ev.WriteString("]}")
	fail := func(id string) bool { return id != ids[0] }
	c := fastCases()[0]
	want, wantErr := c.std(batch.Options{}, fail).Invoke(context.Background(), []byte(ev.String()))
	got, gotErr := c.fast(batch.Options{}, fail).Invoke(context.Background(), []byte(ev.String()))
	if gotErr != nil || wantErr != nil {
		t.Fatalf("got error %v, want %v", gotErr, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got response %q, want %q", got, want)
	}
}

func mustJSON(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	enc := jsonEncoder(&b)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(b.String())
}

func TestInvokeRejectsPayloadsThatAreNotEvents(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"empty object", `{}`, batch.ErrNoRecords},
		{"empty records", `{"Records":[]}`, nil}, // a type error for Kafka
		{"empty kafka records", `{"records":{}}`, nil},
		{"null", `null`, batch.ErrNoRecords},
		{"another service's event", `{"detail-type":"x","detail":{}}`, batch.ErrNoRecords},
		{"malformed JSON", `{"Records":[{]}`, nil},
		{"truncated", `{"Records":[{"messageId":"a"`, nil},
		{"wrong type", `{"Records":"x"}`, nil},
		{"empty payload", ``, nil},
	}
	for _, c := range fastCases() {
		for _, tt := range tests {
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				called := false
				h := c.fast(batch.Options{}, func(string) bool { called = true; return false })
				got, err := h.Invoke(context.Background(), []byte(tt.payload))
				var ee *batch.EventError
				if !errors.As(err, &ee) {
					t.Fatalf("got error %v, want an *EventError", err)
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("got error %v, want one matching %v", err, tt.want)
				}
				if got != nil || called {
					t.Errorf("got response %q, handler called %v; want nil, false", got, called)
				}
			})
		}
	}
}

func TestInvokeCallsTheTraceHooks(t *testing.T) {
	var req, resp any
	ctx := handlertrace.NewContext(context.Background(), handlertrace.HandlerTrace{
		RequestEvent:  func(_ context.Context, ev interface{}) { req = ev },
		ResponseEvent: func(_ context.Context, r interface{}) { resp = r },
	})
	fn := batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{})
	if _, err := fn.Invoke(ctx, []byte(`{"Records":[{"messageId":"a"}]}`)); err != nil {
		t.Fatal(err)
	}
	ev, ok := req.(events.SQSEvent)
	if !ok || len(ev.Records) != 1 || ev.Records[0].MessageId != "a" {
		t.Errorf("got request event %#v, want the decoded events.SQSEvent", req)
	}
	if r, ok := resp.(events.SQSEventResponse); !ok || len(r.BatchItemFailures) != 0 {
		t.Errorf("got response event %#v, want an empty events.SQSEventResponse", resp)
	}
}

// A Function that New did not build fails each call with an error instead
// of panicking.
func TestFunctionZeroValueFailsInsteadOfPanicking(t *testing.T) {
	type sqsFunction = batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse]
	tests := []struct {
		name string
		fn   *sqsFunction
	}{
		{"nil pointer", nil},
		{"zero value", &sqsFunction{}},
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1"}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn.Invoke(context.Background(), []byte(`{"Records":[{}]}`))
			if err == nil || got != nil {
				t.Errorf("Invoke: got %q, %v; want nil and an error", got, err)
			}
			if _, err := tt.fn.Handle(context.Background(), ev); err == nil {
				t.Errorf("Handle: got a nil error, want one")
			}
			if _, rep := tt.fn.Process(context.Background(), ev); rep == nil || rep.Err == nil || len(rep.Results) != 0 {
				t.Errorf("Process: got report %+v, want one with an error and no results", rep)
			}
		})
	}
}

func TestInvokeWorksWithTypedPayloads(t *testing.T) {
	type order struct {
		ID  string `json:"id"`
		Qty int    `json:"qty"`
	}
	var got []order
	fn := batch.New(batch.SQS(), func(_ context.Context, o order) error {
		got = append(got, o)
		return nil
	}, batch.Options{})
	resp, err := fn.Invoke(context.Background(), []byte(`{"Records":[
		{"messageId":"m1","eventSource":"aws:sqs","body":"{\"id\":\"a\",\"qty\":2}"},
		{"messageId":"m2","eventSource":"aws:sqs","body":"not json"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"m2"}]}`; string(resp) != want {
		t.Errorf("got response %s, want %s", resp, want)
	}
	if len(got) != 1 || got[0] != (order{ID: "a", Qty: 2}) {
		t.Errorf("got orders %+v, want the one valid order", got)
	}
}

// Invalid base64 in a binary field (Kinesis data, a DynamoDB B or BS, an
// SQS binary message attribute) or an invalid DynamoDB attribute value
// fails its own record with a *DecodeError naming the field, not the whole
// batch: Invoke owns the decoding, so it can keep the problem with its
// record. (lambda.Start, which decodes with encoding/json, fails
// the whole event before the library runs.)
func TestFaultyBinaryFieldFailsItsRecordAlone(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		handler lambda.Handler
		payload string
		want    string
	}{
		{
			name: "Kinesis data",
			handler: batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error {
				if string(r.Kinesis.Data) != "{}" {
					return fmt.Errorf("got data %q", r.Kinesis.Data)
				}
				return nil
			}, batch.Options{}),
			payload: `{"Records":[{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"1","data":"e30="}},` +
				`{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"2","data":"not base64!"}},` +
				`{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"3","data":"e30="}}]}`,
			want: `{"batchItemFailures":[{"itemIdentifier":"2"}]}`,
		},
		{
			name: "DynamoDB B in NewImage",
			handler: batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
				if r.Change.NewImage["pk"].String() == "" {
					return errors.New("no pk")
				}
				return nil
			}, batch.Options{}),
			payload: `{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"1","NewImage":{"pk":{"S":"a"},"photo":{"B":"AQID"}}}},` +
				`{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"2","NewImage":{"pk":{"S":"b"},"photo":{"B":"%%%"}}}},` +
				`{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"3","NewImage":{"pk":{"S":"c"},"tags":{"BS":["AQID","@@"]}}}}]}`,
			want: `{"batchItemFailures":[{"itemIdentifier":"2"},{"itemIdentifier":"3"}]}`,
		},
		{
			name:    "SQS binary message attribute",
			handler: batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{}),
			payload: `{"Records":[{"messageId":"a","eventSource":"aws:sqs","body":"x"},` +
				`{"messageId":"b","eventSource":"aws:sqs","body":"y","messageAttributes":{"sig":{"dataType":"Binary","binaryValue":"*"}}}]}`,
			want: `{"batchItemFailures":[{"itemIdentifier":"b"}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.handler.Invoke(ctx, []byte(tt.payload))
			if err != nil {
				t.Fatalf("got error %v, want a partial failure", err)
			}
			if string(out) != tt.want {
				t.Fatalf("got %s, want %s", out, tt.want)
			}
		})
	}

	// When the faulty record is the only one, the whole batch failed: the
	// *BatchError holds the record's *DecodeError, which names the field.
	for _, tt := range []struct {
		handler lambda.Handler
		payload string
		id      string
		part    string
	}{
		{tests[0].handler, `{"Records":[{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"9","data":"!!"}}]}`, "9", "kinesis.data"},
		{tests[1].handler, `{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"8","NewImage":{"pk":{"S":"a"},"photo":{"B":"%%%"}}}}]}`, "8", "dynamodb.NewImage.photo"},
		{tests[2].handler, `{"Records":[{"messageId":"m","body":"y","messageAttributes":{"sig":{"dataType":"Binary","binaryValue":"*"}}}]}`, "m", "messageAttributes"},
	} {
		_, err := tt.handler.Invoke(ctx, []byte(tt.payload))
		var be *batch.BatchError
		var de *batch.DecodeError
		if !errors.As(err, &be) || !errors.As(err, &de) || de.Part != tt.part || de.ID != tt.id {
			t.Fatalf("got %v, want a *BatchError holding a *DecodeError of %s for record %s", err, tt.part, tt.id)
		}
		if !strings.Contains(err.Error(), "base64") {
			t.Fatalf("got %q, want it to say base64", err.Error())
		}
	}
}

// A record whose event field Invoke could not decode (invalid base64 in
// Kinesis data) fails like a payload that does not decode: inside the
// middleware, which sees its *DecodeError.
func TestFaultyRecordsReachTheMiddleware(t *testing.T) {
	var seen []string
	logFailures := func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, r batch.Record) error {
			err := next(ctx, r)
			if err != nil {
				seen = append(seen, r.ID+": "+err.Error())
			}
			return err
		}
	}
	fn := batch.New(batch.Kinesis(), func(context.Context, events.KinesisEventRecord) error { return nil },
		batch.Options{Middleware: []batch.Middleware{logFailures}})
	out, err := fn.Invoke(context.Background(), []byte(`{"Records":[`+
		`{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"1","data":"e30="}},`+
		`{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"2","data":"not base64!"}}]}`))
	if err != nil || string(out) != `{"batchItemFailures":[{"itemIdentifier":"2"}]}` {
		t.Fatalf("got %s, %v; want record 2 reported", out, err)
	}
	if len(seen) != 1 || !strings.HasPrefix(seen[0], "2: cannot decode kinesis.data") {
		t.Fatalf("middleware saw %q, want record 2's decode error", seen)
	}
}
