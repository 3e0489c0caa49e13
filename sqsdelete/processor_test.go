package sqsdelete_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/seed-45ee126e/batch"
	"github.com/seed-45ee126e/batch/sqsdelete"
)

func ids(n int, prefix string, except ...string) []string {
	var out []string
	for i := 0; i < n; i++ {
		id := prefix + strconv.Itoa(i)
		if !slices.Contains(except, id) {
			out = append(out, id)
		}
	}
	return out
}

func TestProcessDeletes(t *testing.T) {
	fifo := []events.SQSMessage{
		msg("a1", fifoARN, "A"), msg("b1", fifoARN, "B"), msg("a2", fifoARN, "A"),
		msg("b2", fifoARN, "B"), msg("a3", fifoARN, "A"),
	}
	noHandle := msgs("m", 3, stdARN)
	noHandle[2].ReceiptHandle = ""
	badARN := msgs("m", 3, stdARN)
	badARN[1].EventSourceARN = "arn:aws:sqs:eu-west-1:not-an-account:orders"
	mixed := append(msgs("m", 3, stdARN), msg("n0", std2ARN, ""), msg("n1", stdARN, ""), msg("n2", std2ARN, ""))

	tests := []struct {
		name       string
		records    []events.SQSMessage
		opts       batch.Options
		fail       []string
		calls      []call   // the DeleteMessageBatch calls, in order
		failed     []string // ids in Error.Failed; nil means no error
		notDeleted []string // ids in Error.NotDeleted
	}{
		{
			name:    "all succeeded makes no call and returns nil",
			records: msgs("m", 12, stdARN),
		},
		{
			name:    "all failed makes no call and returns the error",
			records: msgs("m", 3, stdARN),
			fail:    []string{"m0", "m1", "m2"},
			failed:  []string{"m0", "m1", "m2"},
		},
		{
			name:    "successes are deleted in calls of at most ten",
			records: msgs("m", 25, stdARN),
			fail:    []string{"m7"},
			calls: []call{
				{stdURL, handles(ids(11, "m", "m7")...)},
				{stdURL, handles(ids(21, "m", ids(11, "m")...)...)},
				{stdURL, handles("m21", "m22", "m23", "m24")},
			},
			failed: []string{"m7"},
		},
		{
			name:    "messages of several queues are deleted per queue",
			records: mixed,
			fail:    []string{"m1"},
			calls: []call{
				{stdURL, handles("m0", "m2", "n1")},
				{std2URL, handles("n0", "n2")},
			},
			failed: []string{"m1"},
		},
		{
			name:    "FIFO: messages after the first failure are neither handled nor deleted, the others deleted in rounds per group",
			records: fifo,
			fail:    []string{"a2"},
			calls:   []call{{fifoURL, handles("a1", "b1")}},
			failed:  []string{"a2", "b2", "a3"},
		},
		{
			name:    "FIFO skip group: only the failed group's later messages are kept, the others deleted in rounds",
			records: fifo,
			opts:    batch.Options{SkipGroupOnError: true, Concurrency: 2},
			fail:    []string{"a2"},
			calls:   []call{{fifoURL, handles("a1", "b1")}, {fifoURL, handles("b2")}},
			failed:  []string{"a2", "a3"},
		},
		{
			name:    "concurrent handlers delete the same messages",
			records: msgs("m", 25, stdARN),
			opts:    batch.Options{Concurrency: 8},
			fail:    []string{"m3", "m24"},
			calls: []call{
				{stdURL, handles(ids(11, "m", "m3")...)},
				{stdURL, handles(ids(21, "m", ids(11, "m")...)...)},
				{stdURL, handles("m21", "m22", "m23")},
			},
			failed: []string{"m3", "m24"},
		},
		{
			name:       "message without receipt handle is reported not deleted",
			records:    noHandle,
			fail:       []string{"m0"},
			calls:      []call{{stdURL, handles("m1")}},
			failed:     []string{"m0"},
			notDeleted: []string{"m2"},
		},
		{
			name:       "malformed ARN reports the message not deleted",
			records:    badARN,
			fail:       []string{"m0"},
			calls:      []call{{stdURL, handles("m2")}},
			failed:     []string{"m0"},
			notDeleted: []string{"m1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClient{}
			fn := sqsdelete.New(sqsdelete.Config{Client: fc, DeleteConcurrency: 1}, failIDs(tt.fail...), tt.opts)
			rep, err := fn.Process(context.Background(), event(tt.records))
			if got, want := len(rep.Results), len(tt.records); got != want {
				t.Errorf("got a report of %d records, want %d", got, want)
			}
			for i, r := range rep.Results {
				if got, want := r.Outcome == batch.Succeeded, !slices.Contains(tt.failed, r.ID); got != want {
					t.Errorf("record %d (%s): got outcome %v, want succeeded %v", i, r.ID, r.Outcome, want)
				}
			}
			calls, _, violations := fc.snapshot()
			if len(violations) > 0 {
				t.Errorf("requests SQS would reject: %v", violations)
			}
			if !slices.EqualFunc(calls, tt.calls, func(a, b call) bool { return a.url == b.url && slices.Equal(a.handles, b.handles) }) {
				t.Errorf("got calls %v, want %v", calls, tt.calls)
			}
			if tt.failed == nil {
				if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
				return
			}
			var e *sqsdelete.Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %v, want *sqsdelete.Error", err)
			}
			if got := errIDs(e.Failed); !slices.Equal(got, tt.failed) {
				t.Errorf("got failed ids %v, want %v", got, tt.failed)
			}
			if got := errIDs(e.NotDeleted); !slices.Equal(got, tt.notDeleted) {
				t.Errorf("got not-deleted ids %v, want %v", got, tt.notDeleted)
			}
			for _, re := range e.NotDeleted {
				if !errors.Is(re, sqsdelete.ErrNotDeleted) {
					t.Errorf("NotDeleted %s: got %v, want it to wrap ErrNotDeleted", re.ID, re.Err)
				}
			}
		})
	}
}

