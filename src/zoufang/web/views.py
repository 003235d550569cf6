"""What each page shows, worked out from the commands' own JSON (``report --json``, ``check --json``,
``collect --json``), so that the page and a script can never see different figures."""
from __future__ import annotations

from collections import Counter

from zoufang.contract.schema import PEOPLE, RATIO_METRICS, UNITS
from zoufang.web.charts import stacked_bars

UNIT, NAME, PID, CATEGORY = UNITS.col("name").label, PEOPLE.col("name").label, PEOPLE.col("person_id").label, \
    PEOPLE.col("category").label
BEHIND = ("滞后", "未完成")


def overview(report: dict) -> dict:
    """总览: charts by unit and by role, who is behind, collective gaps, supervision. Every person counts once,
    under the status report gives them (the cards, both charts and the table say the same)."""
    by_unit: dict[str, Counter] = {u[UNIT]: Counter() for u in report["units"]}
    roles: dict[str, Counter] = {}
    for p in report["people"]:
        roles.setdefault(p[CATEGORY] or "（未填类别）", Counter())[p["status"]] += 1
        by_unit.setdefault(p[UNIT] or "（未填单位）", Counter())[p["status"]] += 1
    units = [(name, counts) for name, counts in by_unit.items() if counts]
    behind = [dict(p, lagging=[(m, v) for m, v in p["metrics"].items() if v.get("status") in BEHIND])
              for p in report["people"] if p["status"] in BEHIND]
    c = report["collective"]
    return {
        "unit_chart": stacked_bars(units, title="各单位人员完成情况"),
        "role_chart": stacked_bars(sorted(roles.items()), title="各类人员完成情况"),
        "status_totals": Counter(p["status"] for p in report["people"]),
        "behind": behind,
        "uncovered_workdays": c["uncovered_workdays"],
        "unit_weeks": c["unit_weeks_without_reception"],
        "uncovered_half_months": c["uncovered_half_months"],
        "collective_metrics": c["metrics"],
        "overdue": sorted(report["overdue"], key=lambda r: -(r.get("days_overdue") or 0)),
        "backlog": report["backlog_cases"],
        "returns": report.get("returns", []),
    }


def people(report: dict, query: str = "", unit: str = "") -> list[dict]:
    """The people whose name, number or unit contains ``query`` (and of ``unit`` if given), with their metrics."""
    q = query.strip()
    return [p for p in report["people"]
            if (not q or q in p[NAME] or q in p[PID] or q in (p[UNIT] or "")) and (not unit or p[UNIT] == unit)]


def findings(checked: dict, units_of: dict[tuple[str, int], str], unit: str = "", sheet: str = "",
             level: str = "") -> dict:
    """校验: the findings of ``check --json`` with each one's unit, filtered; the choices for the filters."""
    rows = [dict(f, unit=units_of.get((f["sheet"], f["row"]), "")) for f in checked["findings"]]
    choices = {"units": sorted({r["unit"] for r in rows if r["unit"]}),
               "sheets": list(dict.fromkeys(r["sheet"] for r in rows if r["sheet"])),
               "levels": list(dict.fromkeys(r["level"] for r in rows))}
    shown = [r for r in rows if (not unit or r["unit"] == unit) and (not sheet or r["sheet"] == sheet)
             and (not level or r["level"] == level)]
    return {"rows": shown, "choices": choices, "total": len(rows), "errors": checked["errors"],
            "warnings": checked["warnings"]}


def figure(value, metric: str) -> str:
    """A metric's figure as the ledgers print it: a ratio as a percentage, a count without ``.0``."""
    if value is None:
        return ""
    if metric in RATIO_METRICS:
        return f"{float(value):.0%}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def log_cell(value) -> str:
    """A cell of 导入记录 as the workbook shows it: whole numbers without ``.0``, moments as 2026年12月6日 10:48 in this
    computer's time (older logs held ISO text with an offset)."""
    import datetime as dt

    from zoufang.contract.periods import cn_moment
    from zoufang.files.workbook_file import parse_moment
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return cn_moment(value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        moment = parse_moment(value.replace(" UTC", "+00:00").replace(" ", "T", 1), naive_is_utc=False)
        return cn_moment(moment) if moment else value
    return str(value)
