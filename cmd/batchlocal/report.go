package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/seed-45ee126e/batch/esm"
)

// summary is what run prints at the end: as text, or as JSON with
// --json. Every backend fills it from an esm.Trace: the simulators'
// own, or the one the real SQS poller keeps in the same shape.
type summary struct {
	Function string `json:"function"`
	Backend  string `json:"backend"` // "embedded", or the endpoint URL
	Source   string `json:"source"`  // "SQS", "SQS FIFO", "Kinesis", "DynamoDB Streams", "Kafka"
	Name     string `json:"name"`    // the queue, stream, table or topic
	Settings string `json:"settings"`
	// Template says where each setting came from, with --template.
	Template *templateReport `json:"template,omitempty"`

	Records  int            `json:"records"`
	Outcomes map[string]int `json:"outcomes"` // by final state: processed, dead-lettered, expired, discarded, pending

	Invocations invocationSummary `json:"invocations"`

	Deliveries     int `json:"deliveries"`     // every delivery of a record to the function
	Redeliveries   int `json:"redeliveries"`   // deliveries of records delivered before
	RetriedRecords int `json:"retriedRecords"` // records delivered more than once
	Duplicates     int `json:"duplicates"`     // deliveries after an invocation that succeeded with the record

	// Failed lists the records that did not end processed, with what
	// happened to them and why.
	Failed []failedRecord `json:"failed"`
	// Destination lists what went to a stream's on-failure destination.
	Destination     []esm.FailureRecord `json:"destination,omitempty"`
	OrderViolations []string            `json:"orderViolations"`

	DurationMS       durations `json:"invocationDurationMs"` // wall clock, per invocation
	MaxMemoryMB      int64     `json:"maxMemoryMb,omitempty"`
	WallSeconds      float64   `json:"wallSeconds"`
	RecordsPerSecond float64   `json:"recordsPerSecond"` // records settled per second of wall time
	SimulatedSeconds float64   `json:"simulatedSeconds,omitempty"`

	// Stopped says why the run ended before the source was drained.
	Stopped string `json:"stopped,omitempty"`
	// Notes are remarks for the reader, such as where the function's
	// output went.
	Notes []string `json:"notes,omitempty"`
}

type invocationSummary struct {
	Total           int            `json:"total"`
	Succeeded       int            `json:"succeeded"`
	PartialFailures int            `json:"partialFailures"`
	Failed          int            `json:"failed"`
	ColdStarts      int            `json:"coldStarts"`
	Errors          map[string]int `json:"errors,omitempty"` // failed invocations by error type
}

type failedRecord struct {
	ID         string `json:"id"`
	State      string `json:"state"`
	Payload    string `json:"payload"`
	Deliveries int    `json:"deliveries"`
	Reason     string `json:"reason"`
}

