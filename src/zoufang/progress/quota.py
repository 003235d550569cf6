"""Quota completion per person, from the rules of the 配额 sheet.

How each metric is counted is defined once in METRICS (DOMAIN.md's counting
rules); who is measured against which target comes only from the 配额 sheet,
so editing a target or adding a row changes the result with no code change.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zoufang.contract.periods import elapsed_share
from zoufang.contract.schema import (
    ACTIVITIES, ACTIVITY_LECTURE, CASES, FLAG_HEAD, FLAG_LECTURER, IN_PERSON_FORMS, METRIC_FIELD_VISIT_RATIO,
    METRIC_HOUSEHOLDS, METRIC_LECTURES, METRIC_MAJOR_SOLVED, METRIC_ONLINE, METRIC_RECEPTIONS, METRIC_RESEARCH_DAYS,
    METRIC_RESOLUTION_RATE, MODE_ONLINE, PERSONAL_METRICS, PROBLEMS, RATIO_METRICS, RECEPTIONS, RESEARCH, ROLES, VISITS,
    WENZHENG,
)
from zoufang.progress.standing import cases_at, problems_at
from zoufang.reading.contact_points import at_contact_point, contact_points
from zoufang.reading.dataset import Campaign
from zoufang.reading.roster import Roster

DONE, ON_PACE, BEHIND, MISSED = "已完成", "按进度", "滞后", "未完成"
STATUS_ORDER = (DONE, ON_PACE, BEHIND, MISSED)  # worst last


@dataclass
class Context:
    """A campaign read for counting: period, as-of date, and every person column resolved."""

    campaign: Campaign
    as_of: dt.date
    roster: Roster = field(init=False)
    memo: dict = field(init=False, default_factory=dict, repr=False, compare=False)  # what is worked out once

    def __post_init__(self):
        self.roster = Roster.of(self.campaign)
        s = self.campaign.settings
        self.start, self.end = s.start, s.end
        self.share = elapsed_share(self.start, self.end, self.as_of)
        self.quota_day = min(self.as_of, self.end)  # personal quotas freeze at the end

    @property
    def over(self) -> bool:
        return self.as_of >= self.end

    def problems(self, day: dt.date | None = None) -> pd.DataFrame:
        """问题台账 as it stood at the end of ``day`` (default: the as-of date): worked out once per day, a copy of
        its own for each caller."""
        return self._standing("problems", problems_at, PROBLEMS.key, day or self.as_of)

    def cases(self, day: dt.date | None = None) -> pd.DataFrame:
        """包案台账 as it stood at the end of ``day`` (default: the as-of date), as ``problems``."""
        return self._standing("cases", cases_at, CASES.key, day or self.as_of)

    def _standing(self, kind: str, at: Callable, sheet_key: str, day: dt.date) -> pd.DataFrame:
        if (kind, day) not in self.memo:
            self.memo[kind, day] = at(self.campaign[sheet_key].frame, day)
        return self.memo[kind, day].copy()

    def with_people(self, frame: pd.DataFrame, sheet_key: str, person_key: str) -> pd.DataFrame:
        """``frame`` (rows of the sheet) with ``pid``, the resolved person of ``person_key``; unresolved rows dropped."""
        data = self.campaign[sheet_key]
        pid = self.roster.resolve(data, person_key)["person_id"] if person_key in data.frame else None
        frame = frame.assign(pid=None if pid is None else pid.reindex(frame.index).to_numpy())
        return frame[frame["pid"].notna()]

    def in_person_homes(self) -> pd.DataFrame:
        """The in-person visits (入户走访, 座谈) within [start, quota day] by a resolved person to a named household:
        columns pid, home (one integer per household), date, category (对象类别 as typed). Worked out once."""
        if "homes" not in self.memo:
            v = self.rows(VISITS.key, "person", "date")
            v = v[v["form"].isin(IN_PERSON_FORMS) & (v["target"] != "")]
            self.memo["homes"] = pd.DataFrame({
                "pid": v["pid"].to_numpy(), "home": self.campaign[VISITS.key].household_codes()[v.index.to_numpy()],
                "date": v["date"].to_numpy(), "category": v["target_type"].to_numpy()})
        return self.memo["homes"]

    def rows(self, sheet_key: str, person_key: str, date_key: str | None = None) -> pd.DataFrame:
        """The sheet's rows with ``pid`` (resolved person) and, if given, dates inside [start, quota day]."""
        data = self.campaign[sheet_key]
        frame = data.frame
        if person_key in frame:
            pid = self.roster.resolve(data, person_key)["person_id"].to_numpy()
            keep = pd.notna(pid)
        else:
            pid, keep = np.full(len(frame), None, dtype=object), np.zeros(len(frame), dtype=bool)
        if date_key:
            d = frame[date_key]
            keep &= ((d >= pd.Timestamp(self.start)) & (d <= pd.Timestamp(self.quota_day))).to_numpy()
        out = frame[keep].copy(deep=False)  # the kept rows copied once, a frame of their own
        out["pid"] = pid[keep]
        return out


