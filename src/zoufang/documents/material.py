"""The office's written material as Word documents: 半月简报, 全面总结, 局领导接访安排.

Each document is a docxtpl template (``documents.templates``) filled with a context made here from the
report at the as-of date, so every figure in it is the report's. Sentences are written from the
figures; a clerk restyles the template in Word (a copy in 台账模板/ beside the master wins).
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from zoufang.contract.errors import os_error_text
from zoufang.contract.periods import cn_date
from zoufang.contract.work_calendar import official_arrangement
from zoufang.contract.schema import (
    ACTIVITIES, ACTIVITY_BOOKS, ACTIVITY_CONTACT_POINT, ACTIVITY_LECTURE, ACTIVITY_MEETING, CASES, ENTRY_SHEETS,
    HANDLING_ON_SPOT, PROBLEMS, RECEPTIONS,
    PEOPLE, ROLE_BUREAU_LEADER, ROLES, SETTINGS_BY_KEY, UNIT_KIND_BUREAU,
)
from zoufang.documents.templates import (
    BODY_PT, BRIEF_TEMPLATE, DATE_RIGHT_PT, ROTA_TEMPLATE, SUMMARY_TEMPLATE, TEXT_WIDTH_PT, TITLE_CHARS,
    UNIT_SUMMARY_TEMPLATE,
)
from zoufang.documents.fit_tables import text_em
from zoufang.files.safe_io import WriteRefused, disk_error_of
from zoufang.progress.collective import UNIT_NAME, reception_units
from zoufang.progress.measures import NO_MEASURES, households_text
from zoufang.progress.quota import BEHIND, DONE, Context
from zoufang.progress.report import Report, build_report
from zoufang.progress.vocabulary import printed_terms
from zoufang.progress.supervision import DEADLINE, LEADER, STATUS, UNIT
from zoufang.reading.dataset import Campaign

CLERK_TEMPLATES = "台账模板"
BRIEF_MASTHEAD = "大走访活动"  # the brief's red title reads 大走访活动简报
WEEKDAYS = "一二三四五六日"
SERVICE_KINDS = (ACTIVITY_LECTURE, "送服务", ACTIVITY_BOOKS, "结对帮扶")
STABILITY = "社会稳定"
NAME_LABEL = PEOPLE.col("name").label
SHORT_METRIC = {"调研天数": "调研", "走访户数": "走访", "解决重大问题": "重大问题", "接待来访": "接访",
                "带案下访比例": "带案下访", "问题解决率": "解决率"}


def cn_short(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def week_span(monday: dt.date) -> str:
    """11月28日至12月4日: a week named by its days, never “11月28日起”."""
    sunday = monday + dt.timedelta(days=6)
    return f"{cn_short(monday)}至{cn_short(sunday) if sunday.month != monday.month else f'{sunday.day}日'}"


def half_month_span(first: dt.date) -> str:
    """9月1日至15日 / 9月16日至30日: the half-month that starts on ``first``."""
    last = first.replace(day=15) if first.day <= 15 else (first.replace(day=28) + dt.timedelta(days=4)).replace(
        day=1) - dt.timedelta(days=1)
    return f"{cn_short(first)}至{last.day}日"


def _dates(days, limit: int = 12) -> str:
    days = list(days)
    text = "、".join(cn_short(d) for d in days[:limit])
    return text + (f"等 {len(days)} 天" if len(days) > limit else "")


def _num(v) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:.1f}"


def doc_template(master: Path, name: str) -> Path:
    """The clerk's copy in 台账模板/ beside the master if there is one, else the shipped template."""
    beside = Path(master).parent / CLERK_TEMPLATES / name
    return beside if beside.exists() else Path(str(resources.files("zoufang") / "templates" / name))


def _editor(campaign: Campaign) -> str:
    return campaign.settings.office


