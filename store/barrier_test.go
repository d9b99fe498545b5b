package store

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

func testKeyring(t testing.TB) *keyring {
	kr, err := newKeyring(time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestSealDoesNotContainPlaintext(t *testing.T) {
	kr := testKeyring(t)
	plain := []byte("super-secret-api-key-1234567890")
	sealed, err := kr.seal([]byte("secrets/a"), plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed value contains its plaintext")
	}
	if got := binary.BigEndian.Uint32(sealed); got != kr.Active {
		t.Errorf("term = %d, want %d", got, kr.Active)
	}
	if sealed[termSize] != sealVersion {
		t.Errorf("version = %d", sealed[termSize])
	}
	if len(sealed) != sealOverhead+len(plain) {
		t.Errorf("len = %d, want %d", len(sealed), sealOverhead+len(plain))
	}
	got, err := kr.open([]byte("secrets/a"), sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open = %q, %v", got, err)
	}
}

func TestSealFlippedBitFails(t *testing.T) {
	kr := testKeyring(t)
	sealed, err := kr.seal([]byte("secrets/a"), []byte("value"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(sealed) * 8 {
		c := bytes.Clone(sealed)
		c[i/8] ^= 1 << (i % 8)
		if _, err := kr.open([]byte("secrets/a"), c); err == nil {
			t.Fatalf("bit %d flipped still opens", i)
		}
	}
}

func TestSealMovedValueFails(t *testing.T) {
	kr := testKeyring(t)
	sealed, err := kr.seal(aad(bucketSecrets, []byte("tenant/A/api_key")), []byte("key-of-A"))
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range [][]byte{
		aad(bucketSecrets, []byte("tenant/B/api_key")),
		aad(bucketOAuthStates, []byte("tenant/A/api_key")),
		nil,
	} {
		if _, err := kr.open(other, sealed); err == nil {
			t.Errorf("value copied to %q opens", other)
		}
	}
}

func TestSealNoRepeatedNonce(t *testing.T) {
	kr := testKeyring(t)
	const n = 100_000
	seen := make(map[[nonceSize]byte]struct{}, n)
	for i := range n {
		sealed, err := kr.seal([]byte("x"), []byte("v"))
		if err != nil {
			t.Fatal(err)
		}
		var nonce [nonceSize]byte
		copy(nonce[:], sealed[termSize+1:])
		if _, dup := seen[nonce]; dup {
			t.Fatalf("nonce repeated after %d seals", i)
		}
		seen[nonce] = struct{}{}
	}
}

func TestOpenMalformed(t *testing.T) {
	kr := testKeyring(t)
	good, _ := kr.seal([]byte("a"), []byte("v"))
	badTerm := bytes.Clone(good)
	binary.BigEndian.PutUint32(badTerm, 99)
	badVer := bytes.Clone(good)
	badVer[termSize] = 9
	tests := map[string][]byte{
		"nil":      nil,
		"empty":    {},
		"short":    {0, 0, 0, 1, 1},
		"overhead": good[:sealOverhead-1],
		"garbage":  bytes.Repeat([]byte{0xff}, 64),
		"term":     badTerm,
		"version":  badVer,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := kr.open([]byte("a"), in); err == nil {
				t.Error("opened")
			}
		})
	}
}

func TestKeyringSealRoundTrip(t *testing.T) {
	master := bytes.Repeat([]byte{7}, keySize)
	kr := testKeyring(t)
	kr2, err := kr.rotate(time.Unix(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealKeyring(master, kr2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := openKeyring(master, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if got.Active != 2 || len(got.keys) != 2 || !bytes.Equal(got.keys[1].Value, kr.keys[1].Value) {
		t.Errorf("keyring = active %d, %d keys", got.Active, len(got.keys))
	}
	wrong := bytes.Repeat([]byte{8}, keySize)
	for name, in := range map[string][]byte{"wrong key": sealed, "empty": nil, "garbage": bytes.Repeat([]byte{1}, 80)} {
		k := master
		if name == "wrong key" {
			k = wrong
		}
		if _, err := openKeyring(k, in); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

// FuzzOpenSealed feeds arbitrary bytes to the open path: it must return an
// error or the plaintext, never panic, and never open a value it did not seal.
func FuzzOpenSealed(f *testing.F) {
	kr := testKeyring(f)
	good, _ := kr.seal([]byte("secrets/k"), []byte("hello"))
	f.Add(good, []byte("secrets/k"))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{0, 0, 0, 1, 1, 2, 3}, []byte("x"))
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		pt, err := kr.open(ad, sealed)
		if err != nil {
			return
		}
		if !bytes.Equal(sealed, good) || !bytes.Equal(ad, []byte("secrets/k")) || string(pt) != "hello" {
			t.Fatalf("opened a forged value: %x", sealed)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	kr := testKeyring(b)
	plain := bytes.Repeat([]byte("k"), 64)
	ad := []byte("secrets/tenant/x/api_key")
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := kr.seal(ad, plain); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "seal-ns/op")
}

func BenchmarkOpen(b *testing.B) {
	kr := testKeyring(b)
	ad := []byte("secrets/tenant/x/api_key")
	sealed, _ := kr.seal(ad, bytes.Repeat([]byte("k"), 64))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := kr.open(ad, sealed); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "open-ns/op")
}
