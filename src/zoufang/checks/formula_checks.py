"""The rules a workbook checks by itself, in formulas, beside the same rules in pandas (validate.py).

Row rules carry their formula in rules.ROW_RULES; the field checks (required, choices, yes/no,
negative numbers) derive theirs from the schema here, as validate.field_findings derives its masks.
A formula judges only what it can judge exactly as check does (a date typed as text, a name on the
roster, a duplicate are left to check at import and listed in 自查 as such).
"""
from __future__ import annotations

import datetime as dt
import re

from zoufang.checks.rules import ROW_RULES
from zoufang.contract.schema import ACTIVITIES, ENTRY_SHEETS, LEVEL_ERROR, POST_CAMPAIGN_ACTIVITIES, Kind, Sheet
from zoufang.reading.normalize import NO_WORDS, YES_WORDS
from zoufang.xlsx.self_check import (
    ROWS, FormulaCheck, ImportOnly, after_as_of, blank, filled, not_on_roster, one_of, outside_period, row_present,
)

EVERY_SHEET = "各表"
IMPORT_ONLY_RULES = (  # code, sheet, what check finds at import that no formula here judges — and why not
    ("bad-date", EVERY_SHEET, "日期写法无法识别——文字日期的写法太多，公式不能逐一可靠识别"),
    ("bad-number", EVERY_SHEET, "数量不是数字——写成文字的数量（如“三户”）公式不能可靠识别"),
    ("date-out-of-period", EVERY_SHEET, "写成文字的日期不在活动期间内或晚于统计截止日期——公式不解析文字日期"
                                        "（输入为日期的由上面的规则检查）"),
    ("unknown-person", EVERY_SHEET, "写成“姓名（编号或单位）”或同时填了人员编号的人员不在名单中——要按总台账的名录核对写法"
                                    "（只写姓名的由上面的规则检查）"),
    ("ambiguous-person", EVERY_SHEET, "同名无法确定是哪一位——同名的人可能在其他单位，本工作簿只有本单位的名录"),
    ("person-unit-mismatch", EVERY_SHEET, "人员与所属单位不一致——其他单位的人员只在总台账的名录中"),
    ("not-a-leader", EVERY_SHEET, "分包领导、包案领导、接访人不是领导班子成员——要按总台账的完整名录核对"),
    ("unknown-problem-ref", EVERY_SHEET, "问题编号在“问题台账”中找不到——问题可能登记在其他单位的台账中"),
    ("duplicate-record-id", EVERY_SHEET, "记录编号重复——编号在整个活动中唯一，要与其他单位的记录一起比较"),
    ("duplicate-visit", EVERY_SHEET, "同一人同一天走访同一户，可能重复录入——要与总台账中的全部走访记录一起比较"),
    ("overlapping-trips", EVERY_SHEET, "调研日期重叠——同一人的调研可能登记在不同单位的台账中"),
    ("away-from-contact-point", EVERY_SHEET, "送政策、送图书不在联系点——下发后新建的联系点只在总台账中"),
)


def field_checks(sheet: Sheet) -> list[FormulaCheck]:
    """required-empty, bad-choice, bad-yesno and negative-number of ``sheet``, as validate.field_findings."""
    out = []
    for col in sheet.columns:
        ref = f"{{{col.key}}}"
        if col.required:
            out.append(FormulaCheck("required-empty", LEVEL_ERROR, sheet, col.key, f"“{col.label}”不能为空",
                                    row_present(sheet) + "*" + blank(ref),  # rows holding anything, less those filled
                                    count=f"{{{ROWS}}}-SUMPRODUCT({filled(ref)}*1)"))
        if col.kind is Kind.ENUM:
            out.append(FormulaCheck("bad-choice", LEVEL_ERROR, sheet, col.key,
                                    f"“{col.label}”只能填：" + "、".join(col.choices),
                                    filled(ref) + f"*(1-{one_of(ref, col.choices)})"))
        elif col.kind is Kind.YESNO:
            out.append(FormulaCheck("bad-yesno", LEVEL_ERROR, sheet, col.key, f"“{col.label}”应填是或否",
                                    filled(ref) + f"*(1-{one_of(ref, YES_WORDS | NO_WORDS)})"))
        elif col.kind is Kind.NUMBER:
            out.append(FormulaCheck("negative-number", LEVEL_ERROR, sheet, col.key, f"“{col.label}”不能为负数",
                                    f"ISNUMBER({ref})*({ref}<0)"))
    return out


