"""The 本单位进度 sheet and its hidden helper sheet (WORKBOOK.md): figures by formulas from the workbook's rows.

The helper sheet holds blocks of columns, one row per row of what the block reads (an entry sheet's rows,
the roster, the days of the period). A column's formula is a template: ``{i}`` is the row's position in
what the block reads (``INDEX(zf_visits_date,{i})``), ``[name]`` the same row's cell of helper column
``name``; every helper column is also a defined name (``zh_name``) for the counts on 本单位进度, where
``{pid}`` is the person's 人员编号 cell. Positions, not cell links: a clerk's inserted, deleted or sorted
rows move under the formulas and every figure still reads them all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellFormulaTuple

from zoufang.contract.schema import PEOPLE, PROGRESS_TAIL
from zoufang.xlsx.print_fit import PAGES_TALL, row_height, wrapped_lines

_SAME_ROW = re.compile(r"\[(\w+)\]")


@dataclass(frozen=True)
class Block:
    """Helper columns (name → template, in order: a column may use those before it) over the rows of the
    sheet ``source`` (its key: as many rows as its named ranges hold), or over ``rows`` rows."""

    source: str
    columns: dict[str, str]
    rows: int = 0


@dataclass(frozen=True)
class Figure:
    """One 指标 column of 本单位进度: the figure's template and its status's."""

    label: str  # the 指标 name, the column's header
    value: str  # template over {pid}: the figure (a count, days, or a ratio as a fraction; "" when undefined)
    status: str  # template over {pid}, {value} (the figure's cell) and {target}: 已完成 / 按进度 / 滞后 / 未完成
    ratio: bool = False
    parts: int = 1  # fixed values {o0}, {o1}… the templates add: what other books hold for the person


@dataclass
class ProgressPlan:
    """What 本单位进度 shows: people (人员编号, 姓名, 人员类别, {指标: target}), figures, and the helper blocks."""

    people: list[tuple[str, str, str, dict[str, float]]]
    figures: list[Figure]
    blocks: list[Block] = field(default_factory=list)
    scalars: dict[str, str] = field(default_factory=dict)  # name → formula (zh_name), in order
    status_words: tuple[str, ...] = ()  # the statuses, best first: a person's 状态 is the worst of theirs
    note: str = ""
    lists: dict[str, list[str]] = field(default_factory=dict)  # name → texts, kept in cells (zh_name), never as
    # formula constants: Excel holds at most 255 characters in a constant and 8,192 in a formula
    others: dict[str, dict[str, tuple[float, ...]]] = field(default_factory=dict)  # person → 指标 → the fixed
    #   values of the figure's parts held in other units' books at issue (written in hidden cells, added)
    others_note: str = ""  # what those are, said under the table


def plain_formulas(ws) -> None:
    """Formulas go into ``ws`` as written: the helper sheet's tens of thousands of ``=zr_…`` cells name no
    function, so XlsxWriter's rewriting of newer functions (29 regular expressions per formula: 3.8 s against
    1.1 s for a unit's workbook) has nothing to do. Pinned XlsxWriter: its ``_prepare_formula`` strips "=" and
    braces."""
    def prepare(formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula
    ws._prepare_formula = prepare


def formula_column(ws, first: int, last: int, col: int, formula: str) -> None:
    """Rows ``first``..``last`` of column ``col`` hold ``formula`` (no "=", nothing for XlsxWriter to rewrite) and no
    value: what ``write_formula(…, value="")`` stores for each cell, stored at once — one cell object for the whole
    column (a unit's helper sheet has some 60,000 such cells). Pinned XlsxWriter: ``table[row][col]`` holds
    ``CellFormulaTuple(formula, format, value)``."""
    ws._check_dimensions(first, col)
    ws._check_dimensions(last, col)
    cell = CellFormulaTuple(formula, None, "")
    table = ws.table
    for row in range(first, last + 1):
        table[row][col] = cell


def helper_name(column: str) -> str:
    return f"zh_{column}"


class ProgressWriter:
    """Writes the helper sheet (hidden) and 本单位进度 of one workbook with XlsxWriter."""

    def __init__(self, book, plan: ProgressPlan, last_rows: dict[str, int], values):
        """``values``: exchange.book_values.BookValues of the workbook — each visible formula's value as written;
        the helper sheet's cells are written without one (every program computes a formula cell that has none
        before it uses it: LibreOffice on load, Excel with fullCalcOnLoad), never with a wrong one."""
        self.book, self.plan, self.last_rows, self.values = book, plan, last_rows, values

    def write_helper(self, ws) -> None:
        """Each helper column's template is a defined name with a row-relative reference (``zr_<n>``, evaluated on
        the row of the cell that uses it), and each of its cells holds just ``=zr_<n>``: a formula read once, not
        once per row, by Excel, WPS and LibreOffice alike, in a few bytes per cell (the column's name heads it)."""
        plain_formulas(ws)
        for k, (name, formula) in enumerate(self.plan.scalars.items(), start=1):
            ws.write_string(k, 0, name)
            ws.write_formula(k, 1, "=" + formula, None, "")
            self.book.define_name(helper_name(name), f"='{ws.name}'!$B${k + 1}")
        col, n = 3, 0
        for block in self.plan.blocks:
            letters = {name: xl_col_to_name(col + j) for j, name in enumerate(block.columns)}
            rows = self.last_rows[block.source] - 1 if block.source else block.rows
            for j, (name, template) in enumerate(block.columns.items()):
                ws.write_string(0, col + j, name)
                n += 1
                row_name = f"zr_{n}"
                text = _SAME_ROW.sub(lambda m: f"'{ws.name}'!${letters[m.group(1)]}1",
                                     template.replace("{i}", "(ROW()-1)"))
                self.book.define_name(row_name, "=" + text)
                if rows:
                    formula_column(ws, 1, rows, col + j, row_name)
                letter = letters[name]
                self.book.define_name(helper_name(name), f"='{ws.name}'!${letter}$2:${letter}${rows + 1}")
            col += len(block.columns)
        for name, texts in self.plan.lists.items():
            ws.write_string(0, col, name)
            for i, text in enumerate(texts or [""], start=1):
                ws.write_string(i, col, text)
            letter = xl_col_to_name(col)
            self.book.define_name(helper_name(name), f"='{ws.name}'!${letter}$2:${letter}${max(len(texts), 1) + 1}")
            col += 1
        ws.hide()

    def write_sheet(self, ws, fmts) -> None:
        """人员编号 · 姓名 · 人员类别 · a figure per 指标 (shown with its target) · 状态 · 需要加快; the
        statuses per 指标 in hidden columns on the right."""
        figures = self.plan.figures
        heads = [*(PEOPLE.col(k).label for k in ("person_id", "name", "category")), *(f.label for f in figures),
                 *PROGRESS_TAIL]
        first_status = len(heads)
        ws.merge_range(0, 0, 0, len(heads) - 1, "", fmts.verdict)
        day = self.values.as_of
        ws.write_formula(0, 0, '="本单位进度（统计截止 "&YEAR(zh_as_of)&"年"&MONTH(zh_as_of)&"月"&DAY(zh_as_of)&"日）"',
                         fmts.verdict, f"本单位进度（统计截止 {day.year}年{day.month}月{day.day}日）")  # a date as a
        # Chinese report writes it, whatever the locale
        ws.set_row(0, 24)
        for j, head in enumerate(heads):
            ws.write_string(1, j, head, fmts.header)
        for j, f in enumerate(figures):
            ws.write_string(1, first_status + j, f.label + PROGRESS_TAIL[0])
        self.widths = [10, 10, 20, *(18 if f.ratio else 12 for f in figures), 8, 30]
        for j, width in enumerate(self.widths):
            ws.set_column(j, j, width)
        ws.set_column(first_status, first_status + len(figures) - 1, None, None, {"hidden": True})
        self.first_other = first_status + len(figures)
        if self.plan.others:
            self._other_heads(ws)
        for r, (pid, name, category, targets) in enumerate(self.plan.people, start=2):
            self._write_person(ws, fmts, r, (pid, name, category), targets, first_status)
        last = len(self.plan.people) + 2
        self._paint(ws, fmts, last, first_status)
        notes = [n for n in (self.plan.others_note, self.plan.note) if n]
        for k, note in enumerate(notes, start=1):
            ws.merge_range(last + k, 0, last + k, len(heads) - 1, note, fmts.body)
            ws.set_row(last + k, row_height([note], [sum(self.widths)]) * 1.1)
        ws.print_area(0, 0, last + len(notes), len(heads) - 1)
        ws.freeze_panes(2, 3)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, PAGES_TALL)
        ws.repeat_rows(1)

    def _paint(self, ws, fmts, last: int, first_status: int) -> None:
        """A figure behind or missed, and such a 状态, in the marked copy's red; one done in green."""
        n = len(self.plan.figures)
        if not self.plan.people or not n:
            return
        late, done = self.plan.status_words[2:], self.plan.status_words[0]
        status = xl_col_to_name(first_status)
        for fill, words in ((fmts.late_fill, late), (fmts.done_fill, (done,))):
            said = ",".join(f'{status}3="{w}"' for w in words)
            ws.conditional_format(2, 3, last - 1, 2 + n, {"type": "formula", "criteria": f"=OR({said})",
                                                          "format": fill})
            said = ",".join(f'${xl_col_to_name(3 + n)}3="{w}"' for w in words)
            ws.conditional_format(2, 3 + n, last - 1, 3 + n, {"type": "formula", "criteria": f"=OR({said})",
                                                              "format": fill})

    def _other_columns(self) -> list[tuple[str, int]]:
        """(指标, part) of each hidden column holding what other books hold, in order."""
        return [(f.label, k) for f in self.plan.figures for k in range(f.parts)]

    def _other_heads(self, ws) -> None:
        columns = self._other_columns()
        for j, (label, k) in enumerate(columns):
            ws.write_string(1, self.first_other + j, f"其他单位台账中·{label}·{k + 1}")
        ws.set_column(self.first_other, self.first_other + len(columns) - 1, None, None, {"hidden": True})

    def _others_of(self, ws, r: int, pid: str) -> dict[tuple[str, int], str]:
        """The person's fixed values from other books, written in the hidden columns: (指标, part) → cell."""
        if not self.plan.others:
            return {}
        held = self.plan.others.get(pid, {})
        out = {}
        for j, (label, k) in enumerate(self._other_columns()):
            parts = held.get(label)
            ws.write_number(r, self.first_other + j, parts[k] if parts else 0)
            out[label, k] = f"${xl_col_to_name(self.first_other + j)}${r + 1}"
        return out

    def _write_person(self, ws, fmts, r: int, who: tuple[str, str, str], targets: dict[str, float],
                      first_status: int) -> None:
        for j, text in enumerate(who):
            ws.write_string(r, j, text, fmts.cell)
        pid = f"$A${r + 1}"
        others = self._others_of(ws, r, who[0])
        words = []
        for j, f in enumerate(self.plan.figures):
            cell = f"{xl_col_to_name(3 + j)}{r + 1}"
            status_cell = f"{xl_col_to_name(first_status + j)}{r + 1}"
            if f.label not in targets:
                ws.write_blank(r, 3 + j, None, fmts.cell)
                ws.write_string(r, first_status + j, "")
                continue
            target = targets[f.label]
            shown = (f'0%" / {target:.0%}"' if f.ratio else f'0" / {target:g}"')  # 56 %, as the ledgers print it
            value, status = self.values.figure(who[0], f.label)
            ws.write_formula(r, 3 + j, "=" + _with_others(f.value, f.label, f.parts, others).replace("{pid}", pid),
                             fmts.figure(shown), value)
            ws.write_formula(r, first_status + j, "=" + _with_others(f.status, f.label, f.parts, others)
                             .replace("{pid}", pid).replace("{value}", cell).replace("{target}", repr(float(target))),
                             None, status)
            words.append((f.label, status_cell, status))
        statuses = f"{xl_col_to_name(first_status)}{r + 1}:{xl_col_to_name(first_status + len(self.plan.figures) - 1)}{r + 1}"
        worst = '""'
        for status in self.plan.status_words:  # best first: each worse status found wraps the answer
            worst = f'IF(COUNTIF({statuses},"{status}"),"{status}",{worst})'
        ws.write_formula(r, 3 + len(self.plan.figures), "=" + worst, fmts.cell, self.values.overall(who[0]))
        late = self.plan.status_words[2:]  # 滞后, 未完成
        parts = []
        for label, c, _ in words:
            said = ",".join(f'{c}="{w}"' for w in late)
            parts.append(f'IF(OR({said}),"{label} ","")')
        behind = "&".join(parts) or '""'
        behind_now = " ".join(label for label, _, status in words if status in late)
        ws.write_formula(r, 4 + len(self.plan.figures), f"=TRIM({behind})", fmts.wrapped, behind_now)
        if wrapped_lines(behind_now, self.widths[-1]) > 1:  # every 指标 named whole, on as many lines as it takes
            ws.set_row(r, row_height([behind_now], [self.widths[-1]]))


def _with_others(template: str, label: str, parts: int, others: dict[tuple[str, int], str]) -> str:
    """``template`` with its {oK} replaced by the person's cells of what other books hold (0 without any)."""
    for k in range(parts):
        template = template.replace(f"{{o{k}}}", others.get((label, k), "0"))
    return template
