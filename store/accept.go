package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// AcceptRequest is one webhook delivery to record.
type AcceptRequest struct {
	TenantID       string
	IdempotencyKey string
	Event          string
	Envelope       domain.Envelope
	Now            time.Time // zero → the store clock
}

// AcceptResult is what AcceptEvent recorded: the run ids of the event, and
// whether the idempotency key had been accepted before (then nothing new
// was written and RunIDs are the original ones).
type AcceptResult struct {
	RunIDs    []uint64
	Duplicate bool
}

// Skip reason when a tenant has no binding that could take the event.
const SkipNoActiveBinding = "no_active_binding"

const (
	acceptQueue    = 4096 // buffered accepts waiting for the committer
	maxBatch       = 512  // accepts per group commit
	maxIdemKeySize = 512
)

type acceptCall struct {
	req  AcceptRequest
	res  AcceptResult
	err  error
	done chan struct{}
}

// AcceptEvent durably records one webhook delivery (see AcceptResult). It
// returns only after the transaction holding it has been committed and
// fsync'd; concurrent calls share commits (group commit), and arrival order
// is run id order.
func (db *DB) AcceptEvent(ctx context.Context, req AcceptRequest) (AcceptResult, error) {
	if db.readOnly {
		return AcceptResult{}, errReadOnly
	}
	if req.TenantID == "" || req.Event == "" {
		return AcceptResult{}, domain.Errorf(domain.EInvalid, "an event needs a tenant and an event name")
	}
	if req.IdempotencyKey == "" || len(req.IdempotencyKey) > maxIdemKeySize {
		return AcceptResult{}, domain.Errorf(domain.EInvalid, "an event needs an idempotency key of 1 to %d characters", maxIdemKeySize)
	}
	if req.Now.IsZero() {
		req.Now = db.now()
	}
	req.Now = req.Now.UTC()
	c := &acceptCall{req: req, done: make(chan struct{})}
	db.acceptMu.RLock()
	if db.closing {
		db.acceptMu.RUnlock()
		return AcceptResult{}, errClosing
	}
	select {
	case db.accepts <- c:
	case <-ctx.Done():
		db.acceptMu.RUnlock()
		return AcceptResult{}, domain.Wrap(domain.EUnavailable, ctx.Err(), "the event was not recorded because the request ended; send it again")
	}
	db.acceptMu.RUnlock()
	// Once queued the call is committed or refused promptly; wait for it so
	// the answer says what really happened.
	<-c.done
	return c.res, c.err
}

var errClosing = domain.Errorf(domain.EUnavailable, "ledger is shutting down; send the event again shortly")

// committer is the single goroutine that group-commits queued accepts.
func (db *DB) committer() {
	defer close(db.done)
	for {
		var first *acceptCall
		select {
		case first = <-db.accepts:
		case <-db.stop:
			// Close holds acceptMu, so nothing new arrives: commit the rest.
			for {
				select {
				case c := <-db.accepts:
					db.commitBatch([]*acceptCall{c})
				default:
					return
				}
			}
		}
		batch := []*acceptCall{first}
	collect:
		for len(batch) < maxBatch {
			select {
			case c := <-db.accepts:
				batch = append(batch, c)
			default:
				break collect
			}
		}
		db.commitBatch(batch)
	}
}

// commitBatch commits every call of batch in one transaction. A call whose
// own work fails is answered with its error and the rest are retried
// without it, like bbolt's Batch.
func (db *DB) commitBatch(batch []*acceptCall) {
	for len(batch) > 0 {
		failed := -1
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i, c := range batch {
				res, err := acceptTx(tx, c.req)
				if err != nil {
					failed, c.err = i, wrapTx(err)
					return err
				}
				c.res = res
			}
			return nil
		})
		if err == nil || failed < 0 {
			for _, c := range batch {
				if err != nil {
					c.res, c.err = AcceptResult{}, wrapTx(err)
				}
				close(c.done)
			}
			return
		}
		close(batch[failed].done)
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}

// acceptTx is AcceptEvent's transaction body.
func acceptTx(tx *bolt.Tx, req AcceptRequest) (AcceptResult, error) {
	idem := tx.Bucket(bucketIdempotency)
	ikey := join([]byte(req.TenantID), []byte(req.IdempotencyKey))
	if v := idem.Get(ikey); v != nil {
		res := AcceptResult{Duplicate: true}
		for i := 0; i+8 <= len(v); i += 8 {
			res.RunIDs = append(res.RunIDs, btou(v[i:]))
		}
		return res, nil
	}
	if tx.Bucket(bucketTenants).Get([]byte(req.TenantID)) == nil {
		return AcceptResult{}, errNoTenant(req.TenantID)
	}
	bindings, err := tenantBindings(tx, req.TenantID)
	if err != nil {
		return AcceptResult{}, err
	}
	base := domain.SyncRun{
		TenantID:       req.TenantID,
		Event:          req.Event,
		IdempotencyKey: req.IdempotencyKey,
		Envelope:       req.Envelope,
		MagentoID:      req.Envelope.MagentoEntityID,
		MagentoNumber:  incrementID(req.Envelope.Payload),
		CreatedAt:      req.Now,
		UpdatedAt:      req.Now,
		Timeline:       []domain.RunStep{{At: req.Now, Step: domain.StepReceived, OK: true}},
	}
	var runs []domain.SyncRun
	skip := func(reason string, bindingID uint64, policy domain.Policy) {
		r := base
		r.BindingID, r.Policy = bindingID, policy
		r.Status, r.SkipReason = domain.RunSkipped, reason
		now := req.Now
		r.FinishedAt = &now
		r.Timeline = append(r.Timeline, domain.RunStep{At: now, Step: domain.StepSkipped, OK: true, Detail: reason})
		runs = append(runs, r)
	}
	switch {
	case !domain.HandledEvent(req.Event):
		var id uint64
		var policy domain.Policy
		if len(bindings) > 0 {
			id, policy = bindings[0].ID, bindings[0].Policy
		}
		skip(domain.SkipNotHandledEvent, id, policy)
	default:
		for _, b := range bindings {
			if b.Status == domain.BindingRevoked {
				continue
			}
			r := base
			r.BindingID, r.Policy, r.Status = b.ID, b.Policy, domain.RunQueued
			runs = append(runs, r)
		}
		if len(runs) == 0 {
			skip(SkipNoActiveBinding, 0, domain.Policy{})
		}
	}
	res := AcceptResult{}
	ids := make([]byte, 0, 8*len(runs))
	for i := range runs {
		r := &runs[i]
		id, err := tx.Bucket(bucketRuns).NextSequence()
		if err != nil {
			return AcceptResult{}, err
		}
		r.ID = id
		r.Timeline = append([]domain.RunStep(nil), r.Timeline...)
		if err := putRun(tx, nil, r); err != nil {
			return AcceptResult{}, err
		}
		res.RunIDs = append(res.RunIDs, id)
		ids = append(ids, u64(id)...)
	}
	return res, idem.Put(ikey, ids)
}

// incrementID returns payload.increment_id as text, if there is one.
func incrementID(payload json.RawMessage) string {
	if len(payload) == 0 {
		return ""
	}
	var p struct {
		IncrementID json.RawMessage `json:"increment_id"`
	}
	if json.Unmarshal(payload, &p) != nil || len(p.IncrementID) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(p.IncrementID, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(p.IncrementID, &n) == nil {
		if _, err := strconv.ParseFloat(n.String(), 64); err == nil {
			return n.String()
		}
	}
	return ""
}
