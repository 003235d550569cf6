"""Bound ledgers: complete, nothing of anyone else, equal to the report, restyled by the clerk, printable."""
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from zoufang.contract import schema
from zoufang.jobs import ledgers_job
from zoufang.ledgers.books import CLERK_TEMPLATES
from zoufang.ledgers.template_xlsx import Template
from zoufang.ledgers.templates import PERSON_SHEET, PERSON_TEMPLATE, UNIT_TEMPLATE, build_templates
from zoufang.progress.quota import Context
from zoufang.progress.report import build_report
from zoufang.reading.reader import read_campaign

UNIT = "市博物馆"
ID = re.compile(r"^[A-Z]{2,4}-[A-Z]{2}\d{5}$")


@pytest.fixture(scope="module")
def unit_ledgers(clean_demo, tmp_path_factory):
    _, path = clean_demo
    out = tmp_path_factory.mktemp("ledgers")
    files, _ = ledgers_job(path, out, unit=UNIT)
    return path, files


def ids_in(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and ID.match(c.value)]


def expected_ids(path, pid) -> dict[str, set]:
    campaign = read_campaign(path)
    ctx = Context(campaign, campaign.settings.effective_as_of())
    out = {}
    for key, person_keys, id_key in (("visits", ["person"], "record_id"), ("research", ["person"], "record_id"),
                                     ("receptions", ["person"], "record_id"), ("cases", ["leader", "owner"], "case_id"),
                                     ("problems", ["leader", "owner"], "problem_id"),
                                     ("wenzheng", ["person"], "record_id"), ("activities", ["lead"], "record_id")):
        ids = set()
        for pk in person_keys:
            rows = ctx.rows(key, pk)
            ids |= set(rows.loc[rows["pid"] == pid, id_key])
        out[key] = ids
    return out


def test_every_entry_of_a_person_appears_exactly_once_and_nothing_of_anyone_else(unit_ledgers):
    path, files = unit_ledgers
    book = openpyxl.load_workbook(next(p for p in files.units))
    assert len(files.people) == len(book.sheetnames) - 5
    for ledger in files.people:
        pid = ledger.stem.split("-")[0]
        expected = expected_ids(path, pid)
        wanted = set().union(*expected.values())
        own = ids_in(openpyxl.load_workbook(ledger).active)
        assert set(own) == wanted, ledger.name  # all of theirs, none of anyone else's
        assert set(expected["visits"]) | set(expected["research"]) | set(expected["receptions"]) <= set(own)
        for key in ("visits", "research", "receptions", "cases"):
            for rid in expected[key]:
                assert own.count(rid) == 1, (ledger.name, rid)
        in_book = next(book[s] for s in book.sheetnames if s.endswith(pid))
        assert sorted(ids_in(in_book)) == sorted(own)


def test_ledger_totals_equal_the_report(unit_ledgers):
    path, files = unit_ledgers
    report = build_report(read_campaign(path)).people
    for ledger in files.people[:6]:
        pid = ledger.stem.split("-")[0]
        ws = openpyxl.load_workbook(ledger).active
        head = next(c.row for c in ws["A"] if c.value == "指标")
        col = {ws.cell(head, j).value: j for j in range(1, ws.max_column + 1) if ws.cell(head, j).value}
        table = {}
        for r in range(head + 1, ws.max_row + 1):
            if ws.cell(r, 1).value in (None, "（无）") or str(ws.cell(r, 1).value).startswith(("二、", "注：")):
                break
            table[ws.cell(r, 1).value] = (ws.cell(r, col["实际"]).value, ws.cell(r, col["状态"]).value)
        mine = report[report["person_id"] == pid]
        shown = {m.metric: (("—" if m.actual != m.actual else f"{m.actual:.0%}") if m.metric in schema.RATIO_METRICS
                            else m.actual, m.status)
                 for m in mine.itertuples()}  # ratios as percent, as the ledger prints them
        assert table == shown, ledger.name


