"""Collective requirements (集体指标): every workday, every unit-week, every half-month, and the one-off duties.

Targets come from the 配额 rows whose 适用对象 is 局 or 二级单位; each requirement
is listed (which day, which unit and week, which period), not only counted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from zoufang.contract.periods import due, half_months, weeks, workdays
from zoufang.contract.schema import ACTIVITIES
from zoufang.contract.schema import ACTIVITY_BOOKS as BOOKS
from zoufang.contract.schema import ACTIVITY_CONTACT_POINT as CONTACT_POINT
from zoufang.contract.schema import ACTIVITY_LOOK_BACK as LOOK_BACK
from zoufang.contract.schema import ACTIVITY_MEETING as MEETING
from zoufang.contract.schema import (
    METRIC_BOOKS, METRIC_CONTACT_POINT, METRIC_HALF_MONTH_MEETING, METRIC_LOOK_BACK, METRIC_TOPICS,
    METRIC_WEEKLY_RECEPTION, METRIC_WORKDAY_COVERAGE, RECEIVER_ROLES, RECEPTIONS, ROLE_BUREAU_LEADER, SCOPE_BUREAU,
    SCOPE_UNIT, UNIT_TOPICS,
)
from zoufang.contract.schema import UNIT_KIND_SECOND as SECOND_LEVEL_KIND
from zoufang.contract.schema import UNITS
from zoufang.progress.quota import Context
from zoufang.reading.contact_points import at_contact_point, contact_points

UNIT_NAME = UNITS.col("name").label


@dataclass
class Collective:
    uncovered_workdays: list[dt.date] = field(default_factory=list)
    workdays_due: int = 0
    unit_weeks_without_reception: list[dict] = field(default_factory=list)
    unit_weeks_due: int = 0
    uncovered_half_months: list[dt.date] = field(default_factory=list)
    half_months_due: int = 0
    units_without_contact_point: list[str] = field(default_factory=list)
    unit_topics: dict[str, int] = field(default_factory=dict)  # each second-level unit's 问政 topics
    metrics: dict[str, dict] = field(default_factory=dict)  # 指标 -> actual, target, met, detail (due: False = not yet)

    def headline(self) -> str:
        """One line for a person reading the report: the three collective duties that can lapse."""
        return "；".join(self.metrics[m]["detail"] for m in (METRIC_WORKDAY_COVERAGE, METRIC_WEEKLY_RECEPTION,
                                                              METRIC_HALF_MONTH_MEETING) if m in self.metrics)


def _targets(ctx: Context) -> dict[str, float]:
    """Each collective requirement's target by its report name: the metric, or UNIT_TOPICS for the 二级单位 row of
    问政题目 (the same metric for the bureau and for each unit)."""
    from zoufang.progress.quota import quota_rules
    rules = quota_rules(ctx.campaign)
    rules = rules[rules["subject"].isin((SCOPE_BUREAU, SCOPE_UNIT))]
    names = [UNIT_TOPICS if (m, s) == (METRIC_TOPICS, SCOPE_UNIT) else m for m, s in zip(rules["metric"],
                                                                                        rules["subject"])]
    return dict(zip(names, rules["target"]))


def reception_units(ctx: Context) -> pd.DataFrame:
    """Receptions by a leader (who may receive) inside [start, as_of], with the unit they count for."""
    r = ctx.rows(RECEPTIONS.key, "person", "date")
    roles = r["pid"].map(dict(zip(ctx.roster.people["person_id"], ctx.roster.people["category"])))
    r = r[roles.isin(RECEIVER_ROLES)].assign(role=roles)
    own_unit = r["pid"].map(dict(zip(ctx.roster.people["person_id"], ctx.roster.people["unit"])))
    r["count_unit"] = r["unit"].where(r["unit"] != "", own_unit)
    return r


def second_level_units(ctx: Context) -> list[str]:
    units = ctx.campaign.units
    return units.loc[(units["kind"] == SECOND_LEVEL_KIND) & (units["name"] != ""), "name"].drop_duplicates().tolist()


def collective(ctx: Context) -> Collective:
    """Every collective requirement of 配额 (局 / 二级单位 rows), as of the context's date."""
    targets = _targets(ctx)
    out = Collective()
    facts = _Facts(ctx)
    for metric, measure in MEASURES.items():
        if metric in targets:
            measure(ctx, facts, targets[metric], out)
    return out


class _Facts:
    """The rows the collective measures share, taken once."""

    def __init__(self, ctx: Context):
        self.receptions = reception_units(ctx)
        activities = ctx.rows(ACTIVITIES.key, "lead")
        self.activities = activities[activities["date"] >= pd.Timestamp(ctx.start)]
        self.in_period = self.activities[self.activities["date"] <= pd.Timestamp(ctx.quota_day)]
        self.units = second_level_units(ctx)
        self.ctx = ctx

    @cached_property
    def topics(self) -> dict[str, list[str]]:
        """Each unit's 问政 topics (局 for the bureau's own): for the bureau's requirement and the units'."""
        from zoufang.progress.measures import topics_by_unit
        return topics_by_unit(self.ctx)


def _workday_coverage(ctx: Context, f: _Facts, need, out: Collective) -> None:
    leaders = f.receptions[f.receptions["role"] == ROLE_BUREAU_LEADER]
    per_day = leaders.groupby(leaders["date"].dt.date)["pid"].nunique()
    days = workdays(ctx.start, min(ctx.as_of, ctx.end), ctx.campaign.calendar)
    out.workdays_due = len(days)
    out.uncovered_workdays = [d for d in days if per_day.get(d, 0) < need]
    out.metrics[METRIC_WORKDAY_COVERAGE] = {
        "actual": out.workdays_due - len(out.uncovered_workdays), "target": out.workdays_due,
        "met": not out.uncovered_workdays,
        "detail": (f"{len(out.uncovered_workdays)} 个工作日无局领导接访" if out.uncovered_workdays
                   else "每个工作日均有局领导接访")}


