"""Quota completion per person, from the rules of the 配额 sheet.

How each metric is counted is defined once in METRICS (DOMAIN.md's counting
rules); who is measured against which target comes only from the 配额 sheet,
so editing a target or adding a row changes the result with no code change.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import normalize as nz
from .dataset import Campaign
from .periods import elapsed_share
from .roster import Roster
from .schema import (
    ACTIVITIES, ACTIVITY_LECTURE, MODE_ONLINE, CASES, FLAG_HEAD, FLAG_LECTURER, METRIC_FIELD_VISIT_RATIO, METRIC_HOUSEHOLDS, METRIC_LECTURES,
    METRIC_MAJOR_SOLVED, METRIC_ONLINE, METRIC_RECEPTIONS, METRIC_RESEARCH_DAYS, METRIC_RESOLUTION_RATE,
    PERSONAL_METRICS, PROBLEM_SOLVED, PROBLEMS, RATIO_METRICS, RECEPTIONS, RESEARCH, ROLES, VISITS, WENZHENG,
)

DONE, ON_PACE, BEHIND, MISSED = "已完成", "按进度", "滞后", "未完成"
STATUS_ORDER = (DONE, ON_PACE, BEHIND, MISSED)  # worst last


@dataclass
class Context:
    """A campaign read for counting: period, as-of date, and every person column resolved."""

    campaign: Campaign
    as_of: dt.date
    roster: Roster = field(init=False)

    def __post_init__(self):
        self.roster = Roster.of(self.campaign)
        s = self.campaign.settings
        self.start, self.end = s.start, s.end
        self.share = elapsed_share(self.start, self.end, self.as_of)

    def rows(self, sheet_key: str, person_key: str, date_key: str | None = None) -> pd.DataFrame:
        """The sheet's rows with ``pid`` (resolved person) and, if given, dates inside [start, as_of]."""
        data = self.campaign[sheet_key]
        frame = data.frame.copy()
        if person_key in frame:
            frame["pid"] = self.roster.resolve(data, person_key)["person_id"].to_numpy()
        else:
            frame["pid"] = None
        if date_key:
            d = frame[date_key]
            frame = frame[(d >= pd.Timestamp(self.start)) & (d <= pd.Timestamp(self.as_of))]
        return frame[frame["pid"].notna()]


# ------------------------------------------------------------------ metric calculators
@dataclass(frozen=True)
class Actual:
    """Per person: the value, and for ratios the numerator and denominator."""

    value: pd.Series  # index person_id
    numerator: pd.Series | None = None
    denominator: pd.Series | None = None


def households(ctx: Context) -> Actual:
    v = ctx.rows(VISITS.key, "person", "date")
    codes = nz.household_codes(v["target"], v["address"])
    keep = (v["target"] != "").to_numpy()
    pairs = pd.DataFrame({"pid": v["pid"].to_numpy()[keep], "home": codes[keep]})
    return Actual(pairs.drop_duplicates().groupby("pid").size())


def research_days(ctx: Context) -> Actual:
    """Calendar days covered by a person's trips, clipped to [start, as_of], overlaps counted once."""
    t = ctx.rows(RESEARCH.key, "person").dropna(subset=["start", "end"])
    lo = t["start"].clip(lower=pd.Timestamp(ctx.start))
    hi = t["end"].clip(upper=pd.Timestamp(ctx.as_of))
    trips = pd.DataFrame({"pid": t["pid"], "lo": lo, "hi": hi})
    trips = trips[trips["hi"] >= trips["lo"]].sort_values(["pid", "lo"])
    if trips.empty:
        return Actual(pd.Series(dtype=float))
    # Sorted by start: a trip adds only its days after everything the person covered before it.
    reach = trips.groupby("pid")["hi"].cummax().groupby(trips["pid"]).shift()
    begin = trips["lo"].where(reach.isna() | (trips["lo"] > reach), reach + pd.Timedelta(days=1))
    added = ((trips["hi"] - begin).dt.days + 1).clip(lower=0)
    return Actual(added.groupby(trips["pid"]).sum())


def receptions(ctx: Context) -> Actual:
    return Actual(ctx.rows(RECEPTIONS.key, "person", "date").groupby("pid").size())


def _solved_by_as_of(ctx: Context, p: pd.DataFrame) -> pd.Series:
    solved = p["status"].isin(PROBLEM_SOLVED)
    return solved & (p["solved_date"].isna() | (p["solved_date"] <= pd.Timestamp(ctx.as_of)))


def major_solved(ctx: Context) -> Actual:
    p = ctx.rows(PROBLEMS.key, "leader")
    hit = p[p["major"].fillna(False).astype(bool) & _solved_by_as_of(ctx, p)]
    return Actual(hit.groupby("pid").size())


def field_visit_ratio(ctx: Context) -> Actual:
    c = ctx.rows(CASES.key, "leader")
    visited = c["field_visit"].fillna(False).astype(bool) & (
        c["visit_date"].isna() | (c["visit_date"] <= pd.Timestamp(ctx.as_of)))
    num = visited.groupby(c["pid"]).sum()
    den = c.groupby("pid").size()
    return Actual(num / den, num, den)


