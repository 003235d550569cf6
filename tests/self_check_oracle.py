"""What `zoufang check` finds for each rule the workbook checks by formula, and 自查 as a program shows it."""
import datetime as dt
from pathlib import Path

import openpyxl

from zoufang.checks.formula_checks import formula_checks
from zoufang.checks.validate import validate
from zoufang.contract.schema import SELF_CHECK_SHEET
from zoufang.reading.reader import read_campaign

CHECKS = formula_checks()


def judged(check, campaign) -> set[int] | None:
    """The rows a rule's formula judges when it judges only some (None: all): a date rule on a date typed as a date,
    an unknown-person written as a name alone without a 人员编号 on the row (the rest is checked at import)."""
    data = campaign[check.sheet.key]
    rows = data.frame["_row"]
    raw = data.raw
    if check.code in ("date-out-of-period", "date-after-as-of", "date-in-future"):
        return {int(r) for r, v in zip(rows, raw[check.column]) if isinstance(v, (dt.date, int, float))}
    if check.code == "unknown-person":
        ids = check.sheet.person_id_key if check.column == "person" and check.sheet.person_id_key else None
        return {int(r) for i, r in enumerate(rows) if "(" not in data.frame[check.column].iat[i]
                and not (ids and data.text[ids].iat[i])}
    return None


def finding_rows(path: Path) -> list[set[int]]:
    campaign = read_campaign(path)
    found: dict[tuple, set[int]] = {}
    for f in validate(campaign):
        found.setdefault((f.code, f.sheet, f.column), set()).add(f.row)
    out = []
    for c in CHECKS:
        rows = found.get((c.code, c.sheet.name, c.sheet.col(c.column).label), set())
        scope = judged(c, campaign)
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
