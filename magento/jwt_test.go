package magento

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

// Protocol §3.5 vectors.
const (
	vecAPIKey      = "byte8_lk_raw_secret"
	vecOutboundHex = "7d9da2d0582fd50518b2439628a4099d76728839d045b54dbb964e930c2fc872"
	vecInboundHex  = "d17842b7e7dd30e2bd0c52048b18745582596de1aae88d501d6b0adde3fc4021"
	vecOutbound    = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJtYWdlbnRvIiwic3ViIjoidGVuYW50LTEyMyIsImF1ZCI6ImJ5dGU4LWxlZGdlciIsImlhdCI6MTc3NzQ1NjgwMCwibmJmIjoxNzc3NDU2ODAwLCJleHAiOjE3Nzc0NTY4NjAsImp0aSI6IjNmMWMyYjllLThkNGEtNGU3Yi05YzFkLTJhNWY2ZTdiOGM5ZCJ9.iPA9uTb64pvNkjtQuPbvaIdFD0kCbkCXkE1Y4rDNRVM"
	vecInbound     = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJieXRlOC1sZWRnZXIiLCJzdWIiOiJ0ZW5hbnQtMTIzIiwiYXVkIjoibWFnZW50byIsImlhdCI6MTc3NzQ1NjgwMCwibmJmIjoxNzc3NDU2ODAwLCJleHAiOjE3Nzc0NTcxMDAsImp0aSI6IjliN2U1YzNhLTFkMmYtNGE2Yi04YzlkLTBlMWYyYTNiNGM1ZCJ9.qtqruTyig14VKQiJYmdz_9Airp0HjdDYKEq-0DbP2oU"
	vecSigner      = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJtYWdlbnRvIiwic3ViIjoidGVuYW50LTQyIiwiYXVkIjoiYnl0ZTgtbGVkZ2VyIiwiaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDA2MCwianRpIjoiYWJjLWp0aSJ9.ZiwFYfdh2nr5W2_L_aAIT0zPeTrb6u79JjgzIvySzQA"
	vecIat         = 1777456800
)

func TestDeriveKeysVector(t *testing.T) {
	out, in := DeriveKeys(vecAPIKey)
	if got := hex.EncodeToString(out); got != vecOutboundHex {
		t.Errorf("outbound = %s, want %s", got, vecOutboundHex)
	}
	if got := hex.EncodeToString(in); got != vecInboundHex {
		t.Errorf("inbound = %s, want %s", got, vecInboundHex)
	}
	sum := sha256.Sum256([]byte("deadbeefcafef00d0123456789abcdef"))
	if got := hex.EncodeToString(sum[:]); got != "420cad0343a05510fff1d785801161008a91d671944f89a6abeb3be72b1da9e7" {
		t.Errorf("sha256(code) = %s", got)
	}
}

