"""The unit clerk types, and the workbook itself says what is wrong, in LibreOffice (as in Excel or WPS), without
Python: 自查's counts and first places equal what `zoufang check` finds in the same file — no more, no fewer."""
import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
import pytest
from builders import make_book
from progress_oracle import progress_sheet, reported, same
from self_check_oracle import CHECKS, check_rows, finding_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zoufang.contract.schema import ENTRY_SHEETS, PROGRESS_HELPER_SHEET, PROGRESS_SHEET, SELF_CHECK_SHEET, Kind
from zoufang.files.libreoffice import round_trip_xlsx
from zoufang.progress.report import build_report
from zoufang.reading.reader import read_campaign
from zoufang.xlsx.self_check import IMPORT_ONLY

DAYS = st.one_of(st.dates(dt.date(2011, 9, 1), dt.date(2012, 2, 28)),
                 st.sampled_from([dt.date(2011, 8, 31), dt.date(2012, 2, 29), dt.date(2012, 3, 1), dt.date(2012, 3, 15)]),
                 st.dates(dt.date(2010, 1, 1), dt.date(2013, 12, 31))).map(lambda d: dt.datetime(d.year, d.month, d.day))
PEOPLE_TYPED = st.sampled_from(["丙馆长", " 丙馆长 ", "丙 馆长", "丙馆长（P3）", "周杰伦", "周杰伦(P9)", "周*", "乙?", "ＡＢ"])
BLANKS = st.sampled_from([None, "", "　", " "])


def typed_choice(choices):
    """A choice as clerks type it: exact, with stray or full-width blanks, or something else."""
    word = st.sampled_from(choices)
    return st.one_of(word, word.map(lambda w: f" {w} "), word.map(lambda w: w[:1] + " " + w[1:]),
                     word.map(lambda w: "　" + w), st.sampled_from(["乱填", "其它"]), BLANKS)


def cell(col):
    if col.kind is Kind.DATE:
        return st.one_of(DAYS, BLANKS)  # dates as text: test_dates_typed_as_text_are_left_to_check…
    if col.kind is Kind.ENUM:
        return typed_choice(col.choices)
    if col.kind is Kind.YESNO:
        return st.one_of(st.sampled_from(["是", "否", "Y", "n", "√", "×", "1", "0", "yes", " 是 ", "也许", 1, 0]), BLANKS)
    if col.kind is Kind.NUMBER:
        return st.one_of(st.integers(-3, 30), BLANKS)
    if col.kind is Kind.PERSON:
        return st.one_of(PEOPLE_TYPED, BLANKS)
    if col.kind is Kind.UNIT:
        return st.one_of(st.just("市图书馆"), BLANKS)
    return st.one_of(st.just("文字"), BLANKS)


def rows_of(spec):
    return st.lists(st.fixed_dictionaries({c.key: cell(c) for c in spec.columns}), max_size=14)


def self_check_rows(path: Path, tmp: Path) -> list[tuple]:
    """自查 of ``path`` as LibreOffice computes it: (数量, first row) per formula rule, in the rules' order."""
    ws = openpyxl.load_workbook(round_trip_xlsx(path, tmp), data_only=True)[SELF_CHECK_SHEET]
    rows = list(ws.iter_rows(min_row=3, max_row=2 + len(CHECKS), values_only=True))
    return [(int(r[3] or 0), int(r[5]) if r[5] not in (None, "") else None) for r in rows]


def painted_rows(path: Path, tmp: Path, rows: dict[str, int]) -> list[set[int]]:
    """The rows each rule's conditional format paints, as LibreOffice evaluates the very formula the format
    holds (the same template, its cells named with their sheet) in a probe sheet added to a copy."""
    wb = openpyxl.load_workbook(path)
    probe = wb.create_sheet("probe")
    for j, check in enumerate(CHECKS, start=1):
        for r in range(2, rows[check.sheet.key] + 2):
            refs = {k: f"'{check.sheet.name}'!${get_column_letter(check.sheet.keys.index(k) + 1)}{r}"
                    for k in check.keys()}
            probe.cell(r, j).value = f"=IF({check.expression(refs)},1,0)"
    copy = tmp / "probe.xlsx"
    wb.save(copy)
    values = openpyxl.load_workbook(round_trip_xlsx(copy, tmp / "probe"), data_only=True)["probe"]
    return [{r for r in range(2, rows[c.sheet.key] + 2) if values.cell(r, j).value == 1}
            for j, c in enumerate(CHECKS, start=1)]


