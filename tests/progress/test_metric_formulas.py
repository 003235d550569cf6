"""The unit clerk opens 本单位进度 in LibreOffice (as in Excel or WPS), without Python, and sees each of the unit's
people against their quotas — the very figures and statuses `zoufang report --json` gives for the same file."""
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from builders import PEOPLE, make_book
from progress_oracle import progress_sheet, reported, same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zoufang.contract.schema import (
    ACTIVITIES, CASES, PROBLEMS, RECEPTIONS, RESEARCH, SELF_CHECK_SHEET, VISITS, WENZHENG,
)
from zoufang.exchange.issue import issue
from zoufang.files.libreoffice import round_trip_xlsx
from zoufang.progress.report import build_report
from zoufang.reading.reader import read_campaign

pytestmark = pytest.mark.unit_progress

# ------------------------------------------------------------------ the demo
@pytest.mark.libreoffice
@pytest.mark.parametrize("unit", ["市图书馆", "市文化广电新闻出版局机关"])
def test_a_demo_unit_sees_what_report_says_and_a_clean_book_may_go_back(issued_demo, needs_libreoffice, tmp_path,
                                                                          unit):
    master, books = issued_demo
    book = books[unit]
    recalculated = round_trip_xlsx(book, tmp_path / "lo")
    out = subprocess.run([sys.executable, "-m", "zoufang", "report", str(master), "--json"], capture_output=True,
                         check=True)  # the master's figures: the bureau's book adds what other units' books hold
    report = json.loads(out.stdout)
    campaign = read_campaign(book)
    mine = set(campaign.people.loc[campaign.people["unit"] == unit, "person_id"])
    sheet = progress_sheet(recalculated)
    want = reported(report, mine)
    assert len(want) >= 5 and set(sheet) == set(want)
    assert same(sheet, want) == []
    checked = openpyxl.load_workbook(recalculated, data_only=True)[SELF_CHECK_SHEET]
    total = next(r for r in checked.iter_rows(values_only=True) if r[0] == "合计")
    assert checked["A1"].value.startswith("可以发回")  # no error; the bureau's book keeps the demo's planted warning
    if unit == "市图书馆":
        assert total[3] == 0 and checked["A1"].value == "可以发回"


# ------------------------------------------------------------------ generated campaigns, typed as clerks type
MORE_PEOPLE = [
    {"person_id": "P7", "name": "张伟", "unit": "市图书馆", "category": "其他党员干部", "is_head": "否", "is_lecturer": "是"},
    {"person_id": "P9", "name": "张伟", "unit": "市图书馆", "category": "二级单位领导班子成员", "is_head": "否",
     "is_lecturer": "否"},
]
DAYS = st.dates(dt.date(2011, 8, 20), dt.date(2012, 3, 10))


