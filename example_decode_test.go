package batch_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

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

// A handler that takes your own type receives each message body decoded
// from JSON and checked by the type's Validate method. A body that does not
// decode or validate fails its message alone, without reaching the handler.
func ExampleNew_payload() {
	fn := batch.New(batch.SQS(), func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID, o.Items)
		return nil
	}, batch.Options{})

	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-1", Body: `{"id":"o-1","items":2}`},
		{MessageId: "m-2", Body: `{"id":"o-2","items":`},   // not JSON
		{MessageId: "m-3", Body: `{"id":"o-3","items":0}`}, // fails Validate
	}}
	resp, err := fn.Handle(context.Background(), ev)
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// ship o-1 2
	// [{m-2} {m-3}] <nil>
}

// A handler of a decoded payload can still read the message it came from,
// for its attributes or receipt handle, with RecordFrom.
func ExampleRecordFrom_payload() {
	fn := batch.New(batch.SQS(), func(ctx context.Context, o shipOrder) error {
		r, _ := batch.RecordFrom(ctx)
		m := r.Value.(*events.SQSMessage)
		fmt.Println(o.ID, "received", m.Attributes["ApproximateReceiveCount"], "times")
		return nil
	}, batch.Options{})

	ev := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId:  "m-1",
		Body:       `{"id":"o-1","items":1}`,
		Attributes: map[string]string{"ApproximateReceiveCount": "3"},
	}}}
	_, err := fn.Handle(context.Background(), ev)
	fmt.Println(err)
	// Output:
	// o-1 received 3 times
	// <nil>
}

// An SNS topic delivers to the queue without raw message delivery: each
// body is the SNS envelope, and the published JSON is a string in its
// Message field. SNS takes the payload out of the envelope.
func ExampleSNS() {
	fn := batch.New(batch.SQS().Decode(batch.SNS), func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID, o.Items)
		return nil
	}, batch.Options{})

	body := `{"Type":"Notification","MessageId":"n-1","TopicArn":"arn:aws:sns:eu-west-1:123456789012:orders",` +
		`"Message":"{\"id\":\"o-1\",\"items\":4}"}`
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: body}}}
	resp, err := fn.Handle(context.Background(), ev)
	fmt.Println(len(resp.BatchItemFailures), err)
	// Output:
	// ship o-1 4
	// 0 <nil>
}

// The handler reads the SQS message that carried the notification with
// RecordFrom.
func ExampleSNS_recordFrom() {
	fn := batch.New(batch.SQS().Decode(batch.SNS), func(ctx context.Context, o shipOrder) error {
		r, _ := batch.RecordFrom(ctx)
		fmt.Println(o.ID, "from SQS message", r.Value.(*events.SQSMessage).MessageId)
		return nil
	}, batch.Options{})

	body := `{"Type":"Notification","Message":"{\"id\":\"o-1\",\"items\":1}"}`
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: body}}}
	_, err := fn.Handle(context.Background(), ev)
	fmt.Println(err)
	// Output:
	// o-1 from SQS message m-1
	// <nil>
}

// An EventBridge rule targets the queue: each body is a whole EventBridge
// event, and EventBridge decodes its detail field into the handler's type.
func ExampleEventBridge() {
	fn := batch.New(batch.SQS().Decode(batch.EventBridge), func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID, o.Items)
		return nil
	}, batch.Options{})

	body := `{"version":"0","id":"e-1","detail-type":"OrderPlaced","source":"shop",` +
		`"time":"2026-01-02T03:04:05Z","detail":{"id":"o-1","items":3}}`
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: body}}}
	_, err := fn.Handle(context.Background(), ev)
	fmt.Println(err)
	// Output:
	// ship o-1 3
	// <nil>
}

// The handler reads the SQS message that carried the event with RecordFrom.
func ExampleEventBridge_recordFrom() {
	fn := batch.New(batch.SQS().Decode(batch.EventBridge), func(ctx context.Context, o shipOrder) error {
		r, _ := batch.RecordFrom(ctx)
		fmt.Println(o.ID, "from SQS message", r.Value.(*events.SQSMessage).MessageId)
		return nil
	}, batch.Options{})

	body := `{"detail-type":"OrderPlaced","source":"shop","detail":{"id":"o-1","items":3}}`
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: body}}}
	_, err := fn.Handle(context.Background(), ev)
	fmt.Println(err)
	// Output:
	// o-1 from SQS message m-1
	// <nil>
}

// A decoder of your own reads payloads in a format other than JSON. Here
// each message body is a line "id,items"; a body that is not fails its
// message with a *DecodeError, and the Validate method of the type still
// runs on what the decoder produced.
func ExampleSource_Decode() {
	decodeLine := func(m events.SQSMessage, v any) error {
		o, ok := v.(*shipOrder)
		if !ok {
			return fmt.Errorf("cannot decode a line into %T", v)
		}
		id, items, ok := strings.Cut(m.Body, ",")
		if !ok {
			return errors.New(`want "id,items"`)
		}
		n, err := strconv.Atoi(items)
		if err != nil {
			return err
		}
		*o = shipOrder{ID: id, Items: n}
		return nil
	}
	fn := batch.New(batch.SQS().Decode(decodeLine), func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID, o.Items)
		return nil
	}, batch.Options{})

	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-1", Body: "o-1,2"},
		{MessageId: "m-2", Body: "o-2"},
		{MessageId: "m-3", Body: "o-3,0"},
	}}
	_, rep := fn.Process(context.Background(), ev)
	for _, r := range rep.Results {
		if r.Err != nil {
			fmt.Println(r.ID, r.Err)
		}
	}
	// Output:
	// ship o-1 2
	// m-2 cannot decode payload: want "id,items"
	// m-3 invalid payload: an order has at least one item
}

