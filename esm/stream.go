package esm

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/seed-45ee126e/batch/internal/contract"

	"github.com/seed-45ee126e/batch/internal/fake"
)

// RetryDelay is the simulated time a stream's event source mapping waits
// before it retries a failed batch.
const RetryDelay = time.Second

// StreamConfig configures a [Kinesis], [DynamoDB] or [Kafka] simulator: the
// stream's shards (or the topic's partitions) and the event source
// mapping's settings. The zero value means one shard, Lambda's defaults
// with ReportBatchItemFailures turned on, no on-failure destination, and,
// unlike Lambda's default, no retry: MaximumRetryAttempts takes the AWS
// API's values, where 0 means none and -1 means until the record expires.
type StreamConfig struct {
	// Shards is the number of shards; 0 means 1.
	Shards int
	// BatchSize is the most records per invocation; 0 means 100. Lambda
	// accepts at most 10,000 (Kinesis, DynamoDB Streams, Amazon MSK); a
	// value out of range, or negative, makes Run fail with a
	// [*ConfigError].
	BatchSize int
	// MaximumRetryAttempts is how many times a failed batch is retried
	// before Lambda gives up on it; -1 (any negative value) means no limit
	// but MaximumRecordAge and MaxInvocations. Splitting a batch in two
	// does not count.
	MaximumRetryAttempts int
	// MaximumRecordAge, when positive, is the age past which records are
	// not sent to the function any more.
	MaximumRecordAge time.Duration
	// BisectBatchOnFunctionError splits a batch in two when the whole
	// batch fails, and retries each half.
	BisectBatchOnFunctionError bool
	// OnFailureDestination says an on-failure destination is configured:
	// batches Lambda gives up on are recorded in [Trace.Destination] and
	// their failed records end [DeadLettered]. Without it they end
	// [Discarded] (or [Expired] for their age).
	OnFailureDestination bool
	// IgnoreBatchItemFailures simulates a mapping without
	// ReportBatchItemFailures: Lambda ignores the response, so a nil error
	// checkpoints past the whole batch.
	IgnoreBatchItemFailures bool
	// Timeout, when positive, is the function timeout, in real time; see
	// [SQSConfig.Timeout].
	Timeout time.Duration
	// MaxInvocations stops Run after that many invocations; 0 means
	// [DefaultMaxInvocations].
	MaxInvocations int
	// OnProgress, when not nil, is called on the goroutine that runs Run
	// before each invocation, after it, and when Run returns; see
	// [Progress].
	OnProgress func(Progress)
	// OnDestination, when not nil and OnFailureDestination is set, is
	// called on the goroutine that runs Run each time a failure record
	// goes to the on-failure destination, as it is added to
	// [Trace.Destination]: a runner that reads a real stream sends it on
	// to a real queue.
	OnDestination func(FailureRecord)
}

// ShardReader is where a stream simulator built by [ReadKinesis] or
// [ReadDynamoDB] reads its records: a real stream (the local runner,
// cmd/batchlocal, reads Kinesis and DynamoDB Streams with the AWS SDK),
// or anything else that hands out records shard by shard. The simulator
// then applies the same rules as to records given to Put: it only reads
// records from elsewhere. Its methods are called on the goroutine that
// runs Run.
type ShardReader[R any] interface {
	// Shards returns the ids of the stream's shards. Run calls it once,
	// when it first starts.
	Shards(ctx context.Context) ([]string, error)
	// Read returns the records of the shard that follow those it
	// returned before, in order, or none when the shard has no more for
	// now; Run then reads that shard no more until it is called again.
	// Run calls Read for a shard while it holds fewer than BatchSize
	// records read from it that are not settled (checkpointed past or
	// given up on).
	Read(ctx context.Context, shard string) ([]R, error)
}

// stream is the simulation shared by Kinesis and DynamoDB Streams. R is the
// record type, E the event, P the response.
type stream[R, E any] struct {
	cfg    StreamConfig
	now    time.Time
	book   *book
	shards []*shard[R]
	turn   int // index of the shard to try first
	calls  int

	seq     func(R) string
	arrival func(R) time.Time
	event   func([]R) E
	src     contract.Source // whose response rules apply

	// A stream read from a ShardReader runs on the wall clock.
	reader ShardReader[R]
	meta   func(R) (key, payload string) // a read record's key and payload for the trace
	loaded bool                          // the shards were listed
}

type shard[R any] struct {
	id       string
	recs     []R
	trace    []int // index in the trace of each record
	pos      int   // checkpoint: the next record to deliver
	sizes    []int // sizes of the next batches, after a split
	failures int   // failed tries of the batch at pos
	readyAt  time.Time
	idle     bool // the reader had nothing more for the shard
}

