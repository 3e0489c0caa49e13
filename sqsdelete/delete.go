package sqsdelete

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/seed-45ee126e/batch"
)

// Back-off between delete attempts: the n-th retry waits about
// retryBase<<(n-1), at most retryMax, with jitter.
const (
	retryBase = 50 * time.Millisecond
	retryMax  = time.Second
)

// chunk is one DeleteMessageBatch call's worth of messages of one queue.
type chunk struct {
	url     string
	indexes []int // indexes into the records of the batch, at most maxEntries
}

// lane is a sequence of messages that must be deleted in batch order: one
// FIFO message group with SkipGroupOnError, the whole batch without. A
// message of a lane is sent only once the one before it was deleted; after
// a failure, the lane is held and its later messages are not deleted.
type lane struct {
	indexes []int // messages still to delete, in batch order
	held    error // set when an earlier message was not deleted
	listed  bool  // in deleteMessages' list of lanes
}

// hold makes l keep its later messages on the queue, because records[i]
// could not be deleted.
func (l *lane) hold(records []events.SQSMessage, i int) {
	if l.held != nil {
		return
	}
	id := records[i].MessageId
	if id == "" {
		id = "#" + strconv.Itoa(i)
	}
	l.held = fmt.Errorf("%w: message %s", ErrEarlierNotDeleted, id)
}

// deleteMessages deletes records[i] for each i in succeeded, and returns the
// messages it could not delete, in input order. On a standard queue it
// sends every delete at once. On a FIFO queue it deletes in rounds, so that
// a message is deleted only after the messages before it in its lane (see
// [Processor.lanes]), and a message whose delete failed never returns to
// the queue behind later messages that were deleted. fifo is whether the
// batch comes from a FIFO queue by its ARN, before [batch.Processor.FIFO].
func (p Processor) deleteMessages(ctx context.Context, records []events.SQSMessage, fifo bool, succeeded []int) []*batch.RecordError {
	if len(succeeded) == 0 {
		return nil
	}
	var notDeleted []*batch.RecordError
	fail := func(i int, cause error) {
		notDeleted = append(notDeleted, notDeletedErr(records, i, cause))
	}

	// Resolve each queue's URL once.
	resolve := p.QueueURL
	if resolve == nil {
		resolve = QueueURL
	}
	var (
		byARN   = make(map[string]*queue)
		queueOf = make([]*queue, len(records)) // of the messages to delete
	)
	laneOf := p.lanes(fifo)
	var (
		lanes []*lane
		next  = make([]int, 0, len(succeeded)) // the messages of the next round
	)
	for _, i := range succeeded {
		m := &records[i]
		l := laneOf(m)
		if l != nil && l.held != nil {
			fail(i, l.held)
			continue
		}
		if l != nil && !l.listed {
			l.listed = true
			lanes = append(lanes, l)
		}
		if m.ReceiptHandle == "" {
			fail(i, ErrNoReceiptHandle)
			if l != nil {
				l.hold(records, i)
			}
			continue
		}
		q, ok := byARN[m.EventSourceARN]
		if !ok {
			q = &queue{}
			q.url, q.err = resolve(m.EventSourceARN)
			if q.err == nil && q.url == "" {
				q.err = &ARNError{ARN: m.EventSourceARN, Reason: "Processor.QueueURL returned an empty URL"}
			}
			byARN[m.EventSourceARN] = q
		}
		if q.err != nil {
			fail(i, q.err)
			if l != nil {
				l.hold(records, i)
			}
			continue
		}
		queueOf[i] = q
		if l == nil {
			next = append(next, i)
		} else {
			l.indexes = append(l.indexes, i)
		}
	}

	for {
		// The next message of every lane not held joins the round.
		for _, l := range lanes {
			if l.held == nil && len(l.indexes) > 0 {
				next = append(next, l.indexes[0])
				l.indexes = l.indexes[1:]
			}
		}
		if len(next) == 0 {
			break
		}
		if len(lanes) > 0 {
			slices.Sort(next)
		}
		for _, errs := range p.deleteChunks(ctx, records, chunksOf(next, queueOf)) {
			for _, re := range errs {
				notDeleted = append(notDeleted, re)
				if l := laneOf(&records[re.Index]); l != nil {
					l.hold(records, re.Index)
				}
			}
		}
		next = next[:0]
	}
	// The messages of held lanes stay on the queue.
	for _, l := range lanes {
		for _, i := range l.indexes {
			fail(i, l.held)
		}
	}
	sort.Slice(notDeleted, func(a, b int) bool { return notDeleted[a].Index < notDeleted[b].Index })
	return notDeleted
}