def period_checks(sheet: Sheet) -> list[FormulaCheck]:
    """The dates typed as dates (numbers), as validate.time_findings: an event before the start or after the end
    of 活动设置 (a 回头看 may be held after the end), an event inside it but after the as-of day, a day done after
    the as-of day. A date written as text, or a 统计截止日期 written as text, is left to check at import."""
    out = []
    for col in sheet.columns:
        ref = f"{{{col.key}}}"
        if col.kind is Kind.DATE and col.event_date:
            after = (f"*(1-{one_of('{kind}', POST_CAMPAIGN_ACTIVITIES)})" if sheet is ACTIVITIES else "")
            out.append(FormulaCheck("date-out-of-period", LEVEL_ERROR, sheet, col.key,
                                    f"“{col.label}”不在活动期间内", outside_period(ref, after)))
            out.append(FormulaCheck("date-after-as-of", LEVEL_ERROR, sheet, col.key,
                                    f"“{col.label}”晚于统计截止日期（空白时为今天），尚未发生", after_as_of(ref, True)))
        if col.kind is Kind.DATE and col.done_date:
            out.append(FormulaCheck("date-in-future", LEVEL_ERROR, sheet, col.key,
                                    f"“{col.label}”晚于统计截止日期（空白时为今天）", after_as_of(ref, False)))
    return out


def person_checks(sheet: Sheet) -> list[FormulaCheck]:
    """unknown-person of each person column, as validate.person_name_findings, where a formula can judge it
    exactly: a name alone (no brackets, no 人员编号 on the row) that no one on 人员 bears."""
    out = []
    for col in sheet.columns:
        if col.kind is Kind.PERSON:
            ids = (f"{{{sheet.person_id_key}}}" if col.key == "person" and sheet.person_id_key else None)
            out.append(FormulaCheck("unknown-person", LEVEL_ERROR, sheet, col.key,
                                    f"“{col.label}”不在“人员”名单中", not_on_roster(f"{{{col.key}}}", ids)))
    return out


def rule_line(message: str) -> str:
    """A row rule's message without the row's values: 自查 has one line per rule."""
    message = re.sub(r"“\{\w+\}”", "已解决或已销号", message)  # the one rule quoting a value: solved-date-missing
    return re.sub(r"\s*\{\w+\}\s*", "", message)


def formula_checks() -> list[FormulaCheck]:
    """Every rule with a formula form, sheet by sheet in the workbook's order."""
    out = []
    for sheet in ENTRY_SHEETS:
        out += field_checks(sheet)
        out += period_checks(sheet) + person_checks(sheet)
        out += [FormulaCheck(r.code, r.level, r.sheet, r.column, rule_line(r.message), r.formula)
                for r in ROW_RULES if r.sheet is sheet and r.formula]
    return out


def import_only() -> list[ImportOnly]:
    return [ImportOnly(code, sheet, message) for code, sheet, message in IMPORT_ONLY_RULES]


DATE_RULES = ("date-out-of-period", "date-after-as-of", "date-in-future")


def judged_rows(check: FormulaCheck, campaign) -> set[int] | None:
    """The rows ``check``'s formula judges when it judges only some (None: every row): a date rule the rows whose
    cell holds a date (not text), unknown-person the rows naming one person alone with no 人员编号 on the row."""
    data = campaign[check.sheet.key]
    rows = data.frame["_row"] if "_row" in data.frame else []
    if check.code in DATE_RULES:
        return {int(r) for r, v in zip(rows, data.raw[check.column]) if isinstance(v, (dt.date, int, float))
                and not isinstance(v, bool)}
    if check.code == "unknown-person":
        ids = check.sheet.person_id_key if check.column == "person" and check.sheet.person_id_key else None
        return {int(r) for i, r in enumerate(rows) if "(" not in data.frame[check.column].iat[i]
                and not (ids and data.text[ids].iat[i])}
    return None
