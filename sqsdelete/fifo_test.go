package sqsdelete_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/sqsdelete"
)

// failHandles answers that the entries with the given receipt handles
// failed with a sender fault (not retried), and the others were deleted.
func failHandles(hs ...string) func(context.Context, int, *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
	return func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
		return failEntries(in, "ReceiptHandleIsInvalid", true, hs...), nil
	}
}

// onQueue returns a copy of records, all from the queue arn.
func onQueue(records []events.SQSMessage, arn string) []events.SQSMessage {
	out := slices.Clone(records)
	for i := range out {
		out[i].EventSourceARN = arn
	}
	return out
}

// TestFIFODeleteOrder checks that a message of a FIFO queue is deleted only
// once the messages before it in its message group were, so that a message
// whose delete failed never comes back behind later ones of its group that
// were processed and deleted; and that the messages of other groups are
// deleted all the same, since SQS orders within a group only. It holds with
// and without SkipGroupOnError: the deletes follow the groups the engine
// handled the messages in, whatever stopped the handling.
func TestFIFODeleteOrder(t *testing.T) {
	// Groups A and B interleaved, then x, a message of group X that fails
	// in the handler so that the function deletes the others itself.
	interleaved := []events.SQSMessage{
		msg("a1", fifoARN, "A"), msg("b1", fifoARN, "B"), msg("a2", fifoARN, "A"),
		msg("b2", fifoARN, "B"), msg("a3", fifoARN, "A"), msg("b3", fifoARN, "B"),
		msg("x", fifoARN, "X"),
	}
	skipGroup := batch.Options{SkipGroupOnError: true}
	noHandleA1 := slices.Clone(interleaved)
	noHandleA1[0].ReceiptHandle = ""
	noGroup := []events.SQSMessage{
		msg("a1", fifoARN, "A"), msg("n1", fifoARN, ""), msg("a2", fifoARN, "A"),
		msg("n2", fifoARN, ""), msg("x", fifoARN, "X"),
	}
	// Twelve groups of two messages: each round has twelve entries.
	var wide []events.SQSMessage
	for k := 0; k < 2; k++ {
		for g := 0; g < 12; g++ {
			id := "g" + strconv.Itoa(g) + "-" + strconv.Itoa(k)
			wide = append(wide, msg(id, fifoARN, "G"+strconv.Itoa(g)))
		}
	}
	wide = append(wide, msg("x", fifoARN, "X"))
	wideIDs := func(k int) []string {
		var out []string
		for g := 0; g < 12; g++ {
			out = append(out, "g"+strconv.Itoa(g)+"-"+strconv.Itoa(k))
		}
		return out
	}

	tests := []struct {
		name    string
		records []events.SQSMessage
		opts    batch.Options
		retries int
		fail    []string // handler failures
		failed  []string // in Error.Failed, if not fail: the failures and the skipped
		respond func(context.Context, int, *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error)
		calls   [][]string // receipt handles of each call, in order
		// not deleted: those whose delete failed, and those held back
		// behind them
		failedDelete, held []string
	}{
		{
			name:    "skip group: deletes go in rounds, the k-th message of every group in round k",
			records: interleaved,
			opts:    skipGroup,
			fail:    []string{"x"},
			calls:   [][]string{handles("a1", "b1"), handles("a2", "b2"), handles("a3", "b3")},
		},
		{
			name:         "skip group: a failed delete keeps the later messages of its group only",
			records:      interleaved,
			opts:         skipGroup,
			fail:         []string{"x"},
			respond:      failHandles("rh-a1"),
			calls:        [][]string{handles("a1", "b1"), handles("b2"), handles("b3")},
			failedDelete: []string{"a1"},
			held:         []string{"a2", "a3"},
		},
		{
			name:    "skip group: retries exhausted keep the later messages of the group",
			records: interleaved,
			opts:    skipGroup,
			retries: 1,
			fail:    []string{"x"},
			respond: func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return failEntries(in, "InternalError", false, "rh-b2"), nil
			},
			calls:        [][]string{handles("a1", "b1"), handles("a2", "b2"), handles("b2"), handles("a3")},
			failedDelete: []string{"b2"},
			held:         []string{"b3"},
		},
		{
			name:         "skip group: a message that cannot be sent keeps the later messages of its group",
			records:      noHandleA1,
			opts:         skipGroup,
			fail:         []string{"x"},
			calls:        [][]string{handles("b1"), handles("b2"), handles("b3")},
			failedDelete: []string{"a1"},
			held:         []string{"a2", "a3"},
		},
		{
			name:         "skip group: messages without a group are independent",
			records:      noGroup,
			opts:         skipGroup,
			fail:         []string{"x"},
			respond:      failHandles("rh-n1", "rh-a1"),
			calls:        [][]string{handles("a1", "n1", "n2")},
			failedDelete: []string{"a1", "n1"},
			held:         []string{"a2"},
		},
		{
			name:    "skip group: a round of more than ten messages takes several calls",
			records: wide,
			opts:    skipGroup,
			fail:    []string{"x"},
			calls: [][]string{
				handles(wideIDs(0)[:10]...), handles(wideIDs(0)[10:]...),
				handles(wideIDs(1)[:10]...), handles(wideIDs(1)[10:]...),
			},
		},
		{
			name:    "stop at first failure: deletes go in rounds per group too",
			records: interleaved,
			fail:    []string{"x"},
			calls:   [][]string{handles("a1", "b1"), handles("a2", "b2"), handles("a3", "b3")},
		},
		{
			// Before, a failed delete held every later message of the batch.
			name:         "stop at first failure: a failed delete keeps the later messages of its group only",
			records:      interleaved,
			fail:         []string{"x"},
			respond:      failHandles("rh-b1"),
			calls:        [][]string{handles("a1", "b1"), handles("a2"), handles("a3")},
			failedDelete: []string{"b1"},
			held:         []string{"b2", "b3"},
		},
		{
			name:         "stop at first failure: messages without a group are independent",
			records:      noGroup,
			fail:         []string{"x"},
			respond:      failHandles("rh-a1"),
			calls:        [][]string{handles("a1", "n1", "n2")},
			failedDelete: []string{"a1"},
			held:         []string{"a2"},
		},
		{
			name:         "StopOnFirstFailure wins over SkipGroupOnError for the handling; the deletes keep each group's order",
			records:      interleaved,
			opts:         batch.Options{SkipGroupOnError: true, StopOnFirstFailure: true},
			fail:         []string{"b2"},
			failed:       []string{"b2", "a3", "b3", "x"},
			respond:      failHandles("rh-a1"),
			calls:        [][]string{handles("a1", "b1")},
			failedDelete: []string{"a1"},
			held:         []string{"a2"},
		},
		{
			name:         "Options.FIFO: a batch without a .fifo ARN is deleted per group",
			records:      onQueue(interleaved, stdARN),
			opts:         batch.Options{FIFO: true},
			fail:         []string{"x"},
			respond:      failHandles("rh-a1"),
			calls:        [][]string{handles("a1", "b1"), handles("b2"), handles("b3")},
			failedDelete: []string{"a1"},
			held:         []string{"a2", "a3"},
		},
		{
			// The lanes are keyed by queue and group: the same group name on
			// two queues is two groups.
			name: "a group of the same name on another queue is another group",
			records: []events.SQSMessage{
				msg("a1", fifoARN, "A"), msg("c1", fifo2ARN, "A"), msg("a2", fifoARN, "A"),
				msg("c2", fifo2ARN, "A"), msg("x", fifoARN, "X"),
			},
			opts:         skipGroup,
			fail:         []string{"x"},
			respond:      failHandles("rh-a1"),
			calls:        [][]string{handles("a1"), handles("c1"), handles("c2")},
			failedDelete: []string{"a1"},
			held:         []string{"a2"},
		},
		{
			name:    "stop at first failure: retries exhausted keep the later messages of the group only",
			records: interleaved,
			retries: 1,
			fail:    []string{"x"},
			respond: func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return failEntries(in, "InternalError", false, "rh-a2"), nil
			},
			calls:        [][]string{handles("a1", "b1"), handles("a2", "b2"), handles("a2"), handles("b3")},
			failedDelete: []string{"a2"},
			held:         []string{"a3"},
		},
		{
			// A standard queue may carry MessageGroupId (fair queues), which
			// orders nothing: the deletes are independent.
			name:         "standard queue with message groups: all deletes at once",
			records:      onQueue(interleaved, stdARN),
			fail:         []string{"x"},
			respond:      failHandles("rh-a1"),
			calls:        [][]string{handles("a1", "b1", "a2", "b2", "a3", "b3")},
			failedDelete: []string{"a1"},
		},
		{
			name:    "standard queue with StopOnFirstFailure: all deletes at once",
			records: msgs("m", 5, stdARN),
			opts:    batch.Options{StopOnFirstFailure: true},
			fail:    []string{"m4"},
			respond: failHandles("rh-m0"),
			calls:   [][]string{handles("m0", "m1", "m2", "m3")},
			// m0's failure holds nothing back: a standard queue has no order.
			failedDelete: []string{"m0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClient{respond: tt.respond}
			fn := sqsdelete.New(sqsdelete.Config{Client: fc, Retries: tt.retries, DeleteConcurrency: 1}, failIDs(tt.fail...), tt.opts)
			_, err := fn.Process(context.Background(), event(tt.records))
			calls, _, violations := fc.snapshot()
			if len(violations) > 0 {
				t.Errorf("requests SQS would reject: %v", violations)
			}
			var got [][]string
			for _, c := range calls {
				got = append(got, c.handles)
			}
			if !slices.EqualFunc(got, tt.calls, slices.Equal) {
				t.Errorf("got calls %v, want %v", got, tt.calls)
			}
			var e *sqsdelete.Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %v, want *sqsdelete.Error", err)
			}
			wantFailed := tt.failed
			if wantFailed == nil {
				wantFailed = tt.fail
			}
			if got, want := errIDs(e.Failed), wantFailed; !slices.Equal(got, want) {
				t.Errorf("got failed %v, want %v", got, want)
			}
			var want, gotFailed, gotHeld []string
			for _, m := range tt.records {
				if slices.Contains(tt.failedDelete, m.MessageId) || slices.Contains(tt.held, m.MessageId) {
					want = append(want, m.MessageId)
				}
			}
			if got := errIDs(e.NotDeleted); !slices.Equal(got, want) {
				t.Errorf("got not deleted %v, want %v", got, want)
			}
			for _, re := range e.NotDeleted {
				if !errors.Is(re, sqsdelete.ErrNotDeleted) {
					t.Errorf("NotDeleted %s: got %v, want it to wrap ErrNotDeleted", re.ID, re.Err)
				}
				if errors.Is(re, sqsdelete.ErrEarlierNotDeleted) {
					gotHeld = append(gotHeld, re.ID)
				} else {
					gotFailed = append(gotFailed, re.ID)
				}
			}
			if !slices.Equal(gotHeld, tt.held) {
				t.Errorf("got held back (ErrEarlierNotDeleted) %v, want %v", gotHeld, tt.held)
			}
			if !slices.Equal(gotFailed, tt.failedDelete) {
				t.Errorf("got failed deletes %v, want %v", gotFailed, tt.failedDelete)
			}
		})
	}
}

