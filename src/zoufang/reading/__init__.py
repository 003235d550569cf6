"""A workbook (file or live grids) read into the typed campaign dataset: the reader, text normalizing,
the dataset, the roster, contact points. Imports contract and files.
"""
