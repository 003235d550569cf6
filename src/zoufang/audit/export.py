"""The audit log as a workbook the security office can read: one row per entry, one sheet of cell changes,
filters on, optionally between two dates (CLI.md: audit --export)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from zoufang.audit.trail import DECISION_TEXT, read_entries
from zoufang.files.safe_io import atomic_write
from zoufang.xlsx.print_fit import PAGES_TALL

ENTRY_HEADS = ("序号", "时间", "时间（UTC）", "操作系统账户", "计算机", "命令", "处理的文件", "改动单元格数",
               "总台账校验码（之前）", "总台账校验码（之后）", "备注说明")
CHANGE_HEADS = ("序号", "时间", "工作表", "编号", "单元格", "列", "原值", "新值", "来源", "处理")
ENTRY_WIDTHS = (6, 20, 20, 12, 14, 14, 40, 10, 20, 20, 30)
CHANGE_WIDTHS = (6, 20, 10, 14, 8, 12, 24, 24, 24, 16)


def entries_between(master: Path, start: dt.date | None, end: dt.date | None) -> list[dict]:
    def day(e: dict) -> dt.date | None:
        try:
            return dt.datetime.fromisoformat(e.get("time", "")).date()
        except ValueError:
            return None
    return [e for e in read_entries(master) if "_bad" not in e
            and (start is None or (day(e) or start) >= start) and (end is None or (day(e) or end) <= end)]


def export_log(master: Path, target: Path, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Write the log's entries (between ``start`` and ``end``) to ``target``; how many entries."""
    entries = entries_between(master, start, end)

    def build(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp))
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        cell = book.add_format({"text_wrap": True, "valign": "top"})
        rows = [[e.get("seq"), e.get("time", ""), e.get("utc", ""), e.get("user", ""), e.get("host", ""),
                 e.get("command", ""), "；".join(f"{f.get('name', '')}（{f.get('unit', '')}，{f.get('status', '')}）"
                                                for f in e.get("files", [])),
                 len(e.get("changes", [])), e.get("master_before", ""), e.get("master_after", ""), e.get("note", "")]
                for e in entries]
        changes = [[e.get("seq"), e.get("time", ""), c.get("sheet", ""), c.get("record", ""), c.get("cell", ""),
                    c.get("column", ""), c.get("old", ""), c.get("new", ""), c.get("source", ""),
                    DECISION_TEXT.get(c.get("decision", ""), c.get("decision", ""))]
                   for e in entries for c in e.get("changes", [])]
        for name, heads, widths, data in (("日志", ENTRY_HEADS, ENTRY_WIDTHS, rows),
                                          ("单元格改动", CHANGE_HEADS, CHANGE_WIDTHS, changes)):
            ws = book.add_worksheet(name)
            for j, (h, w) in enumerate(zip(heads, widths)):
                ws.write_string(0, j, h, head)
                ws.set_column(j, j, w, cell)
            for i, values in enumerate(data, start=1):
                for j, v in enumerate(values):
                    if isinstance(v, (int, float)):
                        ws.write_number(i, j, v)
                    else:
                        ws.write_string(i, j, str(v))  # never a formula: a value starting with "=" stays text
            ws.autofilter(0, 0, max(len(data), 1), len(heads) - 1)
            ws.freeze_panes(1, 0)
            ws.set_paper(9)
            ws.set_landscape()
            ws.fit_to_pages(1, PAGES_TALL)
            ws.repeat_rows(0)
        book.close()

    atomic_write(Path(target), build)
    return len(entries)
