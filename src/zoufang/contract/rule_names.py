"""Each finding code's name as a clerk reads it: the 规则 column of 校验结果, check's closing count, the page.

Codes stay the stable key (docs/FINDINGS.md); these names are what people see.
"""
from __future__ import annotations

RULE_NAMES = {
    # structure
    "missing-sheet": "缺少工作表", "missing-column": "缺少列", "duplicate-header": "表头重复",
    "settings-missing": "活动设置缺项", "settings-bad-date": "活动设置日期无效", "settings-period-inverted": "活动起止颠倒",
    "calendar-year-missing": "缺少节假日安排",
    # fields
    "required-empty": "必填项为空", "bad-date": "日期无法识别", "bad-yesno": "是否填写不规范", "bad-number": "不是数字",
    "negative-number": "数量为负", "bad-choice": "不在可选项中", "text-too-long": "文字超过单元格上限",
    # dates
    "date-out-of-period": "日期不在活动期间", "date-after-as-of": "日期晚于统计截止日期", "date-in-future": "办结日期晚于统计截止日期",
    "trip-outside-period": "调研超出活动期间", "trip-after-as-of": "调研晚于统计截止日期",
    # row logic
    "end-before-start": "结束早于开始", "deadline-missing": "缺少办结时限", "transfer-department-missing": "缺少移交部门",
    "out-of-scope-solved-on-spot": "非本局职权却当场解决", "deadline-before-registration": "办结时限早于登记",
    "solved-date-missing": "缺少解决日期", "closed-date-missing": "缺少销号日期",
    "solved-before-registration": "解决早于登记", "closed-before-solved": "销号早于解决", "closed-before-visit": "销号早于下访",
    "major-without-leader": "重大问题无分包领导", "field-visit-date-missing": "缺少下访日期",
    "bad-email": "联系邮箱无效",
    # references and people
    "unknown-person": "人员不在名单中", "ambiguous-person": "同名无法确定", "person-id-unknown": "人员编号不在名单中",
    "person-id-mismatch": "人员编号与姓名不符", "person-unit-mismatch": "人员与单位不一致", "unknown-unit": "单位不在名录中",
    "not-a-leader": "不是领导班子成员", "receiver-not-allowed": "接访人不是局领导", "case-leader-to-check": "包案领导待核实",
    "unknown-problem-ref": "问题编号找不到", "deadline-without-problem": "限期办理未登记问题",
    # duplicates and overlaps
    "duplicate-record-id": "记录编号重复", "duplicate-visit": "走访可能重复", "overlapping-trips": "调研日期重叠",
    "away-from-contact-point": "送政策不在联系点",
    # quotas
    "quota-unknown-metric": "配额指标无法识别", "quota-ratio-target": "比例指标目标无效", "quota-metric-scope": "配额适用范围不符",
    "quota-duplicate": "配额重复",
}


def rule_name(code: str) -> str:
    """The Chinese name of a finding code (the code itself for one not catalogued)."""
    return RULE_NAMES.get(code, code)