func TestProcessNotDeletedCauses(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*events.SQSMessage)
		check func(error) bool
		want  string
	}{
		{
			name:  "empty receipt handle",
			mod:   func(m *events.SQSMessage) { m.ReceiptHandle = "" },
			check: func(err error) bool { return errors.Is(err, sqsdelete.ErrNoReceiptHandle) },
			want:  "ErrNoReceiptHandle",
		},
		{
			name: "malformed eventSourceARN",
			mod:  func(m *events.SQSMessage) { m.EventSourceARN = "arn:aws:sqs:eu-west-1:123456789012:bad/name" },
			check: func(err error) bool {
				var ae *sqsdelete.ARNError
				return errors.As(err, &ae) && ae.ARN == "arn:aws:sqs:eu-west-1:123456789012:bad/name"
			},
			want: "*ARNError naming the ARN",
		},
		{
			name:  "empty eventSourceARN",
			mod:   func(m *events.SQSMessage) { m.EventSourceARN = "" },
			check: func(err error) bool { var ae *sqsdelete.ARNError; return errors.As(err, &ae) },
			want:  "*ARNError",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := msgs("m", 2, stdARN)
			tt.mod(&recs[1])
			fc := &fakeClient{}
			_, err := sqsdelete.New(sqsdelete.Config{Client: fc}, failIDs("m0"), batch.Options{}).Process(context.Background(), event(recs))
			var e *sqsdelete.Error
			if !errors.As(err, &e) || len(e.NotDeleted) != 1 {
				t.Fatalf("got error %v, want *sqsdelete.Error with one NotDeleted", err)
			}
			if !tt.check(e.NotDeleted[0]) {
				t.Errorf("got cause %v, want %s", e.NotDeleted[0].Err, tt.want)
			}
			if calls, _, _ := fc.snapshot(); len(calls) != 0 {
				t.Errorf("got %d calls, want 0", len(calls))
			}
		})
	}
}

