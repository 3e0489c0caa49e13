package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	dstypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/seed-45ee126e/batch/esm"
)

// runReal runs fn against a real queue or stream at --endpoint-url,
// after sending items to it. SQS keeps its own rules (visibility,
// redrive), which the poller relies on; a stream's rules are esm's,
// applied by esm.ReadKinesis and esm.ReadDynamoDB to the records the
// readers get from the real stream.
func runReal(ctx context.Context, o *runOptions, fn *lambdaFunction, items []item, prog *progress, labels map[string]string) (*esm.Trace, error) {
	region := o.fn.regionOr()
	cfg, err := awsConfig(ctx, region, o.endpoint)
	if err != nil {
		return nil, err
	}
	switch o.source {
	case srcSQS:
		q, err := openQueue(ctx, sqs.NewFromConfig(cfg), o.endpoint, o.queue, o.create, o.visibility, o.maxReceive)
		if err != nil {
			return nil, err
		}
		o.fifo, o.visibility, o.maxReceive, o.queueRead = q.fifo, q.visibility, q.maxReceive, true
		if len(items) > 0 {
			if err := q.send(ctx, items); err != nil {
				return nil, endpointError(o.endpoint, fmt.Errorf("sending to %s: %w", q.url, err))
			}
		}
		if n, err := q.count(ctx); err == nil {
			prog.grow(n)
		}
		return newSQSPoller(q, region, o, fn, prog.update).run(ctx)

	case srcKinesis:
		c := kinesis.NewFromConfig(cfg)
		arn, err := openStream(ctx, c, o.endpoint, o.stream, o.create, o.shards)
		if err != nil {
			return nil, err
		}
		if err := putRecords(ctx, c, o.stream, items); err != nil {
			return nil, endpointError(o.endpoint, err)
		}
		r := &kinesisReader{c: c, stream: o.stream, arn: arn, region: region, position: ktypes.ShardIteratorType(o.startingPosition),
			iters: map[string]*string{}, last: map[string]time.Time{}}
		scfg := o.streamConfig(prog.update)
		var dest *destination
		if o.onFailure != "" {
			if dest, err = o.openDestination(ctx, region, fn, "KinesisBatchInfo", arn, &r.arrivals); err != nil {
				return nil, err
			}
			scfg.OnDestination = dest.send
		}
		tr := esm.ReadKinesis(o.stream, scfg, r).Run(ctx, fn)
		return tr, dest.err()

	case srcDynamoDB:
		if len(items) > 0 {
			return nil, usagef("--send and --messages fill the embedded backend only for DynamoDB Streams: write the table's items with your application or the AWS CLI (the runner reads its stream)")
		}
		c := dynamodbstreams.NewFromConfig(cfg)
		arn, err := dynamoStream(ctx, c, o.table)
		if err != nil {
			return nil, endpointError(o.endpoint, err)
		}
		r := &dynamoReader{c: c, arn: arn, region: region, position: dstypes.ShardIteratorType(o.startingPosition),
			iters: map[string]*string{}, last: map[string]time.Time{}, labels: labels}
		scfg := o.streamConfig(prog.update)
		var dest *destination
		if o.onFailure != "" {
			if dest, err = o.openDestination(ctx, region, fn, "DDBStreamBatchInfo", arn, &r.arrivals); err != nil {
				return nil, err
			}
			scfg.OnDestination = dest.send
		}
		tr := esm.ReadDynamoDB(o.table, scfg, r).Run(ctx, fn)
		return tr, dest.err()
	}
	return nil, usagef("source %s has no real backend", o.source)
}

func (o *runOptions) streamConfig(onProgress func(esm.Progress)) esm.StreamConfig {
	return esm.StreamConfig{
		BatchSize:                  o.batchSize,
		MaximumRetryAttempts:       o.maxRetry,
		MaximumRecordAge:           o.maxAge,
		BisectBatchOnFunctionError: o.bisect,
		OnFailureDestination:       o.onFailure != "",
		IgnoreBatchItemFailures:    o.noReport,
		MaxInvocations:             o.maxInvocations,
		OnProgress:                 onProgress,
	}
}

// openDestination opens the SQS queue of --on-failure, at
// --destination-endpoint-url, else $AWS_ENDPOINT_URL_SQS (which the SDK
// reads itself), else --endpoint-url.
func (o *runOptions) openDestination(ctx context.Context, region string, fn *lambdaFunction, kind, streamARN string, a *arrivals) (*destination, error) {
	endpoint := o.destEndpoint
	if endpoint == "" && os.Getenv("AWS_ENDPOINT_URL_SQS") == "" {
		endpoint = o.endpoint // moto serves both DynamoDB Streams and SQS
	}
	cfg, err := awsConfig(ctx, region, endpoint)
	if err != nil {
		return nil, err
	}
	q, err := openQueue(ctx, sqs.NewFromConfig(cfg), endpoint, o.onFailure, o.create, 30*time.Second, 0)
	if err != nil {
		return nil, fmt.Errorf("--on-failure: %w", err)
	}
	return &destination{client: q.client, url: q.url, fnARN: fn.fn.ARN(), kind: kind, streamARN: streamARN, arrivals: a, fn: fn}, nil
}

// err reports the failure records that could not be sent.
func (d *destination) err() error {
	if d == nil || len(d.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%d failure records could not be sent to %s: %w", len(d.errs), d.url, errors.Join(d.errs...))
}

// openStream finds the Kinesis stream called name, creating it first
// with create, and returns its ARN.
func openStream(ctx context.Context, c *kinesis.Client, endpoint, name string, create bool, shards int) (string, error) {
	describe := func() (*ktypes.StreamDescriptionSummary, error) {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		return out.StreamDescriptionSummary, nil
	}
	d, err := describe()
	if err != nil {
		if e := endpointError(endpoint, err); strings.HasPrefix(e.Error(), "cannot reach") {
			return "", e
		}
		var nf *ktypes.ResourceNotFoundException
		if !errors.As(err, &nf) || !create {
			return "", fmt.Errorf("stream %q: %w (give --create to create it)", name, err)
		}
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))}); err != nil {
			return "", fmt.Errorf("creating stream %q: %w", name, err)
		}
		if d, err = describe(); err != nil {
			return "", err
		}
	}
	for d.StreamStatus != ktypes.StreamStatusActive {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if d, err = describe(); err != nil {
			return "", err
		}
	}
	return aws.ToString(d.StreamARN), nil
}

// putRecords puts items into the stream, 500 per PutRecords.
func putRecords(ctx context.Context, c *kinesis.Client, stream string, items []item) error {
	for start := 0; start < len(items); start += 500 {
		var entries []ktypes.PutRecordsRequestEntry
		for _, it := range items[start:min(start+500, len(items))] {
			key := it.key
			if key == "" {
				key = "key"
			}
			entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(it.body), PartitionKey: aws.String(key)})
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			return fmt.Errorf("putting records into %s: %w", stream, err)
		}
		if n := aws.ToInt32(out.FailedRecordCount); n > 0 {
			return fmt.Errorf("putting records into %s: %d failed", stream, n)
		}
	}
	return nil
}
