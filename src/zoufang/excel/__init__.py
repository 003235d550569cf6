"""The bound layer: the functions Excel's buttons call, xlwings Lite, the macro workbook and its VBA.
The only folder that imports xlwings; it may import every layer below it.
"""
