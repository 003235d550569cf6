"""The report's tables as headers and rows, shared by the report workbook and the buttons that write them into Excel."""
from __future__ import annotations

import pandas as pd

from zoufang.contract.schema import METRIC_TOPICS, PROBLEMS, QUOTAS, RATIO_METRICS, VISIT_TARGET_TYPES, WENZHENG
from zoufang.progress.quota import DONE, ON_PACE
from zoufang.progress.report import CATEGORY, NAME, PERSON_ID, UNIT, Report

METRIC, NOTE = QUOTAS.col("metric").label, QUOTAS.col("note").label
OPINIONS, REPLIED = WENZHENG.col("opinions").label, WENZHENG.col("replied").label
REPLY_RATE, ISSUED_AT, RETURNED_AT = "回复率", "最近下发", "最近发回"  # headings the report workbook formats
STATUS = PROBLEMS.col("status").label


def people_table(r: Report) -> tuple[list[str], list[list]]:
    """个人完成情况: one row per person and metric."""
    headers = [PERSON_ID, NAME, UNIT, CATEGORY, METRIC, "目标", "实际", "完成率", "进度要求", STATUS, "总体状态"]
    rows = [[p.person_id, p.name, p.unit, p.category, p.metric, p.target, p.actual, p.ratio,
             p.expected_by_now, p.status, p.overall] for p in r.people.itertuples()]
    return headers, rows


def units_table(r: Report) -> tuple[list[str], list[list]]:
    """单位完成情况: one row per unit."""
    metrics = sorted({m for t in r.units["totals"] for m in t}, key=list(r.people["metric"].unique()).index) \
        if len(r.people) else []
    headers = [UNIT, "人数", DONE, ON_PACE, "滞后或未完成", "完成率", "未办结问题", "超期问题", "有接访的周",
               "应接访的周", *[m if m in RATIO_METRICS else f"{m}合计" for m in metrics]]
    rows = [[u.unit, u.people, u.met, u.on_pace, u.behind, (u.met / u.people) if u.people else None,
             u.open_problems, u.overdue_problems, _or_dash(u.weeks_with_reception), _or_dash(u.weeks_due),
             *[_or_dash(u.totals.get(m)) for m in metrics]] for u in r.units.itertuples()]
    return headers, rows


def _or_dash(value):
    """A figure a unit does not have (no such metric, no weekly duty) reads as "—", not as a missing value."""
    return "—" if value is None or (isinstance(value, float) and pd.isna(value)) else value


def collective_table(r: Report) -> tuple[list[str], list[list]]:
    """集体指标: one row per collective metric."""
    return ([METRIC, "实际", "要求", "结论", NOTE],
            [[m, v["actual"], v["target"], "达标" if v["met"] else "未达标" if v.get("due", True) else "未到时间", v["detail"]]
             for m, v in r.collective.metrics.items()])


def overdue_table(r: Report) -> tuple[list[str], list[list]]:
    """督办清单: open items past their deadline, longest overdue first."""
    headers = ["工作表", "编号", "事由", *r.overdue.columns[3:4], "超期天数", *r.overdue.columns[5:]]
    return headers, r.overdue.values.tolist()


def wenzheng_table(r: Report) -> tuple[list[str], list[list]]:
    """问政 by unit: topics, opinions, replies, the reply rate; the whole campaign last."""
    rows = [[u, m["wenzheng"]["topics"], m["wenzheng"]["opinions"], m["wenzheng"]["replied"],
             _or_dash(m["wenzheng"]["reply_rate"])] for u, m in r.unit_measures.items()]
    w = r.wenzheng
    rows.append(["合计", sum(w.get("topics", {}).values()), w.get("opinions", 0), w.get("replied", 0),
                 _or_dash(w.get("reply_rate"))])
    return [UNIT, METRIC_TOPICS, OPINIONS, REPLIED, REPLY_RATE], rows


OTHERS_VISITED = "无指标者走访"


def category_table(r: Report) -> tuple[list[str], list[list]]:
    """重点走访对象 by unit: households by 对象类别 (in the schema's order), each unit's total — its 走访户数 — and,
    where any unit has them, the households of people without that target, apart (docs/FIGURES.md)."""
    present = {c for m in r.unit_measures.values() for c in m["by_category"]}
    cats = [c for c in VISIT_TARGET_TYPES if c in present] + sorted(present - set(VISIT_TARGET_TYPES))
    apart = any(m["others"]["households"] for m in r.unit_measures.values())
    rows = [[u, *[m["by_category"].get(c, 0) for c in cats], sum(m["by_category"].values()),
             *([m["others"]["households"]] if apart else [])] for u, m in r.unit_measures.items()]
    return [UNIT, *cats, "合计", *([OTHERS_VISITED] if apart else [])], rows


def pairing_table(r: Report) -> tuple[list[str], list[list]]:
    """结对帮扶 by unit: its 党员干部, how many have paired, how many have not."""
    return ([UNIT, "党员干部", "已结对", "未结对"],
            [[u, m["cadres"], m["paired"], m["cadres"] - m["paired"]] for u, m in r.unit_measures.items()])


def unpaired_table(r: Report) -> tuple[list[str], list[list]]:
    """The 党员干部 without a 结对帮扶 record, by unit."""
    return [UNIT, PERSON_ID, NAME], [[p[UNIT], p[PERSON_ID], p[NAME]] for p in r.unpaired]


def returns_table(r: Report) -> tuple[list[str], list[list]]:
    """回收: each issued unit's latest issue, latest return merged and status."""
    def when(text):  # as text: a moment too wide for its column wraps (a number would print ###)
        if not text:
            return "—"
        moment = pd.Timestamp(text)
        return f"{moment:%m-%d %H:%M}"  # 12-06 20:55: one line in its column
    return ([UNIT, ISSUED_AT, RETURNED_AT, STATUS],
            [[x[UNIT], when(x["issued"]), when(x["last_return"]), x["status"]] for x in r.returns])
