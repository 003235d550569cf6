"""Nothing lost at the edges of collect: cells a reader gives as empty, a master without its base, a deletion that
cannot be applied, forged or broken hidden records, a folder holding what is not a file — each is listed, and the
honest returns beside it still merge."""
import datetime as dt
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from builders import D, column_of, edit, make_book, problem, row_of, value_of, visit

from zoufang.contract import schema
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.reading.reader import read_campaign


def hours_ago(h: float) -> dt.datetime:
    return dt.datetime.now().astimezone() - dt.timedelta(hours=h)


@pytest.fixture
def office(tmp_path):
    """A master with visits of 市图书馆 and 市博物馆, issued eight hours ago and again six hours ago; the copy of the
    master saved between the two issues is its backup from before the latest issue."""
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    make_book(master,
              visits=[visit("丙馆长", D(2011, 9, 5 + i), head=f"户{i}", address=f"庞庄村{i}号") for i in range(4)]
              + [visit("丁馆长", D(2011, 9, 6), head="博户")],
              problems=[problem("丁馆长", "待办", unit="市博物馆", finder="丁馆长")])
    issue(master, tmp_path / "第一次下发", now=hours_ago(8))
    shutil.copy(master, tmp_path / "下发前的备份.xlsx")
    issued = {i.unit: i.path for i in issue(master, tmp_path / "下发", now=hours_ago(6))}
    return master, issued


def library_ids(master: Path) -> list[str]:
    visits = read_campaign(master)["visits"].frame
    return visits.loc[visits["person"] == "丙馆长", "record_id"].tolist()


def said(result) -> str:
    """Everything collect said of its files: reasons, rejections, conflicts, notes."""
    return repr([f.to_json() for f in result.files]) + repr(result.notices)


# ------------------------------------------------------------------ 1: cells a reader gives as empty
@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".xls"])
def test_a_formula_whose_result_is_an_error_refuses_its_row_and_keeps_the_masters_value(office, tmp_path, lo_clerk,
                                                                                        suffix):
    """The clerk types =1/0 over 地址 in LibreOffice and saves: the cell holds #DIV/0!, which a reader gives as empty."""
    master, issued = office
    first = library_ids(master)[0]
    ws = openpyxl.load_workbook(issued["市图书馆"])["走访记录"]
    row, col = row_of(ws, "记录编号", first), column_of(ws, "地址")
    back = tmp_path / f"图书馆回收{suffix}"
    lo_clerk([{"src": str(issued["市图书馆"]), "dst": str(back),
               "edits": [{"op": "set", "sheet": "走访记录", "header": "地址", "row": row, "value": "=1/0"},
                         {"op": "set", "sheet": "走访记录", "header": "备注", "row": row + 1, "value": "另一行的备注"}]}])
    result = collect(master, [back])
    file, = result.files
    cell = f"{openpyxl.utils.get_column_letter(col)}{row}"
    assert [r["cell"] for r in file.rejected] == [cell], file.rejected
    assert "#DIV/0!" in file.rejected[0]["reason"] and "地址" in file.rejected[0]["reason"]
    assert value_of(master, "走访记录", first, "地址") == "庞庄村0号"  # kept, not emptied
    assert value_of(master, "走访记录", library_ids(master)[1], "备注") == "另一行的备注"  # the rest merged
    assert result.exit_code == 1


def test_a_formula_saved_without_its_result_in_a_blank_cell_refuses_its_row(office):
    """=1+1 typed by a script into a blank 备注 and saved without a result: listed, never silently ignored."""
    master, issued = office
    first = library_ids(master)[0]
    cell = edit(issued["市图书馆"], "走访记录", first, "备注", "=1+1")
    result = collect(master, [issued["市图书馆"]])
    rejected, = result.files[0].rejected
    assert rejected["cell"] == cell and "没有它的计算结果" in rejected["reason"]
    assert result.exit_code == 1


def test_a_row_of_nothing_but_error_cells_is_listed_and_deletes_nothing(office, tmp_path):
    """Every cell of a record an error (the clerk filled a row with a broken formula): the record is not read as
    deleted, and the row is listed."""
    master, issued = office
    first = library_ids(master)[0]
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    ws = wb["走访记录"]
    row = row_of(ws, "记录编号", first)
    for c in range(1, ws.max_column + 1):
        ws.cell(row, c).value = "=#REF!"
    wb.save(book)
    result = collect(master, [book])
    file = result.files[0]
    assert file.removed == 0 and first in set(read_campaign(master)["visits"].frame["record_id"])
    assert any(r["cell"] == f"A{row}" or str(row) in r["reason"] for r in file.rejected)
    assert result.exit_code == 1


