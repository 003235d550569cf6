"""Writing fresh campaign workbooks (master or unit copy) with XlsxWriter.

Layout, dropdowns, date limits and print setup all derive from the schema. Text
is always written as text (never as a formula), dates as real dates.
"""
from __future__ import annotations

import io

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from zoufang import __version__
from zoufang.contract.schema import (
    ALL_SHEETS, DEFAULT_QUOTAS, HOLIDAYS, HOME_SHEET, HOME_TEXT, META_HEADERS, META_ITEMS, META_SHEET, NAME_PERIOD_END,
    NAME_PERIOD_START, PEOPLE, PROGRESS_HELPER_SHEET, PROGRESS_SHEET, QUOTAS, REFERENCE_NOTE, SCHEMA_VERSION,
    SELF_CHECK_SHEET, SETTING_ITEMS, SETTINGS, UNITS,
    Kind, Owner, Sheet,
)
from zoufang.contract.findings import FILL_ERROR
from zoufang.contract.work_calendar import official_arrangement
from zoufang.xlsx.print_fit import PAGES_TALL, fit_scale, row_height, wrapped_lines
from zoufang.xlsx.self_check import SelfCheckWriter, define_ranges
from zoufang.xlsx.unit_progress import ProgressPlan, ProgressWriter

DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'  # a log's date and time: 2026年12月6日 10:48 (to the millisecond in the cell)
CN_DATE_FORMAT = 'yyyy"年"m"月"d"日"'  # a date as a Chinese report prints it; 16 characters hold 2011年10月31日
HEADER_FILL = "#1F4E78"
OFFICE_FILL = "#7F6000"  # header colour of columns the office owns on an entry sheet
OFFICE_SHADE = "#D9D9D9"  # their cells in a unit's copy
OFFICE_NOTE = "此列由局活动办公室填写。单位在此列的修改不会被采用，导入时会列出。"
EXTRA_ROWS = 2000  # rows below the data that keep dropdowns and date limits
REFERENCE_EXTRA_ROWS = 200  # people and units a clerk may add and still be recognised by the formulas
CHECKED_EXTRA_ROWS = 1200  # rows below the data that 自查 checks (a thousand more than issued, and some)
NAME_PEOPLE = "人员姓名"
NAME_UNITS = "单位名称列表"
EXCEL_MAX_TEXT = 32767
FORMULA_PREFIXES = ("=", "+", "-", "@")
XLWINGS_CONF_SHEET = "xlwings.conf"


@dataclass
class BookContent:
    """What goes into a campaign workbook, by sheet key with column keys."""

    settings: dict[str, object] = field(default_factory=dict)  # SettingItem.key -> value
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # Sheet.key -> rows
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)  # clerk columns by header
    meta: dict[str, str] = field(default_factory=dict)
    protect_office_columns: bool = False  # unit copies: 督办意见 shaded and noted (never sheet protection)
    hidden: dict[str, list[list]] = field(default_factory=dict)  # extra hidden sheets: name -> rows
    vba_project: Path | None = None  # vbaProject.bin for an .xlsm (document modules ThisWorkbook, Sheet1…)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (caption, macro) on 首页
    created: dt.datetime | None = None  # fixed document time for reproducible builds
    home: tuple[str, list[str]] | None = None  # (title, lines) of a unit's 首页; None: the master's
    xlwings_conf: dict[str, object] = field(default_factory=dict)  # the macro workbook's hidden xlwings.conf sheet
    self_checks: list = field(default_factory=list)  # self_check.FormulaCheck: the 自查 sheet and painted cells
    import_only: list = field(default_factory=list)  # self_check.ImportOnly: listed in 自查 as checked at import
    progress: ProgressPlan | None = None  # 本单位进度 of an issued unit workbook
    values: object = None  # exchange.book_values.BookValues: the value each formula carries (with 自查, 本单位进度)


