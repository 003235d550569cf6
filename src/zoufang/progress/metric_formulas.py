"""The personal metrics as workbook formulas, beside their pandas form in quota.py (DOMAIN.md's counting rules).

What a row is (the person resolved as roster.resolve does, the day parsed as parse_date does, the problem
as it stood on the quota day as standing.problems_at has it) is worked out once per row in the helper
sheet; each figure of 本单位进度 then counts helper rows with COUNTIFS / SUMPRODUCT. The targets come from
the same 配额 rules as report's (quota.assignments), so the workbook and `zoufang report` agree.
"""
from __future__ import annotations

import pandas as pd

from zoufang.contract.schema import (
    ACTIVITIES, ACTIVITY_CONTACT_POINT, ACTIVITY_LECTURE, CASES, IN_PERSON_FORMS, METRIC_FIELD_VISIT_RATIO,
    METRIC_HOUSEHOLDS, METRIC_LECTURES, METRIC_MAJOR_SOLVED, METRIC_ONLINE, METRIC_RECEPTIONS, METRIC_RESEARCH_DAYS,
    METRIC_RESOLUTION_RATE, MODE_ONLINE, NAME_PERIOD_END, NAME_PERIOD_START, PEOPLE, PERSONAL_METRICS, PROBLEMS,
    RATIO_METRICS, RECEPTIONS, RESEARCH, SETTING_ITEMS, SETTINGS, UNITS, VISITS, WENZHENG, Sheet,
)
from zoufang.progress.quota import DONE, MISSED, OTHER_PARTS, STATUS_ORDER, assignments, quota_rules
from zoufang.progress.standing import CLOSED, SOLVED
from zoufang.reading.contact_points import last_part
from zoufang.reading.dataset import Campaign
from zoufang.reading.normalize import YES_WORDS
from zoufang.xlsx.formula_text import (
    count_equal, count_rows, date_text, day_of, folded_address, in_list, one_or_zero, position_of, token,
)
from zoufang.xlsx.self_check import range_name
from zoufang.xlsx.unit_progress import Block, Figure, ProgressPlan

NOTE = ("说明：数字按本工作簿各表的记录用公式算出，显示为“完成 / 目标”；统计截止日期取“活动设置”，空白时为今天。"
        "走访户数按户主＋地址每户计一次，只计入户走访、座谈；调研天数按日历日合并重叠的行程；"
        "问题解决率按本人发现的问题计。人员写法、日期写法无法识别的记录不计入，导入时由局活动办公室核对。")


def cell(sheet: Sheet, key: str) -> str:
    """Row {i} of an entry column; "" past the column's end (a clerk deleted rows: the helper keeps its rows) and
    for an error value, as the reader reads one — so that every count over the helper stays a number."""
    return f'IFERROR(INDEX({range_name(sheet, key)},{{i}}),"")'



def settings_scalars() -> dict[str, str]:
    """zh_start, zh_end, zh_as_of (统计截止日期, else today clipped to the period, never before the start),
    zh_quota_day (the as-of date, at most the end), zh_share (elapsed share), zh_over."""
    as_of_row = 2 + [s.key for s in SETTING_ITEMS].index("as_of")
    typed = f"'{SETTINGS.name}'!$B${as_of_row}"
    return {
        "start_text": date_text(NAME_PERIOD_START), "start": day_of(NAME_PERIOD_START, "zh_start_text"),
        "end_text": date_text(NAME_PERIOD_END), "end": day_of(NAME_PERIOD_END, "zh_end_text"),
        "typed_text": date_text(typed), "typed": day_of(typed, "zh_typed_text"),
        "as_of": 'MAX(zh_start,IF(ISNUMBER(zh_typed),zh_typed,MIN(TODAY(),zh_end)))',
        "quota_day": "MIN(zh_as_of,zh_end)",
        "share": "MAX(0,MIN(1,(MIN(MAX(zh_as_of,zh_start-1),zh_end)-zh_start+1)/(zh_end-zh_start+1)))",
        "over": "IF(zh_as_of>=zh_end,1,0)",
    }


