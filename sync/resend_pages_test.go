package sync

import (
	"testing"
	"time"

	"ledger/sync/synctest"
)

// TestMirrorHoldSpansPages: a store whose Magento fails is held for the
// rest of the tick too, not only for the page the failure was in: a
// backlog longer than one page (after an outage, at start) costs one
// callback, not one per page, and doubles the hold once.
func TestMirrorHoldSpansPages(t *testing.T) {
	e := newEnv(t, synctest.Options{})
	past := e.Clock.Now().Add(-time.Minute)
	for i := range resendPage + 1 {
		finishedRun(e, int64(100+i), past)
	}
	e.Magento.FailNext(2, 503)
	e.w.resendMirrors(e.Ctx, e.Clock.Now(), true)
	if got := syncStatePosts(e); got != 1 {
		t.Errorf("%d sync-state posts in the tick, want 1", got)
	}
	if h := e.w.holds[e.Tenant]; h.fails != 1 {
		t.Errorf("the hold counts %d failures, want 1", h.fails)
	}
}
