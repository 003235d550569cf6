"""The report: personal completion, unit roll-up, collective requirements, supervision, half-month brief."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from zoufang.contract.periods import due, half_month_of, weeks
from zoufang.contract.schema import METRIC_HOUSEHOLDS, PEOPLE, PERSONAL_METRICS, PROBLEMS, RATIO_METRICS, VISITS
from zoufang.progress.collective import UNIT_NAME, Collective, collective, reception_units, second_level_units
from zoufang.progress.measures import households_by_category, pairings, unit_measures, unpaired, wenzheng_summary
from zoufang.progress.quota import BEHIND, DONE, MISSED, ON_PACE, Context, completion, overall_status
from zoufang.progress.returns import return_status
from zoufang.progress.standing import solved_on
from zoufang.progress.supervision import backlog_cases, overdue
from zoufang.reading.dataset import Campaign

PERSON_ID, NAME, UNIT, CATEGORY = (PEOPLE.col(k).label for k in ("person_id", "name", "unit", "category"))


@dataclass
class Report:
    as_of: dt.date
    share: float
    people: pd.DataFrame  # one row per (person, metric) with the person's roster fields and overall status
    units: pd.DataFrame  # one row per unit
    collective: Collective
    overdue: pd.DataFrame
    backlog: pd.DataFrame
    brief: dict
    over: bool
    returns: list[dict] = field(default_factory=list)  # each issued unit's 已发回 / 未发回 / 逾期未发回 (returns.py)
    wenzheng: dict = field(default_factory=dict)  # measures.py: 问政 opinions, replies, rate, topics
    by_category: dict = field(default_factory=dict)  # person_id -> {对象类别: households}
    pairings: dict = field(default_factory=dict)  # person_id -> 结对帮扶 records
    unpaired: list = field(default_factory=list)  # the cadres without one
    unit_measures: dict = field(default_factory=dict)  # unit -> by_category, cadres, paired, wenzheng

    def to_json(self) -> dict:
        people: dict[str, dict] = {}  # in the order of each person's first row, as the frame holds them
        for r in self.people.itertuples():
            person = people.get(r.person_id)
            if person is None:
                person = people[r.person_id] = {
                    PERSON_ID: r.person_id, NAME: r.name, UNIT: r.unit, CATEGORY: r.category, "status": r.overall,
                    "metrics": {}, "by_category": self.by_category.get(r.person_id, {}),
                    "pairings": int(self.pairings.get(r.person_id, 0))}
            person["metrics"][r.metric] = _metric_json(r)
        units = [{UNIT: r["unit"], "people": int(r["people"]), "met": int(r["met"]), "on_pace": int(r["on_pace"]),
                  "behind": int(r["behind"]), "totals": r["totals"], "open_problems": int(r["open_problems"]),
                  "overdue_problems": int(r["overdue_problems"]),
                  "weeks_with_reception": _num(r["weeks_with_reception"]), "weeks_due": _num(r["weeks_due"]),
                  **self.unit_measures.get(r["unit"], {})}
                 for _, r in self.units.iterrows()]
        c = self.collective
        return {
            "as_of": self.as_of.isoformat(),
            "people": list(people.values()),
            "units": units,
            "collective": {
                "uncovered_workdays": [d.isoformat() for d in c.uncovered_workdays],
                "unit_weeks_without_reception": [{UNIT: x[UNIT_NAME], "week_start": x["week_start"].isoformat()}
                                                 for x in c.unit_weeks_without_reception],
                "uncovered_half_months": [d.isoformat() for d in c.uncovered_half_months],
                "units_without_contact_point": c.units_without_contact_point,
                "metrics": {k: {"actual": v["actual"], "target": v["target"], "met": v["met"], "due": v.get("due", True),
                                "detail": v["detail"]}
                            for k, v in c.metrics.items()},
            },
            "overdue": [_jsonable(r) for r in self.overdue.to_dict("records")],
            "backlog_cases": [_jsonable(r) for r in self.backlog.to_dict("records")],
            "brief": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.brief.items()},
            "share_elapsed": round(self.share, 4),
            "returns": self.returns,
            "wenzheng": self.wenzheng,
            "unpaired": self.unpaired,
        }


def _metric_json(r) -> dict:
    out = {"actual": _num(r.actual), "target": _num(r.target), "ratio": None if r.ratio is None or pd.isna(r.ratio)
           else round(float(r.ratio), 4), "expected_by_now": _num(r.expected_by_now), "status": r.status}
    if r.denominator is not None and not pd.isna(r.denominator):
        out["numerator"], out["denominator"] = int(r.numerator), int(r.denominator)
    return out


def _num(v):
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    v = float(v)
    return int(v) if v.is_integer() else round(v, 4)


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else (int(v) if hasattr(v, "item") and
                                                              float(v).is_integer() else v))
            for k, v in row.items()}


def build_report(campaign: Campaign, as_of: dt.date | None = None,
                 received: dict[str, dt.datetime] | None = None) -> Report:
    """The report at ``as_of``; ``received``: each unit's latest return by the audit log (returns.return_status)."""
    ctx = Context(campaign, campaign.settings.effective_as_of(as_of))
    done = completion(ctx)
    people = campaign.people.drop_duplicates("person_id")[["person_id", "name", "unit", "category"]]
    done = done.merge(people, on="person_id", how="left")
    done["overall"] = overall_status(done)
    coll = collective(ctx)
    late = overdue(ctx)
    report = Report(ctx.as_of, ctx.share, done, unit_rollup(ctx, done, coll, late), coll, late, backlog_cases(ctx),
                    half_month_brief(ctx), ctx.over, return_status(campaign, received=received))
    add_measures(report, ctx)
    return report


