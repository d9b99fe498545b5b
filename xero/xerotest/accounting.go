package xerotest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a switchable failure of the Accounting API.
type Fault struct {
	Status int           // answer this status (500, 503) without applying
	Delay  time.Duration // wait this long (real time) before answering
	// Drop applies the request, then closes the connection without an
	// answer: the client cannot know the outcome.
	Drop bool
	// Times is how many requests the fault hits (0 = until cleared).
	Times int
}

// SetFault switches a fault on (nil clears it).
func (s *Server) SetFault(f *Fault) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

type replay struct {
	status int
	body   []byte
	at     time.Time
}

// IdempotencyWindow is how long Xero replays an Idempotency-Key.
const IdempotencyWindow = 6 * time.Minute

var idSegment = regexp.MustCompile(`/[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}`)

// accounting is the Accounting API front door: count, validate against
// the spec, authenticate, pace, replay, fault, then dispatch.
func (s *Server) accounting(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	endpoint := r.Method + " " + idSegment.ReplaceAllString(path, "/{id}")
	s.count(endpoint)

	if err := s.check(r, body, path); err != nil {
		s.mu.Lock()
		s.violations = append(s.violations, err.Error())
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]any{"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": err.Error()})
		return
	}
	if _, ok := s.bearer(w, r); !ok {
		return
	}
	tenant := r.Header.Get("Xero-tenant-id")
	s.mu.Lock()
	o := s.orgs[tenant]
	if o == nil || !s.connected(tenant) {
		s.mu.Unlock()
		writeJSON(w, http.StatusForbidden, map[string]any{"Type": nil, "Title": "Forbidden", "Status": 403, "Detail": "AuthorizationUnsuccessful"})
		return
	}
	now := s.clock.Now()
	if problem, retry := s.admit(o, now); problem != "" {
		s.calls["429"]++
		s.limitHeaders(w.Header(), o, now)
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		w.Header().Set("X-Rate-Limit-Problem", problem)
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"Title": "Too Many Requests", "Status": 429})
		return
	}
	s.limitHeaders(w.Header(), o, now)
	var once sync.Once
	finish := func() { once.Do(func() { s.mu.Lock(); o.inFlight--; s.mu.Unlock() }) }
	defer finish() // Xero counts a call finished once it answers

	f := s.fault
	if f != nil && f.Times > 0 {
		if f.Times--; f.Times == 0 {
			s.fault = nil
		}
	}
	key := r.Header.Get("Idempotency-Key")
	write := r.Method != http.MethodGet
	if write && key != "" {
		if rp := s.idem[tenant+"\x00"+key]; rp != nil && now.Sub(rp.at) < IdempotencyWindow {
			s.calls["replay"]++
			s.mu.Unlock()
			finish()
			if f != nil && f.Drop && drop(w) {
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(rp.status)
			_, _ = w.Write(rp.body)
			return
		}
	}
	s.mu.Unlock()

	if f != nil && f.Delay > 0 {
		time.Sleep(f.Delay) // simulates a slow Xero; not synchronisation
	}
	if f != nil && f.Status != 0 {
		finish()
		writeJSON(w, f.Status, map[string]any{"Title": http.StatusText(f.Status), "Status": f.Status})
		return
	}
	rec := httptest.NewRecorder()
	s.mu.Lock()
	s.dispatch(rec, r, o, path, body)
	if write && key != "" && rec.Code < 500 {
		s.idem[tenant+"\x00"+key] = &replay{status: rec.Code, body: rec.Body.Bytes(), at: now}
	}
	s.mu.Unlock()
	finish()
	if f != nil && f.Drop && drop(w) {
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = io.Copy(w, bytes.NewReader(rec.Body.Bytes()))
}

// admit applies Xero's limits. Caller holds mu.
func (s *Server) admit(o *org, now time.Time) (problem string, retryAfter int) {
	perMin, day, conc, app := orDefault(s.opts.PerMinute, 60), orDefault(s.opts.DailyLimit, 5000), orDefault(s.opts.Concurrent, 5), orDefault(s.opts.AppPerMinute, 10000)
	o.min = prune(o.min, now)
	s.appWin = prune(s.appWin, now)
	if d := dayStart(now); !d.Equal(o.day) {
		o.day, o.dayUsed = d, 0
	}
	switch {
	case o.dayUsed >= day:
		return "day", int(o.day.Add(24*time.Hour).Sub(now)/time.Second) + 1
	case len(o.min) >= perMin:
		return "minute", int(o.min[len(o.min)-perMin].Add(time.Minute).Sub(now)/time.Second) + 1
	case len(s.appWin) >= app:
		return "appminute", int(s.appWin[len(s.appWin)-app].Add(time.Minute).Sub(now)/time.Second) + 1
	case o.inFlight >= conc:
		return "concurrent", 1
	}
	o.min = append(o.min, now)
	s.appWin = append(s.appWin, now)
	o.dayUsed++
	o.inFlight++
	return "", 0
}

func (s *Server) limitHeaders(h http.Header, o *org, now time.Time) {
	h.Set("X-MinLimit-Remaining", strconv.Itoa(max(orDefault(s.opts.PerMinute, 60)-len(o.min), 0)))
	h.Set("X-DayLimit-Remaining", strconv.Itoa(max(orDefault(s.opts.DailyLimit, 5000)-o.dayUsed, 0)))
	h.Set("X-AppMinLimit-Remaining", strconv.Itoa(max(orDefault(s.opts.AppPerMinute, 10000)-len(s.appWin), 0)))
}

func orDefault(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

func prune(w []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(w) && !w[i].After(now.Add(-time.Minute)) {
		i++
	}
	return w[i:]
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dispatch routes to a handler. Caller holds mu.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, o *org, path string, body []byte) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && len(seg) == 1:
		s.getList(w, r, o, seg[0])
	case len(seg) == 1 && seg[0] == "Contacts":
		s.writeContacts(w, r, o, body)
	case len(seg) == 1 && seg[0] == "Invoices":
		s.writeInvoices(w, r, o, body)
	case len(seg) == 1 && seg[0] == "CreditNotes":
		s.writeCreditNotes(w, r, o, body)
	case len(seg) == 1 && seg[0] == "Payments":
		s.writePayments(w, r, o, body)
	case len(seg) == 3 && seg[0] == "CreditNotes" && seg[2] == "Allocations" && r.Method == http.MethodPut:
		s.allocate(w, r, o, seg[1], body)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"Title": "Not Found", "Status": 404, "Detail": fmt.Sprintf("The resource you're looking for cannot be found: %s %s", r.Method, path)})
	}
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	c, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}
