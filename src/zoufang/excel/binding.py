"""The buttons: functions bound to a live workbook through xlwings.

Each takes an ``xw.Book`` (classic Excel via ``Book.caller()``, or xlwings
Server/Lite's remote book), reads its values into the same typed dataset the
command line uses, calls the same core functions, writes results back, and ends
with a short Chinese message box. They hold no rules of their own. Formats cannot
be read back remotely, so 校验数据 keeps its own record of the cells it painted in
``_meta`` (key ``painted``) and restores exactly those next time.
"""
from __future__ import annotations

import datetime as dt
import json
import traceback
from pathlib import Path

from zoufang.checks.validate import validate
from zoufang.contract.findings import FILL_ERROR, FILL_WARNING, NOTE_MARK, count_levels, findings_sheet_rows
from zoufang.contract.periods import moment
from zoufang.contract.schema import (
    ALL_SHEETS, BASE_HEADERS, BASE_SHEET, COLLECTIVE_SHEET, FINDINGS_SHEET, HOME_SHEET, IMPORT_LOG_SHEET,
    META_HEADERS, META_SHEET, PERSON_REPORT_SHEET, SUPERVISION_SHEET, UNIT_REPORT_SHEET,
)
from zoufang.exchange.editing import Editor
from zoufang.progress.report import build_report
from zoufang.progress.report_tables import collective_table, overdue_table, people_table, units_table
from zoufang.reading.dataset import Campaign
from zoufang.reading.reader import HIDDEN_GRIDS, InputError, campaign_from_grids
from zoufang.xlsx.values import cell_value

TITLE = "大走访台账"
PAINTED_KEY = "painted"
WANTED = {s.name for s in ALL_SHEETS} | {META_SHEET, *HIDDEN_GRIDS}
LEDGER_DIR, ISSUE_DIR, RETURN_DIR, WRITTEN_DIR = "台账", "下发", "回收", "文字材料"
ROTA_DAYS = 10


# ------------------------------------------------------------------ reading the live book
def book_grids(book) -> dict[str, list[list]]:
    """Values of the campaign's sheets from A1, as the file reader would give them."""
    grids = {}
    for sheet in book.sheets:
        if sheet.name not in WANTED:
            continue
        used = sheet.used_range
        values = used.options(ndim=2).value or []
        top, left = used.row - 1, used.column - 1
        grids[sheet.name] = [[] for _ in range(top)] + [[None] * left + list(r) for r in values]
    return grids


def campaign_of(book) -> Campaign:
    return campaign_from_grids(book_grids(book), book.name, [s.name for s in book.sheets])


def _sheet(book, name: str, after: str | None = None):
    names = [s.name for s in book.sheets]
    if name in names:
        return book.sheets[name]
    anchor = book.sheets[after] if after in names else book.sheets[len(names) - 1]
    return book.sheets.add(name, after=anchor)


def as_typed(value):
    """A value as Excel must receive it to store it unchanged.

    Excel (and Office.js) treat a written string as typed input: "=…" becomes a formula,
    "0012" a number, "2011-9-5" a date. A leading apostrophe makes any text stay text
    (Excel keeps it as the cell's prefix character, not in the value).
    """
    value = cell_value(value)
    return "'" + value if isinstance(value, str) and value else value


def _typed_rows(rows: list[list]) -> list[list]:
    return [[as_typed(v) for v in row] for row in rows]


def _write_table(sheet, headers: list[str], rows: list[list]) -> None:
    sheet.clear_contents()
    sheet.range("A1").value = _typed_rows([headers] + rows)


def _meta_get(book, key: str) -> str:
    if META_SHEET not in [s.name for s in book.sheets]:
        return ""
    for row in book.sheets[META_SHEET].used_range.options(ndim=2).value or []:
        if row and row[0] == key:
            return str(row[2] or "") if len(row) > 2 else ""
    return ""


