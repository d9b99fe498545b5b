// Package magento speaks the Byte8 Magento wire protocol from ledger's side:
// api keys and their HKDF subkeys, the HS256 tokens in both directions, the
// webhook envelope, the pairing call, the SSRF-guarded HTTP client, and the
// canonical REST client that pulls invoices, credit memos, customers and
// payments and mirrors sync outcomes back. It imports domain and nothing
// else of ledger; routes and storage are wired elsewhere.
package magento
