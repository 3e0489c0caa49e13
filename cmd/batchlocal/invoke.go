package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/contract"
	"github.com/seed-45ee126e/batch/internal/fake"
	"github.com/seed-45ee126e/batch/internal/runtimeapi"
)

const invokeUsage = `Usage: batchlocal invoke FUNCTION [EVENT] [flags]

Invokes the function once, under a local Lambda Runtime API, with EVENT (a
JSON file, or - for standard input) or, without it, a sample batch of
--records records of --source. Prints the response, then what Lambda does
with it: which records are retried, where a stream's checkpoint goes, or
why the whole batch is retried (a function error, a timeout, or an
identifier that is empty, unknown or under a wrong key).

With --template, FUNCTION is optional (the template's), and so is EVENT:
batchlocal invoke --template FILE [FUNCTION] [EVENT].

Examples:
  batchlocal invoke ./examples/sqs/lambda ./examples/sqs/events/event.json
  batchlocal invoke ./bootstrap --source kinesis --records 20 --poison 10%
  batchlocal invoke --template ./examples/sqs/template.yaml ./examples/sqs/events/event.json
`

type invokeOptions struct {
	fn       functionFlags
	tf       templateFlags
	source   string
	fifo     bool
	records  int
	poison   share
	json     bool
	noReport bool
}

func invokeCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o invokeOptions
	fs := newFlags("invoke", invokeUsage, stdout)
	o.fn.register(fs, "-")
	fs.StringVar(&o.source, "source", srcSQS, "the source of the sample batch, when no EVENT is given: sqs, kinesis, dynamodb or kafka; the event's own otherwise")
	fs.BoolVar(&o.fifo, "fifo", false, "a sample batch from a FIFO queue")
	fs.IntVar(&o.records, "records", 5, "the records of the sample batch")
	fs.Var(&o.poison, "poison", "the share of the sample's records that the examples' functions fail on, such as 20%")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON, for scripts")
	fs.BoolVar(&o.noReport, "no-report-batch-item-failures", false, "read the response as a mapping without ReportBatchItemFailures does: it is ignored")
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
	var fnArg, eventArg string
	switch n := fs.NArg(); {
	case n == 2:
		fnArg, eventArg = fs.Arg(0), fs.Arg(1)
	case n == 1 && o.tf.path != "" && isEventFile(fs.Arg(0)):
		eventArg = fs.Arg(0)
	case n == 1:
		fnArg = fs.Arg(0)
	case n > 2 || o.tf.path == "":
		return usagef("invoke takes FUNCTION and an optional EVENT (see batchlocal invoke --help)")
	}
	var tmpl *templateReport
	if o.tf.path != "" {
		var err error
		if fnArg, tmpl, err = o.applyTemplate(fs, &o.tf, fnArg); err != nil {
			return err
		}
		for _, w := range tmpl.Warnings {
			fmt.Fprintf(stderr, "batchlocal: warning: %s\n", w)
		}
	}
	if err := checkSource(o.source); err != nil {
		return err
	}

	// The event first: a malformed file is reported before any build.
	var payload []byte
	var err error
	if eventArg != "" {
		payload, err = readEvent(eventArg)
	} else {
		payload, err = sampleEvent(o.source, o.fifo, o.records, float64(o.poison))
	}
	if err != nil {
		return err
	}
	b, err := describeBatch(payload)
	if err != nil {
		name := "the event"
		if eventArg != "" {
			name = eventArg
		}
		return fmt.Errorf("%s: %w", name, err)
	}

	lf, name, stop, err := startFunction(ctx, fnArg, &o.fn, stderr)
	if err != nil {
		return err
	}
	defer stop()

	id := runtimeapi.NewRequestID()
	fmt.Fprintf(lf.log, "START RequestId: %s Version: $LATEST\n", id)
	res, err := lf.fn.Invoke(ctx, id, payload)
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	lf.record(res)
	fmt.Fprintf(lf.log, "END RequestId: %s\n%s\n", id, reportLine(res, o.fn.memory))

	funcErr := ""
	if res.Failed {
		funcErr = newFunctionError(res).Error()
	}
	out := contract.Decide(b.src, b.ids, b.keys, res.Payload, funcErr)
	v := verdictOf(b, out, o.noReport, res)
	v.Function = name
	v.Template = tmpl
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	printVerdict(stdout, v)
	return nil
}