def default_content(campaign_id: str) -> BookContent:
    quotas = pd.DataFrame(
        [{"subject": q.subject, "metric": q.metric, "target": q.target,
          "unit_label": q.unit_label, "note": q.note} for q in DEFAULT_QUOTAS]
    )
    settings = {s.key: s.default for s in SETTING_ITEMS}
    return BookContent(
        settings=settings,
        frames={QUOTAS.key: quotas, HOLIDAYS.key: holiday_rows(settings["start"], settings["end"])},
        meta={"campaign_id": campaign_id, "schema_version": str(SCHEMA_VERSION),
              "unit": "", "issued_at": "", "generator": f"zoufang {__version__}", "token": ""},
    )


def holiday_rows(start: dt.date, end: dt.date) -> pd.DataFrame:
    """节假日 as shipped: the official arrangement of the campaign's years that the built-in calendar knows."""
    rows = official_arrangement(range(start.year, end.year + 1))
    return pd.DataFrame([{"date": d, "kind": k, "name": n} for d, k, n in rows], columns=["date", "kind", "name"])


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook):
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        head = {**base, "bold": True, "font_color": "#FFFFFF", "border": 1, "align": "center", "text_wrap": True}
        self.header = book.add_format({**head, "bg_color": HEADER_FILL})
        self.office_header = book.add_format({**head, "bg_color": OFFICE_FILL})
        cell = {**base, "border": 1, "border_color": "#BFBFBF"}
        date = {"num_format": DATE_FORMAT, "align": "center"}
        # (plain, date, percent) cell formats, for an open sheet and for a unit copy
        self.cell = book.add_format(cell)
        self.wrapped = book.add_format({**cell, "text_wrap": True, "valign": "top"})  # 自查's texts, whole
        self.row_rule = book.add_format({"border": 1, "border_color": "#BFBFBF"})
        self.date = book.add_format({**cell, **date})
        self.percent = book.add_format({**cell, "num_format": "0%"})
        self.column_date = book.add_format({**base, **date})
        self.office_cell = book.add_format({**cell, "bg_color": OFFICE_SHADE})
        self.office_column = book.add_format({**base, "bg_color": OFFICE_SHADE})
        self.title = book.add_format({"font_name": "黑体", "font_size": 18, "bold": True})
        self.home_title = book.add_format({"font_name": "黑体", "font_size": 18, "bold": True, "text_wrap": True,
                                           "valign": "vcenter"})
        self.body = book.add_format({**base, "font_size": 11, "text_wrap": True})
        self.link = book.add_format({**base, "font_size": 11, "font_color": "#0563C1", "underline": 1})
        self.link_cell = book.add_format({**cell, "font_color": "#0563C1", "underline": 1})
        self.verdict = book.add_format({"font_name": "黑体", "font_size": 14, "bold": True})
        self._book, self._cell, self._figures = book, cell, {}
        self.late_fill = book.add_format({"bg_color": "#" + FILL_ERROR[2:]})
        self.done_fill = book.add_format({"bg_color": "#E2EFDA"})

    def figure(self, num_format: str):
        """A bordered cell with ``num_format`` (本单位进度's "完成 / 目标"), one format per distinct text."""
        if num_format not in self._figures:
            self._figures[num_format] = self._book.add_format({**self._cell, "num_format": num_format,
                                                               "align": "center"})
        return self._figures[num_format]


MIN_PRINT_SCALE = 0.9  # 10 pt cells print at 9 pt or more
PRINT_MARGINS = (0.6, 0.4, 0.7, 0.7)  # left, right, top, bottom (inches)
HOME_WIDTHS = (14, 60)