# ------------------------------------------------------------------ 2: a master without the issue's base
def test_a_master_restored_from_before_the_issue_keeps_the_offices_correction(office, tmp_path):
    """The master restored from a backup made before the latest issue; the office corrects R1; a return that never
    touched R1 arrives: R1 keeps the office's value, and the unit's own change is taken — its workbook proves what
    it was issued — with the true reason said."""
    master, issued = office
    shutil.copy(tmp_path / "下发前的备份.xlsx", master)
    first, second = library_ids(master)[:2]
    edit(master, "走访记录", first, "地址", "办公室更正的地址")
    edit(issued["市图书馆"], "走访记录", second, "备注", "单位补充")
    result = collect(master, [issued["市图书馆"]])
    file = result.files[0]
    assert value_of(master, "走访记录", first, "地址") == "办公室更正的地址"
    assert value_of(master, "走访记录", second, "备注") == "单位补充"
    assert (file.updated, file.conflicts) == (1, [])
    notes = " ".join(n["note"] for n in file.notes)
    assert "备份恢复" in notes and "旧版本" not in notes


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".xls"])
def test_the_issued_copy_a_return_carries_survives_libreoffice_in_every_format(office, tmp_path, lo_clerk, suffix):
    """The master restored from before the issue; the unit's clerk edits in LibreOffice and saves as .xlsx, .ods or
    .xls: the copy of what it was issued still proves itself, so only the unit's change is taken."""
    master, issued = office
    shutil.copy(tmp_path / "下发前的备份.xlsx", master)
    first, second = library_ids(master)[:2]
    edit(master, "走访记录", first, "地址", "办公室更正的地址")
    ws = openpyxl.load_workbook(issued["市图书馆"])["走访记录"]
    back = tmp_path / f"回收{suffix}"
    lo_clerk([{"src": str(issued["市图书馆"]), "dst": str(back),
               "edits": [{"op": "set", "sheet": "走访记录", "header": "备注", "row": row_of(ws, "记录编号", second),
                          "value": {"text": "单位补充"}}]}])
    file = collect(master, [back]).files[0]
    assert (file.status, file.updated, file.conflicts) == ("merged", 1, []), file.to_json()
    assert value_of(master, "走访记录", first, "地址") == "办公室更正的地址"
    assert value_of(master, "走访记录", second, "备注") == "单位补充"


def test_without_any_base_every_cell_that_would_change_is_a_conflict(office, tmp_path):
    """Neither the master (its _base rows deleted by hand) nor the return (no copy of what it was issued) knows the
    base: nothing the office holds is overwritten; each differing cell is listed with both values."""
    master, issued = office
    wb = openpyxl.load_workbook(master)
    del wb[schema.BASE_SHEET]
    wb.save(master)
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    del wb[schema.BASE_SHEET]
    wb.save(book)
    first, second, third = library_ids(master)[:3]
    edit(master, "走访记录", first, "地址", "办公室更正的地址")
    edit(book, "走访记录", second, "备注", "单位补充")
    wb = openpyxl.load_workbook(book)
    wb["走访记录"].delete_rows(row_of(wb["走访记录"], "记录编号", third))
    wb.save(book)
    result = collect(master, [book])
    file = result.files[0]
    assert value_of(master, "走访记录", first, "地址") == "办公室更正的地址"
    assert value_of(master, "走访记录", second, "备注") is None
    conflicts = {(c["record"], c["column"]): c for c in file.conflicts}
    assert conflicts[(first, "地址")]["office"] == "办公室更正的地址"
    assert conflicts[(second, "备注")]["unit"] == "单位补充"
    assert (third, "（整行）") in conflicts and file.removed == 0
    assert third in set(read_campaign(master)["visits"].frame["record_id"])
    assert "_base" in " ".join(n["note"] for n in file.notes)
    assert result.exit_code == 1


def test_a_carried_base_edited_by_the_unit_is_not_trusted(office, tmp_path):
    """A unit that edits the copy of its issued values in its own workbook gains nothing: the copy no longer
    matches its check code, and the merge lists conflicts instead."""
    master, issued = office
    shutil.copy(tmp_path / "下发前的备份.xlsx", master)
    first = library_ids(master)[0]
    edit(master, "走访记录", first, "地址", "办公室更正的地址")
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    ws = wb[schema.BASE_SHEET]
    ws.cell(ws.max_row, 4).value = str(ws.cell(ws.max_row, 4).value)[:-1] + "x"
    wb.save(book)
    edit(book, "走访记录", first, "地址", "单位的地址")
    file = collect(master, [book]).files[0]
    assert value_of(master, "走访记录", first, "地址") == "办公室更正的地址"
    assert [(c["record"], c["column"]) for c in file.conflicts] == [(first, "地址")]


