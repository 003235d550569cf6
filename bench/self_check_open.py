"""What the 自查 and 本单位进度 formulas cost a unit clerk: LibreOffice loading, recalculating and saving an
issued unit workbook of the demo's largest unit with 2,000 visit rows, without them, with 自查, and with both.

    python bench/self_check_open.py [--runs 3]

Both books are written by the same writer from the same rows in this run; each is converted by
a fresh headless LibreOffice (load, recalculate every formula, save), the best of ``--runs``
taken. The ratios (with / without) are what the formulas add to opening the workbook.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from zoufang.checks.formula_checks import formula_checks, import_only
from zoufang.demo.campaign import build_demo

ROWS = 2000


def unit_content(self_check: bool, progress: bool = False, tmp: Path | None = None):
    """The demo's content cut to its largest unit's visits, repeated to ROWS rows (with the unit's 本单位进度,
    planned from the same rows written once to ``tmp``, when ``progress``)."""
    content = build_demo(seed=2011, clean=True).content
    visits = content.frames["visits"]
    people = content.frames["people"]
    unit = people.loc[people["name"].isin(visits["person"]), "unit"].value_counts().idxmax()
    mine = visits[visits["person"].isin(people.loc[people["unit"] == unit, "name"])]
    content.frames["visits"] = pd.concat([mine] * (ROWS // max(len(mine), 1) + 1)).head(ROWS).reset_index(drop=True)
    if self_check:
        content.self_checks, content.import_only = formula_checks(), import_only()
    if progress:
        from zoufang.progress.metric_formulas import unit_progress_plan
        from zoufang.reading.reader import read_campaign
        from zoufang.xlsx.book_writer import write_book
        plain = write_book(tmp / "plain.xlsx", content)
        content.progress = unit_progress_plan(read_campaign(plain), unit, [str(content.settings["contact_point"])])
    return content


def open_and_recalculate(book: Path, runs: int) -> float:
    soffice = shutil.which("soffice")
    best = float("inf")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            profile = Path(tmp) / "profile"
            t0 = time.perf_counter()
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                            "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp, str(book)],
                           check=True, capture_output=True, timeout=600)
            best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    from zoufang.xlsx.book_writer import write_book
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        times = {}
        for label, check, progress in (("without", False, False), ("with 自查", True, False),
                                       ("with 自查 and 本单位进度", True, True)):
            book = Path(tmp) / f"unit-{len(times)}.xlsx"
            write_book(book, unit_content(check, progress, Path(tmp)))
            times[label] = open_and_recalculate(book, runs)
            print(f"{label}: {times[label]:.2f} s ({book.stat().st_size / 1024:.0f} KB)")
        for label in list(times)[1:]:
            print(f"ratio {label} / without: {times[label] / times['without']:.2f}")


if __name__ == "__main__":
    main()