func newStream[R, E any](name string, cfg StreamConfig) *stream[R, E] {
	err := checkBatchSize(name, cfg.BatchSize, 10_000)
	cfg.Shards = defaultInt(cfg.Shards, 1)
	cfg.BatchSize = defaultInt(cfg.BatchSize, 100)
	cfg.MaxInvocations = defaultInt(cfg.MaxInvocations, DefaultMaxInvocations)
	s := &stream[R, E]{cfg: cfg, now: fake.Epoch, book: newBook(name, true, cfg.Timeout)}
	s.book.trace.Err = err
	s.book.onProgress = cfg.OnProgress
	for i := 0; i < cfg.Shards; i++ {
		s.shards = append(s.shards, &shard[R]{id: fake.ShardName(i)})
	}
	return s
}

// newLiveStream returns a stream that reads its records from r, on the
// wall clock.
func newLiveStream[R, E any](name string, cfg StreamConfig, r ShardReader[R]) *stream[R, E] {
	if r == nil {
		panic("esm: a nil ShardReader for " + name)
	}
	cfg.Shards = 0
	s := newStream[R, E](name, cfg)
	s.shards = nil
	s.reader = r
	s.now = time.Now()
	s.book.trace.Start = s.now
	return s
}

// put appends a record to shard i.
func (s *stream[R, E]) put(i int, r R, key, payload string) {
	if s.reader != nil {
		panic("esm: records cannot be added to a simulator that reads a real stream")
	}
	s.putShard(s.shards[i], r, key, payload)
}

func (s *stream[R, E]) putShard(sh *shard[R], r R, key, payload string) {
	t := s.book.add(Record{ID: s.seq(r), Key: key, Shard: sh.id, Payload: payload})
	sh.recs = append(sh.recs, r)
	sh.trace = append(sh.trace, t)
}

// list reads the shard ids of a stream read from a ShardReader, once.
func (s *stream[R, E]) list(ctx context.Context) error {
	if s.loaded {
		return nil
	}
	ids, err := s.reader.Shards(ctx)
	if err != nil {
		return fmt.Errorf("esm: listing the shards: %w", err)
	}
	for _, id := range ids {
		s.shards = append(s.shards, &shard[R]{id: id})
	}
	s.loaded = true
	return nil
}

// fill reads records into every shard that holds fewer than a batch of
// unsettled ones, until it holds a batch or the reader has nothing more
// for it, as Lambda's poller reads a shard ahead of the function.
func (s *stream[R, E]) fill(ctx context.Context) error {
	for _, sh := range s.shards {
		for !sh.idle && len(sh.recs)-sh.pos < s.cfg.BatchSize {
			recs, err := s.reader.Read(ctx, sh.id)
			if err != nil {
				return fmt.Errorf("esm: reading %s: %w", sh.id, err)
			}
			sh.idle = len(recs) == 0
			for _, r := range recs {
				key, payload := s.meta(r)
				s.putShard(sh, r, key, payload)
			}
		}
	}
	return nil
}

// sleep waits until t on the wall clock, or until ctx is done, and
// reports whether it got to t.
func sleep(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *stream[R, E]) run(ctx context.Context, fn Function) *Trace {
	b := s.book
	b.trace.Stopped = false
	if s.reader != nil && b.trace.Err == nil {
		b.trace.Err = s.list(ctx)
		for _, sh := range s.shards {
			sh.idle = false
		}
	}
	for b.trace.Err == nil {
		if s.reader != nil {
			s.now = time.Now()
			if err := s.fill(ctx); err != nil {
				if ctx.Err() != nil {
					b.trace.Stopped = true
				} else {
					b.trace.Err = err
				}
				break
			}
		}
		var next *shard[R]
		var wait time.Time
		for j := range s.shards {
			// shards take turns: start after the one polled last
			sh := s.shards[(s.turn+j)%len(s.shards)]
			if sh.pos >= len(sh.recs) {
				continue
			}
			if !sh.readyAt.After(s.now) {
				next = sh
				s.turn = (s.turn + j + 1) % len(s.shards)
				break
			}
			if wait.IsZero() || sh.readyAt.Before(wait) {
				wait = sh.readyAt
			}
		}
		if next == nil {
			if wait.IsZero() {
				break
			}
			if s.reader != nil {
				if !sleep(ctx, wait) {
					b.trace.Stopped = true
					break
				}
				continue
			}
			s.now = wait
			continue
		}
		if s.calls >= s.cfg.MaxInvocations || ctx.Err() != nil {
			b.trace.Stopped = true
			break
		}
		s.poll(ctx, fn, next)
		b.progress(s.now, 0)
	}
	b.trace.End = s.now
	b.progress(s.now, 0)
	return b.trace.clone()
}

