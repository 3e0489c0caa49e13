package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/seed-45ee126e/batch"
)

func TestEveryRecordHandledAndOnlyFailuresReported(t *testing.T) {
	tests := []struct {
		name   string
		bodies []string
		want   []string
	}{
		{"all succeed gives an empty list", []string{"ok", "ok", "ok"}, []string{}},
		{"an error fails that record only", []string{"ok", "fail", "ok"}, []string{"m1"}},
		{"a panic fails that record only", []string{"panic", "ok", "ok"}, []string{"m0"}},
		{"failures come in input order", []string{"fail", "ok", "panic", "fail", "ok"}, []string{"m0", "m2", "m3"}},
	}
	for _, tt := range tests {
		for _, conc := range []int{0, 1, 3, -1} {
			t.Run(fmt.Sprintf("%s/concurrency=%d", tt.name, conc), func(t *testing.T) {
				var calls atomic.Int32
				fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
					calls.Add(1)
					return sqsDo(ctx, m)
				}, batch.Options{Concurrency: conc})
				resp, err := fn.Handle(context.Background(), sqsEvent(tt.bodies...))
				if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
				if got := int(calls.Load()); got != len(tt.bodies) {
					t.Errorf("handler called %d times, want %d", got, len(tt.bodies))
				}
				if got := failedIDs(resp); !equalStrings(got, tt.want) {
					t.Errorf("got failures %v, want %v", got, tt.want)
				}
				if resp.BatchItemFailures == nil {
					t.Error("got nil BatchItemFailures, want a non-nil list (it must marshal as [])")
				}
			})
		}
	}
}

func TestPanicIsRecoveredWithValueAndStack(t *testing.T) {
	for _, do := range []string{"panic", "panic-error"} {
		t.Run(do, func(t *testing.T) {
			_, rep := batch.New(batch.Records(recID, recKey), doRecord, batch.Options{}).Process(context.Background(), recs("ok", do))
			res := rep.Results[1]
			var pe *batch.PanicError
			if !errors.As(res.Err, &pe) {
				t.Fatalf("got error %v, want a *batch.PanicError", res.Err)
			}
			if !strings.Contains(string(pe.Stack), "doRecord") {
				t.Errorf("got stack without the panicking function:\n%s", pe.Stack)
			}
			if do == "panic" && pe.Value != "boom r1" {
				t.Errorf("got panic value %v, want %q", pe.Value, "boom r1")
			}
			if do == "panic-error" && !errors.Is(res.Err, errAsked) {
				t.Errorf("got %v, want it to match the panicked error", res.Err)
			}
			if res.Outcome != batch.Failed {
				t.Errorf("got outcome %v, want failed", res.Outcome)
			}
		})
	}
}

func TestFullBatchFailure(t *testing.T) {
	ev := sqsEvent("fail", "panic", "fail")
	t.Run("returns a BatchError joining the record errors, response filled", func(t *testing.T) {
		resp, err := batch.New(batch.SQS(), sqsDo, batch.Options{}).Handle(context.Background(), ev)
		var be *batch.BatchError
		if !errors.As(err, &be) {
			t.Fatalf("got error %v, want *batch.BatchError", err)
		}
		if len(be.Errs) != 3 {
			t.Fatalf("got %d joined errors, want 3", len(be.Errs))
		}
		for i, e := range be.Errs {
			var re *batch.RecordError
			if !errors.As(e, &re) || re.Index != i || re.ID != fmt.Sprintf("m%d", i) {
				t.Errorf("joined error %d is %v, want a *RecordError for index %d", i, e, i)
			}
		}
		if !errors.Is(err, errAsked) {
			t.Errorf("got %v, want errors.Is(err, handler's error)", err)
		}
		var pe *batch.PanicError
		if !errors.As(err, &pe) {
			t.Errorf("got %v, want the panic reachable with errors.As", err)
		}
		if got := failedIDs(resp); !equalStrings(got, []string{"m0", "m1", "m2"}) {
			t.Errorf("got failures %v, want all three", got)
		}
	})
	t.Run("NoBatchError turns the error off", func(t *testing.T) {
		resp, err := batch.New(batch.SQS(), sqsDo, batch.Options{NoBatchError: true}).Handle(context.Background(), ev)
		if err != nil {
			t.Errorf("got error %v, want nil", err)
		}
		if len(resp.BatchItemFailures) != 3 {
			t.Errorf("got %d failures, want 3", len(resp.BatchItemFailures))
		}
	})
	t.Run("one success means no error", func(t *testing.T) {
		_, err := batch.New(batch.SQS(), sqsDo, batch.Options{}).Handle(context.Background(), sqsEvent("fail", "ok"))
		if err != nil {
			t.Errorf("got error %v, want nil", err)
		}
	})
	// An empty event of a Lambda source is rejected (TestEmptyEventIsRejected);
	// an empty batch of Records is a batch in which nothing failed.
	t.Run("an empty record list is no failure", func(t *testing.T) {
		resp, rep := batch.New(batch.Records(recID, recKey), doRecord, batch.Options{}).Process(context.Background(), nil)
		if rep.Err != nil || resp == nil || len(resp) != 0 || len(rep.Results) != 0 {
			t.Errorf("got %v, %v, %d results; want an empty non-nil list, nil and no result", resp, rep.Err, len(rep.Results))
		}
	})
}