def roster_blocks() -> list[Block]:
    """人员 as resolution reads it (names, ids, units as tokens; rows without a name are no one), and 单位's names."""
    return [
        Block(PEOPLE.key, {
            "roster_name": f"{token(cell(PEOPLE, 'name'))}",
            "roster_pid": f'IF([roster_name]="","",{token(cell(PEOPLE, "person_id"))})',
            "roster_unit": f"{token(cell(PEOPLE, 'unit'))}",
            "roster_nameunit": '[roster_name]&"|"&[roster_unit]',
        }),
        Block(UNITS.key, {"unit_name": f"{token(cell(UNITS, 'name'))}"}),
    ]


def person_columns(sheet: Sheet, key: str) -> dict[str, str]:
    """Columns resolving ``key`` of ``sheet`` to a 人员编号 as roster.resolve does: the name as a whole, else
    ``姓名（编号或单位）`` taken apart; a 人员编号 (its column, or the brackets) chooses when it is that
    person's; namesakes are told apart by the row's own unit column (or a unit in brackets)."""
    p = f"{sheet.key}_{key}"
    text = f"[{p}_text]"
    last_open = f'FIND("§",SUBSTITUTE({text},"(","§",LEN({text})-LEN(SUBSTITUTE({text},"(",""))))'
    split = (f'IF(AND(RIGHT({text})=")",ISNUMBER(FIND("(",{text}))),IF(AND({last_open}>1,'
             f'ISERROR(FIND(")",MID({text},{last_open}+1,LEN({text})-{last_open}-1))),'
             f'LEN({text})-{last_open}>1),LEFT({text},{last_open}-1),{text}),{text})')
    ids = sheet.person_id_key if key == "person" and sheet.person_id_key else None
    hint = sheet.col(key).paired_unit  # as roster.unit_hint_key
    hint_text = token(cell(sheet, hint)) if hint else '""'
    nameunit = f'[{p}_name]&"|"&[{p}_hint]'
    return {
        f"{p}_text": token(cell(sheet, key)),
        f"{p}_name": f'IF({text}="","",IF({count_equal("zh_roster_name", text)}>0,{text},{split}))',
        f"{p}_inner": f'IF([{p}_name]={text},"",MID({text},LEN([{p}_name])+2,LEN({text})-LEN([{p}_name])-2))',
        f"{p}_id": (f'IF({token(cell(sheet, ids))}<>"",{token(cell(sheet, ids))},' if ids else "IF(FALSE,\"\",")
                   + f'IF(AND([{p}_inner]<>"",{count_equal("zh_roster_pid", f"[{p}_inner]")}>0),[{p}_inner],""))',
        f"{p}_hint": (f'IF(AND([{p}_inner]<>"",[{p}_id]<>[{p}_inner],{count_equal("zh_unit_name", f"[{p}_inner]")}>0),'
                      f'[{p}_inner],{hint_text})'),
        f"{p}_byname": (f'IF([{p}_name]="","",IF({count_equal("zh_roster_name", f"[{p}_name]")}=1,'
                        f'INDEX(zh_roster_pid,{position_of("zh_roster_name", f"[{p}_name]")}),'
                        f'IF(AND([{p}_hint]<>"",{count_equal("zh_roster_nameunit", nameunit)}=1),'
                        f'INDEX(zh_roster_pid,{position_of("zh_roster_nameunit", nameunit)}),"")))'),
        p: (f'IF([{p}_id]="",[{p}_byname],IF(ISNA({position_of("zh_roster_pid", f"[{p}_id]")}),[{p}_byname],'
            f'IF(INDEX(zh_roster_name,{position_of("zh_roster_pid", f"[{p}_id]")})=[{p}_name],[{p}_id],"")))'),
    }


def date_columns(sheet: Sheet, key: str) -> dict[str, str]:
    """``<sheet>_<key>``: the day the cell holds as a number, else "" (parse_date)."""
    p = f"{sheet.key}_{key}"
    return {f"{p}_text": date_text(cell(sheet, key)), p: day_of(cell(sheet, key), f"[{p}_text]")}


def within(day: str) -> str:
    """1 where ``day`` (a helper cell) lies in [start, quota day]."""
    return f"ISNUMBER({day})*({day}>=zh_start)*({day}<=zh_quota_day)"


def yes(ref: str) -> str:
    """1 where the cell says yes (parse_yesno): 是, Y, √, TRUE, 1, …"""
    return in_list(f"LOWER({token(ref)})", YES_WORDS)


