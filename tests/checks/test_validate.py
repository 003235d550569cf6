"""A clerk's workbook with planted mistakes: exactly one finding at each planted cell, with the right code."""
import datetime as dt
import json
import re

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from zoufang.checks.annotate import FILL_ERROR, FILL_WARNING
from zoufang.checks.validate import validate
from zoufang.cli import app
from zoufang.contract import schema
from zoufang.demo.campaign import build_demo
from zoufang.files.libreoffice import round_trip_xlsx
from zoufang.jobs import check_book
from zoufang.reading.reader import read_campaign
from zoufang.xlsx.book_writer import write_book

runner = CliRunner()


class Planter:
    """Edits the clean demo's frames and remembers (sheet, cell) -> expected code."""

    def __init__(self, content):
        self.frames = content.frames
        self.expected: dict[tuple[str, str], str] = {}

    def cell(self, key, i, col):
        spec = schema.SHEETS_BY_KEY[key]
        return spec.name, f"{get_column_letter(spec.keys.index(col) + 1)}{i + 2}"

    def set(self, key, i, col, value, code=None, at=None):
        frame = self.frames[key]
        if col in frame.columns and frame[col].dtype != object:
            frame[col] = frame[col].astype(object)
        frame.at[i, col] = value
        if code:
            self.expected[self.cell(key, i, at or col)] = code

    def append(self, key, row: dict, code=None, at=None) -> int:
        frame = self.frames[key]
        i = len(frame)
        self.frames[key] = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
        if code:
            self.expected[self.cell(key, i, at)] = code
        return i

    def row(self, key, where) -> int:
        """The first row index satisfying ``where`` not planted yet."""
        frame = self.frames[key]
        taken = {int(c[1:].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 2 for (s, c) in self.expected
                 if s == schema.SHEETS_BY_KEY[key].name}
        for i in frame.index[where(frame)]:
            if i not in taken:
                return int(i)
        raise LookupError(key)


def plant_mistakes(content):
    p = Planter(content)
    f = p.frames
    people = f["people"]
    unique_names = people["name"][~people["name"].duplicated(keep=False)]
    namesake = people["name"][people["name"].duplicated()].iloc[0]
    cadre = people[(people["category"] == schema.ROLE_CADRE) & people["name"].isin(unique_names)
                   & (people["unit"] != "市文化广电新闻出版局机关")].iloc[0]
    any_row = lambda fr: fr.index == fr.index  # noqa: E731
    # ---- 走访记录
    v = lambda: p.row("visits", any_row)  # noqa: E731
    p.set("visits", v(), "date", "10月8号", "bad-date")
    p.set("visits", v(), "date", dt.date(2012, 3, 5), "date-out-of-period")
    p.set("visits", v(), "date", dt.date(2012, 2, 1), "date-after-as-of")
    i = v(); p.set("visits", i, "person", "张三丰乙", "unknown-person"); p.set("visits", i, "person_id", None)
    p.set("visits", v(), "person", None, "required-empty")
    p.set("visits", v(), "target_type", "低保户", "bad-choice")
    p.set("visits", v(), "form", "上门", "bad-choice")
    p.set("visits", v(), "problem_id", "WT-NOPE", "unknown-problem-ref")
    p.set("visits", 200, "record_id", f["visits"].at[100, "record_id"], "duplicate-record-id")
    p.expected.pop(p.cell("visits", 100, "record_id"), None)
    p.set("visits", v(), "person_id", "P9999", "person-id-unknown")
    i = v(); p.set("visits", i, "person", unique_names[unique_names != f["visits"].at[i, "person"]].iloc[5],
                   "person-id-mismatch")
    i = v(); p.set("visits", i, "person", namesake, "ambiguous-person"); p.set("visits", i, "person_id", None)
    copy = f["visits"].iloc[300].to_dict()
    copy["record_id"] = "TSG-ZF99999"
    p.append("visits", copy, "duplicate-visit", at="record_id")
    p.set("visits", v(), "remark", "长" * 32800)  # planted after writing: XlsxWriter caps text at 32767
    long_text_cell = list(p.frames["visits"].index[p.frames["visits"]["remark"].fillna("").str.len() > 32767])[0]
    p.expected[p.cell("visits", long_text_cell, "remark")] = "text-too-long"
    # ---- 调研记录
    r = lambda: p.row("research", lambda fr: pd.to_datetime(fr["start"], errors="coerce") > pd.Timestamp(2011, 9, 20))  # noqa: E731
    i = r(); p.set("research", i, "end", f["research"].at[i, "start"] - dt.timedelta(days=2), "end-before-start")
    p.set("research", r(), "start", "2011-13-01", "bad-date")
    p.set("research", r(), "report", "也许", "bad-yesno")
    first_trips = f["research"].assign(s=pd.to_datetime(f["research"]["start"], errors="coerce")).sort_values("s").drop_duplicates("person_id").index
    i = p.row("research", lambda fr: fr.index.isin(first_trips) & (pd.to_datetime(fr["start"], errors="coerce") >= pd.Timestamp(2011, 9, 3)))
    p.set("research", i, "start", dt.date(2011, 8, 25), "trip-outside-period")
    # ---- 接访记录
    rc = f["receptions"]
    i = p.row("receptions", lambda fr: fr["handling"] == "限期办理"); p.set("receptions", i, "deadline", None, "deadline-missing")
    i = p.row("receptions", lambda fr: fr["handling"] == "移交有关部门")
    p.set("receptions", i, "transfer_to", None, "transfer-department-missing")
    i = p.row("receptions", lambda fr: fr["handling"] == "当场解决")
    p.set("receptions", i, "in_scope", "否", "out-of-scope-solved-on-spot", at="handling")
    i = p.row("receptions", lambda fr: fr["handling"] == "限期办理")
    p.set("receptions", i, "deadline", rc.at[i, "date"] - dt.timedelta(days=3), "deadline-before-registration")
    i = p.row("receptions", lambda fr: fr["unit"] == cadre["unit"])
    p.set("receptions", i, "person", cadre["name"], "receiver-not-allowed"); p.set("receptions", i, "person_id", None)
    p.set("receptions", p.row("receptions", any_row), "unit", "市图书管", "unknown-unit")
    p.set("receptions", p.row("receptions", any_row), "in_scope", "不知道", "bad-yesno")
    i = p.row("receptions", lambda fr: fr["unit"] == "市博物馆")
    p.set("receptions", i, "unit", "市图书馆", "person-unit-mismatch")
    # ---- 包案台账
    i = p.row("cases", any_row); p.set("cases", i, "status", "已销号"); p.set("cases", i, "closed_date", None, "closed-date-missing")
    i = p.row("cases", lambda fr: fr["field_visit"] == "否")
    p.set("cases", i, "field_visit", "是"); p.set("cases", i, "visit_date", None, "field-visit-date-missing")
    p.set("cases", p.row("cases", any_row), "leader", cadre["name"], "case-leader-to-check")
    p.set("cases", p.row("cases", any_row), "case_type", "普通案件", "bad-choice")
    p.set("cases", p.row("cases", any_row), "deadline", None, "required-empty")
    i = p.row("cases", lambda fr: fr["field_visit"] == "是")
    p.set("cases", i, "visit_date", dt.date(2011, 8, 1), "date-out-of-period")
    # ---- 问题台账
    pr = f["problems"]
    p.set("problems", p.row("problems", any_row), "leader", cadre["name"], "not-a-leader")
    referenced = set(f["visits"]["problem_id"].dropna()) | set(f["receptions"]["problem_id"].dropna())
    solved = lambda fr: fr["status"].isin(["已解决", "已销号"]) & (pd.to_datetime(fr["solved_date"], errors="coerce") < pd.Timestamp(2012, 1, 1))  # noqa: E731
    i = p.row("problems", lambda fr: fr["status"] == "办理中")
    p.set("problems", i, "status", "已解决"); p.set("problems", i, "solved_date", None, "solved-date-missing")
    i = p.row("problems", solved)
    p.set("problems", i, "status", "已销号"); p.set("problems", i, "closed_date", None, "closed-date-missing")
    i = p.row("problems", solved)
    p.set("problems", i, "status", "已销号")
    p.set("problems", i, "closed_date", pr.at[i, "solved_date"] - dt.timedelta(days=1), "closed-before-solved")
    i = p.row("problems", any_row)
    p.set("problems", i, "deadline", pr.at[i, "reg_date"] - dt.timedelta(days=1), "deadline-before-registration")
    i = p.row("problems", lambda fr: fr["major"] == "否")
    p.set("problems", i, "major", "是"); p.set("problems", i, "leader", None, "major-without-leader")
    i = p.row("problems", lambda fr: fr["status"] == "待办")
    p.set("problems", i, "status", "已解决"); p.set("problems", i, "solved_date", dt.date(2012, 2, 10), "date-in-future")
    p.set("problems", p.row("problems", any_row), "category", "教育", "bad-choice")
    i = p.row("problems", lambda fr: ~fr["problem_id"].isin(referenced) & (fr.index > 10))
    p.set("problems", i, "problem_id", pr.at[0, "problem_id"], "duplicate-record-id")
    p.set("problems", p.row("problems", lambda fr: fr["major"] == "否"), "major", "重大", "bad-yesno")
    # ---- 问政记录, 活动记录
    p.set("wenzheng", p.row("wenzheng", any_row), "participants", "很多", "bad-number")
    p.set("wenzheng", p.row("wenzheng", any_row), "opinions", -3, "negative-number")
    p.set("wenzheng", p.row("wenzheng", any_row), "mode", "微信", "bad-choice")
    p.set("activities", p.row("activities", any_row), "kind", "慰问", "bad-choice")
    p.set("activities", p.row("activities", any_row), "unit", None, "required-empty")
    p.set("activities", p.row("activities", any_row), "lead", "赵钱孙李", "unknown-person")
    # ---- 人员, 配额 (new rows, so that no existing entry changes meaning)
    new = {"title": "干部", "category": schema.ROLE_CADRE, "is_head": "否", "is_lecturer": "否"}
    p.append("people", {**new, "person_id": "P9001", "name": "新人甲", "unit": "市图书馆", "category": "局长"},
             "bad-choice", at="category")
    p.append("people", {**new, "person_id": people["person_id"].iloc[-1], "name": "新人乙", "unit": "市图书馆"},
             "duplicate-record-id", at="person_id")
    p.append("people", {**new, "person_id": "P9003", "name": "新人丙", "unit": "市图书馆分馆"},
             "unknown-unit", at="unit")
    q = {"unit_label": "次", "note": ""}
    p.append("quotas", {**q, "subject": schema.ROLE_CADRE, "metric": "走访次数", "target": 3},
             "quota-unknown-metric", at="metric")
    p.append("quotas", {**q, "subject": schema.FLAG_LECTURER, "metric": "送图书", "target": 1},
             "quota-metric-scope", at="metric")
    p.append("quotas", {**q, "subject": "局领导", "metric": "接待来访", "target": 6}, "bad-choice", at="subject")
    p.append("quotas", {**q, "subject": schema.ROLE_OTHER, "metric": "走访户数", "target": "四十"},
             "bad-number", at="target")
    return p.expected


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    content = build_demo(seed=2011, clean=True).content
    expected = plant_mistakes(content)
    path = tmp_path_factory.mktemp("planted") / "planted.xlsx"
    write_book(path, content)
    # Excel caps a cell at 32,767 characters and so does XlsxWriter: put the long text in as another tool would.
    wb = openpyxl.load_workbook(path)
    for (sheet, cell), code in expected.items():
        if code == "text-too-long":
            wb[sheet][cell] = "长" * 32800
    wb.save(path)
    return path, expected


@pytest.fixture(scope="module")
def baseline(clean_demo):
    _, path = clean_demo
    return {(f.sheet, f.cell, f.code) for f in validate(read_campaign(path))}


def test_clean_demo_has_no_errors(clean_demo):
    _, path = clean_demo
    findings = validate(read_campaign(path))
    assert [f for f in findings if f.is_error] == []
    assert {f.code for f in findings} <= {"overlapping-trips", "trip-outside-period", "duplicate-visit",
                                          "away-from-contact-point", "case-leader-to-check", "deadline-without-problem"}
    # the demo's rows that exercise the counting rules: a lecture away from the contact points,
    # a case taken by a section chief, a 限期办理 reception whose deadline nothing else supervises
    for code in ("away-from-contact-point", "case-leader-to-check", "deadline-without-problem"):
        assert sum(f.code == code for f in findings) == 1, code


def test_every_planted_mistake_gets_exactly_one_finding_with_the_right_code(planted, baseline):
    path, expected = planted
    assert len(expected) >= 40
    findings = validate(read_campaign(path))
    at_cell: dict[tuple[str, str], list[str]] = {}
    for f in findings:
        at_cell.setdefault((f.sheet, f.cell), []).append(f.code)
    wrong = {cell: (code, at_cell.get(cell)) for cell, code in expected.items() if at_cell.get(cell) != [code]}
    assert wrong == {}
    extra = {(f.sheet, f.cell, f.code) for f in findings if (f.sheet, f.cell) not in expected} - baseline
    assert extra == set()


def test_findings_carry_chinese_messages_hints_and_columns(planted):
    path, _ = planted
    findings = {f.code: f for f in validate(read_campaign(path))}
    unknown = findings["unknown-person"]
    assert "不在“人员”名单中" in unknown.message and unknown.column in ("走访人", "牵头人")
    assert findings["bad-choice"].hint.startswith(("是否应为", "可选"))
    assert "2011-09-05" in findings["bad-date"].hint
    ambiguous = findings["ambiguous-person"]
    assert "人员编号" in ambiguous.hint and ambiguous.hint.count("（") == 2


def test_structure_problems_are_findings(tmp_path, clean_demo):
    _, path = clean_demo
    wb = openpyxl.load_workbook(path)
    del wb[schema.WENZHENG.name]
    visits = wb[schema.VISITS.name]
    visits["C1"] = "走访者"  # 走访人 renamed: a required column is missing
    wb[schema.RESEARCH.name]["I1"] = "调研地点"  # duplicated header
    wb[schema.SETTINGS.name]["B5"] = dt.datetime(2011, 8, 1)  # ends before it starts
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    findings = {(f.code, f.sheet, f.cell, f.column) for f in validate(read_campaign(broken))}
    assert ("missing-sheet", "问政记录", None, None) in findings
    assert ("missing-column", "走访记录", None, "走访人") in findings
    assert ("duplicate-header", "调研记录", "I1", "调研地点") in findings
    assert ("settings-period-inverted", "活动设置", "B5", "结束日期") in findings


def test_a_workbook_from_a_newer_schema_is_refused(tmp_path, clean_demo):
    _, path = clean_demo
    wb = openpyxl.load_workbook(path)
    wb[schema.META_SHEET]["C3"] = "9"  # schema version from the future
    newer = tmp_path / "newer.xlsx"
    wb.save(newer)
    result = runner.invoke(app, ["check", str(newer)])
    assert result.exit_code == 2 and "架构版本“9”" in result.output


def test_check_json_follows_the_cli_contract(planted):
    path, expected = planted
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert set(doc) == {"file", "errors", "warnings", "findings"}
    assert doc["errors"] == sum(1 for f in doc["findings"] if f["level"] == "错误") > 0
    first = doc["findings"][0]
    assert set(first) == {"level", "code", "sheet", "cell", "row", "column", "message", "hint"}
    cells = {(f["sheet"], f["cell"]) for f in doc["findings"]}
    assert set(expected) <= cells


def test_clean_workbook_exits_zero(clean_demo):
    _, path = clean_demo
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["errors"] == 0


def test_as_of_moves_what_is_in_the_future(planted):
    path, _ = planted
    later = {(f.code, f.cell) for f in check_book(path, dt.date(2012, 2, 28)).findings}
    assert not any(code == "date-after-as-of" for code, _ in later)


def test_annotated_copy_marks_cells_and_keeps_the_original(planted, tmp_path):
    path, expected = planted
    # a clerk's own colour and note, one on an offending cell and one elsewhere
    wb = openpyxl.load_workbook(path)
    bad_sheet, bad_cell = next(c for c, code in expected.items() if code == "bad-date")
    wb[bad_sheet][bad_cell].comment = openpyxl.comments.Comment("我自己的备注", "clerk")
    wb[schema.VISITS.name]["E2"].fill = openpyxl.styles.PatternFill("solid", fgColor="FF00B050")
    wb[schema.VISITS.name]["E2"].comment = openpyxl.comments.Comment("别动", "clerk")
    source = tmp_path / "mine.xlsx"
    wb.save(source)
    before = source.read_bytes()
    out = tmp_path / "mine-校验.xlsx"
    result = runner.invoke(app, ["check", str(source), "--annotate", str(out)])
    assert result.exit_code == 1
    assert source.read_bytes() == before
    for book in (openpyxl.load_workbook(out),):
        sheet = book[schema.FINDINGS_SHEET]
        assert [c.value for c in sheet[1]] == list(schema.FINDINGS_HEADERS)
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert {(r[3], r[4]) for r in rows} >= set(expected)
        link = sheet["E2"].hyperlink
        assert link.location == f"'{rows[0][3]}'!{rows[0][4]}"
        marked = book[bad_sheet][bad_cell]
        assert marked.fill.fgColor.rgb == FILL_ERROR
        assert sheet.column_dimensions["H"].hidden  # 代码 is for scripts; the clerk reads 规则, 说明 and 建议
        errors = sum(r[1] == "错误" for r in rows)
        assert f"错误 {errors} 条，警告 {len(rows) - errors} 条" in sheet.oddHeader.center.text
        assert "mine.xlsx" in sheet.oddHeader.left.text and "红底为错误" in sheet.oddHeader.right.text
        grey = lambda rgb: 0.299 * int(rgb[2:4], 16) + 0.587 * int(rgb[4:6], 16) + 0.114 * int(rgb[6:], 16)  # noqa: E731
        assert abs(grey(FILL_ERROR) - grey(FILL_WARNING)) > 40  # told apart on a black-and-white printer
        assert marked.comment.text.startswith("我自己的备注") and "【校验】" in marked.comment.text
        untouched = book[schema.VISITS.name]["E2"]
        assert untouched.fill.fgColor.rgb == "FF00B050" and untouched.comment.text == "别动"


def test_annotated_copy_opens_in_libreoffice(planted, tmp_path, needs_libreoffice):
    path, expected = planted
    out = tmp_path / "annotated.xlsx"
    check_book(path, annotate=out)
    back = openpyxl.load_workbook(round_trip_xlsx(out, tmp_path / "lo"))
    assert schema.FINDINGS_SHEET in back.sheetnames
    sheet, cell = next(iter(expected))
    assert back[sheet][cell].comment is not None


@pytest.mark.libreoffice
def test_the_printed_findings_show_every_message_and_hint_whole(planted, tmp_path, needs_libreoffice):
    """The clerk prints 校验结果: no hint is clipped by a row too short for it ("或直接输入为日期" on a line that
    was not there), and rows are as tall as their text, not guessed."""
    from printed import flat

    from zoufang.files.libreoffice import to_pdf
    path, _ = planted
    out = tmp_path / "marked.xlsx"
    check_book(path, annotate=out)
    book = openpyxl.load_workbook(out)
    for name in book.sheetnames:
        if name != schema.FINDINGS_SHEET:
            book[name].sheet_state = "hidden"
    book.save(out)
    from zoufang.checks.annotate import FINDINGS_WIDTHS
    columns = column_texts(to_pdf(out, tmp_path / "pdf"), ("说明", "建议"), FINDINGS_WIDTHS[5:7])
    rows = list(book[schema.FINDINGS_SHEET].iter_rows(min_row=2, values_only=True))
    assert rows
    missing = [text for r in rows for text, column in ((r[5], "说明"), (r[6], "建议"))
               if text and flat(text) not in columns[column]]
    assert not missing, missing[:3]


def column_texts(pdf, headings: tuple[str, str], widths: tuple[float, float]) -> dict[str, str]:
    """The printed text of two adjacent columns headed ``headings`` (their widths in characters), page after page,
    whitespace removed: each page cropped to each column, placed from the centres of the printed headings."""
    import pdfplumber

    from printed import flat
    out = {h: "" for h in headings}
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            words = {w["text"]: (w["x0"] + w["x1"]) / 2 for w in page.extract_words() if w["text"] in headings}
            if len(words) < 2:
                continue
            unit = (words[headings[1]] - words[headings[0]]) / ((widths[0] + widths[1]) / 2)  # points a character
            for h, w in zip(headings, widths):
                box = (max(words[h] - w * unit / 2, 0), 0, min(words[h] + w * unit / 2, page.width), page.height)
                out[h] += flat(page.crop(box).extract_text() or "")
    return out


def test_formula_looking_text_stays_text_in_the_findings_sheet(tmp_path, clean_demo):
    _, path = clean_demo
    wb = openpyxl.load_workbook(path)
    cell = wb[schema.VISITS.name]["F2"]
    cell.value = "=HYPERLINK(\"http://x\",\"点我\")"
    cell.data_type = "s"  # typed as text by the clerk (a leading apostrophe in Excel)
    source = tmp_path / "formula.xlsx"
    wb.save(source)
    out = tmp_path / "formula-校验.xlsx"
    check_book(source, annotate=out)
    sheet = openpyxl.load_workbook(out)[schema.FINDINGS_SHEET]
    messages = [r[5] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert any("HYPERLINK" in m for m in messages)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_every_code_the_engine_can_emit_is_in_the_catalogue():
    import re
    from pathlib import Path

    root = Path(__file__).parents[2]
    catalogue = (root / "docs" / "FINDINGS.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\| `([a-z-]+)` \|", catalogue))
    emitted = set()
    for name in ("checks/validate.py", "checks/rules.py", "reading/reader.py"):
        text = (root / "src" / "zoufang" / name).read_text(encoding="utf-8")
        emitted |= set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', text))  # every kebab string there is a code
    assert len(emitted) >= 40 and emitted <= listed, emitted - listed


def test_the_findings_sheet_names_each_rule_in_chinese_and_keeps_the_code_last(demo, tmp_path):
    """校验结果 speaks to the clerk: 规则 in Chinese (走访可能重复, not duplicate-visit); the code is kept, last and
    hidden, for scripts."""
    from zoufang.contract.rule_names import RULE_NAMES
    _, path = demo
    out = tmp_path / "标注.xlsx"
    assert runner.invoke(app, ["check", str(path), "--annotate", str(out)]).exit_code == 1
    ws = openpyxl.load_workbook(out)["校验结果"]
    header = [c.value for c in ws[1]]
    assert header[2] == "规则" and header[-1] == "代码"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows and all(r[2] == RULE_NAMES[r[-1]] for r in rows)
    assert not any(re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", str(r[2])) for r in rows)
    assert ws.column_dimensions["H"].hidden and not ws.column_dimensions["C"].hidden


def test_every_catalogued_code_has_a_chinese_rule_name():
    from pathlib import Path

    from zoufang.contract.rule_names import RULE_NAMES
    catalogue = (Path(__file__).parents[2] / "docs" / "FINDINGS.md").read_text(encoding="utf-8")
    codes = set(re.findall(r"\| `([a-z]+(?:-[a-z0-9]+)+)` \|", catalogue))
    assert codes and codes <= set(RULE_NAMES), codes - set(RULE_NAMES)
