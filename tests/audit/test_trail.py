"""The office's audit trail: who changed what, provably (#43). A master goes through init, a hand edit in the
office, issue, a unit's return and collect; every cell changed appears in `history` with its source, and `audit`
finds each way of tampering with the log or the master, naming the first bad entry."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from builders import edit, value_of

from zoufang.audit.trail import log_path, read_entries
from zoufang.audit.verify import history
from zoufang.audit.verify import verify as check_log
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.exchange.secret_key import load_secret
from zoufang.jobs import create_master

LIBRARY = "市图书馆"


def verify(master: Path):
    """The log of ``master`` checked with its own key, as `zoufang audit` does."""
    return check_log(master, load_secret(master))


def zoufang(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoufang", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def first_id(path: Path, sheet: str, unit: str, unit_header: str = "责任单位", id_header: str = "问题编号") -> str:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = ws.iter_rows(values_only=True)
    heads = list(next(rows))
    return next(r[heads.index(id_header)] for r in rows if r[heads.index(unit_header)] == unit)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """init → the office types a 督办意见 in Excel (openpyxl) → issue → 市图书馆 changes a problem's 办理进展 and
    returns it → collect. (folder, master, what was typed where)"""
    folder = tmp_path_factory.mktemp("office")
    master = folder / "总台账.xlsx"
    create_master(master, demo=True, clean=True)
    problem = first_id(master, "问题台账", LIBRARY)
    office_cell = edit(master, "问题台账", problem, "督办意见", "请于月底前办结", id_header="问题编号")
    books = {i.unit: i.path for i in issue(master, folder / "下发")}
    back = folder / "回收" / "图书馆发回.xlsx"
    back.parent.mkdir()
    shutil.copy(books[LIBRARY], back)
    unit_cell = edit(back, "问题台账", problem, "办理进展", "已联系街道，下周上门", id_header="问题编号")
    result = collect(master, [back])
    assert [f.status for f in result.files] == ["merged"]
    return folder, master, {"problem": problem, "office_cell": office_cell, "unit_cell": unit_cell,
                            "return": back}


def copy_of(office, tmp_path) -> Path:
    folder, master, _ = office
    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target / master.name


def test_every_change_is_in_history_with_its_source(office):
    folder, master, typed = office
    entries = read_entries(master)
    assert [e["command"] for e in entries] == ["init", "总台账在 zoufang 之外被修改", "issue", "collect"]
    assert verify(master).intact, verify(master).line()
    by_hand = history(master, f"问题台账!{typed['office_cell']}")
    assert [(h["old"], h["new"], h["decision"]) for h in by_hand] == [("", "请于月底前办结", "by hand")]
    assert by_hand[0]["user"] and by_hand[0]["host"] is not None
    progress = [h for h in history(master, typed["problem"]) if h["column"] == "办理进展"]
    assert len(progress) == 1
    assert progress[0]["new"] == "已联系街道，下周上门"
    assert progress[0]["source"] == typed["return"].name
    assert progress[0]["decision"] == "merged"
    assert value_of(master, "问题台账", typed["problem"], "办理进展", id_header="问题编号") == "已联系街道，下周上门"


def test_a_change_typed_in_libreoffice_is_attributed_at_the_next_command(office, tmp_path, lo_clerk):
    master = copy_of(office, tmp_path)
    problem = office[2]["problem"]
    edited = tmp_path / "edited.xlsx"
    row = int("".join(ch for ch in office[2]["office_cell"] if ch.isdigit()))
    lo_clerk([{"src": str(master), "dst": str(edited), "edits": [
        {"op": "set", "sheet": "问题台账", "header": "督办意见", "row": row, "value": "改为本周内办结"}]}])
    shutil.copy(edited, master)
    assert not verify(master).intact  # not yet logged: audit says the master changed outside zoufang
    assert "之外" in verify(master).reason
    back = office[2]["return"]
    collect(master, [back])  # the same return again: a duplicate, but the command logs the hand edit first
    entries = read_entries(master)
    assert entries[-2]["command"] == "总台账在 zoufang 之外被修改"
    found = [h for h in history(master, problem) if h["column"] == "督办意见"]
    assert [(h["old"], h["new"]) for h in found] == [("", "请于月底前办结"), ("请于月底前办结", "改为本周内办结")]
    assert verify(master).intact


def tamper(master: Path, change) -> None:
    path = log_path(master)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(change(lines)), encoding="utf-8")


def flip_a_byte(lines):
    """One byte of the second entry changed in place: a digit of the master's hash before the command."""
    line = lines[1]
    at = line.index('"master_before":"') + len('"master_before":"') + 5
    flipped = line[:at] + ("0" if line[at] != "0" else "1") + line[at + 1:]
    return [lines[0], flipped, *lines[2:]]


