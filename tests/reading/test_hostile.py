"""Workbooks from many hands, treated as untrusted: a clear Chinese refusal, nothing written, nothing lost."""
import datetime as dt
import json
import shutil
import time

import openpyxl
import pytest
from corpus import entity_bomb, make_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zoufang.checks.validate import validate
from zoufang.contract import schema
from zoufang.cli import app
from zoufang.files.names import safe_file_name, safe_sheet_name
from zoufang.progress.report import build_report
from zoufang.reading.reader import InputError, read_campaign

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize("name", ["不是压缩包.xlsx", "截断.xlsx", "加密.xlsx", "旧版.xls", "其实是csv.xlsx", "空文件.xlsx",
                                  "没有我们的表.xlsx", "新版本.xlsx", "压缩炸弹.xlsx"])
@pytest.mark.parametrize("command", ["check", "report"])
def test_files_that_are_not_what_they_claim_are_refused_clearly(corpus, name, command, tmp_path):
    path, words = corpus[name]
    before = path.read_bytes()
    args = [command, str(path)] + (["--annotate", str(tmp_path / "a.xlsx")] if command == "check" else
                                   ["--out", str(tmp_path / "out")])
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert path.name in result.output and words in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before and not (tmp_path / "a.xlsx").exists() and not (tmp_path / "out").exists()


def test_a_refused_file_in_a_collect_is_listed_and_the_master_is_kept(corpus, clean_demo, tmp_path):
    from zoufang.exchange.collect import collect
    from zoufang.exchange.issue import issue
    _, src = clean_demo
    master = tmp_path / "m.xlsx"
    shutil.copy(src, master)
    issue(master, tmp_path / "out")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("截断.xlsx", "压缩炸弹.xlsx", "其实是csv.xlsx"):
        shutil.copy(corpus[name][0], inbox / name)
    before = len(read_campaign(master)["visits"])
    result = collect(master, [inbox])
    assert [f.status for f in result.files] == ["refused"] * 3
    assert all(f.reason for f in result.files)
    assert len(read_campaign(master)["visits"]) == before


def test_an_entity_bomb_is_not_expanded(tmp_path):
    path = entity_bomb(tmp_path)
    start = time.perf_counter()
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert time.perf_counter() - start < 30
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output
    if result.exit_code != 2:
        assert "哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈" not in result.stdout


def test_the_macro_workbook_is_read_for_its_values_and_no_macro_runs():
    from pathlib import Path
    shipped = Path(__file__).parents[2] / "workbook" / "大走访台账.xlsm"
    result = runner.invoke(app, ["check", str(shipped), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["errors"] == 0


def test_control_characters_and_formula_text_survive_as_text(tmp_path):
    from builders import D, make_book, visit
    nasty = ["=HYPERLINK(\"http://evil\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "换\x07行\x1b字符"]
    master = tmp_path / "m.xlsx"
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5 + i), head=t, address=t) for i, t in enumerate(nasty)])
    assert validate(read_campaign(master)) is not None
    out = tmp_path / "out"
    for args in (["report", str(master), "--out", str(out)], ["ledgers", str(master), "--out", str(out)],
                 ["issue", str(master), "--out", str(out / "issue")], ["check", str(master), "--annotate",
                                                                        str(out / "a.xlsx")]):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), result.output
    for book in out.rglob("*.xlsx"):
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            if ws.title == schema.SELF_CHECK_SHEET:  # zoufang's own formulas, over the clerk's text
                continue
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (book.name, ws.title, c.coordinate, c.value)


@pytest.mark.parametrize("name, file_ok", [
    ("../../etc/passwd", "____etc_passwd"), ("市图书馆/分馆", "市图书馆_分馆"), ("CON", "CON_"), ("a:b*c?d", "a_b_c_d"),
    ("  .隐藏. ", "隐藏"), ("", "_"), ("COM0", "COM0_"), ("CONIN$", "CONIN$_"), ("lpt0.txt", "lpt0_.txt"),
    ("名单. . ", "名单"), ("市图书馆\u202e xslx.exe", "市图书馆 xslx.exe"), ("图书\u200b馆", "图书馆"),
])
def test_names_that_become_paths_are_safe(name, file_ok):
    assert safe_file_name(name) == file_ok


def test_long_cjk_names_fit_in_bytes_and_windows_paths(tmp_path):
    long = "文" * 100  # 300 bytes in UTF-8
    stem = safe_file_name(long)
    assert len((stem + ".xlsx").encode("utf-8")) <= 255
    used: set[str] = set()
    twins = [safe_file_name(long, used) for _ in range(3)]
    assert len(set(twins)) == 3 and all(len((t + ".xlsx").encode()) <= 255 for t in twins)
    deep = tmp_path / ("深" * 60) / ("层" * 60)
    stem = safe_file_name(long, folder=deep)
    assert len(str((deep / (stem + ".xlsx")).absolute())) <= 259