func TestFailedRecordWithoutIdentifier(t *testing.T) {
	ev := sqsEvent("ok", "fail", "fail")
	ev.Records[2].MessageId = ""
	resp, err := batch.New(batch.SQS(), sqsDo, batch.Options{}).Handle(context.Background(), ev)
	if got := failedIDs(resp); !equalStrings(got, []string{"m1"}) {
		t.Errorf("got failures %v, want [m1] (never an empty identifier)", got)
	}
	var re *batch.RecordError
	if !errors.Is(err, batch.ErrNoIdentifier) || !errors.As(err, &re) || re.Index != 2 {
		t.Fatalf("got error %v, want a *RecordError for index 2 wrapping ErrNoIdentifier", err)
	}
	if !errors.Is(err, errAsked) {
		t.Errorf("got %v, want the record's own error kept as the cause", err)
	}

	t.Run("a successful record without identifier is fine", func(t *testing.T) {
		ev := sqsEvent("ok", "fail")
		ev.Records[0].MessageId = ""
		if _, err := batch.New(batch.SQS(), sqsDo, batch.Options{}).Handle(context.Background(), ev); err != nil {
			t.Errorf("got error %v, want nil", err)
		}
	})
}

func TestDuplicateIdentifiersReportedOnce(t *testing.T) {
	ev := sqsEvent("fail", "ok", "fail", "fail")
	ev.Records[2].MessageId = "m0"
	resp, err := batch.New(batch.SQS(), sqsDo, batch.Options{}).Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !equalStrings(got, []string{"m0", "m3"}) {
		t.Errorf("got %v, want [m0 m3]", got)
	}

	t.Run("many failures", func(t *testing.T) {
		var records []rec
		var want []string
		for i := 0; i < 100; i++ {
			id := fmt.Sprintf("r%d", i%40)
			records = append(records, rec{ID: id, Do: "fail"})
			if i < 40 {
				want = append(want, id)
			}
		}
		records = append(records, rec{ID: "ok", Do: "ok"})
		got, _ := batch.New(batch.Records(recID, recKey), doRecord, batch.Options{}).Process(context.Background(), records)
		if !equalStrings(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

func TestReportHasEveryRecordInOrder(t *testing.T) {
	records := recs("ok", "fail", "ok", "panic")
	resp, rep := batch.New(batch.Records(recID, recKey), doRecord, batch.Options{Concurrency: 4}).Process(context.Background(), records)
	if len(rep.Results) != 4 {
		t.Fatalf("got %d results, want 4", len(rep.Results))
	}
	want := []batch.Outcome{batch.Succeeded, batch.Failed, batch.Succeeded, batch.Failed}
	for i, r := range rep.Results {
		if r.Index != i || r.ID != records[i].ID || r.Record != records[i] || r.Outcome != want[i] {
			t.Errorf("result %d: got %+v, want index %d, record %+v, outcome %v", i, r, i, records[i], want[i])
		}
		if r.Group != "" {
			t.Errorf("result %d: got group %q, want none (the record has no key)", i, r.Group)
		}
		if (r.Err == nil) != (r.Outcome == batch.Succeeded) {
			t.Errorf("result %d: outcome %v with error %v", i, r.Outcome, r.Err)
		}
	}
	if got := countOutcome(rep, batch.Succeeded); got != 2 {
		t.Errorf("got %d succeeded, want 2", got)
	}
	if got := countOutcome(rep, batch.Failed); got != 2 {
		t.Errorf("got %d failed results, want 2", got)
	}
	if want := []string{"r1", "r3"}; !equalStrings(resp, want) {
		t.Errorf("got response %v, want %v", resp, want)
	}
	if rep.Err != nil {
		t.Errorf("got Err %v, want nil", rep.Err)
	}
}

// Result.Group names the ordering group a record was handled in, and is
// empty for records that were independent of the others.
func TestReportGroup(t *testing.T) {
	ctx := context.Background()
	t.Run("FIFO queue: the message group", func(t *testing.T) {
		ev := sqsEvent("ok", "ok", "ok")
		for i := range ev.Records {
			ev.Records[i].EventSourceARN = "arn:aws:sqs:us-east-1:123456789012:q.fifo"
		}
		ev.Records[0].Attributes = map[string]string{"MessageGroupId": "g1"}
		ev.Records[1].Attributes = map[string]string{"MessageGroupId": "g2"}
		_, rep := batch.New(batch.SQS(), sqsDo, batch.Options{}).Process(ctx, ev)
		checkGroups(t, rep, "g1", "g2", "")
	})
	t.Run("standard queue: none, even with a group id", func(t *testing.T) {
		ev := sqsEvent("ok", "ok")
		ev.Records[0].Attributes = map[string]string{"MessageGroupId": "g1"}
		_, rep := batch.New(batch.SQS(), sqsDo, batch.Options{}).Process(ctx, ev)
		checkGroups(t, rep, "", "")
	})
	t.Run("Kinesis: the partition key", func(t *testing.T) {
		ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
			{Kinesis: events.KinesisRecord{SequenceNumber: "1", PartitionKey: "a"}},
			{Kinesis: events.KinesisRecord{SequenceNumber: "2", PartitionKey: "b"}},
		}}
		_, rep := batch.New(batch.Kinesis(), func(context.Context, events.KinesisEventRecord) error { return nil }, batch.Options{}).Process(ctx, ev)
		checkGroups(t, rep, "a", "b")
	})
	t.Run("Kafka: the topic-partition", func(t *testing.T) {
		ev := events.KafkaEvent{Records: map[string][]events.KafkaRecord{"t-1": {{Topic: "t", Partition: 1, Offset: 3}}}}
		_, rep := batch.New(batch.Kafka(), func(context.Context, events.KafkaRecord) error { return nil }, batch.Options{}).Process(ctx, ev)
		checkGroups(t, rep, "t-1")
	})
	t.Run("Records: the key, if any", func(t *testing.T) {
		records := []rec{{ID: "a", Key: "k1"}, {ID: "b"}}
		_, rep := batch.New(batch.Records(recID, recKey), doRecord, batch.Options{}).Process(ctx, records)
		checkGroups(t, rep, "k1", "")
		_, rep = batch.New(batch.Records(recID, nil), doRecord, batch.Options{}).Process(ctx, records)
		checkGroups(t, rep, "", "")
	})
}

func checkGroups[R any](t *testing.T, rep *batch.Report[R], want ...string) {
	t.Helper()
	if len(rep.Results) != len(want) {
		t.Fatalf("got %d results (%v), want %d", len(rep.Results), rep.Err, len(want))
	}
	for i, r := range rep.Results {
		if r.Group != want[i] {
			t.Errorf("result %d: got group %q, want %q", i, r.Group, want[i])
		}
	}
}

func TestHandlerGetsInvocationContext(t *testing.T) {
	type key struct{}
	lc := &lambdacontext.LambdaContext{AwsRequestID: "req-1"}
	ctx := context.WithValue(lambdacontext.NewContext(context.Background(), lc), key{}, "v")
	for _, conc := range []int{1, 4} {
		fn := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
			got, ok := lambdacontext.FromContext(ctx)
			if !ok || got.AwsRequestID != "req-1" {
				return fmt.Errorf("lambda context %v, %v", got, ok)
			}
			if ctx.Value(key{}) != "v" {
				return errors.New("context value lost")
			}
			return nil
		}, batch.Options{Concurrency: conc})
		if _, err := fn.Handle(ctx, sqsEvent("ok", "ok")); err != nil {
			t.Errorf("concurrency %d: %v", conc, err)
		}
	}
}

