"""The validation engine: every entry checked, every finding pointing at the clerk's cell.

Field checks derive from the schema, row logic from rules.ROW_RULES, references
from the roster. Masks are computed column-wise; Python only touches the rows
that are found wanting.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from zoufang.checks.rules import ROW_RULES, Rows
from zoufang.contract.findings import Finding, in_row_order
from zoufang.contract.periods import cn_date
from zoufang.contract.schema import (
    ACTIVITIES, ACTIVITY_BOOKS, ACTIVITY_LECTURE, ALL_SHEETS, CASES, COLLECTIVE_METRICS, FLAG_HEAD, FLAG_LECTURER,
    LEADER_ROLES, LEVEL_ERROR, LEVEL_WARNING, PEOPLE, PERSONAL_METRICS, POST_CAMPAIGN_ACTIVITIES, PROBLEMS, QUOTAS,
    RATIO_METRICS, RECEIVER_ROLES, RECEPTIONS, RESEARCH, ROLES, SCOPE_BUREAU, SCOPE_UNIT, SETTINGS, UNITS, VISITS, Kind,
)
from zoufang.reading import normalize as nz
from zoufang.reading import roster as rs
from zoufang.reading.contact_points import at_contact_point, contact_points
from zoufang.reading.dataset import Campaign, SheetData

EXCEL_MAX_TEXT = 32767
AT_CONTACT_POINT = (ACTIVITY_LECTURE, ACTIVITY_BOOKS)


def validate(campaign: Campaign, as_of: dt.date | None = None) -> list[Finding]:
    """All findings of a campaign workbook, reading problems first."""
    as_of = campaign.settings.effective_as_of(as_of)
    roster = rs.Roster.of(campaign)
    findings = list(campaign.findings)
    for spec in ALL_SHEETS:
        if spec is SETTINGS or not campaign[spec.key].present:
            continue
        data = campaign[spec.key]
        findings += field_findings(data)
        if spec.entry:
            findings += time_findings(data, campaign, as_of)
    for rule in ROW_RULES:
        data = campaign[rule.sheet.key]
        if data.present and all(data.has(k) for k in rule.needs):
            mask = rule.test(Rows(data)).fillna(False).astype(bool)
            findings += _emit(data, mask, rule.column, rule.code, rule.level,
                              lambda i, rule=rule, data=data: rule.message.format_map(_RowText(data, i)),
                              lambda i, rule=rule: rule.hint)
    findings += reference_findings(campaign, roster)
    findings += duplicate_findings(campaign, roster)
    findings += quota_findings(campaign)
    findings += contact_point_findings(campaign)
    return in_row_order(_unique(findings))


def contact_point_findings(campaign: Campaign) -> list[Finding]:
    """送政策 and 送图书 count only at a contact point: one held elsewhere is a warning."""
    data = campaign[ACTIVITIES.key]
    if not (data.present and data.has("kind") and data.has("place")):
        return []
    points = contact_points(campaign)
    frame = data.frame
    away = frame["kind"].isin(AT_CONTACT_POINT) & ~at_contact_point(frame["place"], points)
    listed = "、".join(points[:6]) + ("等" if len(points) > 6 else "")
    return _emit(data, away, "place", "away-from-contact-point", LEVEL_WARNING,
                 lambda i: f"{frame['kind'].iat[i]}的地点{_quote(data.text['place'].iat[i]) if data.text['place'].iat[i] else '没有填写'}"
                           f"不是联系点，不计入{frame['kind'].iat[i]}",
                 lambda i: f"送政策、送图书要到联系点开展；联系点：{listed or '（活动设置未填局联系点）'}")


# ------------------------------------------------------------------ helpers
class _RowText(dict):
    """Cleaned text of one row by column key, for message templates."""

    def __init__(self, data: SheetData, i: int):
        super().__init__()
        self.data, self.i = data, i

    def __missing__(self, key: str) -> str:
        """The cell's text; a day as a Chinese text writes it (2012年3月5日: never broken at a hyphen)."""
        if key in self.data.spec.keys and self.data.spec.col(key).kind is Kind.DATE:
            day = self.data.frame[key].iat[self.i]
            if pd.notna(day):
                return cn_date(day)
        return self.data.text[key].iat[self.i]