// queue is a queue of the batch, and the URL resolved from its ARN.
type queue struct {
	url string
	err error // why no URL could be resolved

	n, off int // scratch for chunksOf
}

// chunksOf splits the messages of a round (indexes into the batch, in batch
// order) into chunks of at most maxEntries messages of one queue: the
// queues in order of first appearance, each queue's messages in batch
// order. The chunks may share round's memory.
func chunksOf(round []int, queueOf []*queue) []chunk {
	var qs []*queue
	for _, i := range round {
		q := queueOf[i]
		if q.n == 0 {
			qs = append(qs, q)
		}
		q.n++
	}
	byQueue := round
	if len(qs) > 1 {
		// A counting sort by queue, stable.
		byQueue = make([]int, len(round))
		off := 0
		for _, q := range qs {
			q.off = off
			off += q.n
		}
		for _, i := range round {
			q := queueOf[i]
			byQueue[q.off] = i
			q.off++
		}
	}
	n := 0
	for _, q := range qs {
		n += (q.n + maxEntries - 1) / maxEntries
	}
	chunks := make([]chunk, 0, n)
	for _, q := range qs {
		idx := byQueue[:q.n:q.n]
		byQueue = byQueue[q.n:]
		q.n = 0
		for len(idx) > 0 {
			k := min(len(idx), maxEntries)
			chunks = append(chunks, chunk{url: q.url, indexes: idx[:k:k]})
			idx = idx[k:]
		}
	}
	return chunks
}

// lanes returns the function that gives a message's lane for a batch
// (nil: the message is independent), following the engine's ordering
// rules: on a standard queue every message is independent; on a FIFO queue
// every message is in one lane, as a failure of the handler stops the
// whole batch, except with SkipGroupOnError (and not StopOnFirstFailure),
// where each message group of each queue is a lane of its own and messages
// without a group are independent.
func (p Processor) lanes(fifo bool) func(*events.SQSMessage) *lane {
	switch p.Batch.FIFO {
	case batch.FIFOOn:
		fifo = true
	case batch.FIFOOff:
		fifo = false
	}
	switch {
	case !fifo:
		return func(*events.SQSMessage) *lane { return nil }
	case p.Batch.StopOnFirstFailure || !p.Batch.SkipGroupOnError:
		all := &lane{}
		return func(*events.SQSMessage) *lane { return all }
	}
	type key struct{ arn, group string }
	byKey := make(map[key]*lane)
	return func(m *events.SQSMessage) *lane {
		g := m.Attributes["MessageGroupId"]
		if g == "" {
			return nil
		}
		k := key{m.EventSourceARN, g}
		l, ok := byKey[k]
		if !ok {
			l = &lane{}
			byKey[k] = l
		}
		return l
	}
}

// deleteChunks runs the chunks' calls, at most DeleteConcurrency at once,
// and returns each chunk's messages that were not deleted.
func (p Processor) deleteChunks(ctx context.Context, records []events.SQSMessage, chunks []chunk) [][]*batch.RecordError {
	out := make([][]*batch.RecordError, len(chunks))
	workers := p.DeleteConcurrency
	if workers <= 0 {
		workers = DefaultDeleteConcurrency
	}
	workers = min(workers, len(chunks))
	if workers <= 1 {
		for c := range chunks {
			out[c] = p.deleteChunk(ctx, records, chunks[c])
		}
		return out
	}
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= len(chunks) {
					return
				}
				out[c] = p.deleteChunk(ctx, records, chunks[c])
			}
		}()
	}
	wg.Wait()
	return out
}

// entry is a message of a chunk that is not deleted yet.
type entry struct {
	index int    // in the batch
	id    string // the entry's Id in the request
	cause error  // why it is not deleted yet, after a failed attempt
}

