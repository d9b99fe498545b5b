package sync

import (
	"time"

	"ledger/domain"
)

// claim marks the round's runs running in one transaction, so the
// dashboard and `ledger sync list` show what the worker is working on.
// A run that is no longer queued (retried, disconnected meanwhile) is
// dropped from the round. Every claimed run leaves the round terminal or
// queued again: finish writes the outcome, release puts back the rest, and
// a crash is undone by recover at the next start.
func (r *round) claim(now time.Time) error {
	ids := make([]uint64, len(r.jobs))
	for i, j := range r.jobs {
		ids[i] = j.run.ID
	}
	marked, err := r.w.cfg.DB.MarkRunning(ids, now)
	if err != nil {
		return err
	}
	ok := make(map[uint64]bool, len(marked))
	for _, id := range marked {
		ok[id] = true
	}
	jobs := r.jobs[:0]
	for _, j := range r.jobs {
		if ok[j.run.ID] {
			j.run.Status = domain.RunRunning
			jobs = append(jobs, j)
		}
	}
	r.jobs = jobs
	return nil
}

// release puts the claimed runs whose new state was not stored (a credit
// memo left waiting for its invoice's earlier run, a failed write) back to
// queued, in one transaction.
func (r *round) release() {
	var ids []uint64
	for _, j := range r.jobs {
		if !j.stored {
			ids = append(ids, j.run.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	if _, err := r.w.cfg.DB.ReleaseRunning(ids, r.w.cfg.Now()); err != nil {
		r.w.fail(err) // recover re-queues them at the next start
	}
}