def _emit(data: SheetData, mask: pd.Series, key: str | None, code: str, level: str,
          message: Callable[[int], str], hint: Callable[[int], str]) -> list[Finding]:
    """A finding for each True row of ``mask`` at column ``key`` (None: the row's first cell)."""
    hits = np.flatnonzero(mask.to_numpy())
    if not len(hits):
        return []
    rows = data.frame["_row"].to_numpy()
    label = data.spec.col(key).label if key else None
    letter = data.letters.get(key) if key else data.first_cell(0)[:-1]
    name = data.name
    return [Finding(level, code, name, f"{letter}{rows[i]}", int(rows[i]), label, message(i), hint(i))
            for i in hits]


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.code, f.sheet, f.cell, f.column)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _quote(text: str, limit: int = 30) -> str:
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


# ------------------------------------------------------------------ fields
def field_findings(data: SheetData) -> list[Finding]:
    """Required values, dates, yes/no, numbers, enumerations and text length, per column."""
    out: list[Finding] = []
    frame, text = data.frame, data.text
    for col in data.spec.columns:
        if not data.has(col.key):
            continue
        t = text[col.key]
        present = ~data.blank[col.key]
        label = col.label
        if col.required:
            out += _emit(data, ~present, col.key, "required-empty", LEVEL_ERROR,
                         lambda i, label=label: f"“{label}”不能为空",
                         lambda i, label=label: f"请填写{label}")
        v = frame[col.key]
        if col.kind is Kind.DATE:
            out += _emit(data, present & v.isna(), col.key, "bad-date", LEVEL_ERROR,
                         lambda i, t=t, label=label: f"“{label}”{_quote(t.iat[i])}不是有效的日期",
                         lambda i: f"日期可写为 {nz.DATE_FORMS}")
        elif col.kind is Kind.YESNO:
            out += _emit(data, present & v.isna(), col.key, "bad-yesno", LEVEL_ERROR,
                         lambda i, t=t, label=label: f"“{label}”应填是或否，现为{_quote(t.iat[i])}",
                         lambda i: f"可填 {nz.YESNO_FORMS}")
        elif col.kind in (Kind.NUMBER, Kind.TARGET):
            out += _emit(data, present & v.isna(), col.key, "bad-number", LEVEL_ERROR,
                         lambda i, t=t, label=label: f"“{label}”应为数字，现为{_quote(t.iat[i])}",
                         lambda i: "只填数字，不要带单位或文字，例如 12" + ("或 30%" if col.kind is Kind.TARGET else ""))
            out += _emit(data, v < 0, col.key, "negative-number", LEVEL_ERROR,
                         lambda i, t=t, label=label: f"“{label}”不能为负数：{t.iat[i]}",
                         lambda i: "请填写不小于 0 的数")
        elif col.kind is Kind.ENUM:
            bad = present & ~v.isin(col.choices)
            out += _emit(data, bad, col.key, "bad-choice", LEVEL_ERROR,
                         lambda i, t=t, label=label: f"“{label}”不能填{_quote(t.iat[i])}",
                         lambda i, col=col, v=v: _choice_hint(v.iat[i], col.choices))
        if col.kind is not Kind.DATE:
            # Readers (and Excel) stop at the limit: a cell that reaches it has lost its tail.
            if data.longest.get(col.key, 0) >= EXCEL_MAX_TEXT:
                out += _emit(data, t.str.len() >= EXCEL_MAX_TEXT, col.key, "text-too-long", LEVEL_ERROR,
                             lambda i, label=label: f"“{label}”的文字达到 Excel 单元格上限 32767 个字符，"
                                                    f"超出的部分已被截断",
                             lambda i: "请精简内容，或把详细材料另存为附件")
    return out