type durations struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// summarize fills the summary from a trace, the function's statistics and
// the wall time of the run. maxReceive is the queue's maxReceiveCount
// (SQS), for the reasons.
func summarize(s *summary, tr *esm.Trace, st invocationStats, wall time.Duration, maxReceive int, labels map[string]string) {
	s.Records = len(tr.Records)
	s.Outcomes = map[string]int{}
	for _, state := range []esm.State{esm.Processed, esm.DeadLettered, esm.Expired, esm.Discarded, esm.Pending} {
		if n := tr.Count(state); n > 0 || state == esm.Processed {
			s.Outcomes[state.String()] = n
		}
	}
	inv := &s.Invocations
	inv.Total = len(tr.Invocations)
	for _, i := range tr.Invocations {
		switch i.Verdict {
		case esm.BatchSucceeded:
			inv.Succeeded++
		case esm.PartialFailure:
			inv.PartialFailures++
		case esm.BatchFailed:
			inv.Failed++
		}
	}
	inv.ColdStarts = st.coldStarts
	inv.Errors = st.errors
	s.Deliveries = tr.Deliveries()
	for _, r := range tr.Records {
		if r.Deliveries > 0 {
			s.Redeliveries += r.Deliveries - 1
		}
		if r.Deliveries > 1 {
			s.RetriedRecords++
		}
	}
	s.Duplicates = tr.Duplicates()
	s.Destination = tr.Destination
	s.OrderViolations = append([]string{}, tr.OrderViolations...)

	fates := map[string]string{} // record id -> what the on-failure destination says
	for _, fr := range tr.Destination {
		for _, id := range fr.IDs {
			fates[id] = fmt.Sprintf("%s after %d invocations (shard %s, batch of %d)", fr.Condition, fr.InvokeCount, fr.Shard, fr.BatchSize)
		}
	}
	s.Failed = []failedRecord{}
	for _, r := range tr.Records {
		if r.State == esm.Processed {
			continue
		}
		f := failedRecord{ID: r.ID, State: r.State.String(), Payload: r.Payload, Deliveries: r.Deliveries}
		if f.Payload == "" {
			f.Payload = labels[r.ID] // DynamoDB Streams: the change, not a payload
		}
		last := lastInvocation(tr, r)
		switch {
		case r.State == esm.Pending:
			f.Reason = "still in the source when the run ended"
		case fates[r.ID] != "":
			f.Reason = fates[r.ID] + "; last invocation: " + last
		case r.State == esm.DeadLettered && maxReceive > 0:
			f.Reason = fmt.Sprintf("received %d times (maxReceiveCount %d); last invocation: %s", r.Deliveries, maxReceive, last)
		case r.State == esm.Expired:
			f.Reason = "expired (retention period or MaximumRecordAge); last invocation: " + last
		default:
			f.Reason = "last invocation: " + last
		}
		s.Failed = append(s.Failed, f)
	}

	p := percentiles(st.durations, 50, 90, 99, 100)
	s.DurationMS = durations{P50: ms(p[0]), P90: ms(p[1]), P99: ms(p[2]), Max: ms(p[3])}
	s.MaxMemoryMB = st.maxMemory >> 20
	s.WallSeconds = wall.Seconds()
	settled := s.Records - s.Outcomes[esm.Pending.String()]
	if wall > 0 {
		s.RecordsPerSecond = float64(settled) / wall.Seconds()
	}
	if tr.Stopped && s.Stopped == "" {
		s.Stopped = fmt.Sprintf("the --max-invocations guard stopped the run after %d invocations", len(tr.Invocations))
	}
	if tr.Err != nil {
		s.Stopped = tr.Err.Error()
	}
}

// lastInvocation says how the last invocation that received r went, for
// r.
func lastInvocation(tr *esm.Trace, r esm.Record) string {
	if len(r.Invocations) == 0 {
		return "none"
	}
	inv := tr.Invocations[r.Invocations[len(r.Invocations)-1]]
	switch {
	case inv.Verdict == esm.BatchFailed:
		return "the whole batch failed: " + inv.Reason
	case contains(inv.Reported, r.ID):
		return "reported in batchItemFailures"
	case contains(inv.Failed, r.ID):
		return "after the checkpoint at a reported record"
	}
	return "succeeded"
}

