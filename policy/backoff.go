package policy

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/seed-45ee126e/batch"
)

// Defaults of [BackoffConfig].
const (
	// DefaultBase is the delay after a message's first failed delivery
	// when BackoffConfig.Base is zero.
	DefaultBase = time.Second

	// DefaultMax is the longest delay when BackoffConfig.Max is zero.
	DefaultMax = 15 * time.Minute

	// MaxDelay is the longest delay Backoff sets: SQS accepts a
	// visibility timeout of at most 12 hours from the receive, less the
	// longest time the message may have been in flight before Backoff
	// runs (a 5-minute batching window and a 15-minute function).
	MaxDelay = 12*time.Hour - 20*time.Minute

	// DefaultBackoffConcurrency is how many ChangeMessageVisibilityBatch
	// calls may be in flight at once when BackoffConfig.Concurrency is
	// zero.
	DefaultBackoffConcurrency = 4
)

// maxEntries is the most entries SQS accepts in one batch call.
const maxEntries = 10

// Jitter says how [Backoff] spreads the delays of messages that failed
// the same number of times, so that those of one batch do not all come
// back at once. With d the delay before jitter:
type Jitter uint8

const (
	// EqualJitter, the default, picks a delay uniformly between d/2 and
	// d: the delay still grows with every failure, and a batch is spread
	// over half of it.
	EqualJitter Jitter = iota
	// FullJitter picks a delay uniformly between 0 and d: the widest
	// spread, and the least load on a recovering downstream, at the cost
	// of some retries sooner than d/2.
	FullJitter
	// NoJitter uses d itself: a message failing again and again comes
	// back after 1, 2, 4 … × Base.
	NoJitter
)

// BackoffConfig configures [Backoff]. Only Client is required; the zero
// value of every other field means the documented default, and a negative
// Concurrency means no limit.
type BackoffConfig struct {
	// Client changes the visibility of the messages; usually
	// sqs.NewFromConfig(cfg). It must not be nil.
	Client BackoffClient

	// Base is the delay after a message's first failed delivery; each
	// further failure doubles it. Zero means [DefaultBase]. SQS counts
	// visibility timeouts in whole seconds: a delay is rounded up to one.
	Base time.Duration

	// Max caps the delay. Zero means [DefaultMax]; it is at most
	// [MaxDelay].
	Max time.Duration

	// Jitter spreads the delays; the zero value is [EqualJitter].
	Jitter Jitter

	// QueueURL returns the URL of a queue given its ARN (a message's
	// eventSourceARN). Nil means [QueueURL].
	QueueURL func(queueARN string) (string, error)

	// Concurrency is how many ChangeMessageVisibilityBatch calls (of up
	// to ten messages of one queue each) may be in flight at once. Zero
	// means [DefaultBackoffConcurrency]; negative, no limit.
	Concurrency int

	// OnChange, when set, is called once for each record Backoff was
	// given, in their order, after every call is done, on the goroutine
	// that called Backoff's function: with the delay Backoff set (or
	// meant to set), and nil, or the error that kept the visibility from
	// being changed (the record then comes back after the queue's
	// visibility timeout, as without Backoff). Use it to log or count
	// them; Backoff itself ignores the errors.
	OnChange func(f batch.Failure, delay time.Duration, err error)

	// rand returns a number in [0, 1) for the jitter; nil means
	// math/rand/v2. Tests set it.
	rand func() float64
}

