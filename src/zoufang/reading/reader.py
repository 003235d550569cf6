"""Reading a campaign workbook (file or live grid of values) into a Campaign.

Columns are found by header text, in any order; the clerk's own columns are
kept; blank rows are skipped; every value keeps the cell it came from.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from zoufang.contract.cells import column_letter
from zoufang.contract.findings import Finding, error, warning
from zoufang.contract.periods import cn_date
from zoufang.contract.schema import (
    ALL_SHEETS, HOLIDAYS, META_SHEET, SCHEMA_VERSION, SETTING_ITEMS, SETTINGS, SETTINGS_BY_KEY, Column, Kind, Sheet,
)
from zoufang.reading import normalize as nz
from zoufang.reading.dataset import ROW, Campaign, Settings, SheetData
from zoufang.reading.grids import HIDDEN_GRIDS, Grid, InputError, gc_paused, read_grids  # noqa: F401  (callers import them here)

HEADER_SEARCH_ROWS = 10
TOKEN_KINDS = (Kind.ENUM, Kind.PERSON, Kind.UNIT, Kind.RECORD_ID, Kind.PROBLEM_REF)
TOKEN_KEYS = ("person_id", "code", "name")  # text columns that are identifiers or names


def read_campaign(path: Path | str, package=None) -> Campaign:
    """Read a campaign workbook file into the typed dataset (``package``: its WorkbookFile, already opened)."""
    path = Path(path)
    grids, names, date1904 = read_grids(path, package)
    with gc_paused():
        campaign = campaign_from_grids(grids, path.name, names, date1904=date1904)
    campaign.path = path
    return campaign


def campaign_from_grids(grids: dict[str, Grid], source: str, sheet_names: list[str] | None = None,
                        date1904: bool = False) -> Campaign:
    """Build the dataset from sheet values (from a file or a live workbook).

    ``date1904``: the workbook counts bare serial numbers from 1904 (Mac Excel's date system).
    """
    if not any(s.name in grids for s in ALL_SHEETS):
        raise InputError(f"{source}：没有找到任何活动台账工作表（如“人员”“走访记录”），不是大走访活动工作簿")
    findings: list[Finding] = []
    meta = read_meta(grids.get(META_SHEET))
    refuse_unknown_schema(meta, source)
    sheets = {}
    for spec in ALL_SHEETS:
        if spec is SETTINGS:
            continue
        data, sheet_findings = read_sheet(spec, grids.get(spec.name), date1904)
        sheets[spec.key] = data
        findings += sheet_findings
    settings, settings_findings = read_settings(grids.get(SETTINGS.name))
    findings += settings_findings
    hidden = {name: grids[name] for name in HIDDEN_GRIDS if name in grids}
    campaign = Campaign(source, settings, sheets, meta, findings, sheet_names or list(grids), hidden=hidden)
    campaign.findings += calendar_findings(campaign)
    return campaign


def calendar_findings(campaign: Campaign) -> list[Finding]:
    """A warning at 活动设置 for each campaign year whose official holiday arrangement is nowhere."""
    s = campaign.settings
    missing = campaign.calendar.unknown_years(s.start, s.end)
    if not missing:
        return []
    cell = s.cells.get("start")
    years = "、".join(f"{y} 年" for y in missing)
    return [warning(
        "calendar-year-missing", SETTINGS.name, cell, int(cell[1:]) if cell else None, SETTINGS_BY_KEY["start"].label,
        f"内置日历还没有 {years}的法定节假日安排，这些年份暂按周一至周五计算工作日",
        f"请在“{HOLIDAYS.name}”表按国务院公布的安排填写 {years}的放假日和调休上班日",
    )]


# ------------------------------------------------------------------ headers
def _header_token(value: object) -> str:
    return nz.squeeze(nz.clean_text(value)).strip("*＊")


_HEADER_NOTE = re.compile(r"[（(][^（）()]*[）)]$")  # a clerk's note after a header: 形成报告（是/否）


def column_for_header(value: object, by_label: dict[str, Column]) -> Column | None:
    """The contract column a header names: its label, an alias, or either with a bracketed note after it."""
    token = _header_token(value)
    col = by_label.get(token)
    if col is None and _HEADER_NOTE.search(token):
        col = by_label.get(_HEADER_NOTE.sub("", token))
    return col


def labels_of(spec: Sheet) -> dict[str, Column]:
    """Every header text that names a contract column of ``spec``: labels and aliases."""
    return {lab: c for c in spec.columns for lab in (c.label, *c.aliases)}


def find_header_row(spec: Sheet, grid: Grid) -> int:
    """0-based index of the row that holds the most contract headers (row 1 by contract)."""
    labels = labels_of(spec)
    best, best_hits = 0, 0
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in row if column_for_header(v, labels) is not None)
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def empty_sheet(spec: Sheet) -> SheetData:
    none = nz.Distinct(np.empty(0, dtype=object))
    frame = pd.DataFrame({c.key: _typed_column(c, none) for c in spec.columns})
    frame[ROW] = pd.Series(dtype=int)
    text = pd.DataFrame({c.key: pd.Series(dtype=object) for c in spec.columns})
    return SheetData(spec, frame, text, {}, pd.DataFrame(), present=False)


def read_sheet(spec: Sheet, grid: Grid | None, date1904: bool = False) -> tuple[SheetData, list[Finding]]:
    """Locate columns by header, drop blank rows, type every column."""
    if grid is None and spec.optional:
        return empty_sheet(spec), []
    if grid is None:
        level = error if spec.entry or spec.key in ("people", "units") else warning
        return empty_sheet(spec), [level(
            "missing-sheet", spec.name, None, None, None,
            f"缺少工作表“{spec.name}”",
            "请用 zoufang init 生成的工作簿，或从其中复制该表（含表头）",
        )]
    h = find_header_row(spec, grid) if grid else 0
    header = grid[h] if grid else []
    positions, extra_positions, findings = locate_columns(spec, header, h)
    body = grid[h + 1:]
    width = len(header)
    if len(set(map(len, body))) > 1 or (body and len(body[0]) != width):  # ragged (live workbooks): pad to a rectangle
        width = max(width, max(len(r) for r in body))
        body = [list(r) + [""] * (width - len(r)) for r in body]
    cells = np.array(body, dtype=object) if body else np.empty((0, width), dtype=object)
    used = list(positions.values()) + list(extra_positions.values())
    distinct = {j: nz.Distinct(cells[:, j]) for j in used}
    text_cols = {j: distinct[j].text() for j in used}
    blanks = {j: distinct[j].blank() for j in used}
    if used:
        keep = ~np.logical_and.reduce(list(blanks.values()))
    else:
        keep = np.zeros(len(body), dtype=bool)
    if spec.entry:
        extra_positions |= untitled_columns(cells, keep, set(used))
    rows = np.arange(h + 2, h + 2 + len(body))[keep]  # Excel row numbers of the rows kept
    index = pd.RangeIndex(len(rows))
    blank = np.full(len(rows), "", dtype=object)
    text = pd.DataFrame({c.key: text_cols[positions[c.key]][keep] if c.key in positions else blank
                         for c in spec.columns}, index=index)
    typed = {c.key: _typed_column(c, distinct[positions[c.key]], date1904)[keep] if c.key in positions
             else _typed_column(c, nz.Distinct(blank)) for c in spec.columns}
    frame = pd.DataFrame(typed, index=index)
    frame[ROW] = rows.astype(int)
    extras = pd.DataFrame({name: cells[keep, j] for name, j in extra_positions.items()}, index=index)

    def raw() -> pd.DataFrame:
        return pd.DataFrame({c.key: cells[keep, positions[c.key]] if c.key in positions else np.full(len(rows), None)
                             for c in spec.columns}, index=index)
    letters = {k: column_letter(j + 1) for k, j in positions.items()}
    extra_letters = {k: column_letter(j + 1) for k, j in extra_positions.items()}
    longest = {c.key: distinct[positions[c.key]].longest() for c in spec.columns if c.key in positions}
    every_row = np.ones(len(rows), dtype=bool)
    blank = pd.DataFrame({c.key: blanks[positions[c.key]][keep] if c.key in positions else every_row
                          for c in spec.columns}, index=index)
    kept_codes = {}
    for key, j in positions.items():
        if (codes := distinct[j].text_codes()) is not None:
            kept_codes[key] = (codes[0][keep], codes[1])
    return SheetData(spec, frame, text, letters, extras, h + 1, True, extra_letters, longest, blank,
                     kept_codes, raw), findings


UNTITLED = "（无标题列 {}）"  # the heading a column of values without one is kept under (WORKBOOK.md)


def untitled_columns(cells: np.ndarray, keep: np.ndarray, used: set[int]) -> dict[str, int]:
    """Columns without a header that hold values on the records' rows, each under a generated heading: what the
    clerk typed there is kept (never dropped because nobody named the column)."""
    out = {}
    for j in range(cells.shape[1] if cells.ndim == 2 else 0):
        if j not in used and keep.any() and not nz.Distinct(cells[keep, j]).blank().all():
            out[UNTITLED.format(column_letter(j + 1))] = j
    return out


def locate_columns(spec: Sheet, header: list, h: int) -> tuple[dict[str, int], dict[str, int], list[Finding]]:
    """Contract columns and the clerk's own columns by their header on row ``h`` (0-based); what is amiss."""
    findings: list[Finding] = []
    by_label = labels_of(spec)
    positions: dict[str, int] = {}
    extra_positions: dict[str, int] = {}
    for j, value in enumerate(header):
        if not _header_token(value):
            continue
        col = column_for_header(value, by_label)
        letter = column_letter(j + 1)
        if col is None:
            name = nz.clean_text(value)
            extra_positions[f"{name}（{letter}列）" if name in extra_positions else name] = j
        elif col.key in positions:
            findings.append(error(
                "duplicate-header", spec.name, f"{letter}{h + 1}", h + 1, col.label,
                f"表头“{col.label}”出现了两次（{column_letter(positions[col.key] + 1)}列和{letter}列），"
                f"程序只读取第一列",
                "请删除或改名其中一列",
            ))
            extra_positions[f"{col.label}（{letter}列）"] = j
        else:
            positions[col.key] = j
    findings += [(error if c.required else warning)(
        "missing-column", spec.name, None, None, c.label, f"工作表“{spec.name}”缺少“{c.label}”列",
        f"请在第{h + 1}行加上表头“{c.label}”（列的位置不限）") for c in spec.columns if c.key not in positions]
    return positions, extra_positions, findings


def _typed_column(col, distinct: nz.Distinct, date1904: bool = False) -> pd.Series:
    """Typed values of one contract column: parsed once per distinct cell value."""
    if col.kind is Kind.DATE:
        return distinct.map(nz.parse_date_1904 if date1904 else nz.parse_date, "datetime64[ns]")
    if col.kind is Kind.YESNO:
        return distinct.map(nz.parse_yesno, "boolean")
    if col.kind is Kind.NUMBER:
        return distinct.map(nz.parse_number, "float")
    if col.kind is Kind.TARGET:
        return distinct.map(nz.parse_target, "float")
    if col.kind in TOKEN_KINDS or col.key in TOKEN_KEYS:
        return distinct.token()
    return distinct.text()


# ------------------------------------------------------------------ settings & meta
def _key_values(grid: Grid | None) -> dict[str, object]:
    values: dict[str, object] = {}
    for row in (grid or [])[1:]:
        if not row:
            continue
        key = _header_token(row[0])
        if key and key not in values:
            values[key] = row[1] if len(row) > 1 else ""
    return values


def read_settings(grid: Grid | None) -> tuple[Settings, list[Finding]]:
    """活动设置 as Settings; a missing or bad item falls back to its default with a finding."""
    findings: list[Finding] = []
    values = _key_values(grid)
    rows = {}
    for i, row in enumerate((grid or [])[1:], start=2):
        if row:
            rows.setdefault(_header_token(row[0]), i)
    parsed: dict[str, object] = {}
    for item in SETTING_ITEMS:
        raw = values.get(item.label, None)
        cell = f"B{rows[item.label]}" if item.label in rows else None
        if item.kind is Kind.DATE:
            text = nz.clean_text(raw)
            if not text:
                if item.default is not None:
                    findings.append(error(
                        "settings-missing", SETTINGS.name, cell, rows.get(item.label), item.label,
                        f"活动设置缺少“{item.label}”，暂按默认值 {cn_date(item.default)} 统计",
                        f"请在“{SETTINGS.name}”表填写{item.label}",
                    ))
                parsed[item.key] = item.default
                continue
            day = nz.date_series(pd.Series([raw], dtype=object)).iloc[0]
            if pd.isna(day):
                findings.append(error(
                    "settings-bad-date", SETTINGS.name, cell, rows.get(item.label), item.label,
                    f"活动设置的“{item.label}”不是日期：{text}",
                    f"日期可写为 {nz.DATE_FORMS}",
                ))
                parsed[item.key] = item.default
            else:
                parsed[item.key] = day.date()
        else:  # kept as typed (printed on 首页, rota, notices); compared through clean_text where compared
            text = nz.as_typed(raw)
            parsed[item.key] = text or (item.default or "")
    start, end = parsed["start"], parsed["end"]
    if start > end:
        end_label = SETTINGS_BY_KEY["end"].label
        findings.append(error(
            "settings-period-inverted", SETTINGS.name, f"B{rows[end_label]}" if end_label in rows else None,
            rows.get(end_label), end_label,
            f"活动结束日期 {cn_date(end)} 早于开始日期 {cn_date(start)}",
            "请检查活动设置中的开始日期和结束日期",
        ))
        start, end = end, start
    settings = Settings(
        name=parsed["name"], organizer=parsed["organizer"], start=start, end=end,
        as_of=parsed["as_of"], contact_point=parsed["contact_point"],
        security_points=parsed["security_points"], return_deadline=parsed["return_deadline"],
        reception_place=parsed["reception_place"], reception_hours=parsed["reception_hours"],
        encrypt=nz.parse_yesno(parsed["encrypt"]) is True,
        cells={item.key: f"B{rows[item.label]}" for item in SETTING_ITEMS if item.label in rows},
    )
    return settings, findings


def read_meta(grid: Grid | None) -> dict[str, str]:
    """_meta as {key: value} (keys of schema.META_ITEMS); {} where absent."""
    meta: dict[str, str] = {}
    for row in (grid or [])[1:]:
        if row and nz.clean_text(row[0]):
            meta[nz.clean_text(row[0])] = nz.clean_text(row[2] if len(row) > 2 else "")
    return meta


def refuse_unknown_schema(meta: dict[str, str], source: str) -> None:
    """A workbook of a newer (or unreadable) schema version cannot be read safely: refuse it."""
    raw = meta.get("schema_version", "")
    if not raw:
        return
    try:
        version = int(float(raw))
    except ValueError:
        version = None
    if version is None or version > SCHEMA_VERSION or version < 1:
        raise InputError(f"{source}：工作簿的架构版本“{raw}”本程序不认识（本程序支持版本 {SCHEMA_VERSION}），"
                         f"可能由更新版本的 zoufang 生成。请升级 zoufang 后再处理")
