"""A small, general renderer for Excel templates a clerk can restyle.

A template is an ordinary worksheet. ``{{key}}`` in a cell is replaced by a value
(a cell that is only a placeholder keeps the value's type, so dates stay dates);
a row holding ``{{list.field}}`` placeholders is a repeating row, copied once per
item of ``list``. Everything else — text, fonts, fills, borders, widths, merged
cells, print setup, headers and footers — is copied as the template has it.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from copy import copy

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .master_edit import cell_value

PLACEHOLDER = re.compile(r"\{\{\s*([\w\u4e00-\u9fff]+)(?:\.([\w\u4e00-\u9fff]+))?\s*\}\}")
EMPTY_LIST_TEXT = "（无）"


def _text(value) -> str:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _fill(template: str, scope: dict):
    """The cell's new value: a lone placeholder keeps its value's type; otherwise text."""
    whole = PLACEHOLDER.fullmatch(template.strip())
    if whole:
        return cell_value(_lookup(scope, whole.group(1), whole.group(2)))
    return PLACEHOLDER.sub(lambda m: _text(_lookup(scope, m.group(1), m.group(2))), template)


def _lookup(scope: dict, name: str, field: str | None):
    value = scope.get(name)
    if field is not None:
        if isinstance(value, dict):
            return value.get(field)
        return None
    return value


def _repeat_list(ws: Worksheet, row: int) -> str | None:
    for cell in ws[row]:
        if isinstance(cell.value, str):
            for m in PLACEHOLDER.finditer(cell.value):
                if m.group(2):
                    return m.group(1)
    return None


def _copy_style(src, dst) -> None:
    """Copy a cell's style across workbooks; each distinct style is registered in the target book once."""
    if not src.has_style:
        return
    book = dst.parent.parent
    cache = book.__dict__.setdefault("_zoufang_styles", {})  # lives and dies with the target workbook
    key = (id(src.parent.parent), tuple(src._style))
    cached = cache.get(key)
    if cached is None:
        dst.font, dst.border, dst.fill = copy(src.font), copy(src.border), copy(src.fill)
        dst.number_format, dst.alignment, dst.protection = src.number_format, copy(src.alignment), copy(
            src.protection)
        cache[key] = copy(dst._style)
    else:
        dst._style = copy(cached)


LINE_HEIGHT = 13.5  # points per line of 10–11 pt text


def display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_row_height(ws: Worksheet, row: int) -> float | None:
    """Height that shows every wrapped cell of ``row`` in full (Excel and LibreOffice do not refit on open)."""
    lines = 1
    for cell in ws[row]:
        if isinstance(cell.value, str) and cell.alignment is not None and cell.alignment.wrap_text:
            width = ws.column_dimensions[cell.column_letter].width or 8.43
            chars = max(1.0, width - 1)
            need = sum(max(1, -(-display_width(part) // int(chars))) for part in cell.value.split("\n"))
            lines = max(lines, need)
    return LINE_HEIGHT * lines + 2 if lines > 1 else None


def _copy_setup(src: Worksheet, dst: Worksheet) -> None:
    for letter, dim in src.column_dimensions.items():
        dst.column_dimensions[letter].width = dim.width
        dst.column_dimensions[letter].hidden = dim.hidden
    ps_src, ps = src.page_setup, dst.page_setup
    for attr in ("orientation", "paperSize", "fitToWidth", "fitToHeight", "scale"):
        setattr(ps, attr, getattr(ps_src, attr))
    dst.sheet_properties.pageSetUpPr = copy(src.sheet_properties.pageSetUpPr)
    dst.page_margins = copy(src.page_margins)
    dst.print_options = copy(src.print_options)
    for part in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
        for side in ("left", "center", "right"):
            s, d = getattr(getattr(src, part), side), getattr(getattr(dst, part), side)
            d.text, d.size, d.font, d.color = s.text, s.size, s.font, s.color
    dst.sheet_view.showGridLines = src.sheet_view.showGridLines


def render_sheet(src: Worksheet, dst: Worksheet, scope: dict, title_context: dict | None = None) -> dict[int, int]:
    """Render template sheet ``src`` into empty sheet ``dst`` with ``scope``; return template row -> first new row."""
    _copy_setup(src, dst)
    merges_by_row: dict[int, list] = {}
    for rng in src.merged_cells.ranges:
        merges_by_row.setdefault(rng.min_row, []).append(rng)
    out_row = 1
    first_of: dict[int, int] = {}
    last_row, last_col = src.max_row, src.max_column  # each is a scan of every cell in openpyxl: ask once
    for r in range(1, last_row + 1):
        list_name = _repeat_list(src, r)
        items = [None] if list_name is None else list(scope.get(list_name) or [])
        empty = list_name is not None and not items
        if empty:
            items = [{}]
        first_of[r] = out_row
        height = src.row_dimensions[r].height if r in src.row_dimensions else None
        for item in items:
            row_scope = scope if item is None else {**scope, list_name: item}
            for c in range(1, last_col + 1):
                s = src.cell(r, c)
                d = dst.cell(out_row, c)
                _copy_style(s, d)
                value = s.value
                if isinstance(value, str) and "{{" in value:
                    value = _fill(value, row_scope)
                if isinstance(value, str):
                    d.value = cell_value(value)
                    d.data_type = "s"  # text from data is never a formula
                else:
                    d.value = value
            if empty:
                first = next((c for c in range(1, last_col + 1)
                              if isinstance(src.cell(r, c).value, str) and "{{" in src.cell(r, c).value), 1)
                dst.cell(out_row, first).value = EMPTY_LIST_TEXT
            if height and list_name is None:
                dst.row_dimensions[out_row].height = height
            elif list_name is not None:  # a repeated row grows with its wrapped text
                fitted = fit_row_height(dst, out_row)
                if fitted:
                    dst.row_dimensions[out_row].height = fitted
            for rng in merges_by_row.get(r, []):
                if rng.max_row == rng.min_row:
                    dst.merge_cells(start_row=out_row, end_row=out_row, start_column=rng.min_col,
                                    end_column=rng.max_col)
            out_row += 1
    for rng in src.merged_cells.ranges:  # blocks spanning several rows keep their shape
        if rng.max_row > rng.min_row:
            top = first_of[rng.min_row]
            dst.merge_cells(start_row=top, end_row=top + rng.max_row - rng.min_row, start_column=rng.min_col,
                            end_column=rng.max_col)
    if src.print_title_rows:
        rows = [int(x) for x in re.findall(r"\d+", src.print_title_rows)]
        dst.print_title_rows = f"{first_of.get(rows[0], rows[0])}:{first_of.get(rows[-1], rows[-1])}"
    dst.print_area = f"A1:{get_column_letter(last_col)}{out_row - 1}"
    return first_of


def records(frame: pd.DataFrame, columns: dict[str, str]) -> list[dict]:
    """Rows of ``frame`` as dicts for a repeating row: template field -> frame column."""
    if frame.empty:
        return []
    picked = frame[list(columns.values())].astype(object).where(frame[list(columns.values())].notna(), None)
    picked.columns = list(columns.keys())
    return picked.to_dict("records")