func TestDeleteRetries(t *testing.T) {
	accessDenied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "no", Fault: smithy.FaultClient}
	network := errors.New("connection reset")
	tests := []struct {
		name    string
		retries int
		respond func(ctx context.Context, n int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error)
		calls   [][]string // receipt handles of each call
		deleted []string   // receipt handles deleted
		// what the not-deleted messages' errors hold, or nil if all were deleted
		notDeleted []string
		cause      func(error) bool
	}{
		{
			name: "retryable entry failure is retried and then deleted",
			respond: func(_ context.Context, n int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				if n == 0 {
					return failEntries(in, "InternalError", false, "rh-m2"), nil
				}
				return succeedAll(in), nil
			},
			calls:   [][]string{handles("m1", "m2", "m3"), handles("m2")},
			deleted: handles("m1", "m3", "m2"),
		},
		{
			name:    "persistent retryable failure is given up after Retries",
			retries: 2,
			respond: func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return failEntries(in, "InternalError", false, "rh-m3"), nil
			},
			calls:      [][]string{handles("m1", "m2", "m3"), handles("m3"), handles("m3")},
			deleted:    handles("m1", "m2"),
			notDeleted: []string{"m3"},
			cause: func(err error) bool {
				var ee *sqsdelete.EntryError
				return errors.As(err, &ee) && ee.Code == "InternalError" && !ee.SenderFault
			},
		},
		{
			name: "sender fault is reported without retry",
			respond: func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return failEntries(in, "ReceiptHandleIsInvalid", true, "rh-m1"), nil
			},
			calls:      [][]string{handles("m1", "m2", "m3")},
			deleted:    handles("m2", "m3"),
			notDeleted: []string{"m1"},
			cause: func(err error) bool {
				var ee *sqsdelete.EntryError
				return errors.As(err, &ee) && ee.Code == "ReceiptHandleIsInvalid" && ee.SenderFault
			},
		},
		{
			name: "failed call is retried",
			respond: func(_ context.Context, n int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				if n == 0 {
					return nil, network
				}
				return succeedAll(in), nil
			},
			calls:   [][]string{handles("m1", "m2", "m3"), handles("m1", "m2", "m3")},
			deleted: handles("m1", "m2", "m3"),
		},
		{
			name:    "call failing every time is given up after Retries",
			retries: 1,
			respond: func(context.Context, int, *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return nil, network
			},
			calls:      [][]string{handles("m1", "m2", "m3"), handles("m1", "m2", "m3")},
			notDeleted: []string{"m1", "m2", "m3"},
			cause:      func(err error) bool { return errors.Is(err, network) },
		},
		{
			name: "call rejected by SQS is not retried",
			respond: func(context.Context, int, *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return nil, accessDenied
			},
			calls:      [][]string{handles("m1", "m2", "m3")},
			notDeleted: []string{"m1", "m2", "m3"},
			cause: func(err error) bool {
				var ae smithy.APIError
				return errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied"
			},
		},
		{
			name: "panicking client is reported, not retried",
			respond: func(context.Context, int, *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				panic("client bug")
			},
			calls:      [][]string{handles("m1", "m2", "m3")},
			notDeleted: []string{"m1", "m2", "m3"},
			cause: func(err error) bool {
				var pe *batch.PanicError
				return errors.As(err, &pe) && pe.Value == "client bug"
			},
		},
		{
			name:    "negative Retries tries once",
			retries: -1,
			respond: func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return failEntries(in, "InternalError", false, "rh-m1"), nil
			},
			calls:      [][]string{handles("m1", "m2", "m3")},
			deleted:    handles("m2", "m3"),
			notDeleted: []string{"m1"},
			cause:      func(err error) bool { var ee *sqsdelete.EntryError; return errors.As(err, &ee) },
		},
		{
			name:    "entry missing from the response is retried, then reported",
			retries: 1,
			respond: func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				out := succeedAll(in)
				out.Successful = out.Successful[1:]
				return out, nil
			},
			calls:      [][]string{handles("m1", "m2", "m3"), handles("m1")},
			deleted:    handles("m2", "m3"),
			notDeleted: []string{"m1"},
			cause:      func(err error) bool { return errors.Is(err, sqsdelete.ErrNotDeleted) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClient{respond: tt.respond}
			fn := sqsdelete.New(sqsdelete.Config{Client: fc, Retries: tt.retries}, failIDs("m0"), batch.Options{})
			_, err := fn.Process(context.Background(), event(msgs("m", 4, stdARN)))
			calls, deleted, _ := fc.snapshot()
			var got [][]string
			for _, c := range calls {
				got = append(got, c.handles)
			}
			if !slices.EqualFunc(got, tt.calls, slices.Equal) {
				t.Errorf("got calls %v, want %v", got, tt.calls)
			}
			if !slices.Equal(deleted, tt.deleted) {
				t.Errorf("got deleted %v, want %v", deleted, tt.deleted)
			}
			var e *sqsdelete.Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %v, want *sqsdelete.Error", err)
			}
			if got := errIDs(e.Failed); !slices.Equal(got, []string{"m0"}) {
				t.Errorf("got failed %v, want [m0]", got)
			}
			if got := errIDs(e.NotDeleted); !slices.Equal(got, tt.notDeleted) {
				t.Errorf("got not deleted %v, want %v", got, tt.notDeleted)
			}
			for _, re := range e.NotDeleted {
				if !errors.Is(re, sqsdelete.ErrNotDeleted) || !tt.cause(re) {
					t.Errorf("NotDeleted %s: got %v, want ErrNotDeleted and the expected cause", re.ID, re.Err)
				}
			}
		})
	}
}