# ------------------------------------------------------------------ metric calculators
@dataclass(frozen=True)
class Actual:
    """Per person: the value, and for ratios the numerator and denominator."""

    value: pd.Series  # index person_id
    numerator: pd.Series | None = None
    denominator: pd.Series | None = None
    late: pd.Series | None = None  # ratio metrics paced by items open past their deadline


def households(ctx: Context) -> Actual:
    """Households visited in person (入户走访, 座谈): head's name + address, each once."""
    return Actual(ctx.in_person_homes()[["pid", "home"]].drop_duplicates().groupby("pid").size())


def trip_days(pid: pd.Series, start: pd.Series, end: pd.Series, first: dt.date, last: dt.date) -> pd.Series:
    """Days each trip adds to its person's research days: its days inside [first, last] that no
    earlier-starting trip of the same person already covered (0 for a trip wholly outside or inside another)."""
    lo = start.clip(lower=pd.Timestamp(first))
    hi = end.clip(upper=pd.Timestamp(last))
    trips = pd.DataFrame({"pid": pid, "lo": lo, "hi": hi}).dropna(subset=["lo", "hi"])
    trips = trips[trips["hi"] >= trips["lo"]].sort_values(["pid", "lo"], kind="stable")
    out = pd.Series(0, index=pid.index, dtype=int)
    if trips.empty:
        return out
    reach = trips.groupby("pid")["hi"].cummax().groupby(trips["pid"]).shift()
    begin = trips["lo"].where(reach.isna() | (trips["lo"] > reach), reach + pd.Timedelta(days=1))
    out.loc[trips.index] = ((trips["hi"] - begin).dt.days + 1).clip(lower=0).astype(int)
    return out


def research_days(ctx: Context) -> Actual:
    """Calendar days covered by a person's trips, clipped to [start, quota day], overlaps counted once."""
    t = ctx.rows(RESEARCH.key, "person")
    added = trip_days(t["pid"], t["start"], t["end"], ctx.start, ctx.quota_day)
    return Actual(added.groupby(t["pid"]).sum() if len(t) else pd.Series(dtype=float))


def receptions(ctx: Context) -> Actual:
    return Actual(ctx.rows(RECEPTIONS.key, "person", "date").groupby("pid").size())


def major_solved(ctx: Context) -> Actual:
    """Major problems of which the leader is 分包领导, solved by the quota day."""
    p = ctx.with_people(ctx.problems(ctx.quota_day), PROBLEMS.key, "leader")
    hit = p[p["major"].fillna(False).astype(bool) & p["solved_at"]]
    return Actual(hit.groupby("pid").size())


def field_visit_ratio(ctx: Context) -> Actual:
    c = ctx.rows(CASES.key, "leader")
    visited = c["field_visit"].fillna(False).astype(bool) & (
        c["visit_date"].isna() | (c["visit_date"] <= pd.Timestamp(ctx.quota_day)))
    num = visited.groupby(c["pid"]).sum()
    den = c.groupby("pid").size()
    return Actual(num / den, num, den)


def resolution_rate(ctx: Context) -> Actual:
    """Problems the person found (发现人) solved by the quota day, over all they found; ``late``:
    how many of them were open past their deadline that day (the rate is on pace while none is)."""
    p = ctx.with_people(ctx.problems(ctx.quota_day), PROBLEMS.key, "finder")
    num = p["solved_at"].groupby(p["pid"]).sum()
    den = p.groupby("pid").size()
    late = (p["open_at"] & (p["deadline"] < pd.Timestamp(ctx.quota_day))).groupby(p["pid"]).sum()
    return Actual(num / den, num, den, late)


def online_exchanges(ctx: Context) -> Actual:
    w = ctx.rows(WENZHENG.key, "person", "date")
    return Actual(w[w["mode"] == MODE_ONLINE].groupby("pid").size())


