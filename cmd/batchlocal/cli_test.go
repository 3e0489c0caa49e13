package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// invoke on each example's sample event says what Lambda does with the
// response: the SQS messages retried, the checkpoint of a stream or a
// Kafka partition.
func TestInvokeExamples(t *testing.T) {
	tests := []struct {
		example     string
		source      string
		retried     []string
		checkpoints map[string]string
	}{
		{"sqs", "SQS", []string{"0f21ddb6-6cad-4a26-8d11-6ece1738f7d9", "6b4cb242-4a23-4596-a217-beaddbc496cb"}, nil},
		{"sqsfifo", "SQS FIFO", []string{"451abd81-f1d6-4ed6-97f5-e837d70820fe", "66d22876-72fd-4202-aa96-fb1a14a0f9e7"}, nil},
		{"kinesis", "Kinesis", nil, map[string]string{"shardId-000000000002": "49657000000000000000000000000000000005444517870735015938"}},
		{"dynamodb", "DynamoDB Streams", nil, map[string]string{"shard": "5550000000000000012347678"}},
		{"kafka", "Kafka", []string{"payments-0@101", "payments-0@102"}, map[string]string{"payments-0": "payments-0@101"}},
	}
	for _, tt := range tests {
		t.Run(tt.example, func(t *testing.T) {
			event := filepath.Join("..", "..", "examples", tt.example, "events", "event.json")
			out, errOut, err := cli(t, "invoke", function(t, "examples/"+tt.example), event, "--json", "--function-log", "none")
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			var v verdict
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if v.Source != tt.source || v.Error != nil || v.Lambda.BatchRetried {
				t.Errorf("got source %q, error %v, batch retried %v; want %s, a partial failure", v.Source, v.Error, v.Lambda.BatchRetried, tt.source)
			}
			if tt.retried != nil && !reflect.DeepEqual(v.Lambda.Retried, tt.retried) {
				t.Errorf("retried: got %q, want %q", v.Lambda.Retried, tt.retried)
			}
			if tt.checkpoints != nil && !reflect.DeepEqual(v.Lambda.Checkpoints, tt.checkpoints) {
				t.Errorf("checkpoints: got %q, want %q", v.Lambda.Checkpoints, tt.checkpoints)
			}
			if v.InitMS <= 0 || v.RequestID == "" {
				t.Errorf("got init %v ms, request id %q; want a cold start with an id", v.InitMS, v.RequestID)
			}
		})
	}
}

// A sample batch per source, generated when no event is given, goes
// through the example of that source: the poison records are retried.
func TestInvokeSamples(t *testing.T) {
	for _, src := range sourceNames {
		t.Run(src, func(t *testing.T) {
			out, errOut, err := cli(t, "invoke", function(t, "examples/"+src), "--source", src, "--records", "10", "--poison", "10%", "--json", "--function-log", "none")
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			var v verdict
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatal(err)
			}
			if v.Records != 10 || len(v.Lambda.Reported) == 0 || v.Lambda.BatchRetried {
				t.Errorf("got %d records, reported %q, batch retried %v; want 10, the poison reported", v.Records, v.Lambda.Reported, v.Lambda.BatchRetried)
			}
		})
	}
}

// The text output says what happens, in words.
func TestInvokeText(t *testing.T) {
	out, _, err := cli(t, "invoke", function(t, "examples/sqs"), filepath.Join("..", "..", "examples", "sqs", "events", "event.json"), "--function-log", "none")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Response:", "2 messages are deleted; 2 are retried after the visibility timeout", "0f21ddb6-6cad-4a26-8d11-6ece1738f7d9"} {
		if !strings.Contains(out, want) {
			t.Errorf("got\n%s\nwant it to contain %q", out, want)
		}
	}
	_, _, err = cli(t, "invoke", function(t, "examples/sqs"), filepath.Join("..", "..", "examples", "sqs", "events", "event.json"), "--no-report-batch-item-failures", "--function-log", "none")
	if err != nil {
		t.Fatal(err)
	}
}