// deleteChunk deletes one chunk's messages, retrying transient failures,
// and returns the messages it could not delete.
func (p Processor) deleteChunk(ctx context.Context, records []events.SQSMessage, c chunk) []*batch.RecordError {
	retries := p.Retries
	if retries == 0 {
		retries = DefaultRetries
	}
	// Entry ids are the messages' indexes in the batch: unique within the
	// call, and made of digits only, which SQS always accepts (a messageId
	// might not be).
	pending := make([]entry, len(c.indexes))
	for k, i := range c.indexes {
		pending[k] = entry{index: i, id: strconv.Itoa(i)}
	}
	reqEntries := make([]types.DeleteMessageBatchRequestEntry, len(pending))
	var notDeleted []*batch.RecordError
	giveUp := func(es []entry) {
		for _, e := range es {
			notDeleted = append(notDeleted, notDeletedErr(records, e.index, e.cause))
		}
	}

	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			sleep(ctx, backoff(attempt))
		}
		if ctx.Err() != nil {
			cause := context.Cause(ctx)
			for k := range pending {
				if e := &pending[k]; e.cause == nil {
					e.cause = cause
				} else {
					e.cause = fmt.Errorf("%w (last failure: %w)", cause, e.cause)
				}
			}
			giveUp(pending)
			return notDeleted
		}
		in := &sqs.DeleteMessageBatchInput{QueueUrl: &c.url, Entries: reqEntries[:len(pending)]}
		for k := range pending {
			e := &pending[k]
			in.Entries[k] = types.DeleteMessageBatchRequestEntry{Id: &e.id, ReceiptHandle: &records[e.index].ReceiptHandle}
		}
		out, err := p.call(ctx, in)

		var retry []entry
		if err != nil {
			for k := range pending {
				pending[k].cause = err
			}
			if !retryableCall(ctx, err) {
				giveUp(pending)
				return notDeleted
			}
			retry = pending
		} else {
			retry, notDeleted = sortEntries(records, pending, out, notDeleted)
		}
		if len(retry) == 0 {
			return notDeleted
		}
		if retries < 0 || attempt >= retries {
			giveUp(retry)
			return notDeleted
		}
		pending = retry
	}
}

// sortEntries reads a DeleteMessageBatch response for the pending entries:
// it appends those that failed for good to notDeleted and returns those to
// retry (in a new slice), each with its cause.
func sortEntries(records []events.SQSMessage, pending []entry, out *sqs.DeleteMessageBatchOutput, notDeleted []*batch.RecordError) (retry []entry, _ []*batch.RecordError) {
	if out == nil {
		out = &sqs.DeleteMessageBatchOutput{}
	}
	// A call has at most ten entries: scanning beats building maps.
	for _, e := range pending {
		if deleted(out.Successful, e.id) {
			continue
		}
		f, ok := failure(out.Failed, e.id)
		if !ok {
			e.cause = errNoResult
			retry = append(retry, e)
			continue
		}
		ee := &EntryError{Code: deref(f.Code), Message: deref(f.Message), SenderFault: f.SenderFault}
		if f.SenderFault {
			notDeleted = append(notDeleted, notDeletedErr(records, e.index, ee))
			continue
		}
		e.cause = ee
		retry = append(retry, e)
	}
	return retry, notDeleted
}

func deleted(ok []types.DeleteMessageBatchResultEntry, id string) bool {
	for k := range ok {
		if ok[k].Id != nil && *ok[k].Id == id {
			return true
		}
	}
	return false
}

func failure(failed []types.BatchResultErrorEntry, id string) (types.BatchResultErrorEntry, bool) {
	for k := range failed {
		if failed[k].Id != nil && *failed[k].Id == id {
			return failed[k], true
		}
	}
	return types.BatchResultErrorEntry{}, false
}

// call calls DeleteMessageBatch, turning a panic of the client into a
// *batch.PanicError, so that a faulty client cannot crash the function from
// a goroutine the caller cannot recover.
func (p Processor) call(ctx context.Context, in *sqs.DeleteMessageBatchInput) (out *sqs.DeleteMessageBatchOutput, err error) {
	returned := false // panic(nil) recovers as nil under GODEBUG=panicnil=1
	defer func() {
		if !returned {
			out, err = nil, &batch.PanicError{Value: recover(), Stack: debug.Stack()}
		}
	}()
	out, err = p.Client.DeleteMessageBatch(ctx, in)
	returned = true
	return out, err
}

// retryableCall reports whether a failed DeleteMessageBatch call is worth
// another try: not when the context is done, nor when SQS blamed the
// request (access denied, no such queue, …), nor when the client panicked.
func retryableCall(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *batch.PanicError
	if errors.As(err, &pe) {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultClient {
		return false
	}
	return true
}

// backoff returns the wait before the given retry (from 1).
func backoff(retry int) time.Duration {
	d := retryMax
	if retry < 8 {
		d = min(retryBase<<(retry-1), retryMax)
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// notDeletedErr is the error of records[i], which succeeded but was not
// deleted because of cause.
func notDeletedErr(records []events.SQSMessage, i int, cause error) *batch.RecordError {
	return &batch.RecordError{Index: i, ID: records[i].MessageId, Err: &notDeletedError{cause: cause}}
}

// notDeletedError wraps ErrNotDeleted and the reason for it.
type notDeletedError struct{ cause error }

func (e *notDeletedError) Error() string   { return ErrNotDeleted.Error() + ": " + e.cause.Error() }
func (e *notDeletedError) Unwrap() []error { return []error{ErrNotDeleted, e.cause} }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
