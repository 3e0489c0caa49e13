package esm_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/batchtest"
	"github.com/seed-45ee126e/batch/esm"
)

// changes is a ShardReader that hands out all its records at the first
// Read of each shard. A reader of a real table's stream calls
// DynamoDB Streams' GetRecords instead.
type changes map[string][]events.DynamoDBEventRecord

func (c changes) Shards(context.Context) ([]string, error) {
	return []string{"shardId-00000001"}, nil
}

func (c changes) Read(_ context.Context, shard string) ([]events.DynamoDBEventRecord, error) {
	recs := c[shard]
	delete(c, shard)
	return recs, nil
}

// ReadDynamoDB applies a DynamoDB Streams mapping's rules to records read
// from elsewhere: here a function that refuses to remove an open order.
// Without retries and without an on-failure destination, the failed
// record is discarded. (Each retry would wait RetryDelay, on the wall
// clock.)
func ExampleReadDynamoDB() {
	table := batchtest.NewDynamoDBTable("orders", 1)
	key := map[string]events.DynamoDBAttributeValue{"id": events.NewStringAttribute("o-1")}
	open := map[string]events.DynamoDBAttributeValue{"status": events.NewStringAttribute("OPEN")}
	r := changes{"shardId-00000001": {table.Insert(key, open), table.Remove(key, open)}}

	fn := batch.New(batch.DynamoDB(), func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		if rec.EventName == "REMOVE" {
			return fmt.Errorf("order removed while open")
		}
		return nil
	}, batch.Options{})

	sim := esm.ReadDynamoDB("orders", esm.StreamConfig{}, r)
	trace := sim.Run(context.Background(), fn)
	for _, inv := range trace.Invocations {
		fmt.Println(len(inv.IDs), "records:", inv.Verdict)
	}
	fmt.Println(trace)
	// Output:
	// 2 records: partial failure
	// 1 invocations, 2 records: 1 processed, 1 discarded, 0 duplicate deliveries
}
