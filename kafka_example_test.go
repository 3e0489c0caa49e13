package batch_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// kafkaOrder is the payload of the Kafka examples, decoded from each
// record's value. Its Validate method is called on every decoded payload.
type kafkaOrder struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

func (o kafkaOrder) Validate() error {
	if o.Items < 1 {
		return errors.New("an order has at least one item")
	}
	return nil
}

// kafkaOrders is the event of the Kafka examples: two partitions of the
// orders topic, as Lambda delivers them from Amazon MSK. The map has no
// order, and nothing in the event promises one within a partition either.
func kafkaOrders() events.KafkaEvent {
	rec := func(partition, offset int64, value string) events.KafkaRecord {
		return events.KafkaRecord{
			Topic: "orders", Partition: partition, Offset: offset,
			TimestampType: "CREATE_TIME", Value: base64.StdEncoding.EncodeToString([]byte(value)),
		}
	}
	return events.KafkaEvent{
		EventSource:    "aws:kafka",
		EventSourceARN: "arn:aws:kafka:eu-west-1:123456789012:cluster/orders/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE-1",
		Records: map[string][]events.KafkaRecord{
			"orders-1": {
				rec(1, 208, `{"id":"o-12","items":1}`),
				rec(1, 207, `{"id":"o-11","items":0}`), // fails Validate
				rec(1, 209, `{"id":"o-13","items":4}`),
			},
			"orders-0": {
				rec(0, 311, `{"id":"o-21","items":2}`),
				rec(0, 312, `{"id":"o-22","items":3}`),
			},
		},
	}
}

// The records of a Kafka event are handled topic-partition by
// topic-partition, in lexical order, and each partition in offset order,
// whatever the order of the event; the Report lists them in that order too.
func ExampleKafka_order() {
	fn := batch.New(batch.Kafka(), func(ctx context.Context, r events.KafkaRecord) error {
		fmt.Printf("%s-%d@%d\n", r.Topic, r.Partition, r.Offset)
		return nil
	}, batch.Options{})
	fn.Handle(context.Background(), kafkaOrders())
	// Output:
	// orders-0@311
	// orders-0@312
	// orders-1@207
	// orders-1@208
	// orders-1@209
}

// Process runs a Kafka batch and returns the Report: the outcome of every
// record, here logged before answering Lambda. A record's ID is
// "<topic>-<partition>@<offset>". The topic-partition is the ordering key,
// so SkipGroupOnError stops only the partition that failed; its later
// offsets would be delivered again anyway.
func ExampleKafka_skipGroupOnError() {
	fn := batch.New(batch.Kafka(), func(ctx context.Context, o kafkaOrder) error {
		return nil // ship o
	}, batch.Options{SkipGroupOnError: true})
	_, rep := fn.Process(context.Background(), kafkaOrders())
	for _, res := range rep.Results {
		var invalid *batch.ValidationError
		switch {
		case errors.As(res.Err, &invalid):
			fmt.Println(res.ID, res.Outcome, "(invalid)")
		case errors.Is(res.Err, batch.ErrSkipped):
			fmt.Println(res.ID, res.Outcome, "(skipped after a failure in its partition)")
		default:
			fmt.Println(res.ID, res.Outcome)
		}
	}
	// Output:
	// orders-0@311 succeeded
	// orders-0@312 succeeded
	// orders-1@207 failed (invalid)
	// orders-1@208 not processed (skipped after a failure in its partition)
	// orders-1@209 not processed (skipped after a failure in its partition)
}

// The partial batch response of a Kafka batch names each failed record by
// its topic-partition and offset; Lambda resumes each partition from its
// lowest reported offset. When every record failed, the error is a
// *BatchError and Lambda retries the whole batch.
func ExampleKafkaEventResponse() {
	ship := batch.New(batch.Kafka(), func(ctx context.Context, o kafkaOrder) error { return nil }, batch.Options{})
	resp, err := ship.Handle(context.Background(), kafkaOrders())
	printJSON(resp)
	fmt.Println(err)

	down := errors.New("warehouse API unavailable")
	unavailable := batch.New(batch.Kafka(), func(ctx context.Context, o kafkaOrder) error { return down }, batch.Options{})
	resp, err = unavailable.Handle(context.Background(), kafkaOrders())
	var all *batch.BatchError
	fmt.Println(len(resp.BatchItemFailures), "failures;", errors.As(err, &all), errors.Is(err, down))
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":{"partition":"orders-1","offset":207}}]}
	// <nil>
	// 5 failures; true true
}
