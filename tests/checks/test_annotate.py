"""The marked copy a clerk prints to put their ledger right (#42 item 11): every column on the page, nothing clipped,
no text under 9 pt, dates in the messages as a Chinese text writes them, and 自查's verdict beside the full count
with the difference said."""
import re

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from zoufang.cli import app
from zoufang.contract.schema import ALL_SHEETS, FINDINGS_SHEET, SELF_CHECK_SHEET, SETTINGS
from zoufang.files.libreoffice import to_pdf
from zoufang.xlsx.print_fit import PAGES_TALL, fit_scale

runner = CliRunner()
RECORD_ID = re.compile(r"[A-Z]{2,4}-[A-Z]{2}\d{5}")  # TSG-ZF00012


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    """The office's master as ``zoufang init --demo`` makes it: the demo's planted mistakes, and its 自查."""
    book = tmp_path_factory.mktemp("master") / "大走访台账.xlsx"
    done = runner.invoke(app, ["init", str(book), "--demo"])
    assert done.exit_code == 0, done.output
    return book


def marked_copy(book, tmp_path):
    marked = tmp_path / "标注副本.xlsx"
    done = runner.invoke(app, ["check", str(book), "--annotate", str(marked)])
    assert done.exit_code == 1, done.output  # the demo has errors
    return marked


def test_the_marked_copy_says_why_its_self_check_counts_fewer(master, tmp_path):
    """"还有 8 处需要修改" beside "错误 15 条": the copy's 自查 carries its values (openpyxl keeps none: a program that
    does not recalculate showed blanks), and a line under it gives both counts and the rules only check can judge."""
    marked = marked_copy(master, tmp_path)
    findings = list(openpyxl.load_workbook(marked)[FINDINGS_SHEET].iter_rows(min_row=2, values_only=True))
    errors = sum(1 for f in findings if f[1] == "错误")
    grid = CalamineWorkbook.from_path(str(marked)).get_sheet_by_name(SELF_CHECK_SHEET).to_python(skip_empty_area=False)
    said = re.fullmatch(r"还有 (\d+) 处需要修改", grid[0][0])
    assert said, grid[0][0]
    own = int(said[1])
    note = next(row[0] for row in grid if isinstance(row[0], str) and row[0].startswith("“校验结果”表"))
    assert f"错误 {errors} 条、警告 {len(findings) - errors} 条" in note and f"错误 {own} 处" in note
    if own != errors:
        parts = re.search(r"只有程序校验才能判断的错误（(.*?)）", note)[1]
        assert sum(int(n) for n in re.findall(r" (\d+) 条", parts)) == errors - own


def test_the_marked_copy_writes_dates_in_its_messages_as_chinese_text(master, tmp_path):
    """"走访日期 2012-03-05 不在活动期间（2011-09-01 至 2012-02-29）内" broke at its hyphens when it wrapped."""
    marked = marked_copy(master, tmp_path)
    messages = [r[5] for r in openpyxl.load_workbook(marked)[FINDINGS_SHEET].iter_rows(min_row=2, values_only=True)]
    dated = [m for m in messages if "活动期间" in m or "统计截止日期" in m]
    assert dated and not [m for m in messages if re.search(r"\d{4}-\d{2}-\d{2}", m)]
    assert any(re.search(r"\d{4}年\d{1,2}月\d{1,2}日", m) for m in dated)


def test_the_marked_copy_prints_every_column_on_the_page(master, tmp_path, needs_libreoffice, without_carlito):
    """The copy printed 244 pages with each sheet's columns split over two, ids clipped ("WWS-ZF0012…"). Now every
    table sheet is fitted to its page's width (A4, or A3 for the widest ledgers) at 9 pt or more even on the client
    that draws columns widest, and every record number prints whole."""
    import pdfplumber
    marked = marked_copy(master, tmp_path)
    wb = openpyxl.load_workbook(marked)
    ids = []
    for spec in ALL_SHEETS:
        if spec is SETTINGS or spec.name not in wb.sheetnames:
            continue
        ws = wb[spec.name]
        setup = ws.page_setup
        assert setup.fitToWidth == 1 and setup.fitToHeight == PAGES_TALL and ws.sheet_properties.pageSetUpPr.fitToPage
        assert setup.orientation == "landscape" and int(setup.paperSize) in (8, 9), spec.name
        widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width for j in range(1, ws.max_column + 1)]
        assert fit_scale(widths, int(setup.paperSize), True, ws.page_margins.left, ws.page_margins.right) * 10 >= 9
        ids += [r[0] for r in ws.iter_rows(min_row=2, max_col=1, values_only=True)
                if isinstance(r[0], str) and RECORD_ID.fullmatch(r[0])]
    pdf = to_pdf(marked, tmp_path / "pdf")
    with pdfplumber.open(pdf) as doc:
        small = {(i, c["size"]) for i, page in enumerate(doc.pages, start=1) for c in page.chars
                 if c["text"].strip() and c["size"] < 8.95}
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
    assert not small, sorted(small)[:5]
    printed = set(RECORD_ID.findall(text))
    assert ids and set(ids) <= printed, sorted(set(ids) - printed)[:5]
