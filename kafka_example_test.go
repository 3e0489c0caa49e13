//go:build legacy

package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
)

// kafkaOrders is the event of the Kafka examples: two partitions of the
// orders topic, as Lambda delivers them from Amazon MSK. The map has no
// order, and nothing in the event promises one within a partition either.
func kafkaOrders() events.KafkaEvent {
	rec := func(partition, offset int64, value string) events.KafkaRecord {
		return events.KafkaRecord{
			Topic: "orders", Partition: partition, Offset: offset,
			TimestampType: "CREATE_TIME", Value: b64Value(value),
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

// KafkaRecords gives the records of an event in the order Processor.Kafka
// handles them: topic-partition by topic-partition, each in offset order.
func ExampleKafkaRecords() {
	for _, r := range batch.KafkaRecords(kafkaOrders()) {
		fmt.Printf("%s-%d@%d\n", r.Topic, r.Partition, r.Offset)
	}
	// Output:
	// orders-0@311
	// orders-0@312
	// orders-1@207
	// orders-1@208
	// orders-1@209
}

// With KafkaSource, Process runs Kafka records and returns the Report: the
// outcome of every record, here logged before answering Lambda. The
// topic-partition is the ordering key, so SkipGroupOnError stops only the
// partition that failed; its later offsets would be redelivered anyway.
func ExampleKafkaSource() {
	ev := kafkaOrders()
	p := batch.Processor{SkipGroupOnError: true}
	rep := batch.Process(context.Background(), p, batch.KafkaRecords(ev), batch.KafkaSource(ev),
		batch.KafkaJSON(func(ctx context.Context, o shipOrder) error {
			return nil // ship o
		}))
	for _, res := range rep.Results() {
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

// KafkaResponse turns a Report into the partial batch response, whose
// identifiers name the topic-partition and the offset; Lambda resumes each
// partition from its lowest reported offset. When every record failed, the
// error is a *BatchError and Lambda retries the whole batch.
func ExampleKafkaResponse() {
	ev := kafkaOrders()
	rep := batch.Process(context.Background(), batch.Processor{}, batch.KafkaRecords(ev), batch.KafkaSource(ev),
		batch.KafkaJSON(func(ctx context.Context, o shipOrder) error { return nil }))
	resp, err := batch.KafkaResponse(rep)
	printJSON(resp)
	fmt.Println(err)

	down := errors.New("warehouse API unavailable")
	rep = batch.Process(context.Background(), batch.Processor{}, batch.KafkaRecords(ev), batch.KafkaSource(ev),
		batch.KafkaJSON(func(ctx context.Context, o shipOrder) error { return down }))
	resp, err = batch.KafkaResponse(rep)
	var all *batch.BatchError
	fmt.Println(len(resp.BatchItemFailures), "failures;", errors.As(err, &all), errors.Is(err, down))
	// Output:
	// {"batchItemFailures":[{"itemIdentifier":{"partition":"orders-1","offset":207}}]}
	// <nil>
	// 5 failures; true true
}
