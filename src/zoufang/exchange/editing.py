"""Editing a campaign workbook, file or live: the row bookkeeping of its entry sheets.

No workbook library is imported here: the file editor (``master_edit``) and the live-Excel editor
(``excel.binding``) provide the cell primitives.
"""
from __future__ import annotations

import bisect

from zoufang.contract.cells import column_index, column_letter as get_column_letter
from zoufang.reading.dataset import SheetData
from zoufang.xlsx.values import cell_value


class Editor:
    """Row bookkeeping shared by every way of editing a campaign workbook (file or live Excel).

    Row numbers are those read; deletions wait until ``save`` so that they stay valid.
    Subclasses provide the cell primitives.
    """

    def __init__(self):
        self.next_row: dict[str, int] = {}
        self.extra_columns: dict[str, dict[str, str]] = {}
        self.doomed: dict[str, set[int]] = {}
        self.appended: dict[str, set[int]] = {}  # rows appended, by sheet (numbered as read)
        self.known_columns: dict[str, set[int]] = {}  # the columns of each entry sheet's records, by sheet
        self.cleared: dict[str, dict[int, list[str]]] = {}  # rows emptied, not deleted: the office's cells kept

    # primitives ------------------------------------------------------
    def set_value(self, sheet: str, address: str, value) -> None:
        raise NotImplementedError

    def max_column(self, sheet: str) -> int:
        raise NotImplementedError

    def holds_formula(self, sheet: str, address: str) -> bool:
        """True if the cell holds a formula (the office's: never overwritten by a return)."""
        return False

    def delete_row(self, sheet: str, row: int) -> None:
        raise NotImplementedError

    def value_columns(self, sheet: str, row: int) -> list[int]:
        """The columns of ``row`` that hold a value or a formula."""
        raise NotImplementedError

    def table_columns(self, sheet: str) -> list[set[int]]:
        """The columns each table object of ``sheet`` covers (none where the editor cannot tell)."""
        return []

    def ensure_sheet(self, name: str, headers: list[str], hidden: bool = False) -> int:
        """Create the sheet (zoufang's own: a log or a hidden record) if needed; return its last used row."""
        raise NotImplementedError

    def write(self, target) -> None:
        raise NotImplementedError

    # shared ----------------------------------------------------------
    def _sheet(self, data: SheetData) -> None:
        if data.name not in self.next_row:
            last = int(data.frame["_row"].max()) if len(data.frame) else data.header_row
            self.next_row[data.name] = max(last, data.header_row) + 1
            self.extra_columns[data.name] = dict(data.extra_letters)
            self._columns_used = getattr(self, "_columns_used", {})
            self._columns_used[data.name] = self.max_column(data.name)
            self.known_columns[data.name] = self._record_columns(data)

    def _record_columns(self, data: SheetData) -> set[int]:
        """The columns a record's row owns: the contract's and the extra columns adjoining them. A column beyond an
        empty one, or covered by a table object that does not hold the records (a legend), is the office's: deleting
        a record never deletes its cells."""
        contract = {column_index(letter) for letter in data.letters.values() if letter}
        if not contract:
            return set()
        named = contract | {column_index(letter) for letter in data.extra_letters.values() if letter}
        first, last = min(contract), max(contract)
        while first - 1 in named:
            first -= 1
        while last + 1 in named:
            last += 1
        block = set(range(first, last + 1))
        for covered in self.table_columns(data.name):
            if not covered & contract:
                block -= covered
        return block

    def _contract_letter(self, data: SheetData, key: str) -> str:
        """The column of contract column ``key``; one is added under its label if the sheet lacks it."""
        letter = data.letters.get(key) or self.extra_columns[data.name].get("\0" + key)
        if not letter:
            self._columns_used[data.name] += 1
            letter = get_column_letter(self._columns_used[data.name])
            self.extra_columns[data.name]["\0" + key] = letter
            self.set_value(data.name, f"{letter}{data.header_row}", data.spec.col(key).label)
        return letter

    def update(self, data: SheetData, row: int, values: dict[str, object], extras: dict[str, object]) -> list[str]:
        """Write ``values`` (contract keys) and ``extras`` (headers) on ``row``; returns the keys and headers
        not written because the cell holds a formula."""
        self._sheet(data)
        skipped = []
        for key, value in values.items():
            if cell_value(value) is None and not data.letters.get(key):
                continue
            address = f"{self._contract_letter(data, key)}{row}"
            if self.holds_formula(data.name, address):
                skipped.append(key)
                continue
            self.set_value(data.name, address, value)
        columns = self.extra_columns[data.name]
        for header, value in extras.items():
            if cell_value(value) is None and header not in columns:
                continue
            if header not in columns:  # a unit's own column: kept, under its header
                self._columns_used[data.name] += 1
                columns[header] = get_column_letter(self._columns_used[data.name])
                self.set_value(data.name, f"{columns[header]}{data.header_row}", str(header))
            if self.holds_formula(data.name, f"{columns[header]}{row}"):
                skipped.append(header)
                continue
            self.set_value(data.name, f"{columns[header]}{row}", value)
        return skipped

    def append(self, data: SheetData, values: dict[str, object], extras: dict[str, object]) -> int:
        self._sheet(data)
        row = self.next_row[data.name]
        self.next_row[data.name] += 1
        self.appended.setdefault(data.name, set()).add(row)
        self.update(data, row, values, extras)
        return row

    def delete_rows(self, data: SheetData, rows: list[int]) -> None:
        """Mark rows for deletion; row numbers stay valid for other edits until save."""
        self._sheet(data)
        self.doomed.setdefault(data.name, set()).update(rows)

    def append_log(self, name: str, headers: list[str], rows: list[list], hidden: bool = False) -> None:
        last = self.ensure_sheet(name, headers, hidden)
        for i, values in enumerate(rows, start=last + 1):
            for j, value in enumerate(values, start=1):
                self.set_value(name, f"{get_column_letter(j)}{i}", value)

    def save(self, target=None) -> None:
        for name, rows in self.doomed.items():
            for row in sorted(rows, reverse=True):
                self._delete_or_clear(name, row)
            self.cleared[name] = _renumbered(self.cleared.get(name, {}), set(rows))
        self.cleared = {name: rows for name, rows in self.cleared.items() if rows}
        self.doomed = {}
        self.write(target)

    def _delete_or_clear(self, name: str, row: int) -> None:
        """Delete a record's row; if the office keeps something of its own on that sheet row, outside the
        record's columns (a legend, a note), empty only the record's cells so that nothing of the office's moves."""
        known = self.known_columns.get(name, set())
        values = self.value_columns(name, row)
        foreign = [c for c in values if c not in known]
        if not foreign:
            self.delete_row(name, row)
            return
        for col in values:
            if col in known and not self.holds_formula(name, f"{get_column_letter(col)}{row}"):
                self.set_value(name, f"{get_column_letter(col)}{row}", None)
        self.cleared.setdefault(name, {})[row] = [f"{get_column_letter(c)}{row}" for c in foreign]


def _renumbered(kept: dict[int, list[str]], doomed: set[int]) -> dict[int, list[str]]:
    """Rows kept (and their cells) numbered as they are once the other doomed rows are deleted."""
    gone = sorted(doomed - set(kept))
    out = {}
    for r, cells in kept.items():
        new = r - bisect.bisect_left(gone, r)
        out[new] = [c.rstrip("0123456789") + str(new) for c in cells]
    return out
