// Package sync turns accepted Magento events into Xero documents: it decides
// whether the binding's policy skips an event, and maps Magento's canonical
// invoices, payments, credit memos and customers onto the Xero request
// objects that post them — balanced to the cent against Magento's totals.
//
// Everything here is a pure function of (canonical entity, policy snapshot,
// reference cache, xrefs found); the worker that fetches, posts and mirrors
// is built around it. Import it as ledgersync next to the standard library's
// sync.
package sync