def _choice_hint(value: str, choices: tuple[str, ...]) -> str:
    near = rs._nearest(value, list(choices))
    allowed = "、".join(choices)
    return (f"是否应为“{near}”？" if near else "") + f"可选：{allowed}"


# ------------------------------------------------------------------ dates in time
def time_findings(data: SheetData, campaign: Campaign, as_of: dt.date) -> list[Finding]:
    """Event dates inside the period and not after the as-of date; done dates not in the future."""
    s = campaign.settings
    start, end, asof = pd.Timestamp(s.start), pd.Timestamp(s.end), pd.Timestamp(as_of)
    out: list[Finding] = []
    frame = data.frame
    for col in data.spec.columns:
        if col.kind is not Kind.DATE or not data.has(col.key):
            continue
        v, label = frame[col.key], col.label
        if col.event_date:
            outside = (v < start) | (v > end)
            if data.spec is ACTIVITIES and data.has("kind"):  # a 回头看 is held after the campaign
                after = frame["kind"].isin(POST_CAMPAIGN_ACTIVITIES) & (v > end)
                v, outside = v.where(~after), outside & ~after
            out += _emit(data, outside, col.key, "date-out-of-period", LEVEL_ERROR,
                         lambda i, v=v, label=label: f"{label} {cn_date(v.iat[i])} 不在活动期间（{cn_date(s.start)}至{cn_date(s.end)}）内",
                         lambda i: "请核对日期，活动期间见“活动设置”")
            out += _emit(data, ~outside & (v > asof), col.key, "date-after-as-of", LEVEL_ERROR,
                         lambda i, v=v, label=label: f"{label} {cn_date(v.iat[i])} 晚于统计截止日期 {cn_date(as_of)}，尚未发生",
                         lambda i: "请核对日期；计划中的事项请在发生后再登记")
        if col.done_date:
            out += _emit(data, v > asof, col.key, "date-in-future", LEVEL_ERROR,
                         lambda i, v=v, label=label: f"{label} {cn_date(v.iat[i])} 晚于统计截止日期 {cn_date(as_of)}",
                         lambda i: "办结、销号的日期不能晚于统计截止日期")
    if data.spec is RESEARCH and data.has("start") and data.has("end"):
        for key, mask, what in (("start", frame["start"] < start, "开始于活动开始之前"),
                                ("end", frame["end"] > end, "结束于活动结束之后")):
            out += _emit(data, mask, key, "trip-outside-period", LEVEL_WARNING,
                         lambda i, key=key, what=what: f"调研{what}（{cn_date(frame[key].iat[i])}），只统计活动期间内的天数",
                         lambda i: "如日期无误可忽略本提示")
        out += _emit(data, (frame["start"] > asof) & (frame["start"] <= end), "start", "trip-after-as-of",
                     LEVEL_WARNING,
                     lambda i: f"调研开始日期 {cn_date(frame['start'].iat[i])} 晚于统计截止日期 {cn_date(as_of)}，暂不统计",
                     lambda i: "如是计划中的调研，可在完成后再登记")
    return out


# ------------------------------------------------------------------ references
def _people_list(roster: rs.Roster, name: str) -> str:
    same = roster.people[roster.people["name"] == name]
    return "、".join(f"{r.name}（{r.unit}，{r.person_id}）" for r in same.itertuples())


def reference_findings(campaign: Campaign, roster: rs.Roster) -> list[Finding]:
    """Names of units and people that are not in the roster, roles that may not act, unknown problem numbers."""
    out: list[Finding] = []
    for spec in ALL_SHEETS:
        data = campaign.sheets.get(spec.key)
        if data is None or not data.present:
            continue
        for col in spec.columns:
            if not data.has(col.key):
                continue
            if col.kind is Kind.UNIT and roster.unit_names:
                out += unit_name_findings(data, col, roster)
            if col.kind is Kind.PERSON and not roster.people.empty:
                res = roster.resolve(data, col.key)
                out += person_name_findings(data, col, res, roster)
                out += person_role_findings(data, col, res, roster)
                out += person_unit_findings(data, col, res, roster)
    return out + problem_ref_findings(campaign)


