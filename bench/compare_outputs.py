"""Every output of the demo, before and after a change that must not change behaviour.

    python bench/compare_outputs.py --before <commit>            # that commit's code against the working tree
    python bench/compare_outputs.py --before <commit> --after <commit>

Each side runs in fresh processes with its own source tree first on the path (a git worktree of the
commit, or this checkout's ``src``): ``zoufang demo`` (the master, the marked copy, the report
workbook, every ledger, the brief, the issued unit workbooks), ``check --json``, ``report --json``,
``summary`` and ``rota``, ``build-workbook``, and a ``collect`` of the issued workbooks back into a
copy of the master. Outputs are then compared:

- JSON: equal as data;
- workbooks: every sheet's cells (values and formulas), number formats, merged ranges, page
  breaks, print titles and page setup; and, except where cells carry the clock (issued, archived,
  the collected master), every part of the package byte for byte but docProps/core.xml;
- Word documents: every part of the package byte for byte, except docProps/core.xml;
- anything else: byte for byte.

Left out, because they differ between two runs of the same code: the issue time (``_meta`` 下发时间),
the token and digest derived from the master's random secret, and the time and hash columns of the
collect's logs, the backups' names. One issued workbook is edited (the same edit on both sides)
so that collect merges and logs. Exit status 1 when anything else differs.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_BOOK = "大走访台账-示例.xlsx"
AS_OF_END = "2012-03-01"  # after the campaign's end: the summary is written at the end
# Cells that differ between two runs of the same code: (sheet, header text of the row or column).
VOLATILE_META = {"issued_at", "token", "issued_digest", "base_digest", "log_head"}
ISSUED_PART = "i"  # a _base row of an issue: its time in column D (schema.ISSUED_PART; spelled here for old code)
VOLATILE_LOG_COLUMNS = {"导入时间", "SHA256", "保存时间", "删除时间"}  # the clock, or a hash of a file holding the token
# Workbooks whose cells carry the clock or the random secret (masked above): compared cell by cell only.
CARRY_THE_CLOCK = ("demo/下发/", "demo/回收归档/", "demo/备份/", f"demo/{DEMO_BOOK}")


def run_side(src: Path, out: Path) -> None:
    """All outputs of the demo made by the package under ``src``, written into ``out``."""
    env = dict(os.environ, PYTHONPATH=str(src))
    py = [sys.executable, "-m", "zoufang"]

    def zf(*args: str, json_to: str | None = None) -> None:
        done = subprocess.run([*py, *args], cwd=out, env=env, capture_output=True, text=True)
        if json_to:
            (out / json_to).write_text(done.stdout, encoding="utf-8")
        (out / "exit-codes.txt").open("a", encoding="utf-8").write(f"{args[0]} {done.returncode}\n")

    out.mkdir(parents=True)
    zf("demo", "demo")
    book = f"demo/{DEMO_BOOK}"
    zf("check", book, "--json", json_to="check.json")
    zf("report", book, "--json", json_to="report.json")
    zf("summary", book, "--as-of", AS_OF_END, "--out", "documents")
    zf("rota", book, "--from", "2012-01-16", "--out", "documents")
    zf("build-workbook", "--out", "macro/大走访台账.xlsm", "--macros", str(src.parent / "macros"))
    _edit_a_return(out / "demo" / "下发")
    zf("collect", book, "demo/下发", "--json", json_to="collect.json")  # last: it writes into the master


def _edit_a_return(folder: Path) -> None:
    """The same clerk's edit on both sides: one address changed in the first unit's workbook, so that
    collect merges a row and writes its log."""
    import openpyxl
    path = sorted(folder.glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(path)
    ws = wb["走访记录"]
    column = next(c.column_letter for c in ws[1] if c.value == "地址")
    ws[f"{column}2"] = "回收时改过的地址"
    wb.save(path)


# ------------------------------------------------------------------ fingerprints
def fingerprint(folder: Path) -> dict[str, object]:
    """A comparable description of every file under ``folder``, by relative path."""
    prints: dict[str, object] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel.endswith(".zoufang-key"):  # a fresh random secret each run
            continue
        if ".zoufang-state." in rel:  # the audit trail's copy of the master as last logged: the master again
            continue
        if rel.endswith(".zoufang-log"):  # the audit log: times, hashes and MACs; its commands in order compare
            lines = path.read_text(encoding="utf-8").splitlines()
            prints[rel] = [[e.get("command"), len(e.get("changes", [])), len(e.get("files", []))]
                           for e in map(json.loads, lines)]
            continue
        if rel.startswith("demo/回执/"):  # a receipt is named by the time it was made, and says it
            prints[re.sub(r"-\d{8}-\d{6}(?=\.xlsx$)", "", rel)] = "回执"
            continue
        suffix = path.suffix.lower()
        if suffix == ".json":
            prints[rel] = _json_print(path)
        elif suffix in (".xlsx", ".xlsm"):
            prints[rel] = _workbook_print(path)
            if not rel.startswith(CARRY_THE_CLOCK):  # deterministic files: every part byte for byte too
                prints[rel]["parts"] = _package_print(path, skip={"docProps/core.xml"})
            if rel.startswith("demo/回收归档/"):  # archived under the return's hash, which holds the random token
                unit = prints[rel]["_meta"]["cells"].get("C4", ["?"])[0]
                prints[f"demo/回收归档/{unit}.xlsx"] = prints.pop(rel)
            elif rel.startswith("demo/备份/"):  # a backup is named by the time it was made
                prints[re.sub(r"\.\d{8}-\d{6}-\d+(?=\.xlsx$)", "", rel)] = prints.pop(rel)
        elif suffix == ".docx":
            prints[rel] = _package_print(path, skip={"docProps/core.xml"})
        else:
            prints[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


def _json_print(path: Path) -> object:
    text = path.read_text(encoding="utf-8").strip()
    try:
        data = json.loads(text) if text else None
    except json.JSONDecodeError:
        return text
    return _drop_volatile(data)


def _drop_volatile(data):
    if isinstance(data, dict):
        return {k: _drop_volatile(v) for k, v in data.items()
                if k not in VOLATILE_META and k not in ("seconds", "sha256")}
    if isinstance(data, list):
        return [_drop_volatile(v) for v in data]
    return data


def _package_print(path: Path, skip: set[str]) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: hashlib.sha256(z.read(n)).hexdigest() for n in sorted(z.namelist()) if n not in skip}


def _workbook_print(path: Path) -> dict[str, object]:
    import openpyxl
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    out: dict[str, object] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.number_format != "General":
                    cells[c.coordinate] = [_cell(c.value), c.number_format]
        if ws.title in ("_meta", "导入记录", "已删除记录", "_base", "_added"):
            cells = _mask_volatile(ws, cells)
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "row_breaks": [b.id for b in ws.row_breaks.brk],
            "col_breaks": [b.id for b in ws.col_breaks.brk],
            "print_titles": [ws.print_title_rows, ws.print_title_cols],
            "print_area": str(ws.print_area),
            "setup": [ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.scale,
                      ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr
                      and ws.sheet_properties.pageSetUpPr.fitToPage],
            "header_footer": [ws.oddHeader.center.text, ws.oddHeader.right.text, ws.oddFooter.center.text,
                              ws.oddFooter.left.text, ws.oddFooter.right.text],
            "hidden": ws.sheet_state,
            "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.width},
        }
    out["defined_names"] = sorted(f"{n}={d.attr_text}" for n, d in wb.defined_names.items())
    if path.suffix.lower() == ".xlsm":
        with zipfile.ZipFile(path) as z:
            out["vba"] = hashlib.sha256(z.read("xl/vbaProject.bin")).hexdigest()
    return out


def _cell(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _mask_volatile(ws, cells: dict) -> dict:
    """``_meta`` holds key/value rows: the clock's and the secret's values are masked. 导入记录 and 已删除记录
    are logs: their time and hash columns are masked below the header; ``_base`` and ``_added`` their batch,
    and ``_base`` the time of each issue."""
    from openpyxl.utils.cell import coordinate_from_string
    where = {k: coordinate_from_string(k) for k in cells}
    if ws.title == "_meta":
        rows = {r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value in VOLATILE_META}
        return {k: v for k, v in cells.items() if where[k][1] not in rows or where[k][0] == "A"}
    if ws.title in ("_base", "_added"):  # the issue batch comes from the clock and the secret: column A;
        issued = {r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == ISSUED_PART}  # its time: D
        return {k: v for k, v in cells.items()
                if (where[k][0] != "A" or where[k][1] == 1) and not (where[k][0] == "D" and where[k][1] in issued)}
    letters = {c.column_letter for c in ws[1] if c.value in VOLATILE_LOG_COLUMNS}
    return {k: v for k, v in cells.items() if where[k][0] not in letters or where[k][1] == 1}


def differences(before: dict, after: dict, limit: int = 40) -> list[str]:
    """Human-readable differences between two fingerprints (at most ``limit``)."""
    out: list[str] = []

    def walk(a, b, where: str) -> None:
        if len(out) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b), key=str):
                if k not in a or k not in b:
                    out.append(f"{where}/{k}: only {'after' if k not in a else 'before'}")
                else:
                    walk(a[k], b[k], f"{where}/{k}")
            return
        out.append(f"{where}: {str(a)[:120]} → {str(b)[:120]}")

    walk(before, after, "")
    return out


# ------------------------------------------------------------------ sides
def source_of(ref: str | None, work: Path) -> Path:
    """The ``src`` folder of a commit (a detached worktree under ``work``), or of this checkout."""
    if ref is None:
        return ROOT / "src"
    tree = work / f"tree-{ref[:12]}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree), ref],
                   check=True, capture_output=True)
    return tree / "src"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="commit whose outputs are the reference")
    parser.add_argument("--after", help="commit to compare (default: this checkout)")
    parser.add_argument("--keep", type=Path, help="keep both output folders here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zoufang-compare-"))
    trees = []
    try:
        prints = {}
        for side, ref in (("before", args.before), ("after", args.after)):
            src = source_of(ref, work)
            if ref is not None:
                trees.append(src.parent)
            run_side(src, work / side)
            prints[side] = fingerprint(work / side)
        files = len(prints["before"])
        whole = sum(1 for p in prints["before"].values() if not isinstance(p, dict) or "parts" in p
                    or all(isinstance(v, str) for v in p.values()))
        print(f"compared {files} files: {whole} byte for byte, the rest cell by cell with the clock masked")
        diff = differences(prints["before"], prints["after"])
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True, ignore=shutil.ignore_patterns("tree-*"))
        if diff:
            print(f"{len(diff)}{'+' if len(diff) >= 40 else ''} differences in {files} files:")
            print("\n".join(diff))
            return 1
        cells = sum(len(s["cells"]) for p in prints["before"].values() if isinstance(p, dict)
                    for s in p.values() if isinstance(s, dict) and "cells" in s)
        print(f"no difference: {files} files, {cells} workbook cells, "
              f"{args.before[:12]} → {(args.after or 'working tree')[:12]}")
        return 0
    finally:
        for tree in trees:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
