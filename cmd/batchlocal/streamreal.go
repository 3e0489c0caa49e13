package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	dstypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/seed-45ee126e/batch/esm"
)

// readInterval is the least time between two GetRecords calls on one
// shard: Kinesis allows five per second per shard, DynamoDB Streams
// four; Lambda's poller reads a shard about once per second when idle.
const readInterval = 250 * time.Millisecond

// arrivals remembers when each record read arrived in the stream, for
// the failure records of an on-failure destination.
type arrivals struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (a *arrivals) note(seq string, t time.Time) {
	a.mu.Lock()
	if a.at == nil {
		a.at = map[string]time.Time{}
	}
	a.at[seq] = t
	a.mu.Unlock()
}

func (a *arrivals) get(seq string) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.at[seq]
}

// kinesisReader reads a real Kinesis stream for esm.ReadKinesis, which
// applies the stream rules to what it reads: GetShardIterator at the
// starting position, then GetRecords, building each record as Lambda
// delivers it.
type kinesisReader struct {
	c        *kinesis.Client
	stream   string
	arn      string
	region   string
	position ktypes.ShardIteratorType
	iters    map[string]*string
	last     map[string]time.Time
	arrivals arrivals
}

func (r *kinesisReader) Shards(ctx context.Context) ([]string, error) {
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String(r.stream)}
	for {
		out, err := r.c.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, s := range out.Shards {
			ids = append(ids, aws.ToString(s.ShardId))
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	sort.Strings(ids)
	return ids, nil
}

func (r *kinesisReader) Read(ctx context.Context, shard string) ([]events.KinesisEventRecord, error) {
	it, ok := r.iters[shard]
	if !ok {
		out, err := r.c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(r.stream), ShardId: aws.String(shard), ShardIteratorType: r.position})
		if err != nil {
			return nil, err
		}
		it = out.ShardIterator
	}
	for it != nil {
		if err := pace(ctx, r.last, shard); err != nil {
			return nil, err
		}
		out, err := r.c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(10000)})
		if err != nil {
			return nil, err
		}
		it = out.NextShardIterator
		r.iters[shard] = it
		if len(out.Records) > 0 {
			recs := make([]events.KinesisEventRecord, len(out.Records))
			for i, k := range out.Records {
				seq := aws.ToString(k.SequenceNumber)
				at := aws.ToTime(k.ApproximateArrivalTimestamp)
				r.arrivals.note(seq, at)
				recs[i] = events.KinesisEventRecord{
					AwsRegion:         r.region,
					EventID:           shard + ":" + seq,
					EventName:         "aws:kinesis:record",
					EventSource:       "aws:kinesis",
					EventSourceArn:    r.arn,
					EventVersion:      "1.0",
					InvokeIdentityArn: "arn:aws:iam::123456789012:role/lambda-role",
					Kinesis: events.KinesisRecord{
						ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: at},
						Data:                        k.Data,
						EncryptionType:              string(k.EncryptionType),
						PartitionKey:                aws.ToString(k.PartitionKey),
						SequenceNumber:              seq,
						KinesisSchemaVersion:        "1.0",
					},
				}
				if recs[i].Kinesis.EncryptionType == "NONE" {
					recs[i].Kinesis.EncryptionType = ""
				}
			}
			return recs, nil
		}
		if aws.ToInt64(out.MillisBehindLatest) == 0 {
			return nil, nil // caught up
		}
	}
	return nil, nil // the shard is closed
}

// pace waits until readInterval has passed since the last read of shard.
func pace(ctx context.Context, last map[string]time.Time, shard string) error {
	if wait := readInterval - time.Since(last[shard]); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	last[shard] = time.Now()
	return nil
}

// dynamoReader reads a real DynamoDB table's stream for esm.ReadDynamoDB.
type dynamoReader struct {
	c        *dynamodbstreams.Client
	arn      string // the stream's
	region   string
	position dstypes.ShardIteratorType
	iters    map[string]*string
	last     map[string]time.Time
	arrivals arrivals
	labels   map[string]string // sequence number -> the change, for the summary
}

// dynamoStream finds the latest stream of table.
func dynamoStream(ctx context.Context, c *dynamodbstreams.Client, table string) (string, error) {
	out, err := c.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String(table)})
	if err != nil {
		return "", err
	}
	if len(out.Streams) == 0 {
		return "", fmt.Errorf("table %q has no stream: enable one (StreamSpecification, NEW_AND_OLD_IMAGES)", table)
	}
	return aws.ToString(out.Streams[len(out.Streams)-1].StreamArn), nil
}

func (r *dynamoReader) Shards(ctx context.Context) ([]string, error) {
	var ids []string
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(r.arn)}
	for {
		out, err := r.c.DescribeStream(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, s := range out.StreamDescription.Shards {
			ids = append(ids, aws.ToString(s.ShardId))
		}
		if out.StreamDescription.LastEvaluatedShardId == nil {
			break
		}
		in = &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(r.arn), ExclusiveStartShardId: out.StreamDescription.LastEvaluatedShardId}
	}
	return ids, nil
}

