"""The office asks which units have sent their workbook back since it issued them, and who to remind."""
import datetime as dt
import json
import subprocess
import sys

from builders import D, make_book, set_cell_by_header, visit

from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.progress.returns import LATE, NOT_RETURNED, RETURNED, reminder_text, return_status
from zoufang.reading.reader import read_campaign


def statuses(master, today=None) -> dict[str, str]:
    return {r["单位名称"]: r["status"] for r in return_status(read_campaign(master), today)}


def test_units_are_returned_not_returned_or_late_since_their_latest_issue(tmp_path):
    master = tmp_path / "总台账.xlsx"
    make_book(master, settings={"return_deadline": D(2026, 11, 30)},
              visits=[visit("丙馆长", D(2011, 9, 5)), visit("丁馆长", D(2011, 9, 6))])
    assert return_status(read_campaign(master)) == []  # nothing issued yet: nothing owed
    first = {i.unit: i.path for i in issue(master, tmp_path / "第一轮", now=dt.datetime(2026, 11, 20, 9).astimezone())}
    assert set(statuses(master, dt.date(2026, 11, 25)).values()) == {NOT_RETURNED}
    assert set(statuses(master, dt.date(2026, 12, 1)).values()) == {LATE}
    set_cell_by_header(first["市图书馆"], "走访记录", "地址", 2, "新地址")
    collect(master, [first["市图书馆"]])
    now = statuses(master, dt.date(2026, 12, 1))
    assert now["市图书馆"] == RETURNED and now["市博物馆"] == LATE
    issue(master, tmp_path / "第二轮")  # issued again: every unit owes the new workbook
    assert statuses(master, dt.date(2026, 12, 1))["市图书馆"] in (NOT_RETURNED, LATE)
    assert "市图书馆" not in reminder_text([], "市文化局", None)


def test_report_json_lists_the_returns_and_the_reminder_names_who_owes(tmp_path):
    master = tmp_path / "总台账.xlsx"
    make_book(master, settings={"return_deadline": D(2011, 12, 20)}, visits=[visit("丙馆长", D(2011, 9, 5))])
    books = {i.unit: i.path for i in issue(master, tmp_path / "下发")}
    set_cell_by_header(books["市图书馆"], "走访记录", "地址", 2, "新地址")
    collect(master, [books["市图书馆"]])
    done = subprocess.run([sys.executable, "-m", "zoufang", "report", str(master), "--json"], capture_output=True,
                          text=True, timeout=120)
    rows = json.loads(done.stdout)["returns"]
    by_unit = {r["单位名称"]: r for r in rows}
    assert by_unit["市博物馆"]["status"] == LATE and by_unit["市博物馆"]["last_return"] is None
    assert by_unit["市图书馆"]["status"] == RETURNED and by_unit["市图书馆"]["last_return"] >= by_unit["市图书馆"]["issued"]
    text = reminder_text(rows, "市文化局", dt.date(2011, 12, 20))
    assert "市博物馆" in text and "市图书馆" not in text and "市文化局大走访活动办公室" in text
    assert "尽快" in text and "2011年12月20日已过" in text


def test_a_workbook_collected_within_the_second_of_its_issue_counts_as_returned(tmp_path):
    """Issue and collect keep their times to the millisecond: a quick office (or a fast test machine) that collects
    within the second of the issue sees the unit as 已发回, not 逾期未发回 (both times were cut to whole seconds, so
    the two were equal and the return did not count)."""
    from zoufang.progress.returns import latest_issues, latest_returns
    master = tmp_path / "总台账.xlsx"
    make_book(master, settings={"return_deadline": D(2011, 12, 20)}, visits=[visit("丙馆长", D(2011, 9, 5))])
    books = {i.unit: i.path for i in issue(master, tmp_path / "下发")}  # the office's clock, as a click takes it
    set_cell_by_header(books["市图书馆"], "走访记录", "地址", 2, "新地址")
    collect(master, [books["市图书馆"]])
    campaign = read_campaign(master)
    issued, back = latest_issues(campaign)["市图书馆"], latest_returns(campaign)["市图书馆"]
    assert back > issued and (issued.microsecond or back.microsecond)  # in order, to the millisecond
    assert statuses(master)["市图书馆"] == RETURNED
