"""The workbook contract (sheets, headers, enumerations), findings, cell addressing, the working-day
calendar and report periods. Imports nothing from zoufang.
"""
