"""What `zoufang check` finds for each rule the workbook checks by formula, and 自查 as a program shows it."""
from pathlib import Path

import openpyxl

from zoufang.checks.formula_checks import formula_checks, judged_rows
from zoufang.checks.validate import validate
from zoufang.contract.schema import SELF_CHECK_SHEET
from zoufang.reading.reader import read_campaign

CHECKS = formula_checks()


def finding_rows(path: Path) -> list[set[int]]:
    campaign = read_campaign(path)
    found: dict[tuple, set[int]] = {}
    for f in validate(campaign):
        found.setdefault((f.code, f.sheet, f.column), set()).add(f.row)
    out = []
    for c in CHECKS:
        rows = found.get((c.code, c.sheet.name, c.sheet.col(c.column).label), set())
        scope = judged_rows(c, campaign)
        out.append(rows if scope is None else rows & scope)
    return out


def check_rows(path: Path) -> list[tuple]:
    """What check finds for each formula rule: (how many, first row), among the rows the formula judges."""
    return [(len(rows), min(rows) if rows else None) for rows in finding_rows(path)]


def shown_counts(path: Path) -> dict[tuple[str, str, str], tuple[int, int | None]]:
    """自查 of ``path`` as saved (no recalculation here): (code, sheet, column) → (数量, first row)."""
    ws = openpyxl.load_workbook(path, data_only=True)[SELF_CHECK_SHEET]
    rows = list(ws.iter_rows(min_row=3, max_row=2 + len(CHECKS), values_only=True))
    return {(c.code, c.sheet.name, c.column): (int(r[3] or 0), int(r[5]) if r[5] not in (None, "") else None)
            for c, r in zip(CHECKS, rows)}


def checked_counts(path: Path) -> dict[tuple[str, str, str], tuple[int, int | None]]:
    """The same from `zoufang check` of ``path``."""
    return {(c.code, c.sheet.name, c.column): v for c, v in zip(CHECKS, check_rows(path))}
