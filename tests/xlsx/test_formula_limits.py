"""Every formula zoufang writes opens in Excel: string constants of at most 255 characters, formulas of at most
8,192, nesting of at most 64 levels — in cells, defined names, conditional formats and validations — even on a
campaign whose contact points have long names and 200 联系点建设 rows."""
import re
import zipfile
from pathlib import Path

import pytest
from builders import D, make_book

from zoufang.contract.schema import ACTIVITY_CONTACT_POINT, ACTIVITY_LECTURE
from zoufang.exchange.issue import issue

pytestmark = pytest.mark.unit_progress

MAX_CONSTANT, MAX_FORMULA, MAX_NESTING = 255, 8192, 64
_FORMULAS = re.compile(rb"<(?:\w+:)?(f|formula|formula1|formula2|definedName)\b[^>]*>(.*?)</(?:\w+:)?\1>", re.S)


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
        .replace("&amp;", "&")


def measure(formula: str) -> tuple[int, int]:
    """The longest string constant and the deepest nesting of parentheses in ``formula``."""
    longest = depth = deepest = 0
    for m in re.finditer(r'"((?:[^"]|"")*)"|[()]', formula):
        if m.group(1) is not None:
            longest = max(longest, len(m.group(1).replace('""', '"')))
        elif m.group(0) == "(":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return longest, deepest


def formulas_of(path: Path):
    """(part, formula) for every formula of the package: cells, defined names, conditional formats, validations."""
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if part.endswith(".xml") and (part.startswith("xl/worksheets/") or part == "xl/workbook.xml"):
                for m in _FORMULAS.finditer(z.read(part)):
                    yield part, unescape(m.group(2).decode("utf-8"))


def test_every_formula_of_the_issued_workbooks_keeps_to_excels_limits(tmp_path):
    long_point = "临泉县" + "庙岔镇庞庄村文化服务中心、" * 23  # 306 characters
    assert len(long_point) > 300
    places = [f"第{i}号基层文化联系点（{'阜阳市颍州区西湖镇' * 3}）" for i in range(200)]
    activities = [{"date": D(2011, 10, 1), "kind": ACTIVITY_CONTACT_POINT, "lead": "乙副局长", "unit": "局机关",
                   "place": place, "summary": "建设联系点", "participants": 5} for place in places]
    activities += [{"date": D(2011, 10, 2), "kind": ACTIVITY_LECTURE, "lead": "乙副局长", "unit": "局机关",
                    "place": places[7], "summary": "送政策", "participants": 30}]
    master = tmp_path / "总台账.xlsx"
    make_book(master, settings={"contact_point": long_point}, activities=activities)
    issued = issue(master, tmp_path / "下发")
    bureau = next(i.path for i in issued if i.unit == "局机关")
    checked = 0
    for book in [master, *[i.path for i in issued]]:
        for part, formula in formulas_of(book):
            longest, deepest = measure(formula)
            assert len(formula) <= MAX_FORMULA, (book.name, part, len(formula), formula[:200])
            assert longest <= MAX_CONSTANT, (book.name, part, longest, formula[:200])
            assert deepest <= MAX_NESTING, (book.name, part, deepest, formula[:200])
            checked += 1
    assert checked > 1000
    with zipfile.ZipFile(bureau) as z:  # the long names are there, in cells
        assert long_point.encode("utf-8") in z.read("xl/sharedStrings.xml")
