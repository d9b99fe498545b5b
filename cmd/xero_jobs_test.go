package cmd

import (
	"log/slog"
	"testing"
	"time"

	"ledger/store"
	"ledger/store/storetest"
	"ledger/xero"
)

func TestLastSlot(t *testing.T) {
	day := time.Date(2026, 4, 29, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		now    time.Time
		offset time.Duration
		want   time.Time
	}{
		{"after today's slot", day.Add(10 * time.Hour), 3 * time.Hour, day.Add(3 * time.Hour)},
		{"before today's slot", day.Add(2 * time.Hour), 3 * time.Hour, day.Add(-21 * time.Hour)},
		{"exactly at the slot", day.Add(3 * time.Hour), 3 * time.Hour, day.Add(3 * time.Hour)},
		{"midnight offset", day.Add(time.Minute), 0, day},
		{"non-UTC input", day.Add(10 * time.Hour).In(time.FixedZone("x", 5*3600)), 9 * time.Hour, day.Add(9 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := lastSlot(tc.now, tc.offset); !got.Equal(tc.want) {
				t.Errorf("lastSlot(%s, %s) = %s, want %s", tc.now, tc.offset, got, tc.want)
			}
		})
	}
}

func TestRefreshOffsetSpreads(t *testing.T) {
	hours := map[int]bool{}
	for id := uint64(1); id <= 200; id++ {
		off := refreshOffset(id)
		if off < 0 || off >= 24*time.Hour {
			t.Fatalf("offset of %d = %s, outside the day", id, off)
		}
		if off != refreshOffset(id) {
			t.Fatalf("offset of %d is not stable", id)
		}
		hours[int(off/time.Hour)] = true
	}
	if len(hours) < 20 {
		t.Errorf("200 bindings use only %d of 24 hours", len(hours))
	}
}

func TestSweepOAuthStatesRemovesOnlyExpired(t *testing.T) {
	db := storetest.MustOpen(t)
	now := time.Date(2026, 4, 29, 12, 0, 0, 0, time.UTC)
	for state, exp := range map[string]time.Time{"old": now.Add(-time.Minute), "live": now.Add(5 * time.Minute)} {
		if err := db.PutOAuthState(state, store.OAuthState{BindingID: 1, Verifier: "v-" + state, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	v := NewXeroVault(db, xero.Config{}, 100, slog.New(slog.DiscardHandler))
	if err := v.SweepOAuthStates(now); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PurgeOAuthStates(now); err != nil || n != 0 {
		t.Errorf("after the sweep %d expired states were left (err %v), want 0", n, err)
	}
	if st, err := db.TakeOAuthState("live", now); err != nil || st.Verifier != "v-live" {
		t.Errorf("the live state was swept too: %+v, %v", st, err)
	}
}