// readEvent reads an event file, or standard input for "-".
func readEvent(path string) ([]byte, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(os.Stdin)
		path = "standard input"
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, jsonError(path, b, err)
	}
	return b, nil
}

// sampleEvent builds an event of n generated records, as Lambda delivers
// them (package internal/fake, which batchtest's builders use too).
func sampleEvent(src string, fifo bool, n int, poison float64) ([]byte, error) {
	if n < 1 {
		return nil, usagef("--records %d: want at least 1", n)
	}
	items := generate(src, fifo, n, poison, 3)
	var ev any
	switch src {
	case srcSQS:
		name := "orders"
		if fifo {
			name = "accounts.fifo"
		}
		q := fake.NewSQSQueue(name)
		var msgs []events.SQSMessage
		for _, it := range items {
			group := ""
			if fifo {
				group = it.key
			}
			msgs = append(msgs, q.GroupMessage(group, it.body))
		}
		ev = fake.SQSEvent(msgs...)
	case srcKinesis:
		s := fake.NewKinesisStream("clicks", 1)
		var recs []events.KinesisEventRecord
		for _, it := range items {
			recs = append(recs, s.Record(it.key, []byte(it.body)))
		}
		ev = fake.KinesisEvent(recs...)
	case srcDynamoDB:
		t := fake.NewDynamoDBTable("orders", 1)
		var recs []events.DynamoDBEventRecord
		for _, it := range items {
			recs = append(recs, dynamoRecord(t, it.change))
		}
		ev = fake.DynamoDBEvent(recs...)
	case srcKafka:
		t := fake.NewKafkaTopic("payments", 2)
		var recs []events.KafkaRecord
		for _, it := range items {
			r := t.Record([]byte(it.key), []byte(it.body))
			r.Headers = it.headers
			recs = append(recs, r)
		}
		ev = fake.KafkaEvent(recs...)
	}
	return json.Marshal(ev)
}

func dynamoRecord(t *fake.DynamoDBTable, c *change) events.DynamoDBEventRecord {
	switch c.op {
	case "INSERT":
		return t.Insert(c.keys, c.newImage)
	case "MODIFY":
		return t.Modify(c.keys, c.oldImage, c.newImage)
	}
	return t.Remove(c.keys, c.oldImage)
}

// batch is what the verdict needs to know of an event: its source, and
// each record's identifier (as contract takes it), key (shard,
// topic-partition, FIFO group) and a short description.
type batch struct {
	src    contract.Source
	fifo   bool
	ids    []string
	keys   []string
	labels []string
}

