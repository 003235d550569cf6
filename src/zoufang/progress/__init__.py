"""Figures as they stood on an as-of date: standing, personal quotas, collective tasks, supervision, the
report and its workbook. Imports contract, files, xlsx and reading.
"""