// poll reads one batch from sh at its checkpoint and invokes fn with it.
func (s *stream[R, E]) poll(ctx context.Context, fn Function, sh *shard[R]) {
	b := s.book
	if s.cfg.MaximumRecordAge > 0 {
		start := sh.pos
		for sh.pos < len(sh.recs) && s.now.Sub(s.arrival(sh.recs[sh.pos])) > s.cfg.MaximumRecordAge {
			sh.pos++
		}
		if sh.pos > start {
			sh.sizes, sh.failures = nil, 0
			s.giveUp(sh, start, sh.pos, nil, "RecordAgeExceeded", Expired, 0)
			return
		}
	}
	size := s.cfg.BatchSize
	if len(sh.sizes) > 0 {
		size = sh.sizes[0]
	}
	end := sh.pos + size
	if end > len(sh.recs) {
		end = len(sh.recs)
	}
	recs := sh.recs[sh.pos:end]
	idx := sh.trace[sh.pos:end]
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = s.seq(r)
	}

	s.calls++
	n := len(b.trace.Invocations)
	b.deliver(n, idx)
	b.progress(s.now, len(recs))
	start := s.now
	resp, err := call(ctx, b, fn, s.event(append([]R{}, recs...)))
	if s.reader != nil {
		s.now = time.Now() // a retry waits from the end of the invocation
	}
	inv := Invocation{Time: start, Shard: sh.id, IDs: ids, Err: err}
	failed, ok, reported := judge(&inv, ids, s.cfg.IgnoreBatchItemFailures, s.src, resp)
	b.trace.Invocations = append(b.trace.Invocations, inv)
	b.handled(n, idx, ok)

	// The checkpoint moves to the first failed record: Lambda resumes
	// from the lowest reported sequence number.
	k := 0
	for k < len(recs) && !failed[k] {
		k++
	}
	for i := 0; i < k; i++ {
		if reported[i] {
			b.settle(idx[i], Discarded)
		} else {
			b.settle(idx[i], Processed)
		}
	}
	sh.pos += k
	if k < len(recs) {
		// everything from the checkpoint on is read again
		b.trace.Invocations[n].Failed = append([]string{}, ids[k:]...)
	}
	if k == len(recs) { // the batch succeeded
		if len(sh.sizes) > 0 {
			sh.sizes = sh.sizes[1:]
		}
		sh.failures = 0
		return
	}
	rest := len(recs) - k
	if len(sh.sizes) > 0 {
		sh.sizes[0] = rest
	}
	if inv.Verdict == BatchFailed && s.cfg.BisectBatchOnFunctionError && rest > 1 {
		half := (rest + 1) / 2
		if len(sh.sizes) > 0 {
			sh.sizes = sh.sizes[1:]
		}
		sh.sizes = append([]int{half, rest - half}, sh.sizes...)
		sh.readyAt = s.now.Add(RetryDelay)
		return
	}
	if k > 0 {
		sh.failures = 1
		if s.cfg.BisectBatchOnFunctionError && len(sh.sizes) == 0 {
			// With bisect on, a partial failure splits the batch at the
			// reported record: only the rest of it is retried.
			sh.sizes = []int{rest}
		}
	} else {
		sh.failures++
	}
	if r := s.cfg.MaximumRetryAttempts; r >= 0 && sh.failures > r {
		start := sh.pos
		sh.pos += rest
		if len(sh.sizes) > 0 {
			sh.sizes = sh.sizes[1:]
		}
		tries := sh.failures
		sh.failures = 0
		s.giveUp(sh, start, sh.pos, ok[k:], "RetryAttemptsExhausted", Discarded, tries)
		return
	}
	sh.readyAt = s.now.Add(RetryDelay)
}

