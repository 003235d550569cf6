"""The master workbook a clerk gets from `zoufang init`: every sheet, header, dropdown and date limit."""
import datetime as dt

import openpyxl
import pytest

from zoufang.contract import schema
from zoufang.files.libreoffice import round_trip_xlsx
from zoufang.reading.reader import read_campaign
from zoufang.xlsx.book_writer import NAME_PEOPLE, NAME_UNITS, default_content, write_book


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    path = tmp_path_factory.mktemp("init") / "master.xlsx"
    write_book(path, default_content("test-campaign"))
    return path


def _validations(ws):
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0].rstrip("0123456789")] = dv
    return out


def _col_letter(sheet, key):
    return openpyxl.utils.get_column_letter(sheet.keys.index(key) + 1)


def check_structure(path, views=True):
    """views=False: headless LibreOffice writes no sheet views, so freeze panes are not kept."""
    wb = openpyxl.load_workbook(path)
    names = [s.name for s in schema.ALL_SHEETS]
    assert wb.sheetnames == [schema.HOME_SHEET, *names, schema.META_SHEET]
    assert wb[schema.META_SHEET].sheet_state == "hidden"
    for sheet in schema.ALL_SHEETS:
        ws = wb[sheet.name]
        headers = [c.value for c in ws[1]][: len(sheet.columns)]
        assert headers == sheet.labels, sheet.name
        assert ws.freeze_panes == ("A2" if views else None), sheet.name
        if sheet is schema.SETTINGS:
            continue
        dvs = _validations(ws)
        for col in sheet.columns:
            letter = _col_letter(sheet, col.key)
            if col.kind is schema.Kind.ENUM:
                assert dvs[letter].type == "list"
                assert dvs[letter].formula1.strip('"').split(",") == list(col.choices)
            if col.kind is schema.Kind.PERSON:
                assert dvs[letter].formula1 == NAME_PEOPLE, (sheet.name, col.label)
            if col.kind is schema.Kind.UNIT:
                assert dvs[letter].formula1 == NAME_UNITS, (sheet.name, col.label)
            if col.kind is schema.Kind.DATE and col.event_date:  # a real date inside the period, or text check reads
                cell = f"{letter}2"
                assert dvs[letter].type == "custom", (sheet.name, col.label)
                assert dvs[letter].formula1.replace(" ", "") == (
                    f"OR(ISTEXT({cell}),AND({cell}>={schema.NAME_PERIOD_START},{cell}<={schema.NAME_PERIOD_END}))")
            if col.kind is schema.Kind.DATE and not col.event_date:
                assert letter not in dvs, (sheet.name, col.label)  # deadlines, trips may leave the period
    defined = wb.defined_names
    assert defined[schema.NAME_PERIOD_START].attr_text.endswith("$B$4")
    assert defined[schema.NAME_PERIOD_END].attr_text.endswith("$B$5")
    assert "OFFSET" in defined[NAME_PEOPLE].attr_text and "COUNTA" in defined[NAME_PEOPLE].attr_text
    return wb


def test_init_workbook_has_every_sheet_header_dropdown_and_period_limit(master):
    wb = check_structure(master)
    ws = wb[schema.VISITS.name]
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.paperSize == 9
    date_col = _col_letter(schema.VISITS, "date")
    assert ws.column_dimensions[date_col].width > 10
    settings = wb[schema.SETTINGS.name]
    assert settings["B4"].value == dt.datetime(2011, 9, 1)
    assert settings["B4"].number_format == "yyyy-mm-dd"
    quotas = [[c.value for c in row] for row in wb[schema.QUOTAS.name].iter_rows(min_row=2, max_col=3)]
    assert len(quotas) == 20 and ["局领导班子成员", "带案下访比例", 0.3] in quotas and ["二级单位", "问政题目", 2] in quotas


def test_init_workbook_reads_back_with_defaults_and_no_findings(master):
    campaign = read_campaign(master)
    assert campaign.findings == []
    assert campaign.settings.start == dt.date(2011, 9, 1)
    assert campaign.meta["campaign_id"] == "test-campaign"
    assert campaign["quotas"].frame["target"].tolist()[:5] == [30, 40, 10, 6, 0.3]


def test_libreoffice_keeps_sheets_dropdowns_and_period_limits(master, tmp_path, needs_libreoffice):
    back = round_trip_xlsx(master, tmp_path / "lo")
    check_structure(back, views=False)
    assert read_campaign(back).findings == []


def test_adding_a_person_extends_the_person_dropdown(master, tmp_path, needs_libreoffice):
    wb = openpyxl.load_workbook(master)
    people = wb[schema.PEOPLE.name]
    people.append(["P0001", "张三", "市图书馆", "干部", "其他党员干部", "否", "否"])
    people.append(["P0002", "李四", "市图书馆", "干部", "其他党员干部", "否", "否"])
    wb[schema.HOME_SHEET]["D1"] = f"=ROWS({NAME_PEOPLE})"
    wb[schema.HOME_SHEET]["E1"] = f"=INDEX({NAME_PEOPLE},2)"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    back = openpyxl.load_workbook(round_trip_xlsx(edited, tmp_path / "lo"), data_only=True)
    assert back[schema.HOME_SHEET]["D1"].value == 2
    assert back[schema.HOME_SHEET]["E1"].value == "李四"


def test_wide_entry_sheets_print_at_ninety_percent_across_pages_with_their_first_columns(tmp_path):
    """问题台账 has 17 columns: fitted to one page wide it printed at about 4.5 pt."""
    path = tmp_path / "b.xlsx"
    write_book(path, default_content("t"))
    wb = openpyxl.load_workbook(path)
    wide = wb[schema.PROBLEMS.name]
    assert wide.page_setup.scale == 90 and not wide.sheet_properties.pageSetUpPr.fitToPage
    assert wide.print_title_cols == "$A:$B" and wide.print_title_rows == "$1:$1"
    narrow = wb[schema.UNITS.name]
    assert narrow.sheet_properties.pageSetUpPr.fitToPage


def test_every_filled_row_of_an_entry_sheet_is_ruled_across_blanks_and_rows_typed_later(tmp_path):
    path = tmp_path / "b.xlsx"
    write_book(path, default_content("t"))
    ws = openpyxl.load_workbook(path)[schema.PROBLEMS.name]
    rules = [(str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules if r.type == "expression"]
    ruled = [(ref, r) for ref, r in rules if "COUNTA" in r.formula[0]]
    assert ruled and ruled[0][0].startswith("A2:") and ruled[0][1].dxf.border.left.style == "thin"


def test_the_masters_home_page_says_what_really_rewrites_its_generated_sheets(tmp_path):
    """The 首页 does not claim that every run rewrites 校验结果 and the report sheets: the buttons do; the command
    line and the page write a marked copy and a report workbook instead, and leave the master as it is."""
    import subprocess
    import sys

    import openpyxl
    book = tmp_path / "总台账.xlsx"
    subprocess.run([sys.executable, "-m", "zoufang", "init", str(book), "--demo"], check=True, capture_output=True)
    text = "\n".join(str(c.value) for row in openpyxl.load_workbook(book)["首页"].iter_rows() for c in row if c.value)
    assert "每次运行都会整体刷新" not in text
    assert "按钮" in text and "--annotate" in text and "report --out" in text
    before = book.read_bytes()
    subprocess.run([sys.executable, "-m", "zoufang", "check", str(book)], capture_output=True)
    subprocess.run([sys.executable, "-m", "zoufang", "report", str(book)], capture_output=True)
    assert book.read_bytes() == before
