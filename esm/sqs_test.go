package esm_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/esm"
)

type sqsHandler = func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// reportBodies returns a handler that reports the messages whose body is in
// fail, on every delivery.
func reportBodies(fail ...string) sqsHandler {
	return func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, m := range ev.Records {
			for _, f := range fail {
				if m.Body == f {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				}
			}
		}
		return resp, nil
	}
}

// firstCall returns a handler that calls first on its first invocation and
// then succeeds.
func firstCall(first sqsHandler) sqsHandler {
	n := 0
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		n++
		if n == 1 {
			return first(ctx, ev)
		}
		return events.SQSEventResponse{}, nil
	}
}

// failBodies returns a *batch.Function whose handler fails the messages
// whose body is in fail, on every delivery.
func failBodies(o batch.Options, fail ...string) *batch.Function[events.SQSEvent, events.SQSMessage, events.SQSEventResponse] {
	return batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
		for _, f := range fail {
			if m.Body == f {
				return errFunction
			}
		}
		return nil
	}, o)
}

func TestSQSContract(t *testing.T) {
	tests := []struct {
		name        string
		cfg         esm.SQSConfig
		fn          esm.Function
		invocations int
		verdict     esm.Verdict // of the first invocation
		states      map[string]esm.State
		deliveries  map[string]int
		duplicates  int
	}{
		{
			name:        "successful messages are deleted and reported ones come back",
			fn:          lambda.NewHandler(firstCall(reportBodies("b"))),
			invocations: 2,
			verdict:     esm.PartialFailure,
			states:      map[string]esm.State{"a": esm.Processed, "b": esm.Processed, "c": esm.Processed},
			deliveries:  map[string]int{"a": 1, "b": 2, "c": 1},
		},
		{
			name: "a returned error fails the whole batch",
			fn: lambda.NewHandler(firstCall(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
				return events.SQSEventResponse{}, errors.New("boom")
			})),
			invocations: 2,
			verdict:     esm.BatchFailed,
			deliveries:  map[string]int{"a": 2, "b": 2, "c": 2},
		},
		{
			name: "a panic fails the whole batch",
			fn: lambda.NewHandler(firstCall(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
				panic("boom")
			})),
			invocations: 2,
			verdict:     esm.BatchFailed,
			deliveries:  map[string]int{"a": 2, "b": 2, "c": 2},
		},
		{
			name: "an empty identifier fails the whole batch",
			fn: lambda.NewHandler(firstCall(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
				return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ""}}}, nil
			})),
			invocations: 2,
			verdict:     esm.BatchFailed,
			deliveries:  map[string]int{"a": 2, "b": 2, "c": 2},
			duplicates:  0, // an invalid response succeeds with no message
		},
		{
			name: "an identifier not in the batch fails the whole batch",
			fn: lambda.NewHandler(firstCall(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
				return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "not-a-message"}}}, nil
			})),
			invocations: 2,
			verdict:     esm.BatchFailed,
			deliveries:  map[string]int{"a": 2, "b": 2, "c": 2},
			duplicates:  0, // an invalid response succeeds with no message
		},
		{
			name:        "without ReportBatchItemFailures reported messages are deleted",
			cfg:         esm.SQSConfig{IgnoreBatchItemFailures: true},
			fn:          lambda.NewHandler(reportBodies("b")),
			invocations: 1,
			verdict:     esm.BatchSucceeded,
			states:      map[string]esm.State{"a": esm.Processed, "b": esm.Discarded, "c": esm.Processed},
		},
		{
			name:        "a poison message goes to the dead-letter queue after maxReceiveCount",
			cfg:         esm.SQSConfig{MaxReceiveCount: 4},
			fn:          lambda.NewHandler(reportBodies("b")),
			invocations: 4,
			verdict:     esm.PartialFailure,
			states:      map[string]esm.State{"a": esm.Processed, "b": esm.DeadLettered},
			deliveries:  map[string]int{"a": 1, "b": 4},
		},
		{
			name:        "a message past the retention period expires",
			cfg:         esm.SQSConfig{RetentionPeriod: 2 * time.Minute},
			fn:          lambda.NewHandler(reportBodies("b")),
			invocations: 4, // received at 0, 30s, 60s, 90s; dropped at 120s
			verdict:     esm.PartialFailure,
			states:      map[string]esm.State{"b": esm.Expired},
			deliveries:  map[string]int{"b": 4},
		},
		{
			name:        "batch size splits the queue",
			cfg:         esm.SQSConfig{BatchSize: 2},
			fn:          lambda.NewHandler(reportBodies()),
			invocations: 2,
			verdict:     esm.BatchSucceeded,
			states:      map[string]esm.State{"a": esm.Processed, "b": esm.Processed, "c": esm.Processed},
		},
		// The same contract with a *batch.Function, whose JSON response
		// the simulator reads as it is.
		{
			name:        "a Function's failed message comes back alone",
			cfg:         esm.SQSConfig{MaxReceiveCount: 3},
			fn:          failBodies(batch.Options{}, "b"),
			invocations: 3,
			verdict:     esm.PartialFailure,
			states:      map[string]esm.State{"a": esm.Processed, "b": esm.DeadLettered, "c": esm.Processed},
			deliveries:  map[string]int{"a": 1, "b": 3, "c": 1},
		},
		{
			name:        "a Function whose every message fails returns an error, which fails the batch",
			cfg:         esm.SQSConfig{MaxReceiveCount: 2},
			fn:          failBodies(batch.Options{}, "a", "b", "c"),
			invocations: 2,
			verdict:     esm.BatchFailed,
			states:      map[string]esm.State{"a": esm.DeadLettered, "b": esm.DeadLettered, "c": esm.DeadLettered},
			deliveries:  map[string]int{"a": 2, "b": 2, "c": 2},
		},
		{
			name:        "with NoBatchError a Function whose every message fails reports them all",
			cfg:         esm.SQSConfig{MaxReceiveCount: 2},
			fn:          failBodies(batch.Options{NoBatchError: true}, "a", "b", "c"),
			invocations: 2,
			verdict:     esm.PartialFailure,
			states:      map[string]esm.State{"a": esm.DeadLettered, "b": esm.DeadLettered, "c": esm.DeadLettered},
		},
		{
			name:        "without ReportBatchItemFailures a Function's failed message is deleted",
			cfg:         esm.SQSConfig{IgnoreBatchItemFailures: true},
			fn:          failBodies(batch.Options{}, "b"),
			invocations: 1,
			verdict:     esm.BatchSucceeded,
			states:      map[string]esm.State{"a": esm.Processed, "b": esm.Discarded, "c": esm.Processed},
		},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			sim := esm.NewSQS("queue", tt.cfg)
			ids := map[string]string{}
			for _, body := range []string{"a", "b", "c"} {
				ids[body] = sim.Send(body)[0]
			}
			trace := sim.Run(context.Background(), tt.fn)
			if got := len(trace.Invocations); got != tt.invocations {
				t.Errorf("invocations: got %d, want %d (%v)", got, tt.invocations, trace)
			}
			if got := trace.Invocations[0].Verdict; got != tt.verdict {
				t.Errorf("first verdict: got %v (%s), want %v", got, trace.Invocations[0].Reason, tt.verdict)
			}
			for body, want := range tt.states {
				if err := trace.InState(want, ids[body]); err != nil {
					t.Errorf("%s: %v", body, err)
				}
			}
			for body, want := range tt.deliveries {
				r, _ := trace.Record(ids[body])
				if r.Deliveries != want {
					t.Errorf("deliveries of %s: got %d, want %d", body, r.Deliveries, want)
				}
			}
			if got := trace.Duplicates(); got != tt.duplicates {
				t.Errorf("duplicates: got %d, want %d", got, tt.duplicates)
			}
			if trace.Stopped {
				t.Errorf("stopped: got true, want false")
			}
		})
	}
}