def resolution_rate(ctx: Context) -> Actual:
    p = ctx.rows(PROBLEMS.key, "finder")
    p = p[p["reg_date"].isna() | (p["reg_date"] <= pd.Timestamp(ctx.as_of))]
    num = _solved_by_as_of(ctx, p).groupby(p["pid"]).sum()
    den = p.groupby("pid").size()
    return Actual(num / den, num, den)


def online_exchanges(ctx: Context) -> Actual:
    w = ctx.rows(WENZHENG.key, "person", "date")
    return Actual(w[w["mode"] == MODE_ONLINE].groupby("pid").size())


def policy_lectures(ctx: Context) -> Actual:
    a = ctx.rows(ACTIVITIES.key, "lead", "date")
    return Actual(a[a["kind"] == ACTIVITY_LECTURE].groupby("pid").size())


METRICS: dict[str, Callable[[Context], Actual]] = {
    METRIC_RESEARCH_DAYS: research_days,
    METRIC_HOUSEHOLDS: households,
    METRIC_MAJOR_SOLVED: major_solved,
    METRIC_RECEPTIONS: receptions,
    METRIC_FIELD_VISIT_RATIO: field_visit_ratio,
    METRIC_RESOLUTION_RATE: resolution_rate,
    METRIC_ONLINE: online_exchanges,
    METRIC_LECTURES: policy_lectures,
}
assert set(METRICS) == set(PERSONAL_METRICS)


# ------------------------------------------------------------------ rules from 配额
def quota_rules(campaign: Campaign) -> pd.DataFrame:
    """Usable 配额 rows: subject, metric, target (ratios as fractions), unit label; the last of duplicates wins."""
    q = campaign["quotas"].frame
    q = q[(q["subject"] != "") & (q["metric"] != "") & q["target"].notna()].copy()
    ratio = q["metric"].isin(RATIO_METRICS) & (q["target"] > 1)
    q.loc[ratio, "target"] = q.loc[ratio, "target"] / 100
    return q.drop_duplicates(["subject", "metric"], keep="last")[["subject", "metric", "target", "unit_label"]]


def assignments(campaign: Campaign, rules: pd.DataFrame) -> pd.DataFrame:
    """One row per (person, personal metric) the 配额 sheet reaches, with its target."""
    people = campaign.people
    people = people[(people["person_id"] != "") & ~people["person_id"].duplicated()]
    personal = rules[rules["metric"].isin(PERSONAL_METRICS)]
    parts = []
    for subject, who in (
        *((role, people["category"] == role) for role in ROLES),
        (FLAG_HEAD, people["is_head"].fillna(False).astype(bool)),
        (FLAG_LECTURER, people["is_lecturer"].fillna(False).astype(bool)),
    ):
        rows = personal[personal["subject"] == subject]
        if rows.empty or not who.any():
            continue
        parts.append(people.loc[who, ["person_id"]].merge(rows[["metric", "target", "unit_label"]], how="cross"))
    if not parts:
        return pd.DataFrame(columns=["person_id", "metric", "target", "unit_label"])
    # A flag's row after a role's row for the same metric overrides it.
    return pd.concat(parts, ignore_index=True).drop_duplicates(["person_id", "metric"], keep="last")


# ------------------------------------------------------------------ completion
def status_of(actual: float | None, target: float, expected: float, ratio_metric: bool, over: bool) -> str:
    if actual is None or (isinstance(actual, float) and np.isnan(actual)):
        return DONE  # a ratio over nothing (no cases, no problems found) is met
    if actual >= target - 1e-9:
        return DONE
    if over:
        return MISSED
    if not ratio_metric and actual >= expected - 1e-9:
        return ON_PACE
    return BEHIND


def completion(ctx: Context) -> pd.DataFrame:
    """Per (person, metric): actual, target, ratio, expected_by_now, status (+ numerator/denominator for ratios)."""
    rules = quota_rules(ctx.campaign)
    plan = assignments(ctx.campaign, rules)
    over = ctx.as_of >= ctx.end
    rows = []
    for metric, group in plan.groupby("metric", sort=False):
        actual = METRICS[metric](ctx)
        is_ratio = metric in RATIO_METRICS
        values = group["person_id"].map(actual.value)
        num = group["person_id"].map(actual.numerator).fillna(0) if actual.numerator is not None else None
        den = group["person_id"].map(actual.denominator).fillna(0) if actual.denominator is not None else None
        if not is_ratio:
            values = values.fillna(0)
        for k, (pid, target, unit_label) in enumerate(zip(group["person_id"], group["target"], group["unit_label"])):
            value = values.iat[k]
            value = None if pd.isna(value) else float(value)
            expected = target if is_ratio else target * ctx.share
            rows.append({
                "person_id": pid, "metric": metric, "actual": value, "target": float(target),
                "unit_label": unit_label,
                "ratio": None if value is None or not target else value / target,
                "expected_by_now": round(expected, 2),
                "status": status_of(value, target, expected, is_ratio, over),
                "numerator": None if num is None else int(num.iat[k]),
                "denominator": None if den is None else int(den.iat[k]),
            })
    out = pd.DataFrame(rows, columns=["person_id", "metric", "actual", "target", "unit_label", "ratio",
                                      "expected_by_now", "status", "numerator", "denominator"])
    order = {m: i for i, m in enumerate(PERSONAL_METRICS)}
    return out.sort_values(["person_id", "metric"], key=lambda s: s.map(order) if s.name == "metric" else s,
                           kind="stable").reset_index(drop=True)
