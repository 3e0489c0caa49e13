//go:build legacy

package batch_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// shipOrder is the payload of the typed-payload examples. Its Validate
// method is called on every decoded payload.
type shipOrder struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

func (o shipOrder) Validate() error {
	if o.Items < 1 {
		return errors.New("an order has at least one item")
	}
	return nil
}

func ExampleSQSJSON() {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-1", Body: `{"id":"o-1","items":2}`},
		{MessageId: "m-2", Body: `{"id":"o-2","items":`},   // not JSON
		{MessageId: "m-3", Body: `{"id":"o-3","items":0}`}, // fails Validate
	}}
	var proc batch.Processor
	resp, err := proc.SQS(context.Background(), ev, batch.SQSJSON(func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID, o.Items)
		return nil
	}))
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// ship o-1 2
	// [{m-2} {m-3}] <nil>
}

func ExampleSQSJSONWithRecord() {
	ev := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId:  "m-1",
		Body:       `{"id":"o-1","items":1}`,
		Attributes: map[string]string{"ApproximateReceiveCount": "3"},
	}}}
	var proc batch.Processor
	_, err := proc.SQS(context.Background(), ev, batch.SQSJSONWithRecord(func(ctx context.Context, o shipOrder, m events.SQSMessage) error {
		fmt.Println(o.ID, "received", m.Attributes["ApproximateReceiveCount"], "times")
		return nil
	}))
	fmt.Println(err)
	// Output:
	// o-1 received 3 times
	// <nil>
}

func ExampleSNSJSON() {
	// An SNS topic delivers to the queue without raw message delivery: the
	// body is the SNS envelope and the published JSON is a string in Message.
	body := `{"Type":"Notification","MessageId":"n-1","TopicArn":"arn:aws:sns:eu-west-1:123456789012:orders",` +
		`"Message":"{\"id\":\"o-1\",\"items\":4}"}`
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: body}}}
	var proc batch.Processor
	resp, err := proc.SQS(context.Background(), ev, batch.SNSJSON(func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID, o.Items)
		return nil
	}))
	fmt.Println(len(resp.BatchItemFailures), err)
	// Output:
	// ship o-1 4
	// 0 <nil>
}

func ExampleSNSJSONWithRecord() {
	body := `{"Type":"Notification","Message":"{\"id\":\"o-1\",\"items\":1}"}`
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: body}}}
	var proc batch.Processor
	_, err := proc.SQS(context.Background(), ev, batch.SNSJSONWithRecord(func(ctx context.Context, o shipOrder, m events.SQSMessage) error {
		fmt.Println(o.ID, "from SQS message", m.MessageId)
		return nil
	}))
	fmt.Println(err)
	// Output:
	// o-1 from SQS message m-1
	// <nil>
}

func ExampleEventBridgeJSON() {
	// An EventBridge rule targets the queue: the body is the whole event.
	body := `{"version":"0","id":"e-1","detail-type":"OrderPlaced","source":"shop",` +
		`"time":"2026-01-02T03:04:05Z","detail":{"id":"o-1","items":3}}`
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: body}}}
	var proc batch.Processor
	_, err := proc.SQS(context.Background(), ev, batch.EventBridgeJSON(func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID, o.Items)
		return nil
	}))
	fmt.Println(err)
	// Output:
	// ship o-1 3
	// <nil>
}

func ExampleEventBridgeJSONWithRecord() {
	body := `{"detail-type":"OrderPlaced","source":"shop","detail":{"id":"o-1","items":3}}`
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: body}}}
	var proc batch.Processor
	_, err := proc.SQS(context.Background(), ev, batch.EventBridgeJSONWithRecord(func(ctx context.Context, o shipOrder, m events.SQSMessage) error {
		fmt.Println(o.ID, "from SQS message", m.MessageId)
		return nil
	}))
	fmt.Println(err)
	// Output:
	// o-1 from SQS message m-1
	// <nil>
}

func ExampleKinesisJSON() {
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "100", PartitionKey: "p", Data: []byte(`{"id":"o-1","items":1}`)}},
		{Kinesis: events.KinesisRecord{SequenceNumber: "101", PartitionKey: "p", Data: []byte(`null`)}},
	}}
	var proc batch.Processor
	resp, err := proc.Kinesis(context.Background(), ev, batch.KinesisJSON(func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID)
		return nil
	}))
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// ship o-1
	// [{101}] <nil>
}