# ------------------------------------------------------------------ 半月简报
def brief_context(campaign: Campaign, report: Report, written: dt.date | None = None) -> dict:
    br = report.brief
    lo, hi = br["window_start"], br["window_end"]
    ctx = Context(campaign, report.as_of)
    coll = report.collective
    period = f"{cn_date(lo)}至{cn_short(hi)}" if lo.year == hi.year else f"{cn_date(lo)}至{cn_date(hi)}"
    weeks: dict[str, list[dt.date]] = {}
    for item in coll.unit_weeks_without_reception:
        weeks.setdefault(item[UNIT_NAME], []).append(item["week_start"])
    activities = campaign[ACTIVITIES.key].frame
    meetings = activities.loc[(activities["kind"] == ACTIVITY_MEETING)
                              & activities["date"].between(pd.Timestamp(lo), pd.Timestamp(hi)), "date"]
    behind = _behind_people(report, people_rank(campaign))
    overdue = report.overdue
    new_from = pd.Timestamp(lo) - pd.Timedelta(days=1)
    rows = [overdue_row(r, report.as_of, new_from) for _, r in overdue.iterrows()]
    problems = ctx.problems()
    pending = problems[problems["solved_at"] & ~problems["closed_at"]].groupby("unit").size().sort_values(ascending=False)
    backlog = report.backlog
    return {
        "campaign": campaign.settings.name, "campaign_short": BRIEF_MASTHEAD, "issue_no": br["issue_no"],
        "editor": _editor(campaign), "written_cn": cn_date(written or hi),
        "window_start": lo, "window_end": hi, "as_of_cn": cn_date(report.as_of),
        "period_text": (f"本期（{period}），全系统新增走访 {br['new_visits']} 户次，开门接访 {br['receptions']} 人次，"
                        f"新登记问题 {br['new_problems']} 个，解决问题 {br['closed_problems']} 个，"
                        f"新超期问题 {br['newly_overdue']} 个。"),
        "measures_text": measures_text(report),
        "total_text": (f"活动开展以来，累计走访 {br['visits_total']} 户次，开门接访 {br['receptions_total']} 人次，"
                       f"登记问题 {br['problems_total']} 个，已解决 {br['solved_total']} 个，"
                       f"尚未解决 {br['open_problems']} 个。"),
        "reception_text": (
            (f"截至{cn_short(report.as_of)}，有 {len(coll.uncovered_workdays)} 个工作日无局领导接访："
             f"{_dates(coll.uncovered_workdays)}。" if coll.uncovered_workdays else
             f"截至{cn_short(report.as_of)}，每个工作日均有局领导接访。")
            + (f"二级单位中有 {len(weeks)} 个单位共 {len(coll.unit_weeks_without_reception)} 周无接访，见下表。"
               if coll.unit_weeks_without_reception else "各二级单位每周均有接访。")),
        "unit_weeks": [{"unit": u, "weeks": "、".join(week_span(w) for w in ws)} for u, ws in weeks.items()],
        "meeting_text": (f"本期领导小组例会已于{_dates(sorted(d.date() for d in meetings))}召开。" if len(meetings)
                         else "本期尚未召开领导小组例会。")
                        + (f"活动以来有 {len(coll.uncovered_half_months)} 期（每半月一期）未召开例会："
                           f"{'、'.join(half_month_span(d) for d in coll.uncovered_half_months)}。"
                           if coll.uncovered_half_months else "活动以来每半月均按时召开例会。"),
        "behind_text": (f"按进度要求，有 {len(behind)} 人滞后，按单位列出如下（计数指标列实际/进度要求/目标，"
                        f"比例指标列实际/目标）。" if behind
                        else "全体人员均达到进度要求。"),
        "behind": behind,
        "overdue_text": overdue_text(report.as_of, overdue, rows),
        "overdue": rows,
        "backlog_text": (f"信访积案 {len(backlog)} 件，包案领导和责任单位见下表。" if len(backlog) else "目前没有信访积案。"),
        "backlog": [{"id": r["编号"], "what": r[CASES.col("cause").label], "why": r["原因"],
                     "leader": r[CASES.col("leader").label], "unit": r[UNIT], "status": r[STATUS]}
                    for _, r in backlog.iterrows()],
        "pending_text": (f"已解决但尚未销号的问题 {int(pending.sum())} 个，请各责任单位逐案盘点销号。" if len(pending)
                         else "已解决的问题均已销号。"),
        "pending": [{"unit": u, "count": int(n)} for u, n in pending.items()],
        "next_steps": brief_next_steps(len(behind), len(overdue), int(pending.sum()) if len(pending) else 0,
                                       len(coll.unit_weeks_without_reception), len(backlog)),
    }


OVERDUE_KINDS = {PROBLEMS.name: ("问题", "个"), CASES.name: ("包案", "件"), RECEPTIONS.name: ("限期办理的来访", "件")}


def overdue_text(as_of: dt.date, overdue: pd.DataFrame, rows: list[dict]) -> str:
    """五、挂牌督办's first sentence: how many, of which kinds, and how many of them are new this period."""
    if not len(overdue):
        return "目前没有挂牌督办事项。"
    new = [bool(r["new"]) for r in rows]
    return (f"截至{cn_short(as_of)}，挂牌督办事项 {len(overdue)} 项{kinds_of(overdue['sheet'])}，"
            f"其中本期新增 {sum(new)} 项{kinds_of(overdue['sheet'][new])}。")


def kinds_of(sheets: pd.Series) -> str:
    """（问题 6 个、包案 2 件）: what a count of 挂牌督办 items is made of, so that each figure explains the others."""
    counts = sheets.value_counts()
    said = [f"{OVERDUE_KINDS.get(k, (k, '项'))[0]} {int(counts[k])} {OVERDUE_KINDS.get(k, (k, '项'))[1]}"
            for k in (*OVERDUE_KINDS, *sorted(set(counts.index) - set(OVERDUE_KINDS))) if k in counts.index]
    return f"（{'、'.join(said)}）" if said else ""


def overdue_row(r, as_of: dt.date, new_from: pd.Timestamp) -> dict:
    """A 挂牌督办 row of the brief: days past the deadline, or 未到期 for a 信访积案 supervised before its deadline;
    新 when its deadline passed within this half-month."""
    deadline = pd.Timestamp(r[DEADLINE]) if pd.notna(r[DEADLINE]) else None
    late = deadline is not None and deadline < pd.Timestamp(as_of)
    return {"id": r["编号"], "what": r["事由"], "leader": r[LEADER], "unit": r[UNIT],
            "days": int(r["days_overdue"]) if late else "未到期", "new": "新" if late and deadline >= new_from else ""}


