// Package batchmetrics counts what happened to the records of a batch and
// writes the counts as a CloudWatch embedded metric format (EMF) line.
//
// Counts come from the [batch.Report], not from middleware: records skipped
// after an earlier failure or not started before the deadline never reach
// the handler, so only the report knows them. Get a report from
// [batch.Function.Process] and return its response:
//
//	func handler(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
//		start := time.Now()
//		resp, rep := fn.Process(ctx, ev)
//		s := batchmetrics.Summarize(rep)
//		s.Duration = time.Since(start)
//		_ = emf.Write(os.Stdout, s, start) // Lambda sends stdout to CloudWatch Logs
//		return resp, rep.Err
//	}
//
// In Lambda, a line written to standard output reaches CloudWatch Logs, which
// extracts the metrics from it: no API call, no extra latency.
package batchmetrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/seed-45ee126e/batch"
)

// Summary is what happened to the records of one batch.
type Summary struct {
	Records      int // records in the batch
	Succeeded    int // records whose handler returned nil
	Failed       int // records whose handler failed, panicked or was abandoned, or that were rejected
	NotProcessed int // records never handed to the handler: skipped after a failure, or not started in time
	Diverted     int // records that failed permanently and that a failure policy moved out of the way

	// Duration is how long the batch took; zero means unknown, and
	// [EMF.Write] then leaves the Duration metric out. Summarize cannot
	// know it: the caller measures it.
	Duration time.Duration
}

// Summarize counts the outcomes of a report.
func Summarize[R any](rep *batch.Report[R]) Summary {
	s := Summary{Records: len(rep.Results)}
	for _, r := range rep.Results {
		switch r.Outcome {
		case batch.Succeeded:
			s.Succeeded++
		case batch.Failed:
			s.Failed++
		case batch.NotProcessed:
			s.NotProcessed++
		case batch.Diverted:
			s.Diverted++
		}
	}
	return s
}

// Metric names written by [EMF.Write].
const (
	// MetricRecords is the number of records in the batch (unit Count).
	MetricRecords = "Records"
	// MetricSucceeded is the number of records that succeeded (unit Count).
	MetricSucceeded = "Succeeded"
	// MetricFailed is the number of records that failed (unit Count).
	MetricFailed = "Failed"
	// MetricNotProcessed is the number of records never handed to the
	// handler (unit Count).
	MetricNotProcessed = "NotProcessed"
	// MetricDiverted is the number of records a failure policy moved out
	// of the way (unit Count), written only when [Summary.Diverted] is
	// positive.
	MetricDiverted = "Diverted"
	// MetricDuration is the duration of the batch (unit Milliseconds),
	// written only when [Summary.Duration] is positive.
	MetricDuration = "Duration"
)

// maxDimensions is the most dimensions CloudWatch accepts in a dimension set.
const maxDimensions = 30

// ErrInvalid is wrapped by the error [EMF.Write] returns when the EMF value
// cannot give a line CloudWatch accepts.
var ErrInvalid = errors.New("batchmetrics: invalid EMF configuration")

// Dimension is a CloudWatch dimension: a name and its value, such as
// {"Queue", "orders"}.
type Dimension struct {
	Name  string // the dimension's name, such as "Queue"
	Value string // its value, such as "orders"
}

// EMF writes summaries as CloudWatch embedded metric format lines, in one
// namespace and with one set of dimensions. It is a plain value; the zero
// value is not usable because CloudWatch requires a namespace.
type EMF struct {
	// Namespace is the CloudWatch namespace of the metrics; required.
	Namespace string

	// Dimensions are attached to every metric, in this order; at most 30,
	// with distinct non-empty names and non-empty values, and no name equal
	// to a metric name or "_aws". None means metrics without dimensions.
	Dimensions []Dimension
}

// Write writes s to w as one JSON object followed by a newline, with
// timestamp at and the metrics Records, Succeeded, Failed, NotProcessed,
// and, when they are positive, Diverted and Duration. It returns an error wrapping
// [ErrInvalid], and writes nothing, when e is not valid.
func (e EMF) Write(w io.Writer, s Summary, at time.Time) error {
	line, err := e.AppendLine(nil, s, at)
	if err != nil {
		return err
	}
	_, err = w.Write(line)
	return err
}

// AppendLine appends the line [EMF.Write] would write to dst and returns the
// extended slice.
func (e EMF) AppendLine(dst []byte, s Summary, at time.Time) ([]byte, error) {
	if err := e.check(); err != nil {
		return dst, err
	}
	type metric struct {
		name  string
		unit  string
		value int64
	}
	var buf [6]metric
	metrics := append(buf[:0],
		metric{MetricRecords, "Count", int64(s.Records)},
		metric{MetricSucceeded, "Count", int64(s.Succeeded)},
		metric{MetricFailed, "Count", int64(s.Failed)},
		metric{MetricNotProcessed, "Count", int64(s.NotProcessed)})
	if s.Diverted > 0 {
		metrics = append(metrics, metric{MetricDiverted, "Count", int64(s.Diverted)})
	}
	if s.Duration > 0 {
		metrics = append(metrics, metric{MetricDuration, "Milliseconds", s.Duration.Milliseconds()})
	}

	b := append(dst, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, at.UnixMilli(), 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendString(b, e.Namespace)
	b = append(b, `,"Dimensions":[[`...)
	for i, d := range e.Dimensions {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, d.Name)
	}
	b = append(b, `]],"Metrics":[`...)
	for i, m := range metrics {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Name":`...)
		b = appendString(b, m.name)
		b = append(b, `,"Unit":`...)
		b = appendString(b, m.unit)
		b = append(b, '}')
	}
	b = append(b, `]}]}`...)
	for _, d := range e.Dimensions {
		b = append(b, ',')
		b = appendString(b, d.Name)
		b = append(b, ':')
		b = appendString(b, d.Value)
	}
	for _, m := range metrics {
		b = append(b, ',')
		b = appendString(b, m.name)
		b = append(b, ':')
		b = strconv.AppendInt(b, m.value, 10)
	}
	return append(b, '}', '\n'), nil
}

// check reports why e cannot give a valid EMF line.
func (e EMF) check() error {
	if e.Namespace == "" {
		return fmt.Errorf("%w: empty namespace", ErrInvalid)
	}
	if len(e.Dimensions) > maxDimensions {
		return fmt.Errorf("%w: %d dimensions, CloudWatch accepts at most %d", ErrInvalid, len(e.Dimensions), maxDimensions)
	}
	for i, d := range e.Dimensions {
		switch d.Name {
		case "":
			return fmt.Errorf("%w: dimension %d has no name", ErrInvalid, i)
		case "_aws", MetricRecords, MetricSucceeded, MetricFailed, MetricNotProcessed, MetricDiverted, MetricDuration:
			return fmt.Errorf("%w: dimension name %q is taken by the format or a metric", ErrInvalid, d.Name)
		}
		if d.Value == "" {
			return fmt.Errorf("%w: dimension %q has an empty value", ErrInvalid, d.Name)
		}
		for _, prev := range e.Dimensions[:i] {
			if prev.Name == d.Name {
				return fmt.Errorf("%w: dimension %q appears twice", ErrInvalid, d.Name)
			}
		}
	}
	return nil
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