// describeBatch reads an event and tells its source from its
// eventSource fields.
func describeBatch(payload []byte) (*batch, error) {
	var probe struct {
		Records []struct {
			EventSource  string `json:"eventSource"`
			EventSource2 string `json:"EventSource"`
		} `json:"Records"`
		EventSource string                     `json:"eventSource"`
		KafkaRecs   map[string]json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("not an event of SQS, Kinesis, DynamoDB Streams or Kafka: %v", err)
	}
	b := &batch{}
	switch {
	case probe.EventSource == "aws:kafka" || probe.EventSource == "SelfManagedKafka" || probe.KafkaRecs != nil:
		var ev events.KafkaEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("not a Kafka event: %v", err)
		}
		b.src = contract.Kafka
		for _, tp := range sortedKeys(ev.Records) {
			for _, r := range ev.Records[tp] {
				b.ids = append(b.ids, contract.KafkaID(tp, r.Offset))
				b.keys = append(b.keys, tp)
				value, _ := decodeBase64(r.Value)
				b.labels = append(b.labels, value)
			}
		}
	case len(probe.Records) == 0:
		return nil, errors.New(`no records: want an event with "Records" (SQS, Kinesis, DynamoDB Streams) or "records" (Kafka)`)
	default:
		switch es := probe.Records[0].EventSource + probe.Records[0].EventSource2; es {
		case "aws:sqs":
			var ev events.SQSEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, fmt.Errorf("not an SQS event: %v", err)
			}
			b.src = contract.SQS
			b.fifo = strings.HasSuffix(ev.Records[0].EventSourceARN, ".fifo")
			for _, m := range ev.Records {
				b.ids = append(b.ids, m.MessageId)
				b.keys = append(b.keys, m.Attributes["MessageGroupId"])
				b.labels = append(b.labels, m.Body)
			}
			if !b.fifo {
				b.keys = nil
			}
		case "aws:kinesis":
			var ev events.KinesisEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, fmt.Errorf("not a Kinesis event: %v", err)
			}
			b.src = contract.Kinesis
			for _, r := range ev.Records {
				b.ids = append(b.ids, r.Kinesis.SequenceNumber)
				shard, _, _ := strings.Cut(r.EventID, ":")
				b.keys = append(b.keys, shard)
				b.labels = append(b.labels, string(r.Kinesis.Data))
			}
		case "aws:dynamodb":
			var ev events.DynamoDBEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, fmt.Errorf("not a DynamoDB Streams event: %v", err)
			}
			b.src = contract.DynamoDB
			for _, r := range ev.Records {
				b.ids = append(b.ids, r.Change.SequenceNumber)
				b.labels = append(b.labels, r.EventName+" "+keyString(r.Change.Keys))
			}
		default:
			return nil, fmt.Errorf("eventSource %q: want aws:sqs, aws:kinesis, aws:dynamodb or aws:kafka", es)
		}
	}
	return b, nil
}

