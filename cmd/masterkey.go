package cmd

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"ledger/domain"
)

// masterKeySize is the length of the master key in bytes.
const masterKeySize = 32

// loadMasterKey finds the master key: --master-key-file (or
// LEDGER_MASTER_KEY_FILE), else LEDGER_MASTER_KEY, else
// <data-dir>/master.key. When none exists and the database does not exist
// either, generate is true and a new key is written to <data-dir>/master.key
// (mode 0600) with a warning. The key itself never appears in an error.
func loadMasterKey(cfg *Config, getenv func(string) (string, bool), dbExists, generate bool, log *slog.Logger) ([]byte, error) {
	if cfg.MasterKeyFile != "" {
		return readKeyFile(cfg.MasterKeyFile)
	}
	if v, ok := getenv("LEDGER_MASTER_KEY"); ok && v != "" {
		key, err := decodeKey(v)
		if err != nil {
			return nil, domain.Errorf(domain.EInvalid, "LEDGER_MASTER_KEY is not a 32-byte key in base64; set it to the key the database was created with")
		}
		return key, nil
	}
	path := filepath.Join(cfg.DataDir, masterKeyFileName)
	key, err := readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if dbExists {
		return nil, domain.Errorf(domain.EInvalid,
			"the database in %s exists but %s is missing; pass the key it was created with via --master-key-file or LEDGER_MASTER_KEY", cfg.DataDir, path)
	}
	if !generate {
		return nil, domain.Errorf(domain.ENotFound, "no master key at %s; start `ledger serve` once to create one", path)
	}
	return generateKey(path, log)
}

// readKeyFile reads a base64 key from a file only its owner can read.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &domain.Error{Kind: domain.ENotFound, Err: err,
				Message: "the master key file " + path + " does not exist; check --master-key-file"}
		}
		return nil, domain.Wrap(domain.EInvalid, err, "cannot read the master key file %s; check its path and permissions", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, domain.Errorf(domain.EInvalid,
			"the master key file %s is accessible by group or others (mode %04o); run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "cannot read the master key file %s; check its path and permissions", path)
	}
	key, err := decodeKey(string(b))
	if err != nil {
		return nil, domain.Errorf(domain.EInvalid, "the master key file %s does not hold a 32-byte key in base64; restore the right file", path)
	}
	return key, nil
}

// decodeKey accepts standard or URL base64, padded or not.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != masterKeySize {
				return nil, errors.New("master key: wrong length")
			}
			return key, nil
		}
	}
	return nil, errors.New("master key: not base64")
}

func generateKey(path string, log *slog.Logger) ([]byte, error) {
	key := make([]byte, masterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, domain.Wrap(domain.EInternal, err, "cannot generate a master key")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, domain.Wrap(domain.EInvalid, err, "cannot write a new master key to %s; make the data directory writable", path)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(path)
		return nil, domain.Wrap(domain.EInvalid, err, "cannot write a new master key to %s; make the data directory writable", path)
	}
	log.Warn("generated a new master key at " + path + "; back it up — without it the database cannot be opened")
	return key, nil
}