func TestDeleteContextCanceled(t *testing.T) {
	tests := []struct {
		name    string
		respond func(cancel context.CancelFunc) func(ctx context.Context, n int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error)
		calls   int
	}{
		{
			name: "cancelled during a call: no further call",
			respond: func(cancel context.CancelFunc) func(ctx context.Context, n int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return func(ctx context.Context, _ int, _ *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
					cancel()
					<-ctx.Done()
					return nil, ctx.Err()
				}
			},
			calls: 1,
		},
		{
			name: "cancelled while waiting to retry: no retry",
			respond: func(cancel context.CancelFunc) func(ctx context.Context, n int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				return func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
					cancel()
					var all []string
					for _, e := range in.Entries {
						all = append(all, *e.ReceiptHandle)
					}
					return failEntries(in, "InternalError", false, all...), nil
				}
			},
			calls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			fc := &fakeClient{respond: tt.respond(cancel)}
			// 24 successes in three chunks, sent one after the other.
			fn := sqsdelete.New(sqsdelete.Config{Client: fc, DeleteConcurrency: 1, Retries: 5}, failIDs("m0"), batch.Options{})
			_, err := fn.Process(ctx, event(msgs("m", 25, stdARN)))
			calls, _, _ := fc.snapshot()
			if len(calls) != tt.calls {
				t.Errorf("got %d calls, want %d", len(calls), tt.calls)
			}
			var e *sqsdelete.Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %v, want *sqsdelete.Error", err)
			}
			if got, want := len(e.NotDeleted), 24; got != want {
				t.Fatalf("got %d not deleted, want %d", got, want)
			}
			for _, re := range e.NotDeleted {
				if !errors.Is(re, context.Canceled) || !errors.Is(re, sqsdelete.ErrNotDeleted) {
					t.Errorf("NotDeleted %s: got %v, want ErrNotDeleted and context.Canceled", re.ID, re.Err)
				}
			}
		})
	}
}

func TestDeleteConcurrency(t *testing.T) {
	tests := []struct {
		name        string
		concurrency int
		wantMax     int64
	}{
		{name: "one call at a time", concurrency: 1, wantMax: 1},
		{name: "at most DeleteConcurrency calls at once", concurrency: 3, wantMax: 3},
		{name: "zero means DefaultDeleteConcurrency", concurrency: 0, wantMax: sqsdelete.DefaultDeleteConcurrency},
		{name: "negative means no limit: every chunk at once", concurrency: -1, wantMax: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inFlight, peak atomic.Int64
			release := make(chan struct{})
			var once sync.Once
			fc := &fakeClient{respond: func(_ context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				n := inFlight.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				if n == tt.wantMax {
					once.Do(func() { close(release) }) // the limit is reached: let every call finish
				}
				select {
				case <-release:
				case <-time.After(10 * time.Second): // fewer calls than wanted ever ran at once: don't hang
				}
				inFlight.Add(-1)
				return succeedAll(in), nil
			}}
			fn := sqsdelete.New(sqsdelete.Config{Client: fc, DeleteConcurrency: tt.concurrency}, failIDs("m0"), batch.Options{})
			// 60 successes: six chunks.
			_, err := fn.Process(context.Background(), event(msgs("m", 61, stdARN)))
			var e *sqsdelete.Error
			if !errors.As(err, &e) || len(e.NotDeleted) != 0 {
				t.Fatalf("got error %v, want *sqsdelete.Error without NotDeleted", err)
			}
			if got := peak.Load(); got != tt.wantMax {
				t.Errorf("got at most %d calls at once, want %d", got, tt.wantMax)
			}
			if calls, deleted, _ := fc.snapshot(); len(calls) != 6 || len(deleted) != 60 {
				t.Errorf("got %d calls deleting %d messages, want 6 calls deleting 60", len(calls), len(deleted))
			}
		})
	}
}

