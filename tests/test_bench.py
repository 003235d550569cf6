"""The benchmark script: each measurement in a child process, baselines that write the same cells."""
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import python_calamine as calamine

from zoufang.contract.schema import VISITS
from zoufang.exchange.issue import issue

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def child(task: str, args: dict) -> dict:
    out = subprocess.run([sys.executable, str(BENCH), "--child", task, json.dumps(args, ensure_ascii=False)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def values(path: Path) -> dict:
    book = calamine.CalamineWorkbook.from_path(str(path))
    return {s: book.get_sheet_by_name(s).to_python() for s in book.sheet_names}


def test_make_and_check_report_time_and_memory_of_a_city_sized_book(tmp_path):
    book = tmp_path / "city.xlsx"
    made = child("make", {"book": str(book), "units": 20, "people": 500, "rows": 3000})
    assert (made["units"], made["people"], made["visits"]) == (20, 500, 3000) and book.exists()
    raw, check = child("raw_read", {"book": str(book)}), child("check", {"book": str(book)})
    assert 0 < raw["seconds"] < check["seconds"] and check["peak_mb"] > 50


def test_styled_baseline_writes_the_same_values_and_formats_as_the_issued_workbooks(clean_demo, tmp_path):
    _, master = clean_demo
    out, raw = tmp_path / "issued", tmp_path / "raw"
    raw.mkdir()
    issue(master, out)
    files = sorted(out.glob("*.xlsx"))
    result = child("raw_write", {"out": str(out), "tmp": str(raw), "styled": True})
    assert result["seconds"] > 0
    first = raw / "raw0.xlsx"
    assert values(first) == values(files[0])
    ours, theirs = openpyxl.load_workbook(files[0]), openpyxl.load_workbook(first)
    sheet = VISITS.name
    header_ours, header_theirs = ours[sheet]["A1"], theirs[sheet]["A1"]
    assert header_ours.font.b and header_ours.fill.fill_type == "solid"  # a styled header to compare
    assert header_theirs.font.b == header_ours.font.b and header_theirs.fill.fgColor.rgb == header_ours.fill.fgColor.rgb
    assert header_theirs.border.left.style == header_ours.border.left.style


def test_the_before_after_comparison_sees_one_changed_cell_and_ignores_the_issue_clock(tmp_path, clean_demo):
    """bench/compare_outputs.py: an issued workbook issued twice differs only in its clock and token (masked);
    one ledger cell changed is reported by sheet and cell."""
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("compare_outputs", BENCH.with_name("compare_outputs.py"))
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)
    _, src = clean_demo
    sides = {}
    for side in ("before", "after"):
        out = tmp_path / side / "demo"
        out.mkdir(parents=True)
        master = out / compare.DEMO_BOOK
        shutil.copy(src, master)
        issue(master, out / "下发")
        sides[side] = tmp_path / side
    assert compare.differences(compare.fingerprint(sides["before"]), compare.fingerprint(sides["after"])) == []
    ledger = sides["after"] / "demo" / compare.DEMO_BOOK
    wb = openpyxl.load_workbook(ledger)
    wb[VISITS.name]["G2"] = "改过的地址"
    wb.save(ledger)
    found = compare.differences(compare.fingerprint(sides["before"]), compare.fingerprint(sides["after"]))
    assert any(f"/{VISITS.name}/cells/G2" in d for d in found), found


def test_the_typed_size_is_a_workbook_as_a_clerk_leaves_it(tmp_path):
    """bench/typed_book.py: text dates in every accepted form beside real dates, every address distinct, an office
    column, blank rows; zoufang reads every visit of it with its date."""
    import datetime as dt

    from zoufang.reading.reader import read_campaign
    book = tmp_path / "typed.xlsx"
    made = child("make", {"book": str(book), "units": 3, "people": 30, "rows": 300, "typed": True})
    grid = values(book)[VISITS.name]
    header, rows = grid[0], grid[1:]
    dates = [r[header.index(VISITS.col("date").label)] for r in rows if any(v not in ("", None) for v in r)]
    assert len(dates) == made["visits"] == 300
    assert {type(d) for d in dates} >= {str, dt.date} or {type(d) for d in dates} >= {str, dt.datetime}
    texts = [d for d in dates if isinstance(d, str)]
    assert any("年" in d for d in texts) and any("/" in d for d in texts) and any("." in d for d in texts)
    assert any(d.isdigit() and len(d) == 8 for d in texts) and any("-" in d for d in texts)
    assert "办公室备注" in header and any(all(v in ("", None) for v in r) for r in rows)  # an office column, blank rows
    addresses = [r[header.index(VISITS.col("address").label)] for r in rows if r[0] not in ("", None)]
    assert len(set(addresses)) == len(addresses)
    visits = read_campaign(book)["visits"].frame
    assert len(visits) == 300 and visits["date"].notna().all()


def test_the_whole_process_floor_of_issue_writes_the_cells_issue_wrote(clean_demo, tmp_path):
    """bench/baselines.py write: a fresh interpreter reads the master and writes every stored cell of the issued
    workbooks again with its format; the values it writes are the issued ones, formulas included as stored."""
    import pickle

    sys.path.insert(0, str(BENCH.parent))
    from baselines import styled_cells
    _, master = clean_demo
    issue(master, tmp_path / "issued")
    files = sorted((tmp_path / "issued").glob("*.xlsx"))
    cells = tmp_path / "cells.pickle"
    cells.write_bytes(pickle.dumps(styled_cells(files[:2])))
    subprocess.run([sys.executable, str(BENCH.with_name("baselines.py")), "write", str(cells), str(master),
                    str(tmp_path / "floor")], check=True, timeout=300)
    for i, f in enumerate(files[:2]):
        written = openpyxl.load_workbook(tmp_path / "floor" / f"raw{i}.xlsx")
        ours = openpyxl.load_workbook(f)
        for ws in ours.worksheets:
            assert [[c.value for c in row] for row in ws.iter_rows()] == \
                   [[c.value for c in row] for row in written[ws.title].iter_rows()], (f.name, ws.title)
