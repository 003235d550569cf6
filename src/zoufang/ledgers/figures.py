"""Every figure the ledgers print, computed once for the whole campaign and grouped by person and unit.

``LedgerData.of`` takes the report's as-of date; each grouping below is one named step, made on
first use and kept: a person's ledger is written into their own file and into their unit's book.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
import pandas as pd

from zoufang.contract.periods import cn_date, due, weeks
from zoufang.contract.schema import (
    ACTIVITIES, CASES, METRIC_HOUSEHOLDS, METRIC_RESEARCH_DAYS, METRIC_RESOLUTION_RATE, PROBLEMS, RATIO_METRICS, RECEPTIONS, RESEARCH,
    ROLE_BUREAU_LEADER, VISITS, WENZHENG, Kind,
)
from zoufang.ledgers.template_render import records
from zoufang.ledgers.templates import PROBLEM_FIELDS, SOLVE_RATE_NOTE
from zoufang.ledgers.template_xlsx import Template
from zoufang.progress.collective import reception_units
from zoufang.progress.measures import NO_MEASURES, category_text, households_text
from zoufang.progress.quota import Context, trip_days
from zoufang.progress.report import NAME, UNIT, Report, build_report
from zoufang.reading.dataset import Campaign
from zoufang.reading.normalize import as_typed

SECTION_FIELDS = {  # the fields each repeating section of the personal ledger template uses
    "visits": ("record_id", "date", "target", "target_type", "address", "form", "issue", "problem_id"),
    "research": ("record_id", "start", "end", "days", "place", "topic", "report"),
    "receptions": ("record_id", "date", "visitor", "matter", "handling", "deadline", "result", "problem_id"),
    "cases": ("case_id", "cause", "case_type", "role", "field_visit", "deadline", "status", "closed_date"),
    "problems": ("problem_id", "reg_date", "description", "major", "role", "deadline", "status", "solved_date"),
    "wenzheng": ("record_id", "date", "mode", "topic", "participants", "opinions", "replied"),
    "activities": ("record_id", "date", "kind", "place", "summary", "participants"),
}
SECTION_ORDER = {"visits": "date", "research": "start", "receptions": "date", "cases": None, "problems": None,
                 "wenzheng": "date", "activities": "date"}  # the column each section is listed by
COUNTED_SECTIONS = {"visit": "visits", "reception": "receptions", "case": "cases", "problem": "problems",
                    "wenzheng": "wenzheng", "activity": "activities"}  # {name}_count in the personal ledger
UNIT_COUNTS = ("people", "met", "on_pace", "behind", "open_problems", "overdue_problems", "weeks_with_reception",
               "weeks_due")
QUOTA_COLUMNS = ["person_id", "metric", "target", "actual", "ratio", "expected_by_now", "status", "overall"]


@dataclass
class LedgerData:
    """Everything the ledgers show: the report, and each section's rows once per person they concern."""

    campaign: Campaign
    report: Report
    ctx: Context
    visits: pd.DataFrame
    research: pd.DataFrame
    receptions: pd.DataFrame
    cases: pd.DataFrame
    problems: pd.DataFrame
    wenzheng: pd.DataFrame
    activities: pd.DataFrame
    _scopes: dict = field(default_factory=dict, repr=False, compare=False)
    _plans: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, campaign: Campaign, as_of: dt.date | None = None) -> "LedgerData":
        report = build_report(campaign, as_of)
        ctx = Context(campaign, report.as_of)
        research = ctx.rows(RESEARCH.key, "person")
        research = research.assign(days=trip_days(research["pid"], research["start"], research["end"],
                                                  ctx.start, ctx.quota_day))
        typed = partial(as_typed_texts, campaign)
        return cls(campaign, report, ctx, typed(VISITS.key, ctx.rows(VISITS.key, "person")),
                   typed(RESEARCH.key, research), typed(RECEPTIONS.key, ctx.rows(RECEPTIONS.key, "person")),
                   typed(CASES.key, rows_with_roles(ctx, CASES.key, ("leader", "owner"))),
                   typed(PROBLEMS.key, rows_with_roles(ctx, PROBLEMS.key, ("leader", "owner"))),
                   typed(WENZHENG.key, ctx.rows(WENZHENG.key, "person", "date")),
                   typed(ACTIVITIES.key, ctx.rows(ACTIVITIES.key, "lead", "date")))

    def people(self) -> pd.DataFrame:
        """Everyone in 人员, in roster order."""
        p = self.campaign.people
        return p[(p["person_id"] != "") & ~p["person_id"].duplicated()]

    # ---------------------------------------------------------------- grouped once
    @cached_property
    def rows_by_person(self) -> dict[str, dict[str, list[dict]]]:
        return section_rows_by_person({s: getattr(self, s) for s in SECTION_FIELDS})

    @cached_property
    def quotas_by_person(self) -> dict[str, list[dict]]:
        return quota_rows_by_person(self.report.people)

    @cached_property
    def households_by_person(self) -> dict[str, int]:
        return households_by_person(self.visits, self.campaign[VISITS.key].household_codes())

    @cached_property
    def problems_by_unit(self) -> dict[str, list[dict]]:
        return problems_by_unit(self.ctx)

    @cached_property
    def receptions_by_week(self) -> tuple[list, dict]:
        return receptions_by_unit_and_week(self.ctx)

    # ---------------------------------------------------------------- what a template is filled with
    def person_scope(self, person: pd.Series) -> dict:
        """Everything a personal ledger shows (computed once per person: it appears in two files)."""
        if person["person_id"] not in self._scopes:
            self._scopes[person["person_id"]] = self._person_scope(person)
        return self._scopes[person["person_id"]]

    def person_plan(self, tpl: Template, person: pd.Series) -> list:
        """The personal ledger's rows for ``person``: made once, written into their file and their unit's book."""
        key = (id(tpl), person["person_id"])
        if key not in self._plans:
            self._plans[key] = tpl.plan(self.person_scope(person))
        return self._plans[key]

    def _person_scope(self, person: pd.Series) -> dict:
        pid = person["person_id"]
        rows = self.rows_by_person.get(pid, {})
        quotas = self.quotas_by_person.get(pid, [])
        actual = {m["metric"]: m["actual"] for m in quotas}
        return {
            **self._campaign_fields(),
            "name": person["name"], "person_id": pid, "unit": person["unit"], "title": person["title"],
            "category": person["category"], "overall": quotas[0]["overall"] if quotas else "无个人指标",
            "metrics": quotas,
            **{section: rows.get(section, []) for section in SECTION_FIELDS},
            **{f"{name}_count": len(rows.get(section, [])) for name, section in COUNTED_SECTIONS.items()},
            "household_count": int(actual[METRIC_HOUSEHOLDS]) if METRIC_HOUSEHOLDS in actual
            else self.households_by_person.get(pid, 0),
            "research_days": int(actual[METRIC_RESEARCH_DAYS]) if METRIC_RESEARCH_DAYS in actual
            else int(sum(r["days"] or 0 for r in rows.get("research", []))),
            "reviewer": "局活动办公室审核" if person["category"] == ROLE_BUREAU_LEADER else "单位负责人审核",
            "category_text": category_text(self.report.by_category.get(pid, {})),
            "pairing_count": self.report.pairings.get(pid, 0),
            "wenzheng_text": rate_text(self.report.wenzheng.get("people", {}).get(pid)),
            "solve_rate_note": SOLVE_RATE_NOTE if METRIC_RESOLUTION_RATE in actual else "",
        }

    def unit_scope(self, unit: str, members: pd.DataFrame, sheets: list[str]) -> dict:
        """Everything a unit's book shows besides its members' ledgers; ``sheets``: (title, sheet) for 目录."""
        problems = self.problems_by_unit.get(unit, [])
        weekly = self.weekly(unit)
        return {
            **self._campaign_fields(),
            "compiled": cn_date(dt.date.today()), "unit": unit, "members": self._member_lines(members),
            "solve_rate_note": SOLVE_RATE_NOTE if any(
                m["metric"] == METRIC_RESOLUTION_RATE for pid in members["person_id"]
                for m in self.quotas_by_person.get(pid, [])) else "",
            **self._unit_counts(unit),
            "problems": problems,
            "problem_count": len(problems),
            **self._unit_measures(unit),
            "weeks": weekly,
            "toc": [{"no": i, "title": title, "sheet": sheet, "page": None}
                    for i, (title, sheet) in enumerate(sheets, start=1)],
        }

    def _unit_measures(self, unit: str) -> dict:
        """The unit's 重点走访对象, 结对帮扶 and 问政 as lines of its 汇总."""
        m = self.report.unit_measures.get(unit) or NO_MEASURES
        unpaired = [p[NAME] for p in self.report.unpaired if p[UNIT] == unit]
        return {"unit_category_text": households_text(m["by_category"], m["others"]),
                "pairing_text": (f"党员干部 {m['cadres']} 人，已登记结对帮扶 {m['paired']} 人"
                                 + (f"；尚未登记：{'、'.join(unpaired)}" if unpaired else "")),
                "unit_wenzheng_text": (f"问政题目 {m['wenzheng'].get('topics', 0)} 个，"
                                       + rate_text(m["wenzheng"]))}

    def _campaign_fields(self) -> dict:
        s = self.campaign.settings
        return {"campaign": s.name, "organizer": s.organizer, "start": s.start, "end": s.end,
                "as_of": self.report.as_of}

    def _member_lines(self, members: pd.DataFrame) -> list[dict]:
        """One line per member for 单位完成情况汇总: each quota as actual/target and its status."""
        lines = []
        for p in members.itertuples():
            mine = self.quotas_by_person.get(p.person_id, [])
            text = "；".join(f"{m['metric']} {m['actual']}/{m['target']} {m['status']}" for m in mine)
            lines.append({"person_id": p.person_id, "name": p.name, "title": p.title, "category": p.category,
                          "detail": text or "无个人指标", "overall": mine[0]["overall"] if mine else ""})
        return lines

    def _unit_counts(self, unit: str) -> dict:
        row = self.report.units[self.report.units["unit"] == unit]
        u = row.iloc[0] if len(row) else None
        counts = {k: (None if u is None else u[k]) for k in UNIT_COUNTS}
        for key in ("weeks_due", "weeks_with_reception"):  # 局机关 has no weekly duty: "—", as in the report
            if counts[key] is None or pd.isna(counts[key]):
                counts[key] = "—"
        return counts

    def weekly(self, unit: str) -> list[dict]:
        """The unit's receptions in each week that is due."""
        spans, by = self.receptions_by_week
        out = []
        for i, (monday, sunday) in enumerate(spans):
            receivers = by.get((unit, i), [])
            out.append({"monday": monday, "sunday": sunday, "count": len(receivers),
                        "receivers": "、".join(dict.fromkeys(receivers)), "met": "是" if receivers else "否"})
        return out