def test_a_restyled_template_is_honoured(clean_demo, tmp_path):
    _, path = clean_demo
    master = tmp_path / "master.xlsx"
    shutil.copy(path, master)
    templates = tmp_path / CLERK_TEMPLATES
    build_templates(templates)
    wb = openpyxl.load_workbook(templates / PERSON_TEMPLATE)
    ws = wb[PERSON_SHEET]
    ws["A2"] = "个人台账（{{unit}}存档）"
    ws["A2"].font = Font(name="楷体", size=22, bold=True, color="FFC00000")
    ws.column_dimensions["E"].width = 40
    wb.save(templates / PERSON_TEMPLATE)
    files, _ = ledgers_job(master, tmp_path / "out", person="P0024")
    out = openpyxl.load_workbook(files.people[0]).active
    assert out["A2"].value == "个人台账（市博物馆存档）"
    assert (out["A2"].font.name, out["A2"].font.sz, out["A2"].font.color.rgb) == ("楷体", 22, "FFC00000")
    assert abs(out.column_dimensions["E"].width - 40) < 1  # XlsxWriter stores the width with its padding


def test_bundled_templates_are_the_shipped_ones():
    from importlib import resources
    from pathlib import Path
    root = Path(__file__).parents[2] / "templates"
    for name in (PERSON_TEMPLATE, UNIT_TEMPLATE):
        assert (root / name).read_bytes() == (resources.files("zoufang") / "templates" / name).read_bytes()


