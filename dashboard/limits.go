package dashboard

import (
	"errors"
	"net/http"
	"strings"
)

// maxFormBody is the largest browser form accepted (413 above it): the
// biggest form, a binding's settings, is a few kilobytes.
const maxFormBody = 64 << 10

// limitForms caps the body of every browser POST at maxFormBody and parses
// the form once, before any handler reads it, so an oversized body is a 413
// instead of memory. The Magento-facing routes keep their own limits.
func (s *Server) limitForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || magentoPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.message(w, r, nil, http.StatusRequestEntityTooLarge, "Form too large", "This form is larger than ledger accepts — shorten what you entered and try again.")
				return
			}
			s.message(w, r, nil, http.StatusBadRequest, "Form not readable", "ledger could not read this form — reload the page and try again.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// magentoPath reports whether path is a Magento-facing API route (JWT, own
// body limits).
func magentoPath(path string) bool {
	return strings.HasPrefix(path, "/webhooks/") || strings.HasPrefix(path, "/v1/")
}