def _meta_set(book, key: str, label: str, value: str) -> None:
    sheet = _sheet(book, META_SHEET)
    rows = sheet.used_range.options(ndim=2).value or []
    for i, row in enumerate(rows, start=1):
        if row and row[0] == key:
            sheet.range(f"C{i}").value = as_typed(value)
            return
    if not rows or not any(rows[0]):
        sheet.range("A1").value = _typed_rows([list(META_HEADERS)])
        rows = [list(META_HEADERS)]
    sheet.range(f"A{len(rows) + 1}").value = _typed_rows([[key, label, value]])


def _done(book, message: str) -> str:
    book.app.alert(message, title=TITLE)
    return message


def _guarded(fn):
    """Errors become a message box in Chinese, never a traceback."""
    def run(book, *args, **kwargs):
        try:
            return fn(book, *args, **kwargs)
        except InputError as exc:
            return _done(book, f"无法处理：{exc}")
        except Exception as exc:  # noqa: BLE001 - a clerk must see a sentence, the log keeps the rest
            traceback.print_exc()
            return _done(book, f"处理时出错：{exc}。请把本工作簿和这段说明发给办公室。")
    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


# ------------------------------------------------------------------ 校验数据
@_guarded
def validate_book(book, as_of: dt.date | None = None) -> str:
    """Findings into 校验结果 (linked to their cells); offending cells painted and noted, last run's undone."""
    findings = validate(campaign_of(book), as_of)
    sheet_names = [s.name for s in book.sheets]
    previous = json.loads(_meta_get(book, PAINTED_KEY) or "[]")
    for sheet, address, noted in previous:
        if sheet in sheet_names:
            cell = book.sheets[sheet].range(address)
            cell.color = None
            if noted and cell.note is not None:
                cell.note.delete()
    ours = {(s, a) for s, a, noted in previous if noted}
    results = _sheet(book, FINDINGS_SHEET, after=HOME_SHEET)
    rows = findings_sheet_rows(findings)
    results.clear()
    results.range("A1").value = _typed_rows(rows)
    for i, row in enumerate(rows[1:], start=2):
        if row[3] and row[4]:
            results.range(f"E{i}").add_hyperlink(f"#'{row[3]}'!{row[4]}", row[4])
    painted, by_cell = [], {}
    for f in findings:
        if f.sheet in sheet_names and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, address), group in by_cell.items():
        cell = book.sheets[sheet].range(address)
        cell.color = "#" + (FILL_ERROR if any(f.is_error for f in group) else FILL_WARNING)[2:]
        clerk_note = cell.note is not None and (sheet, address) not in ours
        if not clerk_note:  # a clerk's own note is never replaced
            cell.add_note("\n".join(f"{NOTE_MARK}{f.message}。{f.hint}" for f in group))
        painted.append([sheet, address, not clerk_note])
    _meta_set(book, PAINTED_KEY, "校验标记的单元格", json.dumps(painted, ensure_ascii=False))
    errors, warnings = count_levels(findings)
    return _done(book, f"校验完成：错误 {errors} 条，警告 {warnings} 条，详见“{FINDINGS_SHEET}”表；"
                       f"有问题的单元格已标色并加批注。")


# ------------------------------------------------------------------ 统计完成情况
@_guarded
def refresh_completion(book, as_of: dt.date | None = None) -> str:
    """Refresh 个人完成情况, 单位完成情况, 集体指标, 督办清单 in the workbook."""
    report = build_report(campaign_of(book), as_of)
    for name, table in ((PERSON_REPORT_SHEET, people_table), (UNIT_REPORT_SHEET, units_table),
                        (COLLECTIVE_SHEET, collective_table), (SUPERVISION_SHEET, overdue_table)):
        _write_table(_sheet(book, name), *table(report))
    people = report.people.drop_duplicates("person_id")["overall"].value_counts()
    summary = "，".join(f"{k} {v} 人" for k, v in people.items())
    return _done(book, f"统计截止 {report.as_of}：{summary}；挂牌督办 {len(report.overdue)} 项。")


