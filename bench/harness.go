package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/dynamodbav"
)

// result is what one round of one side reports, one JSON line; the Node
// harness (powertools/bench.mjs) writes the same fields, except those that
// only Go measures.
type result struct {
	Side       string `json:"side"`              // "go" or "powertools"
	Variant    string `json:"variant,omitempty"` // "": the comparison; "raw": Go without payload decoding
	Source     string `json:"source"`
	Records    int    `json:"records"`
	EventBytes int    `json:"eventBytes"`
	Round      int    `json:"round"`
	Iterations int    `json:"iterations"`

	NsPerEvent    float64 `json:"nsPerEvent"`    // wall time of one event, bytes in to response bytes out (mean of the round)
	CPUNsPerEvent float64 `json:"cpuNsPerEvent"` // process CPU time, all threads, garbage collection included
	GCPerEvent    float64 `json:"gcPerEvent"`    // collections (Node: scavenges and mark-compacts) per event
	MaxRSSBytes   int64   `json:"maxRSSBytes"`   // peak resident set of the process

	// Node only: the main thread's pauses for garbage collection. Go's
	// collector runs mostly beside the program; its share of the CPU
	// time is measured with a profile (docs/13-performance.md), since
	// runtime/metrics estimates it from time the Ps spend collecting,
	// which a machine with more threads than free cores inflates.
	GCNsPerEvent float64 `json:"gcNsPerEvent,omitempty"`

	AllocsPerRecord float64 `json:"allocsPerRecord,omitempty"` // Go only: heap allocations
	BytesPerRecord  float64 `json:"bytesPerRecord,omitempty"`  // Go only: heap bytes allocated
}

// invoker is what lambda.Start calls: *batch.Function is one.
type invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

var errRejected = errors.New("order rejected")

// handleOrder is the per-record work, the same as the Node harness's: read
// the decoded order, fail it when its status says so.
func handleOrder(o *Order, sink *int) error {
	*sink += len(o.Items)
	if o.Status == rejected {
		return fmt.Errorf("order %s: %w", o.OrderID, errRejected)
	}
	return nil
}

// newFunction builds the function a user writes for source: a handler of
// the payload type, and for DynamoDB Streams the new image decoded by
// dynamodbav. With variant "raw" it builds a function that does not decode
// payloads at all: its handler takes the source's record and looks for
// the rejected status in the raw payload (SQS, Kinesis) or in the image's
// attribute (DynamoDB), which measures everything but payload decoding.
func newFunction(source, variant string, sink *int) (invoker, error) {
	switch variant {
	case "":
	case "raw":
		return newRawFunction(source, sink)
	default:
		return nil, fmt.Errorf("unknown variant %q (want raw or none)", variant)
	}
	handle := func(_ context.Context, o Order) error { return handleOrder(&o, sink) }
	switch source {
	case "sqs":
		return batch.New(batch.SQS(), handle, batch.Options{}), nil
	case "kinesis":
		return batch.New(batch.Kinesis(), handle, batch.Options{}), nil
	case "dynamodb":
		return batch.New(batch.DynamoDB().DecodeJSON(dynamodbav.NewImage), func(_ context.Context, c dynamodbav.Change[Order]) error {
			if c.New == nil { // a REMOVE; the generated events have none
				return nil
			}
			return handleOrder(c.New, sink)
		}, batch.Options{}), nil
	}
	return nil, fmt.Errorf("unknown source %q (want sqs, kinesis or dynamodb)", source)
}

var rejectedJSON = []byte(`"status":"` + rejected + `"`)

