package cmd

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMasterKeyGeneratedOnFirstUse(t *testing.T) {
	dir := dataDir(t)
	var logs syncBuffer
	r := runCLI(t, invocation{
		args:  []string{"user", "add", "ops@example.com", "--role", "admin", "--password-stdin", "--data-dir", dir},
		stdin: testPassword, logs: &logs,
	})
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("user add: exit %d stdout %q stderr %q; want 0 and no output", r.code, r.stdout, r.stderr)
	}
	keyPath := filepath.Join(dir, masterKeyFileName)
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("master.key mode = %04o, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode = %04o, want 0700", di.Mode().Perm())
	}
	b, _ := os.ReadFile(keyPath)
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		t.Errorf("master.key holds %d bytes (err %v), want 32 in base64", len(key), err)
	}
	want := "generated a new master key at " + keyPath + "; back it up — without it the database cannot be opened"
	if !strings.Contains(logs.String(), want) || strings.Count(logs.String(), "\n") != 1 {
		t.Errorf("logs = %q, want the one-line warning %q", logs.String(), want)
	}
	// The second run uses the same key and warns no more.
	logs = syncBuffer{}
	mustRun(t, invocation{args: []string{"user", "list", "--data-dir", dir}, logs: &logs})
	if logs.String() != "" {
		t.Errorf("second run logged %q", logs.String())
	}
}

func TestMasterKeyRefusals(t *testing.T) {
	_, good := newKey(t)
	_, other := newKey(t)
	short := base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!"))
	tests := []struct {
		name    string
		file    string      // content of the key file given by --master-key-file ("" = none)
		mode    os.FileMode // of that file
		env     map[string]string
		wantErr string
	}{
		{name: "group readable", file: good, mode: 0o640, wantErr: "is accessible by group or others (mode 0640); run chmod 600"},
		{name: "world readable", file: good, mode: 0o644, wantErr: "is accessible by group or others (mode 0644)"},
		{name: "not 32 bytes", file: short, mode: 0o600, wantErr: "does not hold a 32-byte key in base64; restore the right file"},
		{name: "not base64", file: "!!not base64!!", mode: 0o600, wantErr: "does not hold a 32-byte key in base64"},
		{name: "wrong key file", file: other, mode: 0o600, wantErr: "the master key does not open this database"},
		{name: "wrong key env", env: map[string]string{"LEDGER_MASTER_KEY": other}, wantErr: "the master key does not open this database"},
		{name: "env not a key", env: map[string]string{"LEDGER_MASTER_KEY": "short"}, wantErr: "LEDGER_MASTER_KEY is not a 32-byte key in base64"},
		{name: "generated key lost", env: map[string]string{}, wantErr: "exists but"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := dataDir(t)
			// Create the database with the good key.
			mustRun(t, invocation{args: []string{"user", "add", "a@example.com", "--role", "admin", "--password-stdin", "--data-dir", dir},
				stdin: testPassword, env: map[string]string{"LEDGER_MASTER_KEY": good}})
			args := []string{"key", "rotate", "--data-dir", dir}
			if tt.file != "" {
				kf := filepath.Join(t.TempDir(), "key")
				if err := os.WriteFile(kf, []byte(tt.file+"\n"), tt.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(kf, tt.mode); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--master-key-file", kf)
			}
			r := runCLI(t, invocation{args: args, env: tt.env})
			if r.code != exitError || !strings.Contains(r.stderr, tt.wantErr) {
				t.Fatalf("exit %d stderr %q; want 1 and %q", r.code, r.stderr, tt.wantErr)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "ledger: ") {
				t.Errorf("stderr is not one `ledger: ` line: %q", r.stderr)
			}
			for _, secret := range []string{good, other, tt.file} {
				if secret != "" && strings.Contains(r.stderr, secret) {
					t.Errorf("stderr shows the key: %q", r.stderr)
				}
			}
		})
	}
}

func TestMasterKeyEncodings(t *testing.T) {
	key, _ := newKey(t)
	for name, enc := range map[string]*base64.Encoding{
		"std": base64.StdEncoding, "url": base64.URLEncoding, "raw std": base64.RawStdEncoding, "raw url": base64.RawURLEncoding,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := decodeKey(" " + enc.EncodeToString(key) + "\n")
			if err != nil || string(got) != string(key) {
				t.Errorf("decodeKey = %x, %v; want %x", got, err, key)
			}
		})
	}
}

func FuzzDecodeKey(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Add("____________________________________________")
	f.Add("short")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := decodeKey(s)
		if err == nil && len(key) != masterKeySize {
			t.Fatalf("decodeKey accepted %d bytes", len(key))
		}
		if err != nil && strings.Contains(err.Error(), s) && len(s) > 8 {
			t.Fatalf("error %q repeats the input", err)
		}
	})
}
