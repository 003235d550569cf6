"""The rules a workbook checks by itself, in formulas, beside the same rules in pandas (validate.py).

Row rules carry their formula in rules.ROW_RULES; the field checks (required, choices, yes/no,
negative numbers) derive theirs from the schema here, as validate.field_findings derives its masks.
A formula judges only what it can judge exactly as check does (a date typed as text, a name on the
roster, a duplicate are left to check at import and listed in 自查 as such).
"""
from __future__ import annotations

import re

from zoufang.checks.rules import ROW_RULES
from zoufang.contract.schema import ACTIVITIES, ENTRY_SHEETS, LEVEL_ERROR, POST_CAMPAIGN_ACTIVITIES, Kind, Sheet
from zoufang.reading.normalize import NO_WORDS, YES_WORDS
from zoufang.xlsx.self_check import (
    ROWS, FormulaCheck, ImportOnly, blank, filled, not_on_roster, one_of, outside_period, row_present,
)

EVERY_SHEET = "各表"
IMPORT_ONLY_RULES = (  # code, sheet, what check finds at import that no formula here judges
    ("bad-date", EVERY_SHEET, "日期写法无法识别（文字形式的日期也在导入时核对）"),
    ("bad-number", EVERY_SHEET, "数量不是数字"),
    ("date-out-of-period", EVERY_SHEET, "写成文字的日期不在活动期间内（输入为日期的由上面的规则检查）"),
    ("date-after-as-of", EVERY_SHEET, "日期晚于统计截止日期"),
    ("unknown-person", EVERY_SHEET, "写成“姓名（编号或单位）”或同时填了人员编号的人员不在名单中（只写姓名的由上面的规则检查）"),
    ("ambiguous-person", EVERY_SHEET, "同名无法确定是哪一位"),
    ("person-unit-mismatch", EVERY_SHEET, "人员与所属单位不一致"),
    ("not-a-leader", EVERY_SHEET, "分包领导、包案领导、接访人不是领导班子成员"),
    ("unknown-problem-ref", EVERY_SHEET, "问题编号在“问题台账”中找不到"),
    ("duplicate-record-id", EVERY_SHEET, "记录编号重复"),
    ("duplicate-visit", EVERY_SHEET, "同一人同一天走访同一户，可能重复录入"),
    ("overlapping-trips", EVERY_SHEET, "调研日期重叠"),
    ("away-from-contact-point", EVERY_SHEET, "送政策、送图书不在联系点"),
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
    """date-out-of-period of each event date typed as a date (a number), as validate.time_findings: before the
    start or after the end of 活动设置 (a 回头看 may be held after the end). A date written as text is left to
    check at import."""
    out = []
    for col in sheet.columns:
        if col.kind is Kind.DATE and col.event_date:
            after = (f"*(1-{one_of('{kind}', POST_CAMPAIGN_ACTIVITIES)})" if sheet is ACTIVITIES else "")
            out.append(FormulaCheck("date-out-of-period", LEVEL_ERROR, sheet, col.key,
                                    f"“{col.label}”不在活动期间内", outside_period(f"{{{col.key}}}", after)))
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