// Backoff returns a failure policy for [batch.Options.Retry] on SQS
// (standard and FIFO queues) that sets when each message Lambda will retry
// comes back: instead of after the queue's visibility timeout whatever the
// cause, after a delay that grows with the number of times the message
// was received:
//
//	fn := batch.New(batch.SQS(), handle, batch.Options{
//		Retry:   policy.Backoff(policy.BackoffConfig{Client: sqs.NewFromConfig(cfg)}),
//		Reserve: time.Second,
//	})
//
// A message whose handler ran and failed, received n times
// (ApproximateReceiveCount), gets the delay Base × 2^(n−1), at most Max,
// with [Jitter], rounded up to whole seconds: by default 1 s, 2 s, 4 s …
// up to 15 minutes, each between half and all of that. A message that
// never ran (skipped after a failure, not started before the deadline) is
// made visible again at once (delay 0): nothing went wrong with it.
//
// On a FIFO queue a message group waits as one: the messages after a
// failed one in its group were skipped and are retried with it, and they
// get the failed message's delay, so that when the group comes back it
// comes back whole, in order. The groups are those the Function handled
// the messages in ([batch.Failure.Group]), so FIFO detection and
// [batch.Options.FIFO] apply as to the handling. Messages of other groups skipped after the
// failure (without [batch.Options.SkipGroupOnError] a failure stops the
// whole batch) come back at once.
//
// Backoff sets the delays with ChangeMessageVisibilityBatch, up to ten
// messages of a queue a call, up to [BackoffConfig.Concurrency] calls at
// once, using each message's receipt handle from the event: the handle of
// this delivery, which SQS needs. It runs after the records, in the time
// the call has left, and gives up when its context is done; give it time
// with [batch.Options.Reserve]: a call takes a few tens of milliseconds,
// so a second covers hundreds of failed messages. A visibility that could
// not be changed (a stale receipt handle, an error of the call) leaves the
// message to come back after the queue's visibility timeout, as without
// Backoff, and is passed to [BackoffConfig.OnChange]. Records that are not
// SQS messages are passed there with [ErrUnsupportedRecord].
//
// The function's role needs sqs:ChangeMessageVisibility on the source
// queue (SQS authorizes ChangeMessageVisibilityBatch with it); Lambda's
// AWSLambdaSQSQueueExecutionRole does not include it. Backoff panics if
// cfg.Client is nil. The returned function is safe for concurrent use.
func Backoff(cfg BackoffConfig) func(ctx context.Context, fs []batch.Failure) {
	if cfg.Client == nil {
		panic("policy: Backoff: BackoffConfig.Client is nil")
	}
	if cfg.Base <= 0 {
		cfg.Base = DefaultBase
	}
	if cfg.Max <= 0 {
		cfg.Max = DefaultMax
	}
	cfg.Max = min(cfg.Max, MaxDelay)
	if cfg.QueueURL == nil {
		cfg.QueueURL = QueueURL
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultBackoffConcurrency
	}
	if cfg.rand == nil {
		cfg.rand = rand.Float64
	}
	return cfg.run
}

// delay returns the delay of a message received n times, before rounding,
// with u in [0, 1) drawn for the jitter.
func (cfg *BackoffConfig) delay(n int, u float64) time.Duration {
	d := cfg.Base
	for i := 1; i < n && d < cfg.Max; i++ {
		d *= 2
	}
	d = min(d, cfg.Max)
	switch cfg.Jitter {
	case FullJitter:
		d = time.Duration(u * float64(d))
	case EqualJitter:
		d = d/2 + time.Duration(u*float64(d-d/2))
	}
	return d
}

// seconds rounds d up to whole seconds, as SQS counts visibility.
func seconds(d time.Duration) int32 {
	s := (d + time.Second - 1) / time.Second
	return int32(min(s, 43200))
}

// change is what Backoff does for one record.
type change struct {
	msg   *events.SQSMessage
	url   string
	delay time.Duration
	err   error
}

// run sets the visibility of the messages of fs.
func (cfg *BackoffConfig) run(ctx context.Context, fs []batch.Failure) {
	cs := make([]change, len(fs))
	urls := map[string]urlOrErr{}
	type groupKey struct{ arn, group string }
	groups := map[groupKey]time.Duration{} // FIFO groups that wait, and for how long
	for i := range fs {
		c := &cs[i]
		m, ok := fs[i].Value.(*events.SQSMessage)
		if !ok {
			c.err = fmt.Errorf("policy: Backoff: %w: %T", ErrUnsupportedRecord, fs[i].Value)
			continue
		}
		c.msg = m
		var g groupKey
		if fs[i].Group != "" { // the engine kept the group in order: a FIFO queue
			g = groupKey{m.EventSourceARN, fs[i].Group}
		}
		switch d, waits := groups[g]; {
		case g != groupKey{} && waits:
			c.delay = d // the group waits as one
		case fs[i].Outcome == batch.NotProcessed:
			c.delay = 0
		default:
			c.delay = time.Duration(seconds(cfg.delay(receiveCount(m), cfg.rand()))) * time.Second
			if g != (groupKey{}) {
				groups[g] = c.delay
			}
		}
		if m.ReceiptHandle == "" {
			c.err = errors.New("policy: Backoff: the message has no receipt handle")
			continue
		}
		u, ok := urls[m.EventSourceARN]
		if !ok {
			u.url, u.err = cfg.QueueURL(m.EventSourceARN)
			urls[m.EventSourceARN] = u
		}
		c.url, c.err = u.url, u.err
	}
	cfg.send(ctx, cs)
	if cfg.OnChange != nil {
		for i := range fs {
			cfg.OnChange(fs[i], cs[i].delay, cs[i].err)
		}
	}
}