@pytest.mark.libreoffice
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.fixed_dictionaries({spec.key: rows_of(spec) for spec in ENTRY_SHEETS}))
def test_the_workbooks_own_counts_equal_zoufang_check(needs_libreoffice, tmp_path_factory, sheets):
    tmp = tmp_path_factory.mktemp("self")
    path = tmp / "单位.xlsx"  # 统计截止日期 inside the period: events and done days after it are flagged
    make_book(path, self_check=True, settings={"as_of": dt.date(2011, 12, 31)}, **sheets)
    got, want = self_check_rows(path, tmp / "lo"), check_rows(path)
    wrong = [(c.code, c.sheet.name, c.column, g, w) for c, g, w in zip(CHECKS, got, want) if g != w]
    assert wrong == []
    painted = painted_rows(path, tmp, {k: len(v) for k, v in sheets.items()})
    wrong = [(c.code, c.sheet.name, c.column, p, f) for c, p, f in zip(CHECKS, painted, finding_rows(path)) if p != f]
    assert wrong == []


@pytest.mark.libreoffice
def test_a_planted_mistake_is_counted_linked_and_the_verdict_says_how_many(needs_libreoffice, tmp_path):
    path = tmp_path / "单位.xlsx"
    make_book(path, self_check=True,
              research=[{"person": "丙馆长", "start": dt.datetime(2011, 9, 21), "end": dt.datetime(2011, 9, 19),
                         "place": "庞庄村", "topic": "书屋"}],
              receptions=[{"date": dt.datetime(2011, 9, 8), "person": "甲局长", "unit": "局机关", "visitor": "王五",
                           "matter": "补贴", "in_scope": "是", "handling": "限期 办理"}])
    ws = openpyxl.load_workbook(round_trip_xlsx(path, tmp_path / "lo"), data_only=True)[SELF_CHECK_SHEET]
    by_code = {(r[8], r[1]): r for r in ws.iter_rows(min_row=3, values_only=True) if len(r) > 8 and r[8]}  # 代码: I
    assert by_code[("end-before-start", "调研记录")][3] == 1
    assert by_code[("end-before-start", "调研记录")][4] == "调研记录!E2"
    assert by_code[("deadline-missing", "接访记录")][3] == 1
    total = next(r for r in ws.iter_rows(values_only=True) if r[0] == "合计")
    assert total[3] == 3  # two errors and the warning deadline-without-problem
    assert ws["A1"].value == "还有 2 处需要修改"
    assert by_code[("bad-date", "各表")][4] == IMPORT_ONLY and by_code[("bad-date", "各表")][3] is None


@pytest.mark.libreoffice
def test_dates_typed_as_text_are_left_to_check_never_a_false_alarm(needs_libreoffice, tmp_path):
    path = tmp_path / "单位.xlsx"
    make_book(path, self_check=True,
              research=[{"person": "丙馆长", "start": "2011.9.21", "end": dt.datetime(2011, 9, 19), "place": "村",
                         "topic": "书屋"},
                        {"person": "丙馆长", "start": "2011年9月1日", "end": "2011/9/3", "place": "村", "topic": "书屋"}],
              problems=[{"reg_date": "2011-9-10", "source": "走访", "category": "文化", "description": "漏雨",
                         "major": "否", "unit": "市图书馆", "deadline": "2011.12.31", "status": "已解决",
                         "solved_date": "2011年9月5日"}])
    got, want = self_check_rows(path, tmp_path / "lo"), check_rows(path)
    assert all(g[0] <= w[0] for g, w in zip(got, want))  # silent where it cannot decide
    assert sum(w[0] for w in want) > sum(g[0] for g in got)  # check at import still judges them


# ------------------------------------------------------------------ the clerk inserts, deletes, sorts, appends, saves
@pytest.fixture
def issued_unit(issued_demo):
    master, books = issued_demo
    return master, books["市图书馆"]


CLERK_EDITS = [
    {"op": "insert_row", "sheet": "接访记录", "row": 3,
     "values": {"接访日期": "2011-10-10", "接访人": "邵峰", "所属单位": "市图书馆", "来访人": "张三", "来访事项": "借书",
                "是否本局职权": "是", "处理方式": "限期办理"}},  # no 办结时限: deadline-missing
    {"op": "delete_row", "sheet": "走访记录", "row": 5},
    {"op": "sort", "sheet": "调研记录", "header": "开始日期", "descending": True},
    {"op": "append_rows", "sheet": "走访记录", "count": 1000,
     "values": {"走访日期": "2011-11-02", "走访人": "邵峰", "走访对象": "李四", "对象类别": "困难户", "地址": "新村1号",
                "走访形式": "入户走访"}},
    {"op": "append", "sheet": "走访记录", "values": {"走访日期": "2011-11-03", "走访人": "邵峰", "走访对象": "王五",
                                                 "对象类别": "困难户", "地址": "新村2号", "走访形式": "上门"}},
]


