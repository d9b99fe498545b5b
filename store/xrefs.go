package store

import (
	"time"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
)

// xrefRecord is a stored cross-reference.
type xrefRecord struct {
	BindingID  uint64    `json:"binding_id"`
	Kind       string    `json:"kind"`
	MagentoKey string    `json:"magento_key"`
	XeroID     string    `json:"xero_id"`
	XeroNumber string    `json:"xero_number,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func (r *xrefRecord) domain() *domain.Xref {
	x := domain.Xref(*r)
	return &x
}

// CodeXrefCollision is the error code of a cross-reference that would map
// one side to two different entities.
const CodeXrefCollision = "entity_xref_reverse_collision"

func xrefKey(bindingID uint64, kind, key string) []byte {
	return join(u64(bindingID), []byte(kind), []byte(key))
}

// putXrefTx stores x; the identical mapping again is a no-op (a new Xero
// number is recorded), a clash either way is EConflict.
func putXrefTx(tx *bolt.Tx, x domain.Xref, now time.Time) error {
	if x.BindingID == 0 || x.Kind == "" || x.MagentoKey == "" || x.XeroID == "" {
		return domain.Errorf(domain.EInvalid, "a cross-reference needs a binding, kind, Magento key and Xero id")
	}
	fwd, rev := tx.Bucket(bucketXrefs), tx.Bucket(bucketXrefsByXero)
	fk, rk := xrefKey(x.BindingID, x.Kind, x.MagentoKey), xrefKey(x.BindingID, x.Kind, x.XeroID)
	var old xrefRecord
	ok, err := getJSON(fwd, fk, &old)
	if err != nil {
		return err
	}
	if ok && old.XeroID != x.XeroID {
		return domain.Errorf(domain.EConflict, "Magento %s %s is already linked to another Xero document (%s); check it in Xero before retrying", x.Kind, x.MagentoKey, old.XeroID).WithCode(CodeXrefCollision)
	}
	if other := rev.Get(rk); other != nil && string(other) != x.MagentoKey {
		return domain.Errorf(domain.EConflict, "Xero document %s is already linked to Magento %s %s; check it in Xero before retrying", x.XeroID, x.Kind, other).WithCode(CodeXrefCollision)
	}
	if ok {
		if x.XeroNumber == "" || x.XeroNumber == old.XeroNumber {
			return nil
		}
		old.XeroNumber = x.XeroNumber
		return putJSON(fwd, fk, &old)
	}
	rec := xrefRecord(x)
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = now
	}
	rec.CreatedAt = rec.CreatedAt.UTC()
	if err := putJSON(fwd, fk, &rec); err != nil {
		return err
	}
	return rev.Put(rk, []byte(x.MagentoKey))
}

func errNoXref() error {
	return domain.Errorf(domain.ENotFound, "no cross-reference found")
}

// Xref returns what a Magento entity became in Xero for a binding.
func (db *DB) Xref(bindingID uint64, kind, magentoKey string) (*domain.Xref, error) {
	var out *domain.Xref
	err := db.view(func(tx *bolt.Tx) error {
		var rec xrefRecord
		ok, err := getJSON(tx.Bucket(bucketXrefs), xrefKey(bindingID, kind, magentoKey), &rec)
		if err != nil {
			return err
		}
		if !ok {
			return errNoXref()
		}
		out = rec.domain()
		return nil
	})
	return out, err
}

// PutXref stores one cross-reference (see FinishRun for the usual path).
func (db *DB) PutXref(x domain.Xref) error {
	return db.update(func(tx *bolt.Tx) error { return putXrefTx(tx, x, db.utc()) })
}

// FinishRun writes xrefs, the run and, when it succeeded, its binding's
// last sync time in ONE transaction: the document
// posted to Xero and the run that posted it are recorded together or not
// at all. The run must exist; its id, binding and tenant may not change.
func (db *DB) FinishRun(run *domain.SyncRun, xrefs []domain.Xref) error {
	if run == nil {
		return domain.Errorf(domain.EInvalid, "no run given")
	}
	var out *domain.SyncRun
	err := db.update(func(tx *bolt.Tx) error {
		now := db.utc()
		for _, x := range xrefs {
			if err := putXrefTx(tx, x, now); err != nil {
				return err
			}
		}
		var err error
		out, err = updateRunTx(tx, run.ID, now, func(r *domain.SyncRun) error {
			*r = *run
			return nil
		})
		if err != nil {
			return err
		}
		return noteLastSync(tx, out, now)
	})
	if err == nil {
		*run = *out
	}
	return err
}
