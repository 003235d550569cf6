"""The clerk's command line, run as a clerk runs it (a real process): Chinese all through, nothing silent."""
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from builders import D, make_book, problem, visit

from zoufang.exchange.issue import issue

ENGLISH_FRAME = ("Usage:", "[OPTIONS]", "Show this message", "[required]", "[default:", "<path>", "<int", "Options",
                 "Arguments", "Commands", "Missing", "No such", "Did you mean", "is not a valid", "Got unexpected",
                 "Error:", "Try '")


def zoufang(*args, cwd=None, columns=80) -> subprocess.CompletedProcess:
    """``zoufang ARGS`` in a fresh process, its output captured as a file would be (not a terminal)."""
    env = dict(os.environ, COLUMNS=str(columns), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "zoufang", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=env, timeout=300)


def test_version_answers_on_its_own():
    done = zoufang("--version")
    assert done.returncode == 0 and re.fullmatch(r"zoufang \d+\.\d+\.\d+\n", done.stdout)


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["rota", "--help"], ["collect", "--help"],
                                  ["ledgers", "--help"]])
def test_help_pages_are_chinese(args):
    done = zoufang(*args)
    assert done.returncode == 0
    assert done.stdout.startswith("用法：zoufang")
    assert not [w for w in ENGLISH_FRAME if w in done.stdout], done.stdout
    assert "显示本帮助并退出" in done.stdout


def test_help_lists_options_aligned_as_they_show():
    from zoufang.cli_frame import display_width
    lines = [line for line in zoufang("ledgers", "--help").stdout.splitlines() if line.startswith("  --")]
    starts = {display_width(line[:m.start(1)]) for line in lines if (m := re.search(r"\S\s{2,}(\S)", line))}
    assert len(lines) >= 6 and len(starts) == 1  # every description begins in one column, Chinese metavars and all


@pytest.mark.parametrize("args, said", [
    (["check"], "缺少参数 BOOK"),
    (["chek", "x.xlsx"], "没有命令“chek”，是不是 check？"),
    (["check", "--foo", "x.xlsx"], "没有选项 --foo"),
    (["rota", "x.xlsx"], "缺少选项 --from"),
    (["rota", "x.xlsx", "--from", "2012-1-16", "--days", "abc"], "--days：“abc”不是整数"),
    (["rota", "x.xlsx", "--from", "2012-1-16", "--days", "0"], "--days：应在 1 到 366 之间"),
    (["check", "a.xlsx", "b.xlsx"], "多余的参数：b.xlsx"),
    (["check", "a.xlsx", "--limit"], "选项 --limit 后面缺少值"),
])
def test_usage_errors_are_chinese_with_the_usage_line(args, said):
    done = zoufang(*args)
    assert done.returncode == 2
    assert said in done.stderr
    assert not [w for w in ENGLISH_FRAME if w in done.stderr], done.stderr
    assert "用法：zoufang" in done.stderr


# ------------------------------------------------------------------ check on the screen
def test_findings_are_printed_whole_in_row_order_on_a_narrow_screen_and_in_a_file(tmp_path):
    book = tmp_path / "台账.xlsx"
    long_name = "一个非常非常长的走访对象名称" * 4
    make_book(book, visits=[visit("丙馆长", D(2011, 9, 5), head=long_name), visit("不存在的人", D(2011, 9, 6)),
                            visit("丙馆长", D(2012, 5, 1))],
              problems=[problem("甲局长", "已解决", reg=D(2011, 11, 10), solved=D(2011, 11, 1))])
    done = zoufang("check", book, "--limit", "100", columns=60)
    lines = [line for line in done.stdout.splitlines() if "!" in line]
    data = json.loads(zoufang("check", book, "--json").stdout)
    assert [line.split()[0] for line in lines] == [f"{f['sheet']}!{f['cell']}" for f in data["findings"] if f["cell"]]
    for f in data["findings"]:
        assert f["message"] in done.stdout and "…" not in done.stdout.replace("……另有", "")
    where = [(f["sheet"], f["row"] or 0) for f in data["findings"] if f["sheet"] == "走访记录"]
    assert where == sorted(where)


def test_a_problem_solved_before_it_was_registered_is_an_error_at_the_solved_date(tmp_path):
    book = tmp_path / "台账.xlsx"
    make_book(book, problems=[problem("甲局长", "已解决", reg=D(2011, 11, 10), solved=D(2011, 11, 1))])
    found = [f for f in json.loads(zoufang("check", book, "--json").stdout)["findings"]
             if f["code"] == "solved-before-registration"]
    assert len(found) == 1 and found[0]["level"] == "错误" and found[0]["column"] == "解决日期"


# ------------------------------------------------------------------ issue: nothing silent
def test_issue_lists_every_row_that_goes_to_no_unit_and_warns_of_errors(tmp_path):
    book = tmp_path / "总台账.xlsx"
    make_book(book, visits=[visit("丙馆长", D(2011, 9, 5)), visit("名单外的人", D(2011, 9, 6))])
    done = zoufang("issue", book, "--out", tmp_path / "下发")
    assert done.returncode == 1
    assert "未下发 走访记录!A3" in done.stdout and "名单外的人" in done.stdout
    assert "提醒：总台账有" in done.stderr
    as_json = json.loads(zoufang("issue", book, "--out", tmp_path / "下发2", "--json").stdout)
    assert [r["row"] for r in as_json["not_issued"]] == [3] and {u["unit"] for u in as_json["units"]} >= {"市图书馆"}


