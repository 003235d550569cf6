"""Benchmarks at demo, city and province scale: wall time, peak memory, ratio to a same-run baseline.

    python bench/run.py            # everything (several minutes)
    python bench/run.py --quick    # demo, city and the 110 units only
    python bench/run.py --sizes units-110    # only the sizes named

Each measurement runs in a child process of its own, so that its peak memory
(ru_maxrss) is its own. check and report are also timed as whole processes (`python -m zoufang
check BOOK --json`, what a user or a button click waits for: interpreter start, imports, work)
against a whole process that only reads the same file with python-calamine ("·进程" rows), and for the small
sizes also against one that imports pandas first ("·进程/pd" rows). The baseline is measured in the same run on the same
files: the fast reader's raw read (python-calamine) for check, report and collect,
the raw writer's write of the same cells (XlsxWriter, which writes both) for ledgers and
issue: every stored cell of the files made, with its format (borders, fonts, fills,
number formats), styled blanks included. The values-only write is printed beside it.
For demo and city, issue, collect (one return; every return) and ledgers (demo) are also timed as whole processes
against whole processes doing their least (baselines.py), and LibreOffice opening a unit's workbook with 自查 and
本单位进度 against the same workbook without them (self_check_open.py; skipped without soffice).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # baselines.py and typed_book.py beside this script
from baselines import read_all, styled_cells, write_books  # noqa: E402
SIZES = {  # name: (units, people, visit rows); None = as the demo's units cloned, 0 rows = as cloned
    "demo": (11, None, 0),
    "city": (20, 500, 20_000),
    "city-100k": (20, 500, 100_000),
    "province": (40, 1_200, 300_000),  # 300,000 rows on 走访记录, the largest sheet
    "ledger-1000": (70, 1_000, 0),  # 1,000 people and the demo's entries for each: ledgers of everyone
    "units-110": (110, None, 0),  # 110 units: 100 unit workbooks of the demo's unit size for collect
    # as clerks type them (typed_book.py): text dates in every form, distinct addresses, an extra column, openpyxl
    "typed-200": (3, 30, 200),
    "typed-100k": (20, 500, 100_000),
    "typed-300k": (40, 1_200, 300_000),
}
TYPED = {"typed-200", "typed-100k", "typed-300k"}


def child(task: str, args: dict) -> dict:
    """Run one measurement in a fresh interpreter; return its timings and peak memory."""
    out = subprocess.run([sys.executable, __file__, "--child", task, json.dumps(args, ensure_ascii=False)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


RAW_READ_SCRIPT = ("import sys, python_calamine as c; b = c.CalamineWorkbook.from_path(sys.argv[1]); "
                   "[b.get_sheet_by_name(s).to_python() for s in b.sheet_names]")
PANDAS_RAW_READ_SCRIPT = "import pandas; " + RAW_READ_SCRIPT  # a small book's floor: pandas has to be imported
SMALL = {"demo", "typed-200"}  # sizes whose whole processes are also compared with pandas + the raw read


def process(cmd: list[str], repeat: int = 3, setup=None) -> dict:
    """A whole process as a user waits for it (interpreter start, imports, work): the fastest of ``repeat`` runs,
    ``setup()`` before each (not timed)."""
    best = float("inf")
    for _ in range(repeat):
        if setup:
            setup()
        best = min(best, timed(lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                                      check=False)))
    return {"seconds": best, "peak_mb": 0}


BASELINES = str(Path(__file__).resolve().with_name("baselines.py"))
ZOUFANG = [sys.executable, "-m", "zoufang"]


def writing_processes(size: str, book: Path, made: dict, work: Path) -> list[dict]:
    """issue, collect (one return; every return) and ledgers as whole processes, each against a whole process
    doing its least (baselines.py): what a clerk waits for after a click."""
    import pickle
    rows = []
    master, out = work / f"{size}-proc-master.xlsx", work / f"{size}-proc-issue"

    def fresh_issue():
        shutil.copy(book, master)
        shutil.rmtree(out, ignore_errors=True)
    issued = process([*ZOUFANG, "issue", str(master), "--out", str(out), "--json"], 2, fresh_issue)
    files = sorted(out.glob("*.xlsx"))
    cells = work / f"{size}-issue-cells.pickle"
    cells.write_bytes(pickle.dumps(styled_cells(files)))
    floor = process([sys.executable, BASELINES, "write", str(cells), str(book), str(work / "floor")], 2)
    rows.append(_row(size, f"issue×{len(files)}·进程", made, issued, floor))
    issued_master, inbox = work / f"{size}-issued.xlsx", work / f"{size}-inbox"
    shutil.copy(master, issued_master)
    inbox.mkdir(exist_ok=True)
    for f in files:  # each unit's clerk changes a row and sends the workbook back
        edited_return(f, inbox / f.name)
    returns = sorted(inbox.glob("*.xlsx"))
    for label, paths in (("collect×1·进程", returns[:1]), (f"collect×{len(returns)}·进程", [inbox])):
        merged = process([*ZOUFANG, "collect", str(master), *map(str, paths), "--json"], 2,
                         lambda: shutil.copy(issued_master, master))
        base = process([sys.executable, BASELINES, "collect", str(issued_master), *map(str, paths)], 2)
        rows.append(_row(size, label, made, merged, base))
    return rows


def edited_return(issued: Path, target: Path) -> None:
    """``issued`` as its unit's clerk sends it back: one visit's 备注 typed, saved by openpyxl."""
    import openpyxl

    from zoufang.contract.schema import VISITS
    wb = openpyxl.load_workbook(issued)
    ws = wb[VISITS.name]
    header = [c.value for c in ws[1]]
    if ws.max_row > 1:
        ws.cell(2, header.index(VISITS.col("remark").label) + 1, "已回访")
    wb.save(target)


def ledger_process(size: str, book: Path, made: dict, work: Path) -> dict:
    """``zoufang ledgers BOOK`` as a whole process against reading the book and writing the same styled cells."""
    import pickle
    out = work / f"{size}-proc-ledgers"
    done = process([*ZOUFANG, "ledgers", str(book), "--out", str(out)], 2, lambda: shutil.rmtree(out, ignore_errors=True))
    files = sorted(out.rglob("*.xlsx"))
    cells = work / f"{size}-ledger-cells.pickle"
    cells.write_bytes(pickle.dumps(styled_cells(files)))
    floor = process([sys.executable, BASELINES, "write", str(cells), str(book), str(work / "floor-ledgers")], 2)
    return _row(size, f"ledgers×{len(files)}·进程", made, done, floor)


def self_check_open_row(work: Path) -> dict | None:
    """LibreOffice loading, recalculating and saving a unit's issued workbook with 自查 and 本单位进度, against the
    same workbook without them (self_check_open.py); None without LibreOffice."""
    if not shutil.which("soffice"):
        return None
    from self_check_open import ROWS, open_and_recalculate, unit_content

    from zoufang.xlsx.book_writer import write_book
    plain, checked = work / "unit-plain.xlsx", work / "unit-checked.xlsx"
    write_book(plain, unit_content(False))
    write_book(checked, unit_content(True, True, work))
    base, with_checks = open_and_recalculate(plain, 2), open_and_recalculate(checked, 2)
    made = {"units": 1, "people": 0, "visits": ROWS}
    return _row("unit-2000", "自查·LibreOffice", made, {"seconds": with_checks, "peak_mb": 0}, {"seconds": base})


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run_child(task: str, a: dict) -> dict:
    result: dict = {}
    if task == "make":
        from zoufang.demo.campaign import build_demo
        from zoufang.demo.scale import scaled_content
        from zoufang.xlsx.book_writer import write_book
        units, people, rows = a["units"], a["people"], a["rows"]
        if units == 11 and people is None and not rows:
            content = build_demo(clean=True).content
        else:
            content = scaled_content(rows, units=units, people=people)
        result["seconds"] = timed(lambda: write_book(Path(a["book"]), content))
        if a.get("typed"):
            from typed_book import write_typed_book
            made = Path(a["book"]).with_suffix(".made.xlsx")
            Path(a["book"]).replace(made)
            write_typed_book(made, Path(a["book"]))
        result["visits"] = len(content.frames["visits"])
        result["people"] = len(content.frames["people"])
        result["units"] = len(content.frames["units"])
    elif task in ("raw_read", "check", "report"):
        from zoufang.checks.validate import validate
        from zoufang.progress.report import build_report
        from zoufang.reading.reader import read_campaign
        work = {"raw_read": lambda: read_all(Path(a["book"])),  # python-calamine alone, every sheet
                "check": lambda: validate(read_campaign(Path(a["book"]))),
                "report": lambda: build_report(read_campaign(Path(a["book"])))}[task]
        result["seconds"] = min(timed(work) for _ in range(a.get("repeat", 1)))
    elif task == "ledgers":
        from zoufang.ledgers.books import template_folder, write_ledgers
        from zoufang.ledgers.figures import LedgerData
        from zoufang.reading.reader import read_campaign
        out = Path(a["out"])

        def job():  # as `zoufang ledgers BOOK` does it: read, compute, write every ledger
            data = LedgerData.of(read_campaign(Path(a["book"])))
            write_ledgers(data, out, template_folder(Path(a["book"])))
        result["seconds"] = timed(job)
        result["files"] = sum(1 for _ in out.rglob("*.xlsx"))
        result["cells"] = _count_cells(out)
    elif task == "issue":
        from zoufang.exchange.issue import issue
        result["seconds"] = timed(lambda: issue(Path(a["book"]), Path(a["out"])))
    elif task == "raw_write":  # XlsxWriter writing the same cells to as many files (issue and ledgers use it)
        files = sorted(Path(a["out"]).rglob("*.xlsx"))
        if a.get("styled"):
            books = styled_cells(files)
            result["seconds"] = timed(lambda: write_books(books, Path(a["tmp"])))
        else:
            import xlsxwriter
            grids = _grids_of(files)

            def write_all():
                for i, sheets in enumerate(grids):
                    wb = xlsxwriter.Workbook(str(Path(a["tmp"]) / f"raw{i}.xlsx"), {"in_memory": True})
                    for name, cells in sheets.items():
                        ws = wb.add_worksheet(name)
                        for row_number, row in enumerate(cells):
                            ws.write_row(row_number, 0, row)
                    wb.close()
            result["seconds"] = timed(write_all)
    elif task == "collect":
        from zoufang.exchange.collect import collect
        result["seconds"] = timed(lambda: collect(Path(a["book"]), [Path(a["inbox"])]))
    elif task == "collect_raw":
        import openpyxl
        files = sorted(Path(a["inbox"]).glob("*.xlsx"))

        def raw():
            for f in files:
                read_all(f)
            read_all(Path(a["book"]))
            openpyxl.load_workbook(a["book"]).save(Path(a["tmp"]) / "master-copy.xlsx")
        result["seconds"] = timed(raw)
    elif task == "audit_year":  # a year of a busy office: 250 collects, 100,000 changed cells; verified end to end
        result["seconds"], result["entries"], result["cells"] = audit_year(Path(a["tmp"]), a.get("log_only", False))
    elif task == "collect_audit":  # collect, with the audit trail's own steps timed apart
        result["seconds"], result["audit_seconds"] = collect_audit_share(Path(a["book"]), Path(a["inbox"]))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def audit_year(folder: Path, log_only: bool) -> tuple[float, int, int]:
    """A log of 250 entries of 400 changed cells each (and 40 files) beside a master; the time ``verify`` takes,
    or with ``log_only`` the baseline: reading the log and parsing each line, what any checker must do."""
    import json as json_module

    import openpyxl

    from zoufang.audit.trail import Entry, append, log_path, sha256_file
    from zoufang.audit.verify import verify
    from zoufang.exchange.secret_key import load_secret
    master = folder / "year" / "总台账.xlsx"
    master.parent.mkdir(parents=True, exist_ok=True)
    openpyxl.Workbook().save(master)
    key, digest = load_secret(master, create=True), sha256_file(master)
    for k in range(250):
        changes = [{"sheet": "走访记录", "record": f"TSG-ZF{k * 400 + j:05d}", "cell": f"G{j + 2}", "column": "地址",
                    "old": f"庞庄村{j}组", "new": f"庞庄村{j}组{k}号", "source": f"单位{j % 40}.xlsx",
                    "decision": "merged"} for j in range(400)]
        files = [{"name": f"单位{j}.xlsx", "sha256": "0" * 64, "unit": f"单位{j}", "status": "merged"} for j in range(40)]
        append(master, key, Entry("collect", digest, digest, files, changes))
    if log_only:
        def work():
            with open(log_path(master), encoding="utf-8") as fh:
                return [json_module.loads(line) for line in fh]
    else:
        def work():
            verdict = verify(master, key)
            assert verdict.intact, verdict.line()
    return min(timed(work) for _ in range(2)), 250, 100_000


def collect_audit_share(book: Path, inbox: Path) -> tuple[float, float]:
    """(collect's seconds, the seconds of its audit steps: the log, the cells before and after, receipts)."""
    from zoufang.exchange import collect as collect_module
    spent = [0.0]

    def timing(fn):
        def wrapped(*args, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                spent[0] += time.perf_counter() - t0
        return wrapped

    for name in ("states_of", "changes_between", "attributed", "_receipts"):
        setattr(collect_module, name, timing(getattr(collect_module, name)))
    recorder = collect_module.Recorder
    collect_module.Recorder = timing(recorder)
    recorder.record = timing(recorder.record)
    total = timed(lambda: collect_module.collect(book, [inbox]))
    return total, spent[0]


def _grids_of(files: list[Path]) -> list[dict[str, list]]:
    """Every sheet's values of each file: the cells the values-only baseline writes again."""
    import python_calamine as calamine
    out = []
    for f in files:
        book = calamine.CalamineWorkbook.from_path(str(f))
        out.append({s: book.get_sheet_by_name(s).to_python() for s in book.sheet_names})
    return out


def _count_cells(folder: Path) -> int:
    import python_calamine as calamine
    n = 0
    for f in folder.rglob("*.xlsx"):
        book = calamine.CalamineWorkbook.from_path(str(f))
        for s in book.sheet_names:
            n += sum(1 for row in book.get_sheet_by_name(s).to_python() for v in row if v not in ("", None))
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="demo, city and the 110 units only")
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), help="only these sizes")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--markdown", action="store_true", help="also print the results as a Markdown table")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child[0], json.loads(args.child[1]))))
        return
    sizes = args.sizes or (["demo", "city", "units-110", "typed-200"] if args.quick else list(SIZES))
    check_sizes = {"demo", "city", "city-100k", "province"} | TYPED
    rows = []
    work = Path(tempfile.mkdtemp(prefix="zoufang-bench-"))
    print(f"机器：{platform.processor() or platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}")
    print(f"{'规模':<12}{'任务':<14}{'单位':>6}{'人员':>7}{'行数':>9}{'耗时/秒':>9}{'基线/秒':>9}{'比值':>7}"
          f"{'仅值比值':>9}{'内存/MB':>9}")
    try:
        for size in sizes:
            units, people, visit_rows = SIZES[size]
            book = work / f"{size}.xlsx"
            made = child("make", {"book": str(book), "units": units, "people": people, "rows": visit_rows,
                                  "typed": size in TYPED})
            raw = child("raw_read", {"book": str(book), "repeat": 2})
            for task in ("check", "report") if size in check_sizes else ():
                r = child(task, {"book": str(book), "repeat": 2})
                rows.append(_row(size, task, made, r, raw))
            if size in check_sizes:  # whole processes: `zoufang check` against a process that only reads the file
                raw_process = process([sys.executable, "-c", RAW_READ_SCRIPT, str(book)])
                pandas_process = process([sys.executable, "-c", PANDAS_RAW_READ_SCRIPT, str(book)])
                for task in ("check", "report"):
                    r = process([sys.executable, "-m", "zoufang", task, str(book), "--json"])
                    rows.append(_row(size, f"{task}·进程", made, r, raw_process))
                    if size in SMALL:
                        rows.append(_row(size, f"{task}·进程/pd", made, r, pandas_process))
            if size in ("demo", "ledger-1000" if not args.quick else "city"):
                out = work / f"{size}-ledgers"
                led = child("ledgers", {"book": str(book), "out": str(out)})
                rows.append(_row(size, f"ledgers×{led['files']}", made, led, *_write_baselines(out, work)))
            if size in ("demo", "city", "units-110"):
                issued = work / f"{size}-issue"
                iss = child("issue", {"book": str(book), "out": str(issued)})
                rows.append(_row(size, f"issue×{len(list(issued.glob('*.xlsx')))}", made, iss,
                                 *_write_baselines(issued, work)))
            if size in ("city", "demo"):
                rows.extend(writing_processes(size, book, made, work))
            if size == "demo":
                rows.append(ledger_process(size, book, made, work))
            if size == "units-110":
                inbox = work / "inbox"
                inbox.mkdir()
                for src in sorted(issued.glob("*.xlsx"))[:100]:  # 100 different units' workbooks
                    shutil.copy(src, inbox / src.name)
                base = child("collect_raw", {"book": str(book), "inbox": str(inbox), "tmp": str(work)})
                col = child("collect", {"book": str(book), "inbox": str(inbox)})
                rows.append(_row(size, "collect×100", made, col, base))
                shutil.copy(work / f"{size}.xlsx", book)  # the master before that collect, a fresh log
                for leftover in book.parent.glob(f".{book.stem}.zoufang-*"):
                    if not leftover.name.endswith("-key"):
                        leftover.unlink()
                share = child("collect_audit", {"book": str(book), "inbox": str(inbox)})
                rows.append(_row(size, "collect·审计部分", made, {"seconds": share["audit_seconds"],
                                                               "peak_mb": share["peak_mb"]}, share))
            if size == "demo":
                year = child("audit_year", {"tmp": str(work)})
                rows.append(_row(size, "audit·一年日志", made, year,
                                 child("audit_year", {"tmp": str(work / "baseline"), "log_only": True})))
            print("\n".join(_fmt(r) for r in rows if r["size"] == size))
        if not args.sizes or "demo" in args.sizes:
            opened = self_check_open_row(work)
            if opened:
                rows.append(opened)
                print(_fmt(opened))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.markdown:
        print(markdown_table(rows))


