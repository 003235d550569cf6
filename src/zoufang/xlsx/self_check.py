"""The workbook that checks itself: rules as formulas, painted cells, and the 自查 sheet (WORKBOOK.md).

A rule's formula is a template over column keys, ``{end}``: written once per row for the
conditional format that paints its cell (``$F2``), and once over the whole column for the count
in 自查 (a defined name, ``zf_research_end``), so the painted cells and the count cannot differ.
Templates multiply 0/1 terms — ``ISNUMBER({end})*ISNUMBER({start})*({end}<{start})`` — which
work cell by cell and inside SUMPRODUCT alike, in Excel 2010, WPS and LibreOffice; no function
newer than Excel 2010, no array entry, no dynamic arrays.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from zoufang.contract.cells import column_letter
from zoufang.contract.findings import FILL_ERROR, FILL_WARNING
from zoufang.contract.schema import LEVEL_ERROR, SELF_CHECK_HEADERS, Sheet
from zoufang.contract.rule_names import rule_name
from zoufang.contract.schema import NAME_PERIOD_END, NAME_PERIOD_START, SETTING_ITEMS, SETTINGS
from zoufang.contract.cells import LAST_SERIAL
from zoufang.xlsx.formula_text import cleaned, in_list, tame, token
from zoufang.xlsx.print_fit import PAGES_TALL, row_height

IMPORT_ONLY = "导入时由局活动办公室检查"
HEAD = 1  # the header row (0-based): the verdict is above it
SELF_CHECK_WIDTHS = (16, 10, 40, 6, 18)  # 规则 · 工作表 · 说明 · 数量 · 第一处: A4 landscape at 9 pt or more (print_fit)
CODE_COLUMN = 8  # I: the rule's code, hidden (H holds the row counts)
ROWS = "ROWS"  # placeholder of a count template: how many rows of the sheet hold anything
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


# ------------------------------------------------------------------ the template language
def blank(ref: str) -> str:
    return f"(LEN({cleaned(ref)})=0)"


def filled(ref: str) -> str:
    return f"(LEN({cleaned(ref)})>0)"


def equals(ref: str, word: str) -> str:
    return f"({cleaned(ref)}=\"{word}\")"


def one_of(ref: str, words) -> str:
    """1 where the cleaned text is one of ``words`` (compared without case, as check does; no wildcards)."""
    return in_list(cleaned(ref), words)


def date(ref: str) -> str:
    """1 where the cell holds a date (a number): a date typed as text is left to check at import."""
    return f"ISNUMBER({ref})"


def row_present(sheet: Sheet) -> str:
    """1 on a row holding anything in its contract columns (check skips blank rows)."""
    return f"(LEN({cleaned('&'.join(f'{{{k}}}' for k in sheet.keys))})>0)"


def before(a: str, b: str) -> str:
    """1 where both cells are dates and ``a`` is earlier than ``b``."""
    return f"{date(a)}*{date(b)}*({a}<{b})"


def outside_period(ref: str, exempt_after: str = "") -> str:
    """1 where the cell holds a day (a number a date can be) before 活动开始日期 or after 活动结束日期, both dates;
    ``exempt_after``: a factor that is 0 where a day after the end is allowed."""
    start, end = NAME_PERIOD_START, NAME_PERIOD_END
    return (f"{is_day(ref)}*ISNUMBER({start})*ISNUMBER({end})"
            f"*(({ref}<{start})+({ref}>={end}+1){exempt_after})")


def typed_as_of() -> str:
    """The settings sheet's as-of date cell."""
    return f"'{SETTINGS.name}'!$B${2 + [i.key for i in SETTING_ITEMS].index('as_of')}"


def as_of_day() -> str:
    """The as-of day check takes (Settings.effective_as_of): 统计截止日期, else today up to the end; never before the
    start. Where 统计截止日期 is text, ``as_of_known`` is 0 and no rule on it judges."""
    typed, start, end = typed_as_of(), NAME_PERIOD_START, NAME_PERIOD_END
    return f"MAX({start},IF(ISNUMBER({typed}),INT({typed}),MIN(TODAY(),{end})))"