def _print_setup(ws, landscape: bool = True, widths: list[float] | None = None) -> None:
    """A4 with the heading row on every page; fitted to the page width unless that would print
    below 9 pt — then at 90 % across several pages, the first two columns repeated on each."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.repeat_rows(0)
    if widths and fit_scale(widths, 9, landscape, *PRINT_MARGINS[:2]) < MIN_PRINT_SCALE:
        ws.set_print_scale(int(MIN_PRINT_SCALE * 100))
        ws.repeat_columns(0, 1)
        ws.print_across()  # a row's pieces on consecutive pages
    else:
        ws.fit_to_pages(1, PAGES_TALL)
    ws.set_margins(*PRINT_MARGINS)
    ws.set_header("&C&\"黑体,Bold\"&A")
    ws.set_footer("&C第 &P 页 共 &N 页")


def cell_value(value):
    """What a cell holds once written: a date as a datetime, a number as a float, yes/no as 是/否, anything else as
    its text (at most Excel's 32,767 characters); None for nothing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        return value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return str(value)[:EXCEL_MAX_TEXT]


def _write_value(ws, row: int, col: int, value, fmt, date_fmt) -> None:
    """One cell: dates as dates, numbers as numbers, everything else as literal text (cell_value)."""
    value = cell_value(value)
    if value is None:
        return
    if isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, date_fmt)
    elif isinstance(value, float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, value, fmt)


def write_cells(ws, row: int, values, fmts, date_fmt) -> None:
    """One row of values from column A, each with its format (dates with ``date_fmt``)."""
    for j, value in enumerate(values):
        _write_value(ws, row, j, value, fmts[j], date_fmt)


def _defined_names(book: xlsxwriter.Workbook) -> None:
    start_row = 2 + [s.key for s in SETTING_ITEMS].index("start")
    end_row = 2 + [s.key for s in SETTING_ITEMS].index("end")
    book.define_name(NAME_PERIOD_START, f"='{SETTINGS.name}'!$B${start_row}")
    book.define_name(NAME_PERIOD_END, f"='{SETTINGS.name}'!$B${end_row}")
    name_col = xl_col_to_name(PEOPLE.keys.index("name"))
    unit_col = xl_col_to_name(UNITS.keys.index("name"))
    # Dynamic ranges: a person added to 人员 appears in every dropdown at once.
    book.define_name(
        NAME_PEOPLE,
        f"=OFFSET('{PEOPLE.name}'!${name_col}$2,0,0,MAX(1,COUNTA('{PEOPLE.name}'!${name_col}:${name_col})-1),1)",
    )
    book.define_name(
        NAME_UNITS,
        f"=OFFSET('{UNITS.name}'!${unit_col}$2,0,0,MAX(1,COUNTA('{UNITS.name}'!${unit_col}:${unit_col})-1),1)",
    )


def _validation(spec: Sheet, col) -> dict | None:
    """Excel data validation for one column, or None."""
    if col.kind is Kind.ENUM:
        return {"validate": "list", "source": list(col.choices), "error_title": "请从下拉框中选择",
                "error_message": f"“{col.label}”只能填：" + "、".join(col.choices)}
    if col.kind is Kind.YESNO:
        return {"validate": "list", "source": ["是", "否"], "error_title": "请选择是或否",
                "error_message": f"“{col.label}”请选择“是”或“否”"}
    if col.kind is Kind.PERSON:
        return {"validate": "list", "source": f"={NAME_PEOPLE}", "error_type": "warning",
                "error_title": "人员名单中没有此人", "error_message": "请从下拉框中选择，或先在“人员”表中添加此人"}
    if col.kind is Kind.UNIT:
        return {"validate": "list", "source": f"={NAME_UNITS}", "error_type": "warning",
                "error_title": "单位名录中没有此单位", "error_message": "请从下拉框中选择，或先在“单位”表中添加此单位"}
    if col.kind is Kind.DATE and col.event_date:  # text dates (2011.9.5, 2011年9月5日) pass: check reads them
        cell = f"{xl_col_to_name(spec.columns.index(col))}2"
        return {"validate": "custom",
                "value": f"=OR(ISTEXT({cell}),AND({cell}>={NAME_PERIOD_START},{cell}<={NAME_PERIOD_END}))",
                "error_title": "日期不在活动期间",
                "error_message": "请填写活动期间内的日期（见“活动设置”的开始日期和结束日期）",
                "input_title": "填写日期", "input_message": "例如 2011-09-05、2011.9.5 或 2011年9月5日"}
    if col.kind is Kind.NUMBER:
        return {"validate": "decimal", "criteria": ">=", "value": 0, "error_title": "请填写数字",
                "error_message": f"“{col.label}”应为不小于0的数字"}
    return None


