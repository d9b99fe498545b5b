package domain

import (
	"testing"
	"time"
)

func TestMirrorEntity(t *testing.T) {
	tests := []struct {
		event, want string
	}{
		{EventInvoiceCreated, "invoice"},
		{EventInvoicePaid, "invoice"}, // a payment rewrites its invoice's row
		{EventCreditmemoCreated, "creditmemo"},
		{EventCustomerUpserted, "customer"},
		{"shipment.created", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MirrorEntity(tt.event); got != tt.want {
			t.Errorf("MirrorEntity(%q) = %q, want %q", tt.event, got, tt.want)
		}
	}
}

func TestSyncRunMirrorable(t *testing.T) {
	done := time.Date(2026, 4, 29, 9, 0, 0, 0, time.UTC)
	base := SyncRun{ID: 1, BindingID: 2, Event: EventInvoiceCreated, MagentoID: 42, Status: RunSucceeded, FinishedAt: &done}
	tests := []struct {
		name string
		edit func(*SyncRun)
		want bool
	}{
		{"succeeded invoice", func(*SyncRun) {}, true},
		{"failed", func(r *SyncRun) { r.Status = RunFailed }, true},
		{"skipped by policy", func(r *SyncRun) { r.Status = RunSkipped }, true},
		{"dead-lettered", func(r *SyncRun) { r.Status = RunDeadLettered }, true},
		{"queued", func(r *SyncRun) { r.Status = RunQueued }, false},
		{"running", func(r *SyncRun) { r.Status = RunRunning }, false},
		{"no binding", func(r *SyncRun) { r.BindingID = 0 }, false},
		{"no Magento id", func(r *SyncRun) { r.MagentoID = 0 }, false},
		{"event without a sync-state row", func(r *SyncRun) { r.Event = "shipment.created" }, false},
	}
	for _, tt := range tests {
		r := base
		tt.edit(&r)
		if got := r.Mirrorable(); got != tt.want {
			t.Errorf("%s: Mirrorable() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
