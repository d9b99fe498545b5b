package xerotest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type authCode struct {
	redirect, challenge, authEvent string
	used                           bool
	issued                         time.Time
}

type refreshToken struct {
	authEvent string
	rotatedAt time.Time // zero while current
	revoked   bool
}

type conn struct {
	ID, TenantID, TenantName, AuthEventID string
	Created                               time.Time
}

// AccessTTL is how long the fake's access tokens live.
const AccessTTL = 30 * time.Minute

// authorize auto-consents: it connects opts.ConsentOrgs under a new auth
// event and redirects back with a single-use code and the state.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.count("GET /authorize")
	redirect, state := q.Get("redirect_uri"), q.Get("state")
	if q.Get("client_id") != s.opts.ClientID || redirect == "" || q.Get("response_type") != "code" {
		http.Error(w, "unauthorized_client", http.StatusBadRequest)
		return
	}
	u, err := url.Parse(redirect)
	if err != nil {
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {state}}
	if s.opts.Deny {
		back.Set("error", "access_denied")
		u.RawQuery = back.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "PKCE S256 required", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	event := newID()
	tenants := s.opts.ConsentOrgs
	if len(tenants) == 0 && len(s.orgOrder) > 0 {
		tenants = s.orgOrder[:1]
	}
	now := s.clock.Now()
	for _, tid := range tenants {
		o := s.orgs[tid]
		if o == nil {
			continue
		}
		s.conns = append(s.conns, &conn{ID: newID(), TenantID: tid, TenantName: o.org.Name, AuthEventID: event, Created: now})
	}
	code := newID()
	s.codes[code] = &authCode{redirect: redirect, challenge: q.Get("code_challenge"), authEvent: event, issued: now}
	s.mu.Unlock()
	back.Set("code", code)
	back.Set("scope", q.Get("scope"))
	u.RawQuery = back.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func oauthErr(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}

// token serves authorization_code (single use, redirect and PKCE checked)
// and refresh_token (rotation with a grace period) grants.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.count("POST /token")
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	} else {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	}
	if id != s.opts.ClientID || secret != s.opts.ClientSecret {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var event string
	switch r.PostFormValue("grant_type") {
	case "authorization_code":
		c := s.codes[r.PostFormValue("code")]
		if c == nil || c.used || now.Sub(c.issued) > 5*time.Minute || c.redirect != r.PostFormValue("redirect_uri") {
			oauthErr(w, "invalid_grant")
			return
		}
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			oauthErr(w, "invalid_grant")
			return
		}
		c.used = true
		event = c.authEvent
	case "refresh_token":
		rt := s.refresh[r.PostFormValue("refresh_token")]
		if rt == nil || rt.revoked || s.revoked[rt.authEvent] || (!rt.rotatedAt.IsZero() && now.Sub(rt.rotatedAt) > s.opts.RefreshGrace) {
			oauthErr(w, "invalid_grant")
			return
		}
		if rt.rotatedAt.IsZero() {
			rt.rotatedAt = now
		}
		event = rt.authEvent
	default:
		oauthErr(w, "unsupported_grant_type")
		return
	}
	access, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": s.URL, "client_id": s.opts.ClientID, "sub": "user-1",
		"authentication_event_id": event, "jti": newID(),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(AccessTTL).Unix(),
	}).SignedString(s.key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	next := newID()
	s.refresh[next] = &refreshToken{authEvent: event}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": access, "refresh_token": next, "token_type": "Bearer",
		"expires_in": int(AccessTTL / time.Second), "scope": strings.Join(s.Config("").Scopes, " "),
	})
}

// revoke revokes a refresh token and every token of its auth event.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	s.count("POST /revocation")
	s.mu.Lock()
	if rt := s.refresh[r.PostFormValue("token")]; rt != nil {
		rt.revoked = true
		s.revoked[rt.authEvent] = true
		kept := s.conns[:0]
		for _, c := range s.conns {
			if c.AuthEventID != rt.authEvent {
				kept = append(kept, c)
			}
		}
		s.conns = kept
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// bearer checks an access token; it returns the auth event or writes 401.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request) (string, bool) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(s.clock.Now))
	event, _ := claims["authentication_event_id"].(string)
	s.mu.Lock()
	revoked := s.revoked[event]
	s.mu.Unlock()
	switch {
	case ok && err == nil && !revoked:
		return event, true
	case ok && err != nil && strings.Contains(err.Error(), "expired"):
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The access token has expired"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"Type": nil, "Title": "Unauthorized", "Status": 401, "Detail": "TokenExpired: token expired at " + s.clock.Now().UTC().Format("01/02/2006 15:04:05")})
	default:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"Type": nil, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"})
	}
	return "", false
}

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request) {
	s.count("GET /connections")
	if _, ok := s.bearer(w, r); !ok {
		return
	}
	filter := r.URL.Query().Get("authEventId")
	s.mu.Lock()
	out := []map[string]string{}
	for _, c := range s.conns {
		if filter == "" || c.AuthEventID == filter {
			out = append(out, map[string]string{"id": c.ID, "authEventId": c.AuthEventID, "tenantId": c.TenantID, "tenantType": "ORGANISATION",
				"tenantName": c.TenantName, "createdDateUtc": c.Created.UTC().Format("2006-01-02T15:04:05.0000000"), "updatedDateUtc": c.Created.UTC().Format("2006-01-02T15:04:05.0000000")})
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteConnection(w http.ResponseWriter, r *http.Request) {
	s.count("DELETE /connections")
	if _, ok := s.bearer(w, r); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.conns {
		if c.ID == r.PathValue("id") {
			s.conns = append(s.conns[:i], s.conns[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	w.WriteHeader(http.StatusNotFound)
}

// connected reports whether a live connection reaches tenant. Caller holds mu.
func (s *Server) connected(tenant string) bool {
	for _, c := range s.conns {
		if c.TenantID == tenant {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) count(k string) {
	s.mu.Lock()
	s.calls[k]++
	s.mu.Unlock()
}
