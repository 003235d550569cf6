"""Bound ledgers (台账): one workbook per person, one book per unit, rendered from templates.

Templates are looked up in this order: the folder given, a 台账模板/ folder beside
the master workbook (the clerk's restyled copies), the bundled defaults.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import xlsxwriter

from .collective import reception_units
from .dataset import Campaign
from .ledger_templates import (
    CONTENTS, COVER, PERSON_SHEET, PERSON_TEMPLATE, SUMMARY, UNIT_PROBLEMS, UNIT_TEMPLATE, WEEKLY,
)
from .names import safe_file_name, safe_sheet_name
from .periods import cn_date, due, weeks
from .quota import Context, trip_days
from .report import Report, build_report
from .safe_io import atomic_write
from .schema import (
    ACTIVITIES, CASES, METRIC_HOUSEHOLDS, RATIO_METRICS, METRIC_RESEARCH_DAYS, PROBLEMS, RECEPTIONS, RESEARCH, ROLE_BUREAU_LEADER,
    VISITS, WENZHENG,
)
from .template_render import records
from .template_xlsx import Renderer, Template, paginate

UNIT_SHEETS = (COVER, CONTENTS, SUMMARY, UNIT_PROBLEMS, WEEKLY)

CLERK_TEMPLATES = "台账模板"
SECTION_FIELDS = {  # the fields each repeating section of the personal ledger template uses
    "visits": ("record_id", "date", "target", "target_type", "address", "form", "issue", "problem_id"),
    "research": ("record_id", "start", "end", "days", "place", "topic", "report"),
    "receptions": ("record_id", "date", "visitor", "matter", "handling", "deadline", "result", "problem_id"),
    "cases": ("case_id", "cause", "case_type", "role", "field_visit", "deadline", "status", "closed_date"),
    "problems": ("problem_id", "reg_date", "description", "major", "role", "deadline", "status", "solved_date"),
    "wenzheng": ("record_id", "date", "mode", "topic", "participants", "opinions", "replied"),
    "activities": ("record_id", "date", "kind", "place", "summary", "participants"),
}


def template_folder(master: Path, explicit: Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    beside = Path(master).parent / CLERK_TEMPLATES
    if (beside / PERSON_TEMPLATE).exists() and (beside / UNIT_TEMPLATE).exists():
        return beside
    return Path(str(resources.files("zoufang") / "templates"))


@dataclass
class LedgerData:
    """Everything the ledgers show, computed once for the whole campaign."""

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

    @classmethod
    def of(cls, campaign: Campaign, as_of: dt.date | None = None) -> "LedgerData":
        report = build_report(campaign, as_of)
        ctx = Context(campaign, report.as_of)
        research = ctx.rows(RESEARCH.key, "person")
        research = research.assign(days=trip_days(research["pid"], research["start"], research["end"],
                                                  ctx.start, ctx.quota_day))
        cases = _with_roles(ctx, CASES.key, ("leader", "owner"))
        problems = _with_roles(ctx, PROBLEMS.key, ("leader", "owner"))
        return cls(campaign, report, ctx, ctx.rows(VISITS.key, "person"), research,
                   ctx.rows(RECEPTIONS.key, "person"), cases, problems,
                   ctx.rows(WENZHENG.key, "person", "date"), ctx.rows(ACTIVITIES.key, "lead", "date"))

    def people(self) -> pd.DataFrame:
        """Everyone in 人员, in roster order."""
        p = self.campaign.people
        return p[(p["person_id"] != "") & ~p["person_id"].duplicated()]

    def person_scope(self, person: pd.Series) -> dict:
        """Everything a personal ledger shows (computed once per person: it appears in two files)."""
        memo = self.__dict__.setdefault("_scopes", {})
        if person["person_id"] not in memo:
            memo[person["person_id"]] = self._person_scope(person)
        return memo[person["person_id"]]

    def person_plan(self, tpl: Template, person: pd.Series) -> list:
        """The personal ledger's rows for ``person``: made once, written into their file and their unit's book."""
        memo = self.__dict__.setdefault("_plans", {})
        key = (id(tpl), person["person_id"])
        if key not in memo:
            memo[key] = tpl.plan(self.person_scope(person))
        return memo[key]

    def _rows_by_person(self) -> dict[str, dict[str, list[dict]]]:
        """Each section's rows as template records, grouped by person once (not filtered per person)."""
        if "_by_person" not in self.__dict__:
            by: dict[str, dict[str, list[dict]]] = {}
            for section, (frame, order) in {"visits": (self.visits, "date"), "research": (self.research, "start"),
                                            "receptions": (self.receptions, "date"), "cases": (self.cases, None),
                                            "problems": (self.problems, None), "wenzheng": (self.wenzheng, "date"),
                                            "activities": (self.activities, "date")}.items():
                frame = frame.sort_values(order, kind="stable") if order else frame
                fields = {k: k for k in SECTION_FIELDS[section]}
                for pid, rec in zip(frame["pid"], records(frame, fields)):
                    by.setdefault(pid, {}).setdefault(section, []).append(rec)
            self.__dict__["_by_person"] = by
        return self.__dict__["_by_person"]

    def _metrics_by_person(self) -> dict[str, list[dict]]:
        """Each person's quota rows of the report, in one pass over it."""
        if "_metrics" not in self.__dict__:
            by: dict[str, list[dict]] = {}
            cols = ["person_id", "metric", "target", "actual", "ratio", "expected_by_now", "status", "overall"]
            for row in self.report.people[cols].itertuples(index=False):
                shown = _percent if row.metric in RATIO_METRICS else _whole  # 问题解决率 75 % of 100 %, not 0.75/1
                by.setdefault(row.person_id, []).append(
                    {"metric": row.metric, "target": shown(row.target), "actual": shown(row.actual),
                     "ratio": None if pd.isna(row.ratio) else f"{row.ratio:.0%}",
                     "expected": shown(row.expected_by_now), "status": row.status, "overall": row.overall})
            self.__dict__["_metrics"] = by
        return self.__dict__["_metrics"]

    def _person_scope(self, person: pd.Series) -> dict:
        pid = person["person_id"]
        s = self.campaign.settings
        rows = self._rows_by_person().get(pid, {})
        metrics = self._metrics_by_person().get(pid, [])
        actual = {m["metric"]: m["actual"] for m in metrics}
        visits = rows.get("visits", [])
        research = rows.get("research", [])
        return {
            "campaign": s.name, "organizer": s.organizer, "start": s.start, "end": s.end, "as_of": self.report.as_of,
            "name": person["name"], "person_id": pid, "unit": person["unit"], "title": person["title"],
            "category": person["category"], "overall": metrics[0]["overall"] if metrics else "无个人指标",
            "metrics": metrics,
            **{section: rows.get(section, []) for section in SECTION_FIELDS},
            "visit_count": len(visits),
            "household_count": int(actual[METRIC_HOUSEHOLDS]) if METRIC_HOUSEHOLDS in actual
            else self._households().get(pid, 0),
            "research_days": int(actual[METRIC_RESEARCH_DAYS]) if METRIC_RESEARCH_DAYS in actual
            else int(sum(r["days"] or 0 for r in research)),
            "reception_count": len(rows.get("receptions", [])),
            "case_count": len(rows.get("cases", [])),
            "problem_count": len(rows.get("problems", [])),
            "wenzheng_count": len(rows.get("wenzheng", [])),
            "activity_count": len(rows.get("activities", [])),
            "reviewer": "局活动办公室审核" if person["category"] == ROLE_BUREAU_LEADER else "单位负责人审核",
        }

    def unit_scope(self, unit: str, members: pd.DataFrame, sheets: list[str]) -> dict:
        s = self.campaign.settings
        row = self.report.units[self.report.units["unit"] == unit]
        u = row.iloc[0] if len(row) else None
        by_person = self._metrics_by_person()
        detail = []
        for p in members.itertuples():
            mine = by_person.get(p.person_id, [])
            text = "；".join(f"{m['metric']} {m['actual']}/{m['target']} {m['status']}" for m in mine)
            detail.append({"person_id": p.person_id, "name": p.name, "title": p.title, "category": p.category,
                           "detail": text or "无个人指标", "overall": mine[0]["overall"] if mine else ""})
        problems = self._problems_by_unit().get(unit, [])
        weekly = self.weekly(unit)
        counts = {k: (None if u is None else u[k]) for k in ("people", "met", "on_pace", "behind", "open_problems",
                                                             "overdue_problems", "weeks_with_reception", "weeks_due")}
        if counts["weeks_due"] is None or pd.isna(counts["weeks_due"]):  # 局机关: its weeks are shown all the same
            counts["weeks_due"] = len(weekly)
            counts["weeks_with_reception"] = sum(w["met"] == "是" for w in weekly)
        counts["people"] = len(members)
        return {
            "campaign": s.name, "organizer": s.organizer, "start": s.start, "end": s.end, "as_of": self.report.as_of,
            "compiled": cn_date(dt.date.today()), "unit": unit, "members": detail, **counts,
            "problems": problems,
            "problem_count": len(problems),
            "weeks": weekly,
            "toc": [{"no": i, "title": title, "sheet": sheet, "page": None}
                    for i, (title, sheet) in enumerate(sheets, start=1)],
        }

    def _households(self) -> dict[str, int]:
        """Distinct households per person, for those without a 走访户数 quota (computed once)."""
        if "_homes" not in self.__dict__:
            v = self.visits
            homes = pd.DataFrame({"pid": v["pid"].to_numpy(),
                                  "home": self.campaign[VISITS.key].household_codes()[v.index.to_numpy()]})
            self.__dict__["_homes"] = homes.drop_duplicates().groupby("pid").size().to_dict()
        return self.__dict__["_homes"]

    def _problems_by_unit(self) -> dict[str, list[dict]]:
        """问题台账 rows as template records grouped by responsible unit, in order of registration (once)."""
        if "_unit_problems" not in self.__dict__:
            problems = _standing(self.ctx, PROBLEMS.key).sort_values("reg_date", kind="stable")
            fields = ("problem_id", "reg_date", "description", "leader", "owner", "deadline", "status", "solved_date")
            by: dict[str, list[dict]] = {}
            for unit, rec in zip(problems["unit"], records(problems, {k: k for k in fields})):
                by.setdefault(unit, []).append(rec)
            self.__dict__["_unit_problems"] = by
        return self.__dict__["_unit_problems"]

    def weekly(self, unit: str) -> list[dict]:
        """The unit's receptions in each week that is due, from the receptions grouped by unit and week once."""
        if "_weekly" not in self.__dict__:
            spans = [(m, s) for m, s in weeks(self.ctx.start, self.ctx.end) if due(s, self.ctx.end, self.ctx.as_of)]
            r = reception_units(self.ctx)
            mondays = np.array([np.datetime64(m, "ns") for m, _ in spans], dtype="datetime64[ns]")
            sundays = np.array([np.datetime64(s, "ns") for _, s in spans], dtype="datetime64[ns]")
            dates = r["date"].to_numpy(dtype="datetime64[ns]")
            slot = np.searchsorted(mondays, dates, side="right") - 1  # the week whose Monday is not after the date
            inside = slot >= 0
            inside[inside] = dates[inside] <= sundays[slot[inside]]
            r = r.assign(_slot=slot)[inside]
            by = {key: names.tolist() for key, names in r.groupby(["count_unit", "_slot"], sort=False)["person"]}
            self.__dict__["_weekly"] = (spans, by)
        spans, by = self.__dict__["_weekly"]
        out = []
        for i, (monday, sunday) in enumerate(spans):
            receivers = by.get((unit, i), [])
            out.append({"monday": monday, "sunday": sunday, "count": len(receivers),
                        "receivers": "、".join(dict.fromkeys(receivers)), "met": "是" if receivers else "否"})
        return out


