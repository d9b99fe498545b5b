package dashboard

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"ledger/domain"
	"ledger/store/storetest"
)

// TestRealStore runs login and the binding pages over a real bbolt store,
// and checks that the session keys live in the keyring: a cookie from one
// server instance is accepted by the next one on the same database.
func TestRealStore(t *testing.T) {
	db := storetest.MustOpen(t)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser("merchant@example.com", domain.RoleMerchant, hash)
	if err != nil {
		t.Fatal(err)
	}
	tenant, b := storetest.MustPairing(t, db, u.ID)
	other, _ := db.CreateUser("other@example.com", domain.RoleMerchant, hash)
	_, foreign := storetest.MustPairing(t, db, other.ID)

	s1, err := New(Config{DB: db, PublicURL: "http://ledger.test"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t}
	f.ts = httptest.NewServer(s1.Handler())
	defer f.ts.Close()
	br := f.browser().login("merchant@example.com")
	p := br.get("/dashboard/bindings/" + itoa(b.ID))
	if p.code != http.StatusOK || !strings.Contains(p.body, "Xero not connected yet") || !strings.Contains(p.body, hostOf(tenant.MagentoURL)) {
		t.Fatalf("binding page: %d:\n%s", p.code, p.body)
	}
	if p := br.get("/dashboard/bindings/" + itoa(foreign.ID)); p.code != http.StatusNotFound {
		t.Errorf("other merchant's binding: %d, want 404", p.code)
	}
	if p := br.get("/dashboard"); p.code != http.StatusOK || !strings.Contains(p.body, "Connect your Xero account") {
		t.Errorf("home: %d", p.code)
	}
	if p := br.submit("/dashboard/bindings/"+itoa(b.ID)+"/settings", "/dashboard/bindings/"+itoa(b.ID)+"/settings",
		url.Values{"invoice_number_prefix": {"WEB-"}}); p.code != http.StatusOK {
		t.Errorf("settings save: %d:\n%s", p.code, p.body)
	}
	if got, _ := db.Binding(b.ID); got.Policy.InvoiceNumberPrefix != "WEB-" {
		t.Errorf("saved prefix = %q", got.Policy.InvoiceNumberPrefix)
	}

	s2, err := New(Config{DB: db, PublicURL: "http://ledger.test"})
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(s2.Handler())
	defer ts2.Close()
	f.ts = ts2
	u1, _ := url.Parse(ts2.URL)
	// Cookies are per host; both test servers listen on 127.0.0.1.
	if len(br.c.Jar.Cookies(u1)) == 0 {
		t.Fatal("no session cookie for the second server")
	}
	if p := br.get("/dashboard"); p.code != http.StatusOK {
		t.Errorf("second server refused the first one's session: %d", p.code)
	}
}
