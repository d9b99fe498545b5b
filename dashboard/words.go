package dashboard

import (
	"strings"

	"ledger/domain"
)

// The words a merchant reads for ledger's internal codes: event names, run
// statuses, skip reasons, timeline steps and Magento connection states.
// The codes themselves stay in URLs, filters and the CLI (the contract);
// pages show these.

// eventLabel is an event name in words: "invoice.created" → "Invoice created".
func eventLabel(event string) string {
	switch event {
	case domain.EventInvoiceCreated:
		return "Invoice created"
	case domain.EventInvoicePaid:
		return "Invoice paid"
	case domain.EventCreditmemoCreated:
		return "Credit memo created"
	case domain.EventCustomerUpserted:
		return "Customer saved"
	}
	return event // an event ledger does not handle: its own name is the best label
}

// runStatusLabel is the badge text of a run status. The four everyday
// words stay as they are (filters and the CLI use them too); the two
// technical ones get words.
func runStatusLabel(st domain.RunStatus) string {
	switch st {
	case domain.RunSkipped:
		return "skipped"
	case domain.RunDeadLettered:
		return "gave up"
	}
	return string(st)
}

// runStatusOption is a run status in the Status filter: the label, with
// the code beside the technical ones so the CLI's word can be found.
func runStatusOption(st domain.RunStatus) string {
	switch st {
	case domain.RunSkipped:
		return "skipped by the settings (skipped_by_policy)"
	case domain.RunDeadLettered:
		return "gave up after retries (dead_lettered)"
	}
	return string(st)
}

// skipReasonText says why a run was skipped and what to change to sync
// such documents, for the skip reason codes of protocol §10.2–10.3.
func skipReasonText(reason string) string {
	switch reason {
	case domain.SkipUnpaidInvoice:
		return "The invoice is unpaid. To sync unpaid invoices, tick “Sync unpaid invoices” in the settings."
	case domain.SkipZeroValueInvoice:
		return "The invoice totals zero. To sync those, tick “Sync zero-value invoices” in the settings."
	case domain.SkipOutsideSyncSince:
		return "The document is older than “Sync documents created since” in the settings."
	case domain.SkipWebsiteFiltered:
		return "Its Magento website is not in “Only these Magento website ids” in the settings."
	case domain.SkipStoreFiltered:
		return "Its Magento store view is not in “Only these Magento store ids” in the settings."
	case domain.SkipPaymentMethodNotMapped:
		return "Its payment method is set to not be recorded in Xero; choose a bank account for it under “Payment-method routing” in the settings."
	case domain.SkipNotHandledEvent:
		return "ledger does not send this kind of Magento event to Xero; nothing to do."
	case "":
		return ""
	}
	return strings.ReplaceAll(reason, "_", " ")
}

// stepLabel is a timeline step in words.
func stepLabel(step string) string {
	switch step {
	case domain.StepReceived:
		return "Received from Magento"
	case domain.StepFetched:
		return "Read from Magento"
	case domain.StepPosted:
		return "Posted to Xero"
	case domain.StepMirrored:
		return "Result sent back to Magento"
	case domain.StepSkipped:
		return "Skipped"
	case domain.StepFailed:
		return "Failed"
	case domain.StepRetry:
		return "Retry requested"
	}
	return step
}

// magentoStatusLabel is a tenant's Magento connection state in words,
// with what to do when it needs the merchant.
func magentoStatusLabel(st domain.MagentoStatus) string {
	switch st {
	case domain.MagentoActive:
		return "Connected"
	case domain.MagentoPending:
		return "Not confirmed yet — ledger has not reached the store since pairing; check that the store is online at the URL below."
	case domain.MagentoTokenRevoked:
		return "Magento revoked ledger's access — generate a new pairing code in Magento and pair again."
	}
	return string(st)
}

// fieldMessage drops the policy key a validation message starts with
// ("default_xero_payment_terms_days: 999 days is outside 0–365 — …"): on
// the form the message sits under the field's own label.
func fieldMessage(key, msg string) string {
	if rest, ok := strings.CutPrefix(msg, key+": "); ok && rest != "" {
		return strings.ToUpper(rest[:1]) + rest[1:]
	}
	return msg
}