def unit_name_findings(data: SheetData, col, roster: rs.Roster) -> list[Finding]:
    v = data.frame[col.key]
    bad = (v != "") & ~v.isin(roster.unit_names)
    return _emit(data, bad, col.key, "unknown-unit", LEVEL_ERROR,
                 lambda i: f"“{col.label}”{_quote(v.iat[i])}不在“单位”名录中",
                 lambda i: _suggest(UNITS.name, roster.suggest_unit(v.iat[i])))


def person_name_findings(data: SheetData, col, res: pd.DataFrame, roster: rs.Roster) -> list[Finding]:
    """A person not in 人员, a name shared by several, a 人员编号 unknown or of someone else."""
    names, label = data.frame[col.key], col.label
    out = _emit(data, res["status"] == rs.UNKNOWN, col.key, "unknown-person", LEVEL_ERROR,
                lambda i: f"{label}{_quote(names.iat[i])}不在“人员”名单中",
                lambda i: _suggest(PEOPLE.name, roster.suggest_person(names.iat[i])))
    out += _emit(data, res["status"] == rs.AMBIGUOUS, col.key, "ambiguous-person", LEVEL_ERROR,
                 lambda i: f"{label}{_quote(names.iat[i])}有同名的人，无法确定是哪一位",
                 lambda i: f"请填写人员编号以区分：{_people_list(roster, names.iat[i])}")
    id_key = data.spec.person_id_key
    if not (id_key and col.key == "person" and data.has(id_key)):
        return out
    ids = data.frame[id_key]
    out += _emit(data, res["status"] == rs.ID_UNKNOWN, id_key, "person-id-unknown", LEVEL_ERROR,
                 lambda i: f"人员编号{_quote(ids.iat[i])}不在“人员”名单中",
                 lambda i: "请核对人员编号，或留空只填姓名")
    out += _emit(data, res["status"] == rs.ID_MISMATCH, col.key, "person-id-mismatch", LEVEL_ERROR,
                 lambda i: (f"{label}{_quote(names.iat[i])}与人员编号 {ids.iat[i]}"
                            f"（{roster.people.set_index('person_id')['name'].get(ids.iat[i], '')}）不一致"),
                 lambda i: "请核对姓名和人员编号")
    return out


ROLE_RULES = {  # (sheet key, column key): (code, level, what the role should be, hint)
    (PROBLEMS.key, "leader"): ("not-a-leader", LEVEL_ERROR, "不是领导班子成员", "分包领导应为局或二级单位领导班子成员"),
    (CASES.key, "leader"): ("case-leader-to-check", LEVEL_WARNING, "不是领导班子成员",  # 包案 also by heads of sections
                            "包案由局领导及相关科室、二级单位负责人承担；如是科室负责人可不改，否则请更正"),
    (RECEPTIONS.key, "person"): ("receiver-not-allowed", LEVEL_WARNING, "开门接访应由领导班子成员接待",
                                 "本次接访不计入局领导接访和单位每周接访；如登记有误请更正"),
}


def person_role_findings(data: SheetData, col, res: pd.DataFrame, roster: rs.Roster) -> list[Finding]:
    """A person whose 人员类别 may not act in this column (分包领导, 包案领导, 接访人)."""
    rule = ROLE_RULES.get((data.spec.key, col.key))
    if rule is None:
        return []
    code, level, what, hint = rule
    names, role = data.frame[col.key], res["person_id"].map(rs.person_categories(roster))
    allowed = RECEIVER_ROLES if code == "receiver-not-allowed" else LEADER_ROLES
    return _emit(data, role.notna() & ~role.isin(allowed), col.key, code, level,
                 lambda i: f"{col.label}{_quote(names.iat[i])}是{role.iat[i]}，{what}", lambda i: hint)


PERSON_UNIT_COLUMNS = {RECEPTIONS.key: ("person", "unit"), PROBLEMS.key: ("owner", "unit"), CASES.key: ("owner", "unit")}