func TestDeleteMargin(t *testing.T) {
	const engineMargin = batch.DefaultDeadlineMargin
	tests := []struct {
		name     string
		cfg      sqsdelete.Config
		opts     batch.Options
		left     time.Duration // before the invocation's deadline; 0 means a minute
		reserved time.Duration // how much earlier than the invocation's the handler's deadline is
		slack    time.Duration // how far from reserved it may be, when left/2 caps it
	}{
		{name: "default margin keeps a second for the deletes", reserved: sqsdelete.DefaultDeleteMargin + engineMargin},
		{name: "DeleteMargin sets the time kept", cfg: sqsdelete.Config{DeleteMargin: 3 * time.Second}, reserved: 3*time.Second + engineMargin},
		{name: "negative DeleteMargin keeps no time", cfg: sqsdelete.Config{DeleteMargin: -1}, reserved: engineMargin},
		// Deadline handling off (IgnoreDeadline before) no longer drops the
		// delete margin: Options.Reserve applies whatever DeadlineMargin says.
		{name: "negative DeadlineMargin still keeps the delete margin", opts: batch.Options{DeadlineMargin: -1}, reserved: sqsdelete.DefaultDeleteMargin},
		{name: "negative DeleteMargin and DeadlineMargin keep no time", cfg: sqsdelete.Config{DeleteMargin: -1}, opts: batch.Options{DeadlineMargin: -1}, reserved: 0},
		// New keeps the time through Options.Reserve, the larger of the two.
		{name: "a larger Options.Reserve is kept", opts: batch.Options{Reserve: 5 * time.Second}, reserved: 5*time.Second + engineMargin},
		{name: "a smaller Options.Reserve gives way to DeleteMargin", opts: batch.Options{Reserve: 200 * time.Millisecond}, reserved: sqsdelete.DefaultDeleteMargin + engineMargin},
		{name: "negative DeleteMargin keeps the Options.Reserve", cfg: sqsdelete.Config{DeleteMargin: -1}, opts: batch.Options{Reserve: 2 * time.Second}, reserved: 2*time.Second + engineMargin},
		{
			// 4s left: at most 2s is kept, and the engine's margin applies
			// within the 2s left to the handlers.
			name: "the time kept is at most half the time left", cfg: sqsdelete.Config{DeleteMargin: 3 * time.Second},
			left: 4 * time.Second, reserved: 2*time.Second + engineMargin, slack: 100 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			left := tt.left
			if left == 0 {
				left = time.Minute
			}
			dl := time.Now().Add(left)
			ctx, cancel := context.WithDeadline(context.Background(), dl)
			defer cancel()
			var handlerDL, deleteDL time.Time
			fc := &fakeClient{respond: func(ctx context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
				deleteDL, _ = ctx.Deadline()
				return succeedAll(in), nil
			}}
			cfg := tt.cfg
			cfg.Client = fc
			fn := sqsdelete.New(cfg, func(ctx context.Context, m events.SQSMessage) error {
				if m.MessageId == "m0" {
					handlerDL, _ = ctx.Deadline()
					return errHandler
				}
				return nil
			}, tt.opts)
			_, _ = fn.Process(ctx, event(msgs("m", 2, stdARN)))
			if got, want := dl.Sub(handlerDL), tt.reserved; got > want+tt.slack || got < want-tt.slack {
				t.Errorf("got the handler's deadline %v before the invocation's, want %v (±%v)", got, want, tt.slack)
			}
			if !deleteDL.Equal(dl) {
				t.Errorf("got the deletes' deadline %v, want the invocation's %v", deleteDL, dl)
			}
		})
	}
}

