"""How wide a sheet's columns print, on the machine that makes them widest.

A column width is stored in characters of the workbook's default font; each client turns it into pixels with the
widest digit of that font as it has it. Excel with Calibri (or LibreOffice with Carlito) takes 7 px a character;
LibreOffice without Carlito, or with 宋体 as the default font, falls back to DejaVu Sans and takes 9.5 px. A sheet
fitted to the page width is shrunk by the ratio, so its columns are sized here for the widest case: text set at
10 pt then prints at 9 pt or more everywhere.
"""
from __future__ import annotations

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


def wrapped_lines(value, width: float) -> int:
    """How many lines a text cell of ``width`` characters wraps to at 10 pt (CJK characters count two, one
    character of padding): the clients do not refit the height of a row a writer set or left alone."""
    if not isinstance(value, str) or not value:
        return 1
    room = max(int(width) - 1, 1)
    return sum(max(-(-display_width(part) // room), 1) for part in value.split("\n"))


def row_height(values: list, widths: list[float]) -> float:
    """The height in points of a row of 10 pt text whose cells wrap in columns ``widths``."""
    return LINE_PT * max([wrapped_lines(v, w) for v, w in zip(values, widths)] or [1]) + 3