def _write_table(book, ws, spec: Sheet, fmts: _Formats, frame: pd.DataFrame | None,
                 extras: pd.DataFrame | None, protect_office: bool, paint=None) -> None:
    frame = frame if frame is not None else pd.DataFrame(columns=spec.keys)
    extras = extras if extras is not None else pd.DataFrame(index=frame.index)
    ncols = len(spec.columns) + len(extras.columns)
    keys = spec.keys
    kinds = [c.kind for c in spec.columns]
    cell_fmts, date_fmts = [], []
    for j, col in enumerate(spec.columns):
        office = spec.entry and col.owner is Owner.OFFICE
        ws.write_string(0, j, col.label, fmts.office_header if office else fmts.header)
        is_date = col.kind is Kind.DATE
        marked = protect_office and office
        column_fmt = fmts.column_date if is_date else (fmts.office_column if marked else None)
        cell_fmts.append(fmts.office_cell if marked else fmts.cell)
        date_fmts.append(fmts.date)
        if marked:  # a unit's copy: the office's column is shaded and explained, never locked (clerks sort and delete rows)
            ws.write_comment(0, j, OFFICE_NOTE, {"x_scale": 2, "y_scale": 1.2})
        ws.set_column(j, j, col.width, column_fmt)
    for k, name in enumerate(extras.columns, start=len(keys)):
        ws.write_string(0, k, str(name), fmts.header)
        ws.set_column(k, k, 14)
    ws.set_row(0, 30)
    nrows = len(frame)
    values = frame.reindex(columns=keys).astype(object).to_numpy()
    extra_values = extras.astype(object).to_numpy() if len(extras.columns) else None
    extra_fmt = fmts.cell
    for i in range(nrows):
        r = i + 1
        row = values[i]
        for j in range(len(keys)):
            v = row[j]
            if v is None and cell_fmts[j] is fmts.office_cell:
                ws.write_blank(r, j, None, fmts.office_cell)  # shaded even where the office wrote nothing yet
            elif kinds[j] is Kind.TARGET and isinstance(v, float) and 0 < v < 1:
                _write_value(ws, r, j, v, fmts.percent, fmts.percent)
            else:
                _write_value(ws, r, j, v, cell_fmts[j], date_fmts[j])
        if extra_values is not None:
            for k, v in enumerate(extra_values[i], start=len(keys)):
                _write_value(ws, r, k, v, extra_fmt, fmts.date)
    last = nrows + EXTRA_ROWS
    for j, col in enumerate(spec.columns):
        rule = _validation(spec, col)
        if rule:
            ws.data_validation(1, j, last, j, {"ignore_blank": True, **rule})
    if paint is not None:  # the self-check's colours first: LibreOffice shows the first format that applies
        paint(ws, spec)
    # every row that holds anything is ruled across all its columns, blanks and rows typed later included
    ws.conditional_format(1, 0, last, ncols - 1, {
        "type": "formula", "criteria": f"=COUNTA($A2:${xl_col_to_name(ncols - 1)}2)>0", "format": fmts.row_rule})
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(nrows, 1), ncols - 1)
    _print_setup(ws, landscape=len(spec.columns) > 5,
                 widths=[c.width for c in spec.columns] + [12] * (len(extras.columns) if extras is not None else 0))


def _write_settings(ws, fmts: _Formats, settings: dict[str, object]) -> None:
    ws.write_string(0, 0, SETTINGS.columns[0].label, fmts.header)
    ws.write_string(0, 1, SETTINGS.columns[1].label, fmts.header)
    ws.set_column(0, 0, SETTINGS.columns[0].width)
    ws.set_column(1, 1, SETTINGS.columns[1].width)
    for i, item in enumerate(SETTING_ITEMS, start=1):
        ws.write_string(i, 0, item.label, fmts.cell)
        value = settings.get(item.key, item.default)
        if item.kind is Kind.DATE and value is None:
            ws.write_blank(i, 1, None, fmts.date)
        else:
            _write_value(ws, i, 1, value, fmts.cell, fmts.date)
    ws.freeze_panes(1, 0)
    _print_setup(ws, landscape=False)