def _percent(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{v:.0%}"


def _whole(v):
    """A count or a number of days as a whole number (a float that is whole prints without ".0")."""
    if v is None or pd.isna(v):
        return "—"
    return int(v) if float(v).is_integer() else round(float(v), 1)


def _standing(ctx: Context, sheet_key: str) -> pd.DataFrame:
    """Problems or cases as they stood at the as-of date: registered by then, with that day's status and
    only the solved / ticked-off dates reached by then."""
    if sheet_key == CASES.key:
        f = ctx.cases()
        return f.assign(status=f["status_at"], closed_date=f["closed_date"].where(~f["open_at"]))
    f = ctx.problems()
    return f.assign(status=f["status_at"], solved_date=f["solved_date"].where(f["solved_at"]),
                    closed_date=f["closed_date"].where(f["closed_at"]))


def _with_roles(ctx: Context, sheet_key: str, roles) -> pd.DataFrame:
    """Rows once per person they concern, with the person's role(s) on the row (e.g. 分包领导、责任人)."""
    spec = CASES if sheet_key == CASES.key else PROBLEMS
    standing = _standing(ctx, sheet_key)
    parts = [ctx.with_people(standing, sheet_key, key).assign(role=spec.col(key).label) for key in roles]
    both = pd.concat(parts, ignore_index=True)
    id_key = "case_id" if sheet_key == CASES.key else "problem_id"
    both["_order"] = range(len(both))
    roles_of = both.groupby([id_key, "pid", "_row"], sort=False)["role"].agg("、".join)
    first = both.drop_duplicates([id_key, "pid", "_row"]).drop(columns="role")
    first = first.merge(roles_of.rename("role").reset_index(), on=[id_key, "pid", "_row"])
    return first.sort_values("_order").drop(columns="_order")


# ------------------------------------------------------------------ writing
@dataclass
class LedgerFiles:
    people: list[Path]
    units: list[Path]


def _load(folder: Path, name: str):
    path = folder / name
    if not path.exists():
        raise FileNotFoundError(f"找不到台账模板 {path}")
    return openpyxl.load_workbook(path)


def write_ledgers(data: LedgerData, out_dir: Path, templates: Path, unit: str | None = None,
                  person: str | None = None, progress: Callable[[str], None] | None = None) -> LedgerFiles:
    """Personal ledgers under out_dir/<unit>/ and one bound book per unit."""
    person_tpl = Template.of(_load(templates, PERSON_TEMPLATE)[PERSON_SHEET])
    unit_book = _load(templates, UNIT_TEMPLATE)
    unit_tpls = {name: Template.of(unit_book[name]) for name in UNIT_SHEETS if name in unit_book.sheetnames}
    people = data.people()
    if unit:
        people = people[people["unit"] == unit]
    if person:
        people = people[(people["name"] == person) | (people["person_id"] == person)]
    files = LedgerFiles([], [])
    used_dirs: set[str] = set()
    for unit_name in dict.fromkeys(people["unit"]):
        folder = Path(out_dir) / safe_file_name(unit_name or "未填单位", used_dirs, Path(out_dir), suffix="")
        folder.mkdir(parents=True, exist_ok=True)
        members = people[people["unit"] == unit_name]
        used_files: set[str] = set()
        for _, p in members.iterrows():
            target = folder / (safe_file_name(f"{p['person_id']}-{p['name']}", used_files, folder) + ".xlsx")
            atomic_write(target, lambda tmp, p=p: _person_book(data, person_tpl, p, tmp), keep_backup=False)
            files.people.append(target)
            if progress:
                progress(p["name"])
        if person:
            continue
        target = folder / (safe_file_name(f"{unit_name}-单位台账", None, folder) + ".xlsx")
        atomic_write(target, lambda tmp, u=unit_name, m=members: _unit_book(data, unit_tpls, person_tpl, u, m, tmp),
                     keep_backup=False)
        files.units.append(target)
    return files


def _new_book(path: Path) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False, "in_memory": True})