func printSummary(w io.Writer, s *summary, maxFailed int) {
	where := "an embedded (in-memory)"
	if s.Backend != "embedded" {
		where = "the " + s.Backend
	}
	fmt.Fprintf(w, "%s on %s %s %q (%s)\n\n", s.Function, where, s.Source, s.Name, s.Settings)
	if s.Template != nil {
		printTemplate(w, s.Template)
		fmt.Fprintln(w)
	}
	var outcomes []string
	for _, k := range []string{"processed", "dead-lettered", "expired", "discarded", "pending"} {
		if n, ok := s.Outcomes[k]; ok {
			outcomes = append(outcomes, fmt.Sprintf("%d %s", n, k))
		}
	}
	row := func(k, format string, a ...any) { fmt.Fprintf(w, "%-13s %s\n", k, fmt.Sprintf(format, a...)) }
	row("records", "%d: %s", s.Records, strings.Join(outcomes, ", "))
	inv := s.Invocations
	row("invocations", "%d: %d succeeded, %s, %d failed; %s", inv.Total, inv.Succeeded, plural(inv.PartialFailures, "partial failure"), inv.Failed, plural(inv.ColdStarts, "cold start"))
	if len(inv.Errors) > 0 {
		var es []string
		for _, k := range sortedKeys(inv.Errors) {
			es = append(es, fmt.Sprintf("%d %s", inv.Errors[k], k))
		}
		row("errors", "%s", strings.Join(es, ", "))
	}
	row("deliveries", "%d: %s of %s, %s", s.Deliveries, plural(s.Redeliveries, "redelivery"), plural(s.RetriedRecords, "record"), plural(s.Duplicates, "duplicate"))
	if len(s.Failed) > 0 {
		title := "not processed"
		fmt.Fprintf(w, "%-13s %d:\n", title, len(s.Failed))
		for i, f := range s.Failed {
			if i == maxFailed {
				fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", len(s.Failed)-maxFailed)
				break
			}
			fmt.Fprintf(w, "  %s %s  %s\n      %s\n", f.State, f.ID, excerpt(f.Payload, 70), excerpt(f.Reason, 200))
		}
	}
	if len(s.OrderViolations) > 0 {
		row("order", "%d violations, such as: %s", len(s.OrderViolations), s.OrderViolations[0])
	}
	d := s.DurationMS
	row("duration", "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms per invocation (wall clock)", d.P50, d.P90, d.P99, d.Max)
	if s.MaxMemoryMB > 0 {
		row("memory", "%d MB at most", s.MaxMemoryMB)
	}
	t := fmt.Sprintf("%.2f s wall, %.0f records/s", s.WallSeconds, s.RecordsPerSecond)
	if s.SimulatedSeconds > 0 {
		t += fmt.Sprintf("; %s of simulated time (visibility timeouts and retry delays take none)", (time.Duration(s.SimulatedSeconds * float64(time.Second))).Round(time.Millisecond))
	}
	row("time", "%s", t)
	if s.Stopped != "" {
		row("stopped", "%s", s.Stopped)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// traceFile is what --trace writes: the whole history of the run, every
// invocation and every record, as esm.Trace holds it.
type traceFile struct {
	Start           time.Time           `json:"start"`
	End             time.Time           `json:"end"`
	Invocations     []traceInvocation   `json:"invocations"`
	Records         []traceRecord       `json:"records"`
	Destination     []esm.FailureRecord `json:"destination"`
	OrderViolations []string            `json:"orderViolations"`
}

type traceInvocation struct {
	Time     time.Time `json:"time"`
	Shard    string    `json:"shard,omitempty"`
	IDs      []string  `json:"ids"`
	Error    string    `json:"error,omitempty"`
	Reported []string  `json:"reported"`
	Verdict  string    `json:"verdict"`
	Reason   string    `json:"reason,omitempty"`
	Failed   []string  `json:"failed"`
}

type traceRecord struct {
	ID          string `json:"id"`
	Key         string `json:"key,omitempty"`
	Shard       string `json:"shard,omitempty"`
	Payload     string `json:"payload"`
	Deliveries  int    `json:"deliveries"`
	Duplicates  int    `json:"duplicates"`
	Invocations []int  `json:"invocations"`
	State       string `json:"state"`
}

func newTraceFile(tr *esm.Trace, labels map[string]string) traceFile {
	f := traceFile{Start: tr.Start, End: tr.End, Destination: tr.Destination, OrderViolations: append([]string{}, tr.OrderViolations...)}
	for _, inv := range tr.Invocations {
		ti := traceInvocation{Time: inv.Time, Shard: inv.Shard, IDs: inv.IDs, Reported: append([]string{}, inv.Reported...),
			Verdict: inv.Verdict.String(), Reason: inv.Reason, Failed: append([]string{}, inv.Failed...)}
		if inv.Err != nil {
			ti.Error = inv.Err.Error()
		}
		f.Invocations = append(f.Invocations, ti)
	}
	for _, r := range tr.Records {
		payload := r.Payload
		if payload == "" {
			payload = labels[r.ID]
		}
		f.Records = append(f.Records, traceRecord{ID: r.ID, Key: r.Key, Shard: r.Shard, Payload: payload, Deliveries: r.Deliveries,
			Duplicates: r.Duplicates, Invocations: append([]int{}, r.Invocations...), State: r.State.String()})
	}
	if f.Destination == nil {
		f.Destination = []esm.FailureRecord{}
	}
	return f
}
