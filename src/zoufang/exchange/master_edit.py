"""Editing the master workbook in place, so that the office's formatting, pictures, formulas and own columns survive.

Only the cells zoufang changes are touched; new rows go below the last used
row; log sheets are appended to. Text is always stored as text, never as a formula.
"""
from __future__ import annotations

from pathlib import Path

from zoufang.contract.schema import ALL_SHEETS
from zoufang.exchange.editing import Editor
from zoufang.exchange.master_self_check import refresh_self_check
from zoufang.xlsx.book_writer import DATE_FORMAT, HEADER_FILL, MOMENT_FORMAT
from zoufang.xlsx.package import Package
from zoufang.xlsx.sheet_refs import RowShift
from zoufang.xlsx.values import cell_value


CONTRACT_SHEET_NAMES = {s.name for s in ALL_SHEETS}  # a change to these can change what 自查 finds


class MasterEditor(Editor):
    """Edits a workbook file as its package (``xlsx.package``): ``save(target)`` writes the changed
    sheets and copies every other part — pictures, charts, comments, VBA, the ribbon — unchanged."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = Path(path)
        self.package = Package(self.path)
        self._deleted: dict[str, set[int]] = {}
        self.saved_campaign = None  # the master as saved, where write read it back (to refresh 自查)

    def set_value(self, sheet: str, address: str, value) -> None:
        package = self.package
        value = cell_value(value)
        timed = hasattr(value, "hour") and (value.hour or value.minute or value.second or value.microsecond)
        package.sheet(sheet).set(address, value, package.styles, package.epoch,
                                 MOMENT_FORMAT if timed else DATE_FORMAT)

    def max_column(self, sheet: str) -> int:
        return self.package.sheet(sheet).last_column()

    def holds_formula(self, sheet: str, address: str) -> bool:
        return self.package.sheet(sheet).holds_formula(address)

    def delete_row(self, sheet: str, row: int) -> None:
        self._deleted.setdefault(sheet, set()).add(row)  # numbered as read: deleted together on write

    def value_columns(self, sheet: str, row: int) -> list[int]:
        cells = self.package.sheet(sheet).cells(row)
        return sorted(col for col, c in cells.items() if self.package.sheet(sheet).has_value(c))

    def table_columns(self, sheet: str) -> list[set[int]]:
        return self.package.table_columns(sheet)

    def ensure_sheet(self, name: str, headers: list[str], hidden: bool = False) -> int:
        if name not in self.package.sheet_parts:
            self.package.add_sheet(name, headers, hidden, HEADER_FILL)
        return self.package.sheet(name).last_row()

    def write(self, target) -> None:
        for sheet, rows in self.appended.items():  # where the appended rows are once the deleted ones are gone
            shift = RowShift.of(sheet, self._deleted.get(sheet, ()))
            self.package.appended[sheet] = {shift.row(r) for r in rows} if shift else set(rows)
        for sheet, rows in self._deleted.items():
            self.package.delete_rows(sheet, rows)
        self._deleted = {}
        rows_changed = any(s.changed for name, s in self.package.sheets.items() if name in CONTRACT_SHEET_NAMES)
        self.package.save(target)
        self.saved_campaign = refresh_self_check(target) if rows_changed else None