func TestMintVectors(t *testing.T) {
	out, in := DeriveKeys(vecAPIKey)
	tests := []struct {
		name string
		key  []byte
		c    Claims
		want string
	}{
		{"outbound", out, Claims{"magento", "tenant-123", "byte8-ledger", vecIat, vecIat, vecIat + 60, "3f1c2b9e-8d4a-4e7b-9c1d-2a5f6e7b8c9d"}, vecOutbound},
		{"inbound", in, Claims{"byte8-ledger", "tenant-123", "magento", vecIat, vecIat, vecIat + 300, "9b7e5c3a-1d2f-4a6b-8c9d-0e1f2a3b4c5d"}, vecInbound},
		{"signer-test", []byte("fake-derived-32byte-subkey-aaaaa"), Claims{"magento", "tenant-42", "byte8-ledger", 1700000000, 1700000000, 1700000060, "abc-jti"}, vecSigner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mint(tt.key, tt.c); got != tt.want {
				t.Errorf("Mint =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestMintInbound(t *testing.T) {
	now := time.Unix(vecIat+10, 0)
	_, in := DeriveKeys(vecAPIKey)
	a, b := MintInbound(in, "tenant-123", now), MintInbound(in, "tenant-123", now)
	if a == b {
		t.Fatal("two mints gave the same token; jti must be fresh")
	}
	tok, err := ParseToken(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.CheckSignature(in); err != nil {
		t.Fatal(err)
	}
	c, err := tok.Claims()
	if err != nil {
		t.Fatal(err)
	}
	want := Claims{Iss: "byte8-ledger", Sub: "tenant-123", Aud: "magento", Iat: vecIat, Nbf: vecIat, Exp: vecIat + 300, Jti: c.Jti}
	if diff := cmp.Diff(want, *c); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	if len(c.Jti) != 36 {
		t.Errorf("jti %q is not a UUID", c.Jti)
	}
	if !strings.HasPrefix(a, headerB64+".") || headerB64 != "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" {
		t.Errorf("header segment %q", strings.SplitN(a, ".", 2)[0])
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// forge signs arbitrary header and claims JSON with key.
func forge(key []byte, header, claims string) string {
	signed := b64(header) + "." + b64(claims)
	return signed + "." + base64.RawURLEncoding.EncodeToString(sign(key, signed))
}

func TestVerify(t *testing.T) {
	out, in := DeriveKeys(vecAPIKey)
	now := time.Unix(vecIat+5, 0)
	good := `{"iss":"magento","sub":"tenant-123","aud":"byte8-ledger","iat":1777456800,"nbf":1777456800,"exp":1777456860,"jti":"j1"}`
	repl := func(old, new string) string { return strings.Replace(good, old, new, 1) }
	tests := []struct {
		name   string
		token  string
		tenant string
		now    time.Time
		want   error // nil = accepted
	}{
		{"spec vector", vecOutbound, "tenant-123", now, nil},
		{"forged good", forge(out, headerJSON, good), "tenant-123", now, nil},
		{"no header", "." + b64(good) + ".sig", "tenant-123", now, ErrTokenMalformed},
		{"two segments", b64(headerJSON) + "." + b64(good), "tenant-123", now, ErrTokenMalformed},
		{"four segments", vecOutbound + ".x", "tenant-123", now, ErrTokenMalformed},
		{"alg none unsigned", b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(good) + ".", "tenant-123", now, ErrTokenMalformed},
		{"alg none signed", forge(out, `{"alg":"none","typ":"JWT"}`, good), "tenant-123", now, ErrTokenHeader},
		{"alg HS512", forge(out, `{"alg":"HS512","typ":"JWT"}`, good), "tenant-123", now, ErrTokenHeader},
		{"missing typ", forge(out, `{"alg":"HS256"}`, good), "tenant-123", now, ErrTokenHeader},
		{"extra header key", forge(out, `{"alg":"HS256","typ":"JWT","kid":"x"}`, good), "tenant-123", now, ErrTokenHeader},
		{"header not json", forge(out, `alg`, good), "tenant-123", now, ErrTokenMalformed},
		{"wrong key (inbound)", forge(in, headerJSON, good), "tenant-123", now, ErrTokenSignature},
		{"inbound vector", vecInbound, "tenant-123", now, ErrTokenSignature},
		{"tampered claims", b64(headerJSON) + "." + b64(repl("tenant-123", "tenant-124")) + "." + strings.Split(vecOutbound, ".")[2], "tenant-124", now, ErrTokenSignature},
		{"wrong iss", forge(out, headerJSON, repl(`"iss":"magento"`, `"iss":"byte8-ledger"`)), "tenant-123", now, ErrTokenClaims},
		{"wrong aud", forge(out, headerJSON, repl(`"aud":"byte8-ledger"`, `"aud":"magento"`)), "tenant-123", now, ErrTokenClaims},
		{"aud array", forge(out, headerJSON, repl(`"aud":"byte8-ledger"`, `"aud":["byte8-ledger"]`)), "tenant-123", now, ErrTokenClaims},
		{"sub other tenant", vecOutbound, "tenant-999", now, ErrTokenClaims},
		{"empty expected tenant", forge(out, headerJSON, repl(`"sub":"tenant-123"`, `"sub":""`)), "", now, ErrTokenClaims},
		{"expired", vecOutbound, "tenant-123", time.Unix(vecIat+60+61, 0), ErrTokenExpired},
		{"within leeway after exp", forge(out, headerJSON, repl(`"j1"`, `"j2"`)), "tenant-123", time.Unix(vecIat+60+59, 0), nil},
		{"not yet beyond leeway", vecOutbound, "tenant-123", time.Unix(vecIat-61, 0), ErrTokenNotYet},
		{"early within leeway", vecOutbound, "tenant-123", time.Unix(vecIat-59, 0), nil},
		{"ttl over 300", forge(out, headerJSON, repl("1777456860", "1777457101")), "tenant-123", now, ErrTokenLifetime},
		{"ttl overflowing int64", forge(out, headerJSON, strings.NewReplacer(`"iat":1777456800`, `"iat":-9000000000000000000`, `"exp":1777456860`, `"exp":9000000000000000000`).Replace(good)), "tenant-123", now, ErrTokenLifetime},
		{"ttl exactly 300", forge(out, headerJSON, repl("1777456860", "1777457100")), "tenant-123", now, nil},
		{"exp before iat", forge(out, headerJSON, repl("1777456860", "1777456700")), "tenant-123", now, ErrTokenClaims},
		{"float iat", forge(out, headerJSON, repl(`"iat":1777456800`, `"iat":1777456800.0`)), "tenant-123", now, ErrTokenClaims},
		{"exponent exp", forge(out, headerJSON, repl(`"exp":1777456860`, `"exp":1.77745686e9`)), "tenant-123", now, ErrTokenClaims},
		{"string nbf", forge(out, headerJSON, repl(`"nbf":1777456800`, `"nbf":"1777456800"`)), "tenant-123", now, ErrTokenClaims},
		{"missing exp", forge(out, headerJSON, repl(`"exp":1777456860,`, ``)), "tenant-123", now, ErrTokenClaims},
		{"empty jti", forge(out, headerJSON, repl(`"jti":"j1"`, `"jti":""`)), "tenant-123", now, ErrTokenClaims},
		{"padded base64", vecOutbound[:len(vecOutbound)-1] + "M=", "tenant-123", now, ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{Now: func() time.Time { return tt.now }, Replay: NewReplayCache(0, 0)}
			c, err := v.Verify(tt.token, out, tt.tenant)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.Sub != "tenant-123" {
					t.Errorf("sub = %q", c.Sub)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify err = %v, want %v", err, tt.want)
			}
			if domain.KindOf(err) != domain.EUnauthorized {
				t.Errorf("kind = %s, want unauthorized", domain.KindOf(err))
			}
			msg := domain.MessageOf(err)
			if strings.Contains(msg, vecAPIKey) || strings.Contains(msg, tt.token) || strings.Contains(msg, vecOutboundHex) {
				t.Errorf("message leaks a secret: %q", msg)
			}
		})
	}
}

func TestVerifyReplay(t *testing.T) {
	out, _ := DeriveKeys(vecAPIKey)
	clock := time.Unix(vecIat+1, 0)
	v := &Verifier{Now: func() time.Time { return clock }, Replay: NewReplayCache(0, 0)}
	if _, err := v.Verify(vecOutbound, out, "tenant-123"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(vecOutbound, out, "tenant-123"); !errors.Is(err, ErrTokenReplayed) {
		t.Fatalf("replay: err = %v, want ErrTokenReplayed", err)
	}
	// A different jti from the same tenant is fine.
	other := forge(out, headerJSON, `{"iss":"magento","sub":"tenant-123","aud":"byte8-ledger","iat":1777456800,"nbf":1777456800,"exp":1777456860,"jti":"other"}`)
	if _, err := v.Verify(other, out, "tenant-123"); err != nil {
		t.Fatal(err)
	}
	// Once the token is past exp + leeway, the replay fails on expiry anyway.
	clock = clock.Add(DefaultReplayTTL)
	if _, err := v.Verify(vecOutbound, out, "tenant-123"); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("late replay: err = %v, want ErrTokenExpired", err)
	}
}

func TestReplayCacheBoundedAndExpires(t *testing.T) {
	c := NewReplayCache(time.Minute, 2) // TTL raised to the 2 min floor
	t0 := time.Unix(1000, 0)
	for _, k := range []string{"a", "b"} {
		if err := c.Use(k, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Use("c", t0); !errors.Is(err, errReplayFull) {
		t.Fatalf("full cache: err = %v", err)
	}
	if err := c.Use("a", t0.Add(119*time.Second)); !errors.Is(err, ErrTokenReplayed) {
		t.Fatalf("a within ttl: err = %v", err)
	}
	if err := c.Use("c", t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if got := c.Len(); got != 1 {
		t.Errorf("Len = %d, want 1", got)
	}
	v := &Verifier{Now: func() time.Time { return t0 }, Replay: NewReplayCache(0, 1)}
	v.Replay.Use("fill", t0)
	out, _ := DeriveKeys(vecAPIKey)
	v.Now = func() time.Time { return time.Unix(vecIat, 0) }
	v.Replay = NewReplayCache(0, 1)
	v.Replay.Use("fill", time.Unix(vecIat, 0))
	if _, err := v.Verify(vecOutbound, out, "tenant-123"); domain.KindOf(err) != domain.EUnavailable {
		t.Errorf("full cache verify: kind %s, want unavailable (%v)", domain.KindOf(err), err)
	}
}

func TestUnverifiedSubject(t *testing.T) {
	sub, err := UnverifiedSubject(vecOutbound)
	if err != nil || sub != "tenant-123" {
		t.Fatalf("UnverifiedSubject = %q, %v", sub, err)
	}
	for _, bad := range []string{"", "a.b.c", forge([]byte("k"), headerJSON, `{"iss":"magento"}`)} {
		if _, err := UnverifiedSubject(bad); domain.KindOf(err) != domain.EUnauthorized {
			t.Errorf("UnverifiedSubject(%q) err = %v", bad, err)
		}
	}
}

func TestKeysAndCodes(t *testing.T) {
	k := NewAPIKey()
	if !strings.HasPrefix(k, "byte8_lk_") || len(k) != len("byte8_lk_")+43 || strings.ContainsAny(k, " +/=") {
		t.Errorf("NewAPIKey = %q", k)
	}
	if NewAPIKey() == k {
		t.Error("NewAPIKey repeated")
	}
	id := NewTenantID()
	if len(id) != 36 || id[14] != '4' {
		t.Errorf("NewTenantID = %q, want UUIDv4", id)
	}
	if got := NormaliseCode("  9C1F0E6B2A7D4C3E8F5A1B2C3D4E5F60\n"); got != "9c1f0e6b2a7d4c3e8f5a1b2c3d4e5f60" {
		t.Errorf("NormaliseCode = %q", got)
	}
}

func BenchmarkVerify(b *testing.B) {
	out, _ := DeriveKeys(vecAPIKey)
	now := time.Unix(vecIat, 0)
	v := &Verifier{Now: func() time.Time { return now }, Replay: NewReplayCache(0, b.N+1)}
	tokens := make([]string, b.N)
	for i := range tokens {
		tokens[i] = Mint(out, Claims{"magento", "tenant-123", "byte8-ledger", vecIat, vecIat, vecIat + 60, NewTenantID()})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Verify(tokens[i], out, "tenant-123"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/verify")
}

func FuzzParseToken(f *testing.F) {
	for _, s := range []string{vecOutbound, vecInbound, vecSigner, "", "a.b.c", "..", "eyJ.eyJ.x"} {
		f.Add(s)
	}
	out, _ := DeriveKeys(vecAPIKey)
	f.Fuzz(func(t *testing.T, token string) {
		v := &Verifier{Now: func() time.Time { return time.Unix(vecIat, 0) }}
		c, err := v.Verify(token, out, "tenant-123")
		if err == nil {
			// Anything accepted must re-mint to a token with the same signature input semantics.
			if c.Iss != IssuerMagento || c.Aud != IssuerLedger || c.Sub != "tenant-123" || c.Jti == "" ||
				c.Exp <= c.Iat || uint64(c.Exp)-uint64(c.Iat) > 300 {
				t.Fatalf("accepted bad claims %+v", c)
			}
		} else if domain.KindOf(err) != domain.EUnauthorized {
			t.Fatalf("kind %s for %q", domain.KindOf(err), token)
		}
		UnverifiedSubject(token)
	})
}