// giveUp settles the records [from, to) of sh that Lambda skips after
// tries invocations: those the last invocation succeeded with (ok; none
// after a function error or an invalid response) are processed, the others
// go to the on-failure destination, or, without one, end in state lost.
func (s *stream[R, E]) giveUp(sh *shard[R], from, to int, ok []bool, condition string, lost State, tries int) {
	b := s.book
	fr := FailureRecord{
		Time:                s.now,
		Condition:           condition,
		Shard:               sh.id,
		StartSequenceNumber: s.seq(sh.recs[from]),
		EndSequenceNumber:   s.seq(sh.recs[to-1]),
		BatchSize:           to - from,
		InvokeCount:         tries,
	}
	for i := from; i < to; i++ {
		fr.IDs = append(fr.IDs, s.seq(sh.recs[i]))
		switch {
		case ok != nil && ok[i-from]:
			b.settle(sh.trace[i], Processed)
		case s.cfg.OnFailureDestination:
			b.settle(sh.trace[i], DeadLettered)
		default:
			b.settle(sh.trace[i], lost)
		}
	}
	if s.cfg.OnFailureDestination {
		b.trace.Destination = append(b.trace.Destination, fr)
		if s.cfg.OnDestination != nil {
			s.cfg.OnDestination(fr)
		}
	}
	sh.readyAt = s.now
}

// Kinesis simulates a Kinesis data stream and the Lambda event source
// mapping that reads it, one batch at a time per shard. Put records, then
// Run a handler until every shard is read to its end. A Kinesis is not
// safe for concurrent use.
type Kinesis struct {
	s *stream[events.KinesisEventRecord, events.KinesisEvent]
	b *fake.KinesisStream
}

// NewKinesis returns a simulator of the stream called name. A
// configuration that Lambda rejects makes Run return at once with a
// [*ConfigError] in [Trace.Err].
func NewKinesis(name string, cfg StreamConfig) *Kinesis {
	s := newStream[events.KinesisEventRecord, events.KinesisEvent]("kinesis:"+name, cfg)
	kinesisRecords(s)
	return &Kinesis{s: s, b: fake.NewKinesisStream(name, s.cfg.Shards)}
}

// ReadKinesis returns a simulator of the event source mapping of a
// Kinesis stream whose records r reads, such as a real stream: it applies
// the rules [NewKinesis] does (checkpoints, retries, bisection, record
// age, on-failure destination), on the wall clock instead of a simulated
// one. Run sleeps through [RetryDelay], measures MaximumRecordAge from the
// records' ApproximateArrivalTimestamp to now, and returns when every
// shard is read to the end of what r has for now. The shards are those r
// lists (cfg.Shards is ignored); Put and Advance panic. The record type
// is the event's, so r builds records as Lambda delivers them.
func ReadKinesis(name string, cfg StreamConfig, r ShardReader[events.KinesisEventRecord]) *Kinesis {
	s := newLiveStream[events.KinesisEventRecord, events.KinesisEvent]("kinesis:"+name, cfg, r)
	kinesisRecords(s)
	s.meta = func(r events.KinesisEventRecord) (string, string) {
		return r.Kinesis.PartitionKey, string(r.Kinesis.Data)
	}
	return &Kinesis{s: s}
}

// kinesisRecords tells s how to read Kinesis records and build their
// events.
func kinesisRecords(s *stream[events.KinesisEventRecord, events.KinesisEvent]) {
	s.seq = func(r events.KinesisEventRecord) string { return r.Kinesis.SequenceNumber }
	s.arrival = func(r events.KinesisEventRecord) time.Time { return r.Kinesis.ApproximateArrivalTimestamp.Time }
	s.event = func(rs []events.KinesisEventRecord) events.KinesisEvent { return events.KinesisEvent{Records: rs} }
	s.src = contract.Kinesis
}

// dynamodbRecords tells s how to read DynamoDB Streams records and build
// their events.
func dynamodbRecords(s *stream[events.DynamoDBEventRecord, events.DynamoDBEvent]) {
	s.seq = func(r events.DynamoDBEventRecord) string { return r.Change.SequenceNumber }
	s.arrival = func(r events.DynamoDBEventRecord) time.Time { return r.Change.ApproximateCreationDateTime.Time }
	s.event = func(rs []events.DynamoDBEventRecord) events.DynamoDBEvent { return events.DynamoDBEvent{Records: rs} }
	s.src = contract.DynamoDB
}

// Now returns the simulated time.
func (k *Kinesis) Now() time.Time { return k.s.now }

// Advance moves the simulated clock forward by d, as if the stream had
// been idle; records may then exceed MaximumRecordAge.
func (k *Kinesis) Advance(d time.Duration) {
	if k.s.reader != nil {
		panic("esm: Advance on a simulator that reads a real stream, on the wall clock")
	}
	k.s.now = k.s.now.Add(d)
}