# ------------------------------------------------------------------ files beside the workbook
def _folder(book, name: str) -> Path:
    full = Path(book.fullname)
    if not full.parent or str(full.parent) in ("", "."):
        raise InputError("请先把工作簿保存到文件夹中，再生成文件")
    return full.parent / name


@_guarded
def make_ledgers(book) -> str:
    """Ledgers into 台账/ beside the workbook."""
    from zoufang.ledgers.books import template_folder, write_ledgers
    from zoufang.ledgers.figures import LedgerData
    out = _folder(book, LEDGER_DIR)
    files = write_ledgers(LedgerData.of(campaign_of(book)), out, template_folder(Path(book.fullname)))
    return _done(book, f"已生成个人台账 {len(files.people)} 份、单位台账 {len(files.units)} 册，在 {out}")


@_guarded
def make_brief(book) -> str:
    """半月简报 for the as-of date into 文字材料/ beside the workbook."""
    from zoufang.documents.material import write_brief
    written, report = write_brief(Path(book.fullname), campaign_of(book), _folder(book, WRITTEN_DIR))
    return _done(book, f"已生成半月简报第{report.brief['issue_no']}期：{written.docx}")


@_guarded
def make_rota(book, start: dt.date | None = None) -> str:
    """局领导接访安排 for the next ten workdays from tomorrow into 文字材料/ beside the workbook."""
    from zoufang.documents.material import write_rota
    start = start or dt.date.today() + dt.timedelta(days=1)
    written = write_rota(Path(book.fullname), campaign_of(book), _folder(book, WRITTEN_DIR), start, ROTA_DAYS)
    return _done(book, f"已生成局领导接访安排（{ROTA_DAYS} 个工作日）：{written.docx}")


class BookEditor(Editor):
    """Editor primitives on a live workbook (classic or remote xlwings)."""

    def __init__(self, book):
        super().__init__()
        self.book = book

    def set_value(self, sheet: str, address: str, value) -> None:
        self.book.sheets[sheet].range(address).value = as_typed(value)

    def holds_formula(self, sheet: str, address: str) -> bool:
        try:
            formula = self.book.sheets[sheet].range(address).formula
        except Exception:  # xlwings' remote engines cannot read formulas synchronously: no formula known there
            return False
        return isinstance(formula, str) and formula.startswith("=")

    def max_column(self, sheet: str) -> int:
        used = self.book.sheets[sheet].used_range
        return used.column + used.columns.count - 1

    def delete_row(self, sheet: str, row: int) -> None:
        self.book.sheets[sheet].range(f"{row}:{row}").delete(shift="up")

    def value_columns(self, sheet: str, row: int) -> list[int]:
        width = self.max_column(sheet)
        values = self.book.sheets[sheet].range((row, 1), (row, width)).options(ndim=1).value or []
        return [j for j, v in enumerate(values, start=1) if v not in (None, "")]

    def ensure_sheet(self, name: str, headers: list[str], hidden: bool = False) -> int:
        if name not in [s.name for s in self.book.sheets]:
            sheet = _sheet(self.book, name)
            sheet.range("A1").value = _typed_rows([headers])
            if hidden:
                sheet.visible = False
            self.__dict__.setdefault("_log_rows", {})[name] = 1
        rows = self.__dict__.setdefault("_log_rows", {})
        if name not in rows:
            used = self.book.sheets[name].used_range
            rows[name] = used.row + used.rows.count - 1
        return rows[name]

    def append_log(self, name: str, headers: list[str], rows: list[list], hidden: bool = False) -> None:
        super().append_log(name, headers, rows, hidden)
        self._log_rows[name] += len(rows)

    def write(self, target) -> None:
        """Nothing to write: the clerk saves the workbook in Excel."""