def person_unit_findings(data: SheetData, col, res: pd.DataFrame, roster: rs.Roster) -> list[Finding]:
    """A person whose unit in 人员 is not the unit named on the same row."""
    pair = PERSON_UNIT_COLUMNS.get(data.spec.key)
    if not pair or col.key != pair[0] or not data.has(pair[1]):
        return []
    own = res["person_id"].map(rs.person_units(roster))
    names, named_unit = data.frame[col.key], data.frame[pair[1]]
    bad = own.notna() & (named_unit != "") & named_unit.isin(roster.unit_names) & (own != named_unit)
    ulabel = data.spec.col(pair[1]).label
    return _emit(data, bad, pair[1], "person-unit-mismatch", LEVEL_WARNING,
                 lambda i: (f"{col.label}{_quote(names.iat[i])}在“人员”名单中属于{own.iat[i]}，"
                            f"与{ulabel}“{named_unit.iat[i]}”不一致"),
                 lambda i: "请核对单位；如人员调动，请先更新“人员”表")


def problem_ref_findings(campaign: Campaign) -> list[Finding]:
    """A 问题编号 on a visit or reception that 问题台账 does not hold."""
    problems = campaign[PROBLEMS.key]
    if not (problems.present and problems.has("problem_id")):
        return []
    known, out = set(problems.frame["problem_id"]) - {""}, []
    for spec in (VISITS, RECEPTIONS):
        data = campaign[spec.key]
        if data.present and data.has("problem_id"):
            ref = data.frame["problem_id"]
            out += _emit(data, (ref != "") & ~ref.isin(known), "problem_id", "unknown-problem-ref", LEVEL_ERROR,
                         lambda i, ref=ref: f"问题编号{_quote(ref.iat[i])}在“问题台账”中找不到",
                         lambda i: "请先在“问题台账”登记该问题，或核对编号")
    return out


def _suggest(what: str, near: str | None) -> str:
    if near:
        return f"是否应为“{near}”？如不是，请先在“{what}”表中添加"
    return f"请从下拉框中选择，或先在“{what}”表中添加"


# ------------------------------------------------------------------ duplicates
def _first_rows(data: SheetData, keys: pd.Series, dup: pd.Series) -> dict:
    """Excel row of the first occurrence of each duplicated key."""
    if not dup.any():
        return {}
    wanted = keys[dup].unique()
    firsts = ~keys.duplicated(keep="first") & keys.isin(wanted)
    return dict(zip(keys[firsts], data.frame["_row"][firsts].astype(int)))


def duplicate_findings(campaign: Campaign, roster: rs.Roster) -> list[Finding]:
    out: list[Finding] = []
    for spec in ALL_SHEETS:
        data = campaign.sheets.get(spec.key)
        if not (spec.id_key and data is not None and data.present and data.has(spec.id_key)):
            continue
        ids = data.frame[spec.id_key]
        dup = (ids != "") & ids.duplicated(keep="first")
        first_row = _first_rows(data, ids, dup)
        label = spec.col(spec.id_key).label
        out += _emit(data, dup, spec.id_key, "duplicate-record-id", LEVEL_ERROR,
                     lambda i, ids=ids, first_row=first_row, label=label:
                     f"{label}{_quote(ids.iat[i])}与第 {first_row[ids.iat[i]]} 行重复",
                     lambda i: "编号在整个活动中必须唯一；留空时程序会自动编号")
    visits = campaign[VISITS.key]
    if visits.present and all(visits.has(k) for k in ("date", "person", "target", "address")):
        f = visits.frame
        who = roster.resolve(visits, "person")["person_id"].fillna(f["person"])
        key = nz.combined_codes(who, f["date"], visits.household_codes())
        dup = f["date"].notna() & (f["target"] != "") & key.duplicated(keep="first")
        first_row = _first_rows(visits, key, dup)
        out += _emit(visits, dup, None, "duplicate-visit", LEVEL_WARNING,
                     lambda i: f"与第 {first_row[key.iat[i]]} 行是同一人同一天走访同一户，可能重复录入",
                     lambda i: "如确是重复录入请删除一行；同一户只计一户")
    research = campaign[RESEARCH.key]
    if research.present and len(research) and all(research.has(k) for k in ("start", "end", "person")):
        f = research.frame
        who = roster.resolve(research, "person")["person_id"].fillna(f["person"])
        trips = pd.DataFrame({"who": who, "start": f["start"], "end": f["end"], "row": f["_row"]}).dropna(
            subset=["start", "end"]).sort_values(["who", "start", "row"])
        if trips.empty:
            return out
        reach = trips.groupby("who")["end"].cummax().groupby(trips["who"]).shift()  # latest end before each trip
        overlap = trips["start"] <= reach
        mask = pd.Series(False, index=f.index)
        mask[trips.index[overlap.to_numpy()]] = True
        other = _reaching_rows(trips)  # the earlier trip each one overlaps: the one reaching furthest before it
        out += _emit(research, mask, "start", "overlapping-trips", LEVEL_WARNING,
                     lambda i: f"{f['person'].iat[i]}的这次调研与 {research.name}!"
                               f"{research.cell('start', other[f.index[i]])} 的日期重叠，重叠的日子只计一次",
                     lambda i: "如是同一次调研的重复登记，请合并为一行")
    return out