# ------------------------------------------------------------------ collect's messages
@pytest.fixture
def office(tmp_path):
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))])
    issued = {i.unit: i.path for i in issue(master, tmp_path / "out", now=dt.datetime.now().astimezone()
                                            - dt.timedelta(hours=2))}
    return master, issued


def test_collect_speaks_plainly_of_what_it_could_not_take(office, tmp_path):
    master, _ = office
    inbox = tmp_path / "回收"
    inbox.mkdir()
    shutil.copy(Path(__file__).parents[1] / "templates" / "半月简报.docx", inbox / "简报.docx")
    done = zoufang("collect", master, inbox, master)
    out = done.stdout
    assert "?" not in out and out.count("简报.docx") == 1, out
    assert "这是总台账本身" in out
    assert "下发单位“”" not in out
    assert not done.stderr.startswith("\n")


def test_collect_of_an_empty_folder_says_no_workbook_was_found(office, tmp_path):
    master, _ = office
    empty = tmp_path / "空的回收"
    empty.mkdir()
    done = zoufang("collect", master, empty)
    assert done.returncode == 1 and "没有找到要合并的工作簿" in done.stdout


def test_collect_names_a_missing_file_in_chinese_and_times_in_local_form(office, tmp_path):
    master, issued = office
    done = zoufang("collect", master, tmp_path / "不存在.xlsx")
    assert "No such file" not in done.stdout + done.stderr and "找不到" in done.stdout + done.stderr
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    wb["走访记录"]["K2"] = "改"
    wb.save(book)
    shutil.copy(book, tmp_path / "副本.xlsx")
    zoufang("collect", master, book)
    from builders import set_core_time
    set_core_time(tmp_path / "副本.xlsx", dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=30))
    done = zoufang("collect", master, tmp_path / "副本.xlsx")
    assert "UTC" not in done.stdout and re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", done.stdout), done.stdout


def test_collect_refuses_a_row_whose_date_is_a_formula_without_its_value(office):
    master, issued = office
    book = issued["市图书馆"]
    wb = openpyxl.load_workbook(book)
    wb["走访记录"]["B2"] = "=DATE(2011,9,8)"  # saved by a program that does not calculate
    wb.save(book)
    data = json.loads(zoufang("collect", master, book, "--json").stdout)
    refused, = data["files"][0]["rejected"]
    assert refused["cell"] == "B2" and "公式" in refused["reason"]
    ws = openpyxl.load_workbook(master)["走访记录"]
    assert isinstance(ws["B2"].value, dt.datetime)


def test_no_lock_file_stays_beside_the_master(office):
    master, issued = office
    zoufang("collect", master, issued["市图书馆"])
    assert not [p for p in master.parent.iterdir() if "lock" in p.name]


# ------------------------------------------------------------------ check, annotate and ledgers take what check takes
def test_annotate_writes_only_an_excel_copy_and_a_word_file_is_called_a_word_file(tmp_path):
    book = tmp_path / "台账.xlsx"
    make_book(book, visits=[visit("丙馆长", D(2011, 9, 5))])
    done = zoufang("check", book, "--annotate", tmp_path / "标注.docx")
    assert done.returncode == 2 and "应以 .xlsx 结尾" in done.stderr and not (tmp_path / "标注.docx").exists()
    word = Path(__file__).parents[1] / "templates" / "半月简报.docx"
    done = zoufang("check", word)
    assert "Word 文档" in done.stderr and "已损坏" not in done.stderr


def test_ledgers_go_beside_the_workbook_and_take_names_as_check_does(tmp_path):
    book = tmp_path / "办公室" / "台账.xlsx"
    book.parent.mkdir()
    make_book(book, visits=[visit("丙馆长", D(2011, 9, 5))])
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    done = zoufang("ledgers", book, "--person", "丙馆长 ", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert (book.parent / "台账" / "市图书馆").is_dir() and not (elsewhere / "台账").exists()
    done = zoufang("ledgers", book, "--unit", "市图书", cwd=elsewhere)
    assert done.returncode == 2 and "是否指“市图书馆”" in done.stderr
    assert zoufang("ledgers", book, "--unit", "市图书馆　", cwd=elsewhere).returncode == 0


def test_inits_date_validation_lets_text_dates_through(tmp_path):
    book = tmp_path / "台账.xlsx"
    assert zoufang("init", book).returncode == 0
    ws = openpyxl.load_workbook(book)["走访记录"]
    rule = next(v for v in ws.data_validations.dataValidation if "B2" in str(v.sqref))
    assert rule.type == "custom" and "ISTEXT(B2)" in rule.formula1


# ------------------------------------------------------------------ the docs stay inside the checkout
def test_every_relative_link_of_the_docs_leads_to_a_file_of_the_checkout():
    root = Path(__file__).parents[1]
    for doc in [root / "README.md", *(root / "docs").rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), (doc, target)
        assert "../shared/" not in doc.read_text(encoding="utf-8"), doc
    assert "--limit" in (root / "README.md").read_text(encoding="utf-8")
