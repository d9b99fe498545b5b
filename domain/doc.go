// Package domain is ledger's vocabulary: the users, tenants, bindings, sync runs,
// cross-references and sync policies every other package talks about, and the one
// error type that carries a kind and a user-safe message. It imports nothing of
// ledger; adapters (store, magento, xero, dashboard, sync) are built around it.
package domain