def word(ref: str, words) -> str:
    """1 where the cell's token is one of ``words``."""
    return in_list(token(ref), words)


def flag(condition: str) -> str:
    return one_or_zero(condition)


COUNT_STATUS = ('IF({value}>={target}-1E-9,"已完成",IF(zh_over=1,"未完成",'
                'IF({value}>=INT({target}*zh_share+1E-9)-1E-9,"按进度","滞后")))')


def ratio_status(late: str) -> str:
    """A ratio over nothing is met; below target it is on pace while ``late`` (a count template) is 0."""
    paced = f'IF(({late})=0,"按进度","滞后")' if late else '"滞后"'
    return f'IF({{value}}="","{DONE}",IF({{value}}>={{target}}-1E-9,"{DONE}",IF(zh_over=1,"{MISSED}",{paced})))'


def ratio(num: str, den: str) -> str:
    return f'IF(({den})=0,"",({num})/({den}))'


def visits_block() -> Block:
    """A household once per person: the first in-person row of its (person, 户主, folded 地址)."""
    v = VISITS
    ok = (f'[visits_person]<>"")*({within("[visits_date]")})*({word(cell(v, "form"), IN_PERSON_FORMS)})'
          f'*({token(cell(v, "target"))}<>""')
    return Block(v.key, {
        **date_columns(v, "date"), **person_columns(v, "person"),
        "visits_ok": flag(f"({ok})"),
        "visits_key": (f'IF([visits_ok]=1,LEFT([visits_person]&"|"&{token(cell(v, "target"))}&"|"&'
                       f'{folded_address(cell(v, "address"))},250),"")'),
        "visits_first": f'IF([visits_ok]=1,IF({position_of("zh_visits_key", "[visits_key]")}={{i}},1,0),0)',
    })


def research_block() -> Block:
    r = RESEARCH
    both = '([research_person]<>"")*ISNUMBER([research_start])*ISNUMBER([research_end])'
    return Block(r.key, {
        **date_columns(r, "start"), **date_columns(r, "end"), **person_columns(r, "person"),
        "research_lo": f'IF({both},[research_start],"")', "research_hi": f'IF({both},[research_end],"")',
        # the person as its place on the roster: a number, which COUNTIFS compares exactly (RESEARCH_DAYS)
        "research_who": f'IF([research_person]="","",{position_of("zh_roster_pid", "[research_person]")})',
        "research_used": 'IF(ISNUMBER([research_lo]),{i},0)',
    })


def days_block(campaign: Campaign) -> Block:
    """The period's days: research days are the days up to the quota day that some trip covers."""
    s = campaign.settings
    return Block("", {"days_day": "zh_start+{i}-1"}, (s.end - s.start).days + 1)


def head(name: str, count: str) -> str:
    """The first ``count`` cells of helper column ``name``: a range, so a count reads no blank row below."""
    return f"INDEX(zh_{name},1):INDEX(zh_{name},{count})"


def trips(name: str) -> str:
    return head(name, "zh_research_rows")


RESEARCH_DAYS = (f'SUMPRODUCT((COUNTIFS({trips("research_who")},{position_of("zh_roster_pid", "{pid}")},'
                 f'{trips("research_lo")},"<="&'
                 f'{head("days_day", "zh_days")},{trips("research_hi")},">="&{head("days_day", "zh_days")})>0)*1)')


def receptions_block() -> Block:
    r = RECEPTIONS
    return Block(r.key, {**date_columns(r, "date"), **person_columns(r, "person"),
                         "receptions_ok": flag(f'([receptions_person]<>"")*{within("[receptions_date]")}')})


def problems_block(keys: set[str]) -> Block:
    """Problems as they stood on the quota day (standing.problems_at): registered, solved, open past deadline."""
    p = PROBLEMS
    status = token(cell(p, "status"))
    solved_by = ("(ISNUMBER([problems_solved_date])*([problems_solved_date]<=zh_quota_day)"
                 f'+({status}="{CLOSED}")*ISNUMBER([problems_closed_date])*([problems_closed_date]<=zh_quota_day))')
    columns = {**date_columns(p, "reg_date"), **date_columns(p, "solved_date"), **date_columns(p, "closed_date"),
               **date_columns(p, "deadline")}
    for key in sorted(keys):
        columns |= person_columns(p, key)
    return Block(p.key, columns | {
        "problems_exists": flag("1-ISNUMBER([problems_reg_date])+ISNUMBER([problems_reg_date])*"
                                "([problems_reg_date]<=zh_quota_day)"),
        "problems_solved": flag(f'[problems_exists]*({word(cell(p, "status"), (SOLVED, CLOSED))})*{solved_by}'),
        "problems_late": flag("[problems_exists]*(1-[problems_solved])*ISNUMBER([problems_deadline])"
                              "*([problems_deadline]<zh_quota_day)"),
        "problems_major": flag(yes(cell(p, "major"))),
    })


