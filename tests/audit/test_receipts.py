"""A receipt for every return (#43): 回执/单位-日期时间.xlsx lists exactly what the master took from the file,
what it did not and why, and what the unit should do next; printable on A4 at 9 pt or more."""
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from zoufang.contract import schema
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.jobs import create_master

LIBRARY = "市图书馆"
ID_HEADERS = {s.name: s.col(s.id_key).label for s in schema.ALL_SHEETS if s.id_key}


def header_col(ws, label: str) -> int:
    return next(c.column for c in ws[1] if c.value == label)


def shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if not (value.hour or value.minute) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cells_by_record(path: Path) -> dict[tuple[str, str, str], str]:
    """Every filled cell of the master's sheets that have record numbers, read with openpyxl: (sheet, number,
    header) → text."""
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for name, id_header in ID_HEADERS.items():
        if name not in wb.sheetnames:
            continue
        rows = wb[name].iter_rows(values_only=True)
        heads = [str(h) if h is not None else "" for h in next(rows)]
        at = heads.index(id_header)
        for row in rows:
            if at < len(row) and row[at]:
                out |= {(name, str(row[at]), h): shown(v) for h, v in zip(heads, row) if h and shown(v)}
    return out


def taken_by_master(before: Path, after: Path) -> set[tuple]:
    a, b = cells_by_record(before), cells_by_record(after)
    return {(*k, a.get(k, ""), b.get(k, "")) for k in set(a) | set(b) if a.get(k, "") != b.get(k, "")}


def receipt_tables(path: Path) -> dict[str, list[tuple]]:
    """The receipt's three tables as read back: rows under each numbered heading, up to the next."""
    ws = openpyxl.load_workbook(path)["回收表回执"]
    out, current = {}, None
    for row in ws.iter_rows(values_only=True):
        first = row[0] or ""
        if str(first)[:2] in ("一、", "二、", "三、", "四、"):
            current = str(first)[:1]
            out[current] = []
            continue
        if current and any(v not in (None, "") for v in row):
            out[current].append(tuple("" if v is None else str(v) for v in row))
    return out


@pytest.fixture
def returned(tmp_path):
    """The office issues, then types a 办理进展 of its own on a 市图书馆 problem; the library changes an address,
    deletes a visit, adds one, types a visit by a person of another unit, and writes its own 办理进展 on the same
    problem (a conflict)."""
    master = tmp_path / "局办公室" / "总台账.xlsx"
    master.parent.mkdir()
    create_master(master, demo=True, clean=True)
    books = {i.unit: i.path for i in issue(master, tmp_path / "下发")}
    wb = openpyxl.load_workbook(master)
    problems = wb["问题台账"]
    row = next(r for r in range(2, problems.max_row + 1)
               if problems.cell(r, header_col(problems, "责任单位")).value == LIBRARY)
    problem = problems.cell(row, header_col(problems, "问题编号")).value
    problems.cell(row, header_col(problems, "办理进展")).value = "办公室：已电话督办"
    other = next(r[1] for r in wb["人员"].iter_rows(min_row=2, values_only=True) if r[2] != LIBRARY)
    wb.save(master)
    back = tmp_path / "回收" / "图书馆.xlsx"
    back.parent.mkdir()
    shutil.copy(books[LIBRARY], back)
    wb = openpyxl.load_workbook(back)
    ws = wb["走访记录"]
    ws.cell(2, header_col(ws, "地址")).value = "庞庄村9组99号"
    ws.delete_rows(3)
    person, pid = ws.cell(2, header_col(ws, "走访人")).value, ws.cell(2, header_col(ws, "人员编号")).value
    for r, (who, who_id, head) in ((ws.max_row + 1, (person, pid, "新户主")), (ws.max_row + 2, (other, None, "别家"))):
        for label, value in (("走访日期", dt.datetime(2012, 1, 10)), ("走访人", who), ("人员编号", who_id),
                             ("走访对象", head), ("对象类别", "困难户"), ("地址", "新村1号"), ("走访形式", "入户走访")):
            ws.cell(r, header_col(ws, label)).value = value
    mine = wb["问题台账"]
    r = next(r for r in range(2, mine.max_row + 1) if mine.cell(r, header_col(mine, "问题编号")).value == problem)
    mine.cell(r, header_col(mine, "办理进展")).value = "单位：已上门"
    wb.save(back)
    return master, back, problem


def test_the_receipt_lists_exactly_what_the_master_took(returned, tmp_path):
    master, back, problem = returned
    before = tmp_path / "之前.xlsx"
    shutil.copy(master, before)
    done = subprocess.run([sys.executable, "-m", "zoufang", "collect", str(master), str(back), "--json"],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 1, done.stderr  # a row refused and a conflict: the office must act
    doc = json.loads(done.stdout)["files"][0]
    receipt = Path(doc["receipt"])
    assert receipt.parent == master.parent / "回执" and receipt.name.startswith(f"{LIBRARY}-")
    tables = receipt_tables(receipt)
    taken = {(r[0], r[1], r[2], r[3], r[4]) for r in tables["一"]} - {("工作表", "编号", "列", "原值", "新值")}
    assert taken == taken_by_master(before, master)
    assert any(t[2] == "地址" and t[4] == "庞庄村9组99号" for t in taken)
    assert any(t[4] == "" for t in taken) and any(t[3] == "" for t in taken)  # a deleted and an added record
    refused = [r for r in tables["二"] if r[0] != "工作表"]
    assert len(refused) == len(doc["rejected"]) >= 1
    conflicts = [r for r in tables["三"] if r[0] != "工作表"]
    assert [(r[1], r[2], r[3], r[4]) for r in conflicts] == [(problem, "办理进展", "办公室：已电话督办", "单位：已上门")]
    assert "改正" in tables["四"][0][0] and "联系" in tables["四"][0][0]


def test_a_return_sent_again_gets_a_receipt_saying_nothing_new_was_taken(returned):
    master, back, _ = returned
    collect(master, [back])
    again = collect(master, [back]).files[0]
    assert again.status == "duplicate"
    tables = receipt_tables(Path(again.receipt))
    assert tables["一"] == [("无", "", "", "", "")]
    assert "没有新的内容被接收" in tables["四"][0][0]


def test_a_refused_file_gets_a_receipt_with_the_reason(returned, tmp_path):
    master, _, _ = returned
    stranger = tmp_path / "回收" / "别的表.xlsx"
    create_master(stranger, demo=True, clean=True, seed=7)
    result = collect(master, [stranger]).files[0]
    assert result.status == "refused"
    ws = openpyxl.load_workbook(result.receipt)["回收表回执"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any(result.reason.split("：", 1)[-1][:10] in t for t in texts)
    assert any("没有被接收" in t for t in texts)


@pytest.mark.libreoffice
def test_the_receipt_prints_on_a4_at_9_points_or_more(returned, needs_libreoffice, tmp_path):
    import pdfplumber

    from zoufang.files.libreoffice import convert
    master, back, _ = returned
    receipt = Path(collect(master, [back]).files[0].receipt)
    pdf = convert(receipt, "pdf", tmp_path / "pdf")
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            assert abs(page.width - 841.9) < 2 and abs(page.height - 595.3) < 2  # A4 landscape
            sizes = {round(ch["size"], 1) for ch in page.chars}
            assert sizes and min(sizes) >= 9, sizes
        text = "".join(p.extract_text() for p in doc.pages)
    assert "庞庄村9组99号" in text and "回收表回执" in text
