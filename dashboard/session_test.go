package dashboard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
)

// jarless is a browser that keeps its cookies by hand, so a test can copy
// them into another browser or replay an old one.
type jarless struct {
	t       *testing.T
	base    string
	cookies map[string]string
}

func newJarless(t *testing.T, base string) *jarless {
	return &jarless{t: t, base: base, cookies: map[string]string{}}
}

// clone is another browser holding copies of c's cookies.
func (c *jarless) clone() *jarless {
	d := newJarless(c.t, c.base)
	for k, v := range c.cookies {
		d.cookies[k] = v
	}
	return d
}

func (c *jarless) do(method, path string, form url.Values) page {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	return page{code: resp.StatusCode, body: string(b), h: resp.Header}
}

// csrf is the CSRF token of the form on path.
func (c *jarless) csrf(path string) string {
	c.t.Helper()
	p := c.do("GET", path, nil)
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		c.t.Fatalf("GET %s: no csrf token in %d page:\n%s", path, p.code, p.body)
	}
	return m[1]
}

// login logs in through form (/login or /embed/{tenant}) and checks it worked.
func (c *jarless) login(form, email string) *jarless {
	c.t.Helper()
	action := "/login"
	if form != "/login" {
		action = form + "/login"
	}
	p := c.do("POST", action, url.Values{"csrf": {c.csrf(form)}, "email": {email}, "password": {password}})
	if p.code != http.StatusSeeOther {
		c.t.Fatalf("login %s at %s: %d\n%s", email, form, p.code, p.body)
	}
	return c
}

// termCodec opens only cookies of one key term: 0 the newest, 1 the one
// before, … — built from the store's derived keys, as the server does.
func termCodec(t *testing.T, st Store, i int) securecookie.Codec {
	t.Helper()
	hash, err := st.DerivedKeys(purposeSessionHash)
	if err != nil {
		t.Fatal(err)
	}
	block, err := st.DerivedKeys(purposeSessionBlock)
	if err != nil {
		t.Fatal(err)
	}
	return configure(securecookie.CodecsFromPairs(hash[i], block[i]))[0]
}

func opens(c securecookie.Codec, name, value string) bool {
	var s session
	return c.Decode(name, value, &s) == nil
}

// TestSessionFollowsKeyRotation: a running dashboard picks up `ledger key
// rotate` — the login from before still works, and the cookie it then sets
// is made with the new term only.
func TestSessionFollowsKeyRotation(t *testing.T) {
	f := mgSetup(t, "http://ledger.test")
	st := dbStore{f.db}
	br := newJarless(t, f.ts.URL).login("/login", "merchant@example.com")
	before := br.cookies[sessionCookie]
	if !opens(termCodec(t, st, 0), sessionCookie, before) {
		t.Fatal("the login cookie does not open with term 1's keys")
	}

	for i, rewrap := range []bool{false, true} {
		if _, _, err := f.db.RotateKey(rewrap); err != nil {
			t.Fatal(err)
		}
		old := br.cookies[sessionCookie]
		if p := br.do("GET", "/dashboard", nil); p.code != http.StatusOK {
			t.Fatalf("rotation %d: a cookie of the previous term: %d, want 200", i+1, p.code)
		}
		after := br.cookies[sessionCookie]
		if after == old {
			t.Fatalf("rotation %d: the session cookie was not re-issued", i+1)
		}
		if !opens(termCodec(t, st, 0), sessionCookie, after) {
			t.Errorf("rotation %d: the new cookie does not open with the new term's keys alone", i+1)
		}
		if opens(termCodec(t, st, 1), sessionCookie, after) {
			t.Errorf("rotation %d: the new cookie opens with the previous term's keys", i+1)
		}
		if opens(termCodec(t, st, 0), sessionCookie, old) {
			t.Errorf("rotation %d: the old cookie opens with the new term's keys", i+1)
		}
	}
	// The first cookie, two terms old, still opens until it expires.
	replay := newJarless(t, f.ts.URL)
	replay.cookies[sessionCookie] = before
	if p := replay.do("GET", "/dashboard", nil); p.code != http.StatusOK {
		t.Errorf("cookie of term 1 after two rotations: %d, want 200", p.code)
	}
	// A dashboard started after the rotations opens it too.
	s2, err := New(Config{DB: f.db, PublicURL: "http://ledger.test", Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/dashboard", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: before})
	rec := httptest.NewRecorder()
	s2.Handler().ServeHTTP(rec, req)
	if code := rec.Code; code != http.StatusOK {
		t.Errorf("a new server refused a term 1 cookie: %d", code)
	}
}