def measures_text(report: Report) -> str:
    """重点走访对象 by category, 问政 replies, 结对帮扶 and the units late with their workbook, in one paragraph of the
    brief and of the summary."""
    w = report.wenzheng
    parts = []
    cats: dict[str, int] = {}
    apart = {"people": 0, "households": 0}
    for m in report.unit_measures.values():
        for c, n in m["by_category"].items():
            cats[c] = cats.get(c, 0) + n
        apart = {k: apart[k] + m["others"][k] for k in apart}
    if cats:
        parts.append(households_text(cats, apart))
    if w.get("opinions"):
        parts.append(f"问政累计收集意见 {w['opinions']} 条，已回复 {w['replied']} 条，回复率 {w['reply_rate']:.0%}")
    if report.unpaired:
        parts.append(f"尚有 {len(report.unpaired)} 名党员干部未登记结对帮扶")
    late = [r[UNIT_NAME] for r in report.returns if r["status"] == "逾期未发回"]
    if late:
        parts.append(f"{'、'.join(late)}逾期未发回本单位工作簿")
    return "；".join(parts) + "。" if parts else ""


NUMBERS = "一二三四五六七八九十"


def numbered(lines: list[str]) -> list[str]:
    return [f"（{NUMBERS[i]}）{line}" for i, line in enumerate(lines)]


def brief_next_steps(behind: int, overdue: int, pending: int, unit_weeks: int, backlog: int) -> list[str]:
    """八、下步工作, written from the period's figures: what each open item asks for next."""
    lines = []
    if behind:
        lines.append(f"督促进度滞后的 {behind} 名同志对照指标补齐走访、调研、接访等工作，下期简报通报进展。")
    if overdue:
        lines.append(f"对 {overdue} 项挂牌督办事项逐项跟踪，分包领导和责任单位报告办理进展，办结一件、销号一件。")
    if unit_weeks:
        lines.append("各二级单位坚持每周开门接访，本期有周次没有接访的单位说明原因并及时补上。")
    if backlog:
        lines.append(f"包案领导继续带案下访，推动 {backlog} 件信访积案化解。")
    if pending:
        lines.append(f"各责任单位对已解决未销号的 {pending} 个问题逐项盘点销号。")
    return numbered(lines or ["继续按活动方案推进走访、调研、接访各项工作。"])


def people_rank(campaign: Campaign) -> dict[str, tuple]:
    """Each person's place in the order the office lists people: 局负责人 first, then by 人员类别
    (局领导班子成员, 二级单位领导班子成员, …), then in the 人员 sheet's order."""
    people = campaign.people
    out = {}
    for i, r in enumerate(people.itertuples()):
        role = ROLES.index(r.category) if r.category in ROLES else len(ROLES)
        out.setdefault(r.person_id, (not bool(r.is_head) if pd.notna(r.is_head) else True, role, i))
    return out


def _behind_people(report: Report, rank: dict[str, tuple] | None = None) -> list[dict]:
    """People behind pace (滞后) at the as-of date, by unit (the report's order), each unit's people by rank,
    with each lagging metric's numbers."""
    people = report.people
    lagging = people[people["status"] == BEHIND]
    out = []
    for (unit, pid), rows in lagging.groupby(["unit", "person_id"], sort=False):
        first = rows.iloc[0]
        parts = []
        for r in rows.itertuples():
            name = SHORT_METRIC.get(r.metric, r.metric)
            if r.denominator is not None and not pd.isna(r.denominator):
                parts.append(f"{name} {r.actual:.0%}/{r.target:.0%}")
            else:
                parts.append(f"{name} {_num(r.actual)}/{_num(r.expected_by_now)}/{_num(r.target)}{r.unit_label or ''}")
        out.append({"unit": unit, "name": first["name"], "role": first["category"], "metrics": "；".join(parts),
                    "rank": (rank or {}).get(pid, (True, 99, 10 ** 9))})
    order = {u: i for i, u in enumerate(report.units["unit"])} if len(report.units) else {}
    return sorted(out, key=lambda x: (order.get(x["unit"], 99), x["rank"]))


