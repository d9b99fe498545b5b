package domain

// MirrorEntity is the sync-state entity type Magento keeps for an event's
// outcome (protocol §7.3), or "" when Magento has no row for it: every
// invoice.* event writes the invoice's row.
func MirrorEntity(event string) string {
	switch event {
	case EventInvoiceCreated, EventInvoicePaid:
		return "invoice"
	case EventCreditmemoCreated:
		return "creditmemo"
	case EventCustomerUpserted:
		return "customer"
	}
	return ""
}

// Mirrorable reports whether Magento is told of the run's outcome: it is
// terminal and names a Magento entity of a bound tenant. It reads only the
// run, so the store can keep its index of runs still to mirror with it.
func (r *SyncRun) Mirrorable() bool {
	return MirrorEntity(r.Event) != "" && r.BindingID != 0 && r.MagentoID >= 1 && r.Status.Terminal()
}
