package idempotency

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// MemoryStore is a [Store] in the memory of one process, for tests and
// local runs: it has the semantics of [DynamoDBStore] without a table, and
// nothing it holds is shared with another process or survives this one. A
// Lambda function needs a shared store: two execution environments of one
// function each have their own MemoryStore and would both handle a
// duplicate.
//
// The zero value is an empty store, ready to use. Expired items are
// dropped when the store has grown by half since the last sweep.
type MemoryStore struct {
	mu    sync.Mutex
	items map[string]Item
	swept int // len(items) after the last sweep
}

// Begin implements [Store.Begin].
func (s *MemoryStore) Begin(ctx context.Context, key string, it Item, now time.Time) (Item, bool, error) {
	if err := ctx.Err(); err != nil {
		return Item{}, false, err
	}
	if it.Status != InProgress {
		return Item{}, false, fmt.Errorf("idempotency: Begin with an item %s, want %s", it.Status, InProgress)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.items[key]; ok && old.live(now) {
		return old, false, nil
	}
	if s.items == nil {
		s.items = make(map[string]Item)
	}
	s.items[key] = it
	if n := len(s.items); n > 64 && n > s.swept+s.swept/2 {
		for k, old := range s.items {
			if !now.Before(old.Expires) {
				delete(s.items, k)
			}
		}
		s.swept = len(s.items)
	}
	return it, true, nil
}

// Complete implements [Store.Complete].
func (s *MemoryStore) Complete(ctx context.Context, key string, it Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.items[key]
	if !ok || old.Owner != it.Owner {
		return ErrNotOwner
	}
	old.Status = Completed
	old.Expires = it.Expires
	old.LockUntil = time.Time{}
	s.items[key] = old
	return nil
}

// Release implements [Store.Release].
func (s *MemoryStore) Release(ctx context.Context, key, owner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.items[key]; ok && old.Owner == owner {
		delete(s.items, key)
	}
	return nil
}
