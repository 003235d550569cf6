"""Rendering templates with XlsxWriter: the template is read once (openpyxl), output is streamed.

Same template language as ``template_render``: ``{{key}}`` values, rows holding
``{{list.field}}`` repeat per item. Each distinct template style becomes one
XlsxWriter format per output workbook; widths, merged cells, row heights, print
setup, headers and footers are carried over. Text is always written as text.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import xlsxwriter
from openpyxl.worksheet.worksheet import Worksheet

from zoufang.contract.cells import display_width
from zoufang.ledgers.template_render import EMPTY_LIST_TEXT, LINE_HEIGHT, PLACEHOLDER, fill, repeat_list
from zoufang.xlsx.print_fit import (
    NARROWEST_DIGIT_PX, PAPER_POINTS, WIDEST_DIGIT_PX, broken_lines, fit_scale, stored_width,
)
from zoufang.xlsx.values import cell_value


def _compile(value):
    """How a template cell gets its value: ("lone", name, field), ("text", template) or ("static", value)."""
    if isinstance(value, str) and "{{" in value:
        whole = PLACEHOLDER.fullmatch(value.strip())
        return ("lone", whole.group(1), whole.group(2)) if whole else ("text", value)
    return ("static", value)

_BORDERS = {None: 0, "thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "thick": 5, "double": 6, "hair": 7,
            "mediumDashed": 8, "dashDot": 9, "mediumDashDot": 10, "dashDotDot": 11, "mediumDashDotDot": 12,
            "slantDashDot": 13}


def _rgb(color) -> str | None:
    if color is None or color.type != "rgb" or not isinstance(color.rgb, str):
        return None
    return "#" + color.rgb[-6:]


def _style_of(cell) -> tuple:
    """A hashable description of an openpyxl cell's style."""
    if not cell.has_style:
        return ()
    f, a, b, fill = cell.font, cell.alignment, cell.border, cell.fill
    return (
        f.name, f.sz, bool(f.b), bool(f.i), f.u, _rgb(f.color),
        _rgb(fill.fgColor) if fill is not None and fill.fill_type == "solid" else None,
        tuple((getattr(b, side).style, _rgb(getattr(b, side).color)) for side in ("left", "right", "top", "bottom")),
        a.horizontal, a.vertical, bool(a.wrap_text), cell.number_format,
    )


def _format_dict(style: tuple) -> dict:
    if not style:
        return {}
    name, size, bold, italic, underline, color, fill, borders, horizontal, vertical, wrap, number = style
    out: dict = {"font_name": name, "bold": bold, "italic": italic}
    if size:
        out["font_size"] = size
    if underline:
        out["underline"] = 1
    if color:
        out["font_color"] = color
    if fill:
        out["bg_color"] = fill
        out["pattern"] = 1
    for side, (kind, colour) in zip(("left", "right", "top", "bottom"), borders):
        if kind:
            out[side] = _BORDERS.get(kind, 1)
            if colour:
                out[f"{side}_color"] = colour
    if horizontal and horizontal != "general":
        out["align"] = {"centerContinuous": "center_across"}.get(horizontal, horizontal)
    if vertical:
        out["valign"] = {"center": "vcenter"}.get(vertical, vertical)
    if wrap:
        out["text_wrap"] = True
    if number and number != "General":
        out["num_format"] = number
    return out


def _points(size: float | None) -> float:
    """A cell's font size as it prints: Calibri's 11 when the template says none, never planned below 10."""
    return max(size or 11, 10)


def _chars_per_line(width: float, size: float | None) -> int:
    """Display units (CJK two) a column stored ``width`` characters wide holds on a line of text at ``size``: one
    character of padding, and a 10 pt CJK character a little narrower than two characters of the default font."""
    return max(1, int((width - 1) * 10 / _points(size)))


def _taller(template: float | None, fitted: float | None) -> float | None:
    """A fixed row's height: the template's, or taller when its filled text needs more lines (a line never clipped)."""
    if fitted is None or (template is not None and template >= fitted):
        return template
    return fitted