# ------------------------------------------------------------------ 全面总结
def summary_context(campaign: Campaign, report: Report, chart: Path | None = None) -> dict:
    """The 全面总结's figures and sentences."""
    s = campaign.settings
    ctx = Context(campaign, report.as_of)
    per_person = report.people.drop_duplicates("person_id")
    problems, cases = ctx.problems(), ctx.cases()
    receptions = reception_units(ctx)  # as the report counts them: by leaders who may receive, in the campaign
    four = four_batches(campaign, problems, cases, receptions)
    months = month_rows(receptions, s.start, min(report.as_of, s.end), recorded_months(campaign))
    open_problems, open_cases = problems[problems["open_at"]], cases[cases["open_at"]]
    handover = handover_rows(open_problems, open_cases)
    done_people = int((per_person["overall"] == DONE).sum())
    return {
        "campaign": s.name, "title": title_lines(s.name + "工作总结"), "editor": _editor(campaign),
        "written_cn": cn_date(report.as_of), "measures_text": measures_text(report),
        "overview_text": (f"{s.name}于{cn_date(s.start)}启动，{cn_date(s.end)}结束，全系统 {len(per_person)} 名干部参加"
                          f"（{people_by_role(per_person)}），累计走访 {report.brief['visits_total']} 户次，开门接访 {len(receptions)} 人次，"
                          f"登记问题 {len(problems)} 个。"),
        "quota_text": f"{len(per_person)} 人中，全部指标完成的 {done_people} 人。各类人员各项指标完成情况如下。",
        "quotas": quota_rows(report.people),
        "four_text": (f"活动中化解矛盾纠纷 {four[0]['count']} 件，解决突出问题 {four[1]['count']} 个，"
                      f"办成实事好事 {four[2]['count']} 件，破解重点难点问题 {four[3]['count']} 个。"),
        "four": four,
        "petition_text": ("各月开门接访情况如下：" + month_trend(months)
                          + (f"对照集体要求：{report.collective.headline()}。" if report.collective.headline() else "")),
        "months": months,
        "handover_text": (f"截至{cn_short(report.as_of)}，{open_items(open_problems, open_cases)}，移交“回头看”继续督办，"
                          f"清单见附件。" if len(handover) else "所有问题和案件均已办结。"),
        "handover": handover,
        "chart": chart,
        "next_steps": numbered(
            ([f"对移交“回头看”的{handed_over(open_problems, open_cases)}继续督办，逐项办结销号。"]
             if len(handover) else []) +
            ["把走访、调研、开门接访中形成的好做法固定下来，建立联系群众的长效机制。"]),
        "organizer_office": _editor(campaign), **sign_fields(_editor(campaign), cn_date(report.as_of)),
    }


def people_by_role(per_person: pd.DataFrame) -> str:
    """其中局领导班子成员 9 名、二级单位领导班子成员 33 名、其他党员干部 105 名."""
    counts = per_person["category"].value_counts()
    roles = [r for r in ROLES if r in counts] + sorted(set(counts.index) - set(ROLES))
    return "其中" + "、".join(f"{r} {int(counts[r])} 名" for r in roles)


def open_items(open_problems: pd.DataFrame, open_cases: pd.DataFrame) -> str:
    """尚未解决的问题 N 个（…）、尚未化解的案件 M 件（…）: each kind said only when there is one (无 is not handed over)."""
    parts = []
    if len(open_problems):
        parts.append(f"尚未解决的问题 {len(open_problems)} 个{status_counts(open_problems['status_at'], '个')}")
    if len(open_cases):
        parts.append(f"尚未化解的案件 {len(open_cases)} 件{status_counts(open_cases['status_at'], '件')}")
    return "、".join(parts)


def handed_over(open_problems: pd.DataFrame, open_cases: pd.DataFrame) -> str:
    """ 3 个问题、2 件案件 — the kinds there are."""
    return "、".join(f" {n} {what}" for n, what in ((len(open_problems), "个问题"), (len(open_cases), "件案件")) if n).replace(
        "、 ", "、")


def status_counts(statuses: pd.Series, unit: str) -> str:
    """（待办 40 个、办理中 42 个）: the statuses the table below shows, added up."""
    counts = statuses.value_counts()
    return "（" + "、".join(f"{k} {int(v)} {unit}" for k, v in counts.items()) + "）" if len(counts) else ""


def campaign_rows(campaign: Campaign, report: Report) -> dict:
    """What every unit's 全面总结 takes its part of, worked out once: problems and cases as they stood at the as-of
    date, receptions with the unit they count for, the people's rank."""
    ctx = Context(campaign, report.as_of)
    return {"problems": ctx.problems(), "cases": ctx.cases(), "receptions": reception_units(ctx),
            "rank": people_rank(campaign)}