# ------------------------------------------------------------------ 4: a deletion that cannot be applied
def test_a_record_renumbered_by_the_office_and_deleted_by_the_unit_is_listed(office):
    master, issued = office
    first = library_ids(master)[0]
    edit(master, "走访记录", first, "记录编号", "TSG-ZF09999")
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    wb["走访记录"].delete_rows(row_of(wb["走访记录"], "记录编号", first))
    wb.save(book)
    result = collect(master, [book])
    file = result.files[0]
    assert file.removed == 0
    assert [c["record"] for c in file.conflicts] == [first] and "编号" in file.conflicts[0]["reason"]
    assert "TSG-ZF09999" in set(read_campaign(master)["visits"].frame["record_id"])
    assert result.exit_code == 1


# ------------------------------------------------------------------ 12, 13, 14: one bad file, the rest merge
def set_meta(book: Path, key: str, value: str) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb[schema.META_SHEET]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == key)
    ws.cell(row, 3).value = value
    wb.save(book)


@pytest.mark.parametrize("key", ["token", "issued_digest"])
def test_a_forged_check_code_in_chinese_refuses_that_file_and_merges_the_honest_one(office, key):
    master, issued = office
    set_meta(issued["市图书馆"], key, "校验码伪造")
    edit(issued["市博物馆"], "走访记录", read_campaign(master)["visits"].frame["record_id"].iloc[-1], "备注", "博物馆补充")
    result = collect(master, [issued["市图书馆"], issued["市博物馆"]])
    forged, honest = result.files
    assert forged.status == "refused" and ("校验码不符" in forged.reason or "下发记录被改动过" in forged.reason)
    assert honest.status == "merged" and honest.updated == 1


def test_a_broken_base_record_names_its_sheet_and_batch_and_other_batches_merge(office):
    master, issued = office
    batch = read_campaign(issued["市图书馆"]).meta["issued_digest"][:16]
    wb = openpyxl.load_workbook(master)
    ws = wb[schema.BASE_SHEET]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == batch
               and ws.cell(r, 2).value == "visits" and str(ws.cell(r, 3).value) == "0")
    ws.cell(row, 4).value = '["date", "person"'  # part 0 broken by hand
    wb.save(master)
    museum_id = read_campaign(master)["visits"].frame["record_id"].iloc[-1]
    edit(issued["市博物馆"], "走访记录", museum_id, "备注", "博物馆补充")
    result = collect(master, [issued["市图书馆"], issued["市博物馆"]])
    assert all(f.status == "merged" for f in result.files)
    text = said(result)
    assert "_base" in text and batch in text
    assert value_of(master, "走访记录", museum_id, "备注") == "博物馆补充"


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need a privilege on Windows")
def test_a_symlink_loop_in_the_returns_folder_is_listed_and_the_rest_merge(office, tmp_path):
    master, issued = office
    inbox = tmp_path / "回收"
    inbox.mkdir()
    shutil.copy(issued["市博物馆"], inbox / "博物馆.xlsx")
    (inbox / "loop.xlsx").symlink_to(inbox / "loop.xlsx")
    (inbox / "a.xlsx").symlink_to(inbox / "b.xlsx")
    (inbox / "b.xlsx").symlink_to(inbox / "a.xlsx")
    result = collect(master, [inbox])
    by_name = {Path(f.file).name: f for f in result.files}
    assert by_name["博物馆.xlsx"].status in ("merged", "duplicate")
    for name in ("loop.xlsx", "a.xlsx", "b.xlsx"):
        assert by_name[name].status == "refused" and "链接" in by_name[name].reason, by_name[name].reason


# ------------------------------------------------------------------ 3: a column without a header
def test_values_in_a_column_without_a_header_reach_the_master_under_a_generated_heading(office):
    master, issued = office
    first = library_ids(master)[0]
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    ws = wb["走访记录"]
    col = ws.max_column + 2  # one empty column, then the clerk's note with no heading
    letter = openpyxl.utils.get_column_letter(col)
    ws.cell(row_of(ws, "记录编号", first), col).value = "电话回访两次"
    wb.save(book)
    result = collect(master, [book])
    assert result.files[0].status == "merged" and result.files[0].updated == 1
    assert value_of(master, "走访记录", first, f"（无标题列 {letter}）") == "电话回访两次"


