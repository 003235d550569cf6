"""The template language for Excel templates a clerk can restyle (rendered by template_xlsx).

A template is an ordinary worksheet. ``{{key}}`` in a cell is replaced by a value
(a cell that is only a placeholder keeps the value's type, so dates stay dates);
a row holding ``{{list.field}}`` placeholders is a repeating row, copied once per
item of ``list``. Everything else — text, fonts, fills, borders, widths, merged
cells, print setup, headers and footers — is carried as the template has it.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from zoufang.contract.periods import cn_date
from zoufang.xlsx.values import cell_value

PLACEHOLDER = re.compile(r"\{\{\s*([\w\u4e00-\u9fff]+)(?:\.([\w\u4e00-\u9fff]+))?\s*\}\}")
EMPTY_LIST_TEXT = "（无）"


def _text(value) -> str:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return cn_date(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def fill(template: str, scope: dict):
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


def repeat_list(ws: Worksheet, row: int) -> str | None:
    """The list a template row repeats over (from its ``{{list.field}}`` placeholders), or None."""
    for cell in ws[row]:
        if isinstance(cell.value, str):
            for m in PLACEHOLDER.finditer(cell.value):
                if m.group(2):
                    return m.group(1)
    return None


LINE_HEIGHT = 14.6  # points per line of 10 pt text, in proportion at other sizes: LibreOffice spaces lines by its
#                    CJK face (Noto Sans CJK, 1.45 em), Excel by 宋体 (1.3 em)


def records(frame: pd.DataFrame, columns: dict[str, str]) -> list[dict]:
    """Rows of ``frame`` as dicts for a repeating row: template field -> frame column."""
    if frame.empty:
        return []
    picked = frame[list(columns.values())].astype(object).where(frame[list(columns.values())].notna(), None)
    picked.columns = list(columns.keys())
    return picked.to_dict("records")
