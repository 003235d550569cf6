"""A campaign running now (2026-09 … 2027-02) reports, with and without the office's 节假日 sheet."""
import datetime as dt
import json

import openpyxl
from builders import D, make_book
from typer.testing import CliRunner

from zoufang.cli import app
from zoufang.contract.work_calendar import WorkCalendar, official_years
from zoufang.progress.report import build_report
from zoufang.reading.reader import read_campaign

runner = CliRunner()
NOW = {"start": D(2026, 9, 1), "end": D(2027, 2, 28), "as_of": D(2027, 2, 28)}
SPRING_FESTIVAL_2027 = [D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10), D(2027, 2, 11), D(2027, 2, 12)]
ADJUSTED_SATURDAY = D(2027, 2, 20)


def holidays_sheet(path, rows):
    """The office types next year's arrangement into 节假日 once the State Council publishes it."""
    wb = openpyxl.load_workbook(path)
    ws = wb["节假日"] if "节假日" in wb.sheetnames else wb.create_sheet("节假日")
    ws.delete_rows(2, ws.max_row)
    if ws.max_row < 1 or ws["A1"].value != "日期":
        ws.append(["日期", "类型", "名称"])
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_a_campaign_into_a_year_the_calendar_does_not_know_reports_with_a_warning(tmp_path):
    assert 2027 not in official_years()
    book = tmp_path / "now.xlsx"
    make_book(book, settings=NOW)
    holidays_sheet(book, [])
    campaign = read_campaign(book)
    warning = [f for f in campaign.findings if f.code == "calendar-year-missing"]
    assert len(warning) == 1 and warning[0].sheet == "活动设置" and warning[0].cell == "B4"
    assert "2027" in warning[0].message and warning[0].level == "警告"
    report = build_report(campaign)
    uncovered = report.collective.uncovered_workdays
    assert D(2027, 2, 8) in uncovered  # Monday to Friday, for want of the arrangement
    assert D(2026, 10, 1) not in uncovered and D(2026, 9, 20) in uncovered  # 2026: the official calendar (a 调休 Sunday)

    result = runner.invoke(app, ["report", str(book), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2027-02-28"
    check = runner.invoke(app, ["check", str(book), "--json"])
    assert "calendar-year-missing" in {f["code"] for f in json.loads(check.stdout)["findings"]}


def test_the_offices_holiday_sheet_sets_next_years_spring_festival(tmp_path):
    book = tmp_path / "now.xlsx"
    make_book(book, settings=NOW)
    holidays_sheet(book, [[d, "放假", "春节"] for d in SPRING_FESTIVAL_2027] + [[ADJUSTED_SATURDAY, "上班", "春节调休"]])
    campaign = read_campaign(book)
    assert not [f for f in campaign.findings if f.code == "calendar-year-missing"]
    uncovered = build_report(campaign).collective.uncovered_workdays
    assert not set(SPRING_FESTIVAL_2027) & set(uncovered)
    assert ADJUSTED_SATURDAY in uncovered


def test_the_sheet_overrides_the_official_calendar_and_init_ships_the_known_years(tmp_path):
    book = tmp_path / "b.xlsx"
    make_book(book)  # the default campaign, 2011-09 … 2012-02
    shipped = read_campaign(book)["holidays"].frame
    assert {"国庆节", "春节"} <= set(shipped["name"])
    assert (shipped["date"] == "2011-10-08").any() and (shipped.loc[shipped["date"] == "2011-10-08", "kind"] == "上班").all()
    holidays_sheet(book, [[D(2011, 11, 11), "放假", "单位自定"], [D(2011, 10, 8), "放假", "改为休息"]])
    calendar = read_campaign(book).calendar
    assert not calendar.is_workday(D(2011, 11, 11)) and not calendar.is_workday(D(2011, 10, 8))
    assert calendar.is_workday(D(2011, 11, 10))


def test_bad_rows_of_the_holiday_sheet_are_findings_at_their_cells(tmp_path):
    book = tmp_path / "b.xlsx"
    make_book(book)
    holidays_sheet(book, [["下周一", "放假", ""], [D(2011, 11, 11), "休息", ""]])
    result = runner.invoke(app, ["check", str(book), "--json"])
    found = {(f["cell"], f["code"]) for f in json.loads(result.stdout)["findings"] if f["sheet"] == "节假日"}
    assert found == {("A2", "bad-date"), ("B3", "bad-choice")}


def test_a_year_unknown_to_everyone_is_monday_to_friday():
    calendar = WorkCalendar()
    assert calendar.workdays(D(2031, 2, 3), D(2031, 2, 9)) == [D(2031, 2, 3) + dt.timedelta(days=i) for i in range(5)]
    assert calendar.unknown_years(D(2030, 12, 1), D(2031, 1, 31)) == [2030, 2031]
