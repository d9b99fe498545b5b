package sync

import (
	"testing"

	"ledger/sync/synctest"
)

// env is one binding wired to a strict fake Magento and a strict fake Xero
// over a real bbolt store (synctest.Env), synced by a worker on the same
// injected clock.
type env struct {
	*synctest.Env
	w *Worker
}

func newEnv(t testing.TB, o synctest.Options) *env {
	t.Helper()
	se := synctest.New(t, o)
	w := New(Config{
		DB: se.DB, Now: se.Clock.Now, DailyBudget: se.Budget, Jitter: func() float64 { return 0.5 },
		Xero: se.XeroClient, Magento: se.MagentoClient,
	})
	return &env{Env: se, w: w}
}

func (e *env) runOnce() {
	e.T.Helper()
	if err := e.w.RunOnce(e.Ctx); err != nil {
		e.T.Fatal(err)
	}
}