// TestFIFODeleteRoundsConcurrency checks that the calls of one round may run
// at once, and that a round starts only when the one before it is over, with
// and without SkipGroupOnError.
func TestFIFODeleteRoundsConcurrency(t *testing.T) {
	// 22 groups of two messages: rounds of 22 entries, three calls each.
	var recs []events.SQSMessage
	for k := 0; k < 2; k++ {
		for g := 0; g < 22; g++ {
			recs = append(recs, msg("g"+strconv.Itoa(g)+"-"+strconv.Itoa(k), fifoARN, "G"+strconv.Itoa(g)))
		}
	}
	recs = append(recs, msg("x", fifoARN, "X"))
	round := func(handle string) int { return int(handle[len(handle)-1] - '0') }

	tests := []struct {
		name string
		opts batch.Options
	}{
		{name: "stop at first failure"},
		{name: "skip group", opts: batch.Options{SkipGroupOnError: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu          sync.Mutex
				inFlight    [2]int
				peak        int
				overlaps    []string
				roundsCalls [2]int
			)
			fc := &fakeClient{respond: func(_ context.Context, n int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				r := round(*in.Entries[0].ReceiptHandle)
				mu.Lock()
				for _, e := range in.Entries {
					if round(*e.ReceiptHandle) != r {
						overlaps = append(overlaps, fmt.Sprintf("call %d mixes rounds", n))
					}
				}
				if r == 1 && inFlight[0] > 0 {
					overlaps = append(overlaps, fmt.Sprintf("call %d of round 1 started while %d of round 0 ran", n, inFlight[0]))
				}
				inFlight[r]++
				roundsCalls[r]++
				peak = max(peak, inFlight[r])
				mu.Unlock()
				time.Sleep(10 * time.Millisecond) // give a wrong order the time to show
				mu.Lock()
				inFlight[r]--
				mu.Unlock()
				return succeedAll(in), nil
			}}
			fn := sqsdelete.New(sqsdelete.Config{Client: fc, DeleteConcurrency: 3}, failIDs("x"), tt.opts)
			_, err := fn.Process(context.Background(), event(recs))
			var e *sqsdelete.Error
			if !errors.As(err, &e) || len(e.NotDeleted) != 0 {
				t.Fatalf("got error %v, want *sqsdelete.Error without NotDeleted", err)
			}
			calls, deleted, violations := fc.snapshot()
			if len(violations) > 0 {
				t.Errorf("requests SQS would reject: %v", violations)
			}
			if len(calls) != 6 || len(deleted) != 44 {
				t.Errorf("got %d calls deleting %d messages, want 6 calls deleting 44", len(calls), len(deleted))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(overlaps) > 0 {
				t.Errorf("rounds overlapped: %v", overlaps)
			}
			if roundsCalls != [2]int{3, 3} {
				t.Errorf("got %v calls in rounds 0 and 1, want 3 each", roundsCalls)
			}
			if peak > 3 {
				t.Errorf("got %d calls of a round at once, want at most DeleteConcurrency (3)", peak)
			}
		})
	}
}