def _write_home(book, ws, fmts: _Formats, settings: dict[str, object], sheet_names: list[str],
                home: tuple[str, list[str]] | None = None) -> None:
    for j, width in enumerate(HOME_WIDTHS):
        ws.set_column(j, j, width)
    title, lines = home or (str(settings.get("name") or "大走访活动台账"), list(HOME_TEXT))
    ws.merge_range(0, 0, 0, len(HOME_WIDTHS) - 1, title, fmts.home_title)  # wraps within the page, never past it
    ws.set_row(0, 26 * wrapped_lines(title, sum(HOME_WIDTHS) * 10 / 18) + 4)  # 18 pt characters
    for i, line in enumerate(lines, start=2):
        ws.merge_range(i, 0, i, 1, line, fmts.body)
        ws.set_row(i, row_height([line], [sum(HOME_WIDTHS)]) * 1.1)  # 11 pt text: a tenth taller than 10 pt
    r = 2 + len(lines) + 1
    ws.write_string(r, 0, "工作表", fmts.header)
    ws.write_string(r, 1, "用途", fmts.header)
    for name in sheet_names:
        r += 1
        spec = next(s for s in ALL_SHEETS if s.name == name)
        ws.write_url(r, 0, f"internal:'{name}'!A1", fmts.link, name)
        purpose = REFERENCE_NOTE if home and not spec.entry else spec.purpose
        ws.write_string(r, 1, purpose, fmts.body)
        ws.set_row(r, row_height([name, purpose], list(HOME_WIDTHS)) * 1.1)
    _print_setup(ws, landscape=False, widths=list(HOME_WIDTHS))
    ws.repeat_rows(0, 0)
    ws.activate()


def formula_rows(content: BookContent, sheets: tuple[Sheet, ...]) -> dict[str, int]:
    """The last row each sheet's zf_ names reach: the rows written and room for what the clerk adds."""
    return {spec.key: len(content.frames.get(spec.key, ())) + 1 + (CHECKED_EXTRA_ROWS if spec.entry else
                                                                   REFERENCE_EXTRA_ROWS)
            for spec in sheets if spec.entry or spec in (PEOPLE, UNITS)}


def content_grids(content: BookContent, sheets: tuple[Sheet, ...] = ALL_SHEETS) -> dict[str, list[list]]:
    """The values ``write_book`` puts in the contract's sheets and ``_meta``, as a reader reads them back (grids for
    reading.campaign_from_grids): what the workbook's own formulas compute from, known before it is written."""
    grids: dict[str, list[list]] = {}
    for spec in sheets:
        if spec is SETTINGS:
            grids[spec.name] = [[c.label for c in spec.columns]] + [
                [item.label, cell_value(content.settings.get(item.key, item.default))] for item in SETTING_ITEMS]
            continue
        frame = content.frames.get(spec.key)
        frame = frame if frame is not None else pd.DataFrame(columns=spec.keys)
        extras = content.extras.get(spec.key)
        extras = extras if extras is not None else pd.DataFrame(index=frame.index)
        values = np.concatenate([frame.reindex(columns=spec.keys).astype(object).to_numpy(),
                                 extras.astype(object).to_numpy().reshape(len(frame), len(extras.columns))], axis=1)
        grids[spec.name] = [[c.label for c in spec.columns] + [str(h) for h in extras.columns]] + [
            [cell_value(v) for v in row] for row in values]
    grids[META_SHEET] = [list(META_HEADERS)] + [[item.key, item.label, str(content.meta.get(item.key, ""))]
                                                for item in META_ITEMS]
    return grids


def _self_checker(book, content: BookContent, last_rows: dict[str, int]) -> SelfCheckWriter:
    """The writer of 自查 and of the entry sheets' painting (xlsx.self_check)."""
    checks = [c for c in content.self_checks if c.sheet.key in last_rows]
    return SelfCheckWriter(book, checks, content.import_only, last_rows, content.values)


