"""Row-logic rules as data: which rows break a rule, where the finding points, what it says.

The engine in validate.py applies them; adding a rule is adding an entry here.
A test receives a Rows view and returns a boolean mask of offending rows. Tests
compare typed values (an unparseable value is missing and breaks nothing here:
the field check reports it) and treat a value as absent only when its cell is blank.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from zoufang.contract.schema import (
    CASES, HANDLING_DEADLINE, HANDLING_ON_SPOT, HANDLING_TRANSFER, LEVEL_ERROR, LEVEL_WARNING, PROBLEM_SOLVED, PROBLEMS,
    RECEPTIONS, RESEARCH, UNITS, Sheet,
)
from zoufang.contract.mail_addresses import bad_addresses
from zoufang.reading.dataset import SheetData
from zoufang.reading.normalize import NO_WORDS, YES_WORDS
from zoufang.xlsx.self_check import before, blank, equals, one_of


class Rows:
    """Typed values and blankness of one sheet's rows, by column key."""

    def __init__(self, data: SheetData):
        self.data = data

    def __getitem__(self, key: str) -> pd.Series:
        return self.data.frame[key]

    def blank(self, key: str) -> pd.Series:
        return self.data.blank[key]

    def yes(self, key: str) -> pd.Series:
        return self.data.frame[key].fillna(False).astype(bool)

    def no(self, key: str) -> pd.Series:
        return (~self.data.frame[key].fillna(True)).astype(bool)


@dataclass(frozen=True)
class RowRule:
    code: str
    sheet: Sheet
    column: str  # key of the cell the finding points to
    test: Callable[[Rows], pd.Series]
    message: str  # str.format over the row's cleaned text by column key
    hint: str
    needs: tuple[str, ...] = ()  # columns that must exist for the rule to apply
    level: str = LEVEL_ERROR
    formula: str | None = None  # the same rule as a worksheet formula (xlsx.self_check), None if none can judge it