def as_of_known() -> str:
    typed = typed_as_of()
    return f"ISNUMBER({NAME_PERIOD_START})*ISNUMBER({NAME_PERIOD_END})*((LEN({typed})=0)+ISNUMBER({typed}))"


def is_day(ref: str) -> str:
    """1 where the cell holds a number a date can be (the reader takes it for a day)."""
    return f"ISNUMBER({ref})*({ref}>=1)*({ref}<{LAST_SERIAL + 1})"


def after_as_of(ref: str, inside_period: bool) -> str:
    """1 where the cell holds a day after the as-of day (``inside_period``: and inside the campaign — an event
    outside it is date-out-of-period instead)."""
    inside = (f"*({ref}>={NAME_PERIOD_START})*({ref}<{NAME_PERIOD_END}+1)" if inside_period else "")
    return f"{is_day(ref)}*{as_of_known()}{inside}*({ref}>={as_of_day()}+1)"


def roster_names() -> str:
    """The roster's names as the reader compares them, as an array (INDEX(…,0): whole, in every program)."""
    return f"INDEX({tame(token('zf_people_name'))},0)"


def not_on_roster(ref: str, ids: str | None = None) -> str:
    """1 where the cell names one person alone (no brackets) whom the roster does not hold, and no person id
    (``ids``) is on the row: what roster.resolve calls unknown for certain. An empty roster judges no one."""
    text = token(ref)
    alone = f"(LEN({text})>0)*ISERROR(FIND(\"(\",{text}))" + (f"*(LEN({cleaned(ids)})=0)" if ids else "")
    return (f"{alone}*ISNA(MATCH({tame(text)},{roster_names()},0))"
            f"*(SUMPRODUCT(--(LEN({token('zf_people_name')})>0))>0)")


@dataclass(frozen=True)
class FormulaCheck:
    """One rule the workbook checks by itself: where it paints and what it says."""

    code: str
    level: str
    sheet: Sheet
    column: str  # key of the painted cell
    message: str  # without values: 自查 shows one line per rule
    formula: str  # template over column keys; 1 on an offending row
    count: str = ""  # the same count, cheaper, over the columns' names and {ROWS} (the sheet's rows holding
    #                  anything); "" = SUMPRODUCT of ``formula``

    def keys(self) -> list[str]:
        return [k for k in dict.fromkeys([self.column, *_PLACEHOLDER.findall(self.formula + self.count)]) if k != ROWS]

    def expression(self, refs: dict[str, str], template: str | None = None) -> str:
        return _PLACEHOLDER.sub(lambda m: refs[m.group(1)], self.formula if template is None else template)


@dataclass(frozen=True)
class ImportOnly:
    """A rule no formula can judge: listed in 自查 as checked at import."""

    code: str
    sheet: str
    message: str


def range_name(sheet: Sheet, key: str) -> str:
    return f"zf_{sheet.key}_{key}"


def rows_name(sheet: Sheet) -> str:
    return f"zf_{sheet.key}__rows"


def define_ranges(book, sheets, last_rows: dict[str, int]) -> None:
    """``zf_<sheet>_<column>`` for every column of ``sheets``: rows 2 to ``last_rows[sheet.key]``."""
    for sheet in sheets:
        for j, key in enumerate(sheet.keys):
            letter = column_letter(j + 1)
            book.define_name(range_name(sheet, key), f"='{sheet.name}'!${letter}$2:${letter}${last_rows[sheet.key]}")


def rule_cells(check: FormulaCheck, rows: list[int]) -> tuple[int, int | str, str]:
    """What 自查's formulas show for ``check`` on the finding rows ``rows``: 数量, the first row, 第一处's text."""
    if not rows:
        return 0, "", ""
    first = min(rows)
    return len(rows), first, f"{check.sheet.name}!{column_letter(check.sheet.keys.index(check.column) + 1)}{first}"


