// Package deploy ships the files that install ledger on a Linux server: the
// hardened systemd unit, the daily backup service and timer, an environment
// file and reverse-proxy examples (see README.md). Its tests check that the
// units keep their hardening and reference only flags ledger has.
package deploy

import "embed"

// Files holds the deployment files so a future `ledger` command can print them.
//
//go:embed ledger.service ledger-backup.service ledger-backup.timer ledger.env.example Caddyfile.example nginx.conf.example README.md
var Files embed.FS
