"""An annotated copy of a workbook: 校验结果 with links, offending cells filled and noted.

The original file is never written. In the copy only the cells that have
findings change; the clerk's own colours and notes elsewhere stay as they were,
and a clerk's note on an offending cell is kept above ours.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink

from zoufang.contract.errors import InputError
from zoufang.contract.findings import FILL_ERROR, FILL_WARNING, NOTE_MARK, Finding, findings_sheet_rows  # noqa: F401
from zoufang.contract.periods import cn_date
from zoufang.contract.schema import ALL_SHEETS, FINDINGS_SHEET, LEVEL_ERROR, SELF_CHECK_SHEET, SETTINGS
from zoufang.files.safe_io import atomic_write
from zoufang.xlsx.print_columns import lay_out_for_print
from zoufang.xlsx.print_fit import PAGES_TALL, row_height
from zoufang.xlsx.self_check import SELF_CHECK_WIDTHS
from zoufang.xlsx.values import cell_value

NOTE_AUTHOR = "zoufang"
FINDINGS_WIDTHS = (6, 6, 14, 12, 10, 31, 25, 16)  # 代码 (H) hidden: the rest prints at 9 pt or more, measured in
# LibreOffice without Carlito (tests/checks/test_annotate.py)
FINDINGS_FONT = Font(name="宋体", size=10)


def write_findings_sheet(book: openpyxl.Workbook, findings: list[Finding], source: str = "",
                         checked: dt.date | None = None) -> None:
    """Replace 校验结果 (or add it after the 首页 sheet) with one row per finding, linked to its cell.

    The 代码 column (for scripts, last) is hidden; the page header says what was checked, when, and how
    many errors and warnings, and what the cell colours mean.
    """
    if FINDINGS_SHEET in book.sheetnames:
        index = book.sheetnames.index(FINDINGS_SHEET)
        del book[FINDINGS_SHEET]
    else:
        index = 1
    ws = book.create_sheet(FINDINGS_SHEET, index)
    rows = findings_sheet_rows(findings)
    bold = Font(bold=True, color="FFFFFFFF")
    head_fill = PatternFill("solid", fgColor="FF1F4E78")
    for j, value in enumerate(rows[0], start=1):
        cell = ws.cell(1, j, value)
        cell.font, cell.fill = bold, head_fill
        cell.alignment = Alignment(horizontal="center")
    link_font = Font(color="FF0563C1", underline="single")
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows[1:], start=2):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(i, j)
            cell.value = cell_value(value)
            cell.data_type = "n" if isinstance(value, int) else "s"  # literal text, never a formula
            cell.alignment, cell.font = wrap, FINDINGS_FONT
        shown = [v if k != 7 else None for k, v in enumerate(row)]  # 代码 is hidden
        ws.row_dimensions[i].height = row_height(shown, FINDINGS_WIDTHS)  # every row as tall as its text
        sheet, address = row[3], row[4]
        if sheet and address:
            target = ws.cell(i, 5)
            target.hyperlink = Hyperlink(ref=target.coordinate, location=f"'{sheet}'!{address}",
                                         display=address)
            target.font = link_font
    for j, width in enumerate(FINDINGS_WIDTHS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:H{max(2, len(rows))}"
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, PAGES_TALL
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.column_dimensions["H"].hidden = True  # 代码: for scripts, not for the clerk
    errors = sum(f.level == LEVEL_ERROR for f in findings)
    when = checked or dt.date.today()
    ws.oddHeader.left.text = f"{source}　校验日期：{cn_date(when)}"
    ws.oddHeader.center.text = f"校验结果：错误 {errors} 条，警告 {len(findings) - errors} 条"
    ws.oddHeader.right.text = "单元格标色：红底为错误，黄底为警告"
    for part in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right):
        part.size = 10  # LibreOffice shrinks a header with the fitted page: 10 prints at 9 or more


def mark_cells(book: openpyxl.Workbook, findings: list[Finding]) -> int:
    """Fill each offending cell and add a note with the messages; return how many cells."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.cell and f.sheet in book.sheetnames:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, address), group in by_cell.items():
        cell = book[sheet][address]
        error = any(f.level == LEVEL_ERROR for f in group)
        cell.fill = PatternFill("solid", fgColor=FILL_ERROR if error else FILL_WARNING)
        ours = cell_value("\n".join(f"{NOTE_MARK}{f.message}。{f.hint}" for f in group))
        theirs = cell.comment.text if cell.comment else ""
        text = f"{theirs}\n{ours}" if theirs else ours
        cell.comment = Comment(text, NOTE_AUTHOR, width=320, height=120)
    return len(by_cell)


def note_under_self_check(book: openpyxl.Workbook, note: str) -> None:
    """``note`` across 自查's printed columns, a row below its last: what its verdict counts beside 校验结果."""
    if not note or SELF_CHECK_SHEET not in book.sheetnames:
        return
    ws = book[SELF_CHECK_SHEET]
    r = ws.max_row + 2
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(SELF_CHECK_WIDTHS))
    cell = ws.cell(r, 1, note)
    cell.alignment, cell.font = Alignment(wrap_text=True, vertical="top"), FINDINGS_FONT
    ws.row_dimensions[r].height = row_height([note], [sum(SELF_CHECK_WIDTHS)])


def annotate_copy(source: Path, target: Path, findings: list[Finding], note: str = "") -> int:
    """Write ``target``: ``source`` plus 校验结果, marked cells and ``note`` under 自查 (self_check_gap). Return the
    number of marked cells."""
    source, target = Path(source), Path(target)
    if source.resolve() == target.resolve():
        raise ValueError("annotated copy must not replace the original")
    try:
        book = openpyxl.load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
    except Exception as exc:  # openpyxl raises many types for parts it cannot parse (styles, drawings…)
        raise InputError(f"{source.name}：校验已完成，但无法生成标注副本：工作簿中有本程序读不懂的部分"
                         f"（{type(exc).__name__}，多见于样式或图形）。请在 Excel 或 WPS 中另存为 .xlsx 后再试，"
                         f"或不加 --annotate 查看校验结果") from exc
    write_findings_sheet(book, findings, source.name)
    note_under_self_check(book, note)
    for spec in ALL_SHEETS:  # every table on its page's width, at 9 pt or more (#42 item 11)
        if spec is not SETTINGS and spec.name in book.sheetnames:
            lay_out_for_print(book[spec.name], spec)
    marked = mark_cells(book, findings)
    atomic_write(target, book.save)
    return marked
