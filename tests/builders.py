"""Small hand-built campaign workbooks for tests: real .xlsx files written and re-read."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd

from zoufang.reading.reader import read_campaign
from zoufang.xlsx.book_writer import default_content, write_book

D = dt.date
UNITS = [
    {"code": "JG", "name": "局机关", "kind": "局机关"},
    {"code": "TSG", "name": "市图书馆", "kind": "二级单位"},
    {"code": "BWG", "name": "市博物馆", "kind": "二级单位"},
]
PEOPLE = [
    {"person_id": "P1", "name": "甲局长", "unit": "局机关", "category": "局领导班子成员", "is_head": "是", "is_lecturer": "否"},
    {"person_id": "P2", "name": "乙副局长", "unit": "局机关", "category": "局领导班子成员", "is_head": "否", "is_lecturer": "是"},
    {"person_id": "P3", "name": "丙馆长", "unit": "市图书馆", "category": "二级单位领导班子成员", "is_head": "否", "is_lecturer": "否"},
    {"person_id": "P4", "name": "丁馆长", "unit": "市博物馆", "category": "二级单位领导班子成员", "is_head": "否", "is_lecturer": "否"},
    {"person_id": "P5", "name": "戊干部", "unit": "市图书馆", "category": "其他党员干部", "is_head": "否", "is_lecturer": "否"},
    {"person_id": "P6", "name": "己职工", "unit": "市博物馆", "category": "其他干部", "is_head": "否", "is_lecturer": "否"},
]


def make_book(path: Path, *, settings: dict | None = None, quotas: list[dict] | None = None, self_check: bool = False,
              **sheets):
    """Write a campaign workbook with the given rows (column keys) and read it back; with ``self_check``,
    the 自查 sheet and painted cells of a workbook made for typing."""
    content = default_content("test")
    content.settings.update(settings or {})
    content.frames["units"] = pd.DataFrame(UNITS)
    content.frames["people"] = pd.DataFrame(PEOPLE)
    if quotas is not None:
        content.frames["quotas"] = pd.DataFrame(quotas)
    for key, rows in sheets.items():
        content.frames[key] = pd.DataFrame(rows)
    if self_check:
        from zoufang.exchange.book_values import self_checking
        self_checking(content)
    write_book(path, content)
    return read_campaign(path)


def visit(person, day, head="张三", address="庞庄村1组3号", **kw):
    return {"date": day, "person": person, "target": head, "target_type": "困难户", "address": address,
            "form": "入户走访", **kw}


def trip(person, start, end):
    return {"person": person, "start": start, "end": end, "place": "庞庄村", "topic": "调研"}


def reception(person, day, unit):
    return {"date": day, "person": person, "unit": unit, "visitor": "来访人", "matter": "事项", "in_scope": "是",
            "handling": "当场解决"}


def case(leader, visited, status="化解中", deadline=D(2012, 1, 31), unit="市图书馆"):
    return {"cause": "事由", "case_type": "信访疑难案件", "leader": leader, "unit": unit, "owner": "丙馆长",
            "field_visit": "是" if visited else "否", "visit_date": D(2011, 10, 10) if visited else None,
            "deadline": deadline, "status": status}


def problem(leader, status, major=False, finder=None, deadline=D(2012, 1, 31), solved=None, reg=D(2011, 9, 10),
            unit="市图书馆", pid=None):
    return {"problem_id": pid, "reg_date": reg, "source": "走访", "category": "文化", "description": "问题",
            "major": "是" if major else "否", "leader": leader, "unit": unit, "owner": "丙馆长",
            "deadline": deadline, "status": status,
            "solved_date": solved or (D(2011, 10, 1) if status in ("已解决", "已销号") else None),
            "closed_date": D(2011, 10, 2) if status == "已销号" else None, "finder": finder}


def activity(lead, kind, day, unit="局机关"):
    return {"date": day, "kind": kind, "lead": lead, "unit": unit}


def set_cell_by_header(path: Path, sheet: str, header: str, row: int, value) -> None:
    """A clerk's edit with openpyxl: the cell under ``header`` on Excel row ``row``."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    col = next(c.column for c in ws[1] if c.value == header)
    ws.cell(row, col).value = value
    wb.save(path)


def set_core_time(path: Path, when: dt.datetime) -> None:
    """docProps/core.xml's modified time, as Excel writes it on save (dt.timezone.utc, Z)."""
    stamp = when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    rewrite_part(path, "docProps/core.xml",
                 lambda d: re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", d))


def rewrite_part(path: Path, part: str, change) -> None:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, change(data) if item.filename == part else data)
    tmp.replace(path)


def column_of(ws, header: str) -> int:
    """The column (1-based) whose first-row header is ``header``."""
    return next(c.column for c in ws[1] if c.value == header)


def row_of(ws, header: str, value) -> int:
    """The first sheet row below the header whose ``header`` column holds ``value``."""
    col = column_of(ws, header)
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == value)


def edit(path: Path, sheet: str, rid: str, header: str, value, id_header: str = "记录编号") -> str:
    """A clerk (or the office) changes one cell of the row holding ``rid`` with openpyxl, saves; its address."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    r, c = row_of(ws, id_header, rid), column_of(ws, header)
    ws.cell(r, c).value = value
    wb.save(path)
    return f"{openpyxl.utils.get_column_letter(c)}{r}"


def value_of(path: Path, sheet: str, rid: str, header: str, id_header: str = "记录编号"):
    """The value of ``header`` on the row holding ``rid``."""
    import openpyxl
    ws = openpyxl.load_workbook(path)[sheet]
    return ws.cell(row_of(ws, id_header, rid), column_of(ws, header)).value
