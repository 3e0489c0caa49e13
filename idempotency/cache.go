package idempotency

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DefaultCacheSize is the number of keys [Cached] keeps when given a size
// of zero or less.
const DefaultCacheSize = 10000

// Cached returns store with an in-memory cache of completed keys in
// front of it, holding at most size keys (the least recently used go
// first; size <= 0 means [DefaultCacheSize]). A record whose key this
// process saw completed is then skipped, or found a mismatch, without a
// call to store; everything else goes to store as before.
//
// The cache belongs to one process, so it helps with duplicates that come
// back to the same execution environment (a stream's batch retried after a
// partial failure, a Kafka partition re-read) and not with those another
// environment receives. What it holds may be stale: a completed key stays
// completed in the cache until its item's expiry, even if the item is
// deleted from the store in the meantime (by hand, to have a record handled
// again); only a new process, or eviction, forgets it. It keeps no
// in-progress keys, which change.
func Cached(store Store, size int) Store {
	if store == nil {
		panic("idempotency: Cached: nil Store")
	}
	if size <= 0 {
		size = DefaultCacheSize
	}
	return &cached{store: store, size: size, index: make(map[string]*list.Element)}
}

// cached is the Store Cached returns.
type cached struct {
	store Store
	size  int

	mu    sync.Mutex
	lru   list.List // of cacheEntry, most recently used first
	index map[string]*list.Element
}

// cacheEntry is one completed key.
type cacheEntry struct {
	key  string
	item Item
}

// Begin answers from the cache when it holds key completed and not
// expired, and asks the store otherwise.
func (c *cached) Begin(ctx context.Context, key string, it Item, now time.Time) (Item, bool, error) {
	if got, ok := c.get(key, now); ok {
		return got, false, nil
	}
	got, begun, err := c.store.Begin(ctx, key, it, now)
	if err == nil && !begun && got.Status == Completed {
		c.put(key, got)
	}
	return got, begun, err
}

// Complete completes key in the store, then caches it.
func (c *cached) Complete(ctx context.Context, key string, it Item) error {
	if err := c.store.Complete(ctx, key, it); err != nil {
		return err
	}
	it.Status = Completed
	it.LockUntil = time.Time{}
	c.put(key, it)
	return nil
}

// Release forgets key and releases it in the store.
func (c *cached) Release(ctx context.Context, key, owner string) error {
	c.mu.Lock()
	if e, ok := c.index[key]; ok {
		c.lru.Remove(e)
		delete(c.index, key)
	}
	c.mu.Unlock()
	return c.store.Release(ctx, key, owner)
}

// get returns key's item if the cache holds it unexpired at now.
func (c *cached) get(key string, now time.Time) (Item, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.index[key]
	if !ok {
		return Item{}, false
	}
	ce := e.Value.(*cacheEntry)
	if !now.Before(ce.item.Expires) {
		c.lru.Remove(e)
		delete(c.index, key)
		return Item{}, false
	}
	c.lru.MoveToFront(e)
	return ce.item, true
}

// put caches key's completed item, evicting the least recently used key
// when the cache is full.
func (c *cached) put(key string, it Item) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.index[key]; ok {
		e.Value.(*cacheEntry).item = it
		c.lru.MoveToFront(e)
		return
	}
	c.index[key] = c.lru.PushFront(&cacheEntry{key: key, item: it})
	for c.lru.Len() > c.size {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.index, last.Value.(*cacheEntry).key)
	}
}
