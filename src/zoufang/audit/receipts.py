"""A receipt for every return (回执/单位-日期时间.xlsx beside the master): what the master took from the file, what
it did not and why, and what the unit should do next — in Chinese, printable on A4 (CLI.md, #43)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from zoufang.audit.trail import MERGED
from zoufang.files.names import safe_file_name
from zoufang.files.safe_io import atomic_write
from zoufang.xlsx.print_fit import PAGES_TALL, row_height

RECEIPTS_DIR = "回执"
TITLE = "回收表回执"
WIDTHS = (12, 16, 14, 30, 30)  # 工作表 · 编号/单元格 · 列 · 原值 · 新值 (or 原因): A4 landscape at 10 pt
TAKEN_HEADS = ("工作表", "编号", "列", "原值", "新值")
CONFLICT_HEADS = ("工作表", "编号", "列", "总台账保留的值", "单位发回的值（未采用）")
REJECTED_HEADS = ("工作表", "单元格", "", "未接收的原因", "")
KIND_OF = {"": "新增", "-": "删除"}


def next_step(status: str, taken: int, rejected: int, conflicts: int, reason: str) -> str:
    """What the unit should do now."""
    if status == "refused":
        return "这份回收表没有被接收，总台账未作任何改动。请按上面的原因处理后重新发回。"
    if status == "duplicate":
        return "这份回收表此前已经合并过，本次没有新的内容被接收，无需再发。"
    if status == "superseded":
        return "同一单位有更新的一份回收表已合并，这一份没有再合并。如这一份才是最新的，请重新保存后发回。"
    steps = []
    if rejected:
        steps.append(f"有 {rejected} 处未被接收：请在本单位工作簿中按原因改正这些行，保存后重新发回")
    if conflicts:
        steps.append(f"有 {conflicts} 处局活动办公室也改过同一单元格，总台账保留了办公室的值：如单位的值才对，请与局活动办公室联系")
    if not steps:
        steps.append("已全部接收，无需处理" if taken else "这份回收表与总台账一致，本次没有新的内容被接收，无需处理")
    return "；".join(steps) + "。"


def receipt_rows(result, changes: list[dict]) -> dict[str, list[tuple]]:
    """The receipt's tables: taken (the cells the master took from this file), conflicts, rejected."""
    taken = [(c["sheet"], c["record"], c["column"], c["old"], c["new"]) for c in changes
             if c.get("decision") == MERGED]
    conflicts = [(c["sheet"], c.get("record", ""), c.get("column", ""), c.get("office", ""), c.get("unit", ""))
                 for c in result.conflicts]
    rejected = [(r.get("sheet", ""), r.get("cell") or "", "", r.get("reason", ""), "") for r in result.rejected]
    return {"taken": taken, "conflicts": conflicts, "rejected": rejected}


def receipt_name(folder: Path, unit: str, file: str, moment: dt.datetime, used: set[str]) -> Path:
    stem = f"{unit or Path(file).stem}-{moment.strftime('%Y%m%d-%H%M%S')}"
    return folder / (safe_file_name(stem, used, folder) + ".xlsx")


def receipt_facts(result, status_text: str, moment: dt.datetime) -> list[tuple[str, str]]:
    """The lines above the tables: which file, from whom, when, what became of it."""
    digest = " ".join(result.sha256[i:i + 16] for i in range(0, len(result.sha256), 16))
    facts = [("发回单位", result.unit or "（无法识别）"), ("文件", Path(result.file).name),
             ("文件校验码（SHA-256）", digest or "（无法读取）"),
             ("收到并处理的时间", moment.strftime("%Y年%m月%d日 %H:%M")), ("处理结果", status_text)]
    if result.reason:
        facts.append(("原因", result.reason))
    if result.status == "merged":
        facts.append(("数量", f"新增 {result.added} 条，修改 {result.updated} 条，删除 {result.removed} 条，"
                             f"未接收 {len(result.rejected)} 处，冲突 {len(result.conflicts)} 处"))
    return facts


