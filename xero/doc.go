// Package xero talks to Xero: OAuth 2 with PKCE, rotating token sources,
// a typed Accounting API client and a per-organisation rate limiter. It
// imports nothing of ledger; callers translate its typed errors and types.
package xero