@_guarded
def issue_units(book) -> str:
    """One workbook per unit into 下发/ beside the workbook; rows without a number get one first."""
    from zoufang.exchange.issue import complete_master_meta, fill_blank_ids_in, issue_campaign, units_without_code
    from zoufang.exchange.password_slips import SLIP_DIR
    from zoufang.exchange.passwords import passwords_for
    from zoufang.exchange.secret_key import load_secret
    master = Path(book.fullname)
    campaign = campaign_of(book)
    missing = units_without_code(campaign)
    if missing:
        return _done(book, f"“单位”表中 {'、'.join(missing)} 没有单位编码，请先补上再下发。")
    editor = BookEditor(book)
    notices = complete_master_meta(campaign, editor)
    filled = fill_blank_ids_in(campaign, editor)
    if filled or notices:
        editor.save()
        return _done(book, "".join(notices) + f"已为 {filled} 处空白的记录编号补上编号。请保存工作簿，再点一次“下发单位表”。")
    units = campaign.units.loc[campaign.units["name"] != "", "name"].drop_duplicates().tolist()
    passwords = passwords_for(master, units) if campaign.settings.encrypt else None
    issued = issue_campaign(campaign, load_secret(master, create=True), _folder(book, ISSUE_DIR),
                            record_base=lambda rows: editor.append_log(BASE_SHEET, list(BASE_HEADERS), rows, hidden=True),
                            passwords=passwords, slips=master.parent / SLIP_DIR)
    slips = f"已加密，密码通知单在 {issued.slips}（请打印后另行交给各单位，不要随邮件发送）。" if issued.slips else ""
    return _done(book, f"已为 {len(issued)} 个单位生成工作簿，在 {_folder(book, ISSUE_DIR)}。{slips}"
                       f"下发内容已记入本工作簿（回收时据此判断单位改了什么），请保存工作簿")


@_guarded
def collect_returns(book) -> str:
    """Merge the unit workbooks in 回收/ beside the workbook into this workbook (save it afterwards)."""
    from zoufang.exchange.collect import ARCHIVE_DIR, collect_into, expand_paths, log_frame
    from zoufang.exchange.issue import complete_master_meta
    from zoufang.exchange.passwords import load_passwords
    from zoufang.exchange.secret_key import load_secret
    master = Path(book.fullname)
    inbox = _folder(book, RETURN_DIR)
    files = expand_paths([inbox]) if inbox.exists() else []
    if not files:
        return _done(book, f"没有找到回收的工作簿：请把各单位发回的文件放进 {inbox}")
    campaign = campaign_of(book)
    editor = BookEditor(book)
    notices = complete_master_meta(campaign, editor)
    results = collect_into(campaign, log_frame(campaign.hidden.get(IMPORT_LOG_SHEET)),
                           load_secret(master), master.parent / ARCHIVE_DIR, files, editor,
                           moment(), force_log=bool(notices),
                           passwords=load_passwords(master))
    editor.save()
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    merged = [r for r in results if r.status == "merged"]
    return _done(book, f"处理回收表 {len(results)} 份：合并 {counts.get('merged', 0)}，重复 {counts.get('duplicate', 0)}，"
                       f"被更新版本取代 {counts.get('superseded', 0)}，拒收 {counts.get('refused', 0)}；"
                       f"新增 {sum(r.added for r in merged)} 行，修改 {sum(r.updated for r in merged)} 行，"
                       f"删除 {sum(r.removed for r in merged)} 行，拒收 {sum(len(r.rejected) for r in merged)} 行。"
                       f"详见“{IMPORT_LOG_SHEET}”表。请保存工作簿。")


# ------------------------------------------------------------------ zero-argument entry points for VBA RunPython
def _caller():
    import xlwings as xw
    return xw.Book.caller()


def button_validate() -> None:
    validate_book(_caller())


def button_refresh() -> None:
    refresh_completion(_caller())


def button_ledgers() -> None:
    make_ledgers(_caller())


def button_brief() -> None:
    make_brief(_caller())


def button_rota() -> None:
    make_rota(_caller())


def button_issue() -> None:
    issue_units(_caller())


def button_collect() -> None:
    collect_returns(_caller())
