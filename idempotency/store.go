package idempotency

import (
	"context"
	"fmt"
	"time"
)

// Status is the state of a key in a [Store].
type Status uint8

const (
	// InProgress means an invocation has begun handling the key's record
	// and has not finished: until [Item.LockUntil] no other may begin it.
	InProgress Status = 1 + iota
	// Completed means a handler succeeded for the key: until
	// [Item.Expires] its records are skipped.
	Completed
)

// String returns "in progress" or "completed".
func (s Status) String() string {
	switch s {
	case InProgress:
		return "in progress"
	case Completed:
		return "completed"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Item is what a [Store] keeps for one key.
type Item struct {
	Status Status
	// Fingerprint identifies the payload the key was first used with: the
	// hex SHA-256 of its bytes, or "" when payloads are not compared
	// ([Options.NoPayloadCheck]).
	Fingerprint string
	// Owner is a random token of the invocation that began the key, so
	// that only it completes or releases it: one whose lock ran out and
	// was taken over must not release the new owner's lock.
	Owner string
	// LockUntil is when an InProgress item stops holding the key, so that
	// a crashed invocation does not block it for ever: the record's
	// deadline. Unused once Completed.
	LockUntil time.Time
	// Expires is when the item counts as absent whatever its status: the
	// time to live of a completed key, and for an InProgress item at least
	// LockUntil. The DynamoDB store writes it as the table's TTL
	// attribute, and DynamoDB deletes the item some time after it.
	Expires time.Time
}

// live reports whether it holds its key at now: not expired, and either
// completed or locked.
func (it Item) live(now time.Time) bool {
	if !now.Before(it.Expires) {
		return false
	}
	return it.Status == Completed || (it.Status == InProgress && now.Before(it.LockUntil))
}

// Store keeps the state of each key. [Handler] calls Begin before the
// handler, then Complete if it succeeded or Release if it failed. The
// package has three: [DynamoDBStore], [MemoryStore] (one process, for tests
// and local runs) and [Cached], an in-memory cache in front of another.
// Every method must be safe for concurrent use, and a Store shared by
// several processes must make Begin atomic: of concurrent Begins of one
// key, exactly one succeeds.
//
// Times are compared with the now given to Begin, the caller's clock; a
// Store does not read a clock of its own. An error of any method fails the
// record: a Store must return one whenever it cannot tell what happened.
type Store interface {
	// Begin stores it, an InProgress item, under key, unless key has a
	// live item: Completed and not expired, or InProgress and its
	// LockUntil not passed, both at now. It returns (it, true, nil) when it
	// stored it, and (the live item, false, nil) otherwise. Expired items,
	// and InProgress items whose lock has passed, count as absent: Begin
	// replaces them.
	Begin(ctx context.Context, key string, it Item, now time.Time) (Item, bool, error)

	// Complete marks key Completed with it.Expires as its expiry, if its
	// item still belongs to it.Owner; otherwise it changes nothing and
	// returns an error wrapping [ErrNotOwner].
	Complete(ctx context.Context, key string, it Item) error

	// Release deletes key's item if it belongs to owner, so that the key
	// can be begun again at once. An item of another owner, or none, is
	// left as it is, without error.
	Release(ctx context.Context, key, owner string) error
}
