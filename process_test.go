//go:build legacy

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

// rec is the record type of the engine tests: an identifier, an ordering
// key, and what the handler must do with it.
type rec struct {
	ID, Key string
	Do      string // "ok", "fail", "panic", "panic-error", "block" (until ctx is done)
}

var errAsked = errors.New("asked to fail")

func doRecord(ctx context.Context, r rec) error {
	switch r.Do {
	case "fail":
		return fmt.Errorf("record %s: %w", r.ID, errAsked)
	case "panic":
		panic("boom " + r.ID)
	case "panic-error":
		panic(errAsked)
	case "block":
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func recSource() batch.Source[rec] {
	return batch.Source[rec]{ID: func(r rec) string { return r.ID }, Key: func(r rec) string { return r.Key }}
}

func recs(spec ...string) []rec {
	out := make([]rec, len(spec))
	for i, s := range spec {
		out[i] = rec{ID: fmt.Sprintf("r%d", i), Do: s}
	}
	return out
}

func sqsEvent(bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      fmt.Sprintf("m%d", i),
			Body:           b,
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:q",
		})
	}
	return ev
}

func sqsDo(ctx context.Context, m events.SQSMessage) error {
	return doRecord(ctx, rec{ID: m.MessageId, Do: m.Body})
}

func failedIDs(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

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
				resp, err := batch.Processor{Concurrency: conc}.SQS(context.Background(), sqsEvent(tt.bodies...),
					func(ctx context.Context, m events.SQSMessage) error {
						calls.Add(1)
						return sqsDo(ctx, m)
					})
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
			rep := batch.Process(context.Background(), batch.Processor{}, recs("ok", do), recSource(), doRecord)
			res := rep.Result(1)
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
		resp, err := batch.Processor{}.SQS(context.Background(), ev, sqsDo)
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
		resp, err := batch.Processor{NoBatchError: true}.SQS(context.Background(), ev, sqsDo)
		if err != nil {
			t.Errorf("got error %v, want nil", err)
		}
		if len(resp.BatchItemFailures) != 3 {
			t.Errorf("got %d failures, want 3", len(resp.BatchItemFailures))
		}
	})
	t.Run("one success means no error", func(t *testing.T) {
		_, err := batch.Processor{}.SQS(context.Background(), sqsEvent("fail", "ok"), sqsDo)
		if err != nil {
			t.Errorf("got error %v, want nil", err)
		}
	})
	t.Run("an empty record list is no failure", func(t *testing.T) {
		rep := batch.Process(context.Background(), batch.Processor{}, nil, batch.SQSSource(nil), sqsDo)
		resp, err := batch.SQSResponse(rep)
		if err != nil || resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
			t.Errorf("got %v, %v; want an empty non-nil list and nil", resp.BatchItemFailures, err)
		}
	})
}

func TestFailedRecordWithoutIdentifier(t *testing.T) {
	ev := sqsEvent("ok", "fail", "fail")
	ev.Records[2].MessageId = ""
	resp, err := batch.Processor{}.SQS(context.Background(), ev, sqsDo)
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
		if _, err := (batch.Processor{}).SQS(context.Background(), ev, sqsDo); err != nil {
			t.Errorf("got error %v, want nil", err)
		}
	})
}

