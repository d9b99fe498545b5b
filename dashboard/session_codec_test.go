package dashboard

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"ledger/domain"
	"ledger/store/storetest"
)

// TestCookieCodec: the codec over a store follows its key term; without a
// database it still works, with keys of this process only.
func TestCookieCodec(t *testing.T) {
	type payload struct{ N int }
	tests := []struct {
		name   string
		st     Store
		rotate func()
		follow bool // cookies after a rotation use the new term
	}{
		{name: "fake store", st: newFakeStore(), follow: true},
		{name: "no database", st: dbStore{}},
	}
	tests[0].rotate = tests[0].st.(*fakeStore).rotate
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCookieCodec(tt.st, nil)
			before, err := c.Encode("n", payload{1})
			if err != nil {
				t.Fatal(err)
			}
			if tt.rotate != nil {
				tt.rotate()
			}
			after, err := c.Encode("n", payload{2})
			if err != nil {
				t.Fatal(err)
			}
			for want, v := range map[int]string{1: before, 2: after} {
				var got payload
				if err := c.Decode("n", v, &got); err != nil || got.N != want {
					t.Errorf("Decode = %+v, %v; want N=%d", got, err, want)
				}
			}
			var p payload
			if err := c.Decode("other-name", after, &p); err == nil {
				t.Error("a cookie opened under another name")
			}
			if tt.follow && opens(termCodec(t, tt.st, 1), "n", after) {
				t.Error("after a rotation, a new cookie opens with the old term's keys")
			}
		})
	}
}

// BenchmarkSessionRead is the per-request cost of opening a session cookie
// (term check, decode, one user read), for a cookie of the active term and
// for one three rotations old (it tries every newer term first).
func BenchmarkSessionRead(b *testing.B) {
	db := storetest.MustOpen(b)
	u := storetest.MustUser(b, db, "m@example.com", domain.RoleMerchant)
	m, _ := newSessions(dbStore{db}, nil, false, time.Now)
	sess, err := m.login(u.ID)
	if err != nil {
		b.Fatal(err)
	}
	old, _ := m.encode(sessionCookie, sess)
	for range 3 {
		if _, _, err := db.RotateKey(false); err != nil {
			b.Fatal(err)
		}
	}
	current, _ := m.encode(sessionCookie, sess)
	for name, v := range map[string]string{"current_term": current, "three_terms_old": old} {
		b.Run(name, func(b *testing.B) {
			req := fmt.Sprintf("%s=%s", sessionCookie, v)
			r := newCookieRequest(req)
			for b.Loop() {
				if m.read(r) == nil {
					b.Fatal("no session")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/read")
		})
	}
}

func newCookieRequest(cookie string) *http.Request {
	r, _ := http.NewRequest("GET", "/dashboard", nil)
	r.Header.Set("Cookie", cookie)
	return r
}
