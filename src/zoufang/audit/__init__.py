"""The audit trail of a master: its chained log, the cells each command changed, receipts for returns.
Imports contract, files, xlsx and reading (the key is handed in by exchange and the command line).
"""