def test_issue_collect_and_ledgers_work_with_long_cjk_names(tmp_path):
    from builders import D, make_book, set_cell_by_header, visit

    from zoufang.exchange.collect import collect
    from zoufang.exchange.issue import issue
    folder = tmp_path / "办公室"
    folder.mkdir()
    master = folder / ("市直文广新系统五级书记带头大走访活动总台账" * 4)[:78]
    master = master.with_suffix(".xlsx")
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))])
    set_cell_by_header(master, "单位", "单位名称", 3, "市图书馆" + "分馆" * 48)  # a 100-character unit name
    set_cell_by_header(master, "人员", "单位名称", 4, "市图书馆" + "分馆" * 48)
    set_cell_by_header(master, "人员", "单位名称", 6, "市图书馆" + "分馆" * 48)
    issued = issue(master, tmp_path / "下发")
    long_unit = next(i for i in issued if i.unit.startswith("市图书馆"))
    assert long_unit.rows == 1 and len(long_unit.path.name.encode()) <= 255
    set_cell_by_header(long_unit.path, "走访记录", "地址", 2, "新地址")
    assert collect(master, [long_unit.path]).files[0].status == "merged"
    result = runner.invoke(app, ["ledgers", str(master), "--out", str(tmp_path / "台账")])
    assert result.exit_code == 0, result.output


def test_sheet_names_are_short_legal_and_unique():
    used: set[str] = set()
    long = "市文化广电新闻出版局机关文化市场综合执法支队第一大队第二中队"
    names = [safe_sheet_name(n, used) for n in (long, long, "a[b]:c*d?e/f\\g", "'引号'", "History")]
    assert all(len(n) <= 31 for n in names) and len(set(names)) == len(names)
    assert names[2] == "a_b__c_d_e_f_g" and not names[3].startswith("'") and names[4] == "_History"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_random_corruption_gives_findings_or_a_clean_refusal(data, clean_demo, tmp_path_factory):
    _, src = clean_demo
    raw = bytearray(src.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = tmp_path_factory.mktemp("fuzz") / "f.xlsx"
    path.write_bytes(bytes(raw))
    try:
        campaign = read_campaign(path)
    except InputError as exc:
        assert "f.xlsx" in str(exc)
        return
    validate(campaign)
    build_report(campaign)


cell_values = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12), st.integers(-10, 50000), st.floats(allow_nan=True),
                        st.booleans(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell_values, min_size=11, max_size=11), max_size=12),
       header_shuffle=st.permutations(list(range(11))))
def test_fuzz_messy_plausible_workbooks_only_ever_give_findings(rows, header_shuffle, tmp_path_factory):
    from builders import make_book

    from zoufang.contract import schema
    path = tmp_path_factory.mktemp("messy") / "m.xlsx"
    make_book(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.VISITS.name]
    labels = schema.VISITS.labels
    for j, k in enumerate(header_shuffle, start=1):
        ws.cell(1, j, labels[k])
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, v.isoformat() if isinstance(v, dt.date) and j % 2 else v)
    wb.save(path)
    campaign = read_campaign(path)
    findings = validate(campaign)
    assert all(f.level in ("错误", "警告") and f.message for f in findings)
    build_report(campaign)


