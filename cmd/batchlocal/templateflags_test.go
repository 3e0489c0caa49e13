package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A value the runner cannot read stops the command, naming the property,
// unless a flag gives the value; the errors come before any build.
func TestTemplateValueErrors(t *testing.T) {
	const head = `
Parameters:
  NoDefault: {Type: Number}
Conditions:
  Prod: !Equals [a, b]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: %s
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: %s
            BatchSize: %s
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: %s
  Topic:
    Type: AWS::SNS::Topic
`
	fill := func(codeURI, queue, batchSize, visibility string) string {
		return fmt.Sprintf(head, codeURI, queue, batchSize, visibility)
	}
	tests := []struct {
		name, template, flag string
		kind                 error
		property, message    string
	}{
		{"!If", fill("fn", "!GetAtt Queue.Arn", "!If [Prod, 10, 5]", "30"), "--batch-size",
			errNotLiteral, "Resources.Fn.Properties.Events.Q.Properties.BatchSize", "!If is resolved only when the stack is deployed; or give --batch-size"},
		{"a parameter without a default", fill("fn", "!GetAtt Queue.Arn", "5", "!Ref NoDefault"), "--visibility-timeout",
			errNotLiteral, "Resources.Queue.Properties.VisibilityTimeout", "NoDefault: the parameter has no Default"},
		{"a pseudo parameter", fill("fn", "!GetAtt Queue.Arn", "!Ref AWS::AccountId", "30"), "--batch-size",
			errNotLiteral, "Resources.Fn.Properties.Events.Q.Properties.BatchSize", "AWS::AccountId is known only when the stack is deployed"},
		{"not a number", fill("fn", "!GetAtt Queue.Arn", "ten", "30"), "--batch-size",
			errBadValue, "Resources.Fn.Properties.Events.Q.Properties.BatchSize", `"ten" is not a whole number`},
		{"a ref to a resource where a number goes", fill("fn", "!GetAtt Queue.Arn", "!Ref Queue", "30"), "--batch-size",
			errNotLiteral, "Resources.Fn.Properties.Events.Q.Properties.BatchSize", "a reference to the resource Queue"},
		{"a queue that is a topic", fill("fn", "!Ref Topic", "5", "30"), "--fifo",
			errBadValue, "Resources.Fn.Properties.Events.Q.Properties.Queue", "Topic is an AWS::SNS::Topic, not an AWS::SQS::Queue"},
		{"a GetAtt of nothing", fill("fn", "!GetAtt Nope.Arn", "5", "30"), "--fifo",
			errNotLiteral, "Resources.Fn.Properties.Events.Q.Properties.Queue", "!GetAtt"},
		{"CodeUri on S3", fill("s3://bucket/code.zip", "!GetAtt Queue.Arn", "5", "30"), "FUNCTION",
			errNoMainPackage, "Resources.Fn.Properties.CodeUri", "an S3 location"},
		{"CodeUri without a main package", fill("lib", "!GetAtt Queue.Arn", "5", "30"), "FUNCTION",
			errNoMainPackage, "Resources.Fn.Properties.CodeUri", "not a main package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemplate(t, tt.template)
			_, _, err := cli(t, "run", "--template", path, "--send", "1")
			checkTemplateError(t, err, path, tt.kind, tt.property, tt.message)
			if !strings.Contains(err.Error(), tt.flag) {
				t.Errorf("got %q, want it to name %s", err, tt.flag)
			}
		})
	}
}

// The SQS example's template, run as its README's first command runs
// it: the template's batch size, window, visibility timeout and
// maxReceiveCount apply, and exactly the poison messages end in the
// dead-letter queue, after maxReceiveCount (5) receives.
func TestTemplateRunSQS(t *testing.T) {
	s := runJSON(t, "--template", filepath.Join("..", "..", "examples", "sqs", "template.yaml"), "--send", "100", "--poison", "5%")
	want := poisonBodies(srcSQS, false, 100, 0.05, 4)
	if got := sorted(payloads(s.Failed, "dead-lettered")); len(want) != 5 || !reflect.DeepEqual(got, want) {
		t.Errorf("dead-lettered: got %q, want the 5 poison messages %q", got, want)
	}
	if s.Records != 100 || s.Outcomes["processed"] != 95 || len(s.Failed) != 5 || s.Duplicates != 0 {
		t.Errorf("got %d records, outcomes %v, %d duplicates; want 100, 95 processed and the poison dead-lettered, no duplicate", s.Records, s.Outcomes, s.Duplicates)
	}
	for _, f := range s.Failed {
		if f.Deliveries != 5 || !strings.Contains(f.Reason, "maxReceiveCount 5") {
			t.Errorf("%s: got %d deliveries, reason %q; want 5 receives (the template's maxReceiveCount), then the dead-letter queue", f.ID, f.Deliveries, f.Reason)
		}
	}
	if s.Function != "sqs" || s.Template == nil {
		t.Fatalf("got function %q, template %+v; want sqs, built from the template's CodeUri and Makefile", s.Function, s.Template)
	}
	checkOrigins(t, s.Template, map[string]string{
		"BatchSize":                      "100 template",
		"MaximumBatchingWindowInSeconds": "5s template",
		"VisibilityTimeout":              "185s template",
		"maxReceiveCount":                "5 template",
		"MessageRetentionPeriod":         "345600s template",
		"Timeout":                        "30s template",
		"MemorySize":                     "256 template",
		"FunctionResponseTypes":          "ReportBatchItemFailures template",
		"FifoQueue":                      "false default",
	})
	if want := "batch size 100, batching window 5s, visibility timeout 3m5s, maxReceiveCount 5, timeout 30s, 256 MB"; s.Settings != want {
		t.Errorf("settings: got %q, want %q", s.Settings, want)
	}
}