ROW_RULES: tuple[RowRule, ...] = (
    RowRule("end-before-start", RESEARCH, "end",
            lambda r: r["end"] < r["start"],
            "结束日期 {end} 早于开始日期 {start}", "请核对调研的起止日期",
            ("start", "end"),
            formula=before("{end}", "{start}")),
    RowRule("deadline-missing", RECEPTIONS, "deadline",
            lambda r: (r["handling"] == HANDLING_DEADLINE) & r.blank("deadline"),
            "处理方式为“限期办理”，但没有填写办结时限", "请填写办结时限（日期）",
            ("handling", "deadline"),
            formula=equals("{handling}", HANDLING_DEADLINE) + "*" + blank("{deadline}")),
    RowRule("deadline-without-problem", RECEPTIONS, "problem_id",
            lambda r: (r["handling"] == HANDLING_DEADLINE) & r.blank("problem_id"),
            "限期办理的来访没有填写问题编号，其办结时限无处督办", "请把该事项登记到问题台账，并在此填写问题编号",
            ("handling", "problem_id"), LEVEL_WARNING,
            formula=equals("{handling}", HANDLING_DEADLINE) + "*" + blank("{problem_id}")),
    RowRule("transfer-department-missing", RECEPTIONS, "transfer_to",
            lambda r: (r["handling"] == HANDLING_TRANSFER) & r.blank("transfer_to"),
            "处理方式为“移交有关部门”，但没有填写移交部门", "请填写接收移交的部门名称",
            ("handling", "transfer_to"),
            formula=equals("{handling}", HANDLING_TRANSFER) + "*" + blank("{transfer_to}")),
    RowRule("out-of-scope-solved-on-spot", RECEPTIONS, "handling",
            lambda r: r.no("in_scope") & (r["handling"] == HANDLING_ON_SPOT),
            "来访事项不属于本局职权，却记为“当场解决”",
            "不属于本局职权的事项应“移交有关部门”；如确属本局职权，请把“是否本局职权”改为“是”",
            ("handling", "in_scope"),
            formula=one_of("{in_scope}", NO_WORDS) + "*" + equals("{handling}", HANDLING_ON_SPOT)),
    RowRule("deadline-before-registration", RECEPTIONS, "deadline",
            lambda r: r["deadline"] < r["date"],
            "办结时限 {deadline} 早于接访日期 {date}", "请核对办结时限",
            ("deadline", "date"),
            formula=before("{deadline}", "{date}")),
    RowRule("deadline-before-registration", PROBLEMS, "deadline",
            lambda r: r["deadline"] < r["reg_date"],
            "办结时限 {deadline} 早于登记日期 {reg_date}", "请核对办结时限",
            ("deadline", "reg_date"),
            formula=before("{deadline}", "{reg_date}")),
    RowRule("solved-date-missing", PROBLEMS, "solved_date",
            lambda r: r["status"].isin(PROBLEM_SOLVED) & r.blank("solved_date"),
            "状态为“{status}”，但没有填写解决日期", "请填写问题解决的日期",
            ("status", "solved_date"),
            formula=one_of("{status}", PROBLEM_SOLVED) + "*" + blank("{solved_date}")),
    RowRule("closed-date-missing", PROBLEMS, "closed_date",
            lambda r: (r["status"] == "已销号") & r.blank("closed_date"),
            "状态为“已销号”，但没有填写销号日期", "请填写销号日期",
            ("status", "closed_date"),
            formula=equals("{status}", "已销号") + "*" + blank("{closed_date}")),
    RowRule("solved-before-registration", PROBLEMS, "solved_date",
            lambda r: r["solved_date"] < r["reg_date"],
            "解决日期 {solved_date} 早于登记日期 {reg_date}", "问题先登记后解决，请核对两个日期",
            ("solved_date", "reg_date"),
            formula=before("{solved_date}", "{reg_date}")),
    RowRule("closed-before-solved", PROBLEMS, "closed_date",
            lambda r: r["closed_date"] < r["solved_date"],
            "销号日期 {closed_date} 早于解决日期 {solved_date}", "先解决后销号，请核对两个日期",
            ("closed_date", "solved_date"),
            formula=before("{closed_date}", "{solved_date}")),
    RowRule("major-without-leader", PROBLEMS, "leader",
            lambda r: r.yes("major") & r.blank("leader"),
            "重大问题没有明确分包领导", "请填写负责该问题的分包领导",
            ("major", "leader"),
            formula=one_of("{major}", YES_WORDS) + "*" + blank("{leader}")),
    RowRule("closed-date-missing", CASES, "closed_date",
            lambda r: (r["status"] == "已销号") & r.blank("closed_date"),
            "状态为“已销号”，但没有填写销号日期", "请填写销号日期",
            ("status", "closed_date"),
            formula=equals("{status}", "已销号") + "*" + blank("{closed_date}")),
    RowRule("closed-before-visit", CASES, "closed_date",
            lambda r: r["closed_date"] < r["visit_date"],
            "销号日期 {closed_date} 早于下访日期 {visit_date}", "先下访后销号，请核对两个日期",
            ("closed_date", "visit_date"),
            formula=before("{closed_date}", "{visit_date}")),
    RowRule("field-visit-date-missing", CASES, "visit_date",
            lambda r: r.yes("field_visit") & r.blank("visit_date"),
            "已填“带案下访”为“是”，但没有填写下访日期", "请填写下访日期；如未下访，请把“是否带案下访”改为“否”",
            ("field_visit", "visit_date"),
            formula=one_of("{field_visit}", YES_WORDS) + "*" + blank("{visit_date}")),
    RowRule("bad-email", UNITS, "email",
            lambda r: r["email"].map(lambda text: bool(bad_addresses(text))).astype(bool),
            "联系邮箱“{email}”中有不是邮件地址的内容，邮件草稿不会发往该处",
            "请写成 name@example.com 这样的地址；多个地址之间用“；”或“;”隔开",
            ("email",), LEVEL_WARNING),
)
