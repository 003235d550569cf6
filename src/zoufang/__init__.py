"""zoufang: the Python behind the 大走访 campaign workbook's buttons."""
__version__ = "0.1.0"
