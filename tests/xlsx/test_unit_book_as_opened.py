"""A unit's workbook is right the moment it opens, in a program that does not recalculate on load (LibreOffice as
installed, a preview, a viewer): every formula carries the value check and report give, the 局领导's figures
include what the master holds in other units' books, and the clerk's edits in LibreOffice as installed keep
本单位进度 and 自查 true (#40)."""
import datetime as dt
import zipfile

import openpyxl
import pytest
from progress_oracle import progress_sheet, reported, same
from self_check_oracle import checked_counts, shown_counts

from zoufang.contract.schema import PROGRESS_SHEET, SELF_CHECK_SHEET
from zoufang.exchange.issue import issue
from zoufang.files.libreoffice import convert_many, round_trip_xlsx
from zoufang.progress.report import build_report
from zoufang.reading.reader import read_campaign

pytestmark = [pytest.mark.libreoffice, pytest.mark.unit_progress]
BUREAU = "市文化广电新闻出版局机关"


def people_of(book, unit: str) -> set[str]:
    campaign = read_campaign(book)
    return set(campaign.people.loc[campaign.people["unit"] == unit, "person_id"])


def as_opened(books: dict, tmp_path, recalculate: bool = False) -> dict:
    """Each book opened in LibreOffice (as installed: no recalculation) and saved, in one run."""
    units = list(books)
    made = convert_many([books[u] for u in units], "xlsx:Calc MS Excel 2007 XML", tmp_path / "opened",
                        recalculate=recalculate)
    return dict(zip(units, made))


def title_day(path) -> str:
    return openpyxl.load_workbook(path, data_only=True)[PROGRESS_SHEET]["A1"].value


def test_every_issued_book_shows_the_masters_figures_and_its_own_check_as_it_opens(needs_libreoffice, issued_demo,
                                                                                    tmp_path):
    master, books = issued_demo
    report = build_report(read_campaign(master)).to_json()
    day = dt.date.fromisoformat(report["as_of"])
    opened = as_opened(books, tmp_path)
    for unit, path in opened.items():
        sheet = progress_sheet(path)
        want = reported(report, people_of(books[unit], unit))
        assert set(sheet) == set(want), unit
        assert same(sheet, want) == [], unit
        assert title_day(path) == f"本单位进度（统计截止 {day.year}年{day.month}月{day.day}日）"
        assert shown_counts(path) == checked_counts(books[unit]), unit
        verdict = openpyxl.load_workbook(path, data_only=True)[SELF_CHECK_SHEET]["A1"].value
        assert verdict.startswith("可以发回"), (unit, verdict)


def test_the_bureau_leaders_figures_include_other_units_books_before_and_after_recalculation(needs_libreoffice,
                                                                                           issued_demo, tmp_path):
    """A 局领导's 包案 cases and the major problems they lead sit in other units' books: the bureau's book carries
    them as fixed values, says so, and adds them — in LibreOffice as installed and after a full recalculation."""
    master, books = issued_demo
    report = build_report(read_campaign(master)).to_json()
    want = reported(report, people_of(books[BUREAU], BUREAU))
    for recalculate in (False, True):
        path = round_trip_xlsx(books[BUREAU], tmp_path / str(recalculate), recalculate=recalculate)
        assert same(progress_sheet(path), want) == []
    ws = openpyxl.load_workbook(books[BUREAU])[PROGRESS_SHEET]
    notes = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "其他单位台账中" in c.value]
    assert any("截至下发时" in n and "包案" in n for n in notes), notes
    home = [c.value for row in openpyxl.load_workbook(books[BUREAU])["首页"].iter_rows() for c in row if c.value]
    assert any("其他单位台账" in str(v) for v in home)


@pytest.mark.parametrize("seed", [7])
def test_a_generated_campaign_s_bureau_book_equals_the_master(needs_libreoffice, tmp_path, seed):
    from zoufang.jobs import create_master
    master = tmp_path / "总台账.xlsx"
    create_master(master, demo=True, seed=seed, clean=True)
    books = {i.unit: i.path for i in issue(master, tmp_path / "下发")}
    report = build_report(read_campaign(master)).to_json()
    opened = as_opened({BUREAU: books[BUREAU]}, tmp_path, recalculate=True)
    want = reported(report, people_of(books[BUREAU], BUREAU))
    assert len(want) >= 5 and same(progress_sheet(opened[BUREAU]), want) == []
    carried = [c.value for row in openpyxl.load_workbook(books[BUREAU])[PROGRESS_SHEET].iter_rows()
               for c in row if isinstance(c.value, str) and c.value.startswith("其他单位台账中")]
    assert carried, "the generated campaign's 局领导 lead nothing in other units: the test proves nothing"


