package dashboard

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"ledger/domain"
	"ledger/magento"
	"ledger/store"
	"ledger/store/storetest"
)

// mgFixture is a server over a real bbolt store with one paired tenant
// (owned by merchant@example.com) and a Magento-side token minter.
type mgFixture struct {
	*fixture
	db       *store.DB
	tenant   *domain.Tenant
	binding  *domain.Binding
	outbound []byte
	enqueued chan []uint64
	revoked  chan uint64
}

func mgSetup(t testing.TB, publicURL string) *mgFixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	db := storetest.MustOpenWith(t, store.Options{Now: clk.Now})
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := db.CreateUser("merchant@example.com", domain.RoleMerchant, hash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser("other@example.com", domain.RoleMerchant, hash); err != nil {
		t.Fatal(err)
	}
	tn, b := storetest.MustPairing(t, db, owner.ID)
	out, _ := magento.DeriveKeys("test-api-key-" + tn.ID)
	f := &mgFixture{db: db, tenant: tn, binding: b, outbound: out,
		enqueued: make(chan []uint64, 100), revoked: make(chan uint64, 10)}
	cfg := Config{DB: db, PublicURL: publicURL, Now: clk.Now,
		Enqueued:       func(ids ...uint64) { f.enqueued <- ids },
		BindingRevoked: func(_ context.Context, id uint64) { f.revoked <- id },
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.fixture = &fixture{t: t, clock: clk, srv: srv, cfg: &cfg}
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

// claims are valid Magento → ledger claims for the fixture's tenant, now.
func (f *mgFixture) claims() magento.Claims {
	iat := f.clock.Now().Unix()
	return magento.Claims{Iss: magento.IssuerMagento, Sub: f.tenant.ID, Aud: magento.IssuerLedger,
		Iat: iat, Nbf: iat, Exp: iat + 60, Jti: uuid.NewString()}
}

func (f *mgFixture) token() string { return magento.Mint(f.outbound, f.claims()) }

type apiResp struct {
	code int
	body string
	h    http.Header
}

// call makes one Magento-side request; auth "" sends no Authorization.
func (f *mgFixture) call(method, path, auth, body string, headers ...string) apiResp {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, f.ts.URL+path, rd)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return apiResp{code: resp.StatusCode, body: strings.TrimSpace(string(b)), h: resp.Header}
}

const envelope42 = `{"magento_entity_id":42,"website_id":1,"store_id":1,"occurred_at":"2026-04-29T10:11:12Z","payload":{"increment_id":"000000042","paid":false}}`

func (f *mgFixture) webhook(event, body, key string) apiResp {
	f.t.Helper()
	return f.call("POST", "/webhooks/magento/"+f.tenant.ID+"/"+event, "Bearer "+f.token(), body,
		"Content-Type", "application/json", "Idempotency-Key", key)
}