func TestSQSRedelivery(t *testing.T) {
	t.Run("a reported message comes back after the visibility timeout with its receive count", func(t *testing.T) {
		sim := esm.NewSQS("queue", esm.SQSConfig{VisibilityTimeout: 45 * time.Second, MaxReceiveCount: 3})
		id := sim.Send("x")[0]
		var counts []string
		var handles []string
		trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			counts = append(counts, ev.Records[0].Attributes["ApproximateReceiveCount"])
			handles = append(handles, ev.Records[0].ReceiptHandle)
			return reportBodies("x")(ctx, ev)
		}))
		if got, want := counts, []string{"1", "2", "3"}; !equal(got, want) {
			t.Errorf("ApproximateReceiveCount: got %v, want %v", got, want)
		}
		if handles[0] == handles[1] {
			t.Errorf("receipt handles: got the same handle %q twice, want a new one per receive", handles[0])
		}
		for i, inv := range trace.Invocations {
			if got, want := inv.Time, trace.Start.Add(time.Millisecond+time.Duration(i)*45*time.Second); !got.Equal(want) {
				t.Errorf("invocation %d: got time %v, want %v", i, got, want)
			}
		}
		if dl := sim.DeadLetters(); len(dl) != 1 || dl[0].MessageId != id {
			t.Errorf("dead letters: got %v, want message %s", dl, id)
		}
	})
	t.Run("the guard stops a message retried forever", func(t *testing.T) {
		sim := esm.NewSQS("queue", esm.SQSConfig{MaxInvocations: 7})
		id := sim.Send("x")[0]
		trace := sim.Run(context.Background(), failBodies(batch.Options{}, "x"))
		if !trace.Stopped {
			t.Errorf("stopped: got false, want true")
		}
		if got := len(trace.Invocations); got != 7 {
			t.Errorf("invocations: got %d, want 7", got)
		}
		if err := trace.InState(esm.Pending, id); err != nil {
			t.Error(err)
		}
	})
	t.Run("a cancelled context stops the run", func(t *testing.T) {
		sim := esm.NewSQS("queue", esm.SQSConfig{})
		sim.Send("x")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		trace := sim.Run(ctx, failBodies(batch.Options{}))
		if !trace.Stopped || len(trace.Invocations) != 0 {
			t.Errorf("got stopped %v after %d invocations, want stopped after 0", trace.Stopped, len(trace.Invocations))
		}
	})
	t.Run("a message not polled within the retention period expires unseen", func(t *testing.T) {
		sim := esm.NewSQS("queue", esm.SQSConfig{RetentionPeriod: time.Hour})
		old := sim.Send("old")[0]
		sim.Advance(2 * time.Hour)
		fresh := sim.Send("fresh")[0]
		trace := sim.Run(context.Background(), failBodies(batch.Options{}))
		if err := trace.InState(esm.Expired, old); err != nil {
			t.Error(err)
		}
		if err := trace.InState(esm.Processed, fresh); err != nil {
			t.Error(err)
		}
		if r, _ := trace.Record(old); r.Deliveries != 0 {
			t.Errorf("deliveries of the expired message: got %d, want 0", r.Deliveries)
		}
	})
	t.Run("run again after sending more", func(t *testing.T) {
		sim := esm.NewSQS("queue", esm.SQSConfig{})
		fn := failBodies(batch.Options{})
		sim.Send("a")
		first := sim.Run(context.Background(), fn)
		sim.Send("b")
		second := sim.Run(context.Background(), fn)
		if len(first.Records) != 1 || len(second.Records) != 2 || second.Count(esm.Processed) != 2 {
			t.Errorf("got %v then %v, want 1 then 2 processed records", first, second)
		}
	})
}

