package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/seed-45ee126e/batch/esm"
)

const runUsage = `Usage: batchlocal run FUNCTION [flags]

Runs the function as an event source mapping runs it: polls a queue or a
stream, invokes the function with batches under a local Lambda Runtime
API, and does with each response what Lambda does (deletes, redeliveries
after the visibility timeout, the dead-letter queue after maxReceiveCount,
FIFO group order; for streams, checkpoints at the lowest reported record,
retries, bisection, record age and an on-failure destination), until the
source is drained. Then prints a summary.

The default backend is embedded: an in-memory queue or stream on a
simulated clock, so visibility timeouts and retry delays take no real
time. Fill it with --send N (generated records, of which --poison fail in
the examples' functions) or --messages FILE. With --endpoint-url the
runner polls a real queue or stream instead (moto, kinesalite, LocalStack,
ElasticMQ, AWS), on the wall clock.

Examples:
  batchlocal run ./examples/sqs/lambda --send 1000 --poison 2% --max-receive-count 3
  batchlocal run ./examples/sqsfifo/lambda --fifo --send 200 --poison 1% --max-receive-count 2
  batchlocal run ./examples/kinesis/lambda --source kinesis --send 500 --poison 1% \
      --max-retry-attempts 2 --bisect --on-failure failures
  batchlocal run ./lambda --endpoint-url http://127.0.0.1:5000 --queue orders --visibility-timeout 2s
  batchlocal run --template ./examples/sqs/template.yaml --send 100 --poison 5%
`