// The data of each Kinesis record is decoded from JSON into the handler's
// type. A record whose data is null has no payload, and fails.
func ExampleKinesis_payload() {
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID)
		return nil
	}, batch.Options{})

	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "100", PartitionKey: "p", Data: []byte(`{"id":"o-1","items":1}`)}},
		{Kinesis: events.KinesisRecord{SequenceNumber: "101", PartitionKey: "p", Data: []byte(`null`)}},
	}}
	resp, err := fn.Handle(context.Background(), ev)
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// ship o-1
	// [{101}] <nil>
}

// The handler reads the Kinesis record, here its partition key, with
// RecordFrom.
func ExampleKinesis_recordFrom() {
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, o shipOrder) error {
		r, _ := batch.RecordFrom(ctx)
		fmt.Println(o.ID, "of", r.Value.(*events.KinesisEventRecord).Kinesis.PartitionKey)
		return nil
	}, batch.Options{})

	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "100", PartitionKey: "customer-7", Data: []byte(`{"id":"o-1","items":1}`)}},
	}}
	_, err := fn.Handle(context.Background(), ev)
	fmt.Println(err)
	// Output:
	// o-1 of customer-7
	// <nil>
}

// The value of each Kafka record (base64 in the event) is decoded from JSON
// into the handler's type. A failed record is reported by its
// topic-partition and offset.
func ExampleKafka_payload() {
	fn := batch.New(batch.Kafka(), func(ctx context.Context, o shipOrder) error {
		fmt.Println("ship", o.ID)
		return nil
	}, batch.Options{})

	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"orders-0": {
			{Topic: "orders", Partition: 0, Offset: 5, Value: b64Value(`{"id":"o-1","items":1}`)},
			{Topic: "orders", Partition: 0, Offset: 6, Value: b64Value(`{"id":"o-2"}`)}, // fails Validate
		},
	}}
	resp, err := fn.Handle(context.Background(), ev)
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// ship o-1
	// [{{orders-0 6}}] <nil>
}

// The handler reads the Kafka record, here a header and the offset, with
// RecordFrom.
func ExampleKafka_recordFrom() {
	fn := batch.New(batch.Kafka(), func(ctx context.Context, o shipOrder) error {
		r, _ := batch.RecordFrom(ctx)
		rec := r.Value.(*events.KafkaRecord)
		tenant, _ := batch.KafkaHeader(*rec, "tenant")
		fmt.Printf("%s for tenant %s at offset %d\n", o.ID, tenant, rec.Offset)
		return nil
	}, batch.Options{})

	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"orders-0": {{
			Topic: "orders", Partition: 0, Offset: 5, Key: b64Value("customer-7"),
			Value:   b64Value(`{"id":"o-1","items":1}`),
			Headers: []map[string]events.JSONNumberBytes{{"tenant": []byte("acme")}},
		}},
	}}
	_, err := fn.Handle(context.Background(), ev)
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
	// A record without a value (a tombstone) fails with a *DecodeError
	// wrapping ErrNoPayload. On a compacted topic tombstones are expected:
	// this middleware lets them through, and prints any other decode
	// failure.
	skipTombstones := func(next batch.RecordFunc) batch.RecordFunc {
		return func(ctx context.Context, r batch.Record) error {
			err := next(ctx, r)
			var de *batch.DecodeError
			switch {
			case errors.Is(err, batch.ErrNoPayload):
				fmt.Println("tombstone at offset", r.Value.(*events.KafkaRecord).Offset)
				return nil
			case errors.As(err, &de):
				fmt.Printf("cannot decode %s of %s\n", de.Part, de.ID)
			}
			return err
		}
	}
	fn := batch.New(batch.Kafka(), func(ctx context.Context, o shipOrder) error { return nil },
		batch.Options{Middleware: []batch.Middleware{skipTombstones}})

	ev := events.KafkaEvent{EventSource: "aws:kafka", Records: map[string][]events.KafkaRecord{
		"orders-0": {
			{Topic: "orders", Partition: 0, Offset: 1, Value: b64Value(`{"id":"o-1","items":1}`)},
			{Topic: "orders", Partition: 0, Offset: 2},
			{Topic: "orders", Partition: 0, Offset: 3, Value: b64Value(`["o-3"]`)},
		},
	}}
	resp, err := fn.Handle(context.Background(), ev)
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// tombstone at offset 2
	// cannot decode value of orders-0@3
	// [{{orders-0 3}}] <nil>
}

func ExampleValidationError() {
	fn := batch.New(batch.SQS(), func(ctx context.Context, o shipOrder) error { return nil }, batch.Options{})
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: `{"id":"o-1","items":0}`}}}
	_, rep := fn.Process(context.Background(), ev)
	for _, res := range rep.Results {
		var ve *batch.ValidationError
		if errors.As(res.Err, &ve) {
			fmt.Println(ve.ID, "rejected:", ve.Err)
		}
	}
	// Output:
	// m-1 rejected: an order has at least one item
}
