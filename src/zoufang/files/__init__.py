"""Files on disk: atomic writes with backups, safe file names, document properties, LibreOffice.
Imports contract only.
"""
