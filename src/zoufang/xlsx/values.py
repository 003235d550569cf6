"""How a Python value is stored in a cell, by every writer (XlsxWriter, openpyxl, the package editor, live Excel)."""
from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

# what XML 1.0 (and so a cell of .xlsx) cannot hold: control characters, lone surrogates, U+FFFE/U+FFFF
ILLEGAL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CELL_TEXT_LIMIT = 32767  # the most characters Excel holds in one cell


def cell_value(value):
    """A Python value as stored in a cell: dates as datetimes, yes/no as 是/否, blanks as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be stored in a cell
    return value


def value_text(value) -> str:
    """A cell's value as a clerk reads it: dates as 2011-09-05 (with the time when it has one), blanks as ""."""
    value = cell_value(value)
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d") if not (value.hour or value.minute) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
