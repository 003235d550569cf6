"""Workbooks from many hands, treated as untrusted: a clear Chinese refusal, nothing written, nothing lost."""
import datetime as dt
import json
import shutil
import time

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus import entity_bomb, make_corpus
from zoufang.cli import app
from zoufang.names import safe_file_name, safe_sheet_name
from zoufang.reading import InputError, read_campaign
from zoufang.report import build_report
from zoufang.validate import validate

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
    from zoufang.exchange import collect, issue
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
    shipped = Path(__file__).parents[1] / "workbook" / "大走访台账.xlsm"
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
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (book.name, ws.title, c.coordinate, c.value)


@pytest.mark.parametrize("name, file_ok", [
    ("../../etc/passwd", "___etc_passwd"), ("市图书馆/分馆", "市图书馆_分馆"), ("CON", "_CON"), ("a:b*c?d", "a_b_c_d"),
    ("  .隐藏. ", "隐藏"), ("", "_"),
])
def test_names_that_become_paths_are_safe(name, file_ok):
    assert safe_file_name(name) == file_ok


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
    from zoufang import schema
    from builders import make_book
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
    from zoufang import master_edit
    from zoufang.exchange import collect, issue
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
    from zoufang.master_lock import MasterLock
    with MasterLock(master):  # released with the interrupted run
        pass


def test_a_permission_error_while_writing_is_a_message_and_the_old_file_stays(tmp_path, monkeypatch):
    from zoufang import safe_io
    book = tmp_path / "台账.xlsx"
    assert runner.invoke(app, ["init", str(book)]).exit_code == 0
    before = book.read_bytes()

    def denied(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(safe_io.os, "replace", denied)
    result = runner.invoke(app, ["init", str(book), "--demo", "--force"])
    assert result.exit_code == 2 and "读写文件失败" in result.output and "Traceback" not in result.output
    assert book.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~zoufang")]


def test_issue_and_collect_on_one_master_are_serialised(clean_demo, tmp_path):
    from zoufang.master_lock import MasterLock as CollectLock
    from builders import make_book, visit, D
    master = tmp_path / "m.xlsx"
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))])  # a row without a record number: issue must write
    with CollectLock(master):
        result = runner.invoke(app, ["issue", str(master), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "另一个任务" in result.output
    assert runner.invoke(app, ["issue", str(master), "--out", str(tmp_path / "out")]).exit_code == 0
