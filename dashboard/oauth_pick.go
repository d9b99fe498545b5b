package dashboard

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"

	"ledger/assets"
	"ledger/domain"
	"ledger/xero"
)

// pendingPick is a consent that chose several organisations, sealed at
// SecretXeroPending until the picker is submitted (single use, ConnectTTL).
type pendingPick struct {
	ID        string            `json:"id"` // 256 random bits; the picker form carries it
	BindingID uint64            `json:"binding_id"`
	UserID    uint64            `json:"user_id,omitempty"`
	ExpiresAt time.Time         `json:"expires_at"`
	Token     xero.Token        `json:"token"`
	Orgs      []xero.Connection `json:"orgs"`
}

// pickMu makes taking a pending pick single use within the process.
var pickMu sync.Mutex

func (s *Server) putPending(bindingID, userID uint64, tok *xero.Token, orgs []xero.Connection) (*pendingPick, error) {
	id, err := oauthRandom()
	if err != nil {
		return nil, err
	}
	p := &pendingPick{ID: id, BindingID: bindingID, UserID: userID, ExpiresAt: s.cfg.Now().Add(ConnectTTL), Token: *tok, Orgs: orgs}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, domain.Wrap(domain.EInternal, err, "the organisation choice could not be stored; start again")
	}
	return p, s.cfg.DB.PutSecret(SecretXeroPending(bindingID), raw)
}

// takePending returns and deletes the binding's pending pick when id
// matches, it has not expired and it offered tenant.
func (s *Server) takePending(bindingID uint64, id, tenant string) (*pendingPick, xero.Connection, bool) {
	pickMu.Lock()
	defer pickMu.Unlock()
	raw, err := s.cfg.DB.Secret(SecretXeroPending(bindingID))
	if err != nil {
		return nil, xero.Connection{}, false
	}
	var p pendingPick
	if json.Unmarshal(raw, &p) != nil || id == "" || subtle.ConstantTimeCompare([]byte(id), []byte(p.ID)) != 1 {
		return nil, xero.Connection{}, false
	}
	if !s.cfg.Now().Before(p.ExpiresAt) {
		_ = s.cfg.DB.DeleteSecret(SecretXeroPending(bindingID))
		return nil, xero.Connection{}, false
	}
	for _, c := range p.Orgs {
		if c.TenantID == tenant {
			if err := s.cfg.DB.DeleteSecret(SecretXeroPending(bindingID)); err != nil {
				return nil, xero.Connection{}, false
			}
			return &p, c, true
		}
	}
	return nil, xero.Connection{}, false
}

type pickerData struct {
	BindingID uint64
	Pending   string
	Orgs      []xero.Connection
}

const pickerContent = `{{define "content"}}{{with .Data}}
<h1>Choose the Xero organisation</h1>
<p>You allowed ledger into several Xero organisations. A Magento store syncs to exactly one; pick the one its invoices belong in.</p>
<form method="post" action="/oauth/xero/pick" class="card">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="binding" value="{{.BindingID}}">
<input type="hidden" name="pending" value="{{.Pending}}">
<fieldset><legend>Organisation</legend>
{{range $i, $o := .Orgs}}<label><input type="radio" name="tenant" value="{{$o.TenantID}}"{{if eq $i 0}} checked{{end}}> {{$o.TenantName}}</label><br>
{{end}}</fieldset>
<button type="submit">Connect this organisation</button>
</form>
{{end}}{{end}}`

var (
	pickerOnce sync.Once
	pickerTmpl *template.Template
	pickerErr  error
)

func pickerTemplate() (*template.Template, error) {
	pickerOnce.Do(func() {
		layout, err := template.New("").ParseFS(assets.Templates, "layout.html")
		if err != nil {
			pickerErr = err
			return
		}
		pickerTmpl, pickerErr = template.Must(layout.Clone()).Parse(pickerContent)
	})
	return pickerTmpl, pickerErr
}

// renderPicker shows the organisations of the consent. The form carries the
// pending id (the capability) and the session's CSRF token; a browser with
// no session (the CLI's link) gets an anonymous one, as the login form does.
func (s *Server) renderPicker(w http.ResponseWriter, r *http.Request, p *pendingPick) {
	v := view{Title: "Choose the Xero organisation", Data: pickerData{BindingID: p.BindingID, Pending: p.ID, Orgs: p.Orgs}}
	sess := s.sessions.read(r)
	if sess == nil {
		sess = s.sessions.start(0)
		if err := s.sessions.write(w, sess); err != nil {
			s.fail(w, r, nil, err)
			return
		}
	}
	v.CSRF, v.User = sess.CSRF, sess.user
	t, err := pickerTemplate()
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout", v)
	}
	if err != nil {
		s.fail(w, r, nil, domain.Wrap(domain.EInternal, err, "the organisation picker could not be shown; see the server log"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w)
}

// handleOAuthPick is POST /oauth/xero/pick: the picker's choice.
func (s *Server) handleOAuthPick(w http.ResponseWriter, r *http.Request) {
	if !s.csrfOK(r, s.sessions.read(r)) { // the picker page always gave a session
		s.csrfFailed(w, r, nil)
		return
	}
	if s.cfg.DB == nil || !s.cfg.Xero.configured() {
		s.message(w, r, nil, http.StatusServiceUnavailable, "Xero is not set up", msgNoXeroApp)
		return
	}
	id, _ := strconv.ParseUint(r.PostFormValue("binding"), 10, 64)
	p, conn, ok := s.takePending(id, r.PostFormValue("pending"), r.PostFormValue("tenant"))
	if !ok {
		s.message(w, r, nil, http.StatusBadRequest, "Link expired", msgStateGone)
		return
	}
	s.finishConnect(w, r, p.BindingID, conn, &p.Token)
}