// Put adds a record with partitionKey and data to the stream and returns its
// sequence number.
func (k *Kinesis) Put(partitionKey string, data []byte) string {
	if k.s.reader != nil {
		panic("esm: Put on a Kinesis that reads a real stream")
	}
	k.b.At = k.s.now
	r := k.b.Record(partitionKey, data)
	k.s.now = k.b.At
	k.s.put(fake.HashSlot(partitionKey, len(k.s.shards)), r, partitionKey, string(data))
	return r.Kinesis.SequenceNumber
}

// Run invokes fn with batches read from each shard until every shard is read
// to its end, the MaxInvocations guard is reached, or ctx is done, and
// returns the trace of the simulation so far. With a configuration that
// Lambda rejects, Run invokes nothing and the trace's Err says why.
func (k *Kinesis) Run(ctx context.Context, fn Function) *Trace {
	return k.s.run(ctx, fn)
}

// DynamoDB simulates a DynamoDB table's stream and the Lambda event source
// mapping that reads it. Write items, then Run a handler until every shard
// is read to its end. The ordering group of a record is its item. A DynamoDB
// is not safe for concurrent use.
type DynamoDB struct {
	s *stream[events.DynamoDBEventRecord, events.DynamoDBEvent]
	b *fake.DynamoDBTable
}

// NewDynamoDB returns a simulator of the stream of the table called name.
// A configuration that Lambda rejects makes Run return at once with a
// [*ConfigError] in [Trace.Err].
func NewDynamoDB(name string, cfg StreamConfig) *DynamoDB {
	s := newStream[events.DynamoDBEventRecord, events.DynamoDBEvent]("dynamodb:"+name, cfg)
	dynamodbRecords(s)
	return &DynamoDB{s: s, b: fake.NewDynamoDBTable(name, s.cfg.Shards)}
}

// ReadDynamoDB returns a simulator of the event source mapping of a
// DynamoDB table's stream whose records r reads, such as a real stream,
// on the wall clock: see [ReadKinesis]. MaximumRecordAge is measured from
// the records' ApproximateCreationDateTime. Insert, Modify, Remove and
// Advance panic.
func ReadDynamoDB(name string, cfg StreamConfig, r ShardReader[events.DynamoDBEventRecord]) *DynamoDB {
	s := newLiveStream[events.DynamoDBEventRecord, events.DynamoDBEvent]("dynamodb:"+name, cfg, r)
	dynamodbRecords(s)
	s.meta = func(r events.DynamoDBEventRecord) (string, string) { return fake.KeyString(r.Change.Keys), "" }
	return &DynamoDB{s: s}
}

// Now returns the simulated time.
func (d *DynamoDB) Now() time.Time { return d.s.now }

// Advance moves the simulated clock forward by dur, as if the stream had
// been idle.
func (d *DynamoDB) Advance(dur time.Duration) {
	if d.s.reader != nil {
		panic("esm: Advance on a simulator that reads a real stream, on the wall clock")
	}
	d.s.now = d.s.now.Add(dur)
}

// Insert writes a new item and returns the sequence number of its record.
func (d *DynamoDB) Insert(keys, newImage map[string]events.DynamoDBAttributeValue) string {
	return d.put(keys, func() events.DynamoDBEventRecord { return d.b.Insert(keys, newImage) })
}

// Modify updates an item and returns the sequence number of its record.
func (d *DynamoDB) Modify(keys, oldImage, newImage map[string]events.DynamoDBAttributeValue) string {
	return d.put(keys, func() events.DynamoDBEventRecord { return d.b.Modify(keys, oldImage, newImage) })
}

// Remove deletes an item and returns the sequence number of its record.
func (d *DynamoDB) Remove(keys, oldImage map[string]events.DynamoDBAttributeValue) string {
	return d.put(keys, func() events.DynamoDBEventRecord { return d.b.Remove(keys, oldImage) })
}

func (d *DynamoDB) put(keys map[string]events.DynamoDBAttributeValue, build func() events.DynamoDBEventRecord) string {
	if d.s.reader != nil {
		panic("esm: records cannot be added to a DynamoDB that reads a real stream")
	}
	d.b.At = d.s.now
	r := build()
	d.s.now = d.b.At
	key := fake.KeyString(keys)
	d.s.put(fake.HashSlot(key, len(d.s.shards)), r, key, "")
	return r.Change.SequenceNumber
}

// Run invokes fn with batches read from each shard until every shard is read
// to its end, the MaxInvocations guard is reached, or ctx is done, and
// returns the trace of the simulation so far. With a configuration that
// Lambda rejects, Run invokes nothing and the trace's Err says why.
func (d *DynamoDB) Run(ctx context.Context, fn Function) *Trace {
	return d.s.run(ctx, fn)
}
