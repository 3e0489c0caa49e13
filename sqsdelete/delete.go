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
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/seed-45ee126e/batch"
	"golang.org/x/sync/errgroup"
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

// lane is a sequence of messages that must be deleted in batch order: the
// messages of one FIFO message group (the ordering group the engine handled
// them in, [batch.Result.Group]). A message of a lane is sent only once the
// one before it was deleted; after a failure, the lane is held and its later
// messages are not deleted.
type lane struct {
	indexes []int // messages still to delete, in batch order
	held    error // set when an earlier message was not deleted
	listed  bool  // in the list of lanes of the deletes
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

// deletes is the state of deleting the successful messages of one batch.
type deletes struct {
	f       *Function
	records []events.SQSMessage
	lanes   map[laneKey]*lane // by queue and message group
	laneOf  []*lane           // of each message; nil for an independent one
	queueOf []*queue          // of each message to delete
	listed  []*lane           // the lanes with messages to delete, in order of appearance
	failed  []*batch.RecordError
}

// laneKey names a message group of a queue.
type laneKey struct{ arn, group string }

// deleteMessages deletes the messages of results whose indexes are in
// succeeded, and returns the messages it could not delete, in input order.
// Messages of no ordering group (a standard queue, a FIFO message without a
// group) are independent and sent at once. The messages of a FIFO message
// group are deleted in rounds, one a round, so that a message is deleted
// only after the earlier messages of its group, and a message whose delete
// failed never returns to the queue behind later messages of its group
// that were deleted.
func (f *Function) deleteMessages(ctx context.Context, results []batch.Result[events.SQSMessage], succeeded []int) []*batch.RecordError {
	if len(succeeded) == 0 {
		return nil
	}
	d := &deletes{
		f:       f,
		records: make([]events.SQSMessage, len(results)),
		lanes:   make(map[laneKey]*lane),
		laneOf:  make([]*lane, len(results)),
		queueOf: make([]*queue, len(results)),
	}
	for i := range results {
		d.records[i] = results[i].Record
		if g := results[i].Group; g != "" {
			k := laneKey{results[i].Record.EventSourceARN, g}
			if d.lanes[k] == nil {
				d.lanes[k] = &lane{}
			}
			d.laneOf[i] = d.lanes[k]
		}
	}
	first := d.plan(succeeded)
	for round := first; len(round) > 0; round = d.nextRound(round[:0]) {
		d.send(ctx, round)
	}
	// The messages of held lanes stay on the queue.
	for _, l := range d.listed {
		for _, i := range l.indexes {
			d.fail(i, l.held)
		}
	}
	sort.Slice(d.failed, func(a, b int) bool { return d.failed[a].Index < d.failed[b].Index })
	return d.failed
}

// fail records that message i is not deleted because of cause.
func (d *deletes) fail(i int, cause error) {
	d.failed = append(d.failed, notDeletedErr(d.records, i, cause))
}

// plan resolves the queue of each message to delete and puts it in its
// lane; it returns the independent messages, which all go in the first
// round. A message that cannot be deleted (no receipt handle, no queue URL)
// fails at once, and holds its lane.
func (d *deletes) plan(succeeded []int) []int {
	resolve := d.f.cfg.QueueURL
	if resolve == nil {
		resolve = QueueURL
	}
	byARN := make(map[string]*queue)
	independent := make([]int, 0, len(succeeded))
	for _, i := range succeeded {
		m, l := &d.records[i], d.laneOf[i]
		if l != nil && !l.listed {
			l.listed = true
			d.listed = append(d.listed, l)
		}
		var cause error
		q, ok := byARN[m.EventSourceARN]
		if !ok {
			q = &queue{}
			q.url, q.err = resolve(m.EventSourceARN)
			if q.err == nil && q.url == "" {
				q.err = &ARNError{ARN: m.EventSourceARN, Reason: "Config.QueueURL returned an empty URL"}
			}
			byARN[m.EventSourceARN] = q
		}
		switch {
		case l != nil && l.held != nil:
			cause = l.held
		case m.ReceiptHandle == "":
			cause = ErrNoReceiptHandle
		case q.err != nil:
			cause = q.err
		}
		if cause != nil {
			d.fail(i, cause)
			if l != nil {
				l.hold(d.records, i)
			}
			continue
		}
		d.queueOf[i] = q
		if l == nil {
			independent = append(independent, i)
		} else {
			l.indexes = append(l.indexes, i)
		}
	}
	return d.nextRound(independent)
}

// nextRound appends to round the next message of every lane not held, and
// returns it in batch order.
func (d *deletes) nextRound(round []int) []int {
	for _, l := range d.listed {
		if l.held == nil && len(l.indexes) > 0 {
			round = append(round, l.indexes[0])
			l.indexes = l.indexes[1:]
		}
	}
	slices.Sort(round)
	return round
}

// send deletes the messages of one round, and holds the lanes of those it
// could not delete.
func (d *deletes) send(ctx context.Context, round []int) {
	for _, errs := range d.f.deleteChunks(ctx, d.records, chunksOf(round, d.queueOf)) {
		for _, re := range errs {
			d.failed = append(d.failed, re)
			if l := d.laneOf[re.Index]; l != nil {
				l.hold(d.records, re.Index)
			}
		}
	}
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

// deleteChunks runs the chunks' calls, at most DeleteConcurrency at once,
// and returns each chunk's messages that were not deleted.
func (f *Function) deleteChunks(ctx context.Context, records []events.SQSMessage, chunks []chunk) [][]*batch.RecordError {
	out := make([][]*batch.RecordError, len(chunks))
	limit := f.cfg.DeleteConcurrency
	if limit == 0 {
		limit = DefaultDeleteConcurrency
	}
	var g errgroup.Group // the calls return no error: failures are per message
	g.SetLimit(limit)
	for c := range chunks {
		g.Go(func() error {
			out[c] = f.deleteChunk(ctx, records, chunks[c])
			return nil
		})
	}
	_ = g.Wait()
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
func (f *Function) deleteChunk(ctx context.Context, records []events.SQSMessage, c chunk) []*batch.RecordError {
	retries := f.cfg.Retries
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
		out, err := f.call(ctx, in)

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
func (f *Function) call(ctx context.Context, in *sqs.DeleteMessageBatchInput) (out *sqs.DeleteMessageBatchOutput, err error) {
	returned := false // panic(nil) recovers as nil under GODEBUG=panicnil=1
	defer func() {
		if !returned {
			out, err = nil, fmt.Errorf("the SQS client's DeleteMessageBatch: %w", &batch.PanicError{Value: recover(), Stack: debug.Stack()})
		}
	}()
	out, err = f.cfg.Client.DeleteMessageBatch(ctx, in)
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
