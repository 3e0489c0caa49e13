package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/seed-45ee126e/batch"
)

type order struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

func (o order) Validate() error {
	if o.Qty <= 0 {
		return errors.New("qty must be positive")
	}
	return nil
}

func TestSmokeNewAPI(t *testing.T) {
	ctx := context.Background()
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "a", Body: `{"id":"1","qty":1}`},
		{MessageId: "b", Body: `{"id":"2","qty":0}`},
		{MessageId: "c", Body: `nope`},
	}}
	fn := batch.New(batch.SQS(), func(ctx context.Context, o order) error { return nil }, batch.Options{})
	resp, err := fn.Handle(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 2 {
		t.Fatalf("got %+v", resp)
	}
	payload, _ := json.Marshal(ev)
	out, err := fn.Invoke(ctx, payload)
	if err != nil || string(out) != `{"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"c"}]}` {
		t.Fatalf("got %s %v", out, err)
	}
	_, rep := fn.Process(ctx, ev)
	var ve *batch.ValidationError
	var de *batch.DecodeError
	if !errors.As(rep.Results[1].Err, &ve) || !errors.As(rep.Results[2].Err, &de) {
		t.Fatalf("got %v %v", rep.Results[1].Err, rep.Results[2].Err)
	}
	raw := batch.New(batch.SQS(), func(ctx context.Context, m events.SQSMessage) error {
		r, ok := batch.RecordFrom(ctx)
		if !ok || r.Value.(*events.SQSMessage).MessageId != m.MessageId {
			return errors.New("RecordFrom lost")
		}
		return nil
	}, batch.Options{Concurrency: 2})
	if resp, err := raw.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("got %+v %v", resp, err)
	}
	eb := batch.New(batch.SQS().Decode(batch.EventBridge), func(ctx context.Context, o order) error { return nil }, batch.Options{})
	if resp, err := eb.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "x", Body: `{"detail":{"qty":2}}`}}}); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("got %+v %v", resp, err)
	}
}