// A function whose init fails: Lambda tries the init again in the
// invoke phase, then fails the invocation with Runtime.ExitError, and
// retries the whole batch.
func TestInvokeInitError(t *testing.T) {
	bin := function(t, "testdata/initfail")
	out, _, err := cli(t, "invoke", bin, "--json", "--function-log", "none")
	if err != nil {
		t.Fatal(err)
	}
	var v verdict
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if v.Error == nil || v.Error.Type != "Runtime.ExitError" || !strings.Contains(v.Error.Message, "Runtime exited with error: exit status 1") {
		t.Errorf("got error %+v, want Runtime.ExitError with the exit status", v.Error)
	}
	if !v.Lambda.BatchRetried || len(v.Lambda.Retried) != 5 {
		t.Errorf("got %+v, want the whole batch retried", v.Lambda)
	}
	// With its configuration, the same function starts.
	out, _, err = cli(t, "invoke", bin, "--json", "--function-log", "none", "--env", "TABLE_NAME=orders")
	if err != nil {
		t.Fatal(err)
	}
	v = verdict{}
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Error != nil {
		t.Errorf("with TABLE_NAME: got %v, error %+v; want a success", err, v.Error)
	}
}

// Ctrl-C stops the run and the function, with every process it started,
// and the command exits with status 130.
func TestInterruptLeavesNoChild(t *testing.T) {
	exe := filepath.Join(binDir, "batchlocal")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the command: %v\n%s", err, out)
	}
	pidfile := filepath.Join(t.TempDir(), "pids")
	cmd := exec.Command(exe, "run", function(t, "testdata/slow"), "--messages", lines(t, "slow"), "--timeout", "5m",
		"--env", "PIDFILE="+pidfile)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(pidfile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the function did not start: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).ExitStatus() != 130 {
			t.Errorf("got %v, want exit status 130\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the command did not stop within 10s of Ctrl-C")
	}
	checkDead(t, pidfile)
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("got stderr %q, want it to say it was interrupted", stderr.String())
	}
}

