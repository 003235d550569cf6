"""A1 column letters, without importing a workbook library (the check path reads with calamine only)."""
from __future__ import annotations

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