// TestDeleteMarginDeadline checks that the time kept for the deletes is the
// engine's Options.Reserve: the records run as if the deadline came
// DeleteMargin earlier, with DeadlineMargin within that, so that a record
// not started by then is reported with batch.ErrDeadline, and the
// successes are still deleted, with the time kept.
func TestDeleteMarginDeadline(t *testing.T) {
	const (
		left           = 1200 * time.Millisecond
		deleteMargin   = 400 * time.Millisecond
		deadlineMargin = 200 * time.Millisecond
	)
	dl := time.Now().Add(left)
	ctx, cancel := context.WithDeadline(context.Background(), dl)
	defer cancel()
	type ended struct {
		left  time.Duration // before dl
		cause error
	}
	handlerEnded := make(chan ended, 1) // when m1's context ended; a channel, as an abandoned handler may outlive Process
	var deleteLeft time.Duration        // before dl, when the deletes ran
	fc := &fakeClient{respond: func(ctx context.Context, _ int, in *sqs.DeleteMessageBatchInput) (*sqs.DeleteMessageBatchOutput, error) {
		deleteLeft = time.Until(dl)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return succeedAll(in), nil
	}}
	fn := sqsdelete.New(sqsdelete.Config{Client: fc, DeleteMargin: deleteMargin}, func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId != "m1" {
			return nil
		}
		<-ctx.Done() // m1 runs until the records' deadline
		handlerEnded <- ended{time.Until(dl), context.Cause(ctx)}
		return ctx.Err()
	}, batch.Options{DeadlineMargin: deadlineMargin})

	rep, err := fn.Process(ctx, event(msgs("m", 3, stdARN)))
	h := <-handlerEnded
	if h.left < deleteMargin {
		t.Errorf("got the handler's context done %v before the deadline, want at least DeleteMargin (%v)", h.left, deleteMargin)
	}
	if !errors.Is(h.cause, batch.ErrDeadline) {
		t.Errorf("got the handler's context cause %v, want batch.ErrDeadline", h.cause)
	}
	var e *sqsdelete.Error
	if !errors.As(err, &e) || len(e.NotDeleted) != 0 {
		t.Fatalf("got error %v, want *sqsdelete.Error without NotDeleted", err)
	}
	if got, want := errIDs(e.Failed), []string{"m1", "m2"}; !slices.Equal(got, want) {
		t.Errorf("got failed %v, want %v", got, want)
	}
	if r := rep.Results[2]; r.Outcome != batch.NotProcessed || !errors.Is(r.Err, batch.ErrDeadline) {
		t.Errorf("m2: got %v, %v, want not processed with batch.ErrDeadline", r.Outcome, r.Err)
	}
	if _, deleted, _ := fc.snapshot(); !slices.Equal(deleted, handles("m0")) {
		t.Errorf("got deleted %v, want [rh-m0]", deleted)
	}
	if deleteLeft <= 0 {
		t.Errorf("got the deletes run %v after the deadline, want before it", -deleteLeft)
	}
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name     string
		cfg      sqsdelete.Config
		fail     []string
		wantErr  func(error) bool
		deletes  int
		wantDesc string
	}{
		{
			name: "partial failure returns the error", fail: []string{"m1"}, deletes: 2,
			wantErr:  func(err error) bool { var e *sqsdelete.Error; return errors.As(err, &e) && errors.Is(err, errHandler) },
			wantDesc: "*sqsdelete.Error wrapping the handler's error",
		},
		{
			name: "SuppressError returns nil after deleting, and Process the error", cfg: sqsdelete.Config{SuppressError: true}, fail: []string{"m1"}, deletes: 2,
			wantErr: func(err error) bool { return err == nil }, wantDesc: "nil",
		},
		{
			name: "all succeeded deletes nothing and returns nil", deletes: 0,
			wantErr: func(err error) bool { return err == nil }, wantDesc: "nil",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClient{}
			cfg := tt.cfg
			cfg.Client = fc
			var handled atomic.Int64
			fn := sqsdelete.New(cfg, func(ctx context.Context, m events.SQSMessage) error {
				handled.Add(1)
				return failIDs(tt.fail...)(ctx, m)
			}, batch.Options{})
			err := fn.Handle(context.Background(), event(msgs("m", 3, stdARN)))
			if !tt.wantErr(err) {
				t.Errorf("got error %v, want %s", err, tt.wantDesc)
			}
			if got, want := handled.Load(), int64(3); got != want {
				t.Errorf("handled %d messages, want %d", got, want)
			}
			if _, deleted, _ := fc.snapshot(); len(deleted) != tt.deletes {
				t.Errorf("deleted %d messages, want %d", len(deleted), tt.deletes)
			}
			// Process ignores SuppressError: it gives the error Handle
			// would return without it.
			_, err = fn.Process(context.Background(), event(msgs("m", 3, stdARN)))
			var e *sqsdelete.Error
			if got, want := errors.As(err, &e), len(tt.fail) > 0; got != want {
				t.Errorf("Process: got error %v, want an *sqsdelete.Error: %v", err, want)
			}
		})
	}
}

