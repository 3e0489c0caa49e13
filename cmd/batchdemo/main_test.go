package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/demo.golden")

// TestRunAllExamples pins what the README's first command prints: the
// response of every example on its sample batch. The expected failures were
// checked by hand against the sample events: the SQS orders with quantity
// 0 and with broken JSON; alice's withdrawal and her later deposit on the
// FIFO queue; the Kinesis click without a page; the DynamoDB removal of an
// open order; Kafka payment p-101 and, its partition being stopped, p-102.
func TestRunAllExamples(t *testing.T) {
	var out bytes.Buffer
	if err := run(nil, &out); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "demo.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRunOneExampleOnAnotherEvent(t *testing.T) {
	dir := t.TempDir()
	ev := filepath.Join(dir, "ev.json")
	body := `{"Records":[{"messageId":"a","body":"{\"orderId\":\"o-1\",\"sku\":\"X\",\"quantity\":1}"},{"messageId":"b","body":"nope"}]}`
	if err := os.WriteFile(ev, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"-example", "sqs", "-event", ev}, &out); err != nil {
		t.Fatal(err)
	}
	if want := `response: {"batchItemFailures":[{"itemIdentifier":"b"}]}`; !strings.Contains(out.String(), want) {
		t.Errorf("got\n%s\nwant a line %s", out.String(), want)
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown example", []string{"-example", "sns"}, `no example "sns"`},
		{"event without example", []string{"-event", "x.json"}, "-event needs -example"},
		{"stray argument", []string{"extra"}, "unexpected arguments"},
		{"missing event file", []string{"-example", "sqs", "-event", "does-not-exist.json"}, "does-not-exist.json"},
		{"event that is not JSON", []string{"-example", "kinesis", "-event", "main.go"}, "payload is not a valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(tt.args, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