@dataclass
class Template:
    """One template sheet, read once."""

    rows: list[list[tuple[object, tuple]]]  # per row: (value, style) for each column
    repeat: list[str | None]  # list name of a repeating row
    heights: list[float | None]
    widths: dict[int, float]
    merges: list[tuple[int, int, int, int]]  # min_row, min_col, max_row, max_col (1-based)
    setup: dict = field(default_factory=dict)
    programs: list[list[tuple]] = field(default_factory=list)  # per row: _compile of each cell
    styles: list[tuple] = field(default_factory=list)  # distinct styles
    style_ids: list[list[int]] = field(default_factory=list)  # per row: index into styles of each cell
    terms: tuple[str, ...] = ()  # words a printed line keeps whole (names, enumerations): print_fit.broken_lines

    def __post_init__(self):
        index: dict[tuple, int] = {}
        self.style_ids = [[index.setdefault(style, len(index)) for _, style in row] for row in self.rows]
        self.styles = list(index)
        # per row: (column, characters per line) of the cells that wrap their text; a cell merged across columns
        # (on one row) wraps in their joint width
        width = {(r1 - 1, c1 - 1): sum(stored_width(self.widths.get(c) or 8.43) for c in range(c1, c2 + 1))
                 for r1, c1, r2, c2 in self.merges if r1 == r2}  # as the renderer writes them: each with padding
        covered = {(r1 - 1, c) for r1, c1, r2, c2 in self.merges if r1 == r2 for c in range(c1, c2)}
        self.wrapping = [[(c, _chars_per_line(width.get((r, c), stored_width(self.widths.get(c + 1) or 8.43)),
                                              style[1]))
                          for c, (_, style) in enumerate(row) if style and style[10] and (r, c) not in covered]
                         for r, row in enumerate(self.rows)]
        self.line_heights = [LINE_HEIGHT * max([_points(style[1]) for _, style in row if style and style[10]] or [10])
                             / 10 for row in self.rows]

    def plan(self, scope: dict) -> list[tuple[int, list, float | None]]:
        """The rows to write for ``scope``: (template row, cell values, height) — reusable across books."""
        out = []
        for r, program in enumerate(self.programs):
            list_name = self.repeat[r]
            if list_name is None:
                values = self._broken(r, [_value(p, scope) for p in program])
                out.append((r, values, _taller(self.heights[r], self._fit(r, values))))
                continue
            items = list(scope.get(list_name) or [])
            if not items:
                values = [_value(p, {**scope, list_name: {}}) for p in program]
                first = next((c for c, p in enumerate(program) if p[0] != "static"), 0)
                values[first] = EMPTY_LIST_TEXT
                out.append((r, values, None))
                continue
            for item in items:
                merged = None  # the scope with this item, made only for cells that need more than the item
                values = []
                for p in program:
                    if p[0] == "lone" and p[1] == list_name and p[2] is not None:
                        value = item.get(p[2]) if isinstance(item, dict) else None
                    elif p[0] == "static":
                        value = p[1]
                    else:
                        merged = merged or {**scope, list_name: item}
                        value = _run(p, merged)
                    values.append(_cell(value))
                values = self._broken(r, values)
                out.append((r, values, self._fit(r, values)))
        return out

    def _broken(self, r: int, values: list) -> list:
        """Each wrapped cell's text broken into the lines it prints in, words whole (print_fit.broken_lines)."""
        for c, chars in self.wrapping[r]:
            if type(values[c]) is str:
                values[c] = broken_lines(values[c], chars, self.terms)
        return values

    def _fit(self, r: int, values: list) -> float | None:
        """Height that shows every wrapped cell of a repeated row in full (Excel does not refit on open)."""
        lines = 1
        for c, chars in self.wrapping[r]:
            value = values[c]
            if type(value) is str:
                if "\n" in value:
                    need = sum(-(-display_width(part) // chars) or 1 for part in value.split("\n"))
                else:
                    need = -(-display_width(value) // chars)
                if need > lines:
                    lines = need
        return self.line_heights[r] * lines + 2 if lines > 1 else None

    @classmethod
    def of(cls, ws: Worksheet, terms: tuple[str, ...] = ()) -> "Template":
        """The template sheet ``ws``; ``terms``: words its printed lines keep whole."""
        last_row, last_col = ws.max_row, ws.max_column
        rows = [[(ws.cell(r, c).value, _style_of(ws.cell(r, c))) for c in range(1, last_col + 1)]
                for r in range(1, last_row + 1)]
        from openpyxl.utils import column_index_from_string
        widths = {column_index_from_string(k): d.width for k, d in ws.column_dimensions.items() if d.width}
        ps = ws.page_setup
        setup = {
            "paper": int(ps.paperSize) if ps.paperSize else None, "landscape": ps.orientation == "landscape",
            "fit": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
            "fit_width": ps.fitToWidth if ps.fitToWidth is not None else 1,
            "fit_height": ps.fitToHeight if ps.fitToHeight is not None else 0,  # 0 here, not print_fit.PAGES_TALL:
            # LibreOffice keeps this renderer's page breaks only in the fit-to-width-only mode
            "margins": (ws.page_margins.left, ws.page_margins.right, ws.page_margins.top, ws.page_margins.bottom),
            "header": _hf(ws.oddHeader), "footer": _hf(ws.oddFooter),
            "titles": [int(x) for x in re.findall(r"\d+", ws.print_title_rows)] if ws.print_title_rows else [],
            "gridlines": ws.sheet_view.showGridLines,
        }
        return cls(rows, [repeat_list(ws, r) for r in range(1, last_row + 1)],
                   [ws.row_dimensions[r].height if r in ws.row_dimensions else None for r in range(1, last_row + 1)],
                   widths, [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges], setup,
                   [[_compile(v) for v, _ in row] for row in rows], terms=terms)


def _hf(part) -> str:
    out = ""
    for code, side in (("&L", part.left), ("&C", part.center), ("&R", part.right)):
        if side.text:
            size = f"&{int(side.size)}" if side.size else ""
            out += f"{code}{size}{side.text}"
    return out


def _value(program: tuple, scope: dict):
    return _cell(_run(program, scope))


def _cell(value):
    """A value as written: text checked for characters a cell cannot hold only when needed."""
    return value if type(value) is str and value.isprintable() else cell_value(value)


def _run(program: tuple, scope: dict):
    kind = program[0]
    if kind == "static":
        return program[1]
    if kind == "text":
        return fill(program[1], scope)
    value = scope.get(program[1])
    if program[2] is not None:
        return value.get(program[2]) if isinstance(value, dict) else None
    return value


# ------------------------------------------------------------------ pages
DEFAULT_HEIGHT = 15.0  # XlsxWriter's default row height (Calibri 11)
PAGE_SAFETY = 0.95  # a page is filled to 95 %: the clients' own rounding never adds a break of theirs


@dataclass
class Pages:
    """A plan laid out on pages: the rows with repeated table headings inserted, and the manual breaks."""

    rows: list  # (template row, values, height)
    breaks: list[int]  # 0-based output rows that start a new page

    @property
    def count(self) -> int:
        return len(self.breaks) + 1


def paper_points(tpl: Template) -> tuple[float, float]:
    """(width, height) of the template's paper as it is printed (landscape turned), in points."""
    s = tpl.setup
    portrait = PAPER_POINTS.get(s.get("paper") or 9, PAPER_POINTS[9])
    return (portrait[1], portrait[0]) if s.get("landscape") else portrait


def print_scale(tpl: Template, digit_px: float = WIDEST_DIGIT_PX) -> float:
    """The fit-to-width scale the template's columns print at (1 when they fit or nothing is fitted): by default
    on the widest-rendering client, where text prints smallest."""
    s = tpl.setup
    left, right, _, _ = s["margins"]
    ncols = len(tpl.rows[0]) if tpl.rows else 0
    widths = [tpl.widths.get(c, 8.43) for c in range(1, ncols + 1)]
    return fit_scale(widths, s.get("paper") or 9, bool(s.get("landscape")), left, right, digit_px) if s.get(
        "fit") else 1.0


def paginate(tpl: Template, plan: list) -> Pages:
    """Lay ``plan`` out on the template's paper so that every page that continues a table starts with
    that table's column headings, a section heading (and the lines between it and its table) never ends a page,
    and the closing lines (the signatures) never stand on a page without the last rows of the last table.

    Row heights are made explicit (so that the clients do not refit them), the print scale is the
    fit-to-width scale of the template's columns, and the print-title rows repeated on every page
    count against each page after the first.
    """
    s = tpl.setup
    _, _, top, bottom = s["margins"]
    capacity = (paper_points(tpl)[1] - (top + bottom) * 72) * PAGE_SAFETY / print_scale(tpl, NARROWEST_DIGIT_PX)
    height = [h if h else DEFAULT_HEIGHT for _, _, h in plan]
    rows = [(r, v, h) for (r, v, _), h in zip(plan, height)]
    titles = s.get("titles") or []
    title_rows = set(range(titles[0] - 1, titles[-1])) if titles else set()
    repeat = tpl.repeat
    heading_of = {r: r - 1 for r, name in enumerate(repeat) if name and r > 0 and not repeat[r - 1]}
    headings = set(heading_of.values())
    kept = _kept_together(rows, repeat, headings, title_rows)
    out, breaks, used, title_height = [], [], 0.0, 0.0
    current_heading = None  # the column headings of the table being written
    for i, (r, values, h) in enumerate(rows):
        if r in title_rows and not breaks:
            title_height += h
        need = sum(x[2] for x in rows[i:kept[i]]) if i in kept else h
        if used + need > capacity and out and used > title_height:
            breaks.append(len(out))
            used = title_height
            if (repeat[r] is not None and current_heading is not None and r in heading_of
                    and heading_of[r] not in title_rows):  # a heading among the print titles repeats by itself
                out.append(current_heading)
                used += current_heading[2]
        if r in headings:
            current_heading = (r, values, h)
        elif repeat[r] is None and r not in title_rows:
            current_heading = current_heading if r + 1 in headings else None
        out.append((r, values, h))
        used += h
    return Pages(out, breaks)


KEPT_TAIL_ROWS = 2  # the last rows of the last table printed with the signature lines
LEAD_LINES = 2  # lines between a section heading and its table (三、调研记录 and its note)


def _kept_together(rows: list, repeat: list, headings: set, title_rows: set) -> dict[int, int]:
    """For a row that must not end a page, the index after the rows it goes with: a column heading or a section
    line (up to LEAD_LINES before a column heading) with everything up to its table's first row; the last rows of
    the last table with the closing lines after it (and a heading of that table with them)."""
    body = [i for i, (r, _, _) in enumerate(rows) if repeat[r] is not None and r not in headings]
    tail_start = len(rows)
    if body and any(v not in (None, "") for _, values, _ in rows[body[-1] + 1:] for v in values):
        tail_start = body[-1]
        for k in reversed(body[-KEPT_TAIL_ROWS:-1]):
            if any(rows[x][0] in headings for x in range(k, tail_start)):
                break
            tail_start = k
    kept = {tail_start: len(rows)} if tail_start < len(rows) else {}
    for i, (r, _, _) in enumerate(rows):
        if r in title_rows or (repeat[r] is not None and r not in headings):
            continue
        j = i
        while j < len(rows) and j - i <= LEAD_LINES and repeat[rows[j][0]] is None and rows[j][0] not in headings:
            j += 1
        if j < len(rows) and rows[j][0] in headings:
            first = next((k for k in body if k > j), None)
            kept[i] = len(rows) if first is None or first >= tail_start else first + 1
    return kept


class Renderer:
    """Renders templates into one XlsxWriter workbook, one format per distinct style."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.formats: dict[tuple, object] = {}
        self.date_formats: dict[tuple, object] = {}

    def _format(self, style: tuple, date: bool = False):
        cache = self.date_formats if date else self.formats
        if style not in cache:
            spec = _format_dict(style)
            if date and "num_format" not in spec:
                spec["num_format"] = 'yyyy"年"m"月"d"日"'
            cache[style] = self.book.add_format(spec) if spec else None
        return cache[style]

    def render(self, tpl: Template, name: str, scope: dict, plan: list | None = None,
               pages: Pages | None = None) -> Pages:
        """Add sheet ``name`` rendered from ``tpl`` with ``scope`` (or a plan, or pages, already made from it)."""
        pages = pages or paginate(tpl, plan if plan is not None else tpl.plan(scope))
        ws = self.book.add_worksheet(name)
        ncols = len(tpl.rows[0]) if tpl.rows else 0
        for c, width in tpl.widths.items():
            ws.set_column(c - 1, c - 1, width)
        single_merges: dict[int, list] = {}
        block_merges = []
        for r1, c1, r2, c2 in tpl.merges:
            (single_merges.setdefault(r1 - 1, []).append((c1 - 1, c2 - 1)) if r1 == r2
             else block_merges.append((r1, c1, r2, c2)))
        formats = [self._format(st) for st in tpl.styles]
        date_formats = [self._format(st, True) for st in tpl.styles]
        first_of: dict[int, int] = {}
        out = 0  # 0-based output row
        for r, values, height in pages.rows:
            first_of.setdefault(r + 1, out)
            ids = tpl.style_ids[r]
            merged = single_merges.get(r, ())
            starts = {c1 for c1, _ in merged}
            skip = {c for c1, c2 in merged for c in range(c1, c2 + 1)}
            for c1, c2 in merged:
                value = values[c1]
                fmt = (date_formats if isinstance(value, dt.datetime) else formats)[ids[c1]]
                ws.merge_range(out, c1, out, c2, "", fmt)
            for c, value in enumerate(values):
                if c in skip and c not in starts:
                    continue
                if value is None:
                    if formats[ids[c]] is not None and c not in starts:
                        ws.write_blank(out, c, None, formats[ids[c]])
                elif type(value) is str:
                    ws.write_string(out, c, value, formats[ids[c]])
                elif isinstance(value, dt.datetime):
                    ws.write_datetime(out, c, value, date_formats[ids[c]])
                elif isinstance(value, bool):
                    ws.write_string(out, c, "是" if value else "否", formats[ids[c]])
                elif isinstance(value, (int, float)):
                    ws.write_number(out, c, value, formats[ids[c]])
                else:
                    ws.write_string(out, c, str(value), formats[ids[c]])
            if height:
                ws.set_row(out, height)
            out += 1
        for r1, c1, r2, c2 in block_merges:
            top = first_of[r1]
            ws.merge_range(top, c1 - 1, top + r2 - r1, c2 - 1, "", formats[tpl.style_ids[r1 - 1][c1 - 1]])
        self._setup(ws, tpl, first_of, out, ncols)
        if pages.breaks:
            ws.set_h_pagebreaks(pages.breaks)
        return pages

    @staticmethod
    def _setup(ws, tpl: Template, first_of: dict[int, int], rows: int, ncols: int) -> None:
        s = tpl.setup
        if s.get("paper"):
            ws.set_paper(s["paper"])
        if s.get("landscape"):
            ws.set_landscape()
        else:
            ws.set_portrait()
        if s.get("fit"):
            ws.fit_to_pages(s["fit_width"], s["fit_height"])
        left, right, top, bottom = s["margins"]
        ws.set_margins(left=left, right=right, top=top, bottom=bottom)
        if s["header"]:
            ws.set_header(s["header"])
        if s["footer"]:
            ws.set_footer(s["footer"])
        if s["titles"]:
            ws.repeat_rows(first_of.get(s["titles"][0], 0), first_of.get(s["titles"][-1], 0))
        if not s["gridlines"]:
            ws.hide_gridlines(2)
        if rows and ncols:
            ws.print_area(0, 0, rows - 1, ncols - 1)