def typed_day(day: dt.date):
    """A day as a clerk types it: a real date, a serial number, or text in an accepted form."""
    serial = (day - dt.date(1899, 12, 30)).days
    return st.sampled_from([
        dt.datetime(day.year, day.month, day.day), serial, f"{day.year}-{day.month}-{day.day}",
        f"{day:%Y/%m/%d}", f"{day.year}.{day.month}.{day.day}", f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}", f" {day:%Y-%m-%d} "])


DATE = st.one_of(DAYS.flatmap(typed_day), st.sampled_from([None, "", "2011-2-30", "2011-13-1", "下周", "2011-9"]))
PERSON = st.sampled_from(["丙馆长", " 丙馆长 ", "丙 馆长", "丙馆长（P3）", "丙馆长(P3)", "丙馆长（P5）", "丙馆长（P99）",
                          "戊干部", "戊干部(市图书馆)", "张伟", "张伟（P7）", "张伟（Ｐ９）", "张伟(P9)", "张伟(市图书馆)",
                          "甲局长", "无名氏", ""])
HEAD = st.sampled_from(["王大", "王 大", "李二", "", "赵四"])
ADDRESS = st.sampled_from(["庞庄村1组3号", "庞庄村１组３号", "庞庄村1组3", "庞庄村 1-23号", "庞庄村12-3号", "庞庄村1－23号",
                           "新村2号", "新村（2）号"])
YES = st.sampled_from(["是", "否", "Y", "n", "√", "×", "1", "0", " 是 ", "", "也许"])


def rows_for(sheet, columns: dict) -> st.SearchStrategy:
    return st.lists(st.fixed_dictionaries({sheet.col(k).label: v for k, v in columns.items()}), max_size=12)


TYPED = {
    VISITS: rows_for(VISITS, {"date": DATE, "person": PERSON, "target": HEAD, "address": ADDRESS,
                              "form": st.sampled_from(["入户走访", "座谈", "电话回访", " 入户 走访", "座 谈"]),
                              "person_id": st.sampled_from(["", "", "", "P7", "P9", "P3"])}),
    RESEARCH: rows_for(RESEARCH, {"person": PERSON, "start": DATE, "end": DATE,
                                  "person_id": st.sampled_from(["", "", "P7"])}),
    PROBLEMS: rows_for(PROBLEMS, {"reg_date": DATE, "leader": PERSON, "finder": PERSON, "major": YES,
                                  "status": st.sampled_from(["已解决", "已销号", "办理中", "未解决", " 已解决 ", ""]),
                                  "deadline": DATE, "solved_date": DATE, "closed_date": DATE}),
    ACTIVITIES: rows_for(ACTIVITIES, {"date": DATE, "lead": PERSON,
                                      "kind": st.sampled_from(["送政策", "送 政策", "联系点建设", "送图书"]),
                                      "place": st.sampled_from(["庞庄村", "临泉县庙岔镇庞庄村小学", "城南社区", "别处",
                                                                "城 南社区"])}),
}


def type_rows(book: Path, typed: dict) -> None:
    """The clerk types rows below the issued ones (openpyxl writes text as text: no date is converted)."""
    wb = openpyxl.load_workbook(book)
    for sheet, rows in typed.items():
        ws = wb[sheet.name]
        headers = {c.value: c.column for c in ws[1]}
        row = ws.max_row + 1
        for values in rows:
            for header, value in values.items():
                ws.cell(row, headers[header]).value = value
            row += 1
    wb.save(book)


@pytest.mark.libreoffice
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(typed=st.fixed_dictionaries(TYPED),
       as_of=st.sampled_from([dt.date(2011, 11, 30), dt.date(2012, 1, 10), None]))
def test_generated_unit_books_typed_as_clerks_type_agree_with_report(needs_libreoffice, tmp_path_factory, typed,
                                                                      as_of):
    tmp = tmp_path_factory.mktemp("progress")
    master = tmp / "总台账.xlsx"
    make_book(master, settings={"as_of": as_of, "contact_point": "临泉县庙岔镇庞庄村"}, people=PEOPLE + MORE_PEOPLE)
    book = {i.unit: i.path for i in issue(master, tmp / "下发")}["市图书馆"]
    type_rows(book, typed)
    sheet = progress_sheet(round_trip_xlsx(book, tmp / "lo"))
    report = build_report(read_campaign(book)).to_json()
    want = reported(report, {"P3", "P5", "P7", "P9"})
    assert set(want) == {"P3", "P5", "P7", "P9"}
    assert same(sheet, want) == []


@pytest.mark.libreoffice
def test_the_bureau_leaders_metrics_read_receptions_cases_problems_and_exchanges(needs_libreoffice, tmp_path):
    """局机关's book: receptions, 带案下访, major problems solved, 在线交流 and 送政策, typed as clerks type."""
    master = tmp_path / "总台账.xlsx"
    make_book(master, settings={"as_of": dt.date(2011, 12, 31), "contact_point": "临泉县庙岔镇庞庄村"})
    book = {i.unit: i.path for i in issue(master, tmp_path / "下发")}["局机关"]
    label = lambda sheet, rows: [{sheet.col(k).label: v for k, v in r.items()} for r in rows]  # noqa: E731
    type_rows(book, {
        RECEPTIONS: label(RECEPTIONS, [{"date": "2011-10-8", "person": "甲局长", "unit": "局机关"},
                                       {"date": "2011年10月9日", "person": " 甲 局长 ", "unit": "局机关"},
                                       {"date": "2012-01-05", "person": "甲局长（P1）"},
                                       {"date": "2011-8-30", "person": "甲局长"}]),
        CASES: label(CASES, [{"leader": "甲局长", "field_visit": "是", "visit_date": "2011.10.10"},
                             {"leader": "甲局长", "field_visit": "√", "visit_date": "2012-2-1"},
                             {"leader": "甲局长", "field_visit": "否"},
                             {"leader": "乙副局长", "field_visit": "Y"}]),
        PROBLEMS: label(PROBLEMS, [{"leader": "甲局长", "major": "是", "status": "已解决", "solved_date": "2011/11/1"},
                                   {"leader": "甲局长", "major": "Y", "status": "已销号", "closed_date": "2011-12-1"},
                                   {"leader": "甲局长", "major": "是", "status": "已解决", "solved_date": "2012-1-2"},
                                   {"leader": "乙副局长", "major": "否", "status": "已解决", "solved_date": "2011-10-1"}]),
        WENZHENG: label(WENZHENG, [{"date": "2011-10-1", "person": "甲局长", "mode": "在线交流"},
                                   {"date": "2011-10-2", "person": "甲局长", "mode": " 在线 交流"},
                                   {"date": "2011-10-3", "person": "甲局长", "mode": "热线电话"}]),
        ACTIVITIES: label(ACTIVITIES, [{"date": "2011-10-1", "lead": "乙副局长", "kind": "送政策", "place": "庞庄村"},
                                       {"date": "2011-10-2", "lead": "乙副局长", "kind": "送政策", "place": "别处"}]),
    })
    sheet = progress_sheet(round_trip_xlsx(book, tmp_path / "lo"))
    want = reported(build_report(read_campaign(book)).to_json(), {"P1", "P2"})
    assert same(sheet, want) == []
    figures = {m: f for m, (f, _) in sheet["P1"]["metrics"].items()}
    assert figures["接待来访"] == 2 and figures["解决重大问题"] == 2 and figures["在线交流"] == 2
    assert figures["带案下访比例"] == pytest.approx(1 / 3)
    assert sheet["P2"]["metrics"]["送政策"][0] == 1