def write_receipt(path: Path, result, status_text: str, changes: list[dict], moment: dt.datetime,
                  campaign_name: str) -> Path:
    """Write the receipt of one returned file (``result``: its collect.FileResult; ``changes``: the cells the
    master took from it, as the audit log has them)."""
    tables = receipt_rows(result, changes)
    step = next_step(result.status, len(tables["taken"]), len(tables["rejected"]), len(tables["conflicts"]),
                     result.reason)

    def build(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp))
        ws = book.add_worksheet(TITLE)
        _write_sheet(book, ws, f"{campaign_name}　{TITLE}", receipt_facts(result, status_text, moment), tables, step)
        book.set_properties({"title": f"{TITLE}：{result.unit}", "author": "zoufang"})
        book.close()

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, build, keep_backup=False)
    return path


def _write_sheet(book, ws, title_text: str, facts: list[tuple[str, str]], tables: dict, step: str) -> None:
    """The title, the facts, the three tables and the next step, on A4 landscape at 10 pt."""
    base = {"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top"}
    plain, label = book.add_format(base), book.add_format({**base, "bold": True})
    cell, head = book.add_format({**base, "border": 1}), book.add_format({**base, "border": 1, "bold": True,
                                                                          "bg_color": "#DDEBF7"})
    section = book.add_format({**base, "bold": True, "font_size": 12})
    for j, w in enumerate(WIDTHS):
        ws.set_column(j, j, w)
    last = len(WIDTHS) - 1
    ws.merge_range(0, 0, 0, last, title_text, book.add_format({**base, "bold": True, "font_size": 16,
                                                                "align": "center", "valign": "vcenter"}))
    ws.set_row(0, 30)
    r = 2
    for name, value in facts:  # the label over the first two columns, the value over the rest
        ws.merge_range(r, 0, r, 1, name, label)
        ws.merge_range(r, 2, r, last, value, plain)
        ws.set_row(r, row_height([name, value], [sum(WIDTHS[:2]), sum(WIDTHS[2:])]))
        r += 1
    r += 1
    for heading, heads, rows in (("一、总台账已接收的内容", TAKEN_HEADS, tables["taken"]),
                                 ("二、未接收的内容及原因", REJECTED_HEADS, tables["rejected"]),
                                 ("三、与局活动办公室的修改冲突的单元格", CONFLICT_HEADS, tables["conflicts"]),
                                 ("四、请单位下一步", (), [])):
        ws.merge_range(r, 0, r, last, heading, section)
        ws.set_row(r, 22)
        if not heads:
            ws.merge_range(r + 1, 0, r + 1, last, step, plain)
            ws.set_row(r + 1, row_height([step], [sum(WIDTHS)]))
        elif not rows:
            ws.merge_range(r + 1, 0, r + 1, last, "无", plain)
        else:
            _table(ws, r + 1, heads, rows, head, cell)
        r += len(rows) + 3 if rows else 3
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(0.5, 0.5, 0.6, 0.6)
    ws.fit_to_pages(1, PAGES_TALL)
    ws.set_footer("&C第 &P 页 共 &N 页")


def _table(ws, r: int, heads: tuple, rows: list[tuple], head, cell) -> None:
    """A bordered table; merged where a heading is blank (the reason runs over the empty columns)."""
    spans = []
    j = 0
    while j < len(heads):
        end = j
        while end + 1 < len(heads) and not heads[end + 1]:
            end += 1
        spans.append((j, end))
        j = end + 1
    widths = [sum(WIDTHS[a:b + 1]) for a, b in spans]
    for line, values in enumerate([heads, *rows]):
        fmt = head if line == 0 else cell
        shown = [str(values[a]) for a, _ in spans]
        for (a, b), text in zip(spans, shown):
            if a == b:
                ws.write_string(r + line, a, text, fmt)
            else:
                ws.merge_range(r + line, a, r + line, b, text, fmt)
        ws.set_row(r + line, row_height(shown, widths))
