package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The settings each example's template gives, as written in
// examples/*/template.yaml.
func TestTemplateExamples(t *testing.T) {
	type want struct {
		event, typ, source string
		batchSize          int
		window             time.Duration // 0: not set
		report             bool
		fifo               bool
		visibility         time.Duration
		maxReceive         int
		retention          time.Duration
		maxRetry           int
		maxAge             time.Duration
		bisect             bool
		onFailure          string
		resource           string
		shards             int
	}
	tests := []struct {
		example string
		want    want
	}{
		{"sqs", want{event: "Orders", typ: "SQS", source: srcSQS, batchSize: 100, window: 5 * time.Second, report: true,
			visibility: 185 * time.Second, maxReceive: 5, retention: 345600 * time.Second}},
		{"sqsfifo", want{event: "Operations", typ: "SQS", source: srcSQS, batchSize: 10, report: true, fifo: true,
			visibility: 180 * time.Second, maxReceive: 5, retention: 345600 * time.Second}},
		{"sqsdelete", want{event: "Invoices", typ: "SQS", source: srcSQS, batchSize: 100, window: 5 * time.Second, report: false,
			visibility: 185 * time.Second, maxReceive: 5, retention: 345600 * time.Second}},
		{"kinesis", want{event: "Clicks", typ: "Kinesis", source: srcKinesis, batchSize: 500, report: true,
			maxRetry: 10, maxAge: 43200 * time.Second, bisect: true, onFailure: "FailedBatches", shards: 1}},
		{"dynamodb", want{event: "Changes", typ: "DynamoDB", source: srcDynamoDB, batchSize: 100, report: true,
			maxRetry: 10, maxAge: 43200 * time.Second, onFailure: "FailedBatches"}},
		{"kafka", want{event: "Payments", typ: "MSK", source: srcKafka, batchSize: 100, report: true,
			maxRetry: 10, onFailure: "FailedBatches", resource: "payments"}},
	}
	for _, tt := range tests {
		t.Run(tt.example, func(t *testing.T) {
			path := filepath.Join("..", "..", "examples", tt.example, "template.yaml")
			f, e, err := loadTemplate(path, "", "")
			if err != nil {
				t.Fatal(err)
			}
			// The function: every example's is called Function, built from
			// ./lambda by its Makefile, with a 30 s timeout and 256 MB.
			if f.id != "Function" || f.dir.err != nil || f.dir.value != filepath.Join("..", "..", "examples", tt.example, "lambda") {
				t.Errorf("function: got %s in %q (%v), want Function in examples/%s/lambda", f.id, f.dir.value, f.dir.err, tt.example)
			}
			if f.timeout.value != 30*time.Second || f.memory.value != 256 || f.handler.value != "bootstrap" || f.arch != "arm64" {
				t.Errorf("got timeout %s, memory %d, handler %q, arch %q; want 30s, 256, bootstrap, arm64", f.timeout.value, f.memory.value, f.handler.value, f.arch)
			}
			if f.timeout.where != "Resources.Function.Properties.Timeout" {
				t.Errorf("timeout read from %q, want Resources.Function.Properties.Timeout", f.timeout.where)
			}
			w := tt.want
			got := want{e.name, e.typ, e.source, e.batchSize.value, e.window.value, e.report.value, e.fifo.value,
				e.visibility.value, e.maxReceive.value, e.retention.value, e.maxRetry.value, e.maxAge.value,
				e.bisect.value, e.onFailure.value, e.resource.value, e.shards.value}
			if got != w {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			for name, err := range map[string]error{"BatchSize": e.batchSize.err, "window": e.window.err, "report": e.report.err,
				"fifo": e.fifo.err, "visibility": e.visibility.err, "maxReceive": e.maxReceive.err, "maxRetry": e.maxRetry.err,
				"maxAge": e.maxAge.err, "onFailure": e.onFailure.err} {
				if err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			if want := "Resources.Function.Properties.Events." + w.event + ".Properties.BatchSize"; e.batchSize.where != want {
				t.Errorf("batch size read from %q, want %q", e.batchSize.where, want)
			}
			if w.source == srcSQS && e.maxReceive.where != "Resources.Queue.Properties.RedrivePolicy.maxReceiveCount" {
				t.Errorf("maxReceiveCount read from %q, want the queue's RedrivePolicy", e.maxReceive.where)
			}
			if !w.report && !strings.Contains(e.report.where, "no FunctionResponseTypes") {
				t.Errorf("FunctionResponseTypes: got where %q, want it to say the template has none", e.report.where)
			}
			if w.source != srcSQS && !strings.Contains(strings.Join(e.notApplied, "\n"), "StartingPosition LATEST") {
				t.Errorf("not applied: got %q, want StartingPosition LATEST listed", e.notApplied)
			}
		})
	}
}

// writeTemplate writes a template into a directory with a Go main
// package, and returns its path.
func writeTemplate(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range map[string]string{
		"template.yaml": text,
		"fn/main.go":    "package main\n\nfunc main() {}\n",
		"lib/lib.go":    "package lib\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "template.yaml")
}

// What SAM and CloudFormation resolve before deployment is resolved the
// same way: Globals under the function's properties, parameters'
// defaults, Ref and GetAtt to resources in both forms, Sub over
// parameters, a redrive policy written as JSON.
func TestTemplateResolves(t *testing.T) {
	path := writeTemplate(t, `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Size: {Type: Number, Default: 7}
  Stage: {Type: String, Default: test}
Globals:
  Function:
    Timeout: 12
    MemorySize: 512
    Environment:
      Variables:
        SHARED: from-globals
        LEVEL: global
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      MemorySize: 1024
      Environment:
        Variables:
          LEVEL: own
          STAGE: !Sub "orders-${Stage}"
          LITERAL: !Sub "price-${!Amount}"
          TABLE: !Ref Table
          ARN: !GetAtt Queue.Arn
          REGION: !Ref AWS::Region
          GONE: !Ref AWS::NoValue
          COUNT: 3
      Events:
        Api:
          Type: Api
          Properties: {Path: /, Method: get}
        Jobs:
          Type: SQS
          Properties:
            Queue: {"Fn::GetAtt": [Queue, Arn]}
            BatchSize: !Ref Size
            FunctionResponseTypes: [ReportBatchItemFailures]
  Table:
    Type: AWS::DynamoDB::Table
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Stage}-jobs.fifo"
      FifoQueue: "true"
      VisibilityTimeout: "60"
      RedrivePolicy: '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:dlq.fifo", "maxReceiveCount": 3}'
`)
	f, e, err := loadTemplate(path, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if f.id != "Worker" || f.dir.value != filepath.Join(filepath.Dir(path), "fn") {
		t.Errorf("got function %s in %q, want Worker in fn", f.id, f.dir.value)
	}
	if f.timeout.value != 12*time.Second || f.timeout.where != "Globals.Function.Timeout" {
		t.Errorf("timeout: got %s from %q, want 12s from Globals.Function.Timeout", f.timeout.value, f.timeout.where)
	}
	if f.memory.value != 1024 || f.memory.where != "Resources.Worker.Properties.MemorySize" {
		t.Errorf("memory: got %d from %q, want the function's own 1024", f.memory.value, f.memory.where)
	}
	env := map[string]string{}
	for _, v := range f.env {
		env[v.key] = v.value
	}
	wantEnv := map[string]string{"SHARED": "from-globals", "LEVEL": "own", "STAGE": "orders-test", "LITERAL": "price-${Amount}", "COUNT": "3"}
	if !reflect.DeepEqual(env, wantEnv) {
		t.Errorf("environment: got %v, want %v", env, wantEnv)
	}
	skipped := strings.Join(f.skipped, "\n")
	for _, k := range []string{"TABLE: ", "ARN: ", "REGION: "} {
		if !strings.Contains(skipped, k) {
			t.Errorf("skipped: got %q, want %s listed", f.skipped, k)
		}
	}
	if strings.Contains(skipped, "GONE") || len(f.skipped) != 3 {
		t.Errorf("skipped: got %q, want TABLE, ARN and REGION only (AWS::NoValue removes GONE)", f.skipped)
	}
	if e.name != "Jobs" || e.batchSize.value != 7 || !e.report.value {
		t.Errorf("event: got %s, batch size %d, report %v; want Jobs, 7 (the parameter's default), true", e.name, e.batchSize.value, e.report.value)
	}
	if !e.fifo.value || e.visibility.value != time.Minute || e.maxReceive.value != 3 || e.resource.value != "test-jobs.fifo" {
		t.Errorf("queue: got fifo %v, visibility %s, maxReceiveCount %d, name %q; want true, 1m, 3, test-jobs.fifo", e.fifo.value, e.visibility.value, e.maxReceive.value, e.resource.value)
	}
}

// A template in JSON, with CloudFormation's long forms.
func TestTemplateJSON(t *testing.T) {
	path := writeTemplate(t, `{
  "Resources": {
    "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "fn", "Timeout": 9,
      "Events": {"S": {"Type": "Kinesis", "Properties": {"Stream": {"Fn::GetAtt": ["S", "Arn"]}, "StartingPosition": "TRIM_HORIZON",
        "MaximumRetryAttempts": 2, "MaximumRecordAgeInSeconds": -1, "ParallelizationFactor": 4,
        "DestinationConfig": {"OnFailure": {"Destination": {"Ref": "Topic"}}}}}}}},
    "S": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 3, "Name": "clicks"}},
    "Topic": {"Type": "AWS::SNS::Topic"}
  }
}`)
	_, e, err := loadTemplate(path, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if e.source != srcKinesis || e.shards.value != 3 || e.resource.value != "clicks" || e.maxRetry.value != 2 || e.maxAge.value != 0 || !e.maxAge.set() {
		t.Errorf("got %s, %d shards, stream %q, retries %d, max age %s; want kinesis, 3, clicks, 2, 0 (-1: none)", e.source, e.shards.value, e.resource.value, e.maxRetry.value, e.maxAge.value)
	}
	if e.report.value || e.onFailure.value != "Topic" || e.notSQS != "an AWS::SNS::Topic" {
		t.Errorf("got report %v, on-failure %q (%q); want false, Topic, an SNS topic", e.report.value, e.onFailure.value, e.notSQS)
	}
	if na := strings.Join(e.notApplied, "\n"); !strings.Contains(na, "ParallelizationFactor 4") {
		t.Errorf("not applied: got %q, want ParallelizationFactor 4", e.notApplied)
	}
}

// Each mistake gets its own error, which names the file and the
// property.
func TestTemplateErrors(t *testing.T) {
	const fn = `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
`
	const sqsEvent = `
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
`
	const queue = `
  Queue:
    Type: AWS::SQS::Queue
`
	tests := []struct {
		name, template    string
		function, event   string
		kind              error
		property, message string
	}{
		{"malformed YAML", "Resources:\n  Fn: [unclosed\n", "", "", errTemplateSyntax, "", "line"},
		{"not a mapping", "- a\n- b\n", "", "", errTemplateSyntax, "", "top level"},
		{"no function", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n", "", "", errNoFunction, "Resources", "AWS::Serverless::Function"},
		{"a plain Lambda function", "Resources:\n  L:\n    Type: AWS::Lambda::Function\n", "", "", errNoFunction, "Resources", "L is an AWS::Lambda::Function"},
		{"several functions", "Resources:" + fn + strings.Replace(fn, "Fn:", "Other:", 1), "", "", errSeveralFunctions, "Resources", "Fn, Other: give --function"},
		{"an unknown function", "Resources:" + fn, "Nope", "", errUnknownFunction, "", "--function Nope"},
		{"a function that is a queue", "Resources:" + fn + queue, "Queue", "", errUnknownFunction, "Resources.Queue", "AWS::SQS::Queue"},
		{"no event", "Resources:" + fn, "", "", errNoEventSource, "Resources.Fn.Properties.Events", "no SQS, Kinesis"},
		{"only an API event", "Resources:" + fn + "      Events:\n        A:\n          Type: Api\n", "", "", errNoEventSource, "Resources.Fn.Properties.Events", "A (Api)"},
		{"an unsupported batch event", "Resources:" + fn + "      Events:\n        M:\n          Type: MQ\n", "", "", errUnsupportedEvent, "Resources.Fn.Properties.Events.M.Type", "MQ is a batch event source the runner does not run"},
		{"an API event picked", "Resources:" + fn + "      Events:\n        A:\n          Type: Api\n", "", "A", errUnsupportedEvent, "Resources.Fn.Properties.Events.A.Type", "Api is not a batch event source"},
		{"several batch events", "Resources:" + fn + sqsEvent + "        K:\n          Type: Kinesis\n" + queue, "", "", errSeveralEventSources, "Resources.Fn.Properties.Events", "Q (SQS), K (Kinesis): give --event-source"},
		{"an unknown event", "Resources:" + fn + sqsEvent + queue, "", "Nope", errUnknownEventSource, "Resources.Fn.Properties.Events", "Q (SQS)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemplate(t, tt.template)
			_, _, err := loadTemplate(path, tt.function, tt.event)
			checkTemplateError(t, err, path, tt.kind, tt.property, tt.message)
		})
	}
	t.Run("a missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.yaml")
		_, _, err := loadTemplate(path, "", "")
		checkTemplateError(t, err, path, fs.ErrNotExist, "", "SAM template")
	})
}

func checkTemplateError(t *testing.T, err error, path string, kind error, property, message string) {
	t.Helper()
	var te *templateError
	if !errors.As(err, &te) || !errors.Is(err, kind) {
		t.Fatalf("got %v, want a *templateError of kind %v", err, kind)
	}
	if te.Path != path || te.Property != property || !strings.Contains(err.Error(), message) {
		t.Errorf("got %q (path %s, property %q), want path %s, property %q, a message containing %q", err, te.Path, te.Property, path, property, message)
	}
}