def _reaching_rows(trips: pd.DataFrame) -> dict:
    """For each trip (sorted by person and start), the Excel row of the earlier trip of the same person whose end
    reaches furthest: the one it overlaps when it starts before that end."""
    out, who, best_end, best_row = {}, None, None, None
    for index, person, end, row in zip(trips.index, trips["who"], trips["end"], trips["row"]):
        if person != who:
            who, best_end, best_row = person, None, None
        out[index] = best_row
        if best_end is None or end > best_end:
            best_end, best_row = end, int(row)
    return out


# ------------------------------------------------------------------ quota rows
def quota_findings(campaign: Campaign) -> list[Finding]:
    data = campaign[QUOTAS.key]
    if not (data.present and data.has("metric")):
        return []
    f = data.frame
    out: list[Finding] = []
    known = set(PERSONAL_METRICS) | set(COLLECTIVE_METRICS)
    metric = f["metric"]
    out += _emit(data, (metric != "") & ~metric.isin(known), "metric", "quota-unknown-metric", LEVEL_ERROR,
                 lambda i: f"指标{_quote(metric.iat[i])}本程序不认识，无法统计",
                 lambda i: "可用的指标：" + "、".join(PERSONAL_METRICS + COLLECTIVE_METRICS))
    if data.has("subject"):
        subject = f["subject"]
        collective_subject = subject.isin((SCOPE_BUREAU, SCOPE_UNIT))
        mismatch = ((metric.isin(PERSONAL_METRICS) & collective_subject)
                    | (metric.isin(COLLECTIVE_METRICS) & subject.isin(ROLES + (FLAG_HEAD, FLAG_LECTURER))))
        out += _emit(data, mismatch, "metric", "quota-metric-scope", LEVEL_ERROR,
                     lambda i: f"指标“{metric.iat[i]}”不能用于适用对象“{subject.iat[i]}”",
                     lambda i: "个人指标的适用对象应是人员类别或局负责人/普法讲师团成员；集体指标的适用对象是局或二级单位")
        dup = (metric != "") & (subject != "") & f.duplicated(["subject", "metric"], keep="first")
        out += _emit(data, dup, None, "quota-duplicate", LEVEL_WARNING,
                     lambda i: f"“{subject.iat[i]}”的指标“{metric.iat[i]}”重复出现，按最后一行统计",
                     lambda i: "请删除多余的一行")
    if data.has("target"):
        target = f["target"]
        out += _emit(data, metric.isin(RATIO_METRICS) & (target > 1), "target", "quota-ratio-target", LEVEL_WARNING,
                     lambda i: f"比例指标“{metric.iat[i]}”的目标值 {data.text['target'].iat[i]} 大于 1，按百分数理解为 "
                               f"{target.iat[i]:g}%",
                     lambda i: "比例请写为 30% 或 0.3")
    return out