def counted_sheets(checks: list[FormulaCheck]) -> list[Sheet]:
    """The sheets whose rows holding anything column H counts ({ROWS}), in the order of its cells."""
    return list(dict.fromkeys(c.sheet for c in checks if ROWS in c.count))


def totals(checks: list[FormulaCheck], values) -> tuple[int, int]:
    """(every finding the rules count, those at level 错误), from ``values`` (BookValues)."""
    counts = [(len(values.rule(c.code, c.sheet, c.column)), c.level) for c in checks]
    return sum(n for n, _ in counts), sum(n for n, level in counts if level == LEVEL_ERROR)


def verdict(total: int, errors: int) -> str:
    """自查's first line for ``total`` findings of which ``errors`` are errors (the formula in A1 says the same)."""
    if errors:
        return f"还有 {errors} 处需要修改"
    return "可以发回" + (f"（另有 {total} 处提醒，请核对）" if total else "")


# ------------------------------------------------------------------ writing
class SelfCheckWriter:
    """Writes the painting and the 自查 sheet of one workbook (XlsxWriter), over define_ranges' names."""

    def __init__(self, book, checks: list[FormulaCheck], import_only: list[ImportOnly], last_rows: dict[str, int],
                 values):
        """``values``: exchange.book_values.BookValues of the workbook — each formula's value as written."""
        self.book, self.checks, self.import_only, self.last_rows = book, checks, import_only, last_rows
        self.values = values
        self.fills = {LEVEL_ERROR: book.add_format({"bg_color": "#" + FILL_ERROR[2:]}),
                      "": book.add_format({"bg_color": "#" + FILL_WARNING[2:]})}

    def _letter(self, sheet: Sheet, key: str) -> str:
        return column_letter(sheet.keys.index(key) + 1)

    def paint(self, ws, sheet: Sheet) -> None:
        """Conditional formats on ``sheet``'s rows, one per rule, in the marked copy's colours."""
        last = self.last_rows[sheet.key]
        for check in (c for c in self.checks if c.sheet is sheet):
            refs = {k: f"${self._letter(sheet, k)}2" for k in check.keys()}
            col = sheet.keys.index(check.column)
            fill = self.fills[LEVEL_ERROR if check.level == LEVEL_ERROR else ""]
            ws.conditional_format(1, col, last - 1, col, {"type": "formula", "criteria": "=" + check.expression(refs),
                                                          "format": fill})

    def write_sheet(self, ws, fmts) -> None:
        """自查: the verdict on top (可以发回 / 还有 N 处需要修改), then a row per rule (规则 · 工作表 · 说明 ·
        数量 · 第一处; its code in hidden column I), the rules no formula judges, and 合计; a rule with a count is
        painted as its cells are. Printed on A4 landscape at 10 pt scaled no smaller than 9 pt, every text whole,
        headings on every page, page numbers in the footer."""
        for j, (label, width) in enumerate(zip(SELF_CHECK_HEADERS, SELF_CHECK_WIDTHS)):
            ws.write_string(HEAD, j, label, fmts.header)
            ws.set_column(j, j, width, fmts.wrapped)
        ws.set_column(5, 6, None, None, {"hidden": True})  # the first row's number and the rule's level
        ws.write_string(HEAD, CODE_COLUMN, "代码")
        ws.set_column(CODE_COLUMN, CODE_COLUMN, None, None, {"hidden": True})  # for the office and scripts
        r = HEAD + 1
        for check in self.checks:
            self._write_rule(ws, fmts, r, check)
            ws.set_row(r, row_height([rule_name(check.code), check.sheet.name, check.message, "", ""],
                                     list(SELF_CHECK_WIDTHS)))
            r += 1
        counted = r
        for rule in self.import_only:
            for j, value in enumerate((rule_name(rule.code), rule.sheet, rule.message)):
                ws.write_string(r, j, value, fmts.wrapped)
            ws.write_blank(r, 3, None, fmts.wrapped)
            ws.write_string(r, 4, IMPORT_ONLY, fmts.wrapped)
            ws.write_string(r, CODE_COLUMN, rule.code)
            ws.set_row(r, row_height([rule_name(rule.code), rule.sheet, rule.message, "", IMPORT_ONLY],
                                     list(SELF_CHECK_WIDTHS)))
            r += 1
        self._write_total(ws, fmts, r, counted, totals(self.checks, self.values))
        self._write_row_counts(ws)
        row = HEAD + 2
        for compare, fill in (("=", self.fills[LEVEL_ERROR]), ("<>", self.fills[""])):
            ws.conditional_format(HEAD + 1, 0, counted - 1, 4, {"type": "formula", "format": fill,
                                                                "criteria": f'=AND($D{row}>0,$G{row}{compare}"{LEVEL_ERROR}")'})
        ws.freeze_panes(HEAD + 1, 0)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, PAGES_TALL)
        ws.repeat_rows(HEAD)
        ws.set_footer("&C第 &P 页 共 &N 页")

    def _write_rule(self, ws, fmts, r: int, check: FormulaCheck) -> None:
        names = {k: range_name(check.sheet, k) for k in check.keys()}
        expr = check.expression(names)
        target = names[check.column]
        for j, value in enumerate((rule_name(check.code), check.sheet.name, check.message)):
            ws.write_string(r, j, value, fmts.wrapped)
        ws.write_string(r, CODE_COLUMN, check.code)
        count = check.expression({**names, ROWS: rows_name(check.sheet)}, check.count) if check.count else \
            f"SUMPRODUCT(({expr})*1)"
        number, first_row, first = rule_cells(check, self.values.rule(check.code, check.sheet, check.column))
        ws.write_formula(r, 3, "=" + count, fmts.cell, number)
        ws.write_formula(r, 5, f'=IF(D{r + 1}=0,"",MATCH(1,INDEX(({expr})*1,0),0)+ROW({target})-1)', None,
                         first_row)
        address = f'ADDRESS(F{r + 1},COLUMN({target}),4)'
        ws.write_formula(r, 4, f'=IF(F{r + 1}="","",HYPERLINK("#\'{check.sheet.name}\'!"&{address},'
                               f'"{check.sheet.name}!"&{address}))', fmts.link_cell, first)
        ws.write_string(r, 6, check.level)

    def _write_row_counts(self, ws) -> None:
        """Column H (hidden): each sheet's rows holding anything, named for the count templates ({ROWS})."""
        ws.set_column(7, 7, None, None, {"hidden": True})
        for i, sheet in enumerate(counted_sheets(self.checks), start=HEAD + 1):
            present = row_present(sheet)
            names = {k: range_name(sheet, k) for k in _PLACEHOLDER.findall(present)}
            ws.write_formula(i, 7, f"=SUMPRODUCT(({_PLACEHOLDER.sub(lambda m: names[m.group(1)], present)})*1)",
                             None, self.values.rows.get(sheet.key, 0))
            self.book.define_name(rows_name(sheet), f"='{ws.name}'!$H${i + 1}")

    @staticmethod
    def _write_total(ws, fmts, r: int, counted: int, counts: tuple[int, int]) -> None:
        """合计 below the rules, and the verdict in the first row, where the clerk looks first."""
        first = HEAD + 2
        ws.write_string(r, 0, "合计", fmts.header)
        for j in (1, 2, 4):
            ws.write_blank(r, j, None, fmts.header)
        total, errors_now = counts
        ws.write_formula(r, 3, f"=SUM(D{first}:D{counted})", fmts.header, total)
        errors = f'SUMIF(G{first}:G{counted},"{LEVEL_ERROR}",D{first}:D{counted})'
        ws.merge_range(0, 0, 0, 4, "", fmts.verdict)
        ws.write_formula(0, 0, f'=IF({errors}=0,"可以发回"&IF(D{r + 1}>0,"（另有 "&D{r + 1}&" 处提醒，请核对）",""),'
                               f'"还有 "&{errors}&" 处需要修改")', fmts.verdict, verdict(total, errors_now))
        ws.set_row(0, 28)
