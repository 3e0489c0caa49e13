package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed-45ee126e/batch/idempotency"
)

// stores returns, for each Store of the package, a function that makes a
// new empty one for a test: the DynamoDB store on a table of its own in
// the test server, the memory store, and the cache in front of each.
func stores() []struct {
	name string
	make func(t testing.TB) idempotency.Store
} {
	ddb := func(t testing.TB) idempotency.Store {
		client := newClient(ddbEndpoint)
		return idempotency.NewDynamoDBStore(client, newTable(t, client, idempotency.Table{}))
	}
	mem := func(testing.TB) idempotency.Store { return &idempotency.MemoryStore{} }
	return []struct {
		name string
		make func(t testing.TB) idempotency.Store
	}{
		{"DynamoDB", ddb},
		{"Memory", mem},
		{"CachedDynamoDB", func(t testing.TB) idempotency.Store { return idempotency.Cached(ddb(t), 0) }},
		{"CachedMemory", func(t testing.TB) idempotency.Store { return idempotency.Cached(mem(t), 0) }},
	}
}

// t0 is the time the contract tests pass as now. The stores compare the
// times they are given, never their own clock, so any instant will do; it
// is a recent one, so that DynamoDB's TTL (which would delete items whose
// expiry is in the past, though DynamoDB Local does not) is not involved.
var t0 = time.Now().Truncate(time.Second)

// claim is an InProgress item of owner, locked for lock from t0 and
// expiring ttl after t0.
func claim(owner, fp string, lock, ttl time.Duration) idempotency.Item {
	return idempotency.Item{
		Status:      idempotency.InProgress,
		Fingerprint: fp,
		Owner:       owner,
		LockUntil:   t0.Add(lock),
		Expires:     t0.Add(ttl),
	}
}