func decodeBase64(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	return string(b), err
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// verdict is what invoke prints: the invocation and what Lambda does.
type verdict struct {
	Function   string          `json:"function"`
	Source     string          `json:"source"`
	RequestID  string          `json:"requestId"`
	DurationMS float64         `json:"durationMs"`
	InitMS     float64         `json:"initMs,omitempty"`
	Response   json.RawMessage `json:"response,omitempty"`
	Error      *functionError  `json:"error,omitempty"`
	Records    int             `json:"records"`
	Lambda     lambdaAction    `json:"lambda"`
	// Template says where each setting came from, with --template.
	Template *templateReport `json:"template,omitempty"`
}

// lambdaAction says what the event source mapping does next.
type lambdaAction struct {
	// ReportBatchItemFailures is false when the mapping ignores the
	// response.
	ReportBatchItemFailures bool `json:"reportBatchItemFailures"`
	// BatchRetried and Reason: the whole batch is retried, and why.
	BatchRetried bool   `json:"batchRetried"`
	Reason       string `json:"reason,omitempty"`
	// Reported lists the identifiers the response reports; Retried those
	// of the records delivered again.
	Reported []string `json:"reported"`
	Retried  []string `json:"retried"`
	// Checkpoints maps each shard or topic-partition read again to the
	// identifier it resumes at (streams, Kafka).
	Checkpoints map[string]string `json:"checkpoints,omitempty"`
	// Lost lists the reported records a mapping without
	// ReportBatchItemFailures deletes or reads past.
	Lost     []string `json:"lost,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	labels   map[string]string
}

func verdictOf(b *batch, o contract.Outcome, noReport bool, res runtimeapi.Result) verdict {
	v := verdict{
		Source:     b.src.String(),
		RequestID:  res.RequestID,
		DurationMS: ms(res.Duration),
		InitMS:     ms(res.Init),
		Records:    len(b.ids),
	}
	if b.fifo {
		v.Source = "SQS FIFO"
	}
	if res.Failed {
		v.Error = newFunctionError(res)
	} else if body := bytes.TrimSpace(res.Payload); len(body) > 0 {
		if json.Valid(body) {
			v.Response = body
		} else {
			v.Response, _ = json.Marshal(string(body))
		}
	}
	a := lambdaAction{ReportBatchItemFailures: !noReport, Reported: []string{}, Retried: []string{}, labels: map[string]string{}}
	for i, id := range b.ids {
		a.labels[id] = b.labels[i]
	}
	for _, p := range o.Reported {
		a.Reported = append(a.Reported, b.ids[p])
	}
	switch {
	case noReport && res.Failed:
		a.BatchRetried, a.Reason = true, o.Reason
		a.Retried = append([]string{}, b.ids...)
	case noReport:
		// Lambda ignores the response: the batch succeeded as a whole.
		a.Lost = a.Reported
	default:
		a.BatchRetried, a.Reason = o.Reason != "", o.Reason
		for _, p := range o.Retried {
			a.Retried = append(a.Retried, b.ids[p])
		}
		if o.Checkpoints != nil {
			a.Checkpoints = map[string]string{}
			for k, p := range o.Checkpoints {
				if k == "" {
					k = "shard"
				}
				a.Checkpoints[k] = b.ids[p]
			}
		}
		a.Warnings = o.Warnings
	}
	v.Lambda = a
	return v
}

func printVerdict(w io.Writer, v verdict) {
	fmt.Fprintf(w, "Invoked %s: %s event, %d records, %.1f ms", v.Function, v.Source, v.Records, v.DurationMS)
	if v.InitMS > 0 {
		fmt.Fprintf(w, " (cold start, init %.1f ms)", v.InitMS)
	}
	fmt.Fprintln(w)
	if v.Error != nil {
		fmt.Fprintf(w, "\nThe invocation failed: %s\n", v.Error)
	} else {
		fmt.Fprintln(w, "\nResponse:")
		if len(v.Response) == 0 {
			fmt.Fprintln(w, "  (empty)")
		} else {
			var pretty bytes.Buffer
			if json.Indent(&pretty, v.Response, "  ", "  ") == nil {
				fmt.Fprintf(w, "  %s\n", pretty.String())
			} else {
				fmt.Fprintf(w, "  %s\n", v.Response)
			}
		}
	}
	a := v.Lambda
	unit := "records"
	if strings.HasPrefix(v.Source, "SQS") {
		unit = "messages"
	}
	fmt.Fprintf(w, "\nWhat Lambda does (%s", v.Source)
	if a.ReportBatchItemFailures {
		fmt.Fprintln(w, ", ReportBatchItemFailures on):")
	} else {
		fmt.Fprintln(w, ", without ReportBatchItemFailures: the response is ignored):")
	}
	list := func(ids []string) {
		for _, id := range ids {
			fmt.Fprintf(w, "    %s  %s\n", id, excerpt(a.labels[id], 60))
		}
	}
	switch {
	case a.BatchRetried:
		fmt.Fprintf(w, "  The whole batch of %d %s is retried: %s\n", v.Records, unit, a.Reason)
		if strings.HasPrefix(v.Source, "SQS") {
			fmt.Fprintln(w, "  (every message comes back after the visibility timeout)")
		} else {
			for shard, id := range a.Checkpoints {
				fmt.Fprintf(w, "  %s is read again from %s\n", shard, id)
			}
		}
	case len(a.Lost) > 0:
		fmt.Fprintf(w, "  The invocation succeeded: all %d %s leave the source, and the %d the response reports are lost:\n", v.Records, unit, len(a.Lost))
		list(a.Lost)
	case len(a.Retried) == 0:
		fmt.Fprintf(w, "  All %d %s succeeded", v.Records, unit)
		if strings.HasPrefix(v.Source, "SQS") {
			fmt.Fprintln(w, " and are deleted.")
		} else {
			fmt.Fprintln(w, ": the checkpoint moves past the batch.")
		}
	case strings.HasPrefix(v.Source, "SQS"):
		fmt.Fprintf(w, "  %d %s are deleted; %d are retried after the visibility timeout:\n", v.Records-len(a.Retried), unit, len(a.Retried))
		list(a.Retried)
	default:
		for _, shard := range sortedKeys(a.Checkpoints) {
			fmt.Fprintf(w, "  %s: checkpoint at %s; read again from there:\n", shard, a.Checkpoints[shard])
		}
		list(a.Retried)
		fmt.Fprintf(w, "  (%d reported; the records after the checkpoint that succeeded are delivered again too)\n", len(a.Reported))
	}
	for _, warn := range a.Warnings {
		fmt.Fprintf(w, "  Warning: %s\n", warn)
	}
	if v.Template != nil {
		fmt.Fprintln(w)
		printTemplate(w, v.Template)
	}
}

// excerpt shortens s to about n characters, on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