// Mistakes get errors that say what is wrong and what to do.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken")
	notMain := filepath.Join(dir, "lib")
	empty := filepath.Join(dir, "empty")
	for path, src := range map[string]string{
		filepath.Join(broken, "go.mod"):  "module broken\n\ngo 1.21\n",
		filepath.Join(broken, "main.go"): "package main\n\nfunc main() { undefinedCall() }\n",
		filepath.Join(notMain, "lib.go"): "package lib\n",
		filepath.Join(dir, "bad.json"):   "{\n  \"Records\": [\n    {\"eventSource\": \"aws:sqs\",}\n  ]\n}\n",
		filepath.Join(dir, "other.json"): `{"Records":[{"eventSource":"aws:s3"}]}`,
		filepath.Join(dir, "ddb.jsonl"):  "{\"eventName\":\"INSERT\"}\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	sqsFn := function(t, "examples/sqs")
	tests := []struct {
		name  string
		args  []string
		want  string
		usage bool
	}{
		{"a wrong path", []string{"invoke", filepath.Join(dir, "nope")}, "no such file or directory", false},
		{"a directory without Go files", []string{"invoke", empty}, "without Go files", false},
		{"a package that is not main", []string{"invoke", notMain}, "not a main package", false},
		{"a build failure shows the compiler's output", []string{"invoke", broken}, "undefined: undefinedCall", false},
		{"an unreachable endpoint", []string{"run", sqsFn, "--endpoint-url", "http://127.0.0.1:1", "--progress", "never"}, "cannot reach http://127.0.0.1:1", false},
		{"a malformed event file", []string{"invoke", sqsFn, filepath.Join(dir, "bad.json")}, "bad.json:3:", false},
		{"an event of another service", []string{"invoke", sqsFn, filepath.Join(dir, "other.json")}, `eventSource "aws:s3"`, false},
		{"a malformed messages file", []string{"run", sqsFn, "--source", "dynamodb", "--messages", filepath.Join(dir, "ddb.jsonl")}, "ddb.jsonl:1: no dynamodb.Keys", false},
		{"a reserved variable", []string{"invoke", sqsFn, "--env", "AWS_REGION=x"}, "reserved", false},
		{"an empty embedded queue", []string{"run", sqsFn}, "give --send N or --messages FILE", true},
		{"a FIFO batch above 10", []string{"run", sqsFn, "--fifo", "--batch-size", "11", "--send", "1"}, "Lambda accepts 1 to 10", true},
		{"an SQS batch above 10 without a window", []string{"run", sqsFn, "--batch-size", "20", "--send", "1"}, "batching window of at least 1s", true},
		{"an unknown source", []string{"run", sqsFn, "--source", "s3", "--send", "1"}, `--source "s3"`, true},
		{"Kafka on a real endpoint", []string{"run", sqsFn, "--source", "kafka", "--endpoint-url", "http://127.0.0.1:1"}, "embedded backend only", true},
		{"an unknown flag", []string{"run", sqsFn, "--sned", "1"}, "unknown flag: --sned", true},
		{"an unknown command", []string{"fly"}, `unknown command "fly"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := cli(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			var u *usageError
			if errors.As(err, &u) != tt.usage {
				t.Errorf("got a usage error: %v, want %v", !tt.usage, tt.usage)
			}
		})
	}
}

// Every command has a --help, which is not an error.
func TestHelp(t *testing.T) {
	for _, cmd := range []string{"invoke", "run", "send"} {
		out, _, err := cli(t, cmd, "--help")
		if err != nil || !strings.Contains(out, "Usage: batchlocal "+cmd) || !strings.Contains(out, "--") {
			t.Errorf("%s --help: got %v\n%s\nwant its usage and flags", cmd, err, out)
		}
	}
	if out, _, err := cli(t, "help"); err != nil || !strings.Contains(out, "batchlocal run FUNCTION") {
		t.Errorf("help: got %v\n%s", err, out)
	}
}

// The function is built from a Go main package directory when that is
// what the command gets; it is named after it.
func TestBuildsAMainPackage(t *testing.T) {
	out, _, err := cli(t, "run", filepath.Join("..", "..", "examples", "sqs", "lambda"), "--send", "20", "--json", "--progress", "never")
	if err != nil {
		t.Fatal(err)
	}
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.Function != "sqs" || s.Outcomes["processed"] != 20 {
		t.Errorf("got function %q, outcomes %v; want sqs, 20 processed", s.Function, s.Outcomes)
	}
}

// invoke reads a response as Lambda does, for every source: a valid one
// retries what it reports, an invalid one the whole batch, with the
// reason.
func TestInvokeVerdicts(t *testing.T) {
	bin := function(t, "testdata/respond")
	events := func(name string) string { return filepath.Join("..", "..", "examples", name, "events", "event.json") }
	tests := []struct {
		name, event, response string
		batchRetried          bool
		reason                string
		retried               int
	}{
		{"SQS: an empty response", events("sqs"), ``, false, "", 0},
		{"SQS: one message reported", events("sqs"), `{"batchItemFailures":[{"itemIdentifier":"0f21ddb6-6cad-4a26-8d11-6ece1738f7d9"}]}`, false, "", 1},
		{"SQS: an empty identifier", events("sqs"), `{"batchItemFailures":[{"itemIdentifier":""}]}`, true, "itemIdentifier is empty", 4},
		{"SQS: an unknown identifier", events("sqs"), `{"batchItemFailures":[{"itemIdentifier":"nope"}]}`, true, "not in the batch", 4},
		{"SQS FIFO: a wrong key", events("sqsfifo"), `{"batchItemFailures":[{"itemIdentifer":"451abd81-f1d6-4ed6-97f5-e837d70820fe"}]}`, true, "no itemIdentifier key", 6},
		{"Kinesis: a null identifier", events("kinesis"), `{"batchItemFailures":[{"itemIdentifier":null}]}`, true, "null", 5},
		{"DynamoDB: invalid JSON", events("dynamodb"), `{"batchItemFailures":[`, true, "not valid JSON", 4},
		{"Kafka: topic-partition instead of partition", events("kafka"), `{"batchItemFailures":[{"itemIdentifier":{"topic-partition":"payments-0","offset":101}}]}`, true, "topic-partition", 4},
		{"Kafka: a partition's checkpoint", events("kafka"), `{"batchItemFailures":[{"itemIdentifier":{"partition":"payments-0","offset":101}}]}`, false, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := cli(t, "invoke", bin, tt.event, "--json", "--function-log", "none", "--env", "RESPONSE="+tt.response)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			var v verdict
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatal(err)
			}
			a := v.Lambda
			if a.BatchRetried != tt.batchRetried || !strings.Contains(a.Reason, tt.reason) || len(a.Retried) != tt.retried {
				t.Errorf("got batch retried %v (%q), %d retried; want %v (%q), %d", a.BatchRetried, a.Reason, len(a.Retried), tt.batchRetried, tt.reason, tt.retried)
			}
		})
	}
}
