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


def position_of(cells: str, text: str) -> str:
    """MATCH(text, cells, 0) without wildcards: the first of ``cells`` equal to ``text`` as ``=`` compares. MATCH
    with clerk text reads ``*``, ``?`` and ``~`` as wildcards in Excel and WPS (a 走访形式 typed 座* would match 座谈)
    but not in LibreOffice as it opens our files; looking up 1 among the comparisons means the same everywhere."""
    return f"MATCH(1,INDEX(--({cells}={text}),0),0)"


_WILDCARDS = (("~", "～"), ("*", "＊"), ("?", "？"))  # Excel's wildcard characters, and what stands for them


def tame(text: str) -> str:
    """``text`` with Excel's wildcard characters swapped for their full-width forms: compared by MATCH, it matches
    only itself (a 对象类别 typed 困难* matches nothing, in Excel as in LibreOffice)."""
    for wild, full in _WILDCARDS:
        text = f'SUBSTITUTE({text},"{wild}","{full}")'
    return text


def in_list(text: str, words) -> str:
    """1 where ``text`` (a cell, or a range: element by element) is one of ``words``, without case, as check compares;
    no wildcards (``tame``: no word holds a wildcard character)."""
    assert not any(w in word for word in words for pair in _WILDCARDS for w in pair), words
    text = tame(text)
    listed = ",".join(f'"{w}"' for w in sorted(words))
    return f"ISNUMBER(MATCH({text},{{{listed}}},0))"


def count_equal(cells: str, text: str) -> str:
    """How many of ``cells`` equal ``text`` as ``=`` compares: no wildcards, no operator read from the text, and an
    18-digit id stays text (COUNTIF would make it a number and match ids that share their first 15 digits)."""
    return f"SUMPRODUCT(--({cells}={text}))"


def count_rows(*conditions: str) -> str:
    """How many rows meet every condition (each a comparison of a range, ``zh_visits_person={pid}``): COUNTIFS
    without its criteria's wildcards and number coercion."""
    return "SUMPRODUCT(" + "*".join(f"({c})" for c in conditions) + ")"


def one_or_zero(condition: str) -> str:
    """A condition — a logical, or a product of them — as the number 1 or 0. A logical is never compared with a
    number: Excel ranks TRUE and FALSE above every number, so FALSE>0 is TRUE there (LibreOffice says FALSE)."""
    return f"IF(--({condition})>0,1,0)"


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
