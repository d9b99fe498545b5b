package cmd

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newTestAdmin(calls *[][]string) *adminServer {
	return &adminServer{log: slog.New(slog.DiscardHandler), exec: func(args []string, stdin []byte) adminResponse {
		*calls = append(*calls, args)
		return adminResponse{Stdout: []byte("ran\n")}
	}}
}

func TestAdminAnswer(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantOK   bool
		wantExit int
		wantRun  bool
	}{
		{"ping", `{"op":"ping"}`, true, 0, false},
		{"run", `{"op":"run","args":["user","list"]}`, true, 0, true},
		{"run serve", `{"op":"run","args":["serve"]}`, true, exitUsage, false},
		{"run serve after a global flag", `{"op":"run","args":["--log-level","debug","serve"]}`, true, exitUsage, false},
		{"run serve after a flag=value", `{"op":"run","args":["--data-dir=/tmp/x","serve","--listen",":1"]}`, true, exitUsage, false},
		{"run demo", `{"op":"run","args":["demo"]}`, true, exitUsage, false},
		{"run demo after a flag", `{"op":"run","args":["--log-format","json","demo"]}`, true, exitUsage, false},
		{"run a word serve as an argument", `{"op":"run","args":["user","list","serve"]}`, true, 0, true},
		{"run nothing", `{"op":"run"}`, true, exitUsage, false},
		{"unknown op", `{"op":"shell","args":["rm"]}`, true, exitUsage, false},
		{"not json", `GET / HTTP/1.1`, false, 0, false},
		{"empty", ``, false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls [][]string
			resp, ok := newTestAdmin(&calls).answer(strings.NewReader(tt.in))
			if ok != tt.wantOK || resp.Exit != tt.wantExit || (len(calls) == 1) != tt.wantRun {
				t.Errorf("answer = %+v, %v (calls %v); want ok %v exit %d run %v", resp, ok, calls, tt.wantOK, tt.wantExit, tt.wantRun)
			}
		})
	}
}

func TestRedactArgs(t *testing.T) {
	got := redactArgs([]string{"user", "add", "ops@example.com", "--role", "admin", "--master-key-file=/k", "--password-stdin"})
	want := []string{"user", "add", "…", "--role", "…", "--master-key-file=…", "--password-stdin"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("redactArgs (-want +got):\n%s", diff)
	}
}

// The admin socket reads requests from any local process of the same user.
func FuzzAdminRequest(f *testing.F) {
	f.Add([]byte(`{"op":"ping"}`))
	f.Add([]byte(`{"op":"run","args":["user","add","a@b.c","--role","admin","--password-stdin"],"stdin":"cGFzc3dvcmQxMjM0"}`))
	f.Add([]byte(`{"op":"run","args":["serve"]}`))
	f.Add([]byte(`{"op":"run","args":null,"stdin":"!!"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var calls [][]string
		resp, ok := newTestAdmin(&calls).answer(bytes.NewReader(in))
		if !ok {
			if len(calls) != 0 {
				t.Fatal("ran a command from an unreadable request")
			}
			return
		}
		for _, args := range calls {
			if len(args) == 0 || startsServer(args) {
				t.Fatalf("ran %q", args)
			}
		}
		if _, err := json.Marshal(resp); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzRedactArgs(f *testing.F) {
	f.Add("user add ops@example.com --role admin --password-stdin")
	f.Add("backup /tmp/x.db --data-dir=/secret/dir")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		out := redactArgs(args)
		if len(out) != len(args) {
			t.Fatalf("redactArgs changed the length: %q → %q", args, out)
		}
		words := 0
		for i, a := range out {
			switch {
			case strings.HasPrefix(a, "-"):
				if strings.Contains(a, "=") && !strings.HasSuffix(a, "=…") {
					t.Fatalf("flag value kept: %q", a)
				}
			case a == "…":
			default:
				words++
				if words > 2 || a != args[i] || !isCommandWord(a) {
					t.Fatalf("kept %q from %q", a, args)
				}
			}
		}
	})
}
