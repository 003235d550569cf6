"""The audit trail of a master: its chained log, the cells each command changed, receipts for returns."""
