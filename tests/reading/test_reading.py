"""A clerk's messy workbook is read into exactly the expected values, each with its source cell."""
import dataclasses
import datetime as dt

import openpyxl
import pandas as pd
import pytest

from zoufang.contract.schema import PEOPLE, RESEARCH, SETTINGS, UNITS, VISITS
from zoufang.reading.reader import InputError, read_campaign


def _messy_book(path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(SETTINGS.name)
    ws.append(["项目", "值"])
    ws.append(["开始日期", "2011年9月1日"])
    ws.append(["结束日期", dt.datetime(2012, 2, 29)])
    ws = wb.create_sheet(UNITS.name)
    ws.append(["单位名称", "单位编码", "单位类别"])
    ws.append(["市图书馆", "TSG", "二级单位"])
    ws = wb.create_sheet(PEOPLE.name)
    # reordered columns, full-width id, a stray space inside a name
    ws.append(["姓名", "人员类别", "人员编号", "单位名称", "职务"])
    ws.append(["张 三", "其他党员干部", "Ｐ０００１", "市图书馆", "干部"])
    ws = wb.create_sheet(VISITS.name)
    # reordered, a clerk's own column in the middle, header with stray spaces
    ws.append(["走访人", " 走访日期 ", "我的备注", "地址", "走访对象", "对象类别", "走访形式", "记录编号"])
    dates = [dt.datetime(2011, 9, 5), 40791, "2011-9-5", "2011/09/05", "2011.9.5", "2011年9月5日",
             "２０１１－９－５", "2011-9-31"]
    for i, d in enumerate(dates):
        ws.append(["张三", d, f"自加{i}", "庞庄村1组", "李四", "困难户", "入户走访", f"TSG-ZF{i:05d}"])
        if i == 2:
            ws.append([])  # blank row
            ws.append([None, "  ", None])  # row with only spaces
    ws = wb.create_sheet(RESEARCH.name)
    ws.append(["调研人", "开始日期", "结束日期", "调研地点", "调研主题", "形成报告"])
    for v in ["是", "否", "Y", "n", "√", "×", True, False, 1, 0, "TRUE", "false", "也许"]:
        ws.append(["张三", "2011-9-1", "2011-9-2", "庞庄村", "农家书屋", v])
    wb.save(path)


@pytest.fixture
def messy(tmp_path):
    path = tmp_path / "messy.xlsx"
    _messy_book(path)
    return read_campaign(path)


def test_columns_found_by_header_text_in_any_order(messy):
    visits = messy["visits"]
    assert visits.letters["person"] == "A"
    assert visits.letters["date"] == "B"
    assert visits.letters["record_id"] == "H"
    assert not visits.has("problem_id")


def test_clerks_own_column_is_kept(messy):
    visits = messy["visits"]
    assert list(visits.extras.columns) == ["我的备注"]
    assert visits.extras["我的备注"].tolist() == [f"自加{i}" for i in range(8)]
    assert visits.extra_letters == {"我的备注": "C"}


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(messy):
    visits = messy["visits"]
    assert len(visits) == 8
    assert visits.frame["_row"].tolist() == [2, 3, 4, 7, 8, 9, 10, 11]
    assert visits.cell("date", 7) == "B7"


def test_every_date_form_is_read(messy):
    dates = messy["visits"].frame["date"]
    assert (dates.iloc[:7] == pd.Timestamp("2011-09-05")).all()
    assert pd.isna(dates.iloc[7])  # 2011-9-31 does not exist
    assert messy["visits"].text["date"].iloc[7] == "2011-9-31"


def test_every_yes_no_form_is_read(messy):
    report = messy["research"].frame["report"].tolist()
    assert report[:12] == [True, False, True, False, True, False, True, False, True, False, True, False]
    assert report[12] is pd.NA


def test_full_width_and_stray_spaces_are_normalised(messy):
    people = messy["people"].frame
    assert people["person_id"].tolist() == ["P0001"]
    assert people["name"].tolist() == ["张三"]


def test_settings_dates_in_any_form(messy):
    assert messy.settings.start == dt.date(2011, 9, 1)
    assert messy.settings.end == dt.date(2012, 2, 29)
    blank = dataclasses.replace(messy.settings, as_of=None)
    assert blank.effective_as_of(today=dt.date(2026, 1, 1)) == dt.date(2012, 2, 29)  # today, clipped to the period
    assert blank.effective_as_of(dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)  # a date asked for stands
    assert blank.effective_as_of(dt.date(2011, 1, 1)) == dt.date(2011, 9, 1)  # never before the start


def test_missing_sheets_are_findings_not_crashes(messy):
    codes = {(f.code, f.sheet) for f in messy.findings}
    assert ("missing-sheet", "问题台账") in codes
    assert ("missing-column", "走访记录") in codes  # 人员编号, 反映问题 ... are absent
    missing = {f.column for f in messy.findings if f.code == "missing-column" and f.sheet == "走访记录"}
    assert missing == {"人员编号", "反映问题", "问题编号", "备注"}
    assert all(f.level == "警告" for f in messy.findings if f.code == "missing-column" and f.sheet == "走访记录")


def test_duplicated_header_is_reported_and_the_first_is_used(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = VISITS.name
    ws.append(["走访日期", "走访人", "走访日期"])
    ws.append(["2011-9-5", "张三", "2011-9-6"])
    path = tmp_path / "dup.xlsx"
    wb.save(path)
    campaign = read_campaign(path)
    dup = [f for f in campaign.findings if f.code == "duplicate-header"]
    assert [(f.sheet, f.cell) for f in dup] == [("走访记录", "C1")]
    assert campaign["visits"].frame["date"].iloc[0] == pd.Timestamp("2011-09-05")
    assert "走访日期（C列）" in campaign["visits"].extras.columns


@pytest.mark.parametrize("content, words", [
    (b"", "空的"),
    (b"name,date\n1,2\n", "不是 .xlsx"),
    (b"PK\x03\x04broken", "损坏"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
])
def test_unusable_files_raise_a_clear_chinese_message(tmp_path, content, words):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_campaign(path)
    assert "bad.xlsx" in str(exc.value) and words in str(exc.value)


def test_a_workbook_with_none_of_our_sheets_is_refused(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)
    with pytest.raises(InputError, match="不是大走访活动工作簿"):
        read_campaign(path)


def test_demo_workbook_reads_back_what_was_written(demo):
    d, path = demo
    campaign = read_campaign(path)
    written = d.content.frames["visits"]
    assert len(campaign["visits"]) == len(written)
    assert campaign["visits"].frame["record_id"].tolist() == written["record_id"].tolist()
    assert len(campaign["people"]) == len(d.people)
    assert campaign.settings.as_of == dt.date(2012, 1, 15)
    assert campaign.meta["schema_version"] == "1"


def test_the_readers_own_factorization_gives_the_same_households_and_blanks(tmp_path):
    """Households and blank cells come from the reader's per-value tables; recomputed from the text they agree,
    across full-width brackets, dashes between house numbers, blank rows, numbers and yes/no-like cells."""
    from zoufang.reading.normalize import household_codes_of_text
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = VISITS.name
    ws.append(["走访日期", "走访人", "走访对象", "地址", "走访形式"])
    rows = [("2011-9-5", "张三", "王五", "清河路1-23号（东）", "入户走访"),
            ("2011-9-6", "张三", "王 五", "清河路1－23号(东)", "入户走访"),  # the same home, typed otherwise
            ("2011-9-7", "张三", "王五", "清河路12-3号", "入户走访"),  # another home
            (None, None, None, None, None),
            ("2011-9-8", "李四", 1, True, "座谈"),  # cells that read as 1 and TRUE
            ("2011-9-9", "李四", "1", "TRUE", "座谈"),
            ("2011-9-9", "李四", "", 12, "座谈")]
    for r in rows:
        ws.append(list(r))
    path = tmp_path / "homes.xlsx"
    wb.save(path)
    visits = read_campaign(path)["visits"]
    homes = visits.household_codes()
    assert homes[0] == homes[1] != homes[2]
    again = household_codes_of_text(visits.text["target"], visits.text["address"])
    assert (pd.factorize(homes)[0] == pd.factorize(again)[0]).all()
    assert visits.blank.equals(visits.text == "")
    assert visits.frame["_row"].tolist() == [2, 3, 4, 6, 7, 8]
    assert homes[3] == homes[4]  # 1/TRUE typed as numbers or as text: the same cleaned text, the same home