func TestSQSPanicIsAFunctionError(t *testing.T) {
	sim := esm.NewSQS("queue", esm.SQSConfig{})
	sim.Send("x")
	trace := sim.Run(context.Background(), lambda.NewHandler(firstCall(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
		panic("boom")
	})))
	inv := trace.Invocations[0]
	if !errors.Is(inv.Err, esm.ErrPanic) || inv.Verdict != esm.BatchFailed {
		t.Errorf("first invocation: got error %v and verdict %v, want ErrPanic and %v", inv.Err, inv.Verdict, esm.BatchFailed)
	}
	if got, want := inv.Failed, inv.IDs; !equal(got, want) {
		t.Errorf("failed: got %v, want the whole batch %v", got, want)
	}
}

func TestSQSSendMessage(t *testing.T) {
	sim := esm.NewSQS("q.fifo", esm.SQSConfig{})
	kind := "refund"
	sim.SendMessage(events.SQSMessage{
		Body:              "{}",
		Attributes:        map[string]string{"MessageGroupId": "customer-9"},
		MessageAttributes: map[string]events.SQSMessageAttribute{"kind": {DataType: "String", StringValue: &kind}},
	})
	var got events.SQSMessage
	sim.Run(context.Background(), batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
		got = m
		return nil
	}, batch.Options{}))
	if got.Body != "{}" || got.Attributes["MessageGroupId"] != "customer-9" || got.MessageAttributes["kind"].StringValue == nil ||
		*got.MessageAttributes["kind"].StringValue != "refund" || got.EventSourceARN != sim.ARN() {
		t.Errorf("delivered: got %+v, want the body, group and attributes sent", got)
	}
}