def _weekly_reception(ctx: Context, f: _Facts, need, out: Collective) -> None:
    receptions = f.receptions
    monday = receptions["date"] - pd.to_timedelta(receptions["date"].dt.weekday, unit="D")
    per_week = receptions.groupby([receptions["count_unit"], monday.dt.date]).size()
    due_weeks = [w for w, sunday in weeks(ctx.start, ctx.end) if due(sunday, ctx.end, ctx.as_of)]
    missing = [{UNIT_NAME: u, "week_start": w} for u in f.units for w in due_weeks if per_week.get((u, w), 0) < need]
    out.unit_weeks_due = len(f.units) * len(due_weeks)
    out.unit_weeks_without_reception = missing
    out.metrics[METRIC_WEEKLY_RECEPTION] = {
        "actual": out.unit_weeks_due - len(missing), "target": out.unit_weeks_due, "met": not missing,
        "detail": (f"{len({m[UNIT_NAME] for m in missing})} 个单位共 {len(missing)} 周无接访" if missing
                   else "各单位每周均有接访")}


def _half_month_meeting(ctx: Context, f: _Facts, need, out: Collective) -> None:
    meetings = f.in_period[f.in_period["kind"] == MEETING]["date"].dt.date
    periods = [(lo, hi) for lo, hi in half_months(ctx.start, ctx.end) if due(hi, ctx.end, ctx.as_of)]
    out.half_months_due = len(periods)
    out.uncovered_half_months = [lo for lo, hi in periods if sum(1 for d in meetings if lo <= d <= hi) < need]
    out.metrics[METRIC_HALF_MONTH_MEETING] = {
        "actual": len(periods) - len(out.uncovered_half_months), "target": len(periods),
        "met": not out.uncovered_half_months,
        "detail": (f"{len(out.uncovered_half_months)} 期（每半月一期）未开例会" if out.uncovered_half_months
                   else "每半月均开例会")}


def _books(ctx: Context, f: _Facts, need, out: Collective) -> None:
    """送图书 counts at a contact point only."""
    books = f.in_period[f.in_period["kind"] == BOOKS]
    there = at_contact_point(books["place"], contact_points(ctx.campaign))
    n = int(there.sum())
    away = f"（另有 {int((~there).sum())} 次不在联系点，不计）" if (~there).any() else ""
    out.metrics[METRIC_BOOKS] = {"actual": n, "target": need, "met": n >= need, "detail": f"在联系点开展 {n} 次{away}"}


def _look_back(ctx: Context, f: _Facts, need, out: Collective) -> None:
    """回头看 is held after the campaign's end, by the as-of date."""
    look = f.activities[(f.activities["kind"] == LOOK_BACK) & (f.activities["date"] <= pd.Timestamp(ctx.as_of))]
    n = int((look["date"] > pd.Timestamp(ctx.end)).sum())
    early = len(look) - n
    note = f"（另有 {early} 次在活动期间，不计）" if early else ""
    out.metrics[METRIC_LOOK_BACK] = {"actual": n, "target": need, "met": n >= need, "due": ctx.over,
                                     "detail": (f"活动结束后已开展 {n} 次" if ctx.over else "活动结束后开展") + note}


def _topics(ctx: Context, f: _Facts, need, out: Collective) -> None:
    """The bureau's own 问政 topics (those of people of 局机关)."""
    from zoufang.progress.measures import BUREAU
    topics = f.topics.get(BUREAU, [])
    out.metrics[METRIC_TOPICS] = {"actual": len(topics), "target": need, "met": len(topics) >= need,
                                  "detail": "；".join(topics)}


def _unit_topics(ctx: Context, f: _Facts, need, out: Collective) -> None:
    """Each second-level unit's own 问政 topics (2–3 per unit)."""
    topics = f.topics
    out.unit_topics = {u: len(topics.get(u, [])) for u in f.units}
    short = [u for u, n in out.unit_topics.items() if n < need]
    out.metrics[UNIT_TOPICS] = {
        "actual": len(f.units) - len(short), "target": len(f.units), "met": not short,
        "detail": ("不足 " + _num(need) + " 个：" + "、".join(f"{u}（{out.unit_topics[u]}）" for u in short)) if short
        else "各单位均已确定"}


def _num(v) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _contact_point(ctx: Context, f: _Facts, need, out: Collective) -> None:
    per_unit = f.in_period[f.in_period["kind"] == CONTACT_POINT].groupby("unit").size()
    out.units_without_contact_point = [u for u in f.units if per_unit.get(u, 0) < need]
    out.metrics[METRIC_CONTACT_POINT] = {
        "actual": len(f.units) - len(out.units_without_contact_point), "target": len(f.units),
        "met": not out.units_without_contact_point,
        "detail": "未建：" + "、".join(out.units_without_contact_point) if out.units_without_contact_point
        else "各单位均已建立"}


MEASURES = {  # in the order the report lists them
    METRIC_WORKDAY_COVERAGE: _workday_coverage, METRIC_WEEKLY_RECEPTION: _weekly_reception,
    METRIC_HALF_MONTH_MEETING: _half_month_meeting, METRIC_BOOKS: _books, METRIC_LOOK_BACK: _look_back,
    METRIC_TOPICS: _topics, UNIT_TOPICS: _unit_topics, METRIC_CONTACT_POINT: _contact_point,
}