type runOptions struct {
	fn functionFlags
	tf templateFlags

	source                      string
	queue, stream, table        string
	topic                       string
	fifo                        bool
	batchSize                   int
	window                      time.Duration
	visibility                  time.Duration
	maxReceive                  int
	retention                   time.Duration
	shards                      int
	maxRetry                    int
	maxAge                      time.Duration
	bisect                      bool
	onFailure                   string
	noReport                    bool
	startingPosition            string
	maxInvocations              int
	send                        int
	poison                      share
	keys                        int
	messages                    string
	endpoint, destEndpoint      string
	create                      bool
	json                        bool
	progress                    string
	show                        int
	trace                       string
	notes                       []string // for the summary, from the backend
	tmpl                        *templateReport
	batchSizeSet, visibilitySet bool
	queueRead                   bool // visibility and maxReceive are the real queue's
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o runOptions
	fs := newFlags("run", runUsage, stdout)
	fs.StringVar(&o.source, "source", srcSQS, "the event source: sqs, kinesis, dynamodb or kafka (kafka: embedded only)")
	fs.StringVar(&o.queue, "queue", "orders", "SQS: the queue's name or URL; a name ending in .fifo is a FIFO queue")
	fs.BoolVar(&o.fifo, "fifo", false, "SQS: a FIFO queue (adds .fifo to the queue's name)")
	fs.StringVar(&o.stream, "stream", "clicks", "Kinesis: the stream's name")
	fs.StringVar(&o.table, "table", "orders", "DynamoDB Streams: the table's name")
	fs.StringVar(&o.topic, "topic", "payments", "Kafka: the topic's name")
	fs.IntVar(&o.batchSize, "batch-size", 0, "the mapping's BatchSize (default 10 for SQS, 100 for streams and Kafka)")
	fs.DurationVar(&o.window, "batch-window", 0, "the mapping's MaximumBatchingWindowInSeconds (SQS above 10 records needs 1s or more)")
	fs.DurationVar(&o.visibility, "visibility-timeout", 30*time.Second, "SQS: the queue's visibility timeout (embedded; a real queue's own applies otherwise)")
	fs.IntVar(&o.maxReceive, "max-receive-count", 0, "SQS: the redrive policy's maxReceiveCount; 0 means no dead-letter queue (embedded; a real queue's own applies otherwise)")
	fs.DurationVar(&o.retention, "retention", 4*24*time.Hour, "SQS: the queue's message retention period (embedded)")
	fs.IntVar(&o.shards, "shards", 1, "Kinesis, DynamoDB Streams: the shards; Kafka: the partitions (embedded)")
	fs.IntVar(&o.maxRetry, "max-retry-attempts", -1, "streams, Kafka: the mapping's MaximumRetryAttempts; -1 retries until the record expires, as Lambda's default")
	fs.DurationVar(&o.maxAge, "max-record-age", 0, "streams, Kafka: the mapping's MaximumRecordAgeInSeconds; 0 means none")
	fs.BoolVar(&o.bisect, "bisect", false, "streams, Kafka: BisectBatchOnFunctionError")
	fs.StringVar(&o.onFailure, "on-failure", "", "streams, Kafka: an on-failure destination; with --endpoint-url the name or URL of an SQS queue that receives Lambda's failure records")
	fs.BoolVar(&o.noReport, "no-report-batch-item-failures", false, "a mapping without ReportBatchItemFailures: Lambda ignores the response")
	fs.StringVar(&o.startingPosition, "starting-position", "TRIM_HORIZON", "real streams: TRIM_HORIZON or LATEST")
	fs.IntVar(&o.maxInvocations, "max-invocations", 100000, "stop after that many invocations, so that a record retried forever cannot hold the run")
	fs.IntVar(&o.send, "send", 0, "send N generated messages or records first: in the shapes the examples take (see --poison)")
	fs.Var(&o.poison, "poison", "with --send, the share of records the examples' functions fail on, such as 2%")
	fs.IntVar(&o.keys, "keys", 4, "with --send or --messages: the FIFO message groups, partition keys or Kafka keys to spread records over")
	fs.StringVar(&o.messages, "messages", "", "send the records of FILE first: an event of the source's shape, or JSON lines (one body, data or value per line)")
	fs.StringVar(&o.endpoint, "endpoint-url", "", "poll a real queue or stream at this endpoint instead of the embedded backend")
	fs.StringVar(&o.destEndpoint, "destination-endpoint-url", "", "the SQS endpoint of --on-failure, when it differs (default: $AWS_ENDPOINT_URL_SQS, else --endpoint-url)")
	fs.BoolVar(&o.create, "create", false, "with --endpoint-url: create the queue (and a dead-letter queue for --max-receive-count) or the stream if it does not exist")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON, for scripts")
	fs.StringVar(&o.progress, "progress", "auto", "a progress bar on stderr: auto (on a terminal), always or never")
	fs.IntVar(&o.show, "show", 10, "the records not processed that the summary lists (--json lists all)")
	fs.StringVar(&o.trace, "trace", "", "write the whole history of the run to FILE, as JSON: every invocation (records, response, verdict) and every record (deliveries, final state)")
	o.fn.register(fs, "none")
	o.tf.register(fs)
	if err := parse(fs, args); err != nil {
		if err == errHelp {
			return nil
		}
		return err
	}
	if err := o.tf.check(); err != nil {
		return err
	}
	if fs.NArg() > 1 || fs.NArg() == 0 && o.tf.path == "" {
		return usagef("run takes one FUNCTION, or --template (see batchlocal run --help)")
	}
	fnArg := fs.Arg(0)
	o.batchSizeSet = fs.Changed("batch-size")
	o.visibilitySet = fs.Changed("visibility-timeout")
	var tmpl *templateReport
	if o.tf.path != "" {
		var err error
		if fnArg, tmpl, err = o.applyTemplate(fs, &o.tf, fnArg); err != nil {
			return err
		}
		o.tmpl = tmpl
		for _, w := range tmpl.Warnings {
			fmt.Fprintf(stderr, "batchlocal: warning: %s\n", w)
		}
	}
	if err := o.check(); err != nil {
		return err
	}

	// The records first: a malformed file is reported before any build.
	var items []item
	switch {
	case o.messages != "":
		var err error
		if items, err = readItems(o.messages, o.source, o.keys); err != nil {
			return err
		}
	case o.send > 0:
		items = generate(o.source, o.fifo, o.send, float64(o.poison), o.keys)
	case o.endpoint == "":
		return usagef("the embedded queue or stream is empty: give --send N or --messages FILE")
	}

	lf, name, stop, err := startFunction(ctx, fnArg, &o.fn, stderr)
	if err != nil {
		return err
	}
	defer stop()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	lf.cancel = cancel

	s := &summary{Function: name, Backend: "embedded", Source: o.sourceName(), Name: o.name(), Settings: o.settings(), Template: tmpl}
	if o.fn.log == "none" {
		s.Notes = append(s.Notes, "the function's output was discarded; --function-log FILE keeps it")
	}
	if o.window > 0 && o.endpoint == "" {
		s.Notes = append(s.Notes, "the batching window changes nothing on the embedded backend: every record is in the source when the run starts")
	}
	prog, err := newProgress(stderr, o.progress, len(items))
	if err != nil {
		return err
	}
	start := time.Now()
	var tr *esm.Trace
	labels := map[string]string{}
	if o.endpoint == "" {
		tr = runEmbedded(runCtx, &o, lf, items, prog.update, labels)
		s.SimulatedSeconds = tr.End.Sub(tr.Start).Seconds()
	} else {
		s.Backend = o.endpoint
		tr, err = runReal(runCtx, &o, lf, items, prog, labels)
		s.Settings, s.Source = o.settings(), o.sourceName()
		if tmpl != nil && o.queueRead {
			tmpl.fromRealQueue(&o)
		}
	}
	wall := time.Since(start)
	prog.done()
	if lf.fatal != nil {
		return fmt.Errorf("the function cannot run: %w", lf.fatal)
	}
	if err != nil && tr == nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	summarize(s, tr, lf.snapshot(), wall, o.maxReceive, labels)
	s.Notes = append(s.Notes, o.notes...)
	if o.trace != "" {
		b, jerr := json.MarshalIndent(newTraceFile(tr, labels), "", "  ")
		if jerr == nil {
			jerr = os.WriteFile(o.trace, b, 0o644)
		}
		if jerr != nil {
			return fmt.Errorf("--trace: %w", jerr)
		}
	}
	if ctx.Err() != nil {
		s.Stopped = "interrupted (Ctrl-C): the function was stopped"
	}
	if err != nil {
		s.Stopped = err.Error()
	}
	if o.json {
		if werr := writeJSON(stdout, s); werr != nil {
			return werr
		}
	} else {
		printSummary(stdout, s, o.show)
	}
	switch {
	case ctx.Err() != nil:
		return errInterrupted
	case err != nil:
		return err
	}
	return nil
}