def unit_summary_context(campaign: Campaign, report: Report, unit: str, rows: dict | None = None) -> dict:
    """A unit's own 全面总结: its people against their quotas, its problems, receptions and cases, its 结对帮扶,
    问政 and contact point, and what it hands to 回头看 — the unit's rows only, as the report counts them."""
    s = campaign.settings
    rows = rows or campaign_rows(campaign, report)
    rank = rows["rank"]
    people = report.people[report.people["unit"] == unit]
    members = sorted({pid: g for pid, g in people.groupby("person_id", sort=False)}.items(),
                     key=lambda kv: rank.get(kv[0], (True, 99, 10 ** 9)))
    problems, cases = rows["problems"], rows["cases"]
    problems, cases = problems[problems["unit"] == unit], cases[cases["unit"] == unit]
    receptions = rows["receptions"]
    receptions = receptions[receptions["count_unit"] == unit]
    m = report.unit_measures.get(unit) or NO_MEASURES
    activities = campaign[ACTIVITIES.key].frame
    points = activities[(activities["kind"] == ACTIVITY_CONTACT_POINT) & (activities["unit"] == unit)
                        & (activities["date"] <= pd.Timestamp(report.as_of))]
    open_problems, open_cases = problems[problems["open_at"]], cases[cases["open_at"]]
    unpaired = [p[NAME_LABEL] for p in report.unpaired if p[UNIT_NAME] == unit]
    done = sum(1 for _, g in members if g["overall"].iloc[0] == DONE)
    w = m["wenzheng"]
    return {
        "campaign": s.name, "unit": unit, "written_cn": cn_date(report.as_of),
        **sign_fields(unit, cn_date(report.as_of)),
        "title": title_lines(unit_title(unit, s.name)),
        "addressee": _editor(campaign),  # 主送: the office the unit hands its summary to
        "overview_text": (f"{s.name}于{cn_date(s.start)}启动，{cn_date(s.end)}结束。本单位 {len(members)} 名干部有个人指标，"
                          f"其中全部指标完成的 {done} 人；"
                          f"{households_text(m['by_category'], m['others'])}，开门接访 {len(receptions)} 人次，"
                          f"登记问题 {len(problems)} 个。"),
        "members": [{"name": g["name"].iloc[0], "role": g["category"].iloc[0],
                     "metrics": "；".join(f"{SHORT_METRIC.get(r.metric, r.metric)} {_figure(r)} {r.status}"
                                         for r in g.itertuples()),
                     "overall": g["overall"].iloc[0]} for _, g in members],
        "work_text": (f"登记问题 {len(problems)} 个，已解决 {int(problems['solved_at'].sum())} 个，尚未解决 "
                      f"{len(open_problems)} 个；开门接访 {len(receptions)} 人次，其中当场解决 "
                      f"{int((receptions['handling'] == HANDLING_ON_SPOT).sum())} 人次；包案 {len(cases)} 件，"
                      f"尚未化解 {len(open_cases)} 件。"),
        "care_text": (f"党员干部 {m['cadres']} 人，已登记结对帮扶 {m['paired']} 人"
                      + (f"，尚未登记的有{'、'.join(unpaired)}" if unpaired else "") + "。"
                      + (f"围绕本单位中心工作确定问政题目 {w.get('topics', 0)} 个，收集意见 {w.get('opinions', 0)} 条，"
                         f"已回复 {w.get('replied', 0)} 条。" if w.get("opinions") else "本单位没有问政记录。")
                      + contact_point_text(campaign, unit, points)),
        "handover_text": (f"截至{cn_short(report.as_of)}，本单位{open_items(open_problems, open_cases)}，移交“回头看”继续办理。"
                          if len(open_problems) + len(open_cases) else "本单位的问题和案件均已办结。"),
        "handover": handover_rows(open_problems, open_cases),
        "next_steps": numbered(
            ([f"对移交“回头看”的{handed_over(open_problems, open_cases)}逐项办结销号。"]
             if len(open_problems) + len(open_cases) else [])
            + ([f"督促尚未登记结对帮扶的 {len(unpaired)} 名党员干部落实结对。"] if unpaired else [])
            + ["把走访、调研、开门接访中形成的好做法固定下来，建立联系群众的长效机制。"]),
    }


def sign_fields(who: str, written: str) -> dict:
    """Where the 落款's organ goes (templates._sign): ``sign_tab``, the centre of the date ``written`` (twips from
    the left margin: the date ends four characters in from the right, its width as printed, with the space the
    clients put between figures and characters); ``sign_centred``, whether the organ centred there stays inside
    the right margin."""
    half = text_em(written) * BODY_PT / 2
    centre = TEXT_WIDTH_PT - DATE_RIGHT_PT - half
    return {"sign_tab": int(centre * 20),
            "sign_centred": text_em(who) * BODY_PT / 2 <= DATE_RIGHT_PT + half}


def unit_title(unit: str, campaign: str) -> str:
    """A unit's summary titled as a unit writes it: 市图书馆开展“五级书记带头大走访”活动工作总结 — the campaign's name
    from its quoted part on (the organizer's prefix, 市直文广新系统, is the bureau's, not the unit's)."""
    core = campaign[campaign.index("“"):] if "“" in campaign else campaign
    return f"{unit}开展{core}工作总结"


_TITLE_WORD = re.compile(r"“[^”]*”|开展|活动|工作总结$|总结$")


def title_words(title: str) -> list[str]:
    """A title's words as a line may end after them: a quoted name whole, 开展, 活动, 工作总结, and the names between
    (a unit's, the organizer's) whole."""
    words, at = [], 0
    for m in _TITLE_WORD.finditer(title):
        words += [w for w in (title[at:m.start()], m.group()) if w]
        at = m.end()
    return words + ([title[at:]] if title[at:] else [])


def title_lines(title: str, per_line: int = TITLE_CHARS) -> str:
    """``title`` broken between words ("\n") into the fewest lines of at most ``per_line`` characters, the longest
    as short as it can be, an upper line no shorter than the one below on a tie (GB/T 9704 7.3.1: a title in
    lines of whole words, 梯形 or 菱形). A word longer than a line is broken inside, as the line would."""
    words = [w[i:i + per_line] for w in title_words(title) for i in range(0, len(w), per_line)]
    best: tuple | None = None
    for cuts in itertools.product((False, True), repeat=max(len(words) - 1, 0)):
        lines, line = [], words[0] if words else ""
        for cut, word in zip(cuts, words[1:]):
            lines, line = (lines + [line], word) if cut else (lines, line + word)
        lines.append(line)
        if max(map(len, lines)) > per_line:
            continue
        key = (len(lines), max(map(len, lines)), [-len(x) for x in lines])
        if best is None or key < best[0]:
            best = (key, lines)
    return "\n".join(best[1]) if best else title


