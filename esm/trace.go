package esm

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// State is where a record stands in a simulation.
type State uint8

const (
	// Pending means the record is still in the queue or stream; the run ended
	// before it was settled (see [Trace.Stopped]).
	Pending State = iota
	// Processed means the record left the source after an invocation that did
	// not fail it (SQS: deleted; streams: the checkpoint moved past it).
	Processed
	// DeadLettered means the record went to the dead-letter queue (SQS, after
	// maxReceiveCount receives) or to the on-failure destination (streams,
	// retries exhausted or record too old).
	DeadLettered
	// Expired means the record was dropped for its age with nowhere to go: the
	// SQS retention period passed, or a stream record exceeded
	// MaximumRecordAge without an on-failure destination.
	Expired
	// Discarded means the record left the source although its last invocation
	// failed it: a stream batch whose retries ran out without an on-failure
	// destination, or a message reported in batchItemFailures while
	// ReportBatchItemFailures is off (Lambda ignores the response and
	// deletes the whole batch). A discarded record is lost.
	Discarded
)

// String returns the state's name in lower case.
func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Processed:
		return "processed"
	case DeadLettered:
		return "dead-lettered"
	case Expired:
		return "expired"
	case Discarded:
		return "discarded"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// ErrTimeout is the error of an invocation whose handler was still running
// at the simulated function timeout ([SQSConfig.Timeout]).
var ErrTimeout = errors.New("esm: function timed out")

// ErrPanic wraps the value of a handler that panicked: Lambda's Go runtime
// reports such an invocation as a function error.
var ErrPanic = errors.New("esm: function panicked")

// Verdict is how Lambda took an invocation's result.
type Verdict uint8

const (
	// BatchSucceeded means every record of the batch succeeded.
	BatchSucceeded Verdict = iota
	// PartialFailure means the response reported some records as failed.
	PartialFailure
	// BatchFailed means the whole batch failed: the handler returned an error,
	// panicked or timed out, or its response was invalid.
	BatchFailed
)