def policy_lectures(ctx: Context) -> Actual:
    """送政策 led by the person at a contact point."""
    a = ctx.rows(ACTIVITIES.key, "lead", "date")
    a = a[a["kind"] == ACTIVITY_LECTURE]
    a = a[at_contact_point(a["place"], contact_points(ctx.campaign))]
    return Actual(a.groupby("pid").size())


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
    by_subject: dict[str, list[tuple]] = {}
    for subject, metric, target, unit_label in zip(personal["subject"], personal["metric"], personal["target"],
                                                   personal["unit_label"]):
        by_subject.setdefault(subject, []).append((metric, target, unit_label))
    heads, lecturers = (people[flag].fillna(False).astype(bool).to_numpy() for flag in ("is_head", "is_lecturer"))
    rows: list[tuple] = []  # in the order of the 配额 subjects: roles, then flags (a later row overrides)
    for subject, who in (*((role, (people["category"] == role).to_numpy()) for role in ROLES),
                         (FLAG_HEAD, heads), (FLAG_LECTURER, lecturers)):
        rules_of = by_subject.get(subject)
        if rules_of:
            rows += [(pid, *rule) for pid in people["person_id"].to_numpy()[who] for rule in rules_of]
    last = {(r[0], r[1]): k for k, r in enumerate(rows)}  # a flag's row after a role's row for the same metric wins
    kept = [r for k, r in enumerate(rows) if last[r[0], r[1]] == k]
    return pd.DataFrame(kept, columns=["person_id", "metric", "target", "unit_label"])


# ------------------------------------------------------------------ completion
def expected_by_now(target: float, share: float) -> int:
    """What a count or day target asks by now: floor(target × elapsed share), whole."""
    return int(math.floor(target * share + 1e-9))


def status_of(actual: float | None, target: float, expected: float, ratio_metric: bool, over: bool,
              late: int | None = None) -> str:
    """已完成 / 按进度 / 滞后 / 未完成 as DOMAIN.md's pacing defines them.

    Counts are on pace at ``expected`` (so a one-off duty is never behind before the end);
    a ratio is on pace only if it is paced by ``late`` items and none is late.
    """
    if actual is None or (isinstance(actual, float) and np.isnan(actual)):
        return DONE  # a ratio over nothing (no cases, no problems found) is met
    if actual >= target - 1e-9:
        return DONE
    if over:
        return MISSED
    if ratio_metric:
        return ON_PACE if late == 0 else BEHIND
    return ON_PACE if actual >= expected - 1e-9 else BEHIND


def completion(ctx: Context) -> pd.DataFrame:
    """Per (person, metric): actual, target, ratio, expected_by_now, status (+ numerator/denominator for ratios)."""
    rules = quota_rules(ctx.campaign)
    plan = assignments(ctx.campaign, rules)
    over = ctx.over
    rows = []
    for metric, group in plan.groupby("metric", sort=False):
        actual = METRICS[metric](ctx)
        is_ratio = metric in RATIO_METRICS
        values = group["person_id"].map(actual.value)
        num = group["person_id"].map(actual.numerator).fillna(0) if actual.numerator is not None else None
        den = group["person_id"].map(actual.denominator).fillna(0) if actual.denominator is not None else None
        late = group["person_id"].map(actual.late).fillna(0) if actual.late is not None else None
        if not is_ratio:
            values = values.fillna(0)
        for k, (pid, target, unit_label) in enumerate(zip(group["person_id"], group["target"], group["unit_label"])):
            value = values.iat[k]
            value = None if pd.isna(value) else float(value)
            expected = target if is_ratio else expected_by_now(target, ctx.share)
            rows.append({
                "person_id": pid, "metric": metric, "actual": value, "target": float(target),
                "unit_label": unit_label,
                "ratio": None if value is None or not target else value / target,
                "expected_by_now": expected,
                "status": status_of(value, target, expected, is_ratio, over,
                                    None if late is None else int(late.iat[k])),
                "numerator": None if num is None else int(num.iat[k]),
                "denominator": None if den is None else int(den.iat[k]),
                "late": None if late is None else int(late.iat[k]),
            })
    out = pd.DataFrame(rows, columns=["person_id", "metric", "actual", "target", "unit_label", "ratio",
                                      "expected_by_now", "status", "numerator", "denominator", "late"])
    order = {m: i for i, m in enumerate(PERSONAL_METRICS)}
    return out.sort_values(["person_id", "metric"], key=lambda s: s.map(order) if s.name == "metric" else s,
                           kind="stable").reset_index(drop=True)


def overall_status(done: pd.DataFrame) -> pd.Series:
    """Each row's person's 状态: the worst of their metrics' statuses (STATUS_ORDER, worst last)."""
    rank = done["status"].map(STATUS_ORDER.index)
    return rank.groupby(done["person_id"]).transform("max").map(lambda i: STATUS_ORDER[i])


OTHER_PARTS = {  # 指标 → the columns of completion() whose sums make its figure: what rows anywhere add to
    **{m: ("actual",) for m in PERSONAL_METRICS if m not in RATIO_METRICS},
    METRIC_FIELD_VISIT_RATIO: ("numerator", "denominator"),
    METRIC_RESOLUTION_RATE: ("numerator", "denominator", "late"),
}
