package sync

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ledger/domain"
)

func TestRetryRefreshesAfterValidationFailure(t *testing.T) {
	for _, tc := range []struct {
		name       string
		run        domain.SyncRun
		refreshErr error
		want       []string
		wantLog    string
	}{
		{name: "validation: refresh, then requeue", run: domain.SyncRun{ID: 7, BindingID: 3, ErrorClass: domain.ClassValidation},
			want: []string{"refresh 3", "requeue 7"}},
		{name: "failed refresh is logged, retry goes ahead", run: domain.SyncRun{ID: 7, BindingID: 3, ErrorClass: domain.ClassValidation},
			refreshErr: errors.New("xero down"), want: []string{"refresh 3", "requeue 7"}, wantLog: "reference refresh before retry failed"},
		{name: "provider error: no refresh", run: domain.SyncRun{ID: 8, BindingID: 3, ErrorClass: domain.ClassProvider},
			want: []string{"requeue 8"}},
		{name: "skipped: no refresh", run: domain.SyncRun{ID: 9, BindingID: 3, Status: domain.RunSkipped},
			want: []string{"requeue 9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls []string
			var logs strings.Builder
			err := Retry(context.Background(), &tc.run, RetryHooks{
				Refresh: func(_ context.Context, id uint64) error {
					calls = append(calls, "refresh "+strconv.FormatUint(id, 10))
					return tc.refreshErr
				},
				Requeue: func(_ context.Context, id uint64) error {
					calls = append(calls, "requeue "+strconv.FormatUint(id, 10))
					return nil
				},
				Log: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, calls); d != "" {
				t.Errorf("calls (-want +got):\n%s", d)
			}
			if !strings.Contains(logs.String(), tc.wantLog) || tc.wantLog == "" && logs.Len() != 0 {
				t.Errorf("log = %q, want %q", logs.String(), tc.wantLog)
			}
		})
	}
}

func TestRetryRequeueErrorReturned(t *testing.T) {
	want := domain.Errorf(domain.EConflict, "sync run 1 is already queued")
	err := Retry(context.Background(), &domain.SyncRun{ID: 1}, RetryHooks{Requeue: func(context.Context, uint64) error { return want }})
	if !errors.Is(err, want) {
		t.Errorf("Retry = %v, want %v", err, want)
	}
}
