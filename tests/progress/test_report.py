"""The report on the demo campaign: the JSON contract, the report workbook, and LibreOffice as its reader."""
import datetime as dt
import json
import re
import zipfile

import openpyxl
import pytest
from typer.testing import CliRunner

from zoufang.cli import app
from zoufang.contract import schema
from zoufang.files.libreoffice import round_trip_xlsx, to_pdf
from zoufang.jobs import report_job

runner = CliRunner()


def test_report_json_follows_the_cli_contract(clean_demo):
    _, path = clean_demo
    result = runner.invoke(app, ["report", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["as_of"] == "2012-01-15"
    assert {"as_of", "people", "units", "collective", "overdue"} <= set(doc)
    person = doc["people"][0]
    assert {"人员编号", "姓名", "单位名称", "人员类别", "metrics"} <= set(person)
    metric = next(iter(person["metrics"].values()))
    assert {"actual", "target", "ratio", "expected_by_now", "status"} <= set(metric)
    statuses = {m["status"] for p in doc["people"] for m in p["metrics"].values()}
    assert statuses == {"已完成", "按进度", "滞后"}  # 未完成 needs the campaign to be over
    assert all(set(p["metrics"]) <= set(schema.PERSONAL_METRICS) for p in doc["people"])
    collective = doc["collective"]
    assert collective["uncovered_workdays"] and collective["unit_weeks_without_reception"]
    assert collective["uncovered_half_months"] and set(collective["metrics"]) == {*schema.COLLECTIVE_METRICS,
                                                                                   schema.UNIT_TOPICS}
    assert doc["overdue"] and {"sheet", "编号", "办结时限", "days_overdue", "分包领导", "责任单位", "责任人"} <= set(
        doc["overdue"][0])
    assert doc["units"][0]["单位名称"] and "met" in doc["units"][0]


def test_after_the_campaign_the_unmet_are_missed(clean_demo):
    _, path = clean_demo
    doc = json.loads(runner.invoke(app, ["report", str(path), "--json", "--as-of", "2012-03-10"]).stdout)
    assert doc["as_of"] == "2012-03-10"  # after the end: quotas frozen, supervision goes on
    assert {m["status"] for p in doc["people"] for m in p["metrics"].values()} == {"已完成", "未完成"}


def test_report_workbook_has_its_sheets_colours_charts_and_print_setup(clean_demo, tmp_path):
    _, path = clean_demo
    report, book = report_job(path, out_dir=tmp_path)
    assert book.name == "完成情况报告-2012-01-15.xlsx"
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [schema.PERSON_REPORT_SHEET, schema.UNIT_REPORT_SHEET, schema.UNIT_CHART_SHEET,
                             schema.COLLECTIVE_SHEET,
                             schema.SUPERVISION_SHEET, "信访积案", schema.MEASURES_SHEET, schema.UNPAIRED_SHEET,
                             "半月简报"]
    people = wb[schema.PERSON_REPORT_SHEET]
    assert people.max_row == len(report.people) + 1
    assert people.print_title_rows == "$1:$1" and people.page_setup.paperSize == 9
    assert people.conditional_formatting  # status colours
    supervision = wb[schema.SUPERVISION_SHEET]
    assert supervision.max_row > len(report.overdue)
    with zipfile.ZipFile(book) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 3


def test_report_workbook_opens_in_libreoffice_with_its_charts(clean_demo, tmp_path, needs_libreoffice):
    _, path = clean_demo
    _, book = report_job(path, dt.date(2012, 1, 15), tmp_path)
    back = round_trip_xlsx(book, tmp_path / "lo")
    with zipfile.ZipFile(back) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 3
    assert openpyxl.load_workbook(back).sheetnames[0] == schema.PERSON_REPORT_SHEET
    pdf = to_pdf(book, tmp_path / "pdf")
    assert pdf.stat().st_size > 10_000


@pytest.mark.libreoffice
def test_the_printed_report_carries_its_as_of_date_and_headings_on_every_page(clean_demo, tmp_path, needs_libreoffice):
    from printed import flat, page_texts, pages_without_headings
    _, path = clean_demo
    result = runner.invoke(app, ["report", str(path), "--as-of", "2011-12-15", "--out", str(tmp_path), "--pdf"])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "完成情况报告-2011-12-15.pdf"
    pages = page_texts(pdf)
    assert len(pages) > 5 and all(flat(t) for t in pages)
    assert all("统计截止：2011年12月15日" in flat(t) for t in pages)
    assert pages_without_headings(pages) == []
    rows = list(openpyxl.load_workbook(path)["单位"].iter_rows(values_only=True))
    units = [r[rows[0].index("单位名称")] for r in rows[1:] if r[rows[0].index("单位名称")]]
    table = [t for t in pages if "单位名称人数已完成" in flat(t)]  # #42 item 12: its heading never stands alone (p.21
    assert table and all(any(re.search(rf"{re.escape(u)} +\d", t) for u in units) for t in table)  # above the
    #                                                          chart, no rows): a unit's row is its name and its figures
    assert sum("各单位人员完成情况" in flat(t) for t in pages) == 1  # the chart, on its own page
    backlog = [t for t in pages if flat(t).startswith("统计截止：2011年12月15日信访积案")]
    assert backlog and all("案件事由" in flat(t) and "工作表" not in flat(t) for t in backlog)


def test_report_charts_read_in_black_and_white_and_ratios_print_as_percent(clean_demo, tmp_path):
    _, path = clean_demo
    _, book = report_job(path, out_dir=tmp_path)
    with zipfile.ZipFile(book) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any("percentStacked" in c for c in charts)  # shares per role, not raw counts
    assert any("<a:pattFill" in c for c in charts)  # hatched and dotted series besides solid ones
    ws = openpyxl.load_workbook(book)[schema.PERSON_REPORT_SHEET]
    header = [c.value for c in ws[1]]
    rate = next(r for r in ws.iter_rows(min_row=2) if r[header.index("指标")].value == "问题解决率")
    assert rate[header.index("目标")].number_format.endswith("%") and rate[header.index("实际")].number_format.endswith("%")


@pytest.mark.libreoffice
@pytest.mark.parametrize("fonts", ["carlito", "fallbacks"])
def test_the_printed_report_keeps_its_text_at_nine_points_on_any_machine(clean_demo, tmp_path, needs_libreoffice,
                                                                          fonts, request):
    """Columns (and charts) are sized for the client that draws them widest, so fitting a sheet to the page never
    shrinks its 10 pt text below 9 pt: with Carlito (Excel's metrics) and with LibreOffice's fallbacks only."""
    from printed import smallest_body_text
    request.getfixturevalue("needs_carlito" if fonts == "carlito" else "without_carlito")
    _, path = clean_demo
    result = runner.invoke(app, ["report", str(path), "--as-of", "2012-01-15", "--out", str(tmp_path), "--pdf"])
    assert result.exit_code == 0, result.output
    assert smallest_body_text(tmp_path / "完成情况报告-2012-01-15.pdf") >= 9
    assert smallest_body_text(tmp_path / "完成情况报告-2012-01-15.pdf", margin=0) >= 9  # the running head too (#42.12)


@pytest.mark.libreoffice
def test_the_printed_report_shows_dates_as_a_chinese_report_writes_them(clean_demo, tmp_path, needs_libreoffice):
    """No 2011-09-15 under a Chinese heading: dates print as 2011年9月15日; 回头看 is 未到时间 mid-campaign, not 未达标;
    percentages as the ledgers print them (56%, not 55.6%)."""
    import re

    from printed import page_texts
    _, path = clean_demo
    result = runner.invoke(app, ["report", str(path), "--as-of", "2012-01-15", "--out", str(tmp_path), "--pdf"])
    assert result.exit_code == 0, result.output
    text = "\n".join(page_texts(tmp_path / "完成情况报告-2012-01-15.pdf"))
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), re.search(r".{20}\b20\d\d-\d\d-\d\d\b.{20}", text)
    assert "2012年1月15日" in text
    assert not re.search(r"\d+\.\d%", text)
    ws = openpyxl.load_workbook(tmp_path / "完成情况报告-2012-01-15.xlsx")[schema.COLLECTIVE_SHEET]
    look_back = next(r for r in ws.iter_rows(values_only=True) if r[0] == schema.METRIC_LOOK_BACK)
    assert look_back[3] == "未到时间"
    rows = list(ws.iter_rows(values_only=True))  # a weekday reads 星期四, never a bare 四 (#42 cosmetic)
    head = next(i for i, r in enumerate(rows) if "星期" in r)
    import itertools
    table = itertools.takewhile(lambda r: r and r[0] is not None, rows[head + 1:])
    days = [r[list(rows[head]).index("星期")] for r in table]
    assert days and all(re.fullmatch("星期[一二三四五六日]", str(d)) for d in days), days
    backlog = openpyxl.load_workbook(tmp_path / "完成情况报告-2012-01-15.xlsx")["信访积案"]
    reasons = [r[2] for r in backlog.iter_rows(min_row=2, values_only=True) if r[0]]
    assert reasons and "信访积案" not in reasons  # the sheet's title says the type: the reason says what is wrong


def test_a_wrapped_cell_gets_a_row_tall_enough_and_the_charts_stay_within_the_columns(clean_demo, tmp_path):
    """The clients do not refit rows XlsxWriter wrote: a unit name that wraps gets a row of two lines; a chart no
    wider than the sheet's columns (a wider one would shrink the printed page); the pie's labels sit outside."""
    _, path = clean_demo
    _, book = report_job(path, out_dir=tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb[schema.PERSON_REPORT_SHEET]
    header = [c.value for c in ws[1]]
    unit_col = header.index("单位名称")
    long_rows = [r[0].row for r in ws.iter_rows(min_row=2) if len(str(r[unit_col].value)) * 2 > ws.column_dimensions[
        "C"].width]
    assert long_rows and all((ws.row_dimensions[i].height or 15) >= 27 for i in long_rows)
    with zipfile.ZipFile(book) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    anchored = [(ws, chart.anchor) for ws in wb.worksheets for chart in ws._charts]
    assert len(anchored) == 2 and [c.title for c in wb.chartsheets] == [schema.UNIT_CHART_SHEET]  # a page of its own
    for ws, anchor in anchored:  # ends inside the last column the sheet sets a width for
        assert anchor.to.col < max(d.max for d in ws.column_dimensions.values() if d.width), ws.title
    pie = next(c for c in charts if "<c:pieChart>" in c)
    assert '<c:dLblPos val="outEnd"/>' in pie


@pytest.mark.libreoffice
def test_the_special_work_sheet_is_not_spread_over_empty_pages(clean_demo, tmp_path, needs_libreoffice):
    """#42 item 12: 专项工作 printed its four small tables on four mostly empty pages. A section moves to the next
    page only when it would not fit below the one before; each section stays whole on its page."""
    import pdfplumber
    _, path = clean_demo
    result = runner.invoke(app, ["report", str(path), "--as-of", "2012-01-15", "--out", str(tmp_path), "--pdf"])
    assert result.exit_code == 0, result.output
    titles = ("问政（", "重点走访对象（", "结对帮扶（", "回收（")
    rows = list(openpyxl.load_workbook(path)["单位"].iter_rows(values_only=True))
    units = [r[rows[0].index("单位名称")] for r in rows[1:] if r[rows[0].index("单位名称")]]
    pages = []
    with pdfplumber.open(tmp_path / "完成情况报告-2012-01-15.pdf") as pdf:
        for page in pdf.pages:
            lines = page.extract_text_lines()
            if not lines or "专项工作" not in lines[0]["text"].replace(" ", ""):
                continue
            body = [x for x in lines if not x["text"].replace(" ", "").startswith(("第", "统计截止"))]
            starts = [i for i, x in enumerate(body) if x["text"].replace(" ", "").startswith(titles)]
            sections = [body[a:b] for a, b in zip(starts, starts[1:] + [len(body)])]
            pages.append((body[-1]["bottom"], sections))
    assert pages and sum(len(s) for _, s in pages) == 4
    for _, sections in pages:
        for section in sections:  # whole: every unit's row under its own title, on the same page
            text = "".join(x["text"].replace(" ", "") for x in section)
            assert sum(u in text for u in units) >= len(units) - 1 or "尚未下发" in text, text[:40]
    content_bottom = 595.3 - 0.7 * 72
    for (bottom, _), (_, sections) in zip(pages, pages[1:]):
        first = sections[0]
        assert bottom + (first[-1]["bottom"] - first[0]["top"]) > content_bottom  # it would not have fitted
