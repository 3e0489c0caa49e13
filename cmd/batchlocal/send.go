package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const sendUsage = `Usage: batchlocal send --endpoint-url URL [flags] [N]

Sends N generated messages or records (see --poison) or the records of
--messages FILE to a real queue or stream: SQS (standard or FIFO) or
Kinesis, at --endpoint-url (moto, kinesalite, LocalStack, ElasticMQ) or
AWS. batchlocal run --send does the same before it runs; this command
fills a queue for a run that comes later, or for another consumer.

Examples:
  batchlocal send --endpoint-url http://127.0.0.1:5000 --queue orders --create --max-receive-count 3 100
  batchlocal send --endpoint-url http://127.0.0.1:4567 --source kinesis --stream clicks --create --messages clicks.jsonl
`

func sendCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o runOptions
	fs := newFlags("send", sendUsage, stdout)
	fs.StringVar(&o.source, "source", srcSQS, "the destination: sqs or kinesis")
	fs.StringVar(&o.queue, "queue", "orders", "SQS: the queue's name or URL; a name ending in .fifo is a FIFO queue")
	fs.BoolVar(&o.fifo, "fifo", false, "SQS: a FIFO queue (adds .fifo to the queue's name)")
	fs.StringVar(&o.stream, "stream", "clicks", "Kinesis: the stream's name")
	fs.StringVar(&o.endpoint, "endpoint-url", "", "the endpoint (default: the SDK's, from $AWS_ENDPOINT_URL_SQS or $AWS_ENDPOINT_URL_KINESIS, else AWS)")
	fs.StringVar(&o.fn.region, "region", "", "the AWS region (default: $AWS_REGION, else us-east-1)")
	fs.BoolVar(&o.create, "create", false, "create the queue (and a dead-letter queue for --max-receive-count) or the stream if it does not exist")
	fs.DurationVar(&o.visibility, "visibility-timeout", 30*time.Second, "with --create: the queue's visibility timeout")
	fs.IntVar(&o.maxReceive, "max-receive-count", 0, "with --create: the redrive policy's maxReceiveCount; 0 means no dead-letter queue")
	fs.IntVar(&o.shards, "shards", 1, "with --create: the stream's shards")
	fs.Var(&o.poison, "poison", "the share of generated records the examples' functions fail on, such as 2%")
	fs.IntVar(&o.keys, "keys", 4, "the FIFO message groups or partition keys to spread records over")
	fs.StringVar(&o.messages, "messages", "", "send the records of FILE: an event of the source's shape, or JSON lines")
	if err := parse(fs, args); err != nil {
		if err == errHelp {
			return nil
		}
		return err
	}
	if o.source != srcSQS && o.source != srcKinesis {
		return usagef("send: --source %q: the runner sends to SQS and Kinesis (fill a DynamoDB table with your application or the AWS CLI; Kafka is embedded only)", o.source)
	}
	if err := checkSource(o.source); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("send takes at most one N")
	}
	if hasFIFOSuffix(o.queue) {
		o.fifo = true
	}
	if o.fifo && !hasFIFOSuffix(o.queue) && !strings.Contains(o.queue, "/") {
		o.queue += ".fifo"
	}
	var items []item
	switch {
	case o.messages != "" && fs.NArg() == 1:
		return usagef("send: N and --messages: give one of them")
	case o.messages != "":
		var err error
		if items, err = readItems(o.messages, o.source, o.keys); err != nil {
			return err
		}
	case fs.NArg() == 1:
		n, err := strconv.Atoi(fs.Arg(0))
		if err != nil || n < 1 {
			return usagef("send: N %q: want a number of records", fs.Arg(0))
		}
		items = generate(o.source, o.fifo, n, float64(o.poison), o.keys)
	default:
		return usagef("send: give N or --messages FILE")
	}
	region := o.fn.regionOr()
	cfg, err := awsConfig(ctx, region, o.endpoint)
	if err != nil {
		return err
	}
	start := time.Now()
	var where string
	switch o.source {
	case srcSQS:
		q, err := openQueue(ctx, sqs.NewFromConfig(cfg), o.endpoint, o.queue, o.create, o.visibility, o.maxReceive)
		if err != nil {
			return err
		}
		if err := q.send(ctx, items); err != nil {
			return endpointError(o.endpoint, err)
		}
		where = q.url
	case srcKinesis:
		c := kinesis.NewFromConfig(cfg)
		if _, err := openStream(ctx, c, o.endpoint, o.stream, o.create, o.shards); err != nil {
			return err
		}
		if err := putRecords(ctx, c, o.stream, items); err != nil {
			return endpointError(o.endpoint, err)
		}
		where = "stream " + o.stream
	}
	poison := 0
	for _, it := range items {
		if it.poison {
			poison++
		}
	}
	fmt.Fprintf(stdout, "sent %d records to %s in %s", len(items), where, time.Since(start).Round(time.Millisecond))
	if poison > 0 {
		fmt.Fprintf(stdout, " (%d of them fail in the examples' functions)", poison)
	}
	fmt.Fprintln(stdout)
	return nil
}

func hasFIFOSuffix(name string) bool { return strings.HasSuffix(name, ".fifo") }
