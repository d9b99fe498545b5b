package metrics

import (
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueDepthFunc returns the number of queued sync runs per binding id. It is
// called on every scrape, so it must be cheap and safe for concurrent use.
type QueueDepthFunc func() map[string]int

// queueCollector reports ledger_queue_depth{binding} from a function read at
// scrape time, so the gauge can never drift from the store.
type queueCollector struct {
	desc *prometheus.Desc
	mu   sync.RWMutex
	fn   QueueDepthFunc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.RLock()
	fn := c.fn
	c.mu.RUnlock()
	if fn == nil {
		return
	}
	depth := fn()
	ids := make([]string, 0, len(depth))
	for id := range depth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(depth[id]), id)
	}
}

// SetQueueDepth installs the function that ledger_queue_depth reads at scrape
// time (typically a store query of queued runs grouped by binding). Calling it
// again replaces the function; nil removes it.
func (m *Metrics) SetQueueDepth(fn QueueDepthFunc) {
	if m == nil {
		return
	}
	m.queue.mu.Lock()
	m.queue.fn = fn
	m.queue.mu.Unlock()
}
