package dashboard

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/securecookie"
)

// Purposes of the keys the cookie codecs are derived from (store.DerivedKeys).
const (
	purposeSessionHash  = "dashboard/session/hash"
	purposeSessionBlock = "dashboard/session/block"
)

// cookieCodec signs and encrypts the dashboard's cookies with keys derived
// from the keyring: it encodes with the active term and decodes with any
// term, so after `ledger key rotate` new cookies use the new term while
// existing ones keep working until they expire. Each use compares the
// store's key term (an atomic load) and re-derives when it moved.
type cookieCodec struct {
	st    Store
	log   *slog.Logger
	mu    sync.Mutex // serialises re-derivation
	cur   atomic.Pointer[codecTerm]
	fixed bool // process-only keys: the store keeps none
}

// codecTerm is the codecs of one keyring term, newest first.
type codecTerm struct {
	term   uint32
	codecs []securecookie.Codec
}

// newCookieCodec derives the codecs from st's keyring. When the store cannot
// derive keys (no database), it uses random keys for this process only. A
// nil logger discards.
func newCookieCodec(st Store, log *slog.Logger) *cookieCodec {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &cookieCodec{st: st, log: log}
	term := st.KeyTerm()
	codecs, err := deriveCodecs(st)
	if err != nil {
		log.Warn("dashboard: session keys cannot be derived from the keyring; logins end when ledger restarts", "err", err)
		codecs = configure(securecookie.CodecsFromPairs(securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32)))
		c.fixed = true
	}
	c.cur.Store(&codecTerm{term: term, codecs: codecs})
	return c
}

// deriveCodecs builds one codec per keyring term, newest first.
func deriveCodecs(st Store) ([]securecookie.Codec, error) {
	hash, err := st.DerivedKeys(purposeSessionHash)
	if err != nil {
		return nil, err
	}
	block, err := st.DerivedKeys(purposeSessionBlock)
	if err != nil {
		return nil, err
	}
	pairs := make([][]byte, 0, 2*len(hash))
	for i := range min(len(hash), len(block)) {
		pairs = append(pairs, hash[i], block[i])
	}
	return configure(securecookie.CodecsFromPairs(pairs...)), nil
}

// configure sets the cookie lifetime and the JSON serializer on each codec.
func configure(codecs []securecookie.Codec) []securecookie.Codec {
	for _, c := range codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(int((sessionAbsolute + time.Hour).Seconds()))
			sc.SetSerializer(securecookie.JSONEncoder{})
		}
	}
	return codecs
}

// codecs returns the codecs of the store's current key term, re-deriving
// them after a rotation.
func (c *cookieCodec) codecs() []securecookie.Codec {
	cur := c.cur.Load()
	if c.fixed || c.st.KeyTerm() == cur.term {
		return cur.codecs
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur = c.cur.Load()
	term := c.st.KeyTerm() // before deriving: a later rotation is noticed next time
	if term == cur.term {
		return cur.codecs
	}
	codecs, err := deriveCodecs(c.st)
	if err != nil {
		// Keep the old term's keys rather than log out everyone; retried at
		// the next rotation.
		c.log.Error("dashboard: session keys of the new key term cannot be derived", "term", term, "err", err)
		codecs = cur.codecs
	}
	next := &codecTerm{term: term, codecs: codecs}
	c.cur.Store(next)
	return next.codecs
}

// Encode signs and encrypts value with the active term's keys.
func (c *cookieCodec) Encode(name string, value any) (string, error) {
	return securecookie.EncodeMulti(name, value, c.codecs()...)
}

// Decode opens a cookie made with any term's keys.
func (c *cookieCodec) Decode(name, value string, dst any) error {
	return securecookie.DecodeMulti(name, value, dst, c.codecs()...)
}
