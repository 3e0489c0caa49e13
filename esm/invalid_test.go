package esm_test

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// An invalid response (an empty identifier, or one that is not in the
// batch) fails the whole batch as a function error does: Lambda cannot tell
// which records the handler succeeded with, so none of them counts as
// handled, whatever the response left out.
func TestInvalidResponseFailsEveryRecord(t *testing.T) {
	// Each run sends records "a" and "b" and answers every invocation
	// with the response a buggy handler gives when "b" fails: the
	// identifier of "b" is lost (or wrong), the one of "a" is left out.
	tests := []struct {
		name  string
		run   func() (*esm.Trace, []string)
		final esm.State
	}{
		{
			name: "SQS standard queue, empty identifier",
			run: func() (*esm.Trace, []string) {
				sim := esm.NewSQS("q", esm.SQSConfig{MaxReceiveCount: 2})
				ids := sim.Send("a", "b")
				return sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
					return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ""}}}, nil
				})), ids
			},
			final: esm.DeadLettered,
		},
		{
			name: "SQS FIFO queue, identifier not in the batch",
			run: func() (*esm.Trace, []string) {
				sim := esm.NewSQS("q.fifo", esm.SQSConfig{MaxReceiveCount: 2})
				ids := []string{sim.SendGroup("g1", "a")[0], sim.SendGroup("g2", "b")[0]}
				return sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
					return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "b"}}}, nil
				})), ids
			},
			final: esm.DeadLettered,
		},
		{
			name: "Kinesis, empty identifier, retries exhausted, on-failure destination",
			run: func() (*esm.Trace, []string) {
				sim := esm.NewKinesis("s", esm.StreamConfig{MaximumRetryAttempts: 2, OnFailureDestination: true})
				ids := []string{sim.Put("k", []byte("a")), sim.Put("k", []byte("b"))}
				return sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error) {
					return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: ""}}}, nil
				})), ids
			},
			final: esm.DeadLettered,
		},
		{
			name: "Kinesis, empty identifier, retries exhausted, no destination",
			run: func() (*esm.Trace, []string) {
				sim := esm.NewKinesis("s", esm.StreamConfig{MaximumRetryAttempts: 2})
				ids := []string{sim.Put("k", []byte("a")), sim.Put("k", []byte("b"))}
				return sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error) {
					return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: ""}}}, nil
				})), ids
			},
			final: esm.Discarded,
		},
		{
			name: "Kinesis, identifier not in the batch, with bisect",
			run: func() (*esm.Trace, []string) {
				sim := esm.NewKinesis("s", esm.StreamConfig{MaximumRetryAttempts: 1, BisectBatchOnFunctionError: true, OnFailureDestination: true})
				ids := []string{sim.Put("k", []byte("a")), sim.Put("k", []byte("b"))}
				return sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error) {
					return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: "not-a-sequence-number"}}}, nil
				})), ids
			},
			final: esm.DeadLettered,
		},
		{
			name: "DynamoDB, empty identifier, retries exhausted",
			run: func() (*esm.Trace, []string) {
				sim := esm.NewDynamoDB("t", esm.StreamConfig{MaximumRetryAttempts: 2, OnFailureDestination: true})
				key := batchtest.Item{"pk": events.NewStringAttribute("k")}
				ids := []string{sim.Insert(key, batchtest.Item{}), sim.Modify(key, batchtest.Item{}, batchtest.Item{})}
				return sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
					return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: ""}}}, nil
				})), ids
			},
			final: esm.DeadLettered,
		},
		{
			name: "Kafka, empty partition, retries exhausted",
			run: func() (*esm.Trace, []string) {
				sim := esm.NewKafka("t", esm.StreamConfig{MaximumRetryAttempts: 2, OnFailureDestination: true})
				ids := []string{sim.Produce([]byte("k"), []byte("a")), sim.Produce([]byte("k"), []byte("b"))}
				return sim.Run(context.Background(), lambda.NewHandler(func(context.Context, events.KafkaEvent) (batch.KafkaEventResponse, error) {
					return batch.KafkaEventResponse{BatchItemFailures: []batch.KafkaBatchItemFailure{{}}}, nil
				})), ids
			},
			final: esm.DeadLettered,
		},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			trace, ids := tt.run()
			if trace.Stopped {
				t.Fatalf("stopped: got true, want false (%v)", trace)
			}
			if err := trace.InState(tt.final, ids...); err != nil {
				t.Error(err)
			}
			if got := trace.Duplicates(); got != 0 {
				t.Errorf("duplicates: got %d, want 0 (no invocation succeeded with a record)", got)
			}
			for i, inv := range trace.Invocations {
				if inv.Verdict != esm.BatchFailed || len(inv.Failed) != len(inv.IDs) {
					t.Errorf("invocation %d: got %v failing %v of %v, want %v failing all", i, inv.Verdict, inv.Failed, inv.IDs, esm.BatchFailed)
				}
			}
			if len(trace.OrderViolations) != 0 {
				t.Errorf("order violations: got %v, want none", trace.OrderViolations)
			}
		})
	}
}
