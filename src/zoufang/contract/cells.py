"""A1 column letters and the printed width of a cell's text, without importing a workbook library
(the check path reads with calamine only)."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from string import ascii_uppercase


@lru_cache(maxsize=None)
def column_letter(index: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    if not 1 <= index <= 16384:
        raise ValueError(f"column index out of range: {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = ascii_uppercase[rest] + letters
    return letters


@lru_cache(maxsize=None)
def column_index(letters: str) -> int:
    """A → 1, AA → 27, XFD → 16384."""
    index = 0
    for ch in letters.upper():
        if ch not in ascii_uppercase:
            raise ValueError(f"not a column: {letters}")
        index = index * 26 + ascii_uppercase.index(ch) + 1
    return index


_WIDE = re.compile("[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF"
                   "\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]")


@lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters count two."""
    return len(text) + len(_WIDE.findall(text))


EXCEL_EPOCH_DAY = dt.date(1899, 12, 30)  # serial 0 of Excel's 1900 date system
FIRST_DAY, LAST_DAY = dt.date(1678, 1, 1), dt.date(2261, 12, 31)  # the days the reader takes (datetime64[ns] holds)
LAST_SERIAL = (LAST_DAY - EXCEL_EPOCH_DAY).days  # the last serial number the reader takes for a day
