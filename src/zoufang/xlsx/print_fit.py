"""How wide a sheet's columns print, on the machine that makes them widest.

A column width is stored in characters of the workbook's default font; each client turns it into pixels with the
widest digit of that font as it has it. Excel with Calibri (or LibreOffice with Carlito) takes 7 px a character;
LibreOffice without Carlito, or with 宋体 as the default font, falls back to DejaVu Sans and takes 9.5 px. A sheet
fitted to the page width is shrunk by the ratio, so its columns are sized here for the widest case: text set at
10 pt then prints at 9 pt or more everywhere.
"""
from __future__ import annotations

import functools
import math
import re

from zoufang.contract.cells import display_width

WIDEST_DIGIT_PX = 9.5  # LibreOffice's fallback for a default font it lacks (DejaVu Sans 11): width 10 → 100 px
NARROWEST_DIGIT_PX = 7.0  # Excel's Calibri 11, LibreOffice's Carlito: the largest print, which pages are planned for
PAPER_POINTS = {9: (595.3, 841.9), 8: (841.9, 1190.6), 11: (419.5, 595.3)}  # A4, A3, A5 (portrait w, h)


def column_points(width: float, digit_px: float = WIDEST_DIGIT_PX) -> float:
    """A column width in character units as points on the printed sheet. The file stores the width with Calibri's
    5 px of padding as characters (XlsxWriter and openpyxl alike); a client multiplies that by its ``digit_px``."""
    stored = (int(width * NARROWEST_DIGIT_PX + 0.5) + 5) / NARROWEST_DIGIT_PX
    return stored * digit_px * 0.75


def span_px(widths: list[float]) -> int:
    """The pixels columns ``widths`` span on the narrowest client: a chart wider than that widens the printed area
    beyond the columns and shrinks the whole page."""
    return int(sum(column_points(w, NARROWEST_DIGIT_PX) for w in widths) / 0.75)


def printable_width(paper: int, landscape: bool, left_in: float, right_in: float) -> float:
    w, h = PAPER_POINTS.get(paper or 9, PAPER_POINTS[9])
    return (h if landscape else w) - (left_in + right_in) * 72


def fit_scale(widths: list[float], paper: int, landscape: bool, left_in: float, right_in: float,
              digit_px: float = WIDEST_DIGIT_PX) -> float:
    """The fit-to-width scale of columns ``widths`` (1 when they fit) on the client that takes ``digit_px`` a
    character: by default the widest-rendering one, where the text prints smallest."""
    content = sum(column_points(w, digit_px) for w in widths) or 1
    return min(1.0, printable_width(paper, landscape, left_in, right_in) / content)


LINE_PT = 13.5  # a line of 10 pt text
PAGES_TALL = 999  # fit to one page wide and as many tall as it takes. Not 0 ("automatic"), which LibreOffice reads
#                   so that it dropped the last row of a 150-row 校验结果 (15 pages printed of 16) — except where a
#                   sheet's own page breaks must hold (the ledgers): LibreOffice keeps them only with 0


def wrapped_lines(value, width: float) -> int:
    """How many lines a text cell of ``width`` characters wraps to at 10 pt (CJK characters count two, one
    character of padding): the clients do not refit the height of a row a writer set or left alone."""
    if not isinstance(value, str) or not value:
        return 1
    room = max(int(width) - 1, 1)
    lines = 0
    for part in value.split("\n"):
        wide = text_units(part)
        longest = max((text_units(w) for w in _LATIN_WORD.findall(part)), default=0)
        lines += max(math.ceil(wide / room), 1) + (wide > room and longest >= 6)  # a long word of letters and
    return lines  # digits goes whole to the next line: the line before it ends short


_LATIN_WORD = re.compile(r"[A-Za-z0-9/_.:-]{2,}")
_WIDE_LATIN = set("MWmw@%")
_CJK_MARKS = set("“”‘’…—·")  # of ambiguous width: drawn full width from the CJK face beside Chinese text


def _weighed(text: str, weights: tuple[float, float, float, float]) -> float:
    """The sum over ``text`` of ``weights``: (CJK and full-width forms, M and W, other capitals, the rest)."""
    cjk, wide, upper, rest = weights
    total = 0.0
    for ch in text:
        if ch in _CJK_MARKS or display_width(ch) == 2:
            total += cjk
        elif ch in _WIDE_LATIN:
            total += wide
        elif ch.isupper():
            total += upper
        else:
            total += rest
    return total


@functools.lru_cache(maxsize=65536)
def text_units(text: str) -> float:
    """The width of ``text`` at 10 pt in character units of a column (7 px at 100 %): CJK and full-width forms 2,
    M and W 1.8, other capitals 1.3, the rest — figures, small letters — 1.05, as the clients' fallback faces draw
    them (Noto Sans CJK for 宋体, DejaVu Sans in the widest case, where a column is wider too)."""
    return _weighed(text, (2, 1.8, 1.3, 1.05))


def text_points(text: str, size: float = 10) -> float:
    """How wide ``text`` prints at ``size`` in the widest face a client may fall back to (a pessimistic sum: CJK and
    full-width forms one em, M and W 0.95, other capitals 0.75, the rest — digits, small letters — 0.62)."""
    return _weighed(text, (1.0, 0.95, 0.75, 0.62)) * size


def row_height(values: list, widths: list[float]) -> float:
    """The height in points of a row of 10 pt text whose cells wrap in columns ``widths``."""
    return LINE_PT * max([wrapped_lines(v, w) for v, w in zip(values, widths)] or [1]) + 3


NO_LINE_START = frozenset("、，。；：？！）》」』】〉”’…%,.;:?!)]}")  # marks a line never begins with (Chinese 避头点)
NO_LINE_END = frozenset("（《「『【〈“‘([{")  # nor ends with
_MARKS = NO_LINE_START | NO_LINE_END


def kept_marks(text: str, chars: int) -> str:
    """``text`` broken into lines of at most ``chars`` display units (CJK two, the rest one, as Excel counts) — fewer
    than any client fits in the cell, so none wraps them again — and never where a line would begin with 、，。… or
    end with （“…: the character before such a mark goes down with it (Calc and Excel apply no such rule in a cell).
    A text that fits on one line, or holds no such mark, is returned as it is: the client wraps it."""
    if not isinstance(text, str) or display_width(text) <= chars or not (set(text) & _MARKS):
        return text
    out = []
    for part in text.split("\n"):
        lines, line = [], []
        for token in _TOKEN.findall(part):  # a run of letters, figures and signs (75%/100%, P0046) stays whole
            while display_width(token) > chars:  # unless it is longer than a line
                room = chars - display_width("".join(line))
                if room <= 0:
                    lines.append("".join(line))
                    line, room = [], chars
                lines.append("".join(line) + token[:room])
                line, token = [], token[room:]
            if line and display_width("".join(line) + token) > chars:
                cut = len(line)  # the new line begins with line[cut:] + token: move the cut back past the marks
                while cut > 1 and ((line[cut:] or [token])[0][0] in NO_LINE_START or line[cut - 1][-1] in NO_LINE_END):
                    cut -= 1
                lines.append("".join(line[:cut]))
                line = line[cut:]
            line.append(token)
        lines.append("".join(line))
        out.append("\n".join(lines))
    return "\n".join(out)


_TOKEN = re.compile(r"[!-~]+|.", re.S)