def cases_block() -> Block:
    c = CASES
    return Block(c.key, {**date_columns(c, "visit_date"), **person_columns(c, "leader"), "cases_visited": flag(
        f'{yes(cell(c, "field_visit"))}*(1-ISNUMBER([cases_visit_date])+ISNUMBER([cases_visit_date])'
        f'*([cases_visit_date]<=zh_quota_day))')})


def wenzheng_block() -> Block:
    w = WENZHENG
    return Block(w.key, {**date_columns(w, "date"), **person_columns(w, "person"), "wenzheng_ok": flag(
        f'([wenzheng_person]<>"")*{within("[wenzheng_date]")}*({word(cell(w, "mode"), (MODE_ONLINE,))})')})


POINT_KEYS = "point_keys"  # the helper's list of contact points (in full and by their last part), kept in cells


def point_keys(points: list[str]) -> list[str]:
    """The texts a place is matched against: each contact point in full and by its last part, longest first."""
    return sorted({k for p in points for k in (p, last_part(p)) if k}, key=len, reverse=True)


def activities_block() -> Block:
    """送政策 at a contact point: one of the workbook's contact points at issue (``zh_point_keys``, cells of the
    helper sheet), and any 联系点建设 row of the workbook (in full)."""
    a = ACTIVITIES
    place = "[activities_place]"
    known = f'SUMPRODUCT((zh_{POINT_KEYS}<>"")*ISNUMBER(FIND(zh_{POINT_KEYS},{place})))'
    typed = f'SUMPRODUCT((zh_activities_point<>"")*ISNUMBER(FIND(zh_activities_point,{place})))'
    return Block(a.key, {
        **date_columns(a, "date"), **person_columns(a, "lead"),
        "activities_place": token(cell(a, "place")),
        "activities_point": f'IF({word(cell(a, "kind"), (ACTIVITY_CONTACT_POINT,))},[activities_place],"")',
        "activities_ok": (f'IF(([activities_lead]<>"")*{within("[activities_date]")}'
                          f'*({word(cell(a, "kind"), (ACTIVITY_LECTURE,))}),{flag(f"{known}+{typed}")},0)'),
    })


def counted(*conditions: str) -> str:
    """A count figure: the helper rows meeting ``conditions``, plus what other books hold ({o0}, a fixed value)."""
    return f"{count_rows(*conditions)}+{{o0}}"


FIGURES = {  # 指标 → (what it reads, the figure, its status); {oK}: part K of quota.OTHER_PARTS
    METRIC_RESEARCH_DAYS: ("research", f"{RESEARCH_DAYS}+{{o0}}", COUNT_STATUS),
    METRIC_HOUSEHOLDS: ("visits", counted("zh_visits_person={pid}", "zh_visits_first=1"), COUNT_STATUS),
    METRIC_MAJOR_SOLVED: ("problems:leader", counted("zh_problems_leader={pid}", "zh_problems_solved=1",
                                                     "zh_problems_major=1"), COUNT_STATUS),
    METRIC_RECEPTIONS: ("receptions", counted("zh_receptions_person={pid}", "zh_receptions_ok=1"), COUNT_STATUS),
    METRIC_FIELD_VISIT_RATIO: ("cases", ratio(count_rows("zh_cases_leader={pid}", "zh_cases_visited=1") + "+{o0}",
                                              count_rows("zh_cases_leader={pid}") + "+{o1}"), ratio_status("")),
    METRIC_RESOLUTION_RATE: ("problems:finder",
                             ratio(count_rows("zh_problems_finder={pid}", "zh_problems_solved=1") + "+{o0}",
                                   count_rows("zh_problems_finder={pid}", "zh_problems_exists=1") + "+{o1}"),
                             ratio_status(count_rows("zh_problems_finder={pid}", "zh_problems_late=1") + "+{o2}")),
    METRIC_ONLINE: ("wenzheng", counted("zh_wenzheng_person={pid}", "zh_wenzheng_ok=1"), COUNT_STATUS),
    METRIC_LECTURES: ("activities", counted("zh_activities_lead={pid}", "zh_activities_ok=1"), COUNT_STATUS),
}
assert set(FIGURES) == set(PERSONAL_METRICS)