def visit(day: str, who: str, head: str, address: str, form: str = "入户走访") -> dict:
    """A visit row appended in LibreOffice as a clerk types it: a date typed becomes a date."""
    return {"op": "append", "sheet": "走访记录", "values": {"走访日期": day, "走访人": who, "走访对象": head,
                                                        "对象类别": "困难户", "地址": address, "走访形式": form}}


def someone_visiting(book) -> str:
    """The name of one of the unit's people measured on 走访户数."""
    campaign = read_campaign(book)
    names = dict(zip(campaign.people["person_id"], campaign.people["name"]))
    return next(names[pid] for pid, row in progress_sheet(book).items() if "走访户数" in row["metrics"])


def test_the_clerk_types_in_libreoffice_as_installed_and_the_book_stays_true(needs_libreoffice, lo_clerk,
                                                                            issued_demo, tmp_path):
    """No full recalculation: what LibreOffice recalculates by itself on an edit. A stale value in a cell the edit
    did not touch would show here."""
    master, books = issued_demo
    typed, wrong = tmp_path / "录入.xlsx", tmp_path / "有误.xlsx"
    who = someone_visiting(books["市图书馆"])
    rows = [visit("2011-12-02", who, "李四", "新村1号"), visit("2011-12-03", who, "王五", "新村2号", "座谈")]
    mistakes = [visit("2011-12-04", "周杰伦", "赵六", "新村3号"),  # not on the roster
                visit("2012-03-15", who, "钱七", "新村4号")]  # after the campaign
    lo_clerk([{"src": str(books["市图书馆"]), "dst": str(typed), "edits": rows},
              {"src": str(books["市图书馆"]), "dst": str(wrong), "edits": mistakes}])
    before = progress_sheet(books["市图书馆"])
    after = progress_sheet(typed)
    want = reported(build_report(read_campaign(typed)).to_json(), people_of(typed, "市图书馆"))
    assert same(after, want) == []
    assert after != before  # the two visits count
    assert shown_counts(typed) == checked_counts(typed)
    shown = shown_counts(wrong)
    assert shown == checked_counts(wrong)
    assert shown[("unknown-person", "走访记录", "person")][0] == 1
    assert shown[("date-out-of-period", "走访记录", "date")][0] == 1
    assert openpyxl.load_workbook(wrong, data_only=True)[SELF_CHECK_SHEET]["A1"].value == "还有 2 处需要修改"


def test_every_formula_a_book_shows_carries_the_value_libreoffice_computes(needs_libreoffice, issued_demo, tmp_path):
    """Each formula cell of 本单位进度 and 自查 carries, as written, the value a full recalculation gives (the test
    above cannot see a missing value: LibreOffice computes a formula that has none). The hidden helper sheet's
    cells carry none, so that every program computes them before use rather than trust a value nobody computed."""
    _, books = issued_demo
    for unit in ("市图书馆", BUREAU):
        book = books[unit]
        recalculated = openpyxl.load_workbook(round_trip_xlsx(book, tmp_path / unit), data_only=True)
        cached = openpyxl.load_workbook(book, data_only=True)
        formulas = openpyxl.load_workbook(book)
        for title in (PROGRESS_SHEET, SELF_CHECK_SHEET):
            cells = [c.coordinate for row in formulas[title].iter_rows() for c in row
                     if isinstance(c.value, str) and c.value.startswith("=")]
            assert len(cells) > 20
            wrong = [(k, cached[title][k].value, recalculated[title][k].value) for k in cells
                     if _same(cached[title][k].value) != _same(recalculated[title][k].value)]
            assert wrong == [], (unit, title, wrong[:5])
        with zipfile.ZipFile(book) as z:
            helper = max((z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")), key=len).decode()
        assert "<f>zr_1</f><v></v>" in helper and "<f>zr_1</f><v>0" not in helper


def _same(value):
    """A value as both sides can hold it: "" and nothing alike, numbers to 9 places."""
    if value in (None, ""):
        return None
    return round(float(value), 9) if isinstance(value, (int, float)) else value