def test_formula_looking_text_in_entries_stays_text(tmp_path):
    from builders import D, make_book, visit
    master = tmp_path / "m.xlsx"
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5), head="=HYPERLINK(\"http://x\",\"y\")")])
    files, _ = ledgers_job(master, tmp_path / "out", person="P3")
    ws = openpyxl.load_workbook(files.people[0]).active
    cells = [c for row in ws.iter_rows() for c in row  # the ledger may break a long text into lines to print it
             if isinstance(c.value, str) and "HYPERLINK" in c.value.replace("\n", "")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_unit_book_prints_with_its_header_on_every_page(unit_ledgers, tmp_path, needs_libreoffice):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path, files = unit_ledgers
    from zoufang.files.libreoffice import to_pdf_many
    pdf = to_pdf_many(files.units, tmp_path)[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    book = openpyxl.load_workbook(files.units[0])
    assert len(book.sheetnames) <= pages <= 5 * len(book.sheetnames)  # no runaway pages
    texts = [re.sub(r"\s", "", subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                                              capture_output=True, text=True).stdout) for i in range(1, pages + 1)]
    unit_titles = ("工作台账", "目录", "完成情况汇总", "问题台账（", "每周接访（")
    personal = [t for t in texts if "个人台账" in t]
    assert len(personal) >= len(files.people)
    for i, text in enumerate(texts, start=1):
        assert re.search(r"第\d+页共\d+页", text) or i == 1, i  # page numbers on every page but the cover
        # every page of a member's ledger repeats the ledger's title and the member's identity line
        assert any(t in text for t in unit_titles) or ("个人台账" in text and "人员编号：" in text), i


def test_each_trips_counted_days_add_up_to_the_research_days_in_the_title(tmp_path):
    """An inspector adds the 计入天数 column: overlaps count once, days before the campaign not at all."""
    from builders import D, make_book, trip
    trips = [trip("丙馆长", D(2011, 8, 28), D(2011, 9, 2)),   # 2 days inside the campaign
             trip("丙馆长", D(2011, 9, 10), D(2011, 9, 14)),  # 5
             trip("丙馆长", D(2011, 9, 12), D(2011, 9, 13)),  # inside the previous trip: 0
             trip("丙馆长", D(2011, 9, 14), D(2011, 9, 16))]  # overlaps one day: 2
    make_book(tmp_path / "b.xlsx", research=trips, settings={"as_of": D(2011, 11, 30)})
    files, _ = ledgers_job(tmp_path / "b.xlsx", tmp_path / "out", person="丙馆长")
    ws = openpyxl.load_workbook(next(f for f in files.people if "丙馆长" in f.name)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    title = next(v for row in cells for v in row if isinstance(v, str) and v.startswith("三、调研记录"))
    assert title.startswith("三、调研记录（9 天）")
    header = next(i for i, row in enumerate(cells) if "计入天数" in row)
    col = cells[header].index("计入天数")
    counted = [row[col] for row in cells[header + 1:] if row[col] != "计入天数"][:4]  # its headings repeat on a new page
    assert counted == [2, 5, 0, 2]


@pytest.mark.libreoffice
def test_every_printed_page_of_a_table_shows_its_headings_and_the_contents_page_numbers_are_right(
        clean_demo, tmp_path, needs_libreoffice):
    """The bound book of the largest unit and one personal ledger, printed by LibreOffice."""
    from printed import flat, page_texts, pages_ending_in_a_section_heading, pages_of_headings_only, pages_without_headings
    _, path = clean_demo
    unit = "市文化广电新闻出版局机关"
    files, pdfs = ledgers_job(path, tmp_path, unit=unit, pdf=True)
    book_pdf = next(p for p in pdfs if p.name.endswith("单位台账.pdf"))
    pages = page_texts(book_pdf)
    assert len(pages) > 20 and all(flat(t) for t in pages)  # no blank page
    assert pages_without_headings(pages) == []
    assert pages_of_headings_only(pages) == []  # the signatures go with the last rows of the last table
    assert pages_ending_in_a_section_heading(pages) == []  # 三、调研记录 and its note go with their table
    campaign = read_campaign(path).settings
    heads = [i for i, t in enumerate(pages[1:], start=2) if flat(campaign.name) not in flat(t) or "统计截止：" not in t]
    assert heads == []  # 目录, 问题台账 and 每周接访 pages too carry the activity, its period and the as-of date
    assert "待办问题" not in flat(" ".join(pages)) and "未办结问题（待办和办理中）" in flat(" ".join(pages))
    measured = any("问题解决率" in p["metrics"] for p in build_report(read_campaign(path)).to_json()["people"]
                   if p["单位名称"] == unit)
    assert ("问题解决率按本人发现" in flat(" ".join(pages))) == measured  # the note only where it applies
    assert not [i for i, t in enumerate(pages, 1) if "###" in t]  # every date fits its column
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", " ".join(pages))  # dates as a Chinese ledger writes them
    contents = next(t for t in pages if flat(t).startswith("目录"))
    entries = re.findall(r"^(\d+)\s*(\D.*?)\s+(\d+)$", contents, re.M)
    assert len(entries) == 3 + len([f for f in files.people])
    for _, title, page in entries:
        begins = flat(pages[int(page) - 1])
        title = flat(title)
        if title.startswith("个人台账："):
            assert "个人台账" in begins and f"姓名：{title.split('：')[1]}" in begins
            assert f"姓名：{title.split('：')[1]}" not in flat(pages[int(page) - 2])  # it begins there
        else:
            assert title.replace("单位完成情况汇总", "完成情况汇总") in begins[:60]
    assert "每周接访（" in flat(" ".join(pages)) and "（/周）" not in flat(" ".join(pages))
    first_member = int(entries[3][2])
    assert "第1页" not in flat(pages[0]) and "编制日期" in flat(pages[0])  # the cover is no numbered page
    for text in pages[2:first_member - 1]:  # 单位汇总, 问题台账, 每周接访: the unit signs every page
        assert "单位负责人（签字、盖章）" in flat(text)
    chief = next(t for t in pages if "职务：局长" in flat(t))
    assert "局活动办公室审核" in flat(" ".join(pages)) and "单位负责人审核" not in flat(chief)


def test_ledgers_print_their_body_text_at_nine_points_or_more():
    """Column widths are chosen so that fitting a sheet to the page width never shrinks its smallest text — the
    page numbers and the sign-off line in the footer included (they printed at 8.3 pt) — below 9 pt."""
    from zoufang.ledgers.template_xlsx import print_scale
    root = Path(__file__).parents[2] / "templates"
    for name in (PERSON_TEMPLATE, UNIT_TEMPLATE):
        for ws in openpyxl.load_workbook(root / name):
            tpl = Template.of(ws)
            sizes = [style[1] for row in tpl.rows for _, style in row if style and style[1]]
            sizes += [int(k) for k in re.findall(r"&(\d+)", tpl.setup["footer"] + tpl.setup["header"])]
            assert print_scale(tpl) * min(sizes) >= 9, (name, ws.title)


def test_ratios_read_as_percent_and_counts_as_whole_numbers(unit_ledgers):
    """问题解决率 75%/100%, never 0.75/1 or "75%/1"; 进度要求 a whole number of households."""
    _, files = unit_ledgers
    book = openpyxl.load_workbook(next(p for p in files.units))
    details = [c.value.replace("\n", "") for row in book["单位汇总"].iter_rows() for c in row
               if isinstance(c.value, str) and "/" in c.value]  # lines broken for print joined again
    rates = [d for d in details if "问题解决率" in d]
    assert rates and all(re.search(r"问题解决率 (\d+%|—)/100%", d) for d in rates)
    assert not any(re.search(r"\d\.0\b|%/1\b", d) for d in details)


@pytest.mark.libreoffice
@pytest.mark.parametrize("fonts", ["carlito", "fallbacks"])
def test_the_unit_book_fills_its_pages_width_at_9_points_or_more_words_whole(clean_demo, tmp_path, needs_libreoffice,
                                                                             fonts, request):
    """With Carlito (Calibri's metrics) LibreOffice lays columns out as Excel does, and the tables span at least 90 %
    of the printable width (they spanned 78–86 %); with only its fallbacks it draws them a third wider, and the page
    shrinks to fit: nothing on paper — page numbers and the sign-off line included — prints under 9 pt (the footers
    printed at 8.3). A name, a day, a heading or a metric is never broken over two lines ("王鹏/伟", "走访户/数",
    "2012/年2月29日"), and every row is as high as its lines."""
    from printed import crowded_lines, smallest_text, split_words, table_widths, words_kept_whole
    request.getfixturevalue("needs_carlito" if fonts == "carlito" else "without_carlito")
    _, path = clean_demo
    _, pdfs = ledgers_job(path, tmp_path, unit="市文化广电新闻出版局机关", pdf=True)
    book_pdf = next(p for p in pdfs if p.name.endswith("单位台账.pdf"))
    assert smallest_text(book_pdf) >= 9  # as LibreOffice prints it, narrower than Excel's fit
    assert crowded_lines(book_pdf) == []  # every row as high as its wrapped text (#42 item 5): nothing clipped
    if fonts == "carlito":  # lines are broken for the client that draws columns narrowest: elsewhere they end early
        assert split_words(book_pdf, words_kept_whole(path)) == []
        narrow = [(page, round(share, 2)) for page, share in table_widths(book_pdf, {True: 36, False: 28.8})
                  if share < 0.9]
        assert narrow == []


def _summary_text(book_path: Path) -> str:
    wb = openpyxl.load_workbook(book_path)
    return " ".join(str(c.value) for s in wb.worksheets for row in s.iter_rows() for c in row
                    if isinstance(c.value, str) and "人数：" in c.value or isinstance(c.value, str) and "有接访的周" in c.value)


@pytest.mark.parametrize("unit", ["市文化广电新闻出版局机关", "市图书馆"])
def test_a_unit_books_head_counts_are_the_reports(clean_demo, tmp_path, unit):
    """人数 counts the people with personal quotas, as the report does; 局机关 has no weekly duty: "—"."""
    _, path = clean_demo
    files, _ = ledgers_job(path, tmp_path, unit=unit)
    text = _summary_text(files.units[0])
    row = build_report(read_campaign(path)).units.set_index("unit").loc[unit]
    assert re.search(rf"人数：{int(row['people'])}\b", text), text
    weeks = "—" if row["weeks_due"] is None or row["weeks_due"] != row["weeks_due"] else int(row["weeks_with_reception"])
    assert f"有接访的周：{weeks}" in text, text


def test_each_section_of_a_personal_ledger_has_columns_of_its_own(unit_ledgers):
    """One grid for all eight sections made 来访事项 wrap at three characters a line beside a wide 处理方式: each
    section now spans its own widths, so a label, a record number or a date stays on one line and each long text
    (事由, 问题描述, 来访事项, 反映问题) has room."""
    from zoufang.contract.cells import display_width
    _, files = unit_ledgers
    long_texts = {"来访事项", "问题描述", "案件事由", "反映问题", "调研主题", "问政题目", "活动内容"}
    seen = set()
    for ledger in files.people[:8]:
        ws = openpyxl.load_workbook(ledger).active
        span = {(m.min_row, m.min_col): sum(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width
                                            for c in range(m.min_col, m.max_col + 1))
                for m in ws.merged_cells.ranges if m.min_row == m.max_row}
        width = lambda r, c: span.get((r, c), ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width)  # noqa: E731
        heads = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in ("记录编号", "案件编号", "问题编号")]
        for head in heads:
            columns = [(c, ws.cell(head, c).value) for c in range(1, ws.max_column + 1) if ws.cell(head, c).value]
            for c, label in columns:
                if label in long_texts:
                    seen.add(label)
                    assert width(head, c) >= 20, (ledger.name, label)
            for r in range(head + 1, ws.max_row + 1):
                if ws.cell(r, 1).value is None or ws.cell(r, 1).value == "（无）":
                    break
                for c, label in columns:
                    value = ws.cell(r, c).value
                    if isinstance(value, str) and ID.match(value):  # Latin in a CJK font's fallback: wider
                        assert display_width(value) * 1.15 <= width(head, c), (ledger.name, label, value)
                    elif isinstance(value, str) and display_width(value) <= 8:
                        assert display_width(value) <= width(head, c), (ledger.name, label, value)
    assert {"来访事项", "问题描述"} <= seen


def test_ledgers_show_households_by_category_pairings_and_wenzheng(unit_ledgers):
    """A member's ledger names their households by 对象类别 (adding up to the 走访户数 in its heading) and their
    结对帮扶; the unit's 汇总 lists its cadres without one — its own, no one else's — and its 问政 reply rate."""
    path, files = unit_ledgers
    report = build_report(read_campaign(path))
    doc = report.to_json()
    people = {p["人员编号"]: p for p in doc["people"]}
    for ledger in files.people[:6]:
        pid = ledger.stem.split("-")[0]
        text = [c.value for row in openpyxl.load_workbook(ledger).active.iter_rows() for c in row
                if isinstance(c.value, str)]
        line = next(t for t in text if t.startswith("重点走访对象："))
        counts = {k: int(v) for k, v in re.findall(r"([^、\s]+) (\d+) 户", line.split("：", 1)[1])}
        if pid in people:
            assert counts == people[pid]["by_category"], ledger.name
            heading = next(t for t in text if t.startswith("二、走访记录"))
            assert f"{sum(counts.values())} 户" in heading
            paired = next(t for t in text if t.startswith("八、牵头的活动"))
            assert f"其中结对帮扶 {people[pid]['pairings']} 次" in paired
    book = openpyxl.load_workbook(files.units[0])["单位汇总"]
    lines = [c.value for row in book.iter_rows() for c in row if isinstance(c.value, str)]
    pairing = next(t for t in lines if t.startswith("结对帮扶："))
    mine = [p["姓名"] for p in doc["unpaired"] if p["单位名称"] == UNIT]
    others = [p["姓名"] for p in doc["unpaired"] if p["单位名称"] != UNIT]
    assert all(n in pairing for n in mine) and not any(f"、{n}" in pairing or f"：{n}" in pairing for n in others)
    unit = next(u for u in doc["units"] if u["单位名称"] == UNIT)
    assert f"已登记结对帮扶 {unit['paired']} 人" in pairing
    wz = next(t for t in lines if t.startswith("问政："))
    assert f"问政题目 {unit['wenzheng']['topics']} 个" in wz


def test_the_resolution_rate_note_is_printed_only_for_those_measured_on_it(unit_ledgers):
    """#42 item 14: the note on how 问题解决率 is counted stands in the ledgers of people with that 指标, and
    nowhere else."""
    path, files = unit_ledgers
    measured = {p["人员编号"] for p in build_report(read_campaign(path)).to_json()["people"]
                if "问题解决率" in p["metrics"]}
    seen = set()
    for ledger in files.people:
        pid = ledger.stem.split("-")[0]
        text = " ".join(c.value for row in openpyxl.load_workbook(ledger).active.iter_rows() for c in row
                        if isinstance(c.value, str))
        assert ("问题解决率按本人发现" in text) == (pid in measured), ledger.name
        seen.add(pid in measured)
    assert seen == {True, False}  # both kinds of people are in the unit
