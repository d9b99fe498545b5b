package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"path/filepath"
	"testing"

	"ledger/domain"
)

// hkdfSHA256 is RFC 5869 for one output block, written out independently of
// crypto/hkdf: PRK = HMAC(zero salt, ikm); OKM = HMAC(PRK, info | 0x01).
func hkdfSHA256(ikm []byte, info string) []byte {
	ext := hmac.New(sha256.New, make([]byte, sha256.Size))
	ext.Write(ikm)
	exp := hmac.New(sha256.New, ext.Sum(nil))
	exp.Write([]byte(info))
	exp.Write([]byte{1})
	return exp.Sum(nil)
}

func openTemp(t *testing.T) (*DB, string, []byte) {
	t.Helper()
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	path := filepath.Join(t.TempDir(), "ledger.db")
	db, err := Open(path, master, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db, path, master
}

func TestDerivedKeysFollowTheKeyring(t *testing.T) {
	db, path, master := openTemp(t)
	closed := false
	defer func() {
		if !closed {
			db.Close()
		}
	}()

	one, err := db.DerivedKeys("dashboard/session/hash")
	if err != nil {
		t.Fatal(err)
	}
	term1 := db.kr.Load().keys[1].Value
	if len(one) != 1 || !bytes.Equal(one[0], hkdfSHA256(term1, "ledger/dashboard/session/hash")) {
		t.Fatalf("term 1 key is not HKDF-SHA256(data key, ledger/dashboard/session/hash): %d keys", len(one))
	}
	block, err := db.DerivedKeys("dashboard/session/block")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(block[0], one[0]) {
		t.Error("two purposes derived the same key")
	}

	for i, rewrap := range []bool{false, true} {
		if _, _, err := db.RotateKey(rewrap); err != nil {
			t.Fatal(err)
		}
		got, err := db.DerivedKeys("dashboard/session/hash")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != i+2 {
			t.Fatalf("after rotation %d: %d keys, want %d", i+1, len(got), i+2)
		}
		active := db.kr.Load()
		if !bytes.Equal(got[0], hkdfSHA256(active.keys[active.Active].Value, "ledger/dashboard/session/hash")) {
			t.Errorf("after rotation %d: first key is not the active term's", i+1)
		}
		if !bytes.Equal(got[len(got)-1], one[0]) {
			t.Errorf("after rotation %d: term 1's key is no longer last", i+1)
		}
		for _, k := range got {
			if len(k) != DerivedKeySize {
				t.Errorf("key of %d bytes, want %d", len(k), DerivedKeySize)
			}
		}
	}

	want, _ := db.DerivedKeys("dashboard/session/hash")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	db2, err := Open(path, master, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	got, err := db2.DerivedKeys("dashboard/session/hash")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || !bytes.Equal(bytes.Join(got, nil), bytes.Join(want, nil)) {
		t.Error("derived keys changed across a reopen")
	}
	if _, err := db2.DerivedKeys(""); !domain.IsKind(err, domain.EInvalid) {
		t.Errorf("empty purpose: %v, want EInvalid", err)
	}
}
