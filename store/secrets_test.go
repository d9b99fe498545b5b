package store_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"
)

func newKey(t testing.TB) []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSecretRoundTrip(t *testing.T) {
	db := storetest.MustOpen(t)
	path := domain.SecretBindingTokens(7)
	if _, err := db.Secret(path); !domain.IsKind(err, domain.ENotFound) {
		t.Fatalf("missing secret err = %v", err)
	}
	if err := db.PutSecret(path, []byte(`{"access_token":"a"}`)); err != nil {
		t.Fatal(err)
	}
	got, err := db.Secret(path)
	if err != nil || string(got) != `{"access_token":"a"}` {
		t.Fatalf("Secret = %q, %v", got, err)
	}
	if err := db.DeleteSecret(path); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Secret(path); !domain.IsKind(err, domain.ENotFound) {
		t.Errorf("deleted secret err = %v", err)
	}
	if err := db.PutSecret("", []byte("x")); !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("empty path err = %v", err)
	}
}

func TestRotateKey(t *testing.T) {
	dir := t.TempDir()
	path, key := filepath.Join(dir, "l.db"), newKey(t)
	db, err := store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutSecret("old", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	term, n, err := db.RotateKey(false)
	if err != nil || term != 2 || n != 0 {
		t.Fatalf("RotateKey(false) = %d, %d, %v", term, n, err)
	}
	if err := db.PutSecret("new", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Secret("old"); err != nil || string(got) != "v1" {
		t.Fatalf("old term after rotation: %q, %v", got, err)
	}
	db.Close()

	// The rotated keyring persists and still opens with the same master key.
	db, err = store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Secret("old"); err != nil || string(got) != "v1" {
		t.Fatalf("old after reopen: %q, %v", got, err)
	}
	if err := db.PutOAuthState("st", store.OAuthState{BindingID: 1, Verifier: "ver", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	term, n, err = db.RotateKey(true)
	// old, new, oauth state; no users here.
	if err != nil || term != 3 || n != 3 {
		t.Fatalf("RotateKey(true) = %d, %d, %v", term, n, err)
	}
	terms, err := db.SealedTerms()
	if err != nil {
		t.Fatal(err)
	}
	for k, tm := range terms {
		if tm != 3 {
			t.Errorf("%s on term %d after rewrap, want 3", k, tm)
		}
	}
	for k, want := range map[string]string{"old": "v1", "new": "v2"} {
		if got, err := db.Secret(k); err != nil || string(got) != want {
			t.Errorf("Secret(%s) = %q, %v", k, got, err)
		}
	}
	if s, err := db.TakeOAuthState("st", time.Now()); err != nil || s.Verifier != "ver" {
		t.Errorf("oauth state after rewrap: %+v, %v", s, err)
	}
}

// TestNoSecretOnDisk writes known secrets through the public API and scans
// the raw file for them in plain, base64 and hex forms.
func TestNoSecretOnDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	db, err := store.Open(path, newKey(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"api key":  "apikey-5f2b8c1e9d7a4b3c",
		"tokens":   `{"access_token":"eyJhbGciOiJSUzI1NiJ9.accesstok","refresh_token":"refreshtok-8a7b6c5d"}`,
		"hash":     "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"verifier": "pkce-verifier-0123456789abcdefghijklmnopqrstuvwxyz",
		"state":    "oauth-state-zyxwvutsrq",
	}
	u, err := db.CreateUser("a@example.com", domain.RoleAdmin, []byte(secrets["hash"]))
	if err != nil {
		t.Fatal(err)
	}
	ten := &domain.Tenant{ID: "t1", MagentoURL: "https://shop.example.com", OwnerID: u.ID}
	b := &domain.Binding{}
	if err := db.CreatePairing(ten, secrets["api key"], b); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSecret(domain.SecretBindingTokens(b.ID), []byte(secrets["tokens"])); err != nil {
		t.Fatal(err)
	}
	if err := db.PutOAuthState(secrets["state"], store.OAuthState{BindingID: b.ID, Verifier: secrets["verifier"], ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range secrets {
		for form, enc := range map[string]string{
			"plain":     s,
			"base64":    base64.StdEncoding.EncodeToString([]byte(s)),
			"base64url": base64.RawURLEncoding.EncodeToString([]byte(s)),
			"hex":       hex.EncodeToString([]byte(s)),
		} {
			if bytes.Contains(raw, []byte(enc)) {
				t.Errorf("%s found on disk in %s form", name, form)
			}
		}
	}
	// The plain token fragments must not be there either.
	for _, frag := range []string{"accesstok", "refreshtok-8a7b6c5d", "N9qo8uLOickgx2ZMRZoMye"} {
		if bytes.Contains(raw, []byte(frag)) {
			t.Errorf("fragment %q found on disk", frag)
		}
	}
}
