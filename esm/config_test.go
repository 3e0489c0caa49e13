package esm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// runWithBatchSize sends or puts two records to a simulator of source
// ("sqs", "sqs.fifo", "kinesis", "dynamodb" or "kafka") built with
// BatchSize size, runs a function that succeeds with everything, and
// returns the trace and the number of invocations the function saw. SQS
// and Kafka run a *batch.Function, Kinesis and DynamoDB a handler
// function made a lambda.Handler.
func runWithBatchSize(source string, size int) (*esm.Trace, int) {
	ctx := context.Background()
	calls := 0
	switch source {
	case "sqs", "sqs.fifo":
		name := "q"
		if source == "sqs.fifo" {
			name = "q.fifo"
		}
		sim := esm.NewSQS(name, esm.SQSConfig{BatchSize: size})
		sim.Send("a", "b")
		fn := batch.New(batch.SQS(), func(ctx context.Context, _ events.SQSMessage) error {
			if r, _ := batch.RecordFrom(ctx); r.Index == 0 {
				calls++
			}
			return nil
		}, batch.Options{})
		return sim.Run(ctx, fn), calls
	case "kinesis":
		sim := esm.NewKinesis("s", esm.StreamConfig{BatchSize: size})
		sim.Put("k", []byte("a"))
		sim.Put("k", []byte("b"))
		return sim.Run(ctx, lambda.NewHandler(func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error) {
			calls++
			return events.KinesisEventResponse{}, nil
		})), calls
	case "dynamodb":
		sim := esm.NewDynamoDB("t", esm.StreamConfig{BatchSize: size})
		key := batchtest.Item{"pk": events.NewStringAttribute("k")}
		sim.Insert(key, batchtest.Item{})
		sim.Remove(key, batchtest.Item{})
		return sim.Run(ctx, lambda.NewHandler(func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			calls++
			return events.DynamoDBEventResponse{}, nil
		})), calls
	case "kafka":
		sim := esm.NewKafka("t", esm.StreamConfig{BatchSize: size})
		sim.Produce([]byte("k"), []byte("a"))
		sim.Produce([]byte("k"), []byte("b"))
		fn := batch.New(batch.Kafka(), func(ctx context.Context, _ events.KafkaRecord) error {
			if r, _ := batch.RecordFrom(ctx); r.Index == 0 {
				calls++
			}
			return nil
		}, batch.Options{})
		return sim.Run(ctx, fn), calls
	}
	panic("unknown source " + source)
}

func TestBatchSizeLimits(t *testing.T) {
	tests := []struct {
		name   string
		source string
		size   int
		max    int // 0: the size is valid
	}{
		{"a FIFO queue takes batches of 10", "sqs.fifo", 10, 0},
		{"a FIFO queue rejects batches of 11", "sqs.fifo", 11, 10},
		{"a FIFO queue rejects batches of 50", "sqs.fifo", 50, 10},
		{"a standard queue takes batches of 10,000", "sqs", 10_000, 0},
		{"a standard queue rejects batches of 10,001", "sqs", 10_001, 10_000},
		{"a negative batch size is rejected", "sqs", -1, 10_000},
		{"zero means the default", "sqs.fifo", 0, 0},
		{"Kinesis takes batches of 10,000", "kinesis", 10_000, 0},
		{"Kinesis rejects batches of 10,001", "kinesis", 10_001, 10_000},
		{"Kinesis rejects a negative batch size", "kinesis", -5, 10_000},
		{"DynamoDB takes batches of 10,000", "dynamodb", 10_000, 0},
		{"DynamoDB rejects batches of 10,001", "dynamodb", 10_001, 10_000},
		{"Kafka takes batches of 10,000", "kafka", 10_000, 0},
		{"Kafka rejects batches of 10,001", "kafka", 10_001, 10_000},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			trace, calls := runWithBatchSize(tt.source, tt.size)
			if tt.max == 0 {
				if trace.Err != nil {
					t.Fatalf("Err: got %v, want nil", trace.Err)
				}
				if calls != 1 || trace.Count(esm.Processed) != 2 {
					t.Errorf("got %d calls and %v, want 1 call processing both records", calls, trace)
				}
				return
			}
			var ce *esm.ConfigError
			if !errors.As(trace.Err, &ce) {
				t.Fatalf("Err: got %v, want a *ConfigError", trace.Err)
			}
			if ce.Field != "BatchSize" || ce.Value != tt.size || ce.Max != tt.max {
				t.Errorf("ConfigError: got %+v, want Field BatchSize, Value %d, Max %d", *ce, tt.size, tt.max)
			}
			if calls != 0 || len(trace.Invocations) != 0 {
				t.Errorf("invocations: got %d (%d calls), want none", len(trace.Invocations), calls)
			}
			if got := trace.Count(esm.Pending); got != 2 {
				t.Errorf("pending records: got %d, want 2", got)
			}
		})
	}
}

// Drained and InState say that a simulation with a configuration Lambda
// rejects did not run, rather than judge its records.
func TestTraceChecksReportAConfigError(t *testing.T) {
	trace, _ := runWithBatchSize("sqs.fifo", 50)
	tests := []struct {
		name  string
		check func() error
	}{
		{"Drained", trace.Drained},
		{"InState", func() error { return trace.InState(esm.Pending, trace.IDs(esm.Pending)...) }},
	}
	for _, tt := range tests {
		tt := tt // captured by the subtest's closure
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check()
			var ce *esm.ConfigError
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "simulation not run: ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want one error about the configuration, wrapping the *ConfigError", err)
			}
		})
	}
}