def contact_point_text(campaign: Campaign, unit: str, points: pd.DataFrame) -> str:
    """Where the unit's 基层文化联系点 is: its own 联系点建设 row, or for the bureau's own office the 局联系点 of
    活动设置."""
    if len(points):
        return f"在{points['place'].iloc[0]}建立基层文化联系点。"
    units = campaign.units
    bureau = set(units.loc[units["kind"] == UNIT_KIND_BUREAU, "name"])
    if unit in bureau and campaign.settings.contact_point:
        return f"局联系点设在{campaign.settings.contact_point}。"
    return "尚未建立基层文化联系点。"


def _figure(r) -> str:
    if r.denominator is not None and not pd.isna(r.denominator):
        return f"{r.actual:.0%}/{r.target:.0%}" if not pd.isna(r.actual) else f"—/{r.target:.0%}"
    return f"{_num(r.actual)}/{_num(r.target)}{r.unit_label or ''}"


def quota_rows(people: pd.DataFrame) -> list[dict]:
    """Each role's metrics: target, people, how many met it."""
    quotas = []
    for role in [*ROLES, *sorted(set(people["category"]) - set(ROLES))]:
        rows = people[people["category"] == role]
        for metric, group in rows.groupby("metric", sort=False):
            met = int((group["status"] == DONE).sum())
            target = group["target"].iloc[0]
            shown = f"{target:.0%}" if group["denominator"].notna().any() else _num(target) + (group["unit_label"].iloc[0] or "")
            quotas.append({"role": role, "metric": metric, "target": shown, "people": len(group), "met": met,
                           "share": f"{met / len(group):.0%}"})
    return quotas


def four_batches(campaign: Campaign, problems: pd.DataFrame, cases: pd.DataFrame, receptions: pd.DataFrame) -> list[dict]:
    """The seed's “四个一批”, each with how it is counted."""
    activities = campaign[ACTIVITIES.key].frame
    settled = int((~cases["open_at"]).sum()) + int((problems["solved_at"] & (problems["category"] == STABILITY)).sum())
    solved = int(problems["solved_at"].sum())
    services = int(activities["kind"].isin(SERVICE_KINDS).sum())
    on_spot = int((receptions["handling"] == HANDLING_ON_SPOT).sum())
    major = int((problems["solved_at"] & problems["major"].fillna(False).astype(bool)).sum())
    return [
        {"item": "排查化解一批矛盾纠纷", "count": settled, "basis": "包案化解、息诉息访或销号的案件，加上已解决的社会稳定类问题"},
        {"item": "解决一批突出问题", "count": solved, "basis": "问题台账中已经解决的问题（含已销号的）"},
        {"item": "办成一批实事好事", "count": on_spot + services,
         "basis": f"接访中当场解决 {on_spot} 件，送政策、送服务、送图书、结对帮扶共 {services} 次"},
        {"item": "破解一批重点难点问题", "count": major, "basis": "已经解决的重大问题"},
    ]


NO_RECORDS = "无记录"


def recorded_months(campaign: Campaign) -> set[tuple[int, int]]:
    """(year, month) of every month some entry sheet has a record dated in (its event dates)."""
    out: set[tuple[int, int]] = set()
    for spec in ENTRY_SHEETS:
        data = campaign[spec.key]
        for col in spec.columns:
            if col.event_date and data.has(col.key):
                days = data.frame[col.key].dropna()
                out |= set(zip(days.dt.year, days.dt.month))
    return out


def month_rows(receptions: pd.DataFrame, start: dt.date, last: dt.date,
               recorded: set[tuple[int, int]] | None = None) -> list[dict]:
    """Every month from ``start`` to ``last`` (the campaign's end or the as-of date, whichever is first), months
    without a reception included; a month only partly in the campaign is labelled with its days, and each month
    has its receptions per day so that a half month compares with a whole one. A month no sheet has a record in
    (``recorded``: recorded_months) says 无记录: its returns may be missing, it is no fall to nothing."""
    out = []
    for period in pd.period_range(start, last, freq="M"):
        lo, hi = max(period.start_time.date(), start), min(period.end_time.date(), last)
        days = (hi - lo).days + 1
        inside = receptions[receptions["date"].between(pd.Timestamp(lo), pd.Timestamp(hi))]
        whole = lo == period.start_time.date() and hi == period.end_time.date()
        known = recorded is None or (period.year, period.month) in recorded
        out.append({"month": f"{period.year}年{period.month}月" + ("" if whole else f"（{lo.day}日至{hi.day}日）"),
                    "short": f"{period.month}月", "count": len(inside) if known else NO_RECORDS, "days": days,
                    "per_day": f"{len(inside) / days:.1f}" if known else NO_RECORDS,
                    "on_spot": int((inside["handling"] == HANDLING_ON_SPOT).sum()) if known else NO_RECORDS,
                    "recorded": known})
    return out


def month_trend(months: list[dict]) -> str:
    """The first and the last month with records compared per day (the last is often a part of a month); the months
    without any record named, never compared."""
    empty = [m["month"] for m in months if not m["recorded"]]
    said = (f"{'、'.join(empty)}各表均无记录（可能尚有单位未发回工作簿），不作比较。" if empty else "")
    months = [m for m in months if m["recorded"]]
    if len(months) < 2:
        return said
    first, last = months[0], months[-1]
    a, b = float(first["per_day"]), float(last["per_day"])
    change = (b - a) / a if a else 0
    return (f"日均接访从{first['month']}的 {first['per_day']} 人次到{last['month']}的 {last['per_day']} 人次，"
            + (f"下降 {-change:.0%}。" if change < 0 else f"上升 {change:.0%}。" if change > 0 else "基本持平。") + said)