func newRawFunction(source string, sink *int) (invoker, error) {
	check := func(id string, payload []byte) error {
		*sink++
		if bytes.Contains(payload, rejectedJSON) {
			return fmt.Errorf("record %s: %w", id, errRejected)
		}
		return nil
	}
	switch source {
	case "sqs":
		return batch.New(batch.SQS(), func(_ context.Context, m events.SQSMessage) error {
			return check(m.MessageId, []byte(m.Body))
		}, batch.Options{}), nil
	case "kinesis":
		return batch.New(batch.Kinesis(), func(_ context.Context, r events.KinesisEventRecord) error {
			return check(r.Kinesis.SequenceNumber, r.Kinesis.Data)
		}, batch.Options{}), nil
	case "dynamodb":
		return batch.New(batch.DynamoDB(), func(_ context.Context, r events.DynamoDBEventRecord) error {
			*sink++
			if s, ok := r.Change.NewImage["status"]; ok && s.DataType() == events.DataTypeString && s.String() == rejected {
				return fmt.Errorf("record %s: %w", r.Change.SequenceNumber, errRejected)
			}
			return nil
		}, batch.Options{}), nil
	}
	return nil, fmt.Errorf("unknown source %q (want sqs, kinesis or dynamodb)", source)
}

// roundConfig says what one round runs.
type roundConfig struct {
	dir         string
	source      string
	variant     string // "" or "raw" (see newFunction)
	records     int
	round       int
	warmup      int // untimed iterations first
	iterations  int // timed iterations
	cpuProfile  string
	memProfile  string
	deadlineOff bool // a context without a deadline (Lambda always sets one)
}

// runRound runs one round of the Go side: it reads the event, checks the
// response once against the expected one, warms up, then times the
// iterations, each one Invoke from the event's bytes to the response's,
// under a context with a deadline as Lambda gives.
func runRound(c roundConfig) (result, error) {
	payload, err := os.ReadFile(eventFile(c.dir, c.source, c.records))
	if err != nil {
		return result{}, err
	}
	want, err := os.ReadFile(expectedFile(c.dir, c.source, c.records))
	if err != nil {
		return result{}, err
	}
	var sink int
	fn, err := newFunction(c.source, c.variant, &sink)
	if err != nil {
		return result{}, err
	}
	invoke := func() ([]byte, error) {
		ctx := context.Background()
		if !c.deadlineOff {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, time.Now().Add(15*time.Minute))
			defer cancel()
		}
		return fn.Invoke(ctx, payload)
	}
	got, err := invoke()
	if err != nil {
		return result{}, fmt.Errorf("%s, %d records: %w", c.source, c.records, err)
	}
	if !bytes.Equal(got, want) {
		return result{}, fmt.Errorf("%s, %d records: got response %.200s…, want %.200s…", c.source, c.records, got, want)
	}
	for i := 1; i < c.warmup; i++ {
		if _, err := invoke(); err != nil {
			return result{}, err
		}
	}

	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return result{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return result{}, err
		}
		defer pprof.StopCPUProfile()
	}
	if c.memProfile != "" {
		// Every allocation of the timed iterations, and only those.
		runtime.GC()
		runtime.MemProfileRate = 1
		defer func() {
			runtime.MemProfileRate = 512 * 1024
			if f, err := os.Create(c.memProfile); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpuBefore := processCPU()
	start := time.Now()
	for i := 0; i < c.iterations; i++ {
		if _, err := invoke(); err != nil {
			return result{}, err
		}
	}
	wall := time.Since(start)
	cpu := processCPU() - cpuBefore
	runtime.ReadMemStats(&after)

	m, recs := float64(c.iterations), float64(c.iterations)*float64(c.records)
	return result{
		Side:            "go",
		Variant:         c.variant,
		Source:          c.source,
		Records:         c.records,
		EventBytes:      len(payload),
		Round:           c.round,
		Iterations:      c.iterations,
		NsPerEvent:      float64(wall.Nanoseconds()) / m,
		CPUNsPerEvent:   float64(cpu.Nanoseconds()) / m,
		GCPerEvent:      float64(after.NumGC-before.NumGC) / m,
		MaxRSSBytes:     maxRSS(),
		AllocsPerRecord: float64(after.Mallocs-before.Mallocs) / recs,
		BytesPerRecord:  float64(after.TotalAlloc-before.TotalAlloc) / recs,
	}, nil
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS returns the peak resident set of the process, in bytes.
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024 // kilobytes on Linux
}

func (r result) line() []byte {
	b, _ := json.Marshal(r)
	return append(b, '\n')
}
