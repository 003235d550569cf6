"""Tolerant, vectorised parsing of what clerks type.

Every parser takes a pandas Series of raw cell values (str, float, bool,
datetime.date/datetime, or "" for blank) and returns typed values; a value that
is present but cannot be parsed becomes missing, so callers find it as
``present & parsed.isna()``.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from zoufang.contract.cells import FIRST_DAY, LAST_DAY  # noqa: F401  (callers import them here)

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EPOCH_1904_SHIFT = 1462  # days between the 1904 and the 1900 date systems' serial numbers
# Serial numbers from 1900-01-01 to the last day pandas can hold (2262-04-11): anything else is not a date.
SERIAL_MIN, SERIAL_MAX = 1, (pd.Timestamp.max.date() - EXCEL_EPOCH.date()).days
_DATE_TEXT = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.0+)?$")

YES_WORDS = frozenset({"是", "y", "yes", "√", "✓", "✔", "true", "1", "对"})
NO_WORDS = frozenset({"否", "n", "no", "×", "✗", "✘", "x", "false", "0", "不是"})
DATE_FORMS = "2011-09-05、2011/9/5、2011.9.5、2011年9月5日，或直接输入为日期"
YESNO_FORMS = "是/否、Y/N、√/×、TRUE/FALSE、1/0"


INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width, BOM, soft hyphen


def replace_each(text: str, chars: str, new: str = "") -> str:
    """``text`` with each of ``chars`` replaced by ``new``: a scan per character kind, a copy only for those present
    (far faster than a regular expression or ``str.translate`` over a long joined column)."""
    for ch in chars:
        if ch in text:
            text = text.replace(ch, new)
    return text


def drop_invisible(text: str) -> str:
    """``text`` without the invisible characters."""
    return replace_each(text, INVISIBLE_CHARS)


def clean_text(value: object) -> str:
    """NFKC (full-width to half-width), invisible characters removed, stripped; "" for blank or None.

    For comparing, matching and counting only: what is stored is what the clerk typed."""
    if type(value) is str:
        return (value if value.isascii() else drop_invisible(unicodedata.normalize("NFKC", value))).strip()
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if not text.isascii():
        text = drop_invisible(unicodedata.normalize("NFKC", text))
    return text.strip()


HALF_WIDTH = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"\u3000": " "}  # what NFKC makes of them


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), five times faster on clerks' text: full-width ASCII and the
    ideographic space (most of what NFKC changes there: （）、１２号) are replaced first, as NFKC replaces
    them, so that the full normalization runs only when something else still needs it."""
    for wide, narrow in HALF_WIDTH.items():
        if wide in text:
            text = text.replace(wide, narrow)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


_JOIN = "\uffff"  # a noncharacter: no cell holds it, and NFKC neither changes it nor composes across it


def clean_texts(values) -> list[str]:
    """clean_text of each value. The strings (nearly every cell) are normalized in one NFKC pass over
    their concatenation, which equals normalizing each of them since nothing composes across the joint."""
    values = list(values)
    strings = [v for v in values if v.__class__ is str]
    joined = _JOIN.join(strings)
    if joined.count(_JOIN) != max(len(strings) - 1, 0):  # a string that holds the joint itself
        return [clean_text(v) for v in values]
    if not joined.isascii():
        joined = drop_invisible(nfkc(joined))
    cleaned = [t.strip() for t in joined.split(_JOIN)] if strings else []
    if len(strings) == len(values):
        return cleaned
    it = iter(cleaned)
    return [next(it) if v.__class__ is str else clean_text(v) for v in values]


def as_typed(value: object) -> str:
    """A text as the clerk typed it — full-width punctuation and all — without invisible characters or surrounding
    blanks: what is printed and written back ("" for blank). Compare with clean_text, never with this."""
    if type(value) is str:
        return drop_invisible(value).strip()
    return clean_text(value)


def squeeze(text: str) -> str:
    """Remove every blank inside a token (names, codes, enumerations)."""
    return "".join(text.split())


