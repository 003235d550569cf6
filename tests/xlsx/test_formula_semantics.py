"""zoufang's formula patterns mean the same in an engine that follows Excel's documented semantics (HyperFormula, run
by the machine's Node.js) as in LibreOffice, and both agree with what zoufang's own rules say in Python.

Each probe is formula text made by the very functions the workbooks use (metric_formulas, self_check,
formula_text) over a few cells; the expected value comes from the reader's rules (normalize.YES_WORDS, the schema's
choices, exact comparison of ids). LibreOffice is lenient where Excel is not (FALSE>0, wildcards), so a pattern is
only trusted when both engines agree."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from zoufang.progress.metric_formulas import flag, word, yes
from zoufang.reading.normalize import YES_WORDS
from zoufang.xlsx.formula_text import count_equal, count_rows, position_of, tame, token
from zoufang.contract.schema import NAME_PERIOD_END, NAME_PERIOD_START
from zoufang.xlsx.self_check import not_on_roster, one_of, outside_period

HERE = Path(__file__).resolve().parents[1] / "engines"
REQUIRED = os.environ.get("ZOUFANG_REQUIRE_LIBREOFFICE") == "1"  # CI: every engine must run

# The sheet every probe reads: A1:A4 a column of a roster's ids, B1:B4 a typed column, C1:C4 flags.
# F1:F4 人员's names as typed; G1:G2 the campaign's start and end, G3:G4 days typed.
CELLS = [
    ["110101199003071234", "否", 1, "座*", "座谈", "张伟", 40787],
    ["110101199003071299", "是", 0, "困难*", "", " 李 四", 40968],
    ["P3", "~", 1, "入户走访", "", "", 40969],
    ["", "", 0, "a?c", "", "ＡＢ", "2012-3-15"],
]
NAMES = {"zh_ids": "=Sheet1!$A$1:$A$4", "zh_flags": "=Sheet1!$C$1:$C$4", "zf_people_name": "=Sheet1!$F$1:$F$4",
         "zf_period_start": "=Sheet1!$G$1", "zf_period_end": "=Sheet1!$G$2"}


def roster_lookup(text: str) -> str:
    """not_on_roster's comparison without the INDEX(…, 0) that hands it to MATCH whole (HyperFormula lacks it)."""
    return f"ISNA(MATCH({tame(token(text))},{tame(token('zf_people_name'))},0))"


def period(ref: str, exempt: str = "") -> str:
    """outside_period over the probe sheet's start and end (HyperFormula takes only ASCII names)."""
    return outside_period(ref, exempt).replace(NAME_PERIOD_START, "zf_period_start").replace(NAME_PERIOD_END,
                                                                                              "zf_period_end")


def probes() -> list[tuple[str, str, object]]:
    """(what, formula, what zoufang's rules say) — the patterns the workbooks are made of."""
    return [
        ("a 否 is not yes, as a 0/1 flag (FALSE>0 is TRUE in Excel)", "=" + flag(yes("B1")), 0),
        ("a 是 is yes", "=" + flag(yes("B2")), 1),
        ("a 走访形式 typed 座* is not 座谈", "=" + flag(word("D1", ("入户走访", "座谈"))), 0),
        ("入户走访 is one of the in-person forms", "=" + flag(word("D3", ("入户走访", "座谈"))), 1),
        ("a 对象类别 typed 困难* is no choice", "=" + flag(one_of("D2", ("困难户", "老党员"))), 0),
        ("a ? in clerk text is no wildcard", "=" + flag(one_of("D4", ("abc", "老党员"))), 0),
        ("a ~ in clerk text matches only itself", "=" + position_of("B1:B4", "B3"), 3),
        ("a ~ compares as itself", "=" + count_equal("B1:B4", "B3"), 1),
        ("a * in clerk text is no wildcard in a lookup", "=IFERROR(" + position_of("D1:D4", '"座谈"') + ",0)", 0),
        ("an 18-digit id is found at its own place", "=" + position_of("zh_ids", "A2"), 2),
        ("an 18-digit id counts once, not with its namesake of 15 digits", "=" + count_equal("zh_ids", "A1"), 1),
        ("ids compare without case, as Excel's = does", "=" + count_equal("zh_ids", '"p3"'), 1),
        ("counting rows by id and flag", "=" + count_rows("zh_ids=A1", "zh_flags=1"), 1),
        ("a blank cell read through INDEX in a name is empty text", '=LEN(INDEX(zh_ids,4)&"")', 0),
        ("a flag of a product of conditions", "=" + flag("(C1=1)*(C2=0)"), 1),
        ("the roster comparison: a name no one bears", "=" + flag(roster_lookup('"周杰伦"')), 1),
        ("the roster comparison: a name on it, its blanks and width apart", "=" + flag(roster_lookup('"AB"')), 0),
        ("the roster comparison: a * is no wildcard", "=" + flag(roster_lookup('"张*"')), 1),
        ("a name on 人员 (its blanks apart) is on the roster", "=" + not_on_roster('"李四"'), 0),
        ("a full-width name is on the roster as the reader reads it", "=" + not_on_roster('"AB"'), 0),
        ("a name no one bears is not", "=" + not_on_roster('"周杰伦"'), 1),
        ("a * in a typed name is no wildcard", "=" + not_on_roster('"张*"'), 1),
        ("a name in brackets is left to import", "=" + not_on_roster('"周杰伦(P9)"'), 0),
        ("a 人员编号 on the row leaves the name to import", "=" + not_on_roster('"周杰伦"', '"P9"'), 0),
        ("the campaign's last day is inside it", "=" + period("G2"), 0),
        ("the day after the end is outside", "=" + period("G3"), 1),
        ("the day before the start is outside", "=" + period("G1-1"), 1),
        ("a day typed as text is left to import", "=" + period("G4"), 0),
        ("a 回头看 after the end is allowed", "=" + period("G3", "*0"), 0),
    ]


