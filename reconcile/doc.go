// Package reconcile checks what ledger synced against what Xero holds now:
// for every document a binding synced it compares Xero's Total, AmountDue
// and Status with Magento's canonical entity and lists the drift (what
// differs and what to do), and it reports the tax rates and payment methods
// of recent orders that the binding's policy does not map.
//
// It only reads: Magento canonical GETs and batched Xero GETs, never a write.
package reconcile
