"""What a workbook's own formulas show, worked out by check and report when zoufang writes it (WORKBOOK.md).

Every formula zoufang writes carries its value, so that a program that does not recalculate on load
(LibreOffice as installed, previews, viewers) shows the truth: 自查's counts come from ``validate`` of the
workbook's rows, 本单位进度's figures from ``completion`` — read from the very values ``write_book`` puts in
(xlsx.book_writer.content_grids), never a second implementation of a rule. A unit's book also carries what the
master holds for its people in other units' books (a 局领导's 包案 cases and the problems they lead), as fixed
values its formulas add.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from zoufang.checks.formula_checks import formula_checks, import_only, judged_rows
from zoufang.checks.validate import validate
from zoufang.contract.schema import ALL_SHEETS, Sheet
from zoufang.progress.quota import OTHER_PARTS, Context, completion, overall_status
from zoufang.reading.dataset import Campaign
from zoufang.reading.reader import campaign_from_grids
from zoufang.xlsx.book_writer import BookContent, content_grids


@dataclass
class BookValues:
    """The values of a workbook's formulas at writing time."""

    as_of: dt.date
    findings: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)  # (code, sheet, column label) →
    #                                                                                  the rows, in order
    rows: dict[str, int] = field(default_factory=dict)  # sheet key → rows holding anything in the contract's columns
    done: pd.DataFrame | None = None  # per (person, 指标): actual, status, overall — what 本单位进度 shows
    others: dict[str, dict[str, tuple[float, ...]]] = field(default_factory=dict)  # person → 指标 → OTHER_PARTS
    #                                                    values the master holds outside this book

    def rule(self, code: str, sheet: Sheet, column: str) -> list[int]:
        return self.findings.get((code, sheet.name, sheet.col(column).label), [])

    def figure(self, person_id: str, metric: str) -> tuple[float | str, str]:
        """The figure (a ratio as a fraction; "" over nothing) and its status."""
        row = self.done[(self.done["person_id"] == person_id) & (self.done["metric"] == metric)].iloc[0]
        return ("" if pd.isna(row["actual"]) else float(row["actual"])), row["status"]

    def overall(self, person_id: str) -> str:
        return self.done.loc[self.done["person_id"] == person_id, "overall"].iloc[0]


def book_campaign(content: BookContent, sheets: tuple[Sheet, ...] = ALL_SHEETS) -> Campaign:
    """The workbook ``content`` makes, as zoufang reads it back."""
    return campaign_from_grids(content_grids(content, sheets), "本工作簿")


def checked_values(campaign: Campaign, sheets: tuple[Sheet, ...] = ALL_SHEETS,
                   today: dt.date | None = None, findings: list | None = None) -> BookValues:
    """What 自查's formulas give on ``campaign`` on ``today`` (统计截止日期 when set): the findings of check on
    the rows each rule's formula judges (formula_checks.judged_rows), and each sheet's rows holding anything.
    ``findings``: validate's at that date, when already made."""
    as_of = campaign.settings.effective_as_of(today=today)
    values = BookValues(as_of)
    for f in validate(campaign, as_of) if findings is None else findings:
        if f.row is not None:
            values.findings.setdefault((f.code, f.sheet, f.column), []).append(int(f.row))
    for check in formula_checks():
        key = (check.code, check.sheet.name, check.sheet.col(check.column).label)
        scope = judged_rows(check, campaign) if key in values.findings else None
        if scope is not None:
            values.findings[key] = [r for r in values.findings[key] if r in scope]
    values.rows = {s.key: int((~campaign[s.key].blank.all(axis=1)).sum()) if len(campaign[s.key]) else 0
                   for s in sheets if s.entry and campaign[s.key].present}
    return values


def book_values(content: BookContent, sheets: tuple[Sheet, ...] = ALL_SHEETS, today: dt.date | None = None,
                master_done: pd.DataFrame | None = None) -> BookValues:
    """The values of ``content``'s formulas on ``today`` (统计截止日期 when set): findings of check, and — with
    a 本单位进度 — the completion of its people. ``master_done``: the master's completion at the same date; the
    book then shows the master's figures, the difference carried as fixed values (``others``)."""
    campaign = book_campaign(content, sheets)
    values = checked_values(campaign, sheets, today)
    as_of = values.as_of
    if content.progress is None:
        return values
    own = completion(Context(campaign, as_of))
    shown = own if master_done is None else master_done[master_done["person_id"].isin(set(own["person_id"]))]
    values.done = shown.assign(overall=overall_status(shown)) if len(shown) else shown.assign(overall=[])
    if master_done is not None:
        values.others = _others(own, shown)
    return values


def _others(own: pd.DataFrame, master: pd.DataFrame) -> dict[str, dict[str, tuple[float, ...]]]:
    """Per person and 指标: the master's parts less the book's own, where any is not 0."""
    key = ["person_id", "metric"]
    both = master.merge(own, on=key, how="left", suffixes=("", "_own"))
    out: dict[str, dict[str, tuple[float, ...]]] = {}
    for row in both.itertuples(index=False):
        parts = tuple(float(_zero(getattr(row, p))) - float(_zero(getattr(row, p + "_own")))
                      for p in OTHER_PARTS[row.metric])
        if any(parts):
            out.setdefault(row.person_id, {})[row.metric] = parts
    return out


def _zero(v) -> float:
    return 0.0 if v is None or pd.isna(v) else v


def self_checking(content: BookContent, today: dt.date | None = None) -> BookContent:
    """``content`` made to check itself (the 自查 sheet, painted cells), with its formulas' values."""
    content.self_checks, content.import_only = formula_checks(), import_only()
    content.values = book_values(content, today=today)
    return content
