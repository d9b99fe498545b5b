// Command ledger is a self-hosted replacement for the Byte8 Ledger SaaS: it
// syncs Magento invoices, payments, credit memos and customers into Xero.
package main

import (
	"os"

	"ledger/cmd"
)

func main() { os.Exit(cmd.Execute()) }
