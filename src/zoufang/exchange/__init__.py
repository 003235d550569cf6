"""Unit workbooks out and returns in: issue, collect, merge, record ids, the secret key, the lock and the
master's editor. Imports the layers below; not checks, progress, ledgers or documents.
"""