def _write_meta(ws, fmts: _Formats, meta: dict[str, str]) -> None:
    for j, h in enumerate(META_HEADERS):
        ws.write_string(0, j, h, fmts.header)
    for i, item in enumerate(META_ITEMS, start=1):
        ws.write_string(i, 0, item.key)
        ws.write_string(i, 1, item.label)
        if meta.get(item.key, ""):  # an empty value stays an empty cell
            ws.write_string(i, 2, str(meta[item.key]))
    ws.set_column(0, 2, 20)
    ws.hide()


def write_book(path: Path | io.BytesIO, content: BookContent, sheets: tuple[Sheet, ...] = ALL_SHEETS) -> Path:
    """Write a campaign workbook with the given content to ``path`` (a new file), or into a buffer in memory
    (a workbook to be encrypted: its plain form never touches a disk)."""
    in_memory = isinstance(path, io.BytesIO)
    if (content.self_checks or content.progress) and content.values is None:
        raise ValueError("write_book: formulas without their values (exchange.book_values.book_values)")
    rows = sum(len(f) for f in content.frames.values())
    book = xlsxwriter.Workbook(path if in_memory else str(path), {
        "strings_to_formulas": False, "strings_to_urls": False,
        "in_memory": in_memory or rows < 50_000})  # small books: no temp files
    fmts = _Formats(book)
    _defined_names(book)
    home = book.add_worksheet(HOME_SHEET)
    checking = book.add_worksheet(SELF_CHECK_SHEET) if content.self_checks else None
    progress = book.add_worksheet(PROGRESS_SHEET) if content.progress else None
    last_rows = formula_rows(content, sheets)
    if checking is not None or progress is not None:
        define_ranges(book, [s for s in sheets if s.key in last_rows], last_rows)
    checker = _self_checker(book, content, last_rows) if checking is not None else None
    for spec in sheets:
        ws = book.add_worksheet(spec.name)
        if spec is SETTINGS:
            _write_settings(ws, fmts, content.settings)
        else:
            _write_table(book, ws, spec, fmts, content.frames.get(spec.key), content.extras.get(spec.key),
                         content.protect_office_columns and spec.entry, checker.paint if checker and spec.entry else None)
    if checker is not None:
        checker.write_sheet(checking, fmts)
    if progress is not None:
        writer = ProgressWriter(book, content.progress, last_rows, content.values)
        writer.write_sheet(progress, fmts)
        writer.write_helper(book.add_worksheet(PROGRESS_HELPER_SHEET))
    _write_home(book, home, fmts, content.settings, [s.name for s in sheets], content.home)
    for k, (caption, macro) in enumerate(content.buttons):
        home.insert_button(1, 3, {"macro": macro, "caption": caption, "width": 150, "height": 36,
                                          "x_offset": 10, "y_offset": 10 + 44 * k})
    _write_meta(book.add_worksheet(META_SHEET), fmts, content.meta)
    if content.xlwings_conf:  # read by xlwings' VBA (GetConfig): key in A, value in B, one row each
        conf = book.add_worksheet(XLWINGS_CONF_SHEET)
        for i, (key, value) in enumerate(content.xlwings_conf.items()):
            conf.write_string(i, 0, key)
            conf.write(i, 1, value)
        conf.hide()
    for name, rows in content.hidden.items():
        ws = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                ws.write_string(i, j, str(value))
        ws.hide()
    properties = {"title": str(content.settings.get("name") or "大走访活动台账"), "comments": f"zoufang {__version__}"}
    if content.created:
        properties["created"] = content.created
    book.set_properties(properties)
    if content.vba_project:
        book.add_vba_project(str(content.vba_project))
        book.set_vba_name("ThisWorkbook")
        for i, ws in enumerate(book.worksheets(), start=1):
            ws.set_vba_name(f"Sheet{i}")
    book.close()
    return path

