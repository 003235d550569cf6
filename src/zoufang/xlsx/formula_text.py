"""Formula text that reads cells as zoufang's reader reads them (normalize.py), in functions Excel 2010,
WPS and LibreOffice share (no LET, XLOOKUP, FILTER, TEXTJOIN, dynamic arrays).

Each function takes formula text for a cell (``$C2``, ``INDEX(zf_visits_date,7)``) and returns formula text.
"""
from __future__ import annotations

_BLANKS = ('" "', '"　"', "CHAR(10)", "CHAR(13)", "CHAR(9)")
_ADDRESS_NOISE = (",", "，", "。", ".", "、", "·", "(", ")", "（", "）", "#", "号")
_DASHES = ("－", "—", "–", "‐", "‑", "_", "~", "～")


def substitute_all(ref: str, olds, new: str = "") -> str:
    out = ref
    for old in olds:
        old = old if old.startswith(("CHAR(", '"')) else f'"{old}"'
        out = f'SUBSTITUTE({out},{old},"{new}")'
    return out


def cleaned(ref: str) -> str:
    """A cell's text without blanks of any width or line breaks: how check compares choices and yes/no."""
    return substitute_all(ref, _BLANKS)


def token(ref: str) -> str:
    """A name, id or unit as the reader compares it: blanks removed, full-width forms made half-width
    (ASC, the formula's NFKC for letters, digits and brackets)."""
    return f"ASC({cleaned(ref)})"


def folded_address(ref: str) -> str:
    """normalize.fold_address: half-width, no blanks or punctuation (号 and # too), dashes as one "-", lower case."""
    text = substitute_all(f"ASC({cleaned(ref)})", _ADDRESS_NOISE)
    text = substitute_all(text, _DASHES, "-")
    for _ in range(2):  # runs of dashes: "1--23" → "1-23"
        text = f'SUBSTITUTE({text},"--","-")'
    return f"LOWER({text})"


def date_text(ref: str) -> str:
    """A text cell made ``y-m-d`` (or its compact or serial form) for date_of_text; "" for a number or blank."""
    text = substitute_all(f"ASC({cleaned(ref)})", ("年", "月", "/", "."), "-")
    return f'IF(ISTEXT({ref}),SUBSTITUTE({text},"日",""),"")'


def date_of_text(t: str) -> str:
    """The day of ``t`` (a cell holding date_text): 2011-9-5, 20110905 or a serial; "" when it is no day
    (2011-2-30, 2011-13-1, words), as parse_date's NaT."""
    dash = f'FIND("-",{t},6)'
    y, m, d = f"VALUE(LEFT({t},4))", f"VALUE(MID({t},6,{dash}-6))", f"VALUE(MID({t},{dash}+1,9))"
    ymd = (f'IF(AND({dash}-6<=2,LEN({t})-{dash}<=2,ISNUMBER(-SUBSTITUTE({t},"-","")),{m}>=1,{m}<=12,'
           f'DAY(DATE({y},{m},{d}))={d}),DATE({y},{m},{d}),"")')
    cm, cd = f"VALUE(MID({t},5,2))", f"VALUE(RIGHT({t},2))"
    compact = (f'IF(AND(ISNUMBER(-{t}),{cm}>=1,{cm}<=12,DAY(DATE(LEFT({t},4),{cm},{cd}))={cd}),'
               f'DATE(LEFT({t},4),{cm},{cd}),"")')
    serial = f'IF(ISNUMBER(-{t}),VALUE({t}),"")'
    return (f'IFERROR(IF(MID({t},5,1)="-",{ymd},IF(AND(LEN({t})=8,ISERROR(FIND("-",{t}))),{compact},'
            f'IF(AND(LEN({t})=5,ISERROR(FIND("-",{t}))),{serial},""))),"")')


def day_of(ref: str, t: str) -> str:
    """The day ``ref`` holds as a number (a date, a serial, or text parsed through ``t``), else ""."""
    return f'IF(ISNUMBER({ref}),INT({ref}),{date_of_text(t)})'