def test_ctrl_c_in_the_middle_of_a_collect_leaves_the_master_as_it_was(clean_demo, tmp_path, monkeypatch):
    from zoufang.exchange import master_edit
    from zoufang.exchange.collect import collect
    from zoufang.exchange.issue import issue
    _, src = clean_demo
    master = tmp_path / "m.xlsx"
    shutil.copy(src, master)
    unit_file = issue(master, tmp_path / "out")[0].path
    from builders import set_cell_by_header
    set_cell_by_header(unit_file, "走访记录", "地址", 2, "改过的地址")
    before = master.read_bytes()

    def interrupted(self, target):
        open(target, "wb").write(b"PK partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(master_edit.MasterEditor, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        collect(master, [unit_file])
    assert master.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~zoufang")]
    from zoufang.exchange.master_lock import MasterLock
    with MasterLock(master):  # released with the interrupted run
        pass


def test_a_permission_error_while_writing_is_a_message_and_the_old_file_stays(tmp_path, monkeypatch):
    from zoufang.files import safe_io
    book = tmp_path / "台账.xlsx"
    assert runner.invoke(app, ["init", str(book)]).exit_code == 0
    before = book.read_bytes()

    def denied(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(safe_io.os, "replace", denied)
    result = runner.invoke(app, ["init", str(book), "--demo", "--force"])
    assert result.exit_code == 2 and ("无法写入" in result.output or "读写文件失败" in result.output) and "Traceback" not in result.output
    assert book.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~zoufang")]


def test_issue_and_collect_on_one_master_are_serialised(clean_demo, tmp_path):
    from builders import D, make_book, visit

    from zoufang.exchange.master_lock import MasterLock as CollectLock
    master = tmp_path / "m.xlsx"
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))])  # a row without a record number: issue must write
    with CollectLock(master):
        result = runner.invoke(app, ["issue", str(master), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "另一个任务" in result.output
    assert runner.invoke(app, ["issue", str(master), "--out", str(tmp_path / "out")]).exit_code == 0


def test_dates_beyond_the_calendar_and_infinite_numbers_are_findings_at_their_cells(tmp_path):
    from builders import D, make_book, visit
    from openpyxl import load_workbook
    path = tmp_path / "远日期.xlsx"
    make_book(path, visits=[visit("丙馆长", D(2011, 9, 5)), visit("丙馆长", D(2011, 9, 6))],
              wenzheng=[{"date": D(2011, 10, 1), "person": "甲局长", "mode": "在线交流", "topic": "题目",
                         "participants": "inf"}, {"date": D(2011, 10, 2), "person": "甲局长", "mode": "在线交流",
                                                  "topic": "题目二", "participants": "1e309"}])
    wb = load_workbook(path)
    ws = wb["走访记录"]
    ws["B2"].value = dt.datetime(3011, 9, 5)  # a real date cell far in the future
    ws["B3"].value = "9999-12-31"
    wb.save(path)
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    found = {(f["code"], f["sheet"], f["cell"]) for f in json.loads(result.stdout)["findings"]}
    assert {("bad-date", "走访记录", "B2"), ("bad-date", "走访记录", "B3"),
            ("bad-number", "问政记录", "F2"), ("bad-number", "问政记录", "F3")} <= found


def test_a_return_with_far_dates_and_infinite_numbers_keeps_them_as_the_clerk_typed(tmp_path):
    from builders import D, make_book, set_cell_by_header, visit

    from zoufang.exchange.collect import collect
    from zoufang.exchange.issue import issue
    from zoufang.reading.reader import read_campaign
    master = tmp_path / "m.xlsx"
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))],
              activities=[{"date": D(2011, 10, 1), "kind": "送服务", "lead": "丙馆长", "unit": "市图书馆", "participants": 5}])
    unit_file = next(i.path for i in issue(master, tmp_path / "out") if i.unit == "市图书馆")
    set_cell_by_header(unit_file, "走访记录", "走访日期", 2, "3011-9-5")
    set_cell_by_header(unit_file, "活动记录", "参与人数", 2, "1e309")
    result = collect(master, [unit_file]).files[0]
    assert result.status == "merged" and result.updated == 2
    campaign = read_campaign(master)
    assert campaign["visits"].text["date"].tolist() == ["3011-9-5"]
    assert campaign["activities"].text["participants"].tolist() == ["1e309"]


@pytest.mark.parametrize("far_cell", ["XFD1048576", "XFD3000", "A99999999", "A9999999", "A1048577"])
def test_a_sheet_with_a_far_away_cell_is_refused_at_once_and_the_batch_goes_on(clean_demo, tmp_path, far_cell):
    import subprocess
    import sys

    from builders import set_cell_by_header

    from zoufang.exchange.collect import collect
    from zoufang.exchange.issue import issue
    _, src = clean_demo
    master = tmp_path / "m.xlsx"
    shutil.copy(src, master)
    issued = issue(master, tmp_path / "out")
    good = issued[0].path
    set_cell_by_header(good, "走访记录", "地址", 2, "好的回收表")
    hostile = tmp_path / "out" / "hostile.xlsx"
    wb = openpyxl.load_workbook(issued[1].path)
    if far_cell.startswith("A") and int(far_cell[1:]) > 1_048_576:  # past Excel's last row
        wb.save(hostile)
        _rewrite_far_row(hostile, int(far_cell[1:]))
    else:
        wb["走访记录"][far_cell] = "x"
        wb.save(hostile)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "zoufang", "check", str(hostile)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "数据范围异常" in done.stderr and "panicked" not in done.stderr
    assert "worksheets/" not in done.stderr  # the sheet by its name, not by its part in the package
    assert any(f"“{name}”" in done.stderr or f"{name}!" in done.stderr for name in wb.sheetnames)
    assert time.perf_counter() - started < 30  # a refusal, not an allocation (it aborted the process before)
    result = collect(master, [hostile, good])
    assert [f.status for f in result.files] == ["refused", "merged"]


def _rewrite_far_row(path, row: int):
    """Move the last row of the first sheet with a row 2 to ``row`` in its XML (openpyxl cannot write past
    Excel's rows)."""
    import re
    import zipfile
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/") and b"A2" in data:
                data = re.sub(rb'(<row r=")(\d+)(")((?:(?!</row>).)*?)(</row>)(</sheetData>)',
                              lambda m: m.group(1) + b"%d" % row + m.group(3)
                              + re.sub(rb'r="([A-Z]+)\d+"', rb'r="\g<1>%d"' % row, m.group(4)) + m.group(5) + m.group(6),
                              data, count=1, flags=re.S)
            dst.writestr(item, data)
    tmp.replace(path)
