package esm_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// pages is a ShardReader that hands out records it holds, one page per
// Read. A reader of a real stream calls GetRecords instead, and builds
// the event's records from what it returns (cmd/batchlocal does).
type pages map[string][][]events.KinesisEventRecord

func (p pages) Shards(context.Context) ([]string, error) {
	return []string{"shardId-000000000000"}, nil
}

func (p pages) Read(_ context.Context, shard string) ([]events.KinesisEventRecord, error) {
	if len(p[shard]) == 0 {
		return nil, nil // nothing more for now: Run ends when every shard is read
	}
	page := p[shard][0]
	p[shard] = p[shard][1:]
	return page, nil
}

// ReadKinesis applies a Kinesis mapping's rules to records read from
// elsewhere, on the wall clock: here two pages of a shard, and a function
// that fails the click without a page. Without retries, the batch from
// the checkpoint on (the failed click and the one after it, which
// succeeded) goes to the on-failure destination at once.
func ExampleReadKinesis() {
	stream := batchtest.NewKinesisStream("clicks", 1)
	r := pages{"shardId-000000000000": {
		{stream.Record("u1", []byte(`{"page":"/a"}`)), stream.Record("u2", []byte(`{}`))},
		{stream.Record("u1", []byte(`{"page":"/b"}`))},
	}}
	type click struct {
		Page string `json:"page"`
	}
	fn := batch.New(batch.Kinesis(), func(ctx context.Context, c click) error {
		if c.Page == "" {
			return fmt.Errorf("no page")
		}
		return nil
	}, batch.Options{})

	sim := esm.ReadKinesis("clicks", esm.StreamConfig{BatchSize: 10, OnFailureDestination: true}, r)
	trace := sim.Run(context.Background(), fn)
	fmt.Println(trace)
	fmt.Println(trace.Destination[0].Condition, trace.Destination[0].BatchSize)
	// Output:
	// 1 invocations, 3 records: 2 processed, 1 dead-lettered, 0 duplicate deliveries
	// RetryAttemptsExhausted 2
}
