"""A worksheet's extent, checked before any reader allocates it.

A reader sizes a sheet from its furthest cell: one cell at XFD1048576 in a 48 KB
file asks for 17 billion cells. Every sheet part of an .xlsx/.xlsm is streamed once
(declared ``<dimension>`` and the actual row and cell references) and refused when it
is larger than a campaign workbook can be.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from zoufang.contract.cells import column_index as column_index_from_string

MAX_COLUMNS = 1024  # the contract's columns plus any a clerk adds, with room to spare
MAX_CELLS = 40_000_000  # rows × columns: a province's 300,000 visits with 20 columns is 6 million
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]*\d*:?([A-Z]+)(\d+)"')
_ROW = re.compile(rb'<(?:\w+:)?row [^>]*?r="(\d+)"')
_WIDE = re.compile(rb'r="([A-Z]{2,})(\d+)')  # only cells beyond column Z need a closer look
_LONG_ROW = re.compile(rb'r="[A-Z]{0,3}(\d{7,})')  # a row number of seven digits or more: maybe past Excel's
EXCEL_ROWS = 1_048_576
_CHUNK = 1 << 22


class ExtentTooLarge(ValueError):
    def __init__(self, part: str, columns: int, rows: int, cell: str | None = None):
        super().__init__(part)
        self.part, self.columns, self.rows, self.cell = part, columns, rows, cell  # cell: the far one, when known


def _check(part: str, columns: int, rows: int, cell: str | None = None) -> None:
    if columns > MAX_COLUMNS or columns * rows > MAX_CELLS:
        raise ExtentTooLarge(part, columns, rows, cell)


def check_sheet_extents(path: Path) -> None:
    """Raise ExtentTooLarge for the first sheet of ``path`` (a zip workbook) too large to read."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            columns, rows = 26, 1
            tail = b""
            with z.open(info) as fh:
                first = True
                while True:
                    block = fh.read(_CHUNK)
                    if not block:
                        break
                    data = tail + block
                    if first:
                        first = False
                        m = _DIMENSION.search(data[:4096])
                        if m:
                            _check(info.filename, column_index_from_string(m.group(1).decode()), int(m.group(2)),
                                   (m.group(1) + m.group(2)).decode())
                    for m in _WIDE.finditer(data):
                        if len(m.group(1)) > 3:
                            raise ExtentTooLarge(info.filename, 10 ** 6, rows, (m.group(1) + m.group(2)).decode())
                        columns = max(columns, column_index_from_string(m.group(1).decode()))
                    for m in _LONG_ROW.finditer(data):  # rows 1,000,000 to 1,048,576 only, in a real workbook
                        if int(m.group(1)) > EXCEL_ROWS:
                            raise ExtentTooLarge(info.filename, columns, int(m.group(1)), m.group(0)[3:].decode())
                    if columns * EXCEL_ROWS > MAX_CELLS:  # only a wide sheet can be too large by its rows
                        rows = max([rows, *map(int, _ROW.findall(data))])
                    _check(info.filename, columns, rows)
                    tail = data[-64:]  # a reference cut between two blocks is seen whole in the next
