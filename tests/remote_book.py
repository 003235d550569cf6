"""xlwings' own remote engine as a test client: a payload from a real .xlsx, actions applied back to it.

Only the actions zoufang's bound functions use are applied; any other action fails the test.
"""
from __future__ import annotations

import datetime as dt
import os
import re

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # PolyForm Noncommercial: government use

import openpyxl  # noqa: E402
import xlwings as xw  # noqa: E402
from openpyxl.comments import Comment  # noqa: E402
from openpyxl.styles import PatternFill  # noqa: E402
from openpyxl.worksheet.hyperlink import Hyperlink  # noqa: E402

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?)?$")


def _json_value(v):
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return v


def payload_of(path) -> dict:
    """The JSON picture of a workbook, as the Office.js client sends it."""
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows = [[_json_value(c.value) for c in row] for row in ws.iter_rows(min_row=1, min_col=1)] or [[""]]
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        notes = [{"address": c.coordinate, "text": c.comment.text} for row in ws.iter_rows() for c in row if c.comment]
        sheets.append({"name": ws.title, "values": rows, "tables": [], "pictures": [], "shapes": [], "charts": [],
                       "notes": notes, "notes_supported": True,
                       "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
                       "print_area": None, "used_range_address": ws.dimensions, "show_gridlines": True,
                       "pivot_tables": []})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": str(path), "active_sheet_index": 0, "selection": "A1"},  # as fullname
            "names": [], "sheets": sheets}


def remote_book(path):
    return xw.Book(json=payload_of(path))


NUMERIC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _cell(ws, a, row, col):
    return ws.cell(a["start_row"] + 1 + row, a["start_column"] + 1 + col)


def _type_into(cell, v) -> None:
    """What Excel does with a value written to a cell: the same as typing it.

    "'…" is text without the apostrophe; "=…" becomes a formula; numeric text becomes a number.
    """
    if v == "" or v is None:
        cell.value = None
    elif isinstance(v, str) and v.startswith("'"):
        cell.value = v[1:]
        cell.data_type = "s"
    elif isinstance(v, str) and v.startswith("="):
        cell.value = v  # openpyxl stores it as a formula, as Excel would
    elif isinstance(v, str) and NUMERIC.match(v.strip()):
        cell.value = float(v)
    else:
        cell.value = v
        if isinstance(v, str):
            cell.data_type = "s"


def apply_actions(path, actions: list[dict]) -> list[str]:
    """Apply the actions to the .xlsx at ``path`` (saved in place); return the alert messages."""
    wb = openpyxl.load_workbook(path)
    alerts = []
    for a in actions:
        func = a["func"]
        ws = wb.worksheets[a["sheet_position"]] if a.get("sheet_position") is not None else None
        if func == "setValues":
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    cell = _cell(ws, a, i, j)
                    if isinstance(v, str) and ISO_DATE.match(v):  # Excel takes ISO text as a date
                        cell.value = dt.datetime.fromisoformat(v)
                        cell.number_format = "yyyy-mm-dd"
                        continue
                    _type_into(cell, v)
        elif func == "setRangeColor":
            for i in range(a["row_count"]):
                for j in range(a["column_count"]):
                    color = a["args"][0]
                    _cell(ws, a, i, j).fill = (PatternFill("solid", fgColor="FF" + color.lstrip("#").upper())
                                               if color else PatternFill(fill_type=None))
        elif func == "addNote":
            _cell(ws, a, 0, 0).comment = Comment(a["args"][1], "xlwings")
        elif func == "deleteNote":
            _cell(ws, a, 0, 0).comment = None
        elif func == "addSheet":
            wb.create_sheet(a["args"][1], a["args"][0])
        elif func in ("sheetClear", "sheetClearContents"):
            for row in ws.iter_rows():
                for c in row:
                    c.value = None
                    if func == "sheetClear":
                        c.hyperlink = None
        elif func == "addHyperlink":
            cell = _cell(ws, a, 0, 0)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=a["args"][0].lstrip("#"), display=a["args"][1])
        elif func == "rangeDelete" and a["args"] == ["up"] and a["column_count"] == 16384:
            ws.delete_rows(a["start_row"] + 1, a["row_count"])
        elif func == "setSheetVisibility":  # zoufang's own records (_base, _added) are hidden sheets
            ws.sheet_state = "visible" if a["args"][0] == "Visible" else "hidden"
        elif func == "alert":
            alerts.append(a["args"][0])
        else:
            raise AssertionError(f"action not applied by this test client: {a}")
    wb.save(path)
    return alerts
