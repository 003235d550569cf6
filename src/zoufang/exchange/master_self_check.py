"""The master's 自查 kept true after zoufang edits the master: its formulas' cached values refreshed (WORKBOOK.md).

collect and the buttons change the master's rows through the package editor, which keeps every formula; a program
that does not recalculate on load (LibreOffice as installed, previews) would show 自查 as it was at init. After
such a write the saved master is read back and each of 自查's formula cells gets the value check gives now.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from python_calamine import CalamineWorkbook

from zoufang.checks.formula_checks import formula_checks, import_only
from zoufang.contract.rule_names import rule_name
from zoufang.contract.schema import LEVEL_ERROR, SELF_CHECK_SHEET
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


def refresh_self_check(path: Path, today: dt.date | None = None, campaign=None, values=None):
    """Sets the cached value of every 自查 formula in the saved workbook ``path`` to what its rows give on
    ``today`` (统计截止日期 when set); the campaign it read (``campaign``: the rows it holds, and ``values``: their
    book_values.checked_values, when known). None (file untouched) where it has no 自查 of this version's layout."""
    path = Path(path)
    if not self_check_layout_matches(path):
        return None
    campaign = read_campaign(path) if campaign is None else campaign
    values = checked_values(campaign, today=today) if values is None else values
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


def self_check_gap(findings: list, values) -> str:
    """Why 自查's verdict and the full check's count (``findings``) differ, in a sentence for the marked copy: 自查
    counts only the rules a formula can judge inside the workbook (``values``: book_values.checked_values); the
    others are counted by check alone, rule by rule."""
    checks = formula_checks()
    own, own_errors = totals(checks, values)
    errors = [f for f in findings if f.level == LEVEL_ERROR]
    counted = Counter()
    for check in checks:
        if check.level == LEVEL_ERROR:
            counted[rule_name(check.code)] += len(values.rule(check.code, check.sheet, check.column))
    only = Counter(rule_name(f.code) for f in errors) - counted
    said = (f"“校验结果”表按全部规则核对：错误 {len(errors)} 条、警告 {len(findings) - len(errors)} 条。"
            f"本表只数工作簿公式能判断的规则：错误 {own_errors} 处、提醒 {own - own_errors} 处。")
    if len(errors) != own_errors:
        said += ("两者之差是只有程序校验才能判断的错误（" + "、".join(f"{name} {n} 条" for name, n in only.most_common())
                 + "），见“校验结果”表。") if only else "两者之差见“校验结果”表。"
    return said