def handover_rows(open_problems: pd.DataFrame, open_cases: pd.DataFrame) -> list[dict]:
    """What is handed to 回头看: every problem and case still open, by 责任单位 and then deadline (none last)."""
    def deadline(r):
        return cn_date(r.deadline.date()) if pd.notna(r.deadline) else ""
    rows = ([(r.unit, r.deadline, {"id": r.problem_id, "what": r.description, "unit": r.unit, "deadline": deadline(r),
                                   "status": r.status_at}) for r in open_problems.itertuples()]
            + [(r.unit, r.deadline, {"id": r.case_id, "what": r.cause, "unit": r.unit, "deadline": deadline(r),
                                     "status": r.status_at}) for r in open_cases.itertuples()])
    rows.sort(key=lambda t: (t[0], pd.isna(t[1]), t[1] if pd.notna(t[1]) else pd.Timestamp.max, t[2]["id"]))
    return [row for *_, row in rows]


CHART_MM = 150  # the chart's printed width: drawn at that size, so its points are the paper's
CHART_TEXT_PT = 10.5  # 五号; nothing smaller on the chart


def petition_chart(months: list[dict], target: Path) -> Path:
    """Receptions per month as a bar chart (PNG), readable in black and white."""
    from matplotlib import pyplot as plt
    fig = petition_figure(months)
    fig.savefig(target)
    plt.close(fig)
    return target


def petition_figure(months: list[dict]):
    """The chart of petition_chart, CHART_MM wide, every text CHART_TEXT_PT."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt
    wanted = ["Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei", "WenQuanYi Zen Hei"]
    present = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.sans-serif"] = [f for f in wanted if f in present] + ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["font.size"] = CHART_TEXT_PT
    width = CHART_MM / 25.4
    fig, ax = plt.subplots(figsize=(width, width / 2), dpi=200)
    labels = [m["short"] + ("" if m["days"] >= 28 else f"\n（{m['days']} 天）") + ("" if m["recorded"] else
                                                                              f"\n{NO_RECORDS}") for m in months]
    counts = [m["count"] / m["days"] if m["recorded"] else 0 for m in months]
    spot = [m["on_spot"] / m["days"] if m["recorded"] else 0 for m in months]
    x = range(len(months))
    ax.bar([i - 0.2 for i in x], counts, width=0.4, color="#404040", label="日均接访人次")
    ax.bar([i + 0.2 for i in x], spot, width=0.4, color="white", edgecolor="black", hatch="///", label="其中当场解决")
    for i, (c, m) in enumerate(zip(counts, months)):
        if m["recorded"]:  # a month without records has no bar and no figure: its label says why
            ax.text(i - 0.2, c, f"{c:.1f}", ha="center", va="bottom", fontsize=CHART_TEXT_PT)
    ax.set_xticks(list(x), labels)
    ax.tick_params(labelsize=CHART_TEXT_PT)
    ax.set_ylabel("日均人次")
    ax.legend(frameon=False, fontsize=CHART_TEXT_PT)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ 局领导接访安排
def rota_context(campaign: Campaign, start: dt.date, days: int, written: dt.date | None = None) -> dict:
    """The coming ``days`` workdays from ``start`` (调休 included, holidays excluded), the bureau leaders in roster order."""
    people = campaign.people
    leaders = people[(people["category"] == ROLE_BUREAU_LEADER) & (people["name"] != "")].drop_duplicates("person_id")
    workdays = campaign.calendar.next_workdays(start, days)
    units = campaign.units
    bureau = units[units["kind"] == UNIT_KIND_BUREAU]
    phone = bureau["phone"].iloc[0] if len(bureau) and bureau["phone"].iloc[0] else ""
    settings = campaign.settings
    place = settings.reception_place or SETTINGS_BY_KEY["reception_place"].default
    hours = settings.reception_hours or SETTINGS_BY_KEY["reception_hours"].default
    rows = []
    for i, day in enumerate(workdays):
        leader = leaders.iloc[i % len(leaders)] if len(leaders) else None
        rows.append({"date": cn_date(day), "weekday": "星期" + WEEKDAYS[day.weekday()] + ("（调休上班）" if day.weekday() >= 5
                                                                                    else ""),
                     "leader": leader["name"] if leader is not None else "",
                     "title": (leader["title"] or leader["category"]) if leader is not None else "",
                     "place": place})
    span = f"{cn_date(workdays[0])}至{cn_date(workdays[-1])}" if workdays else cn_date(start)
    return {
        "organizer": campaign.settings.organizer,
        "written_cn": cn_date(written or min(dt.date.today(), workdays[0] if workdays else start)),
        "intro_text": (f"为畅通群众诉求表达渠道，根据{campaign.settings.name}安排，局领导班子成员轮流开门接待群众来访。"
                       f"现将{span}的接访安排公布如下："),
        "days": rows,
        "holiday_text": "".join(holiday_gaps(campaign, workdays)),
        "where_text": f"接访时间：{hours}。接访地点：{place}。",
        "contact_text": f"联系电话：{phone}" if phone else "联系电话：",
        "first": workdays[0] if workdays else start,
    }


def holiday_gaps(campaign: Campaign, workdays: list[dt.date]) -> list[str]:
    """A sentence for each holiday between two listed workdays: no reception then, and when it resumes."""
    years = range(workdays[0].year, workdays[-1].year + 1) if workdays else range(0)
    names = {d: n for d, _, n in official_arrangement(years) if n}  # the built-in calendar names its holidays
    holidays = campaign.sheets.get("holidays")
    if holidays is not None and holidays.present:  # 节假日 as the office keeps it comes first
        names |= {d.date(): n for d, n in zip(holidays.frame["date"], holidays.frame["name"]) if pd.notna(d) and n}
    out = []
    for before, after in zip(workdays, workdays[1:]):
        off = [before + dt.timedelta(days=k) for k in range(1, (after - before).days)]
        if any(d.weekday() < 5 for d in off):  # more than a weekend: a holiday
            name = next((names[d] for d in off if d in names), "法定节假日")
            out.append(f"{cn_short(off[0])}至{cn_short(off[-1])}为{name}假期，暂停接访，{cn_short(after)}起恢复。")
    return out


# ------------------------------------------------------------------ rendering
@dataclass
class Written:
    docx: Path
    pdf: Path | None = None


def render(template: Path, context: dict, target: Path, images: dict[str, Path] | None = None,
           terms: tuple[str, ...] = ()) -> Path:
    """Fill ``template`` with ``context`` (text escaped) and write ``target`` atomically; its tables' lines keep
    ``terms`` whole."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    from zoufang.documents.fit_tables import fit_tables, type_area_pt
    from zoufang.files.safe_io import atomic_write
    doc = DocxTemplate(str(template))
    context = dict(context)
    for key, path in (images or {}).items():
        context[key] = InlineImage(doc, str(path), width=Mm(CHART_MM)) if path else ""
    doc.render(context, autoescape=True)
    fit_tables(doc.docx._element.body, type_area_pt(doc.docx._element.body), terms=terms)
    atomic_write(target, lambda tmp: doc.save(str(tmp)), keep_backup=False)
    return target