func ExampleKinesisJSONWithRecord() {
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "100", PartitionKey: "customer-7", Data: []byte(`{"id":"o-1","items":1}`)}},
	}}
	var proc batch.Processor
	_, err := proc.Kinesis(context.Background(), ev, batch.KinesisJSONWithRecord(func(ctx context.Context, o shipOrder, r events.KinesisEventRecord) error {
		fmt.Println(o.ID, "of", r.Kinesis.PartitionKey)
		return nil
	}))
	fmt.Println(err)
	// Output:
	// o-1 of customer-7
	// <nil>
}

// b64Value base64-encodes a record value as the Kafka event carries it.
func b64Value(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func ExampleKafkaJSON() {
	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"orders-0": {
			{Topic: "orders", Partition: 0, Offset: 5, Value: b64Value(`{"id":"o-1","items":1}`)},
			{Topic: "orders", Partition: 0, Offset: 6, Value: b64Value(`{"id":"o-2"}`)}, // fails Validate
		},
	}}
	var proc batch.Processor
	resp, err := proc.Kafka(context.Background(), ev, batch.KafkaJSON(func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID)
		return nil
	}))
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// ship o-1
	// [{{orders-0 6}}] <nil>
}

func ExampleKafkaJSONWithRecord() {
	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"orders-0": {{
			Topic: "orders", Partition: 0, Offset: 5, Key: b64Value("customer-7"),
			Value:   b64Value(`{"id":"o-1","items":1}`),
			Headers: []map[string]events.JSONNumberBytes{{"tenant": []byte("acme")}},
		}},
	}}
	var proc batch.Processor
	_, err := proc.Kafka(context.Background(), ev, batch.KafkaJSONWithRecord(func(ctx context.Context, o shipOrder, r events.KafkaRecord) error {
		tenant, _ := batch.KafkaHeader(r, "tenant")
		fmt.Printf("%s for tenant %s at offset %d\n", o.ID, tenant, r.Offset)
		return nil
	}))
	fmt.Println(err)
	// Output:
	// o-1 for tenant acme at offset 5
	// <nil>
}

func ExampleKafkaHeader() {
	r := events.KafkaRecord{Headers: []map[string]events.JSONNumberBytes{
		{"trace": []byte("t-1")},
		{"trace": []byte("t-2")},
	}}
	v, ok := batch.KafkaHeader(r, "trace")
	fmt.Printf("%s %v\n", v, ok)
	_, ok = batch.KafkaHeader(r, "tenant")
	fmt.Println(ok)
	// Output:
	// t-2 true
	// false
}

func ExampleDecodeError() {
	// Tombstones (records without a value) fail with a *DecodeError wrapping
	// ErrNoPayload. On a compacted topic they are expected: a middleware lets
	// them through, and reports any other decode failure.
	skipTombstones := func(next batch.Handler[events.KafkaRecord]) batch.Handler[events.KafkaRecord] {
		return func(ctx context.Context, r events.KafkaRecord) error {
			err := next(ctx, r)
			var de *batch.DecodeError
			switch {
			case errors.Is(err, batch.ErrNoPayload):
				fmt.Println("tombstone at offset", r.Offset)
				return nil
			case errors.As(err, &de):
				fmt.Printf("cannot decode %s of %s\n", de.Part, de.ID)
			}
			return err
		}
	}
	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"orders-0": {
			{Topic: "orders", Partition: 0, Offset: 1, Value: b64Value(`{"id":"o-1","items":1}`)},
			{Topic: "orders", Partition: 0, Offset: 2},
			{Topic: "orders", Partition: 0, Offset: 3, Value: b64Value(`["o-3"]`)},
		},
	}}
	h := batch.Wrap(batch.KafkaJSON(func(ctx context.Context, o shipOrder) error { return nil }), skipTombstones)
	var proc batch.Processor
	resp, err := proc.Kafka(context.Background(), ev, h)
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// tombstone at offset 2
	// cannot decode value of orders-0@3
	// [{{orders-0 3}}] <nil>
}

func ExampleValidationError() {
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: `{"id":"o-1","items":0}`}}}
	rep := batch.Process(context.Background(), batch.Processor{}, ev.Records, batch.SQSSource(ev.Records),
		batch.SQSJSON(func(ctx context.Context, o shipOrder) error { return nil }))
	for _, res := range rep.Failed() {
		var ve *batch.ValidationError
		if errors.As(res.Err, &ve) {
			fmt.Println(ve.ID, "rejected:", ve.Err)
		}
	}
	// Output:
	// m-1 rejected: an order has at least one item
}
