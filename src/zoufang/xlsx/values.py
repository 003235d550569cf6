"""How a Python value is stored in a cell, by every writer (XlsxWriter, openpyxl, the package editor, live Excel)."""
from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # control characters XML 1.0 forbids


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
