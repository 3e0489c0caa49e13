package idempotency

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/seed-45ee126e/batch"
)

// DefaultTTL is how long a completed key is remembered when [Options.TTL]
// is zero.
const DefaultTTL = time.Hour

// DefaultLockTimeout is how long a key stays locked while its record is
// handled, when the record's context has no deadline and
// [Options.LockTimeout] is zero: Lambda's longest function timeout.
const DefaultLockTimeout = 15 * time.Minute

// finishTimeout bounds the Store call that completes or releases a key
// after the handler returned; it runs even when the record's context is
// done, so that a handler that finished at its deadline is still recorded.
const finishTimeout = 5 * time.Second

// Options configures [Handler]. The zero value is ready to use: keys are
// prefixed with the function's name, remembered for [DefaultTTL], locked
// until the record's deadline, and payloads are compared.
type Options struct {
	// Prefix is put before every key in the store, so that functions
	// sharing a table do not share keys. Empty means the function's name
	// and "#", from AWS_LAMBDA_FUNCTION_NAME when Handler is called
	// (nothing outside Lambda). Functions that must see each other's keys,
	// such as two consumers of copies of one message, set the same Prefix.
	Prefix string

	// TTL is how long a completed key is remembered: a record whose key
	// completed less than TTL ago is skipped. Make it longer than the time
	// within which a duplicate can arrive: the queue's retention for an
	// SQS queue that redelivers, the stream's retry window
	// (MaximumRecordAgeInSeconds) for a stream. Zero means [DefaultTTL].
	TTL time.Duration

	// LockTimeout is how long a key stays in progress when the record's
	// context has no deadline (outside Lambda, or in a test). In Lambda
	// the lock runs out at the record's deadline: the invocation's less
	// batch.Options.DeadlineMargin, or batch.Options.RecordTimeout, so
	// that a crashed invocation holds the key no longer than it could
	// have run. Zero means [DefaultLockTimeout].
	LockTimeout time.Duration

	// NoPayloadCheck turns off the comparison of payloads: by default a
	// record whose key was used before with a different payload fails with
	// a [*MismatchError]. Turn it off when a producer may send one unit of
	// work twice with bytes that differ (a send time in the body) and the
	// key alone identifies it.
	NoPayloadCheck bool
}

// Handler returns h made idempotent: of the records that share a key, h
// handles one, once, and the others are skipped and succeed without
// calling it. It goes where h would, as the handler given to batch.New:
//
//	store := idempotency.NewDynamoDBStore(dynamodb.NewFromConfig(cfg), idempotency.Table{Name: "idempotency"})
//	fn := batch.New(batch.SQS(), idempotency.Handler(store, handle, nil, idempotency.Options{}), batch.Options{})
//
// key gives a record's key from its decoded payload, for example an order
// id, so that a producer that sent one order twice is caught too. A nil key
// uses the record's own identity, the same for every delivery of it: the
// SQS messageId, the Kinesis or DynamoDB Streams eventID with the stream's
// ARN, the Kafka topic-partition@offset, or the id of batch.Records. An
// empty key fails the record with [ErrNoKey].
//
// For each record, Handler asks store to begin the key ([Store.Begin]): an
// item marks it in progress until the record's deadline. If the key was
// free, h runs; if h succeeds the key is marked completed for
// [Options.TTL], and if it fails or panics the key is released, so that
// Lambda's retry runs it again. If the key was completed, the record
// succeeds without h. If the key is in progress elsewhere, the record
// fails with an [*InProgressError], and Lambda retries it later. If the key
// was used with another payload (the SHA-256 of the SQS body, Kinesis data,
// Kafka value, or DynamoDB keys and image), the record fails with a
// [*MismatchError]. If the store fails, the record fails with a
// [*StoreError]: no record succeeds unless its key was recorded.
//
// Handler panics if store or h is nil.
func Handler[T any](store Store, h func(ctx context.Context, v T) error, key func(v T) string, o Options) func(ctx context.Context, v T) error {
	if store == nil {
		panic("idempotency: Handler: nil Store")
	}
	if h == nil {
		panic("idempotency: Handler: nil handler")
	}
	prefix := o.Prefix
	if prefix == "" {
		if fn := os.Getenv("AWS_LAMBDA_FUNCTION_NAME"); fn != "" {
			prefix = fn + "#"
		}
	}
	ttl := o.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	lock := o.LockTimeout
	if lock <= 0 {
		lock = DefaultLockTimeout
	}
	check := !o.NoPayloadCheck

	return func(ctx context.Context, v T) (err error) {
		rec, inBatch := batch.RecordFrom(ctx)
		var k string
		if key != nil {
			k = key(v)
		} else if inBatch {
			k = recordKey(rec)
		}
		if k == "" {
			return ErrNoKey
		}
		k = prefix + k
		var fp string
		if check {
			if fp, err = fingerprint(rec, v); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}

		now := time.Now()
		it := Item{Status: InProgress, Fingerprint: fp, Owner: rand.Text(), LockUntil: now.Add(lock)}
		if dl, ok := ctx.Deadline(); ok {
			it.LockUntil = dl
		}
		it.Expires = now.Add(ttl)
		if it.Expires.Before(it.LockUntil) {
			it.Expires = it.LockUntil
		}
		got, begun, err := store.Begin(ctx, k, it, now)
		if err != nil {
			return &StoreError{Op: "begin", Key: k, Err: err}
		}
		if !begun {
			if check && got.Fingerprint != "" && got.Fingerprint != fp {
				return &MismatchError{Key: k, Want: got.Fingerprint, Got: fp}
			}
			if got.Status == Completed {
				return nil
			}
			return &InProgressError{Key: k, Until: got.LockUntil}
		}

		returned := false
		defer func() {
			if !returned {
				// h panicked: free the key and let the panic go on to
				// the engine, which makes it the record's *PanicError.
				fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
				defer cancel()
				_ = store.Release(fctx, k, it.Owner)
			}
		}()
		herr := h(ctx, v)
		returned = true

		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer cancel()
		if herr != nil {
			if rerr := store.Release(fctx, k, it.Owner); rerr != nil {
				return errors.Join(herr, &StoreError{Op: "release", Key: k, Err: rerr})
			}
			return herr
		}
		done := it
		done.Status = Completed
		done.Expires = time.Now().Add(ttl)
		if cerr := store.Complete(fctx, k, done); cerr != nil {
			if errors.Is(cerr, ErrNotOwner) {
				// The lock ran out while h ran and the key is another
				// invocation's now: h's work is done, and the other
				// owner records the key.
				return nil
			}
			return &StoreError{Op: "complete", Key: k, Err: cerr}
		}
		return nil
	}
}

// errFingerprint wraps a failure to encode a payload that has no raw bytes
// for its fingerprint.
func errFingerprint(err error) error {
	return fmt.Errorf("idempotency: cannot fingerprint the payload: %w", err)
}
