package dashboard

import "net/http"

// The security headers every response carries unless its route opts out of
// the framing rules with framable.
const (
	contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
	cspWithoutFrameGuard  = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
)

// hsts is sent when ledger is served over https (PublicURL is https):
// browsers then never try plain http for a year.
const hsts = "max-age=31536000"

func securityHeaders(secure bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if secure {
			h.Set("Strict-Transport-Security", hsts)
		}
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// framable lets a route be shown in another site's iframe (the Magento
// admin's embed): it drops X-Frame-Options and replaces frame-ancestors with
// what ancestors returns for the request (e.g. the merchant's admin origin;
// "" leaves framing forbidden).
func framable(ancestors func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := ancestors(r); a != "" {
			h := w.Header()
			h.Del("X-Frame-Options")
			h.Set("Content-Security-Policy", cspWithoutFrameGuard+"; frame-ancestors "+a)
		}
		next.ServeHTTP(w, r)
	})
}