def unit_people(campaign: Campaign, unit: str) -> pd.DataFrame:
    people = campaign.people
    return people[(people["unit"] == unit) & (people["person_id"] != "") & ~people["person_id"].duplicated()]


def others_text(names: dict[str, str], others: dict[str, dict[str, tuple[float, ...]]]) -> str:
    """Under 本单位进度: what the figures hold from other units' books, person by person."""
    if not others:
        return ""
    said = []
    for pid, held in others.items():
        parts = []
        for metric in PERSONAL_METRICS:
            if metric not in held:
                continue
            v = held[metric]
            if metric == METRIC_FIELD_VISIT_RATIO:
                parts.append(f"包案 {v[1]:g} 件（带案下访 {v[0]:g} 件）")
            elif metric == METRIC_RESOLUTION_RATE:
                parts.append(f"发现问题 {v[1]:g} 个（已解决 {v[0]:g} 个" + (f"，超期未解决 {v[2]:g} 个" if v[2] else "")
                             + "）")
            else:
                parts.append(f"{metric} {v[0]:g}")
        said.append(f"{names.get(pid, pid)}：" + "、".join(parts))
    return ("其他单位台账中（截至下发时，已计入上表，本工作簿中不能修改）：" + "；".join(said) + "。")


def unit_progress_plan(campaign: Campaign, unit: str, points: list[str],
                       assigned: pd.DataFrame | None = None,
                       others: dict[str, dict[str, tuple[float, ...]]] | None = None) -> ProgressPlan | None:
    """本单位进度 of ``unit``: its people with the targets 配额 gives them (``assigned``: quota.assignments of the
    campaign, when already worked out), and the blocks their 指标 read (``points``: the contact points its
    workbook names); None when 配额 gives none of them a target. ``others``: what the master holds for them in
    other units' books (book_values.BookValues.others), added to their figures as fixed values."""
    people = unit_people(campaign, unit)
    plan = assignments(campaign, quota_rules(campaign)) if assigned is None else assigned
    plan = plan[plan["person_id"].isin(set(people["person_id"]))]
    if plan.empty:
        return None
    metrics = [m for m in PERSONAL_METRICS if m in set(plan["metric"])]
    targets = {pid: dict(zip(g["metric"], g["target"])) for pid, g in plan.groupby("person_id")}
    reads = {FIGURES[m][0] for m in metrics}
    blocks, scalars = roster_blocks(), settings_scalars()
    if "research" in reads:
        blocks += [research_block(), days_block(campaign)]
        scalars |= {"research_rows": "MAX(1,MAX(zh_research_used))",  # trips read: up to the last one typed
                    "days": "MAX(1,MIN(zh_quota_day,zh_end)-zh_start+1)"}  # days counted: up to the quota day
    blocks += [maker() for source, maker in (("visits", visits_block), ("receptions", receptions_block),
                                             ("cases", cases_block), ("wenzheng", wenzheng_block)) if source in reads]
    problem_keys = {r.split(":")[1] for r in reads if r.startswith("problems:")}
    if problem_keys:
        blocks.append(problems_block(problem_keys))
    lists = {}
    if "activities" in reads:
        blocks.append(activities_block())
        lists[POINT_KEYS] = point_keys(points)
    return ProgressPlan(
        people=[(pid, name, category, targets[pid])
                for pid, name, category in zip(people["person_id"], people["name"], people["category"])
                if pid in targets],  # other staff take part without a personal quota
        figures=[Figure(m, FIGURES[m][1], FIGURES[m][2], m in RATIO_METRICS, len(OTHER_PARTS[m])) for m in metrics],
        blocks=blocks, scalars=scalars, status_words=STATUS_ORDER, note=NOTE, lists=lists, others=others or {},
        others_note=others_text(dict(zip(people["person_id"], people["name"])), others or {}))
