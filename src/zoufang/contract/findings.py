"""Findings as data: a code, a level, a sheet, a cell, a message and a hint.

A list of findings becomes a DataFrame (the problems table), a JSON list, or
rows of the 校验结果 sheet without further translation.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from zoufang.contract.schema import ALL_SHEETS, FINDINGS_HEADERS, LEVEL_ERROR, LEVEL_WARNING

FILL_ERROR = "FFFF9999"  # red: prints as a mid grey
FILL_WARNING = "FFFFF2CC"  # light yellow: prints as a faint grey, told apart from an error in black and white
NOTE_MARK = "【校验】"  # begins zoufang's notes on a marked cell
SHEET_ORDER = {s.name: i for i, s in enumerate(ALL_SHEETS)}


@dataclass(frozen=True)
class Finding:
    level: str  # 错误 / 警告
    code: str  # stable kebab-case
    sheet: str | None
    cell: str | None  # A1 address in the clerk's layout, None for a sheet or column
    row: int | None
    column: str | None  # header label
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == LEVEL_ERROR

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def where(self) -> str:
        """`走访记录!C15`, `走访记录` or the file itself."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""


def error(code, sheet, cell, row, column, message, hint="") -> Finding:
    return Finding(LEVEL_ERROR, code, sheet, cell, row, column, message, hint)


def warning(code, sheet, cell, row, column, message, hint="") -> Finding:
    return Finding(LEVEL_WARNING, code, sheet, cell, row, column, message, hint)


FINDING_FIELDS = ("level", "code", "sheet", "cell", "row", "column", "message", "hint")


def _column_number(cell: str | None) -> int:
    letters = "".join(ch for ch in (cell or "") if ch.isalpha())
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def in_row_order(findings: list[Finding]) -> list[Finding]:
    """Findings in the order a clerk reads the workbook: whole-file ones first, then by sheet, row and column
    (one order for the screen, the JSON, the 校验结果 sheet and the marked copy)."""
    def key(f: Finding):
        return (SHEET_ORDER.get(f.sheet, -1) if f.sheet else -2, f.row or 0, _column_number(f.cell), f.level != LEVEL_ERROR)
    return sorted(findings, key=key)


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """One row per finding, in row order."""
    return pd.DataFrame([f.to_json() for f in in_row_order(findings)], columns=list(FINDING_FIELDS))


def findings_sheet_rows(findings: list[Finding]) -> list[list]:
    """Rows of the 校验结果 sheet: 序号 · 级别 · 规则 · 工作表 · 单元格 · 说明 · 建议 · 代码 (the rule by its Chinese
    name; its code last, for scripts)."""
    from zoufang.contract.rule_names import rule_name
    frame = findings_frame(findings)
    rows = [list(FINDINGS_HEADERS)]
    for i, f in enumerate(frame.itertuples(index=False), start=1):
        rows.append([i, f.level, rule_name(f.code), f.sheet or "", f.cell or "", f.message, f.hint or "", f.code])
    return rows


def count_levels(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.level == LEVEL_ERROR)
    warnings = sum(1 for f in findings if f.level == LEVEL_WARNING)
    return errors, warnings