# ------------------------------------------------------------------ the steps
def section_rows_by_person(sections: dict[str, pd.DataFrame]) -> dict[str, dict[str, list[dict]]]:
    """Each section's rows as template records, grouped by person in one pass (not filtered per person)."""
    by: dict[str, dict[str, list[dict]]] = {}
    for section, frame in sections.items():
        order = SECTION_ORDER[section]
        frame = frame.sort_values(order, kind="stable") if order else frame
        for pid, rec in zip(frame["pid"], records(frame, {k: k for k in SECTION_FIELDS[section]})):
            by.setdefault(pid, {}).setdefault(section, []).append(rec)
    return by


def quota_rows_by_person(people: pd.DataFrame) -> dict[str, list[dict]]:
    """Each person's quota rows of the report as printed: ratios as percent, counts as whole numbers."""
    by: dict[str, list[dict]] = {}
    for row in people[QUOTA_COLUMNS].itertuples(index=False):
        shown = _percent if row.metric in RATIO_METRICS else _whole  # 问题解决率 75 % of 100 %, not 0.75/1
        by.setdefault(row.person_id, []).append(
            {"metric": row.metric, "target": shown(row.target), "actual": shown(row.actual),
             "ratio": None if pd.isna(row.ratio) else f"{row.ratio:.0%}",
             "expected": shown(row.expected_by_now), "status": row.status, "overall": row.overall})
    return by