func (r *dynamoReader) Read(ctx context.Context, shard string) ([]events.DynamoDBEventRecord, error) {
	it, ok := r.iters[shard]
	if !ok {
		out, err := r.c.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(r.arn), ShardId: aws.String(shard), ShardIteratorType: r.position})
		if err != nil {
			return nil, err
		}
		it = out.ShardIterator
	}
	if it == nil {
		return nil, nil
	}
	if err := pace(ctx, r.last, shard); err != nil {
		return nil, err
	}
	out, err := r.c.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1000)})
	if err != nil {
		return nil, err
	}
	r.iters[shard] = out.NextShardIterator
	recs := make([]events.DynamoDBEventRecord, 0, len(out.Records))
	for _, d := range out.Records {
		sr := d.Dynamodb
		if sr == nil {
			continue
		}
		seq := aws.ToString(sr.SequenceNumber)
		at := aws.ToTime(sr.ApproximateCreationDateTime)
		r.arrivals.note(seq, at)
		r.labels[seq] = changeLabel(string(d.EventName), attrMap(sr.Keys), attrMap(sr.OldImage), attrMap(sr.NewImage))
		recs = append(recs, events.DynamoDBEventRecord{
			AWSRegion: aws.ToString(d.AwsRegion),
			Change: events.DynamoDBStreamRecord{
				ApproximateCreationDateTime: events.SecondsEpochTime{Time: at},
				Keys:                        attrMap(sr.Keys),
				NewImage:                    attrMap(sr.NewImage),
				OldImage:                    attrMap(sr.OldImage),
				SequenceNumber:              seq,
				SizeBytes:                   aws.ToInt64(sr.SizeBytes),
				StreamViewType:              string(sr.StreamViewType),
			},
			EventID:        aws.ToString(d.EventID),
			EventName:      string(d.EventName),
			EventSource:    "aws:dynamodb",
			EventVersion:   aws.ToString(d.EventVersion),
			EventSourceArn: r.arn,
		})
		if recs[len(recs)-1].AWSRegion == "" {
			recs[len(recs)-1].AWSRegion = r.region
		}
	}
	return recs, nil
}

// attrMap maps DynamoDB Streams attribute values to the event's.
func attrMap(m map[string]dstypes.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = attrValue(v)
	}
	return out
}

func attrValue(v dstypes.AttributeValue) events.DynamoDBAttributeValue {
	switch v := v.(type) {
	case *dstypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *dstypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *dstypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value)
	case *dstypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *dstypes.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *dstypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value)
	case *dstypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value)
	case *dstypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value)
	case *dstypes.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = attrValue(e)
		}
		return events.NewListAttribute(l)
	case *dstypes.AttributeValueMemberM:
		return events.NewMapAttribute(attrMap(v.Value))
	}
	return events.NewNullAttribute()
}

// destination sends the failure records of a stream's mapping to a real
// SQS queue, as Lambda sends them to an on-failure destination: a JSON
// document with the request and response contexts and the batch's
// bounds (AWS Lambda Developer Guide, "Retain discarded batch records
// for a Kinesis Data Streams event source", and the DynamoDB Streams
// page of the same name).
type destination struct {
	client    *sqs.Client
	url       string
	fnARN     string
	kind      string // "KinesisBatchInfo" or "DDBStreamBatchInfo"
	streamARN string
	arrivals  *arrivals
	fn        *lambdaFunction // whose last invocation the record names
	sent      int
	errs      []error
}

func (d *destination) send(fr esm.FailureRecord) {
	reqID, failed := d.fn.last()
	doc := map[string]any{
		"requestContext": map[string]any{
			"requestId":              reqID,
			"functionArn":            d.fnARN,
			"condition":              fr.Condition,
			"approximateInvokeCount": fr.InvokeCount,
		},
		"version":   "1.0",
		"timestamp": fr.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
		d.kind: map[string]any{
			"shardId":                         fr.Shard,
			"startSequenceNumber":             fr.StartSequenceNumber,
			"endSequenceNumber":               fr.EndSequenceNumber,
			"approximateArrivalOfFirstRecord": d.arrivals.get(fr.StartSequenceNumber).UTC().Format("2006-01-02T15:04:05.000Z"),
			"approximateArrivalOfLastRecord":  d.arrivals.get(fr.EndSequenceNumber).UTC().Format("2006-01-02T15:04:05.000Z"),
			"batchSize":                       fr.BatchSize,
			"streamArn":                       d.streamARN,
		},
	}
	if fr.InvokeCount > 0 {
		rc := map[string]any{"statusCode": 200, "executedVersion": "$LATEST"}
		if failed {
			rc["functionError"] = "Unhandled"
		}
		doc["responseContext"] = rc
	}
	b, _ := json.Marshal(doc)
	_, err := d.client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(d.url), MessageBody: aws.String(string(b))})
	if err != nil {
		d.errs = append(d.errs, err)
		return
	}
	d.sent++
}