def _person_book(data: LedgerData, tpl: Template, p: pd.Series, path: Path) -> None:
    book = _new_book(path)
    Renderer(book).render(tpl, safe_sheet_name(f"{p['name']}-{p['person_id']}"), {}, data.person_plan(tpl, p))
    book.close()


def _unit_book(data: LedgerData, unit_tpls: dict, person_tpl: Template, unit: str, members: pd.DataFrame,
               path: Path) -> None:
    used: set[str] = set()
    names = {t: safe_sheet_name(t, used) for t in UNIT_SHEETS}
    member_sheets = [(f"个人台账：{p.name}", safe_sheet_name(f"{p.name}-{p.person_id}", used))
                     for p in members.itertuples()]
    toc = [("单位完成情况汇总", names[SUMMARY]), (UNIT_PROBLEMS, names[UNIT_PROBLEMS]), (WEEKLY, names[WEEKLY]),
           *member_sheets]
    scope = data.unit_scope(unit, members, toc)
    pages = {names[title]: paginate(tpl, tpl.plan(scope)) for title, tpl in unit_tpls.items()}
    for (_, sheet), (_, p) in zip(member_sheets, members.iterrows()):
        pages[sheet] = paginate(person_tpl, data.person_plan(person_tpl, p))
    first_page, page = {}, 1  # pages are numbered through the whole book, as it is printed
    for sheet, laid_out in pages.items():
        first_page[sheet], page = page, page + laid_out.count
    for entry in scope["toc"]:
        entry["page"] = first_page.get(entry["sheet"])
    if CONTENTS in unit_tpls:  # the same rows with their page numbers: the same pages
        pages[names[CONTENTS]] = paginate(unit_tpls[CONTENTS], unit_tpls[CONTENTS].plan(scope))
    book = _new_book(path)
    renderer = Renderer(book)
    for title, tpl in unit_tpls.items():
        renderer.render(tpl, names[title], scope, pages=pages[names[title]])
    for (_, sheet), (_, p) in zip(member_sheets, members.iterrows()):
        renderer.render(person_tpl, sheet, {}, pages=pages[sheet])
    book.close()