type urlOrErr struct {
	url string
	err error
}

// receiveCount returns the ApproximateReceiveCount of m, at least 1.
func receiveCount(m *events.SQSMessage) int {
	n, err := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// send changes the visibility of the changes without an error, in calls
// of up to ten messages of one queue, and records each one's error.
func (cfg *BackoffConfig) send(ctx context.Context, cs []change) {
	var (
		byURL = map[string][]int{}
		urls  []string // in order of first appearance
	)
	for i := range cs {
		if cs[i].err != nil || cs[i].msg == nil {
			continue
		}
		u := cs[i].url
		if _, ok := byURL[u]; !ok {
			urls = append(urls, u)
		}
		byURL[u] = append(byURL[u], i)
	}
	var chunks [][]int
	for _, u := range urls {
		idx := byURL[u]
		for len(idx) > 0 {
			n := min(len(idx), maxEntries)
			chunks = append(chunks, idx[:n:n])
			idx = idx[n:]
		}
	}
	limit := cfg.Concurrency
	if limit < 0 || limit > len(chunks) {
		limit = len(chunks)
	}
	var wg sync.WaitGroup
	next := make(chan []int)
	for w := 0; w < limit; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range next {
				cfg.call(ctx, cs, chunk)
			}
		}()
	}
	for _, chunk := range chunks {
		next <- chunk
	}
	close(next)
	wg.Wait()
}

// call sends one ChangeMessageVisibilityBatch for the changes of chunk, all
// of one queue, and records each one's error. A panic of the client fails
// the chunk: it runs on a goroutine of its own, where nobody could recover
// it.
func (cfg *BackoffConfig) call(ctx context.Context, cs []change, chunk []int) {
	fail := func(err error) {
		for _, i := range chunk {
			cs[i].err = err
		}
	}
	defer func() {
		if v := recover(); v != nil {
			fail(fmt.Errorf("policy: Backoff: ChangeMessageVisibilityBatch panicked: %v", v))
		}
	}()
	if err := ctx.Err(); err != nil {
		fail(fmt.Errorf("policy: Backoff: %w", context.Cause(ctx)))
		return
	}
	in := &sqs.ChangeMessageVisibilityBatchInput{
		QueueUrl: ptr(cs[chunk[0]].url),
		Entries:  make([]types.ChangeMessageVisibilityBatchRequestEntry, len(chunk)),
	}
	for k, i := range chunk {
		in.Entries[k] = types.ChangeMessageVisibilityBatchRequestEntry{
			Id:                ptr(strconv.Itoa(k)),
			ReceiptHandle:     &cs[i].msg.ReceiptHandle,
			VisibilityTimeout: seconds(cs[i].delay),
		}
	}
	out, err := cfg.Client.ChangeMessageVisibilityBatch(ctx, in)
	if err != nil {
		fail(fmt.Errorf("policy: Backoff: ChangeMessageVisibilityBatch on %s: %w", *in.QueueUrl, err))
		return
	}
	if out == nil {
		out = &sqs.ChangeMessageVisibilityBatchOutput{}
	}
	for k, i := range chunk {
		id := strconv.Itoa(k)
		cs[i].err = errNoResult
		for _, s := range out.Successful {
			if deref(s.Id) == id {
				cs[i].err = nil
			}
		}
		for _, f := range out.Failed {
			if deref(f.Id) == id {
				cs[i].err = &EntryError{Code: deref(f.Code), Message: deref(f.Message), SenderFault: f.SenderFault}
			}
		}
	}
}

// errNoResult is the error of an entry that a batch call's response does
// not mention.
var errNoResult = errors.New("policy: SQS returned no result for the entry")