@pytest.mark.parametrize("how, change, first_bad, words", [
    ("altered", flip_a_byte, 2, "改动"),
    ("removed", lambda lines: [lines[0], *lines[2:]], 2, "删除"),
    ("reordered", lambda lines: [lines[0], lines[2], lines[1], *lines[3:]], 2, "调换"),
    ("truncated", lambda lines: lines[:-1], 0, "截断"),
])
def test_audit_names_the_first_bad_entry(office, tmp_path, how, change, first_bad, words):
    master = copy_of(office, tmp_path)
    assert verify(master).intact
    tamper(master, change)
    verdict = verify(master)
    assert not verdict.intact, how
    assert verdict.broken == first_bad, (how, verdict.line())
    assert words in verdict.reason, (how, verdict.reason)
    done = zoufang("audit", master)
    assert done.returncode == 1
    assert "不完整" in done.stdout and (f"第 {first_bad} 条" if first_bad else "总台账") in done.stdout


def test_a_master_swapped_for_an_older_backup_is_found(office, tmp_path):
    master = copy_of(office, tmp_path)
    older = sorted((master.parent / "备份").glob("*.xlsx"))[-1]  # the master as it was before collect
    shutil.copy(older, master)
    verdict = verify(master)
    assert not verdict.intact and verdict.broken == 0
    assert "旧备份" in verdict.reason or "较早" in verdict.reason, verdict.reason


def test_a_log_paired_with_another_master_is_found(office, tmp_path):
    master = copy_of(office, tmp_path)
    other = tmp_path / "另一个" / "总台账.xlsx"
    other.parent.mkdir()
    create_master(other, demo=True, clean=True, seed=7)
    shutil.copy(log_path(other), log_path(master))
    verdict = verify(master)
    assert not verdict.intact and verdict.broken == 1, verdict.line()


def test_audit_and_history_from_the_command_line(office, tmp_path):
    folder, master, typed = office
    done = zoufang("audit", master, "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["intact"] and doc["entries"] == 4 and "完整" in doc["text"]
    out = tmp_path / "审计.xlsx"
    assert zoufang("audit", master, "--export", out).returncode == 0
    wb = openpyxl.load_workbook(out)
    assert wb["日志"].max_row == 5 and wb["日志"].auto_filter.ref
    changes = [r for r in wb["单元格改动"].iter_rows(min_row=2, values_only=True)]
    assert any(r[3] == typed["problem"] and r[7] == "已联系街道，下周上门" for r in changes)
    shown = zoufang("history", master, typed["problem"])
    assert shown.returncode == 0 and "已联系街道，下周上门" in shown.stdout and typed["return"].name in shown.stdout
    assert json.loads(zoufang("history", master, f"问题台账!{typed['office_cell']}", "--json").stdout)["changes"]


def test_files_with_peoples_data_handed_out_are_logged(office, tmp_path):
    from zoufang.jobs import ledgers_job, report_job
    master = copy_of(office, tmp_path)
    _, written = report_job(master, out_dir=tmp_path / "报告")
    files, _ = ledgers_job(master, tmp_path / "台账", unit=LIBRARY)
    entries = read_entries(master)
    assert [e["command"] for e in entries[-2:]] == ["report", "ledgers"]
    assert entries[-2]["outputs"] == [str(written)]
    assert sorted(entries[-1]["outputs"]) == sorted(str(p) for p in [*files.people, *files.units])
    assert all(e["master_before"] == e["master_after"] for e in entries[-2:])
    assert verify(master).intact
    from zoufang.jobs import check_book
    check_book(master, annotate=tmp_path / "标注.xlsx")  # the marked copy holds every row: logged too
    assert read_entries(master)[-1]["outputs"] == [str(tmp_path / "标注.xlsx")]
    unit_book = tmp_path / "单位.xlsx"
    shutil.copy(master, unit_book)
    check_book(unit_book, annotate=tmp_path / "单位标注.xlsx")  # a workbook without a log: nothing made beside it
    assert not log_path(unit_book).exists()
