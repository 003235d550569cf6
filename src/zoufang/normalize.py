"""Tolerant, vectorised parsing of what clerks type.

Every parser takes a pandas Series of raw cell values (str, float, bool,
datetime.date/datetime, or "" for blank) and returns typed values; a value that
is present but cannot be parsed becomes missing, so callers find it as
``present & parsed.isna()``.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Serial numbers of 1900-01-01 .. 9999-12-31: anything else is not a date.
SERIAL_MIN, SERIAL_MAX = 1, 2958465
_WS = re.compile(r"\s+")
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


def clean_text(value: object) -> str:
    """NFKC (full-width to half-width), stripped; "" for blank or None."""
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
        text = unicodedata.normalize("NFKC", text)
    return text.strip()


def squeeze(text: str) -> str:
    """Remove every blank inside a token (names, codes, enumerations)."""
    return _WS.sub("", text)


def text_series(raw: pd.Series) -> pd.Series:
    """Cleaned text of every cell (object dtype, "" for blank)."""
    return raw.map(clean_text).astype(object)


def token_series(raw: pd.Series) -> pd.Series:
    """Cleaned text without inner blanks: names, codes, enumerations."""
    return text_series(raw).map(squeeze)


def _dates_from_parts(parts: pd.DataFrame) -> pd.Series:
    parts = parts.astype(float)
    return pd.to_datetime(
        {"year": parts["y"], "month": parts["m"], "day": parts["d"]}, errors="coerce"
    )


def date_series(raw: pd.Series) -> pd.Series:
    """datetime64 values from real dates, serial numbers and text dates; NaT otherwise."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if raw.empty:
        return out
    is_date = raw.map(lambda v: isinstance(v, (dt.date, pd.Timestamp)))
    if is_date.any():
        out[is_date] = pd.to_datetime(raw[is_date].map(_as_datetime), errors="coerce").dt.normalize()
    is_num = raw.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    if is_num.any():
        serial = raw[is_num].astype(float)
        serial = serial.where((serial >= SERIAL_MIN) & (serial <= SERIAL_MAX))
        out[is_num] = (EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")).where(serial.notna())
    is_text = raw.map(lambda v: isinstance(v, str))
    if is_text.any():
        text = raw[is_text].map(clean_text)
        text = text[text != ""]
        for pattern in (_DATE_TEXT, _DATE_COMPACT):
            parts = text.str.extract(pattern)
            hit = parts["y"].notna()
            if hit.any():
                out[parts.index[hit]] = _dates_from_parts(parts[hit])
        serial_text = text[text.str.match(_SERIAL_TEXT)]
        if not serial_text.empty:
            out[serial_text.index] = EXCEL_EPOCH + pd.to_timedelta(serial_text.astype(float).astype(int), unit="D")
    return out


def _as_datetime(v: object) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v
    return dt.datetime(v.year, v.month, v.day)


def yesno_series(raw: pd.Series) -> pd.Series:
    """True / False / <NA> (blank or not a yes/no form), as pandas 'boolean'."""
    def parse(v: object):
        if isinstance(v, bool):
            return v
        token = squeeze(clean_text(v)).lower()
        if token in YES_WORDS:
            return True
        if token in NO_WORDS:
            return False
        return pd.NA
    return raw.map(parse).astype("boolean")


def number_series(raw: pd.Series) -> pd.Series:
    """float values from numbers and numeric text (1,234 / １２ / 12人 is not a number)."""
    def parse(v: object):
        if isinstance(v, bool):
            return np.nan
        if isinstance(v, (int, float)):
            return float(v)
        token = squeeze(clean_text(v)).replace(",", "")
        if not token:
            return np.nan
        try:
            return float(token)
        except ValueError:
            return np.nan
    return raw.map(parse).astype(float)


def target_series(raw: pd.Series) -> pd.Series:
    """Quota targets: numbers, or percentages written as 30% (→ 0.3)."""
    def parse(v: object):
        if isinstance(v, bool):
            return np.nan
        if isinstance(v, (int, float)):
            return float(v)
        token = squeeze(clean_text(v)).replace(",", "")
        scale = 1.0
        if token.endswith("%"):
            token, scale = token[:-1], 0.01
        try:
            return float(token) * scale
        except ValueError:
            return np.nan
    return raw.map(parse).astype(float)


def household_key(head: pd.Series, address: pd.Series) -> pd.Series:
    """Identity of a household: head's name + address, blanks and punctuation folded."""
    def fold(text: str) -> str:
        return re.sub(r"[\s,，。.、·\-—_()（）#号]", "", text).lower()
    return head.map(squeeze) + "|" + address.map(fold)