// An event that is not of the function's source is rejected as a whole,
// with one *EventError that names the source expected and the one found,
// before any record runs; Handle, Process and Invoke agree. A record of
// another source in an otherwise right event (mixed sources) is rejected
// the same way, by Process too (it used to fail that record alone).
func TestWrongSourceRejectsTheEvent(t *testing.T) {
	ctx := context.Background()
	mixed := sqsEvent("ok", "ok")
	mixed.Records[1].EventSource = "aws:kinesis"
	kinesisPayload := `{"Records":[{"eventSource":"aws:kinesis","kinesis":{"sequenceNumber":"1","data":"e30="}}]}`
	var kinesisEvent events.SQSEvent
	if err := json.Unmarshal([]byte(kinesisPayload), &kinesisEvent); err != nil {
		t.Fatal(err)
	}
	called := 0
	fn := batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { called++; return nil }, batch.Options{})
	for _, tt := range []struct {
		name    string
		typed   events.SQSEvent
		payload string
		found   string
	}{
		{"a Kinesis event", kinesisEvent, kinesisPayload, `"aws:kinesis"`},
		{"mixed sources", mixed, `{"Records":[{"messageId":"m0","eventSource":"aws:sqs"},{"messageId":"m1","eventSource":"aws:kinesis"}]}`, `"aws:kinesis"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, handleErr := fn.Handle(ctx, tt.typed)
			_, rep := fn.Process(ctx, tt.typed)
			out, invokeErr := fn.Invoke(ctx, []byte(tt.payload))
			for path, err := range map[string]error{"Handle": handleErr, "Process": rep.Err, "Invoke": invokeErr} {
				var ee *batch.EventError
				if !errors.As(err, &ee) || !errors.Is(err, batch.ErrWrongSource) {
					t.Fatalf("%s: got %v, want an *EventError wrapping ErrWrongSource", path, err)
				}
				if msg := err.Error(); !strings.Contains(msg, tt.found) || !strings.Contains(msg, `"aws:sqs"`) || strings.Count(msg, "\n") > 0 {
					t.Fatalf("%s: got %q, want one line naming %s and \"aws:sqs\"", path, msg, tt.found)
				}
			}
			if len(rep.Results) != 0 {
				t.Errorf("Process: got %d results, want none (the event was not run)", len(rep.Results))
			}
			if out != nil {
				t.Errorf("Invoke: got response %s, want none", out)
			}
			if called != 0 {
				t.Fatalf("handler called %d times, want 0", called)
			}
		})
	}
}

// An event with no records is never sent by Lambda: it is another
// service's event decoded into the wrong type (an API Gateway request, an
// S3 notification). Every path and every source rejects it with
// ErrNoRecords.
func TestEmptyEventIsRejected(t *testing.T) {
	ctx := context.Background()
	sqs := batch.New(batch.SQS(), func(context.Context, events.SQSMessage) error { return nil }, batch.Options{})
	_, handleErr := sqs.Handle(ctx, events.SQSEvent{})
	_, rep := sqs.Process(ctx, events.SQSEvent{})
	_, invokeErr := sqs.Invoke(ctx, []byte(`{"resource":"/orders","httpMethod":"POST"}`))
	_, kinesisErr := batch.New(batch.Kinesis(), func(context.Context, events.KinesisEventRecord) error { return nil }, batch.Options{}).Handle(ctx, events.KinesisEvent{})
	_, dynamoErr := batch.New(batch.DynamoDB(), func(context.Context, events.DynamoDBEventRecord) error { return nil }, batch.Options{}).Handle(ctx, events.DynamoDBEvent{})
	_, kafkaErr := batch.New(batch.Kafka(), func(context.Context, events.KafkaRecord) error { return nil }, batch.Options{}).Handle(ctx, events.KafkaEvent{EventSource: "aws:kafka"})
	for path, err := range map[string]error{"SQS Handle": handleErr, "SQS Process": rep.Err, "SQS Invoke": invokeErr, "Kinesis": kinesisErr, "DynamoDB": dynamoErr, "Kafka": kafkaErr} {
		var ee *batch.EventError
		if !errors.As(err, &ee) || !errors.Is(err, batch.ErrNoRecords) {
			t.Errorf("%s: got %v, want an *EventError wrapping ErrNoRecords", path, err)
		}
	}
}

// A Kafka event names its source once, for all its records.
func TestKafkaWrongSourceRejectsTheEvent(t *testing.T) {
	ev := events.KafkaEvent{EventSource: "aws:sqs", Records: map[string][]events.KafkaRecord{"t-0": {{Topic: "t", Offset: 1}}}}
	_, err := batch.New(batch.Kafka(), func(context.Context, events.KafkaRecord) error { return nil }, batch.Options{}).Handle(context.Background(), ev)
	var ee *batch.EventError
	if !errors.As(err, &ee) || !errors.Is(err, batch.ErrWrongSource) || !strings.Contains(err.Error(), `"aws:sqs"`) {
		t.Fatalf("got %v, want an *EventError wrapping ErrWrongSource naming \"aws:sqs\"", err)
	}
}

// noDecoderPayload is a payload type for a source without a default
// decoder.
type noDecoderPayload struct{ N int }

// A function that could never handle a record is a mistake in the program:
// New panics when the function is built, instead of failing every record
// at every invocation.
func TestNewPanicsOnAFunctionThatCannotRun(t *testing.T) {
	var nilSQS func(context.Context, events.SQSMessage) error
	var nilPayload func(context.Context, noDecoderPayload) error
	var nilRec func(context.Context, rec) error
	tests := []struct {
		name string
		new  func()
		want string
	}{
		{"a nil handler of the record type", func() { batch.New(batch.SQS(), nilSQS, batch.Options{}) }, "batch: New: nil handler"},
		{"a nil handler of a payload type", func() { batch.New(batch.SQS(), nilPayload, batch.Options{}) }, "batch: New: nil handler"},
		{"a nil handler of Records", func() { batch.New(batch.Records(recID, recKey), nilRec, batch.Options{}) }, "batch: New: nil handler"},
		{
			"a payload type for a source without a decoder",
			func() {
				batch.New(batch.DynamoDB(), func(context.Context, noDecoderPayload) error { return nil }, batch.Options{})
			},
			"batch: New: DynamoDB Streams records have no default decoder for a handler of batch_test.noDecoderPayload; give one with Source.Decode",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if got := recover(); got != tt.want {
					t.Errorf("got panic %v, want %q", got, tt.want)
				}
			}()
			tt.new()
		})
	}
}

func TestMiddlewareOrderAndPanicsSeenAsErrors(t *testing.T) {
	var mu sync.Mutex
	var trace []string
	mw := func(name string) batch.Middleware {
		return func(next batch.RecordFunc) batch.RecordFunc {
			return func(ctx context.Context, r batch.Record) error {
				mu.Lock()
				trace = append(trace, name+">")
				mu.Unlock()
				err := next(ctx, r)
				var pe *batch.PanicError
				mu.Lock()
				trace = append(trace, fmt.Sprintf("<%s(panic=%v)", name, errors.As(err, &pe)))
				mu.Unlock()
				return err
			}
		}
	}
	opts := batch.Options{Middleware: []batch.Middleware{mw("a"), nil, mw("b")}}
	_, rep := batch.New(batch.Records(recID, recKey), doRecord, opts).Process(context.Background(), recs("panic"))
	want := "a> b> <b(panic=true) <a(panic=true)"
	if got := strings.Join(trace, " "); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if rep.Results[0].Outcome != batch.Failed {
		t.Errorf("got %v, want failed", rep.Results[0].Outcome)
	}

	t.Run("a panicking middleware fails its record only", func(t *testing.T) {
		bad := func(next batch.RecordFunc) batch.RecordFunc {
			return func(ctx context.Context, r batch.Record) error {
				if r.ID == "r1" {
					panic("middleware bug")
				}
				return next(ctx, r)
			}
		}
		got, rep := batch.New(batch.Records(recID, recKey), doRecord, batch.Options{Middleware: []batch.Middleware{bad}}).Process(context.Background(), recs("ok", "ok", "ok"))
		if !equalStrings(got, []string{"r1"}) {
			t.Errorf("got %v, want [r1]", got)
		}
		var pe *batch.PanicError
		if err := rep.Results[1].Err; !errors.As(err, &pe) || pe.Value != "middleware bug" {
			t.Errorf("got %v, want a *batch.PanicError of the middleware's panic", err)
		}
	})
}

func TestFunctionSafeForConcurrentInvocations(t *testing.T) {
	fn := batch.New(batch.SQS(), sqsDo, batch.Options{Concurrency: 3})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		g := g
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies := make([]string, 20)
			var want []string
			for i := range bodies {
				bodies[i] = "ok"
				if (i+g)%3 == 0 {
					bodies[i] = "fail"
					want = append(want, fmt.Sprintf("m%d", i))
				}
			}
			resp, err := fn.Handle(context.Background(), sqsEvent(bodies...))
			if err != nil {
				errs <- err
				return
			}
			if got := failedIDs(resp); !equalStrings(got, want) {
				errs <- fmt.Errorf("invocation %d: got %v, want %v", g, got, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSourcesUseTheirIdentifiers(t *testing.T) {
	ctx := context.Background()
	fail := func(context.Context, events.KinesisEventRecord) error { return errAsked }
	kin := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{EventSource: "aws:kinesis", Kinesis: events.KinesisRecord{SequenceNumber: "100", PartitionKey: "a"}},
		{EventSource: "aws:kinesis", Kinesis: events.KinesisRecord{SequenceNumber: "200", PartitionKey: "a"}},
	}}
	kresp, _ := batch.New(batch.Kinesis(), fail, batch.Options{NoBatchError: true}).Handle(ctx, kin)
	if len(kresp.BatchItemFailures) != 2 || kresp.BatchItemFailures[0].ItemIdentifier != "100" || kresp.BatchItemFailures[1].ItemIdentifier != "200" {
		t.Errorf("kinesis: got %+v, want sequence numbers 100, 200", kresp.BatchItemFailures)
	}
	ddb := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		{EventSource: "aws:dynamodb", Change: events.DynamoDBStreamRecord{SequenceNumber: "7"}},
	}}
	dresp, _ := batch.New(batch.DynamoDB(), func(context.Context, events.DynamoDBEventRecord) error { return errAsked }, batch.Options{NoBatchError: true}).Handle(ctx, ddb)
	if len(dresp.BatchItemFailures) != 1 || dresp.BatchItemFailures[0].ItemIdentifier != "7" {
		t.Errorf("dynamodb: got %+v, want sequence number 7", dresp.BatchItemFailures)
	}
	kafka := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"t-1": {{Topic: "t", Partition: 1, Offset: 9}, {Topic: "t", Partition: 1, Offset: 5}},
	}}
	var order []int64
	var seenIDs []string
	kf := batch.New(batch.Kafka(), func(ctx context.Context, r events.KafkaRecord) error {
		order = append(order, r.Offset)
		rf, _ := batch.RecordFrom(ctx)
		seenIDs = append(seenIDs, rf.ID)
		return errAsked
	}, batch.Options{NoBatchError: true})
	kfresp, rep := kf.Process(ctx, kafka)
	if len(order) != 2 || order[0] != 5 || order[1] != 9 {
		t.Errorf("kafka: handled offsets %v, want [5 9] (offset order)", order)
	}
	want := []batch.KafkaItemIdentifier{{Partition: "t-1", Offset: 5}, {Partition: "t-1", Offset: 9}}
	if len(kfresp.BatchItemFailures) != 2 || kfresp.BatchItemFailures[0].ItemIdentifier != want[0] || kfresp.BatchItemFailures[1].ItemIdentifier != want[1] {
		t.Errorf("kafka: got %+v, want %+v", kfresp.BatchItemFailures, want)
	}
	wantIDs := []string{"t-1@5", "t-1@9"}
	if !equalStrings(seenIDs, wantIDs) {
		t.Errorf("kafka: got Record.ID %v, want %v", seenIDs, wantIDs)
	}
	if len(rep.Results) != 2 || rep.Results[0].ID != wantIDs[0] || rep.Results[1].ID != wantIDs[1] {
		t.Errorf("kafka: got results %+v, want IDs %v", rep.Results, wantIDs)
	}

	t.Run("kafka event from another source is rejected", func(t *testing.T) {
		kafka.EventSource = "aws:sqs"
		_, err := batch.New(batch.Kafka(), func(context.Context, events.KafkaRecord) error { return nil }, batch.Options{}).Handle(ctx, kafka)
		if !errors.Is(err, batch.ErrWrongSource) {
			t.Errorf("got %v, want ErrWrongSource", err)
		}
	})
	t.Run("kafka record without topic has no identifier", func(t *testing.T) {
		ev := events.KafkaEvent{Records: map[string][]events.KafkaRecord{"-0": {{Offset: 1}}, "t-0": {{Topic: "t", Offset: 2}}}}
		resp, err := batch.New(batch.Kafka(), func(context.Context, events.KafkaRecord) error { return errAsked }, batch.Options{}).Handle(ctx, ev)
		if !errors.Is(err, batch.ErrNoIdentifier) || len(resp.BatchItemFailures) != 1 {
			t.Errorf("got %v, %+v; want ErrNoIdentifier and one reported failure", err, resp.BatchItemFailures)
		}
	})
}
