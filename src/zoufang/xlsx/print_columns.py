"""A table sheet laid out to print: every column on the page's width, text at 9 pt or more, nothing clipped.

For the marked copy (checks/annotate.py): a clerk's ledger sheet has a dozen columns wider together than any page.
Columns that must not wrap (numbers, ids, dates, names, choices) get the width their longest entry needs on the
client that prints them narrowest; free text wraps in what is left, each row as tall as its text. A4 landscape when
that holds the columns at 9 pt, else A3 landscape (wide ledgers, as offices print them). Every cell may wrap: an
odd entry longer than its column's usual ones (a date typed as 2011年10月8号) takes a second line, never clipped.
"""
from __future__ import annotations

import datetime as dt
import math

from openpyxl.styles import Alignment
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from zoufang.contract.schema import Kind, Sheet
from zoufang.xlsx.print_fit import NARROWEST_DIGIT_PX, PAGES_TALL, PAPER_POINTS, fit_scale, row_height, text_points

SMALLEST_PT, BODY_PT = 9, 10  # the smallest text on paper; the sheets' text (宋体 10)
MARGINS_IN = (0.4, 0.4)  # left, right
PAPERS = (9, 8)  # A4, then A3
WRAP_MIN = 8  # a text column keeps four CJK characters a line
WRAP_WANT = 30  # and grows to this where the page has room


def width_for(text: str) -> float:
    """The column width (characters of the default font) that shows ``text`` whole on the narrowest client
    (7 px a character, 5 px of padding: a width of w is 5.25 w + 3.75 points)."""
    return max((text_points(text) + 6 - 3.75) / 5.25, 4.0)


def shown(value) -> str:
    """A cell's value as it prints: a day as 2011-09-05, a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def usual_width(widths: list[float]) -> float:
    """The width that shows 99 in 100 of a column's entries whole (0 for none)."""
    if not widths:
        return 0.0
    ordered = sorted(widths)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def wraps(spec: Sheet, header) -> bool:
    """Free text and unit names give up width to the rest (the contract's text and unit columns, and a clerk's own
    columns); ids, days, people's names and choices keep their usual entry on one line."""
    kinds = {c.label: c.kind for c in spec.columns}
    return kinds.get(header.strip() if isinstance(header, str) else header, Kind.TEXT) in (Kind.TEXT, Kind.UNIT)


def _fits(widths: list[float], paper: int) -> bool:
    return fit_scale(widths, paper, True, *MARGINS_IN) * BODY_PT >= SMALLEST_PT - 1e-9


def widths_on(paper: int, needs: list[float], wrapping: list[bool], wants: list[float]) -> list[float] | None:
    """Column widths on ``paper`` (landscape) at 9 pt or more: the wrapping ones at their least, then grown toward
    ``wants`` while the page still prints at 9 pt; None where even the least do not fit."""
    least = [WRAP_MIN if w else n for n, w in zip(needs, wrapping)]
    if not _fits(least, paper):
        return None

    def grown(t: float) -> list[float]:
        return [lw + t * (max(want, lw) - lw) if w else lw for lw, want, w in zip(least, wants, wrapping)]
    if _fits(grown(1.0), paper):
        return grown(1.0)
    lo, hi = 0.0, 1.0
    for _ in range(20):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _fits(grown(mid), paper) else (lo, mid)
    return grown(lo)


def sheets_of_paper(paper: int, widths: list[float], heights: list[float]) -> float:
    """How many A4 sheets the rows take on ``paper`` (an A3 counts two), printed as large as any client prints."""
    scale = fit_scale(widths, paper, True, *MARGINS_IN, NARROWEST_DIGIT_PX)
    room = PAPER_POINTS[paper][0] - 1.5 * 72  # landscape: the short side, less the top and bottom margins
    return math.ceil(sum(heights) * scale / room) * (2 if paper == 8 else 1)


def plan_page(texts: list[list[str]], needs: list[float], wrapping: list[bool],
              wants: list[float]) -> tuple[int, list[float], list[float]]:
    """(paper, widths, row heights): of the papers that hold the columns at 9 pt, the one that prints the rows on
    the fewest A4 sheets (A4 on a tie); A3 when none holds them."""
    best = None
    for paper in PAPERS:
        widths = widths_on(paper, needs, wrapping, wants)
        if widths is None:
            continue
        heights = [row_height(list(row), widths) for row in zip(*texts)]
        cost = sheets_of_paper(paper, widths, heights)
        if best is None or cost < best[0]:
            best = (cost, paper, widths, heights)
    if best is None:
        widths = [WRAP_MIN if w else n for n, w in zip(needs, wrapping)]
        return PAPERS[-1], widths, [row_height(list(row), widths) for row in zip(*texts)]
    return best[1:]


def wrap_all(ws, last: int, n: int) -> None:
    """Every cell of rows 1..``last``, columns 1..``n`` wrapped and set at the top, its horizontal alignment kept.
    Each distinct alignment is made once and given to the cells by its index: openpyxl otherwise compares a new
    alignment with every one it holds, cell by cell (seconds for a sheet of 2,000 rows)."""
    alignments = ws.parent._alignments
    wrapped: dict[int, int] = {}
    for row in ws.iter_rows(min_row=1, max_row=last, max_col=n):
        for cell in row:
            if not cell._style:  # a cell made just now has no style of its own yet
                cell._style = StyleArray()
            old = cell._style.alignmentId
            if old not in wrapped:
                a = alignments[old]
                wrapped[old] = alignments.add(Alignment(horizontal=a.horizontal, vertical="top", wrap_text=True))
            cell._style.alignmentId = wrapped[old]


def lay_out_for_print(ws, spec: Sheet) -> None:
    """Widths, wrapping, row heights and page set-up of table sheet ``ws`` (headings in row 1) of contract ``spec``."""
    n, last = ws.max_column, ws.max_row
    heads = [ws.cell(1, j).value for j in range(1, n + 1)]
    columns = list(ws.iter_cols(min_row=1, max_row=last, max_col=n, values_only=True))
    texts = [[shown(v) for v in col] for col in columns]
    wrapping = [wraps(spec, h) for h in heads]
    needs = [max(usual_width([width_for(t) for t in col[1:] if t]), width_for(str(h or "")) / 2 + 1, 6)
             for col, h in zip(texts, heads)]  # a heading may take two lines
    wants = [max(WRAP_WANT, min(ws.column_dimensions[get_column_letter(j)].width or 0, 40)) for j in range(1, n + 1)]
    paper, widths, heights = plan_page(texts, needs, wrapping, wants)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = math.floor(width * 10) / 10  # never wider than planned
    wrap_all(ws, last, n)
    for i, height in enumerate(heights, start=1):
        ws.row_dimensions[i].height = height
    ws.page_setup.paperSize, ws.page_setup.orientation = paper, "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, PAGES_TALL
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right = MARGINS_IN
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