func checkOrigins(t *testing.T, r *templateReport, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, s := range r.Settings {
		got[s.Setting] = s.Value + " " + s.From
		if s.From == fromTemplate && s.Property == "" {
			t.Errorf("%s: from the template, without the property", s.Setting)
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
}

// Flags override the template, and the report says so; they also stand
// in for values the runner cannot read.
func TestTemplateFlagsOverride(t *testing.T) {
	path := writeTemplate(t, `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/code.zip
      Timeout: 30
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: !If [Prod, 10, 5]
            FunctionResponseTypes: [ReportBatchItemFailures]
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 185
      RedrivePolicy: {deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 5}
  DLQ:
    Type: AWS::SQS::Queue
`)
	s := runJSON(t, function(t, "examples/sqs"), "--template", path, "--batch-size", "4", "--max-receive-count", "2", "--timeout", "10s",
		"--send", "40", "--poison", "5%")
	checkOrigins(t, s.Template, map[string]string{
		"CodeUri":           function(t, "examples/sqs") + " flag",
		"BatchSize":         "4 flag",
		"maxReceiveCount":   "2 flag",
		"Timeout":           "10s flag",
		"VisibilityTimeout": "185s template",
	})
	if s.Outcomes["dead-lettered"] != 2 || len(s.Failed) != 2 || s.Failed[0].Deliveries != 2 {
		t.Errorf("got outcomes %v, failed %+v; want 2 dead-lettered after 2 receives (--max-receive-count)", s.Outcomes, s.Failed)
	}
}

// A mapping without ReportBatchItemFailures: a warning on stderr and in
// the report, and the run does as Lambda does: a reported message is
// deleted all the same.
func TestTemplateWithoutReportBatchItemFailures(t *testing.T) {
	tmpl := filepath.Join("..", "..", "examples", "sqsdelete", "template.yaml")
	out, errOut, err := cli(t, "run", function(t, "examples/sqs"), "--template", tmpl, "--send", "40", "--poison", "5%", "--json", "--progress", "never")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "warning: the event Invoices has no ReportBatchItemFailures") || len(s.Template.Warnings) != 1 {
		t.Errorf("got stderr %q, warnings %q; want the warning in both", errOut, s.Template.Warnings)
	}
	checkOrigins(t, s.Template, map[string]string{"FunctionResponseTypes": "without ReportBatchItemFailures template"})
	if s.Outcomes["discarded"] != 2 || s.Outcomes["processed"] != 38 {
		t.Errorf("got outcomes %v; want the 2 reported messages discarded, as Lambda ignores the response", s.Outcomes)
	}
}

// invoke takes the function's settings (here its environment, without
// which testdata/initfail does not start) and the mapping's
// FunctionResponseTypes from a template.
func TestTemplateInvoke(t *testing.T) {
	dir := t.TempDir()
	initfail, err := filepath.Abs(filepath.Join("testdata", "initfail"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(path, []byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: `+initfail+`
      Timeout: 7
      Environment:
        Variables:
          TABLE_NAME: orders
          QUEUE_URL: !Ref Queue
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := cli(t, "invoke", "--template", path, "--json", "--function-log", "none")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var v verdict
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if v.Error != nil || v.Source != "SQS FIFO" || v.Lambda.ReportBatchItemFailures {
		t.Errorf("got error %+v, source %s, ReportBatchItemFailures %v; want a success with TABLE_NAME from the template, a FIFO sample, the response ignored", v.Error, v.Source, v.Lambda.ReportBatchItemFailures)
	}
	checkOrigins(t, v.Template, map[string]string{"Timeout": "7s template", "Environment.Variables.TABLE_NAME": "orders template"})
	if len(v.Template.SkippedEnvironment) != 1 || !strings.HasPrefix(v.Template.SkippedEnvironment[0], "QUEUE_URL: ") {
		t.Errorf("skipped: got %q, want QUEUE_URL", v.Template.SkippedEnvironment)
	}

	// --env replaces a variable of the template: an empty TABLE_NAME
	// fails the init.
	out, _, err = cli(t, "invoke", "--template", path, "--json", "--function-log", "none", "--env", "TABLE_NAME=")
	if err != nil {
		t.Fatal(err)
	}
	v = verdict{}
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Error == nil {
		t.Errorf("with --env TABLE_NAME=: got %v, error %+v; want the init to fail", err, v.Error)
	}
}

// A template value that Lambda refuses is refused as a flag's is, naming
// the property it came from.
func TestTemplateValueLambdaRefuses(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "sqsfifo", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), "BatchSize: 10", "BatchSize: 11", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = cli(t, "run", function(t, "examples/sqsfifo"), "--template", path, "--send", "1")
	var u *usageError
	want := path + ": Resources.Function.Properties.Events.Operations.Properties.BatchSize 11: Lambda accepts 1 to 10"
	if !errors.As(err, &u) || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want a usage error containing %q", err, want)
	}
}