def households_by_person(visits: pd.DataFrame, household_codes: np.ndarray) -> dict[str, int]:
    """Distinct households per person (for those without a 走访户数 quota)."""
    homes = pd.DataFrame({"pid": visits["pid"].to_numpy(), "home": household_codes[visits.index.to_numpy()]})
    return homes.drop_duplicates().groupby("pid").size().to_dict()


def as_typed_texts(campaign: Campaign, sheet_key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (rows of sheet ``sheet_key``, with ``_row``) with its free-text columns as the clerk typed them —
    full-width punctuation and all (normalize.as_typed) — for printing; the cleaned text stays for comparing."""
    data = campaign[sheet_key]
    raw = data.raw
    keys = [k for k in frame.columns if k in data.spec.keys and data.spec.col(k).kind is Kind.TEXT]
    if raw is None or not keys or frame.empty:
        return frame
    at = pd.Index(data.frame["_row"]).get_indexer(frame["_row"])
    typed = {k: [as_typed(v) for v in raw[k].to_numpy(dtype=object)[at]] for k in keys}
    return frame.assign(**typed)


def problems_by_unit(ctx: Context) -> dict[str, list[dict]]:
    """问题台账 rows as template records grouped by responsible unit, in order of registration."""
    problems = as_typed_texts(ctx.campaign, PROBLEMS.key, standing_rows(ctx, PROBLEMS.key)).sort_values(
        "reg_date", kind="stable")
    fields = PROBLEM_FIELDS
    by: dict[str, list[dict]] = {}
    for unit, rec in zip(problems["unit"], records(problems, {k: k for k in fields})):
        by.setdefault(unit, []).append(rec)
    return by


def receptions_by_unit_and_week(ctx: Context) -> tuple[list, dict]:
    """The weeks that are due, and who received petitioners for each unit in each of them."""
    spans = [(m, s) for m, s in weeks(ctx.start, ctx.end) if due(s, ctx.end, ctx.as_of)]
    r = reception_units(ctx)
    mondays = np.array([np.datetime64(m, "ns") for m, _ in spans], dtype="datetime64[ns]")
    sundays = np.array([np.datetime64(s, "ns") for _, s in spans], dtype="datetime64[ns]")
    dates = r["date"].to_numpy(dtype="datetime64[ns]")
    slot = np.searchsorted(mondays, dates, side="right") - 1  # the week whose Monday is not after the date
    inside = slot >= 0
    inside[inside] = dates[inside] <= sundays[slot[inside]]
    r = r.assign(_slot=slot)[inside]
    return spans, {key: names.tolist() for key, names in r.groupby(["count_unit", "_slot"], sort=False)["person"]}


def standing_rows(ctx: Context, sheet_key: str) -> pd.DataFrame:
    """Problems or cases as they stood at the as-of date: registered by then, with that day's status and
    only the solved / ticked-off dates reached by then."""
    if sheet_key == CASES.key:
        f = ctx.cases()
        return f.assign(status=f["status_at"], closed_date=f["closed_date"].where(~f["open_at"]))
    f = ctx.problems()
    return f.assign(status=f["status_at"], solved_date=f["solved_date"].where(f["solved_at"]),
                    closed_date=f["closed_date"].where(f["closed_at"]))


def rows_with_roles(ctx: Context, sheet_key: str, roles) -> pd.DataFrame:
    """Rows once per person they concern, with the person's role(s) on the row (e.g. 分包领导、责任人)."""
    spec = CASES if sheet_key == CASES.key else PROBLEMS
    standing = standing_rows(ctx, sheet_key)
    parts = [ctx.with_people(standing, sheet_key, key).assign(role=spec.col(key).label) for key in roles]
    both = pd.concat(parts, ignore_index=True)
    id_key = "case_id" if sheet_key == CASES.key else "problem_id"
    both["_order"] = range(len(both))
    roles_of = both.groupby([id_key, "pid", "_row"], sort=False)["role"].agg("\n".join)  # a role a line: a narrow
    #                                          column never wraps one to begin a line with "、"
    first = both.drop_duplicates([id_key, "pid", "_row"]).drop(columns="role")
    first = first.merge(roles_of.rename("role").reset_index(), on=[id_key, "pid", "_row"])
    return first.sort_values("_order").drop(columns="_order")


def rate_text(w: dict | None) -> str:
    """收集意见 25 条，已回复 20 条，回复率 80%."""
    if not w or not w.get("opinions"):
        return "收集意见 0 条"
    return f"收集意见 {w['opinions']} 条，已回复 {w['replied']} 条，回复率 {w['reply_rate']:.0%}"


def _percent(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{v:.0%}"


def _whole(v):
    """A count or a number of days as a whole number (a float that is whole prints without ".0")."""
    if v is None or pd.isna(v):
        return "—"
    return int(v) if float(v).is_integer() else round(float(v), 1)