// String returns the verdict's name in lower case.
func (v Verdict) String() string {
	switch v {
	case BatchSucceeded:
		return "succeeded"
	case PartialFailure:
		return "partial failure"
	case BatchFailed:
		return "batch failed"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// Invocation is one call of the handler in a simulation.
type Invocation struct {
	// Time is the simulated time of the call.
	Time time.Time
	// Shard is the shard (Kafka: the topic-partition) read; empty for SQS.
	Shard string
	// IDs are the identifiers of the records delivered, in order.
	IDs []string

	// Err is the handler's error, an error wrapping [ErrPanic], or
	// [ErrTimeout]; nil otherwise.
	Err error
	// Reported holds the itemIdentifiers of the response, in response
	// order (Kafka: "<topic>-<partition>@<offset>"); nil when the
	// response was rejected as a whole (see Reason) or the function
	// failed.
	Reported []string

	// Verdict is how Lambda took the result.
	Verdict Verdict
	// Reason says why the batch failed, when Verdict is [BatchFailed].
	Reason string
	// Failed holds the records to deliver again (streams: all from the
	// checkpoint on).
	Failed []string
}

// Record is the history of one record in a simulation.
type Record struct {
	// ID is the SQS messageId, the stream sequence number, or for Kafka
	// "<topic>-<partition>@<offset>".
	ID string
	// Key is the record's ordering group: the MessageGroupId, the
	// partition key, the encoded item key (DynamoDB) or the
	// topic-partition (Kafka).
	Key string
	// Shard is the shard or topic-partition of a stream record; empty for
	// SQS.
	Shard string
	// Payload is the SQS body, the Kinesis data or the Kafka value; empty
	// for DynamoDB.
	Payload string

	// Deliveries counts the invocations that received the record.
	Deliveries int
	// Duplicates counts deliveries after an invocation that succeeded
	// with the record: one that returned no error and a valid response
	// that did not report it. An invocation that failed as a whole (an
	// error, a panic, a timeout or an invalid response) succeeded with
	// none of its records, whatever the handler did with them.
	Duplicates int
	// Invocations are the indexes in [Trace.Invocations] of those
	// deliveries.
	Invocations []int
	// State is where the record ended.
	State State
}

// FailureRecord is what Lambda sends to a stream's on-failure destination
// when it gives up on a batch.
type FailureRecord struct {
	// Time is the simulated time when Lambda gave up on the batch.
	Time time.Time
	// Condition says why: "RetryAttemptsExhausted" or
	// "RecordAgeExceeded".
	Condition string
	// Shard is the shard (Kafka: the topic-partition) of the batch.
	Shard string
	// StartSequenceNumber and EndSequenceNumber bound the batch.
	StartSequenceNumber, EndSequenceNumber string
	// BatchSize is the number of records in the batch.
	BatchSize int
	// InvokeCount is how many times the batch was tried (0 when no
	// invocation was made because of the records' age).
	InvokeCount int
	// IDs are the sequence numbers of the records in the batch. Lambda
	// sends only the bounds; the simulator keeps the list for tests.
	IDs []string
}

// Trace is the history of a simulation, from the creation of the simulator
// to the end of the latest Run.
type Trace struct {
	// Invocations holds every call of the handler, in order; a record's
	// [Record.Invocations] are indexes in it.
	Invocations []Invocation
	// Records holds every record sent, in the order it was sent.
	Records []Record
	// Destination holds what the on-failure destination received
	// (streams only), in order.
	Destination []FailureRecord
	// OrderViolations describes each time a record was settled as
	// processed while an earlier record of its ordering group (FIFO
	// message group, or stream partition key or item) was not yet
	// settled: the handler let it overtake.
	OrderViolations []string
	// Stopped says that Run ended before the source was drained: the
	// MaxInvocations guard was reached, or the context was cancelled.
	Stopped bool
	// Start is the simulated time when the simulator was created, and End
	// the simulated time when Run returned.
	Start, End time.Time
	// Err is a [*ConfigError] when the simulator was built with a
	// configuration that Lambda rejects: Run then invoked nothing. For a
	// simulator that reads a real stream ([ReadKinesis]), it is also the
	// error of its [ShardReader], which stopped Run. It is nil otherwise;
	// handler errors are in [Invocation.Err].
	Err error
}

// Record returns the history of the record with identifier id.
func (t *Trace) Record(id string) (Record, bool) {
	for i := range t.Records {
		if t.Records[i].ID == id {
			return t.Records[i], true
		}
	}
	return Record{}, false
}

// IDs returns the identifiers of the records in state s, in send order.
func (t *Trace) IDs(s State) []string {
	out := []string{}
	for i := range t.Records {
		if t.Records[i].State == s {
			out = append(out, t.Records[i].ID)
		}
	}
	return out
}

// Payloads returns the payloads of the records in state s, in send order.
func (t *Trace) Payloads(s State) []string {
	out := []string{}
	for i := range t.Records {
		if t.Records[i].State == s {
			out = append(out, t.Records[i].Payload)
		}
	}
	return out
}

// Count returns the number of records in state s.
func (t *Trace) Count(s State) int { return len(t.IDs(s)) }

// Deliveries returns the total number of records delivered, counting each
// delivery.
func (t *Trace) Deliveries() int {
	n := 0
	for i := range t.Records {
		n += t.Records[i].Deliveries
	}
	return n
}

// Duplicates returns the total number of duplicate deliveries (see
// [Record.Duplicates]).
func (t *Trace) Duplicates() int {
	n := 0
	for i := range t.Records {
		n += t.Records[i].Duplicates
	}
	return n
}

// String summarizes the trace in one line.
func (t *Trace) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d invocations, %d records:", len(t.Invocations), len(t.Records))
	for _, s := range []State{Processed, DeadLettered, Expired, Discarded, Pending} {
		if n := t.Count(s); n > 0 {
			fmt.Fprintf(&b, " %d %s,", n, s)
		}
	}
	fmt.Fprintf(&b, " %d duplicate deliveries", t.Duplicates())
	if t.Stopped {
		b.WriteString(" (stopped before the source was drained)")
	}
	if t.Err != nil {
		fmt.Fprintf(&b, " (not run: %v)", t.Err)
	}
	return b.String()
}

// clone returns a deep copy of t, so that a trace handed out does not change
// with later runs.
func (t *Trace) clone() *Trace {
	c := *t
	c.Invocations = append([]Invocation(nil), t.Invocations...)
	c.Records = make([]Record, len(t.Records))
	for i, r := range t.Records {
		r.Invocations = append([]int(nil), r.Invocations...)
		c.Records[i] = r
	}
	c.Destination = append([]FailureRecord(nil), t.Destination...)
	c.OrderViolations = append([]string(nil), t.OrderViolations...)
	return &c
}

// Drained returns nil when the simulation ended with every record
// processed or dead-lettered: none pending, expired or discarded, the run
// not stopped by its guard, and its configuration valid ([Trace.Err]).
// Otherwise the error says what is wrong, for a test to report:
//
//	if err := trace.Drained(); err != nil {
//		t.Error(err)
//	}
func (t *Trace) Drained() error {
	if t.Err != nil {
		return fmt.Errorf("simulation not run: %w", t.Err)
	}
	var errs []error
	if t.Stopped {
		errs = append(errs, fmt.Errorf("run stopped by its guard after %d invocations, want the source drained", len(t.Invocations)))
	}
	for _, s := range []State{Pending, Expired, Discarded} {
		if ids := t.IDs(s); len(ids) > 0 {
			errs = append(errs, fmt.Errorf("got %d records %s %v, want none", len(ids), s, ids))
		}
	}
	return errors.Join(errs...)
}

// InState returns nil when every record of ids ended in state want, and
// otherwise an error naming each that did not (or is not in the trace).
func (t *Trace) InState(want State, ids ...string) error {
	if t.Err != nil {
		return fmt.Errorf("simulation not run: %w", t.Err)
	}
	var errs []error
	for _, id := range ids {
		r, ok := t.Record(id)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("record %s: not in the trace, want %s", id, want))
		case r.State != want:
			errs = append(errs, fmt.Errorf("record %s: got %s after %d deliveries, want %s", id, r.State, r.Deliveries, want))
		}
	}
	return errors.Join(errs...)
}