def old_patterns() -> list[tuple[str, str, object]]:
    """What the workbooks wrote before (#40): Excel reads these otherwise than zoufang's rules do."""
    return [
        ("the old flag: a logical compared with 0", '=IF((ISNUMBER(MATCH("否",{"是","y"},0)))>0,1,0)', 0),
        ("the old id count: COUNTIF makes an 18-digit id a number", "=COUNTIF(zh_ids,A1)", 1),
        # HyperFormula's MATCH reads no wildcards (Excel's does); its COUNTIF does, as Excel's: 座* counts 座谈
        ("the old criterion: a * in clerk text is a wildcard", "=COUNTIF(E1,D1)", 0),
    ]


@pytest.fixture(scope="module")
def hyperformula(tmp_path_factory):
    """Evaluate formulas in HyperFormula (npm registry, run by Node.js): ``evaluate(formulas) -> values``."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        if REQUIRED:
            pytest.fail("ZOUFANG_REQUIRE_LIBREOFFICE=1 but Node.js/npm are missing (apt-get install nodejs npm)")
        pytest.skip("Node.js and npm are needed for HyperFormula (apt-get install nodejs npm)")
    folder = Path(os.environ.get("ZOUFANG_NODE_CACHE", Path.home() / ".cache" / "zoufang-tests" / "hyperformula"))
    if not (folder / "node_modules" / "hyperformula").exists():
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder),
                               "hyperformula@3.5.0"], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            if REQUIRED:
                pytest.fail(f"npm could not install hyperformula: {done.stderr[-1000:]}")
            pytest.skip(f"npm could not install hyperformula: {done.stderr[-300:]}")

    def evaluate(formulas: list[str]) -> list:
        job = json.dumps({"cells": CELLS, "names": NAMES, "formulas": formulas}, ensure_ascii=False)
        done = subprocess.run([node, str(HERE / "hyperformula_probe.js")], input=job, capture_output=True,
                              text=True, timeout=120, env={**os.environ, "NODE_PATH": str(folder / "node_modules")})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    return evaluate


def in_libreoffice(formulas: list[str], tmp_path: Path) -> list:
    """The same sheet and formulas written as an .xlsx, recalculated by LibreOffice, read back."""
    from openpyxl.workbook.defined_name import DefinedName

    from zoufang.files.libreoffice import round_trip_xlsx
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r, row in enumerate(CELLS, start=1):
        for c, value in enumerate(row, start=1):
            if value != "":
                ws.cell(r, c).value = value
                ws.cell(r, c).data_type = "n" if isinstance(value, int) else "s"
    for name, ref in NAMES.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref[1:])
    for i, formula in enumerate(formulas, start=1):
        ws.cell(i, 12).value = formula  # beside the probe sheet's cells
    src = tmp_path / "probes.xlsx"
    wb.save(src)
    out = round_trip_xlsx(src, tmp_path / "lo")
    back = openpyxl.load_workbook(out, data_only=True).active
    return [back.cell(i, 12).value for i in range(1, len(formulas) + 1)]


def as_number(value):
    return int(value) if isinstance(value, bool) else value


HYPERFORMULA_DIFFERS = {  # where HyperFormula itself departs from Excel's documented semantics
    "an 18-digit id counts once, not with its namesake of 15 digits",  # it compares numeric-looking texts as numbers;
    # Excel compares two texts as texts ("1"="01" is FALSE), LibreOffice too (test_and_libreoffice_agrees)
    "a ~ in clerk text matches only itself", "an 18-digit id is found at its own place",  # it has no INDEX(array, 0)
    # (Excel's way to hand MATCH an array without Ctrl+Shift+Enter); the comparison inside is probed below
    "a name on 人员 (its blanks apart) is on the roster", "a full-width name is on the roster as the reader reads it",
    "a name no one bears is not", "a * in a typed name is no wildcard",  # the same INDEX(array, 0): the roster
    # comparison inside it is probed without it ("the roster comparison: …")
}


def test_every_pattern_means_in_excels_semantics_what_zoufang_says(hyperformula):
    cases = [c for c in probes() if c[0] not in HYPERFORMULA_DIFFERS]
    got = hyperformula([f for _, f, _ in cases])
    assert {what: as_number(g) for (what, _, _), g in zip(cases, got)} == {what: want for what, _, want in cases}


def test_and_libreoffice_agrees(needs_libreoffice, tmp_path):
    cases = probes()
    got = in_libreoffice([f for _, f, _ in cases], tmp_path)
    assert {what: as_number(g) for (what, _, _), g in zip(cases, got)} == {what: want for what, _, want in cases}


def test_the_old_patterns_were_wrong_in_excels_semantics(hyperformula):
    """Why the patterns changed: Excel's semantics (HyperFormula) disagree with zoufang's rules on each old one."""
    cases = old_patterns()
    got = hyperformula([f for _, f, _ in cases])
    assert all(as_number(g) != want for (_, _, want), g in zip(cases, got)), got


def test_yes_words_are_the_readers():
    assert "是" in YES_WORDS and "否" not in YES_WORDS
