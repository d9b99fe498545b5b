package magento

import (
	"sync"
	"time"
)

// DefaultReplayTTL outlives every token the Verifier accepts with the
// default leeway: exp ≤ iat + 300 and iat ≤ now + 60, and a token stays
// acceptable until exp + 60.
const DefaultReplayTTL = MaxTokenLifetime + 2*DefaultLeeway

// DefaultReplayMax bounds the cache: ~1 MB of keys, far above any sane
// webhook rate over 7 minutes.
const DefaultReplayMax = 100_000

// ReplayCache remembers used token ids for a fixed TTL with bounded memory.
// Entries expire in insertion order (fixed TTL), so eviction is a FIFO walk.
// A full cache refuses new ids rather than forget live ones.
type ReplayCache struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	seen  map[string]time.Time // key → expiry
	queue []replayEntry        // insertion order
	head  int
}

type replayEntry struct {
	key    string
	expiry time.Time
}

// NewReplayCache returns a cache keeping ids for ttl (≥ 2 min; 0 means
// DefaultReplayTTL) and at most max of them (0 means DefaultReplayMax).
func NewReplayCache(ttl time.Duration, max int) *ReplayCache {
	if ttl <= 0 {
		ttl = DefaultReplayTTL
	}
	if ttl < 2*time.Minute {
		ttl = 2 * time.Minute
	}
	if max <= 0 {
		max = DefaultReplayMax
	}
	return &ReplayCache{ttl: ttl, max: max, seen: make(map[string]time.Time)}
}

// Use records key as used at now. It returns ErrTokenReplayed if the key is
// still remembered and errReplayFull if the cache is full of live keys.
func (c *ReplayCache) Use(key string, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if exp, ok := c.seen[key]; ok && now.Before(exp) {
		return ErrTokenReplayed
	}
	if len(c.seen) >= c.max {
		return errReplayFull
	}
	exp := now.Add(c.ttl)
	c.seen[key] = exp
	c.queue = append(c.queue, replayEntry{key, exp})
	return nil
}

// Len returns how many ids are remembered.
func (c *ReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

func (c *ReplayCache) expire(now time.Time) {
	for c.head < len(c.queue) && !now.Before(c.queue[c.head].expiry) {
		e := c.queue[c.head]
		if c.seen[e.key].Equal(e.expiry) {
			delete(c.seen, e.key)
		}
		c.queue[c.head] = replayEntry{}
		c.head++
	}
	if c.head > 1024 && c.head*2 > len(c.queue) { // compact the ring
		c.queue = append([]replayEntry(nil), c.queue[c.head:]...)
		c.head = 0
	}
}