func TestDuplicateIdentifiersReportedOnce(t *testing.T) {
	ev := sqsEvent("fail", "ok", "fail", "fail")
	ev.Records[2].MessageId = "m0"
	resp, err := batch.Processor{}.SQS(context.Background(), ev, sqsDo)
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
		got := batch.Process(context.Background(), batch.Processor{}, records, recSource(), doRecord).FailedIDs()
		if !equalStrings(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}

func TestReportHasEveryRecordInOrder(t *testing.T) {
	records := recs("ok", "fail", "ok", "panic")
	rep := batch.Process(context.Background(), batch.Processor{Concurrency: 4}, records, recSource(), doRecord)
	if rep.Len() != 4 {
		t.Fatalf("got Len %d, want 4", rep.Len())
	}
	want := []batch.Outcome{batch.Succeeded, batch.Failed, batch.Succeeded, batch.Failed}
	for i, r := range rep.Results() {
		if r.Index != i || r.ID != records[i].ID || r.Record != records[i] || r.Outcome != want[i] {
			t.Errorf("result %d: got %+v, want index %d, record %+v, outcome %v", i, r, i, records[i], want[i])
		}
		if (r.Err == nil) != (r.Outcome == batch.Succeeded) {
			t.Errorf("result %d: outcome %v with error %v", i, r.Outcome, r.Err)
		}
	}
	if got := rep.Count(batch.Succeeded); got != 2 {
		t.Errorf("got %d succeeded, want 2", got)
	}
	if got := len(rep.Failed()); got != 2 {
		t.Errorf("got %d failed results, want 2", got)
	}
	if rep.Err() != nil {
		t.Errorf("got Err %v, want nil", rep.Err())
	}
}

func TestHandlerGetsInvocationContext(t *testing.T) {
	type key struct{}
	lc := &lambdacontext.LambdaContext{AwsRequestID: "req-1"}
	ctx := context.WithValue(lambdacontext.NewContext(context.Background(), lc), key{}, "v")
	for _, conc := range []int{1, 4} {
		_, err := batch.Processor{Concurrency: conc}.SQS(ctx, sqsEvent("ok", "ok"), func(ctx context.Context, m events.SQSMessage) error {
			got, ok := lambdacontext.FromContext(ctx)
			if !ok || got.AwsRequestID != "req-1" {
				return fmt.Errorf("lambda context %v, %v", got, ok)
			}
			if ctx.Value(key{}) != "v" {
				return errors.New("context value lost")
			}
			return nil
		})
		if err != nil {
			t.Errorf("concurrency %d: %v", conc, err)
		}
	}
}

// An event that is not of the entry point's source is rejected as a whole,
// with one *EventError that names the source expected and the one found,
// before any record runs; the Processor method and the fast handler agree.
// A record of another source in an otherwise right event (mixed sources)
// is rejected the same way. Process with a built-in Source still fails such
// a record alone, since a report has a place for it.
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
	h := func(context.Context, events.SQSMessage) error { called++; return nil }
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
			_, typedErr := batch.Processor{}.SQS(ctx, tt.typed, h)
			_, fastErr := batch.SQSHandler(batch.Processor{}, h).Invoke(ctx, []byte(tt.payload))
			for path, err := range map[string]error{"Processor.SQS": typedErr, "SQSHandler": fastErr} {
				var ee *batch.EventError
				if !errors.As(err, &ee) || !errors.Is(err, batch.ErrWrongSource) {
					t.Fatalf("%s: got %v, want an *EventError wrapping ErrWrongSource", path, err)
				}
				if msg := err.Error(); !strings.Contains(msg, tt.found) || !strings.Contains(msg, `"aws:sqs"`) || strings.Count(msg, "\n") > 0 {
					t.Fatalf("%s: got %q, want one line naming %s and \"aws:sqs\"", path, msg, tt.found)
				}
			}
			if called != 0 {
				t.Fatalf("handler called %d times, want 0", called)
			}
		})
	}
	rep := batch.Process(ctx, batch.Processor{}, mixed.Records, batch.SQSSource(mixed.Records), sqsDo)
	if !errors.Is(rep.Result(1).Err, batch.ErrWrongSource) || rep.Result(0).Outcome != batch.Succeeded {
		t.Errorf("Process: got %v, %v; want record 0 succeeded, record 1 failed with ErrWrongSource", rep.Result(0).Err, rep.Result(1).Err)
	}
}

// An event with no records is never sent by Lambda: it is another
// service's event decoded into the wrong type (an API Gateway request, an
// S3 notification). Both paths reject it with ErrNoRecords.
func TestEmptyEventIsRejected(t *testing.T) {
	ctx := context.Background()
	h := func(context.Context, events.SQSMessage) error { return nil }
	_, typedErr := batch.Processor{}.SQS(ctx, events.SQSEvent{}, h)
	_, fastErr := batch.SQSHandler(batch.Processor{}, h).Invoke(ctx, []byte(`{"resource":"/orders","httpMethod":"POST"}`))
	_, kinesisErr := batch.Processor{}.Kinesis(ctx, events.KinesisEvent{}, func(context.Context, events.KinesisEventRecord) error { return nil })
	_, dynamoErr := batch.Processor{}.DynamoDB(ctx, events.DynamoDBEvent{}, func(context.Context, events.DynamoDBEventRecord) error { return nil })
	_, kafkaErr := batch.Processor{}.Kafka(ctx, events.KafkaEvent{EventSource: "aws:kafka"}, func(context.Context, events.KafkaRecord) error { return nil })
	for path, err := range map[string]error{"Processor.SQS": typedErr, "SQSHandler": fastErr, "Processor.Kinesis": kinesisErr, "Processor.DynamoDB": dynamoErr, "Processor.Kafka": kafkaErr} {
		var ee *batch.EventError
		if !errors.As(err, &ee) || !errors.Is(err, batch.ErrNoRecords) {
			t.Errorf("%s: got %v, want an *EventError wrapping ErrNoRecords", path, err)
		}
	}
}

// A Kafka event names its source once, for all its records.
func TestKafkaWrongSourceRejectsTheEvent(t *testing.T) {
	ev := events.KafkaEvent{EventSource: "aws:sqs", Records: map[string][]events.KafkaRecord{"t-0": {{Topic: "t", Offset: 1}}}}
	_, err := batch.Processor{}.Kafka(context.Background(), ev, func(context.Context, events.KafkaRecord) error { return nil })
	var ee *batch.EventError
	if !errors.As(err, &ee) || !errors.Is(err, batch.ErrWrongSource) || !strings.Contains(err.Error(), `"aws:sqs"`) {
		t.Fatalf("got %v, want an *EventError wrapping ErrWrongSource naming \"aws:sqs\"", err)
	}
}