func TestSQSFunctionTimeout(t *testing.T) {
	sim := esm.NewSQS("queue", esm.SQSConfig{Timeout: 20 * time.Millisecond})
	sim.Send("x")
	calls := 0
	trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		calls++
		if _, ok := ctx.Deadline(); !ok {
			t.Errorf("deadline: got none, want one")
		}
		if lc, ok := lambdacontext.FromContext(ctx); !ok || lc.AwsRequestID == "" {
			t.Errorf("lambda context: got %v, want a request id", lc)
		}
		if calls == 1 {
			<-ctx.Done()
		}
		return events.SQSEventResponse{}, nil
	}))
	if got := trace.Invocations[0].Err; !errors.Is(got, esm.ErrTimeout) {
		t.Errorf("first invocation: got error %v, want ErrTimeout", got)
	}
	// The batch is delivered again and succeeds (how many tries that
	// takes depends on the machine's load, so it is not asserted).
	if err := trace.Drained(); err != nil {
		t.Error(err)
	}
}

func TestSQSFIFO(t *testing.T) {
	t.Run("a group waits while one of its messages is in flight", func(t *testing.T) {
		sim := esm.NewSQS("q.fifo", esm.SQSConfig{})
		sim.SendGroup("g1", "a1", "a2")
		sim.SendGroup("g2", "b1")
		var batches [][]string
		trace := sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			var bodies []string
			for _, m := range ev.Records {
				bodies = append(bodies, m.Body)
			}
			batches = append(batches, bodies)
			if len(batches) == 1 {
				// a proper FIFO handler reports the failed message and
				// every later message of its group
				return reportBodies("a1", "a2")(ctx, ev)
			}
			return events.SQSEventResponse{}, nil
		}))
		want := [][]string{{"a1", "a2", "b1"}, {"a1", "a2"}}
		if len(batches) != len(want) || !equal(batches[0], want[0]) || !equal(batches[1], want[1]) {
			t.Errorf("batches: got %v, want %v", batches, want)
		}
		if len(trace.OrderViolations) != 0 {
			t.Errorf("order violations: got %v, want none", trace.OrderViolations)
		}
	})
	t.Run("a Function with SkipGroupOnError holds back the failed group only", func(t *testing.T) {
		sim := esm.NewSQS("q.fifo", esm.SQSConfig{})
		a := sim.SendGroup("g1", "a1", "a2")
		b := sim.SendGroup("g2", "b1")
		failed := false
		trace := sim.Run(context.Background(), batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
			if m.Body == "a1" && !failed {
				failed = true
				return errFunction
			}
			return nil
		}, batch.Options{SkipGroupOnError: true}))
		if got, want := trace.Invocations[0].Failed, a; !equal(got, want) {
			t.Errorf("first invocation failed: got %v, want the group g1 %v", got, want)
		}
		if err := trace.InState(esm.Processed, append(a, b...)...); err != nil {
			t.Error(err)
		}
		if len(trace.OrderViolations) != 0 {
			t.Errorf("order violations: got %v, want none", trace.OrderViolations)
		}
	})
	t.Run("a later message that succeeds before an earlier one is an order violation", func(t *testing.T) {
		sim := esm.NewSQS("q.fifo", esm.SQSConfig{})
		sim.SendGroup("g1", "a1", "a2")
		trace := sim.Run(context.Background(), lambda.NewHandler(firstCall(reportBodies("a1"))))
		if got := len(trace.OrderViolations); got != 1 {
			t.Errorf("order violations: got %v, want 1", trace.OrderViolations)
		}
	})
	t.Run("later messages of a group wait for the batch size", func(t *testing.T) {
		sim := esm.NewSQS("q.fifo", esm.SQSConfig{BatchSize: 2})
		sim.SendGroup("g1", "a1", "a2", "a3")
		var sizes []int
		sim.Run(context.Background(), lambda.NewHandler(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			sizes = append(sizes, len(ev.Records))
			return events.SQSEventResponse{}, nil
		}))
		if want := []int{2, 1}; len(sizes) != 2 || sizes[0] != want[0] || sizes[1] != want[1] {
			t.Errorf("batch sizes: got %v, want %v", sizes, want)
		}
	})
	t.Run("dead-lettering the head of a group releases the group", func(t *testing.T) {
		sim := esm.NewSQS("q.fifo", esm.SQSConfig{MaxReceiveCount: 2, BatchSize: 1})
		ids := sim.SendGroup("g1", "a1", "a2")
		trace := sim.Run(context.Background(), lambda.NewHandler(reportBodies("a1")))
		if err := trace.InState(esm.DeadLettered, ids[0]); err != nil {
			t.Error(err)
		}
		if err := trace.InState(esm.Processed, ids[1]); err != nil {
			t.Error(err)
		}
		if got := strconv.Itoa(len(sim.DeadLetters())); got != "1" {
			t.Errorf("dead letters: got %s, want 1", got)
		}
		if len(trace.OrderViolations) != 0 {
			t.Errorf("order violations: got %v, want none", trace.OrderViolations)
		}
	})
}
