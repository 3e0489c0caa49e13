// Command coldstart measures what the fast path costs at cold start: it
// builds three minimal SQS functions, one calling lambda.Start with a
// handler of the event type (encoding/json), one with batch.New (Invoke,
// the fast path) and a handler of the record, and one with batch.New and a
// handler of a payload type (decoded by the library's JSON decoder, whose
// plan for the type is compiled in New), reports their binary sizes, then
// starts each many times against a local Lambda Runtime API
// (internal/runtimeapi) and reports the time from process start to its
// first poll and to the end of its first invocation.
//
// Run it from anywhere inside the module:
//
//	go run ./cmd/coldstart -n 30 -records 10
//
// The functions are built as for deployment (-tags lambda.norpc -trimpath
// -ldflags "-s -w"), for the machine's own GOOS and GOARCH.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/runtimeapi"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

// function is one of the measured functions.
type function struct {
	name string // what the report calls it
	pkg  string // package path relative to the module root
	bin  string // built binary
	size int64
	init []time.Duration // process start to first poll of the Runtime API
	tti  []time.Duration // process start to the first response
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("coldstart", flag.ContinueOnError)
	n := fs.Int("n", 20, "cold starts per function")
	records := fs.Int("records", 10, "records in the SQS event of the first invocation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *records < 1 {
		return fmt.Errorf("-n and -records must be at least 1")
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "coldstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	fns := []*function{
		{name: "lambda.Start + encoding/json", pkg: "./cmd/coldstart/testdata/stdfn"},
		{name: "batch.New (fast path)", pkg: "./cmd/coldstart/testdata/fastfn"},
		{name: "batch.New, typed payload (fast path)", pkg: "./cmd/coldstart/testdata/typedfn"},
	}
	for _, f := range fns {
		f.bin = filepath.Join(dir, filepath.Base(f.pkg))
		build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", f.bin, f.pkg)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("building %s: %v\n%s", f.pkg, err, out)
		}
		st, err := os.Stat(f.bin)
		if err != nil {
			return err
		}
		f.size = st.Size()
	}

	payload, err := json.Marshal(sqsEvent(*records))
	if err != nil {
		return err
	}
	for i := 0; i < *n; i++ {
		for _, f := range fns { // alternate, so that drift hits all alike
			initT, tti, err := coldStart(f.bin, payload)
			if err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			f.init = append(f.init, initT)
			f.tti = append(f.tti, tti)
		}
	}

	fmt.Fprintf(stdout, "cold starts: %d per function; first invocation: SQS event of %d records (%d bytes)\n\n", *n, *records, len(payload))
	fmt.Fprintln(stdout, "| function | binary size | start to first poll (median) | start to first response (median) | (min) |")
	fmt.Fprintln(stdout, "|---|---:|---:|---:|---:|")
	for _, f := range fns {
		fmt.Fprintf(stdout, "| %s | %.2f MiB | %s | %s | %s |\n", f.name, float64(f.size)/(1<<20),
			round(median(f.init)), round(median(f.tti)), round(minimum(f.tti)))
	}
	return nil
}

// coldStart starts the function at bin against a fresh Runtime API, sends
// it one invocation, and returns the time from process start to its first
// poll and to its response.
func coldStart(bin string, payload []byte) (initT, tti time.Duration, err error) {
	api, err := runtimeapi.Start()
	if err != nil {
		return 0, 0, err
	}
	defer api.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+api.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=coldstart",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
		"AWS_REGION=us-east-1",
		"_HANDLER=bootstrap",
	)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	polled := make(chan time.Duration, 1)
	go func() {
		select {
		case <-api.Polled():
			polled <- time.Since(start)
		case <-ctx.Done():
			polled <- 0
		}
	}()
	res, err := api.Invoke(ctx, payload, 30*time.Second)
	tti = time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	if res.Failed {
		return 0, 0, fmt.Errorf("function failed: %s", res.Payload)
	}
	if !strings.Contains(string(res.Payload), "batchItemFailures") {
		return 0, 0, fmt.Errorf("got response %s, want a partial batch response", res.Payload)
	}
	return <-polled, tti, nil
}

func sqsEvent(n int) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, n)}
	for i := range ev.Records {
		ev.Records[i] = events.SQSMessage{
			MessageId:      fmt.Sprintf("059f36b4-87a3-44ab-83d2-%012d", i),
			ReceiptHandle:  "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a/AbHhw/8JxdZZ5/S6zwj5x1HXxDAVIYwaoQzQkhHWJ6vHdVqNVe2SIvWqdNVbc1ZtOtCB8",
			Body:           fmt.Sprintf(`{"orderId":"ord-%08d","customer":{"id":"cust-4711","tier":"gold"},"items":[{"sku":"SKU-12345","qty":2}]}`, i),
			Attributes:     map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
			EventSource:    "aws:sqs",
			EventSourceARN: "arn:aws:sqs:us-east-2:123456789012:my-queue",
			AWSRegion:      "us-east-2",
		}
	}
	return ev
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run coldstart inside the batch module")
	}
	return filepath.Dir(gomod), nil
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func minimum(d []time.Duration) time.Duration {
	m := d[0]
	for _, x := range d[1:] {
		if x < m {
			m = x
		}
	}
	return m
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