// check validates the options as Lambda validates a mapping's.
func (o *runOptions) check() error {
	if err := checkSource(o.source); err != nil {
		return err
	}
	if strings.HasSuffix(o.queue, ".fifo") {
		o.fifo = true
	}
	if o.fifo && o.source != srcSQS {
		return usagef("--fifo is for SQS queues")
	}
	if o.fifo && !strings.HasSuffix(o.queue, ".fifo") && !strings.Contains(o.queue, "/") {
		o.queue += ".fifo"
	}
	if !o.batchSizeSet {
		o.batchSize = 100
		if o.source == srcSQS {
			o.batchSize = 10
		}
	}
	maxBatch := 10000
	if o.fifo {
		maxBatch = 10
	}
	if o.batchSize < 1 || o.batchSize > maxBatch {
		return usagef("%s %d: Lambda accepts 1 to %d for this source", o.label("batch-size"), o.batchSize, maxBatch)
	}
	if o.source == srcSQS && o.batchSize > 10 && o.window < time.Second {
		return usagef("%s %d: Lambda requires a batching window of at least 1s (--batch-window 1s) for an SQS batch size above 10", o.label("batch-size"), o.batchSize)
	}
	if o.window < 0 || o.window > 300*time.Second {
		return usagef("%s %s: Lambda accepts 0 to 300s", o.label("batch-window"), o.window)
	}
	if o.maxReceive < 0 {
		return usagef("%s %d: want 0 (no dead-letter queue) or more", o.label("max-receive-count"), o.maxReceive)
	}
	if o.maxRetry < -1 || o.maxRetry > 10000 {
		return usagef("%s %d: Lambda accepts -1 to 10000", o.label("max-retry-attempts"), o.maxRetry)
	}
	if o.shards < 1 {
		return usagef("%s %d: want at least 1", o.label("shards"), o.shards)
	}
	if o.endpoint != "" && o.source == srcKafka {
		return usagef("Kafka runs on the embedded backend only: --endpoint-url is for SQS, Kinesis and DynamoDB Streams")
	}
	if o.send < 0 {
		return usagef("--send %d: want a number of records", o.send)
	}
	if o.send > 0 && o.messages != "" {
		return usagef("--send and --messages: give one of them")
	}
	switch o.startingPosition {
	case "TRIM_HORIZON", "LATEST":
	default:
		return usagef("--starting-position %q: want TRIM_HORIZON or LATEST", o.startingPosition)
	}
	if o.maxInvocations < 1 {
		return usagef("--max-invocations %d: want at least 1", o.maxInvocations)
	}
	return nil
}

// label names the origin of a setting in an error: its flag, or the
// template's property it came from.
func (o *runOptions) label(flag string) string {
	if o.tmpl != nil {
		for _, s := range o.tmpl.Settings {
			if s.Flag == "--"+flag && s.From == fromTemplate {
				return o.tmpl.Path + ": " + s.Property
			}
		}
	}
	return "--" + flag
}

func (o *runOptions) name() string {
	switch o.source {
	case srcKinesis:
		return o.stream
	case srcDynamoDB:
		return o.table
	case srcKafka:
		return o.topic
	}
	return o.queue
}

func (o *runOptions) sourceName() string {
	switch o.source {
	case srcKinesis:
		return "Kinesis stream"
	case srcDynamoDB:
		return "DynamoDB table stream"
	case srcKafka:
		return "Kafka topic"
	}
	if o.fifo {
		return "SQS FIFO queue"
	}
	return "SQS queue"
}

// settings describes the mapping for the summary.
func (o *runOptions) settings() string {
	var p []string
	add := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }
	add("batch size %d", o.batchSize)
	if o.window > 0 {
		add("batching window %s", o.window)
	}
	if o.source == srcSQS {
		if o.endpoint == "" || o.queueRead {
			add("visibility timeout %s", o.visibility)
			if o.maxReceive > 0 {
				add("maxReceiveCount %d", o.maxReceive)
			} else {
				add("no dead-letter queue")
			}
		}
	} else {
		if o.endpoint == "" {
			add("%s", plural(o.shards, "shard"))
		}
		add("MaximumRetryAttempts %d", o.maxRetry)
		if o.maxAge > 0 {
			add("MaximumRecordAge %s", o.maxAge)
		}
		if o.bisect {
			add("BisectBatchOnFunctionError")
		}
		if o.onFailure != "" {
			add("on-failure destination %s", o.onFailure)
		}
	}
	if o.noReport {
		add("without ReportBatchItemFailures")
	}
	add("timeout %s, %d MB", o.fn.timeout, o.fn.memory)
	return strings.Join(p, ", ")
}
