package sync

import (
	"testing"
	"time"
)

// Calls made outside the worker (reference refreshes, a process before a
// restart) count against the day: pacing takes the limiter's figure when it
// is larger than the worker's own.
func TestPaceCountsCallsMadeOutsideTheWorker(t *testing.T) {
	now := time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC) // 1 h into the UTC day
	for _, tt := range []struct {
		name    string
		dayUsed func(uint64) int
		paced   bool
	}{
		{"no limiter figure", nil, false},
		{"limiter agrees the day is young", func(uint64) int { return 10 }, false},
		{"limiter saw 900 of 1 000 calls", func(uint64) int { return 900 }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := New(Config{DailyBudget: 1000, Now: func() time.Time { return now }, DayUsed: tt.dayUsed})
			w.pace(7, 1)
			at, paced := w.notBefore[7]
			if paced != tt.paced {
				t.Fatalf("paced = %v (until %v), want %v", paced, at, tt.paced)
			}
			if paced && !at.After(now) {
				t.Errorf("next round at %v, want after %v", at, now)
			}
		})
	}
}

// The last round's calls are counted once: the limiter behind DayUsed has
// seen them as the worker's own count has, so a round that keeps the day
// within its allowance does not pace the binding.
func TestPaceCountsTheLastRoundOnce(t *testing.T) {
	now := time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC) // allowance ≈ 279 of 1 000
	for _, tt := range []struct {
		name    string
		dayUsed func(uint64) int
	}{
		{"worker's own count", nil},
		{"limiter agrees", func(uint64) int { return 270 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := New(Config{DailyBudget: 1000, Now: func() time.Time { return now }, DayUsed: tt.dayUsed})
			w.spend(7, 270)
			w.pace(7, 270)
			if at, paced := w.notBefore[7]; paced {
				t.Fatalf("paced until %v after 270 calls within an allowance of %.0f", at, w.allowance(now))
			}
		})
	}
}