class Distinct:
    """A column factorized once, so that any parser runs once per distinct value.

    Clerks' columns repeat a lot (names, units, dates, enumerations). True == 1 == 1.0
    share a hash slot, so cells holding 0/1/True/False are mapped one by one.
    """

    def __init__(self, raw: pd.Series | np.ndarray):
        """``raw``: cell values (a Series or an object array); results are arrays in the same order."""
        self.values = raw.to_numpy(dtype=object) if isinstance(raw, pd.Series) else np.asarray(raw, dtype=object)
        self.codes, self.uniques = pd.factorize(self.values, use_na_sentinel=True)
        zero_one = np.flatnonzero(pd.array(self.uniques, dtype=object).isin([0, 1]))
        ambiguous = [i for i in zero_one if self.uniques[i].__class__ in (bool, int, float)]
        self.one_by_one = np.flatnonzero(np.isin(self.codes, ambiguous)) if ambiguous else ()
        self._text: list[str] | None = None

    def text(self) -> np.ndarray:
        """clean_text of every cell."""
        if self._text is None:
            self._text = clean_texts(self.uniques) + [""]
        return self._from_table(self._text, clean_text)

    def longest(self) -> int:
        """Length of the longest cleaned text in the column."""
        if self._text is None:
            self.text()
        return max(map(len, self._text), default=0)

    def blank(self) -> np.ndarray:
        """True where the cell's clean text is empty (one comparison per distinct value)."""
        if self._text is None:
            self.text()
        return self._from_table([t == "" for t in self._text], lambda v: clean_text(v) == "", "bool")

    def text_codes(self) -> tuple[np.ndarray, list[str]] | None:
        """Each cell's code into the table of cleaned texts (blank cells point at its last entry, ""), or
        None when cells holding 0/1/True/False share a code but not a text."""
        if self._text is None:
            self.text()
        return None if len(self.one_by_one) else (self.codes, self._text)

    def token(self) -> np.ndarray:
        """as_token of every cell (from the cleaned text)."""
        if self._text is None:
            self.text()
        return self._from_table(["".join(t.split()) if " " in t or "\t" in t or "\n" in t or "\u3000" in t else t
                                 for t in self._text], as_token)

    def codes_of(self, fn: Callable[[object], object]) -> np.ndarray:
        """One integer per distinct value of ``fn`` over the cells (factorizing the distinct values only)."""
        mapped = [fn(u) for u in self.uniques] + [fn(None)]
        extra = [fn(self.values[p]) for p in self.one_by_one]
        table = np.empty(len(mapped) + len(extra), dtype=object)
        table[:] = mapped + extra
        codes, _ = pd.factorize(table)
        out = codes[: len(mapped)][self.codes]
        for k, pos in enumerate(self.one_by_one):
            out[pos] = codes[len(mapped) + k]
        return out

    def map(self, fn: Callable[[object], object], dtype: str | None = None):
        return self._from_table([fn(u) for u in self.uniques] + [fn(None)], fn, dtype)

    def _from_table(self, mapped: list, fn: Callable[[object], object], dtype: str | None = None):
        """Cell values from one mapped value per distinct value (code -1, None/NaN, takes the last)."""
        if dtype is None:
            table = np.empty(len(mapped), dtype=object)
            table[:] = mapped
        elif dtype in ("float", "bool"):
            table = np.asarray(mapped, dtype=dtype)
        else:
            table = pd.array(mapped, dtype=dtype)
        result = table[self.codes]
        for pos in self.one_by_one:
            result[pos] = fn(self.values[pos])
        return result


def by_unique(raw: pd.Series, fn: Callable[[object], object], dtype: str | None = None) -> pd.Series:
    """``raw.map(fn)`` computed once per distinct value."""
    return pd.Series(Distinct(raw).map(fn, dtype), index=raw.index)


def as_token(v: object) -> str:
    """Cleaned text without inner blanks."""
    return "".join(clean_text(v).split())


def token_series(text: pd.Series) -> pd.Series:
    """Cleaned text without inner blanks (names, codes, enumerations)."""
    return by_unique(text, as_token)


def parse_date(v: object) -> pd.Timestamp:
    """A real date, an Excel serial number, or text in any accepted form; NaT otherwise."""
    if v is None or v.__class__ is bool:
        return pd.NaT
    if isinstance(v, dt.date):
        day = dt.date(v.year, v.month, v.day)
        return pd.Timestamp(day) if FIRST_DAY <= day <= LAST_DAY else pd.NaT
    if isinstance(v, (int, float)):
        if np.isnan(v) or not SERIAL_MIN <= v <= SERIAL_MAX:
            return pd.NaT
        return pd.Timestamp(EXCEL_EPOCH.date() + dt.timedelta(days=int(v)))
    text = clean_text(v)
    if not text:
        return pd.NaT
    m = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if m:
        try:
            day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return pd.NaT
        return pd.Timestamp(day) if FIRST_DAY <= day <= LAST_DAY else pd.NaT  # 3011-9-5, 9999-12-31: not a date here
    if _SERIAL_TEXT.match(text):
        return EXCEL_EPOCH + pd.Timedelta(days=int(float(text)))
    return pd.NaT