@pytest.mark.libreoffice
@pytest.mark.unit_progress
@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".xls"])
def test_the_check_survives_the_clerk_and_every_format_libreoffice_saves(issued_unit, lo_clerk, tmp_path, suffix):
    master, book = issued_unit
    saved = tmp_path / f"发回{suffix}"
    lo_clerk([{"src": str(book), "dst": str(saved), "edits": CLERK_EDITS}])
    recalculated = round_trip_xlsx(saved, tmp_path / "lo")  # opened again, every formula recalculated
    ws = openpyxl.load_workbook(recalculated, data_only=True)[SELF_CHECK_SHEET]
    rows = list(ws.iter_rows(min_row=3, max_row=2 + len(CHECKS), values_only=True))
    got = {(c.code, c.sheet.name, c.column): int(r[3] or 0) for c, r in zip(CHECKS, rows)}
    want = dict.fromkeys(got, 0)
    for (code, sheet, column), (n, _) in zip(got, check_rows(saved)):
        want[(code, sheet, column)] = n
    assert got == want
    assert got[("deadline-missing", "接访记录", "deadline")] >= 1 and got[("bad-choice", "走访记录", "form")] == 1
    assert ws["A1"].value.startswith("还有 ")
    # 本单位进度 reads the rows as they now stand: the inserted, sorted and thousand appended ones too
    campaign = read_campaign(saved)
    mine = set(campaign.people.loc[campaign.people["unit"] == "市图书馆", "person_id"])
    sheet, want = progress_sheet(recalculated), reported(build_report(campaign).to_json(), mine)
    assert set(sheet) == set(want) and same(sheet, want) == []


@pytest.mark.libreoffice
@pytest.mark.unit_progress
def test_collect_takes_the_rows_and_never_the_self_check(issued_unit, lo_clerk, tmp_path):
    from zoufang.exchange.collect import collect
    master, book = issued_unit
    saved = tmp_path / "发回.xlsx"
    lo_clerk([{"src": str(book), "dst": str(saved), "edits": CLERK_EDITS[3:4]}])
    before = openpyxl.load_workbook(master).sheetnames
    result = collect(master, [saved]).files[0]
    assert result.status == "merged" and result.added == 1000
    after = openpyxl.load_workbook(master)
    assert after.sheetnames[:len(before)] == before and SELF_CHECK_SHEET not in after.sheetnames
    assert PROGRESS_SHEET not in after.sheetnames and PROGRESS_HELPER_SHEET not in after.sheetnames
    formulas = [c.coordinate for ws in after.worksheets if ws.title != SELF_CHECK_SHEET
                for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas == []


@pytest.mark.libreoffice
def test_the_self_check_speaks_chinese_and_prints_whole_at_nine_points(issued_unit, tmp_path):
    """自查 is read by a unit clerk: each rule by its Chinese name (the code hidden, for the office), printed on A4 at
    9 pt or more with every 说明 whole, its headings on every page and page numbers (#40 item 6)."""
    import re

    import pdfplumber

    from zoufang.contract.rule_names import RULE_NAMES
    from zoufang.files.libreoffice import to_pdf
    _, book = issued_unit
    ws = openpyxl.load_workbook(book)[SELF_CHECK_SHEET]
    rules = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] and r[0] != "合计"]
    assert rules and all(r[0] == RULE_NAMES[r[8]] for r in rules)
    assert any(d.hidden and d.min <= 9 <= d.max for d in ws.column_dimensions.values())  # I: 代码
    pdf = to_pdf(book, tmp_path)
    with pdfplumber.open(pdf) as doc:
        pages = [p for p in doc.pages if "第一处" in (p.extract_text() or "")]
        assert pages
        for page in pages:
            text = page.extract_text()
            assert "规则" in text and "说明" in text  # headings repeated
            assert re.search(r"第 ?\d+ ?页 ?共 ?\d+ ?页", text)
            assert not re.search(r"\b[a-z]+(-[a-z]+)+\b", text), text  # no English code a clerk would meet
            body = [c["size"] for c in page.chars if c["text"].strip() and 45 < c["top"] < page.height - 45]
            assert min(body) >= 9, min(body)
        printed = "".join("".join(_column_text(p, "说明", "数量").split()) for p in pages)
    for r in rules:  # every 说明 whole
        assert "".join(str(r[2]).split()) in printed, r[2]


def _column_text(page, heading: str, next_heading: str) -> str:
    """The text printed in the column under ``heading`` of a rendered page, between the cell borders around it."""
    words = page.extract_words()
    head = next(w for w in words if w["text"] == heading)
    centre = (head["x0"] + head["x1"]) / 2
    edges = sorted({round(e["x0"], 1) for e in page.edges if e["orientation"] == "v"})
    left = max(x for x in edges if x < head["x0"])
    right = min(x for x in edges if x > head["x1"])
    assert left < centre < right
    return page.crop((left + 0.5, 0, right - 0.5, page.height)).extract_text() or ""
