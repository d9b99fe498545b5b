package cmd

import (
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"ledger/domain"
	"ledger/store"
	"ledger/store/storetest"

	bolt "go.etcd.io/bbolt"
)

// seeded is a data dir holding two users, two tenants and their bindings
// (one active with a reference cache), opened with keyB64.
type seeded struct {
	dir, keyB64 string
	env         map[string]string
	active      *domain.Binding
	pending     *domain.Binding
	pendingT    *domain.Tenant
	tenant      *domain.Tenant
	fetchedAt   time.Time
}

const apiSecret = "test-api-key-"

func seed(t *testing.T) seeded {
	t.Helper()
	key, b64 := newKey(t)
	s := seeded{dir: dataDir(t), keyB64: b64, env: map[string]string{"LEDGER_MASTER_KEY": b64}}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(s.dir, dbFileName), key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	owner := storetest.MustUser(t, db, "merchant@example.com", domain.RoleMerchant)
	storetest.MustUser(t, db, "admin@example.com", domain.RoleAdmin)
	tenant, b := storetest.MustPairing(t, db, owner.ID)
	storetest.MustActivate(t, db, b.ID)
	s.tenant = tenant
	s.pendingT, s.pending = storetest.MustPairing(t, db, 0)
	s.fetchedAt = time.Now().Add(-90 * time.Minute).UTC().Truncate(time.Second)
	if err := db.PutReference(b.ID, &domain.ReferenceCache{FetchedAt: s.fetchedAt}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSecret(domain.SecretBindingTokens(b.ID), []byte(`{"access_token":"xero-access-secret"}`)); err != nil {
		t.Fatal(err)
	}
	if s.active, err = db.Binding(b.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s seeded) run(t *testing.T, args ...string) result {
	t.Helper()
	return mustRun(t, invocation{args: append(args, "--data-dir", s.dir), env: s.env})
}

func TestUserAddAndList(t *testing.T) {
	dir := dataDir(t)
	addUser(t, dir, "Ops@Example.com", "admin")
	addUser(t, dir, "shop@example.com", "merchant")

	r := runCLI(t, invocation{args: []string{"user", "add", "ops@example.com", "--role", "merchant", "--password-stdin", "--data-dir", dir}, stdin: testPassword})
	if r.code != exitError || r.stderr != "ledger: a user with the email ops@example.com already exists; choose another email\n" {
		t.Errorf("duplicate: exit %d stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, invocation{args: []string{"user", "add", "new@example.com", "--role", "admin", "--password-stdin", "--data-dir", dir}, stdin: "elevenchars\n"})
	if r.code != exitError || r.stderr != "ledger: the password is too short; use at least 12 characters\n" {
		t.Errorf("short password: exit %d stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, invocation{args: []string{"user", "add", "new@example.com", "--role", "admin", "--data-dir", dir}})
	if r.code != exitError || !strings.Contains(r.stderr, "no password given") {
		t.Errorf("no terminal, no --password-stdin: exit %d stderr %q", r.code, r.stderr)
	}

	out := mustRun(t, invocation{args: []string{"user", "list", "--json", "--data-dir", dir}}).stdout
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("user list --json is not a JSON array: %v\n%s", err, out)
	}
	for _, u := range got {
		delete(u, "created_at")
	}
	want := []map[string]any{
		{"id": 1.0, "email": "ops@example.com", "role": "admin"},
		{"id": 2.0, "email": "shop@example.com", "role": "merchant"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("user list --json (-want +got):\n%s", diff)
	}
	if strings.Contains(out, "$2a$") || strings.Contains(out, "hash") {
		t.Errorf("user list shows a hash:\n%s", out)
	}
	text := mustRun(t, invocation{args: []string{"user", "list", "--data-dir", dir}}).stdout
	if !strings.HasPrefix(text, "ID  EMAIL") || !strings.Contains(text, "shop@example.com  merchant") {
		t.Errorf("user list:\n%s", text)
	}

	// The stored hash is bcrypt of the password.
	db := openDirect(t, dir)
	_, hash, err := db.UserByEmail("ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := bcrypt.CompareHashAndPassword(hash, []byte(testPassword)); err != nil {
		t.Errorf("stored hash does not verify the password: %v", err)
	}
}

// openDirect opens the data dir's database with its generated key.
func openDirect(t *testing.T, dir string) *store.DB {
	t.Helper()
	cfg := Config{DataDir: dir}
	key, err := loadMasterKey(&cfg, func(string) (string, bool) { return "", false }, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(cfg.DBPath(), key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestEmptyDataDir(t *testing.T) {
	dir := dataDir(t)
	for _, args := range [][]string{{"user", "list", "--json"}, {"binding", "list", "--json"}} {
		r := mustRun(t, invocation{args: append(args, "--data-dir", dir)})
		if r.stdout != "[]\n" {
			t.Errorf("%v on an empty data dir = %q, want []", args, r.stdout)
		}
	}
	r := runCLI(t, invocation{args: []string{"binding", "show", "1", "--data-dir", dir}})
	if r.code != exitError || r.stderr != "ledger: there is no binding 1; `ledger binding list` shows the bindings\n" {
		t.Errorf("binding show: exit %d stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("read-only commands created the data dir: %v", err)
	}
}

func TestBindingListAndShow(t *testing.T) {
	s := seed(t)
	var rows []bindingRow
	if err := json.Unmarshal([]byte(s.run(t, "binding", "list", "--json").stdout), &rows); err != nil {
		t.Fatal(err)
	}
	want := []bindingRow{
		{ID: s.active.ID, TenantID: s.tenant.ID, MagentoHost: strings.TrimPrefix(s.tenant.MagentoURL, "https://"),
			Provider: "xero", XeroOrgName: "Test Org", XeroTenantID: s.active.XeroTenantID, Status: "active", MagentoStatus: "pending"},
		{ID: s.pending.ID, TenantID: s.pending.TenantID, MagentoHost: strings.TrimPrefix(s.pendingT.MagentoURL, "https://"), Provider: "xero", Status: "pending_oauth", MagentoStatus: "pending"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("binding list --json (-want +got):\n%s", diff)
	}
	text := s.run(t, "binding", "list").stdout
	if !strings.Contains(text, "Test Org") || !strings.Contains(text, "pending_oauth") {
		t.Errorf("binding list:\n%s", text)
	}

	out := s.run(t, "binding", "show", "1", "--json").stdout
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "tenant_id", "magento_host", "provider", "xero_org_name", "status",
		"magento_connection_status", "last_sync_at", "policy", "reference_cache_age_seconds", "reference_cache_fetched_at"} {
		if _, ok := got[k]; !ok {
			t.Errorf("binding show --json lacks %q", k)
		}
	}
	if age, _ := got["reference_cache_age_seconds"].(float64); age < 90*60 || age > 95*60 {
		t.Errorf("reference_cache_age_seconds = %v, want about 5400", got["reference_cache_age_seconds"])
	}
	if pol, _ := got["policy"].(map[string]any); pol["xero_invoice_status_default"] != "AUTHORISED" {
		t.Errorf("policy = %v", got["policy"])
	}
	text = s.run(t, "binding", "show", "1").stdout
	for _, want := range []string{"reference cache age:  1h30m", "status:", "policy:", `"sync_unpaid_invoices": true`} {
		if !strings.Contains(text, want) {
			t.Errorf("binding show lacks %q:\n%s", want, text)
		}
	}
	for _, secret := range []string{apiSecret, "xero-access-secret", s.keyB64} {
		if strings.Contains(out+text, secret) {
			t.Errorf("binding show prints a secret (%q)", secret)
		}
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// Read-only commands leave the database byte-identical.
func TestReadOnlyCommandsLeaveTheFileAlone(t *testing.T) {
	s := seed(t)
	path := filepath.Join(s.dir, dbFileName)
	before := fileSum(t, path)
	st, _ := os.Stat(path)
	for _, args := range [][]string{
		{"user", "list"}, {"user", "list", "--json"}, {"binding", "list"}, {"binding", "list", "--json"},
		{"binding", "show", "1"}, {"binding", "show", "2", "--json"}, {"version"}, {"backup", filepath.Join(t.TempDir(), "b.db")},
	} {
		s.run(t, args...)
		if after := fileSum(t, path); after != before {
			t.Fatalf("ledger %v changed the database file", args)
		}
	}
	if st2, _ := os.Stat(path); !st2.ModTime().Equal(st.ModTime()) {
		t.Errorf("database mtime changed")
	}
}

func TestBackupOpensAndChecks(t *testing.T) {
	s := seed(t)
	file := filepath.Join(t.TempDir(), "copy.db")
	out := s.run(t, "backup", file).stdout
	if !strings.HasPrefix(out, "wrote ") || !strings.HasSuffix(out, " to "+file+"\n") {
		t.Errorf("backup printed %q", out)
	}
	// bbolt's own consistency check.
	bdb, err := bolt.Open(file, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	bdb.Close()
	if err != nil {
		t.Fatalf("backup fails bbolt's check: %v", err)
	}
	// The copy is a ledger database that opens with the same key.
	r := mustRun(t, invocation{args: []string{"binding", "list", "--json", "--data-dir", s.dir}, env: s.env})
	copyDir := dataDir(t)
	if err := os.MkdirAll(copyDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(file, filepath.Join(copyDir, dbFileName)); err != nil {
		t.Fatal(err)
	}
	r2 := mustRun(t, invocation{args: []string{"binding", "list", "--json", "--data-dir", copyDir}, env: s.env})
	if r.stdout != r2.stdout {
		t.Errorf("the copy lists other bindings:\n%s\nvs\n%s", r.stdout, r2.stdout)
	}
	key, _ := decodeKey(s.keyB64)
	db, err := store.Open(filepath.Join(copyDir, dbFileName), key, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("store.Check of the copy: %v", err)
	}
	if tok, err := db.Secret(domain.SecretBindingTokens(s.active.ID)); err != nil || !strings.Contains(string(tok), "xero-access-secret") {
		t.Errorf("sealed secret in the copy: %q, %v", tok, err)
	}

	// Backing up onto the database itself is refused.
	r = runCLI(t, invocation{args: []string{"backup", filepath.Join(s.dir, dbFileName), "--data-dir", s.dir}, env: s.env})
	if r.code != exitError || !strings.Contains(r.stderr, "the backup file is the database itself") {
		t.Errorf("backup onto the db: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestKeyRotate(t *testing.T) {
	s := seed(t)
	if out := s.run(t, "key", "rotate").stdout; out != "new data key term 2\n" {
		t.Errorf("key rotate = %q", out)
	}
	out := s.run(t, "key", "rotate", "--rewrap").stdout
	if !strings.HasPrefix(out, "new data key term 3; re-encrypted ") {
		t.Errorf("key rotate --rewrap = %q", out)
	}
	// Still opens, secrets intact.
	key, _ := decodeKey(s.keyB64)
	db, err := store.Open(filepath.Join(s.dir, dbFileName), key, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if tok, err := db.Secret(domain.SecretBindingTokens(s.active.ID)); err != nil || !strings.Contains(string(tok), "xero-access-secret") {
		t.Errorf("secret after rotation: %q, %v", tok, err)
	}
}

func TestBadDataDirAndDatabase(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	corrupt := dataDir(t)
	if err := os.MkdirAll(corrupt, 0o700); err != nil {
		t.Fatal(err)
	}
	garbage := strings.Repeat("not a bbolt file ", 4096)
	if err := os.WriteFile(filepath.Join(corrupt, dbFileName), []byte(garbage), 0o600); err != nil {
		t.Fatal(err)
	}
	_, b64 := newKey(t)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unwritable data dir", []string{"user", "add", "a@example.com", "--role", "admin", "--password-stdin", "--data-dir", filepath.Join(notADir, "data")},
			"ledger: cannot create the data directory " + filepath.Join(notADir, "data") + "; choose a writable --data-dir\n"},
		{"corrupt database, write", []string{"key", "rotate", "--data-dir", corrupt}, "is damaged or not a ledger database; restore it from a backup\n"},
		{"corrupt database, read", []string{"user", "list", "--data-dir", corrupt}, "is damaged or not a ledger database; restore it from a backup\n"},
		{"serve on a corrupt database", []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", corrupt}, "is damaged or not a ledger database; restore it from a backup\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, invocation{args: tt.args, stdin: testPassword, env: map[string]string{"LEDGER_MASTER_KEY": b64}})
			if r.code != exitError || !strings.HasSuffix(r.stderr, tt.wantErr) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d stderr %q; want 1 and one line ending %q", r.code, r.stderr, tt.wantErr)
			}
		})
	}
}
