"""The master's 自查 kept true after zoufang edits the master: its formulas' cached values refreshed (WORKBOOK.md).

collect and the buttons change the master's rows through the package editor, which keeps every formula; a program
that does not recalculate on load (LibreOffice as installed, previews) would show 自查 as it was at init. After
such a write the saved master is read back and each of 自查's formula cells gets the value check gives now.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from python_calamine import CalamineWorkbook

from zoufang.checks.formula_checks import formula_checks, import_only
from zoufang.contract.schema import SELF_CHECK_SHEET
from zoufang.exchange.book_values import checked_values
from zoufang.reading.reader import read_campaign
from zoufang.xlsx.package import Package
from zoufang.xlsx.self_check import CODE_COLUMN, HEAD, counted_sheets, rule_cells, totals, verdict


def self_check_layout_matches(path: Path) -> bool:
    """True where ``path``'s 自查 lists this version's rules in its order (codes in column I, sheets in B)."""
    book = CalamineWorkbook.from_path(str(path))
    if SELF_CHECK_SHEET not in book.sheet_names:
        return False
    grid = book.get_sheet_by_name(SELF_CHECK_SHEET).to_python(skip_empty_area=False)
    checks = formula_checks()
    rows = grid[HEAD + 1:HEAD + 1 + len(checks)]
    return len(rows) == len(checks) and all(
        len(row) > CODE_COLUMN and row[CODE_COLUMN] == c.code and row[1] == c.sheet.name for row, c in zip(rows, checks))


def refresh_self_check(path: Path, today: dt.date | None = None):
    """Sets the cached value of every 自查 formula in the saved workbook ``path`` to what its rows give on
    ``today`` (统计截止日期 when set); the campaign it read. None (file untouched) where it has no 自查 of this
    version's layout."""
    path = Path(path)
    if not self_check_layout_matches(path):
        return None
    campaign = read_campaign(path)
    values = checked_values(campaign, today=today)
    package = Package(path)
    ws = package.sheet(SELF_CHECK_SHEET)
    checks = formula_checks()
    for k, check in enumerate(checks):
        r = HEAD + 2 + k
        number, first_row, first = rule_cells(check, values.rule(check.code, check.sheet, check.column))
        ws.set_cached(f"D{r}", number)
        ws.set_cached(f"F{r}", first_row)
        ws.set_cached(f"E{r}", first)
    for i, sheet in enumerate(counted_sheets(checks), start=HEAD + 2):
        ws.set_cached(f"H{i}", values.rows.get(sheet.key, 0))
    total, errors = totals(checks, values)
    ws.set_cached(f"D{HEAD + 2 + len(checks) + len(import_only())}", total)
    ws.set_cached("A1", verdict(total, errors))
    package.save(path)
    return campaign
