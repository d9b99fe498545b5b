// Package cmd is ledger's command line and process wiring: the cobra command
// tree of interfaces.md §3, configuration from flags and LEDGER_* environment
// variables, the master key, opening the database, starting and stopping the
// background services, and the admin socket through which CLI commands run
// inside a live `ledger serve`. Every other package is an adapter wired here.
package cmd