# ------------------------------------------------------------------ 5: formatted empty cells written as <c …></c>
def test_formatted_empty_cells_out_to_xfd_written_as_open_and_close_tags_are_no_content(office, tmp_path):
    """openpyxl and other writers write a formatted empty cell as <c r="XFD2" s="1" t="n"></c>: a genuine return."""
    import re
    import zipfile
    master, issued = office
    first = library_ids(master)[0]
    book = issued["市图书馆"]
    edit(book, "走访记录", first, "备注", "单位补充")
    wb = openpyxl.load_workbook(book)
    part = next(p for p, name in zip(range(1, 100), wb.sheetnames) if name == "走访记录")
    styled = tmp_path / "格式化到最后一列.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(styled, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == f"xl/worksheets/sheet{part}.xml":
                data = re.sub(rb'(<row r="(\d+)"[^>]*>.*?)</row>',
                              lambda m: m.group(1) + b'<c r="XFD' + m.group(2) + b'" s="1" t="n"></c></row>', data,
                              flags=re.S)
                assert b'<c r="XFD2" s="1" t="n"></c>' in data
            dst.writestr(info, data)
    result = collect(master, [styled])
    assert result.files[0].status == "merged", result.files[0].reason
    assert value_of(master, "走访记录", first, "备注") == "单位补充"


# ------------------------------------------------------------------ 6: the office's legend beside the data
@pytest.mark.parametrize("start, as_table", [("N", True), ("L", True), ("N", False)])
def test_deleting_a_record_never_deletes_the_offices_legend_beside_it(office, start, as_table):
    """A legend (类别/说明) beside the records on 走访记录, as an Excel table or a plain range beyond an empty column:
    the unit deletes the record on sheet row 2 and the legend keeps every row and its table its range."""
    from openpyxl.worksheet.table import Table
    master, issued = office
    first = library_ids(master)[0]
    wb = openpyxl.load_workbook(master)
    ws = wb["走访记录"]
    assert row_of(ws, "记录编号", first) == 2
    c = openpyxl.utils.column_index_from_string(start)
    legend = [("类别", "说明"), ("困难户", "低保、特困"), ("老党员", "党龄 30 年以上"), ("老模范", "各级劳模")]
    for r, (a, b) in enumerate(legend, start=1):
        ws.cell(r, c).value, ws.cell(r, c + 1).value = a, b
    end = openpyxl.utils.get_column_letter(c + 1)
    if as_table:
        ws.add_table(Table(displayName="图例", ref=f"{start}1:{end}4"))
    wb.save(master)
    issued = {i.unit: i.path for i in issue(master, master.parent.parent / "再次下发")}
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    wb["走访记录"].delete_rows(row_of(wb["走访记录"], "记录编号", first))
    wb.save(book)
    result = collect(master, [book])
    assert result.files[0].removed == 1
    wb = openpyxl.load_workbook(master)
    ws = wb["走访记录"]
    assert [(ws.cell(r, c).value, ws.cell(r, c + 1).value) for r in range(1, 5)] == legend
    if as_table:
        assert ws.tables["图例"].ref == f"{start}1:{end}4"
    assert first not in set(read_campaign(master)["visits"].frame["record_id"])


# ------------------------------------------------------------------ the logs as a clerk reads them (#41 item 6)
def test_the_logs_show_deleted_rows_as_their_columns_and_times_as_the_office_reads_them(office):
    master, issued = office
    first = library_ids(master)[0]
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    wb["走访记录"].delete_rows(row_of(wb["走访记录"], "记录编号", first))
    wb.save(book)
    assert collect(master, [book]).files[0].removed == 1
    wb = openpyxl.load_workbook(master)
    deleted = wb[schema.DELETED_SHEET]
    content = [r[-1] for r in deleted.iter_rows(min_row=2, values_only=True)][-1]
    assert "null" not in content and "{" not in content and "走访对象：户0" in content and "2011年9月5日" in content
    log = wb[schema.IMPORT_LOG_SHEET]
    header = [c.value for c in log[1]]
    last = log.max_row
    for column in ("导入时间", "保存时间"):
        cell = log.cell(last, header.index(column) + 1)
        assert isinstance(cell.value, dt.datetime), (column, cell.value)
        assert cell.number_format == 'yyyy"年"m"月"d"日" hh:mm', cell.number_format
    removed_at = deleted.cell(deleted.max_row, 1)
    assert isinstance(removed_at.value, dt.datetime) and "年" in removed_at.number_format
