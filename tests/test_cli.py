"""The command line as a clerk's script uses it: exit codes, messages, files."""
import openpyxl
from typer.testing import CliRunner

from zoufang.cli import app
from zoufang.contract import schema

runner = CliRunner()


def test_init_writes_a_master_and_refuses_to_overwrite_it(tmp_path):
    book = tmp_path / "台账.xlsx"
    result = runner.invoke(app, ["init", str(book)])
    assert result.exit_code == 0, result.output
    assert schema.VISITS.name in openpyxl.load_workbook(book).sheetnames
    before = book.read_bytes()
    result = runner.invoke(app, ["init", str(book), "--demo"])
    assert result.exit_code == 2
    assert "已存在" in result.output
    assert book.read_bytes() == before


def test_init_force_keeps_a_backup_of_the_old_workbook(tmp_path):
    book = tmp_path / "台账.xlsx"
    runner.invoke(app, ["init", str(book)])
    before = book.read_bytes()
    result = runner.invoke(app, ["init", str(book), "--demo", "--force"])
    assert result.exit_code == 0, result.output
    backups = list((tmp_path / "备份").glob("台账.*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert book.read_bytes() != before


def test_demo_runs_the_main_job_and_prints_a_summary(tmp_path):
    result = runner.invoke(app, ["demo", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "示例工作簿" in result.output
    assert (tmp_path / "out" / "大走访台账-示例.xlsx").exists()
    assert (tmp_path / "out" / "半月简报-第9期-2012-01-15.docx").exists() and "半月简报 第9期" in result.output


def modules_after(argv: list[str]) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``zoufang argv``."""
    import subprocess
    import sys
    script = ("import sys\nfrom zoufang.cli import app\ntry:\n    app(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "sys.stderr.write('\\nMODULES ' + ' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True)
    return set(done.stderr.rsplit("MODULES ", 1)[1].split())


WRITERS = {"openpyxl", "xlsxwriter", "lxml", "docx", "docxtpl", "matplotlib", "xlwings", "oletools", "rapidfuzz",
           "olefile", "filelock", "PIL", "jinja2"}
UNNEEDED = {"pydantic",  # typer 0.29 coerces options through pydantic: +0.08 s per click (typer pinned to 0.28)
            "rich"}  # a --json run prints no table


def test_check_and_report_import_only_what_they_use(clean_demo):
    """Every button click starts a fresh interpreter: the check and report paths load no writer."""
    _, path = clean_demo
    for command in (["check", str(path), "--json"], ["report", str(path), "--json"]):
        loaded = modules_after(command)
        assert "pandas" in loaded and "python_calamine" in loaded  # it did the work
        assert not loaded & (WRITERS | UNNEEDED), (command[0], loaded & (WRITERS | UNNEEDED))
    assert "pandas" not in modules_after(["--help"]) and "numpy" not in modules_after(["--help"])
    import subprocess
    import sys
    buttons = subprocess.run([sys.executable, "-c", "import sys, zoufang.excel.binding; "
                              "print(' '.join({m.split('.')[0] for m in sys.modules}))"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert not set(buttons) & WRITERS  # 校验数据 and 统计完成情况 load no writer either


def test_the_console_entry_runs_the_exit_functions_and_keeps_the_exit_code(tmp_path):
    """``zoufang`` ends its process without the interpreter's teardown (freeing a large workbook object by object):
    what was registered to run at exit still runs, the output is whole and the exit code is the command's."""
    import json
    import subprocess
    import sys
    script = ("import atexit, sys; atexit.register(lambda: print('exit functions ran', flush=True)); "
              "sys.argv = ['zoufang', *sys.argv[1:]]; from zoufang.cli import run; run()")
    ok = subprocess.run([sys.executable, "-c", script, "--version"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "zoufang" in ok.stdout and "exit functions ran" in ok.stdout
    missing = subprocess.run([sys.executable, "-c", script, "check", str(tmp_path / "无.xlsx")], capture_output=True,
                             text=True, timeout=120)
    assert missing.returncode == 2 and "找不到文件" in missing.stderr and "exit functions ran" in missing.stdout
    book = tmp_path / "总台账.xlsx"
    assert subprocess.run([sys.executable, "-m", "zoufang", "init", str(book)], timeout=120).returncode == 0
    checked = subprocess.run([sys.executable, "-m", "zoufang", "check", str(book), "--json"], capture_output=True,
                             text=True, timeout=120)
    assert json.loads(checked.stdout)["file"] == str(book)  # a pipe gets every byte before the process ends


def test_the_collector_stays_on_after_every_in_process_command(clean_demo, tmp_path):
    """The page's server, the Excel button's Python and this test suite run many commands in one process: none of
    them may leave Python's garbage collector switched off (memory would only grow). Only the console entry's own
    short-lived process trades the collector for speed."""
    import gc
    _, path = clean_demo
    assert gc.isenabled()
    for argv in (["check", str(path)], ["check", str(path), "--json"], ["report", str(path), "--json"],
                 ["report", str(path)]):
        result = runner.invoke(app, argv)
        assert result.exit_code in (0, 1), result.output
        assert gc.isenabled(), argv


def test_the_console_entry_alone_runs_check_without_the_collector(clean_demo):
    """In its own process ``zoufang check`` (no --annotate) ends with the collector off: the trade is made there."""
    import subprocess
    import sys
    script = ("import gc, sys, zoufang.cli as c; import atexit; "
              "atexit.register(lambda: sys.stderr.write('GC %s' % gc.isenabled())); sys.argv = ['zoufang'] + sys.argv[1:]; c.run()")
    done = subprocess.run([sys.executable, "-c", script, "check", str(clean_demo[1]), "--json"],
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr.endswith("GC False"), done.stderr[-300:]


# ------------------------------------------------------------------ what the clerk reads first is true (#41)
def zoufang(*argv) -> "subprocess.CompletedProcess":
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "zoufang", *map(str, argv)], capture_output=True, text=True,
                          timeout=600)


def test_check_lists_every_error_before_the_warnings_and_counts_by_rule(demo):
    """The demo's 5 errors all show before its warnings though 47 warnings come earlier in row order; a closing
    count by rule in Chinese; what --limit left out, and how to see it."""
    _, book = demo
    import json
    findings = json.loads(zoufang("check", book, "--json").stdout)["findings"]
    errors = [f for f in findings if f["level"] == "错误"]
    done = zoufang("check", book, "--limit", len(errors) + 2)
    assert done.returncode == 1
    lines = done.stdout.splitlines()[1:]
    shown = lines[:len(errors) + 2]
    assert [line.split()[0] for line in shown[:len(errors)]] == [f"{f['sheet']}!{f['cell']}" for f in errors]
    assert all("警告" in line for line in shown[len(errors):])
    hidden = len(findings) - len(errors) - 2
    assert f"另有警告 {hidden} 条未列出" in done.stdout and f"--limit {len(findings)}" in done.stdout
    closing = lines[-1]
    assert closing.startswith("按规则：") and "调研日期重叠" in closing and "overlapping" not in closing
    overlaps = [f for f in findings if f["code"] == "overlapping-trips"]
    assert overlaps and all("调研记录!" in f["message"] for f in overlaps)


def test_every_command_that_reads_a_master_with_errors_says_so_and_exits_1(demo, tmp_path):
    _, book = demo
    for argv in (["report", book], ["report", book, "--json"], ["ledgers", book, "--out", tmp_path / "台账",
                                                               "--unit", "市图书馆"],
                 ["brief", book, "--out", tmp_path], ["rota", book, "--from", "2012-01-16", "--out", tmp_path],
                 ["summary", book, "--as-of", "2012-02-29", "--out", tmp_path]):
        done = zoufang(*argv)
        assert done.returncode == 1, (argv, done.stderr[-500:])
        assert f"总台账有 5 条错误，数字可能不准：zoufang check {book.name}" in done.stderr, argv


def test_a_clean_master_reports_with_exit_0_and_no_warning_line(clean_demo):
    _, book = clean_demo
    done = zoufang("report", book)
    assert done.returncode == 0 and "条错误" not in done.stderr


def test_every_option_a_user_can_type_is_in_its_help():
    done = zoufang("issue", "--help")
    assert "--encrypt" in done.stdout and "--no-encrypt" in done.stdout


def test_the_overdue_count_holds_only_items_past_their_deadline(demo):
    """DOMAIN.md: the 挂牌督办 list at D holds every item past its deadline and still open at D — a 信访积案 due
    later is not in it, in the CLI line or the JSON."""
    import json
    _, book = demo
    doc = json.loads(zoufang("report", book, "--json").stdout)
    assert doc["overdue"] and all(r["days_overdue"] >= 1 for r in doc["overdue"])
    assert all(r["办结时限"] < doc["as_of"] for r in doc["overdue"])
    assert f"超期 {len(doc['overdue'])} 项" in zoufang("report", book).stdout
