package cmd

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeService records its lifecycle in a shared journal.
type fakeService struct {
	name     string
	journal  *[]string
	startErr error
	health   error
}

func (f *fakeService) Name() string { return f.name }
func (f *fakeService) Start(context.Context) error {
	*f.journal = append(*f.journal, "start "+f.name)
	return f.startErr
}
func (f *fakeService) Stop(context.Context) error {
	*f.journal = append(*f.journal, "stop "+f.name)
	return nil
}
func (f *fakeService) Healthy() error { return f.health }

func newTestApp(t *testing.T) *App {
	t.Helper()
	_, b64 := newKey(t)
	env := map[string]string{"LEDGER_MASTER_KEY": b64}
	a := NewApp(Config{DataDir: dataDir(t)}, slog.New(slog.DiscardHandler), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err := a.Open(); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAppLifecycle(t *testing.T) {
	a := newTestApp(t)
	var journal []string
	worker := &fakeService{name: "worker", journal: &journal}
	a.Add(worker)
	a.Add(&fakeService{name: "cron", journal: &journal})
	if err := a.Healthy(); err == nil {
		t.Error("healthy before the services started")
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Healthy(); err != nil {
		t.Errorf("Healthy = %v after start", err)
	}
	worker.health = errors.New("stuck")
	if err := a.Healthy(); err == nil || err.Error() != "worker: stuck" {
		t.Errorf("Healthy = %v, want worker: stuck", err)
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Healthy(); err == nil {
		t.Error("healthy after Close")
	}
	want := []string{"start worker", "start cron", "stop cron", "stop worker"}
	if diff := cmp.Diff(want, journal); diff != "" {
		t.Errorf("lifecycle (-want +got):\n%s", diff)
	}
	if err := a.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestAppStartFailureStopsStarted(t *testing.T) {
	a := newTestApp(t)
	defer a.Close(context.Background())
	var journal []string
	a.Add(&fakeService{name: "worker", journal: &journal})
	a.Add(&fakeService{name: "cron", journal: &journal, startErr: errors.New("bad spec")})
	a.Add(&fakeService{name: "never", journal: &journal})
	err := a.Start(context.Background())
	if err == nil || err.Error() != "could not start cron; see the log: bad spec" {
		t.Errorf("Start = %v", err)
	}
	want := []string{"start worker", "start cron", "stop worker"}
	if diff := cmp.Diff(want, journal); diff != "" {
		t.Errorf("lifecycle (-want +got):\n%s", diff)
	}
}
