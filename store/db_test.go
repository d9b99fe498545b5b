package store_test

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ledger/domain"
	"ledger/store"
)

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(raw)
}

func TestOpenLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	key := newKey(t)
	db, err := store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	_, err = store.Open(path, key, store.Options{LockTimeout: 50 * time.Millisecond})
	if !domain.IsKind(err, domain.EUnavailable) {
		t.Fatalf("err = %v, want EUnavailable", err)
	}
	if want := "the database is in use — is `ledger serve` running on this data dir?"; domain.MessageOf(err) != want {
		t.Errorf("message = %q", domain.MessageOf(err))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestOpenWrongMasterKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	key := newKey(t)
	db, err := store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutSecret("s", []byte("v")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := fileSum(t, path)
	for _, ro := range []bool{false, true} {
		_, err = store.Open(path, newKey(t), store.Options{ReadOnly: ro})
		if !domain.IsKind(err, domain.EUnauthorized) || !strings.Contains(domain.MessageOf(err), "the master key does not open this database") {
			t.Fatalf("readOnly=%v: err = %v, want EUnauthorized", ro, err)
		}
	}
	if fileSum(t, path) != before {
		t.Error("a wrong master key changed the file")
	}
	db, err = store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Secret("s"); err != nil || string(got) != "v" {
		t.Errorf("Secret after wrong-key attempts = %q, %v", got, err)
	}
	if db.KeyTerm() != 1 {
		t.Errorf("term = %d, want 1 (no second keyring)", db.KeyTerm())
	}
}

func TestOpenDamaged(t *testing.T) {
	dir := t.TempDir()
	tests := map[string][]byte{
		"empty":   {},
		"short":   []byte("not a database"),
		"garbage": bytes.Repeat([]byte{0xA5}, 64*1024),
		"text":    []byte(strings.Repeat("hello world\n", 2000)),
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				db, err := store.Open(path, newKey(t), store.Options{ReadOnly: ro})
				if err == nil {
					db.Close()
					if name == "empty" && !ro {
						continue // bbolt initialises an empty file: a new database
					}
					t.Fatalf("readOnly=%v: opened", ro)
				}
				msg := domain.MessageOf(err)
				if name != "empty" && !strings.Contains(msg, "is damaged or not a ledger database; restore it from a backup") {
					t.Errorf("readOnly=%v: message = %q (%v)", ro, msg, err)
				}
			}
		})
	}
}

func TestOpenBadPlaces(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		path string
		opt  store.Options
		kind domain.ErrorKind
		msg  string
	}{
		"missing dir":        {filepath.Join(dir, "nope", "l.db"), store.Options{}, domain.EUnavailable, "does not exist"},
		"parent is file":     {filepath.Join(file, "l.db"), store.Options{}, domain.EUnavailable, "cannot "},
		"read-only, no file": {filepath.Join(dir, "none.db"), store.Options{ReadOnly: true}, domain.ENotFound, "there is no ledger database"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := store.Open(tt.path, newKey(t), tt.opt)
			if !domain.IsKind(err, tt.kind) || !strings.Contains(domain.MessageOf(err), tt.msg) {
				t.Errorf("err = %v (kind %s), want %s containing %q", err, domain.KindOf(err), tt.kind, tt.msg)
			}
		})
	}
	if _, err := store.Open(filepath.Join(dir, "k.db"), []byte("short"), store.Options{}); !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("short key err = %v", err)
	}
}

func TestOpenReadOnlyLeavesFileIdentical(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	key := newKey(t)
	db, err := store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser("a@example.com", domain.RoleAdmin, []byte("h")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := fileSum(t, path)
	ro, err := store.Open(path, key, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	users, err := ro.ListUsers()
	if err != nil || len(users) != 1 {
		t.Fatalf("ListUsers = %v, %v", users, err)
	}
	if _, err := ro.CreateUser("b@example.com", domain.RoleAdmin, []byte("h")); !domain.IsKind(err, domain.EUnavailable) {
		t.Errorf("write on read-only err = %v", err)
	}
	// A second reader may share the file.
	ro2, err := store.Open(path, key, store.Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	ro2.Close()
	ro.Close()
	if fileSum(t, path) != before {
		t.Error("read-only open changed the file")
	}
}

func TestBackupAndCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	key := newKey(t)
	db, err := store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateUser("a@example.com", domain.RoleAdmin, []byte("h")); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	var buf bytes.Buffer
	n, err := db.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup = %d, %v (buf %d)", n, err, buf.Len())
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cp, err := store.Open(copyPath, key, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if u, _, err := cp.UserByEmail("a@example.com"); err != nil || u.Email != "a@example.com" {
		t.Errorf("backup copy: %v, %v", u, err)
	}
}