// TestNewPanics checks that New refuses, when the function starts, what
// would otherwise fail every invocation (ErrNoClient before): a nil Client
// and a nil handler.
func TestNewPanics(t *testing.T) {
	tests := []struct {
		name string
		cfg  sqsdelete.Config
		h    func(context.Context, events.SQSMessage) error
		want string // in the panic's message
	}{
		{name: "nil Client", h: failIDs(), want: "sqsdelete: New: Config.Client is nil"},
		{name: "nil Client with SuppressError", cfg: sqsdelete.Config{SuppressError: true}, h: failIDs(), want: "sqsdelete: New: Config.Client is nil"},
		{name: "nil Client and nil handler: the Client is named", want: "sqsdelete: New: Config.Client is nil"},
		{name: "nil handler", cfg: sqsdelete.Config{Client: &fakeClient{}}, want: "New: nil handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			func() {
				defer func() { got = recover() }()
				sqsdelete.New(tt.cfg, tt.h, batch.Options{})
			}()
			msg, ok := got.(string)
			if !ok || !strings.Contains(msg, tt.want) {
				t.Errorf("got panic %#v, want one containing %q", got, tt.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *sqsdelete.Error
		want []string
	}{
		{
			name: "names the failed messages",
			err:  &sqsdelete.Error{Failed: []*batch.RecordError{{Index: 1, ID: "id-1", Err: errHandler}, {Index: 4, Err: errHandler}}},
			want: []string{"2 messages did not succeed", "id-1", "#4"},
		},
		{
			name: "names the messages not deleted separately",
			err: &sqsdelete.Error{
				Failed:     []*batch.RecordError{{Index: 0, ID: "id-0", Err: errHandler}},
				NotDeleted: []*batch.RecordError{{Index: 2, ID: "id-2", Err: sqsdelete.ErrNotDeleted}},
			},
			want: []string{"1 message did not succeed", "id-0", "1 message succeeded but could not be deleted", "id-2"},
		},
		{
			name: "shortens long lists",
			err:  &sqsdelete.Error{Failed: manyErrs(25)},
			want: []string{"25 messages did not succeed", "and 15 more"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.err.Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

func manyErrs(n int) []*batch.RecordError {
	out := make([]*batch.RecordError, n)
	for i := range out {
		out[i] = &batch.RecordError{Index: i, ID: "id", Err: errHandler}
	}
	return out
}

// TestInvoke checks the entry point lambda.Start calls: the event as JSON
// in, the JSON null out when Lambda may delete the batch, and otherwise the
// error that makes it return the batch to the queue.
func TestInvoke(t *testing.T) {
	std, err := json.Marshal(event(msgs("m", 3, stdARN)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cfg      sqsdelete.Config
		payload  string
		fail     []string
		wantOut  string // "" means nil
		wantErr  func(error) bool
		wantDesc string
		handled  int
		deleted  []string
	}{
		{
			name: "all succeeded returns null and deletes nothing", payload: string(std), handled: 3,
			wantOut: "null", wantErr: func(err error) bool { return err == nil }, wantDesc: "nil",
		},
		{
			name: "partial failure deletes the successes and returns the error", payload: string(std), fail: []string{"m1"}, handled: 3,
			wantErr:  func(err error) bool { var e *sqsdelete.Error; return errors.As(err, &e) && errors.Is(err, errHandler) },
			wantDesc: "*sqsdelete.Error wrapping the handler's error", deleted: handles("m0", "m2"),
		},
		{
			name: "SuppressError returns null after deleting", cfg: sqsdelete.Config{SuppressError: true}, payload: string(std), fail: []string{"m1"}, handled: 3,
			wantOut: "null", wantErr: func(err error) bool { return err == nil }, wantDesc: "nil", deleted: handles("m0", "m2"),
		},
		{
			name: "malformed JSON runs nothing", payload: `{"Records":[`,
			wantErr:  func(err error) bool { var ee *batch.EventError; return errors.As(err, &ee) },
			wantDesc: "*batch.EventError",
		},
		{
			name: "no records runs nothing", payload: `{}`,
			wantErr: func(err error) bool {
				var ee *batch.EventError
				return errors.As(err, &ee) && errors.Is(err, batch.ErrNoRecords)
			},
			wantDesc: "*batch.EventError with ErrNoRecords",
		},
		{
			name: "SuppressError does not hide an event that is not an SQS event", cfg: sqsdelete.Config{SuppressError: true},
			payload: `{"Records":[{"eventSource":"aws:kinesis","eventID":"shardId-000:1"}]}`,
			wantErr: func(err error) bool {
				var ee *batch.EventError
				return errors.As(err, &ee) && errors.Is(err, batch.ErrWrongSource)
			},
			wantDesc: "*batch.EventError with ErrWrongSource",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClient{}
			cfg := tt.cfg
			cfg.Client = fc
			var handled atomic.Int64
			fn := sqsdelete.New(cfg, func(ctx context.Context, m events.SQSMessage) error {
				handled.Add(1)
				return failIDs(tt.fail...)(ctx, m)
			}, batch.Options{})
			out, err := fn.Invoke(context.Background(), []byte(tt.payload))
			if !tt.wantErr(err) {
				t.Errorf("got error %v, want %s", err, tt.wantDesc)
			}
			if got := string(out); got != tt.wantOut || (tt.wantOut == "") != (out == nil) {
				t.Errorf("got response %q, want %q", got, tt.wantOut)
			}
			if got, want := handled.Load(), int64(tt.handled); got != want {
				t.Errorf("handled %d messages, want %d", got, want)
			}
			if _, deleted, _ := fc.snapshot(); !slices.Equal(deleted, tt.deleted) {
				t.Errorf("got deleted %v, want %v", deleted, tt.deleted)
			}
		})
	}
}

// TestEventError checks that an event that is not a batch of SQS messages
// runs nothing and deletes nothing: Handle and Process return the
// *batch.EventError, whatever SuppressError says (Lambda never sends an
// empty batch; such an event is another service's, or a mistake).
func TestEventError(t *testing.T) {
	kinesis := msgs("m", 2, stdARN)
	kinesis[1].EventSource = "aws:kinesis"
	tests := []struct {
		name  string
		ev    events.SQSEvent
		cause error
	}{
		{name: "no records", ev: events.SQSEvent{}, cause: batch.ErrNoRecords},
		{name: "a record of another source", ev: event(kinesis), cause: batch.ErrWrongSource},
	}
	for _, tt := range tests {
		for _, suppress := range []bool{false, true} {
			t.Run(tt.name+"/SuppressError="+strconv.FormatBool(suppress), func(t *testing.T) {
				fc := &fakeClient{}
				var handled atomic.Int64
				fn := sqsdelete.New(sqsdelete.Config{Client: fc, SuppressError: suppress}, func(context.Context, events.SQSMessage) error {
					handled.Add(1)
					return errHandler
				}, batch.Options{})
				var ee *batch.EventError
				if err := fn.Handle(context.Background(), tt.ev); !errors.As(err, &ee) || !errors.Is(err, tt.cause) {
					t.Errorf("Handle: got error %v, want *batch.EventError with %v", err, tt.cause)
				}
				rep, err := fn.Process(context.Background(), tt.ev)
				if !errors.As(err, &ee) || !errors.Is(err, tt.cause) || rep.Err != err {
					t.Errorf("Process: got error %v and report error %v, want the *batch.EventError with %v in both", err, rep.Err, tt.cause)
				}
				if len(rep.Results) != 0 {
					t.Errorf("Process: got %d results, want none", len(rep.Results))
				}
				if got := handled.Load(); got != 0 {
					t.Errorf("handled %d messages, want 0", got)
				}
				if calls, _, _ := fc.snapshot(); len(calls) != 0 {
					t.Errorf("got %d calls, want 0", len(calls))
				}
			})
		}
	}
}

// TestUnbuiltFunction checks that a Function not built by New fails every
// invocation, as a batch.Function does, instead of returning nil: without
// ReportBatchItemFailures nil makes Lambda delete the whole batch, so the
// messages would be lost without ever being handled.
func TestUnbuiltFunction(t *testing.T) {
	var fn sqsdelete.Function
	ev := event(msgs("m", 2, stdARN))
	var nilFn *sqsdelete.Function
	if err := nilFn.Handle(context.Background(), ev); err == nil {
		t.Errorf("nil Function: Handle: got nil, want an error")
	}
	if err := fn.Handle(context.Background(), ev); err == nil {
		t.Errorf("Handle: got nil, want an error")
	}
	if _, err := fn.Process(context.Background(), ev); err == nil {
		t.Errorf("Process: got nil, want an error")
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := fn.Invoke(context.Background(), payload); err == nil || out != nil {
		t.Errorf("Invoke: got %q, %v, want nil and an error", out, err)
	}
}

// TestSQSClient checks that an *sqs.Client built from an aws.Config, the
// Client of a function, sends the deletes to the config's region (or the
// endpoint its options set), signed with the config's credentials.
func TestSQSClient(t *testing.T) {
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
	})
	tests := []struct {
		name    string
		opts    []func(*sqs.Options)
		wantURL string // of the request
	}{
		{name: "the client sends to the config's region", wantURL: "https://sqs.eu-west-1.amazonaws.com/"},
		{
			name:    "options adjust the client",
			opts:    []func(*sqs.Options){func(o *sqs.Options) { o.BaseEndpoint = aws.String("http://127.0.0.1:9324") }},
			wantURL: "http://127.0.0.1:9324/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc := &fakeSQSHTTP{}
			cfg := aws.Config{Region: "eu-west-1", Credentials: creds, HTTPClient: hc}
			fn := sqsdelete.New(sqsdelete.Config{Client: sqs.NewFromConfig(cfg, tt.opts...)}, failIDs("m1"), batch.Options{})

			_, err := fn.Process(context.Background(), event(msgs("m", 3, stdARN)))
			var e *sqsdelete.Error
			if !errors.As(err, &e) || len(e.NotDeleted) != 0 {
				t.Fatalf("got error %v, want *sqsdelete.Error without NotDeleted", err)
			}
			reqs := hc.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.url != tt.wantURL || r.target != "AmazonSQS.DeleteMessageBatch" || r.queueURL != stdURL || !slices.Equal(r.handles, handles("m0", "m2")) {
				t.Errorf("got request %+v, want DeleteMessageBatch to %s of %s deleting m0 and m2", r, tt.wantURL, stdURL)
			}
			if !strings.Contains(r.auth, "Credential=AKIDTEST/") || !strings.Contains(r.auth, "/eu-west-1/sqs/") {
				t.Errorf("got Authorization %q, want it signed with the config's credentials for eu-west-1", r.auth)
			}
		})
	}
}
