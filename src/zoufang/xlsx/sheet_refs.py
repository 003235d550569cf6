"""References that follow deleted rows, as Excel moves them: formulas, ranges and anchors.

``RowShift`` holds the rows deleted from one sheet (numbered as before the deletion). A cell
below them moves up; a range keeps the rows that remain; a reference whose every row was
deleted becomes ``#REF!``. Whole-column references and references to other sheets are unchanged.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from openpyxl.formula.tokenizer import Token, Tokenizer

REF_ERROR = "#REF!"
_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
_ROWS = re.compile(r"^(\$?)(\d+)$")


@dataclass(frozen=True)
class RowShift:
    """Rows deleted from ``sheet`` (1-based, numbered before the deletion)."""

    sheet: str
    deleted: tuple[int, ...]

    @classmethod
    def of(cls, sheet: str, rows) -> "RowShift":
        return cls(sheet, tuple(sorted(set(int(r) for r in rows))))

    def __bool__(self) -> bool:
        return bool(self.deleted)

    def row(self, r: int) -> int | None:
        """Where row ``r`` is after the deletion; None if it was deleted."""
        i = bisect.bisect_left(self.deleted, r)
        if i < len(self.deleted) and self.deleted[i] == r:
            return None
        return r - i

    def span(self, first: int, last: int) -> tuple[int, int] | None:
        """The rows ``first..last`` after the deletion; None if all of them were deleted."""
        lo, hi = bisect.bisect_left(self.deleted, first), bisect.bisect_right(self.deleted, last)
        if hi - lo == last - first + 1:
            return None
        return first - lo, last - hi

    def zero_based(self, r: int) -> int:
        """A 0-based anchor row (drawings, comments) after the deletion: an anchor in a deleted row stays on the row that moves into its place."""
        return r - bisect.bisect_left(self.deleted, r + 1)


# ------------------------------------------------------------------ one reference
def _shift_area(area: str, shift: RowShift) -> str:
    """``A5``, ``$A$5:B9``, ``5:9`` or ``A:B`` on the shifted sheet."""
    parts = area.split(":")
    if len(parts) == 1:
        m = _CELL.match(area)
        if not m:
            return area
        new = shift.row(int(m.group(4)))
        return REF_ERROR if new is None else f"{m.group(1)}{m.group(2)}{m.group(3)}{new}"
    if len(parts) != 2:
        return area
    a, b = parts
    ma, mb = _CELL.match(a), _CELL.match(b)
    if ma and mb:
        ra, rb = int(ma.group(4)), int(mb.group(4))
        lo, hi = min(ra, rb), max(ra, rb)
        span = shift.span(lo, hi)
        if span is None:
            return REF_ERROR
        na, nb = (span[0], span[1]) if ra <= rb else (span[1], span[0])
        return f"{ma.group(1)}{ma.group(2)}{ma.group(3)}{na}:{mb.group(1)}{mb.group(2)}{mb.group(3)}{nb}"
    ra_m, rb_m = _ROWS.match(a), _ROWS.match(b)
    if ra_m and rb_m:
        ra, rb = int(ra_m.group(2)), int(rb_m.group(2))
        span = shift.span(min(ra, rb), max(ra, rb))
        if span is None:
            return REF_ERROR
        return f"{ra_m.group(1)}{span[0]}:{rb_m.group(1)}{span[1]}"
    return area  # whole columns, names


def split_sheet(ref: str) -> tuple[str | None, str]:
    """``'问题 台账'!A3`` → ("问题 台账", "A3"); an unqualified reference has sheet None."""
    if "!" not in ref:
        return None, ref
    if ref.startswith("'"):
        end = ref.rfind("'!")
        if end > 0:
            return ref[1:end].replace("''", "'"), ref[end + 2:]
    sheet, _, area = ref.rpartition("!")
    return sheet, area


_TWO_ENDS = re.compile(r"^((?:'(?:[^']|'')+'|[^'!:]+)!)([^!:]+):((?:'(?:[^']|'')+'|[^'!:]+)!)([^!:]+)$")


def shift_reference(ref: str, shift: RowShift, home: str | None, moved: int | None = None) -> str:
    """One operand of a formula; ``home`` is the sheet an unqualified reference belongs to (None: no sheet).

    ``moved``: the operand belongs to a conditional format or validation of the shifted sheet, whose relative
    rows follow its range's top-left cell (moved that many rows), as Excel applies them; absolute rows shift.
    """
    two = _TWO_ENDS.match(ref)
    if two and two.group(1) == two.group(3):  # 走访记录!B5:走访记录!B9: one sheet named on both ends
        new = shift_reference(f"{two.group(1)}{two.group(2)}:{two.group(4)}", shift, home, moved)
        if new == REF_ERROR:
            return REF_ERROR
        a, b = split_sheet(new)[1].split(":")
        return f"{two.group(1)}{a}:{two.group(3)}{b}"
    sheet, area = split_sheet(ref)
    if sheet is not None and (sheet.startswith("[") or ":" in sheet):
        return ref  # external workbooks and 3-D references are left as they are
    target = home if sheet is None else sheet
    if target != shift.sheet:
        return ref
    new = _shift_area(area, shift) if moved is None else _anchored_area(area, shift, moved)
    if new == REF_ERROR:
        return REF_ERROR
    return ref[: len(ref) - len(area)] + new


def _anchored_area(area: str, shift: RowShift, moved: int) -> str:
    """An area of a format's or validation's formula: relative rows move with the anchor, absolute rows shift."""
    ends = area.split(":")
    if any(not _CELL.match(e) for e in ends) or len(ends) > 2:
        return _shift_area(area, shift)
    if len(ends) == 2 and all(_CELL.match(e).group(3) for e in ends):
        return _shift_area(area, shift)  # wholly absolute: as any range
    out = []
    for end in ends:
        m = _CELL.match(end)
        row = int(m.group(4))
        new = shift.row(row) if m.group(3) else row + moved
        if new is None or new < 1:
            return REF_ERROR
        out.append(f"{m.group(1)}{m.group(2)}{m.group(3)}{new}")
    return ":".join(out)


def top_row(sqref: str) -> int | None:
    """The first row of the first area of a range list (the cell a format's or validation's formula is written for)."""
    first = (sqref or "").split()[0] if (sqref or "").split() else ""
    m = re.match(r"^\$?[A-Za-z]{1,3}\$?(\d+)", first)
    return int(m.group(1)) if m else None


def shift_formula(formula: str, shift: RowShift, home: str | None, moved: int | None = None) -> str:
    """A formula (with or without its leading ``=``) after rows of ``shift.sheet`` were deleted; ``moved``: see
    shift_reference (a conditional format's or validation's formula on the shifted sheet)."""
    if not shift or not formula:
        return formula
    bare = not formula.startswith("=")
    try:
        tokens = Tokenizer("=" + formula if bare else formula)
    except Exception:  # not a formula the tokenizer understands: left exactly as it was
        return formula
    changed = False
    for token in tokens.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            new = shift_reference(token.value, shift, home, moved)
            if new != token.value:
                token.value, changed = new, True
    if not changed:
        return formula
    text = tokens.render()
    return text[1:] if bare else text


def shift_sqref(sqref: str, shift: RowShift) -> str:
    """A space-separated list of areas on the shifted sheet (merged cells, formats, validations); deleted areas dropped."""
    kept = [new for area in sqref.split() if (new := _shift_area(area, shift)) != REF_ERROR]
    return " ".join(kept)