func TestNilHandlerFailsRecordsInsteadOfPanicking(t *testing.T) {
	_, err := batch.Processor{}.SQS(context.Background(), sqsEvent("ok"), nil)
	var be *batch.BatchError
	if !errors.As(err, &be) {
		t.Errorf("got %v, want a *BatchError", err)
	}
}

func TestMiddlewareOrderAndPanicsSeenAsErrors(t *testing.T) {
	var mu sync.Mutex
	var trace []string
	mw := func(name string) batch.Middleware[rec] {
		return func(next batch.Handler[rec]) batch.Handler[rec] {
			return func(ctx context.Context, r rec) error {
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
	h := batch.Wrap(doRecord, mw("a"), nil, mw("b"))
	rep := batch.Process(context.Background(), batch.Processor{}, recs("panic"), recSource(), h)
	want := "a> b> <b(panic=true) <a(panic=true)"
	if got := strings.Join(trace, " "); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if rep.Result(0).Outcome != batch.Failed {
		t.Errorf("got %v, want failed", rep.Result(0).Outcome)
	}

	t.Run("a panicking middleware fails its record only", func(t *testing.T) {
		bad := func(next batch.Handler[rec]) batch.Handler[rec] {
			return func(ctx context.Context, r rec) error {
				if r.ID == "r1" {
					panic("middleware bug")
				}
				return next(ctx, r)
			}
		}
		rep := batch.Process(context.Background(), batch.Processor{}, recs("ok", "ok", "ok"), recSource(), batch.Wrap(doRecord, bad))
		if got := rep.FailedIDs(); !equalStrings(got, []string{"r1"}) {
			t.Errorf("got %v, want [r1]", got)
		}
	})
}

func TestProcessorSafeForConcurrentInvocations(t *testing.T) {
	p := batch.Processor{Concurrency: 3}
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
			resp, err := p.SQS(context.Background(), sqsEvent(bodies...), sqsDo)
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
	kresp, _ := batch.Processor{NoBatchError: true}.Kinesis(ctx, kin, fail)
	if len(kresp.BatchItemFailures) != 2 || kresp.BatchItemFailures[0].ItemIdentifier != "100" || kresp.BatchItemFailures[1].ItemIdentifier != "200" {
		t.Errorf("kinesis: got %+v, want sequence numbers 100, 200", kresp.BatchItemFailures)
	}
	ddb := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		{EventSource: "aws:dynamodb", Change: events.DynamoDBStreamRecord{SequenceNumber: "7"}},
	}}
	dresp, _ := batch.Processor{NoBatchError: true}.DynamoDB(ctx, ddb, func(context.Context, events.DynamoDBEventRecord) error { return errAsked })
	if len(dresp.BatchItemFailures) != 1 || dresp.BatchItemFailures[0].ItemIdentifier != "7" {
		t.Errorf("dynamodb: got %+v, want sequence number 7", dresp.BatchItemFailures)
	}
	kafka := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"t-1": {{Topic: "t", Partition: 1, Offset: 9}, {Topic: "t", Partition: 1, Offset: 5}},
	}}
	var order []int64
	kfresp, _ := batch.Processor{NoBatchError: true}.Kafka(ctx, kafka, func(_ context.Context, r events.KafkaRecord) error {
		order = append(order, r.Offset)
		return errAsked
	})
	if len(order) != 2 || order[0] != 5 || order[1] != 9 {
		t.Errorf("kafka: handled offsets %v, want [5 9] (offset order)", order)
	}
	want := []batch.KafkaItemIdentifier{{Partition: "t-1", Offset: 5}, {Partition: "t-1", Offset: 9}}
	if len(kfresp.BatchItemFailures) != 2 || kfresp.BatchItemFailures[0].ItemIdentifier != want[0] || kfresp.BatchItemFailures[1].ItemIdentifier != want[1] {
		t.Errorf("kafka: got %+v, want %+v", kfresp.BatchItemFailures, want)
	}

	t.Run("kafka event from another source fails every record", func(t *testing.T) {
		kafka.EventSource = "aws:sqs"
		_, err := batch.Processor{}.Kafka(ctx, kafka, func(context.Context, events.KafkaRecord) error { return nil })
		if !errors.Is(err, batch.ErrWrongSource) {
			t.Errorf("got %v, want ErrWrongSource", err)
		}
	})
	t.Run("kafka record without topic has no identifier", func(t *testing.T) {
		ev := events.KafkaEvent{Records: map[string][]events.KafkaRecord{"-0": {{Offset: 1}}, "t-0": {{Topic: "t", Offset: 2}}}}
		resp, err := batch.Processor{}.Kafka(ctx, ev, func(context.Context, events.KafkaRecord) error { return errAsked })
		if !errors.Is(err, batch.ErrNoIdentifier) || len(resp.BatchItemFailures) != 1 {
			t.Errorf("got %v, %+v; want ErrNoIdentifier and one reported failure", err, resp.BatchItemFailures)
		}
	})
}
