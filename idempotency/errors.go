package idempotency

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed-45ee126e/batch"
)

// ErrNoKey is the cause of a record's failure when it has no key: the key
// function returned "", or, without one, the record has no identifier (or
// the handler was called outside a batch.Function). The same record never
// gains a key on a retry, so it is permanent: errors.Is(ErrNoKey,
// batch.ErrPermanent) is true, and Options.Divert sees it.
var ErrNoKey = batch.Permanent(errors.New("idempotency: record has no key"))

// ErrNotOwner is returned by [Store.Complete] when the key's item no longer
// belongs to the caller: its lock ran out and another invocation took the
// key over, or the item expired and is gone.
var ErrNotOwner = errors.New("idempotency: key is no longer held by this invocation")

// InProgressError fails a record whose key another invocation (or another
// record of the same batch) is handling at the moment. It is temporary:
// Lambda delivers the record again, and by then the key is completed (the
// record is skipped), released (it runs), or its lock has run out (it
// runs).
type InProgressError struct {
	Key   string    // the key, with its prefix, as stored
	Until time.Time // when the other invocation's lock runs out
}

// Error names the key and when its lock runs out.
func (e *InProgressError) Error() string {
	return fmt.Sprintf("idempotency: key %q is in progress in another invocation (locked until %s)", e.Key, e.Until.UTC().Format(time.RFC3339Nano))
}

// MismatchError fails a record whose key was used before with another
// payload: the key function maps two different records to one key, or a
// producer reused an identifier. Retrying cannot fix it, and the handler
// is not called. It is a permanent failure: it matches batch.ErrPermanent
// with errors.Is, so Options.Divert can move the record aside.
type MismatchError struct {
	Key  string // the key, with its prefix, as stored
	Want string // fingerprint stored with the key
	Got  string // fingerprint of this record's payload
}

// Error names the key.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("idempotency: key %q was used before with a different payload", e.Key)
}

// Unwrap returns batch.ErrPermanent: retrying cannot make the payloads
// agree.
func (e *MismatchError) Unwrap() error { return batch.ErrPermanent }

// StoreError fails a record when the [Store] could not be used for its
// key: the table is unreachable, access is denied, the call timed out. A
// record never succeeds without its key being recorded: when Begin fails
// the handler is not called, when Complete fails after the handler
// succeeded the record fails all the same (it will be retried and, once
// the lock has run out, handled again), and when Release fails after the
// handler failed the error joins the handler's.
type StoreError struct {
	Op  string // "begin", "complete" or "release"
	Key string // the key, with its prefix, as stored
	Err error  // the Store's error
}

// Error names the operation, the key and the cause.
func (e *StoreError) Error() string {
	return fmt.Sprintf("idempotency: %s %q: %v", e.Op, e.Key, e.Err)
}

// Unwrap returns the Store's error.
func (e *StoreError) Unwrap() error { return e.Err }
