package xerotest

import (
	"net/http"
	"net/http/httptest"
)

// TB is the part of testing.TB the fake needs; *testing.T and *testing.B
// satisfy it. The package does not import testing, so `ledger demo` can
// link it into the binary.
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// New starts a fake Xero, seeded with one GBP organisation "Demo Ltd"
// (unless opts.NoOrganisation), that validates every Accounting request
// against Xero's OpenAPI description and closes at Cleanup, failing the
// test for each violation not taken with Violations. It skips the test
// when the description is absent.
func New(t TB, opts Options) *Server {
	t.Helper()
	if _, err := loadSpec(); err != nil {
		t.Skipf("xerotest: cannot validate against Xero's OpenAPI: %v", err)
	}
	opts.Validate = true
	s := newServer(opts)
	s.fatalf = t.Fatalf
	s.Server = httptest.NewServer(s.handler())
	t.Cleanup(func() {
		s.Server.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, v := range s.violations {
			t.Errorf("xerotest: request violates Xero's OpenAPI: %s", v)
		}
	})
	return s
}

// check validates one Accounting request when validation is on.
func (s *Server) check(r *http.Request, body []byte, apiPath string) error {
	if !s.validate {
		return nil
	}
	return validate(r, body, apiPath)
}