def add_measures(report: Report, ctx: Context) -> None:
    """The seed's measures without a number (measures.py), into ``report``."""
    report.wenzheng = wenzheng_summary(ctx)
    cats = households_by_category(ctx)
    report.by_category = {}
    for pid, category, households in zip(cats["person_id"], cats["category"], cats["households"]):
        report.by_category.setdefault(pid, {})[category] = int(households)
    counts = pairings(ctx)
    report.pairings = {str(k): int(v) for k, v in counts.items()}
    report.unpaired = [{PERSON_ID: r.person_id, NAME: r.name, UNIT: r.unit} for r in unpaired(ctx, counts).itertuples()]
    holders = set(report.people.loc[report.people["metric"] == METRIC_HOUSEHOLDS, "person_id"])
    report.unit_measures = unit_measures(ctx, cats, counts, report.wenzheng, holders)


def unit_rollup(ctx: Context, done: pd.DataFrame, coll: Collective, late: pd.DataFrame) -> pd.DataFrame:
    """Per unit: members by overall status, totals per metric, open and overdue problems, weekly receptions."""
    units = ctx.campaign.units
    names = units.loc[units["name"] != "", "name"].drop_duplicates().tolist()
    per_person = done.drop_duplicates("person_id")
    problems = ctx.problems()
    open_problems = problems[problems["open_at"]].groupby("unit").size()
    overdue_problems = late[late["sheet"] == PROBLEMS.name].groupby(PROBLEMS.col("unit").label).size()
    second = set(second_level_units(ctx))
    due_weeks = [w for w, sunday in weeks(ctx.start, ctx.end) if due(sunday, ctx.end, ctx.as_of)]
    missing = pd.Series([x[UNIT_NAME] for x in coll.unit_weeks_without_reception], dtype=object).value_counts()
    sizes = per_person.groupby("unit").size().to_dict()
    by_status = per_person.groupby(["unit", "overall"]).size().to_dict()

    def count(unit: str, *statuses: str) -> int:
        return int(sum(by_status.get((unit, st), 0) for st in statuses))


    sums = done.groupby(["unit", "metric"])[["actual", "numerator", "denominator"]].sum()
    totals_of: dict[str, dict] = {}
    for (unit, metric), (actual, num, den) in zip(sums.index, sums.to_numpy()):
        if metric not in PERSONAL_METRICS:
            continue
        if metric in RATIO_METRICS:  # a unit's ratio is over all its members' items
            value = round(float(num / den), 4) if den else None
        else:
            value = _num(actual)
        totals_of.setdefault(unit, {})[metric] = value
    rows = []
    for name in names:
        totals = {m: totals_of[name][m] for m in PERSONAL_METRICS if m in totals_of.get(name, {})}
        weeks_due = len(due_weeks) if name in second else None
        rows.append({
            "unit": name, "people": sizes.get(name, 0),
            "met": count(name, DONE), "on_pace": count(name, ON_PACE), "behind": count(name, BEHIND, MISSED),
            "totals": totals, "open_problems": int(open_problems.get(name, 0)),
            "overdue_problems": int(overdue_problems.get(name, 0)),
            "weeks_due": weeks_due,
            "weeks_with_reception": None if weeks_due is None else weeks_due - int(missing.get(name, 0)),
        })
    return pd.DataFrame(rows)


def brief_window(campaign_start: dt.date, as_of: dt.date) -> tuple[int, dt.date, dt.date]:
    """The half-month containing the as-of date: its issue number 第N期 (1 for the campaign's first
    half-month), first day (not before the start) and last day so far (the as-of date if not over)."""
    lo, hi = half_month_of(as_of)
    first, _ = half_month_of(campaign_start)
    number = (lo.year - first.year) * 24 + (lo.month - first.month) * 2 + (lo.day > 15) - (first.day > 15) + 1
    return number, max(lo, campaign_start), min(hi, as_of)


def half_month_brief(ctx: Context) -> dict:
    """The half-month brief: the period's counts and the cumulative ones, as the ledgers stood at the as-of date."""
    number, lo, hi = brief_window(ctx.start, ctx.as_of)
    a, b = pd.Timestamp(lo), pd.Timestamp(hi)
    visits = ctx.campaign[VISITS.key].frame
    visits = visits[visits["date"] <= b]
    problems = ctx.problems()
    solved_day = solved_on(problems).where(problems["solved_at"])
    overdue_from = problems["deadline"] + pd.Timedelta(days=1)  # the first day past the deadline
    receptions = reception_units(ctx)
    receptions = receptions[receptions["date"] <= b]
    return {
        "issue_no": number, "window_start": lo, "window_end": hi,
        "new_visits": int(visits["date"].between(a, b).sum()), "visits_total": len(visits),
        "new_problems": int(problems["reg_date"].between(a, b).sum()), "problems_total": len(problems),
        "closed_problems": int(solved_day.between(a, b).sum()), "solved_total": int(problems["solved_at"].sum()),
        "newly_overdue": int((problems["open_at"] & overdue_from.between(a, b)).sum()),
        "open_problems": int(problems["open_at"].sum()),
        "solved_not_closed": int((problems["solved_at"] & ~problems["closed_at"]).sum()),
        "receptions": int(receptions["date"].between(a, b).sum()), "receptions_total": len(receptions),
        "problems_by_status": {k: int(v) for k, v in problems["status_at"].value_counts().items() if k},
    }
