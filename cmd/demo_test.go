package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ledger/domain"
)

func TestPrepareDemoDir(t *testing.T) {
	for _, tc := range []struct {
		name       string
		files      []string // created before
		wantKind   domain.ErrorKind
		wantMarker bool
		wantDB     bool // ledger.db still there after
		wantKept   []string
	}{
		{name: "new directory", wantMarker: true},
		{name: "empty existing directory", files: []string{}, wantMarker: true},
		{name: "earlier demo: database reset, key kept", files: []string{demoMarker, dbFileName, masterKeyFileName}, wantMarker: true, wantKept: []string{masterKeyFileName}},
		{name: "real ledger refused", files: []string{dbFileName, masterKeyFileName}, wantKind: domain.EConflict, wantDB: true, wantKept: []string{masterKeyFileName}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			if tc.files != nil {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				for _, f := range tc.files {
					if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			err := prepareDemoDir(dir)
			if tc.wantKind != "" {
				if !domain.IsKind(err, tc.wantKind) {
					t.Fatalf("prepareDemoDir = %v, want a %s error", err, tc.wantKind)
				}
			} else if err != nil {
				t.Fatalf("prepareDemoDir: %v", err)
			}
			exists := func(f string) bool { _, err := os.Stat(filepath.Join(dir, f)); return err == nil }
			if got := exists(demoMarker); got != tc.wantMarker {
				t.Errorf("marker present = %v, want %v", got, tc.wantMarker)
			}
			if got := exists(dbFileName); got != tc.wantDB {
				t.Errorf("ledger.db present = %v, want %v", got, tc.wantDB)
			}
			for _, f := range tc.wantKept {
				if !exists(f) {
					t.Errorf("%s was removed", f)
				}
			}
		})
	}
}

// The command refuses a real ledger's data dir with the reason on stderr
// and exit status 1, before starting anything.
func TestDemoRefusesRealDataDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, dbFileName), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	code := Demo(context.Background(), []string{"--data-dir", dir, "--addr", "127.0.0.1:0"}, &out, &errb, DemoOptions{})
	if code != exitError || !strings.Contains(errb.String(), "real ledger database") || out.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 1 and the refusal", code, out.String(), errb.String())
	}
}
