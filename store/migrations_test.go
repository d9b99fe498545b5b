package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"ledger/domain"
	"ledger/store"
)

func TestMigrationsRecordedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	key := newKey(t)
	for range 2 {
		db, err := store.Open(path, key, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var names []string
	err = b.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Bucket([]byte("migrations")).ForEach(func(k, v []byte) error {
			names = append(names, string(v))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0001_create_buckets", "0002_index_unmirrored_runs", "0003_index_newest_mirrored_run"}
	if len(names) != len(want) {
		t.Fatalf("migrations = %q, want %q once each", names, want)
	}
	for i, n := range want {
		if !strings.Contains(names[i], `"name":"`+n+`"`) || !strings.Contains(names[i], `"at":`) {
			t.Errorf("migration %d = %q, want %s", i+1, names[i], n)
		}
	}
}

func TestReadOnlyRefusesOldSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	b, err := bolt.Open(path, 0o600, nil) // a bbolt file ledger never migrated
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	before := fileSum(t, path)
	_, err = store.Open(path, newKey(t), store.Options{ReadOnly: true})
	if !domain.IsKind(err, domain.EConflict) || !strings.Contains(domain.MessageOf(err), "older schema") {
		t.Errorf("err = %v", err)
	}
	if fileSum(t, path) != before {
		t.Error("read-only open of an old schema changed the file")
	}
}

// TestCloseWhileAccepting: every accept either succeeds and survives a
// reopen, or fails with EUnavailable; nothing answered OK is lost.
func TestCloseWhileAccepting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	key := newKey(t)
	db, err := store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ten := &domain.Tenant{ID: "t", MagentoURL: "https://s.example.com"}
	if err := db.CreatePairing(ten, "k", &domain.Binding{}); err != nil {
		t.Fatal(err)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		okKeys []string
	)
	started := make(chan struct{})
	var once sync.Once
	for p := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				key := fmt.Sprintf("p%d-%d", p, i)
				_, err := db.AcceptEvent(context.Background(), store.AcceptRequest{TenantID: "t", IdempotencyKey: key, Event: domain.EventInvoiceCreated})
				if err != nil {
					if !domain.IsKind(err, domain.EUnavailable) {
						t.Errorf("err = %v, want EUnavailable", err)
					}
					return
				}
				mu.Lock()
				okKeys = append(okKeys, key)
				mu.Unlock()
				if i == 5 {
					once.Do(func() { close(started) })
				}
			}
		}()
	}
	<-started
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	db, err = store.Open(path, key, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, k := range okKeys {
		res, err := db.AcceptEvent(context.Background(), store.AcceptRequest{TenantID: "t", IdempotencyKey: k, Event: domain.EventInvoiceCreated})
		if err != nil || !res.Duplicate {
			t.Fatalf("accepted key %s lost after close: %+v, %v", k, res, err)
		}
	}
	if len(okKeys) == 0 {
		t.Fatal(errors.New("no accept succeeded"))
	}
}