// TestStoreContract checks that every Store follows the rules of the Store
// interface, the same way: what Begin does with absent, locked, expired
// and completed keys, and that only the owner completes or releases.
func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	for _, s := range stores() {
		t.Run(s.name, func(t *testing.T) {
			t.Run("an absent key is begun, then held", func(t *testing.T) {
				st := s.make(t)
				a := claim("a", "fp-a", time.Minute, time.Hour)
				got, ok, err := st.Begin(ctx, "k", a, t0)
				if err != nil || !ok || got.Owner != "a" {
					t.Fatalf("first Begin: got (%+v, %v, %v), want the item, true, nil", got, ok, err)
				}
				got, ok, err = st.Begin(ctx, "k", claim("b", "fp-b", time.Minute, time.Hour), t0.Add(time.Second))
				if err != nil || ok {
					t.Fatalf("second Begin: got (%v, %v), want false, nil", ok, err)
				}
				if got.Status != idempotency.InProgress || got.Owner != "a" || got.Fingerprint != "fp-a" || !got.LockUntil.Equal(a.LockUntil) {
					t.Errorf("second Begin returned %+v, want a's in-progress item locked until %v", got, a.LockUntil)
				}
			})
			t.Run("a completed key is returned with its fingerprint", func(t *testing.T) {
				st := s.make(t)
				a := claim("a", "fp-a", time.Minute, time.Hour)
				mustBegin(t, st, "k", a, t0)
				done := a
				done.Status, done.Expires = idempotency.Completed, t0.Add(2*time.Hour)
				if err := st.Complete(ctx, "k", done); err != nil {
					t.Fatalf("Complete: %v", err)
				}
				// Even after a's lock would have run out.
				got, ok, err := st.Begin(ctx, "k", claim("b", "fp-b", time.Minute, time.Hour), t0.Add(time.Hour))
				if err != nil || ok {
					t.Fatalf("Begin: got (%v, %v), want false, nil", ok, err)
				}
				if got.Status != idempotency.Completed || got.Fingerprint != "fp-a" || !got.Expires.Equal(done.Expires) {
					t.Errorf("Begin returned %+v, want completed with fingerprint fp-a until %v", got, done.Expires)
				}
			})
			t.Run("only the owner completes", func(t *testing.T) {
				st := s.make(t)
				mustBegin(t, st, "k", claim("a", "", time.Minute, time.Hour), t0)
				other := claim("b", "", time.Minute, time.Hour)
				other.Status = idempotency.Completed
				if err := st.Complete(ctx, "k", other); !errors.Is(err, idempotency.ErrNotOwner) {
					t.Errorf("Complete by another owner: got %v, want ErrNotOwner", err)
				}
				if err := st.Complete(ctx, "absent", other); !errors.Is(err, idempotency.ErrNotOwner) {
					t.Errorf("Complete of an absent key: got %v, want ErrNotOwner", err)
				}
				got, ok, _ := st.Begin(ctx, "k", claim("c", "", time.Minute, time.Hour), t0)
				if ok || got.Status != idempotency.InProgress || got.Owner != "a" {
					t.Errorf("after a foreign Complete: got (%+v, %v), want a's item still in progress", got, ok)
				}
			})
			t.Run("only the owner releases", func(t *testing.T) {
				st := s.make(t)
				mustBegin(t, st, "k", claim("a", "", time.Minute, time.Hour), t0)
				if err := st.Release(ctx, "k", "b"); err != nil {
					t.Fatalf("Release by another owner: got %v, want nil", err)
				}
				if _, ok, _ := st.Begin(ctx, "k", claim("c", "", time.Minute, time.Hour), t0); ok {
					t.Fatal("a foreign Release freed the key")
				}
				if err := st.Release(ctx, "k", "a"); err != nil {
					t.Fatalf("Release by the owner: %v", err)
				}
				if err := st.Release(ctx, "k", "a"); err != nil {
					t.Fatalf("Release of a released key: got %v, want nil", err)
				}
				mustBegin(t, st, "k", claim("d", "", time.Minute, time.Hour), t0)
			})
			t.Run("a lock that ran out is taken over, and the old owner can no longer finish", func(t *testing.T) {
				st := s.make(t)
				// A crashed invocation: Begin, and nothing after it.
				mustBegin(t, st, "k", claim("crashed", "fp", time.Second, time.Hour), t0)
				if _, ok, _ := st.Begin(ctx, "k", claim("early", "fp", time.Minute, time.Hour), t0.Add(999*time.Millisecond)); ok {
					t.Fatal("the key was taken over before its lock ran out")
				}
				later := t0.Add(time.Second)
				next := claim("next", "fp", time.Minute, time.Hour)
				mustBegin(t, st, "k", next, later)
				// The crashed invocation wakes up: it must not free or
				// complete the new owner's key.
				if err := st.Release(ctx, "k", "crashed"); err != nil {
					t.Fatalf("old owner's Release: %v", err)
				}
				old := claim("crashed", "fp", time.Second, time.Hour)
				old.Status = idempotency.Completed
				if err := st.Complete(ctx, "k", old); !errors.Is(err, idempotency.ErrNotOwner) {
					t.Errorf("old owner's Complete: got %v, want ErrNotOwner", err)
				}
				got, ok, _ := st.Begin(ctx, "k", claim("third", "fp", time.Minute, time.Hour), later)
				if ok || got.Owner != "next" || got.Status != idempotency.InProgress {
					t.Errorf("got (%+v, %v), want next's item in progress", got, ok)
				}
			})
			t.Run("an expired item counts as absent", func(t *testing.T) {
				st := s.make(t)
				a := claim("a", "fp-a", time.Second, time.Hour)
				mustBegin(t, st, "k", a, t0)
				done := a
				done.Status, done.Expires = idempotency.Completed, t0.Add(10*time.Second)
				if err := st.Complete(ctx, "k", done); err != nil {
					t.Fatalf("Complete: %v", err)
				}
				if _, ok, _ := st.Begin(ctx, "k", claim("b", "fp-b", time.Minute, time.Hour), t0.Add(9*time.Second)); ok {
					t.Fatal("the key was begun again before it expired")
				}
				// A different payload is no mismatch once the key expired.
				mustBegin(t, st, "k", claim("c", "fp-c", time.Minute, time.Hour), t0.Add(10*time.Second))
			})
			t.Run("an in-progress item expires too", func(t *testing.T) {
				st := s.make(t)
				mustBegin(t, st, "k", claim("a", "", time.Hour, 5*time.Second), t0)
				mustBegin(t, st, "k", claim("b", "", time.Hour, time.Hour), t0.Add(5*time.Second))
			})
			t.Run("concurrent Begins of a key: exactly one wins", func(t *testing.T) {
				st := s.make(t)
				const keys, racers = 10, 8
				var wg sync.WaitGroup
				wins := make([]int, keys)
				var mu sync.Mutex
				for r := 0; r < racers; r++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for k := 0; k < keys; k++ {
							_, ok, err := st.Begin(ctx, fmt.Sprint("k", k), claim(fmt.Sprint("r", r), "", time.Minute, time.Hour), t0)
							if err != nil {
								t.Errorf("Begin: %v", err)
								return
							}
							if ok {
								mu.Lock()
								wins[k]++
								mu.Unlock()
							}
						}
					}()
				}
				wg.Wait()
				for k, n := range wins {
					if n != 1 {
						t.Errorf("key k%d begun %d times, want 1", k, n)
					}
				}
			})
		})
	}
}

// mustBegin begins key with it at now and fails the test unless it was
// begun.
func mustBegin(t testing.TB, st idempotency.Store, key string, it idempotency.Item, now time.Time) {
	t.Helper()
	got, ok, err := st.Begin(context.Background(), key, it, now)
	if err != nil || !ok {
		t.Fatalf("Begin(%s, owner %s): got (%+v, %v, %v), want begun", key, it.Owner, got, ok, err)
	}
}
