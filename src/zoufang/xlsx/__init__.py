"""Workbook file formats, blind to the dataset: fresh books (XlsxWriter), how a value is stored in a cell,
edits of a package's XML with references shifted as Excel does. Imports contract and files.
"""