def parse_date_1904(v: object) -> pd.Timestamp:
    """parse_date for a workbook in the 1904 date system: bare serial numbers count from 1904-01-01."""
    if isinstance(v, (int, float)) and v.__class__ is not bool:
        return parse_date(v + EPOCH_1904_SHIFT)
    text = clean_text(v) if isinstance(v, str) else ""
    if text and _SERIAL_TEXT.match(text):
        return parse_date(float(text) + EPOCH_1904_SHIFT)
    return parse_date(v)


def parse_yesno(v: object):
    if v.__class__ is bool:
        return v
    token = squeeze(clean_text(v)).lower()
    if token in YES_WORDS:
        return True
    if token in NO_WORDS:
        return False
    return pd.NA


def parse_number(v: object) -> float:
    """Numbers and numeric text (1,234 / １２); 12人 is not a number."""
    if v is None or v.__class__ is bool:
        return np.nan
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(v) else np.nan
    token = squeeze(clean_text(v)).replace(",", "")
    try:
        number = float(token) if token else np.nan
    except ValueError:
        return np.nan
    return number if math.isfinite(number) else np.nan  # inf, 1e309: not a count


def parse_target(v: object) -> float:
    """Quota targets: numbers, or percentages written as 30% (→ 0.3)."""
    if isinstance(v, str):
        token = squeeze(clean_text(v))
        if token.endswith("%"):
            number = parse_number(token[:-1])
            return number * 0.01
    return parse_number(v)


def date_series(raw: pd.Series) -> pd.Series:
    """datetime64 values from real dates, serial numbers and text dates; NaT otherwise."""
    return by_unique(raw, parse_date, "datetime64[ns]")


def target_series(raw: pd.Series) -> pd.Series:
    return by_unique(raw, parse_target, "float")


BLANKS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
          "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")  # every character str.isspace() and a regex \s call blank
ADDRESS_NOISE = BLANKS + ",，。.、·()（）#号"  # dropped from an address before comparing
ADDRESS_DASHES = "-－—–‐‑_~～"  # a run of them is one "-": it separates house numbers


def fold_address(v: object) -> str:
    """An address with blanks and punctuation removed, lower case; dashes kept as one "-", since
    they separate house numbers (清河路1-23号 and 清河路12-3号 are two homes)."""
    return fold_clean_address(clean_text(v))


def fold_clean_address(text: str) -> str:
    """fold_address of text already cleaned (clean_text)."""
    return _fold(text).strip("-")


def _fold(text: str) -> str:
    """Address noise dropped, each run of dashes one "-", lower case."""
    text = replace_each(replace_each(text, ADDRESS_NOISE), ADDRESS_DASHES[1:], "-")
    while "--" in text:
        text = text.replace("--", "-")
    return text.lower()


def combined_codes(*columns: pd.Series | np.ndarray) -> pd.Series:
    """One integer per distinct combination of the columns' values (NaN/None count as a value)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col, use_na_sentinel=False)  # natively typed: no object round trip
        key = key * (len(uniques) + 1) + codes
        if len(key) and key.max() > 1 << 40:  # keep the combined key far from int64 overflow
            key = pd.factorize(key)[0].astype(np.int64)
    index = columns[0].index if isinstance(columns[0], pd.Series) else None
    return pd.Series(key, index=index)


def fold_clean_addresses(texts: list[str]) -> list[str]:
    """fold_clean_address of many texts, folded as one joined by NUL (which a cell cannot hold, and which
    neither folds nor joins two dashes across it)."""
    if not texts:
        return []
    return [t.strip("-") for t in _fold("\0".join(texts)).split("\0")]


def household_codes_of_text(head: pd.Series, address: pd.Series) -> np.ndarray:
    """One integer per household (head's name + address, folded) of columns already cleaned (the reader's
    text): each distinct value folded once."""
    head_codes, heads = pd.factorize(head.to_numpy(dtype=object))
    address_codes, addresses = pd.factorize(address.to_numpy(dtype=object))
    return household_codes_of_codes((head_codes, [*heads, ""]), (address_codes, [*addresses, ""]))


def household_codes_of_codes(head: tuple[np.ndarray, list[str]], address: tuple[np.ndarray, list[str]]) -> np.ndarray:
    """household_codes_of_text from columns already factorized: (codes, cleaned text per code; code -1 → last)."""
    (head_codes, heads), (address_codes, addresses) = head, address
    head_keys = pd.factorize(np.array([squeeze(h) for h in heads], dtype=object))[0]
    address_keys = pd.factorize(np.array(fold_clean_addresses(addresses), dtype=object))[0]
    return combined_codes(head_keys[head_codes], address_keys[address_codes]).to_numpy()


def household_key(head: pd.Series, address: pd.Series) -> pd.Series:
    """Readable identity of a household: head's name + address, folded."""
    return token_series(head) + "|" + by_unique(address, fold_address)
