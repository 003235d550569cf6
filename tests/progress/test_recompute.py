"""The demo's supervision list, open problems and half-month brief at three past as-of dates,
recomputed here from the cells (openpyxl, plain Python, DOMAIN.md's words) and compared with `report --json`."""
import datetime as dt
import json
import re
from collections import Counter

import openpyxl
import pytest
from typer.testing import CliRunner

from zoufang.cli import app

runner = CliRunner()
AS_OF = ["2011-10-20", "2011-12-15", "2012-01-10"]


def day_of(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    m = re.search(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})", str(value))
    return dt.date(*map(int, m.groups())) if m else None


def rows_of(wb, sheet):
    ws = wb[sheet]
    values = list(ws.iter_rows(values_only=True))
    header = [str(h).strip() if h else "" for h in values[0]]
    return [dict(zip(header, row)) for row in values[1:] if any(v not in (None, "") for v in row)]


def text(v):
    return "" if v is None else str(v).strip()


@pytest.fixture(scope="module")
def cells(clean_demo):
    _, path = clean_demo
    wb = openpyxl.load_workbook(path)
    return path, {s: rows_of(wb, s) for s in ("问题台账", "包案台账", "接访记录", "走访记录")}


def solved_by(p, d):
    status = text(p["状态"])
    solved, closed = day_of(p["解决日期"]), day_of(p["销号日期"])
    ticked = status == "已销号" and closed is not None and closed <= d
    return status in ("已解决", "已销号") and ((solved is not None and solved <= d) or ticked)


def expected(cells, d):
    problems = [p for p in cells["问题台账"] if day_of(p["登记日期"]) is None or day_of(p["登记日期"]) <= d]
    open_problems = [p for p in problems if not solved_by(p, d)]
    supervised = {text(p["问题编号"]) for p in open_problems if day_of(p["办结时限"]) and day_of(p["办结时限"]) < d}
    for c in cells["包案台账"]:
        status, closed = text(c["状态"]), day_of(c["销号日期"])
        open_then = status in ("未化解", "化解中") or (closed is not None and closed > d)
        deadline = day_of(c["办结时限"])
        if open_then and deadline and deadline < d:  # DOMAIN.md: past its deadline and open, 信访积案 or not
            supervised.add(text(c["案件编号"]))
    for r in cells["接访记录"]:
        deadline = day_of(r["办结时限"])
        if (text(r["处理方式"]) == "限期办理" and not text(r["问题编号"]) and not text(r["办理结果"])
                and day_of(r["接访日期"]) <= d and deadline and deadline < d):
            supervised.add(text(r["记录编号"]))
    per_unit = Counter(text(p["责任单位"]) for p in open_problems)
    first = dt.date(2011, 9, 1)
    lo = d.replace(day=1 if d.day <= 15 else 16)
    number = (lo.year - first.year) * 24 + (lo.month - first.month) * 2 + (lo.day == 16) + 1
    window = lambda v: v is not None and lo <= v <= d  # noqa: E731
    status_at = Counter()
    for p in problems:
        closed = day_of(p["销号日期"])
        if not solved_by(p, d):
            status_at[text(p["状态"]) if text(p["状态"]) in ("待办", "办理中") else "办理中"] += 1
        elif text(p["状态"]) == "已销号" and closed is not None and closed <= d:
            status_at["已销号"] += 1
        else:
            status_at["已解决"] += 1
    brief = {
        "issue_no": number, "window_start": lo.isoformat(), "window_end": d.isoformat(),
        "new_visits": sum(window(day_of(v["走访日期"])) for v in cells["走访记录"]),
        "new_problems": sum(window(day_of(p["登记日期"])) for p in problems),
        "closed_problems": sum(solved_by(p, d) and window(day_of(p["解决日期"]) or day_of(p["销号日期"]))
                               for p in problems),
        "open_problems": len(open_problems), "problems_total": len(problems),
        "problems_by_status": dict(status_at),
    }
    return supervised, per_unit, brief


@pytest.mark.parametrize("as_of", AS_OF)
def test_supervision_open_problems_and_brief_agree_with_a_recount(cells, as_of):
    path, sheets = cells
    d = dt.date.fromisoformat(as_of)
    supervised, per_unit, brief = expected(sheets, d)
    doc = json.loads(runner.invoke(app, ["report", str(path), "--json", "--as-of", as_of]).stdout)
    assert {o["编号"] for o in doc["overdue"]} == supervised
    assert {u["单位名称"]: u["open_problems"] for u in doc["units"] if u["open_problems"]} == dict(per_unit)
    assert {k: doc["brief"][k] for k in brief} == brief
    assert len(supervised) > 5 and sum(per_unit.values()) > 10  # the demo has something to supervise each time