def _pdf(docx: Path, pdf: bool) -> Path | None:
    if not pdf:
        return None
    from zoufang.files.libreoffice import to_pdf
    return to_pdf(docx, docx.parent)


def write_brief(master: Path, campaign: Campaign, out_dir: Path, as_of: dt.date | None = None,
                pdf: bool = False) -> tuple[Written, Report]:
    report = build_report(campaign, as_of)
    context = brief_context(campaign, report)
    name = f"半月简报-第{context['issue_no']}期-{report.as_of.isoformat()}.docx"
    target = render(doc_template(master, BRIEF_TEMPLATE), context, Path(out_dir) / name, terms=printed_terms(campaign))
    return Written(target, _pdf(target, pdf)), report


def write_summary(master: Path, campaign: Campaign, out_dir: Path, as_of: dt.date | None = None,
                  pdf: bool = False) -> tuple[Written, Report]:
    report = build_report(campaign, as_of)
    target = Path(out_dir) / f"全面总结-{report.as_of.isoformat()}.docx"
    with tempfile.TemporaryDirectory(prefix="zoufang-chart-") as tmp:
        context = summary_context(campaign, report)
        try:
            chart = petition_chart(context["months"], Path(tmp) / "chart.png") if context["months"] else None
        except Exception as exc:  # the chart is drawn to a temporary file first: a full disk shows there
            cause = disk_error_of(exc)
            if cause is None:
                raise
            raise WriteRefused(f"无法写入 {target}：{os_error_text(cause)}（原有文件未被改动）") from exc
        target = render(doc_template(master, SUMMARY_TEMPLATE), context, target, {"chart": chart},
                        printed_terms(campaign))
    return Written(target, _pdf(target, pdf)), report


def write_unit_summaries(master: Path, campaign: Campaign, out_dir: Path, units: list[str],
                         as_of: dt.date | None = None, pdf: bool = False) -> tuple[list[Written], Report]:
    """Each unit's own 全面总结 (.docx, with ``pdf`` also .pdf), named 全面总结-单位-日期."""
    from zoufang.files.names import safe_file_name
    report = build_report(campaign, as_of)
    template = doc_template(master, UNIT_SUMMARY_TEMPLATE)
    out, used, rows, terms = [], set(), campaign_rows(campaign, report), printed_terms(campaign)
    for unit in units:
        name = safe_file_name(f"全面总结-{unit}-{report.as_of.isoformat()}", used, Path(out_dir), suffix=".docx")
        target = render(template, unit_summary_context(campaign, report, unit, rows), Path(out_dir) / f"{name}.docx",
                        terms=terms)
        out.append(Written(target, _pdf(target, pdf)))
    return out, report


def write_rota(master: Path, campaign: Campaign, out_dir: Path, start: dt.date, days: int = 10,
               pdf: bool = False) -> Written:
    context = rota_context(campaign, start, days)
    target = render(doc_template(master, ROTA_TEMPLATE), context,
                    Path(out_dir) / f"局领导接访安排-{context['first'].isoformat()}.docx", terms=printed_terms(campaign))
    return Written(target, _pdf(target, pdf))
