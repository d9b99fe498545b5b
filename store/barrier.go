package store

// The barrier follows hashicorp/vault's vault/barrier_aes_gcm.go: a keyring
// of term-numbered 256-bit data keys, itself sealed by the master key, and
// every secret stored as
//
//	term (4 bytes, big-endian) | version (1 byte) | nonce (12) | AES-256-GCM ciphertext
//
// with the value's location (bucket + "/" + key) as associated data, so a
// ciphertext copied to another record does not open.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ledger/domain"
)

const (
	keySize       = 32
	nonceSize     = 12
	termSize      = 4
	sealVersion   = 0x1
	keyringVer    = 0x1
	sealOverhead  = termSize + 1 + nonceSize + 16 // + GCM tag
	keyringHeader = 1 + nonceSize
)

var aadKeyring = []byte("keyring")

// Errors of the open path; internal detail, wrapped for logs.
var (
	errSealedShort   = errors.New("sealed value too short")
	errSealedVersion = errors.New("sealed value has an unknown version")
	errSealedTerm    = errors.New("sealed value names an unknown key term")
	errSealedOpen    = errors.New("sealed value failed authentication")
)

// keyring is the set of data keys; Active seals new values.
type keyring struct {
	Active uint32
	keys   map[uint32]*termKey
}

type termKey struct {
	Term        uint32    `json:"term"`
	Value       []byte    `json:"value"`
	InstallTime time.Time `json:"install_time"`
	aead        cipher.AEAD
}

// keyringJSON is the keyring's stored form (before sealing).
type keyringJSON struct {
	ActiveTerm uint32     `json:"active_term"`
	Keys       []*termKey `json:"keys"`
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// newKeyring returns a keyring with one fresh term.
func newKeyring(now time.Time) (*keyring, error) {
	return (&keyring{keys: map[uint32]*termKey{}}).rotate(now)
}

// rotate returns a copy of kr with a new random key as the active term.
func (kr *keyring) rotate(now time.Time) (*keyring, error) {
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	next := &keyring{Active: kr.Active + 1, keys: make(map[uint32]*termKey, len(kr.keys)+1)}
	for t, k := range kr.keys {
		next.keys[t] = k
	}
	next.keys[next.Active] = &termKey{Term: next.Active, Value: key, InstallTime: now, aead: aead}
	return next, nil
}

// seal encrypts plaintext under the active term with the given AAD.
func (kr *keyring) seal(aad, plaintext []byte) ([]byte, error) {
	k := kr.keys[kr.Active]
	if k == nil {
		return nil, errSealedTerm
	}
	out := make([]byte, termSize+1+nonceSize, sealOverhead+len(plaintext))
	binary.BigEndian.PutUint32(out, kr.Active)
	out[termSize] = sealVersion
	nonce := out[termSize+1 : termSize+1+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return k.aead.Seal(out, nonce, plaintext, aad), nil
}

// open decrypts a sealed value; any malformed input is an error.
func (kr *keyring) open(aad, sealed []byte) ([]byte, error) {
	if len(sealed) < sealOverhead {
		return nil, errSealedShort
	}
	term := binary.BigEndian.Uint32(sealed)
	if sealed[termSize] != sealVersion {
		return nil, errSealedVersion
	}
	k := kr.keys[term]
	if k == nil {
		return nil, errSealedTerm
	}
	nonce := sealed[termSize+1 : termSize+1+nonceSize]
	pt, err := k.aead.Open(nil, nonce, sealed[termSize+1+nonceSize:], aad)
	if err != nil {
		return nil, errSealedOpen
	}
	return pt, nil
}

// term returns the key term a sealed value was made with.
func sealedTerm(sealed []byte) uint32 {
	if len(sealed) < termSize {
		return 0
	}
	return binary.BigEndian.Uint32(sealed)
}

// sealKeyring encrypts the keyring with the master key (AAD "keyring").
func sealKeyring(master []byte, kr *keyring) ([]byte, error) {
	kj := keyringJSON{ActiveTerm: kr.Active}
	for t := uint32(1); t <= kr.Active; t++ {
		if k := kr.keys[t]; k != nil {
			kj.Keys = append(kj.Keys, k)
		}
	}
	plain, err := json.Marshal(kj)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	out := make([]byte, keyringHeader, keyringHeader+len(plain)+aead.Overhead())
	out[0] = keyringVer
	if _, err := rand.Read(out[1:keyringHeader]); err != nil {
		return nil, err
	}
	return aead.Seal(out, out[1:keyringHeader], plain, aadKeyring), nil
}

// errWrongMaster is what a user sees when the master key does not fit.
func errWrongMaster(err error) error {
	return domain.Wrap(domain.EUnauthorized, err, "the master key does not open this database — use the key it was created with (LEDGER_MASTER_KEY or --master-key-file)")
}

// openKeyring decrypts the stored keyring with the master key.
func openKeyring(master, sealed []byte) (*keyring, error) {
	aead, err := newAEAD(master)
	if err != nil {
		return nil, errWrongMaster(err)
	}
	if len(sealed) < keyringHeader+aead.Overhead() || sealed[0] != keyringVer {
		return nil, errWrongMaster(errors.New("keyring record malformed"))
	}
	plain, err := aead.Open(nil, sealed[1:keyringHeader], sealed[keyringHeader:], aadKeyring)
	if err != nil {
		return nil, errWrongMaster(err)
	}
	var kj keyringJSON
	if err := json.Unmarshal(plain, &kj); err != nil {
		return nil, errWrongMaster(fmt.Errorf("keyring decode: %w", err))
	}
	kr := &keyring{Active: kj.ActiveTerm, keys: make(map[uint32]*termKey, len(kj.Keys))}
	for _, k := range kj.Keys {
		if len(k.Value) != keySize {
			return nil, errWrongMaster(fmt.Errorf("keyring term %d has a bad key", k.Term))
		}
		if k.aead, err = newAEAD(k.Value); err != nil {
			return nil, errWrongMaster(err)
		}
		kr.keys[k.Term] = k
	}
	if kr.keys[kr.Active] == nil {
		return nil, errWrongMaster(errors.New("keyring has no active term"))
	}
	return kr, nil
}
