"""Validation: the engine, the row rules and the marked copy of a checked workbook.
Imports contract, files, xlsx and reading.
"""