def _write_baselines(out: Path, work: Path) -> tuple[dict, dict]:
    """The raw writer writing the same cells: with their formats (the baseline), and values only."""
    return (child("raw_write", {"out": str(out), "tmp": str(work), "styled": True}),
            child("raw_write", {"out": str(out), "tmp": str(work)}))


def markdown_table(rows: list[dict]) -> str:
    lines = ["| 规模 size | 任务 task | 单位 units | 人员 people | 走访记录行数 rows | 耗时 s | 基线 s | 比值 ratio "
             "| 比值（仅值）ratio, values only | 峰值内存 MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['size']} | {r['task']} | {r['units']:,} | {r['people']:,} | {r['rows']:,} | {r['seconds']:.2f} | "
              f"{r['baseline']:.2f} | {r['ratio']:.2f} | {_values_ratio(r)} | {r['peak_mb']} |" for r in rows]
    return "\n".join(lines)


def _values_ratio(r: dict) -> str:
    return f"{r['ratio_values_only']:.2f}" if "ratio_values_only" in r else "—"


def _row(size, task, made, measured, baseline, values_only=None) -> dict:
    row = {"size": size, "task": task, "units": made["units"], "people": made["people"], "rows": made["visits"],
           "seconds": round(measured["seconds"], 3), "baseline": round(baseline["seconds"], 3),
           "ratio": round(measured["seconds"] / baseline["seconds"], 2), "peak_mb": round(measured["peak_mb"])}
    if values_only:
        row["baseline_values_only"] = round(values_only["seconds"], 3)
        row["ratio_values_only"] = round(measured["seconds"] / values_only["seconds"], 2)
    return row


def _fmt(r: dict) -> str:
    return (f"{r['size']:<12}{r['task']:<14}{r['units']:>6}{r['people']:>7}{r['rows']:>9}{r['seconds']:>9.2f}"
            f"{r['baseline']:>9.2f}{r['ratio']:>7.2f}{_values_ratio(r):>9}{r['peak_mb']:>9}")


if __name__ == "__main__":
    main()
