"""The default ledger templates (templates/个人台账.xlsx, templates/单位台账.xlsx), built from the schema.

Clerks restyle copies of these files in Excel; the generator only reads them.
Rebuild with ``python -m zoufang.ledgers.templates DIR``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from zoufang.contract.schema import ACTIVITIES, CASES, PEOPLE, PROBLEMS, QUOTAS, RECEPTIONS, RESEARCH, VISITS, WENZHENG
from zoufang.xlsx.book_writer import CN_DATE_FORMAT
from zoufang.xlsx.print_fit import fit_scale

PERSON_TEMPLATE = "个人台账.xlsx"
UNIT_TEMPLATE = "单位台账.xlsx"
PERSON_SHEET = "个人台账"
COVER, CONTENTS, SUMMARY, UNIT_PROBLEMS, WEEKLY = "封面", "目录", "单位汇总", PROBLEMS.name, "每周接访"
# Column widths below are designed at 10 pt; each sheet widens them in proportion until its columns fill the page as
# far as the body text still prints at 9 pt on the client that draws columns widest (filling): 11 pt text filling
# ~90 % of the width with Calibri (Excel) or Carlito, 9 pt where LibreOffice falls back to DejaVu Sans
# (xlsx.print_fit). Columns B, C, F and H hold dates (2011年10月31日 needs 16 at 10 pt).
WIDTHS = (11, 16, 16, 7, 18, 16, 13, 16)
BODY_PT = 11
FLOOR_PT = 9.1  # the smallest print allowed (9 pt), with room for the clients' rounding
CN_DATE = CN_DATE_FORMAT
PROBLEM_FIELDS = ("problem_id", "reg_date", "description", "leader", "owner", "deadline", "progress", "status",
                  "solved_date", "closed_date")  # the unit's 问题台账: every step of a problem, to its 销号
PROBLEM_WIDTHS = (14, 11, 18, 9, 7, 11, 13, 7, 11, 11)  # ten columns each with its padding: days written short
SHORT_DATE = "yyyy.m.d"

_thin = Side(style="thin", color="FF808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
TITLE = Font(name="黑体", size=18, bold=True)
SECTION = Font(name="黑体", size=13, bold=True)
BODY = Font(name="宋体", size=BODY_PT)
HEAD = Font(name="宋体", size=BODY_PT, bold=True)
HEAD_FILL = PatternFill("solid", fgColor="FFD9E1F2")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
DATE_CELL = Alignment(horizontal="center", vertical="center", wrap_text=False)  # a date never breaks over two lines


RUNNING_HEAD = "{{campaign}}　活动期间：{{start}} 至 {{end}}　统计截止：{{as_of}}"  # on every page of the unit book
SOLVE_RATE_NOTE = "注：问题解决率按本人发现（登记为发现人）的问题计算，不含分包或负责的问题；发现一件解决一件即为 100%。"
SIGN_OFF_FOOTER = ("单位负责人（签字、盖章）：__________", "日期：______年____月____日")


def grid(sections: dict[str, tuple[float, ...]]) -> list[float]:
    """The sheet's column widths: every boundary of every section's columns, so that each section lays its columns
    out at its own widths over a run of grid columns."""
    edges = sorted({round(sum(widths[:k]), 2) for widths in sections.values() for k in range(len(widths) + 1)})
    return [b - a for a, b in zip(edges, edges[1:])]


def filling(widths, paper: int, landscape: bool, left_in: float, right_in: float) -> list[float]:
    """``widths`` (designed at 10 pt) widened in proportion as far as text at ``BODY_PT`` fitted to the page width
    still prints at ``FLOOR_PT`` or more on the client that draws columns widest (print_fit.fit_scale)."""
    def smallest_print(k: float) -> float:
        return fit_scale([w * k for w in widths], paper, landscape, left_in, right_in) * BODY_PT

    low, high = 1.0, 2.0
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if smallest_print(mid) >= FLOOR_PT else (low, mid)
    return [round(w * low, 2) for w in widths]


class _Sheet:
    def __init__(self, ws, widths=WIDTHS, landscape=False, signed=False, numbered=True, filled=True):
        """``widths`` as designed at 10 pt: the columns written ``filling`` the page (``filled``), the sections'
        spans still counted in the design's widths."""
        self.ws, self.row, self.ncols = ws, 1, len(widths)
        self.widths = list(widths)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # width only: the ledgers' own page breaks hold
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if landscape:  # bound along the top edge: the binding margin (装订线) is the top one
            ws.page_margins.left, ws.page_margins.right, ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.5, 1.0, 0.7
        else:  # bound along the left edge
            ws.page_margins.left, ws.page_margins.right, ws.page_margins.top, ws.page_margins.bottom = 1.0, 0.4, 0.6, 0.7
        written = filling(widths, 9, landscape, ws.page_margins.left, ws.page_margins.right) if filled else widths
        for j, w in enumerate(written, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        if numbered:
            ws.oddFooter.center.text = "第 &P 页 共 &N 页"
            ws.oddFooter.center.size = BODY_PT  # shrunk with the page where it is fitted
        if signed:  # every page the unit signs carries the sign-off
            ws.oddFooter.left.text, ws.oddFooter.right.text = SIGN_OFF_FOOTER
            ws.oddFooter.left.size = ws.oddFooter.right.size = BODY_PT
        ws.sheet_view.showGridLines = False

    def line(self, text, font=BODY, height=None, align=WRAP):
        ws = self.ws
        cell = ws.cell(self.row, 1, text)
        cell.font, cell.alignment = font, align
        ws.merge_cells(start_row=self.row, end_row=self.row, start_column=1, end_column=self.ncols)
        if height:
            ws.row_dimensions[self.row].height = height * BODY_PT / 10  # designed at 10 pt
        self.row += 1

    def _spans(self, widths) -> list[tuple[int, int]]:
        """(first, last) grid column (1-based) of each of a section's columns of ``widths``."""
        if widths is None:
            return [(j, j) for j in range(1, self.ncols + 1)]
        edges = [0.0]
        for w in self.widths:
            edges.append(round(edges[-1] + w, 2))
        cuts = [edges.index(round(sum(widths[:k]), 2)) for k in range(len(widths) + 1)]
        return [(a + 1, b) for a, b in zip(cuts, cuts[1:])]

    def table(self, headers, fields, list_name, widths=None, date_format=CN_DATE):
        """A heading row and a repeated row; with ``widths`` each column spans the grid columns of its width; days
        in ``date_format``."""
        ws = self.ws
        spans = self._spans(widths)
        for (first, last), h in zip(spans, headers):
            self._cell(first, last, h, HEAD, CENTER, fill=HEAD_FILL)
        ws.row_dimensions[self.row].height = 22 * BODY_PT / 10
        self.row += 1
        for (first, last), f in zip(spans, fields):
            dated = f and ("date" in f or f in ("start", "end", "deadline", "monday", "sunday"))
            c = self._cell(first, last, "{{%s.%s}}" % (list_name, f) if f else None, BODY,
                           DATE_CELL if dated else WRAP)
            if dated:
                c.number_format = date_format
        self.row += 2

    def _cell(self, first: int, last: int, value, font, align, fill=None):
        ws = self.ws
        for j in range(first, last + 1):  # every cell of a merge carries the border
            c = ws.cell(self.row, j)
            c.font, c.border, c.alignment = font, BORDER, align
            if fill is not None:
                c.fill = fill
        if last > first:
            ws.merge_cells(start_row=self.row, end_row=self.row, start_column=first, end_column=last)
        c = ws.cell(self.row, first)
        c.value = value
        return c


def _labels(sheet, keys):
    return [sheet.col(k).label for k in keys]


# each section of the personal ledger at its own column widths (characters, at 10 pt), all on one grid of ten
# columns (14, 16, 9 × 7, 16): ids take 14 (TSG-WZ00001), days 16, a column of 9 holds a word of four Chinese
# characters (入户走访) at 11 pt; few columns, as each adds its padding and its merged cells
PERSON_SECTIONS = {
    "metrics": (30, 18, 18, 18, 9, 16),
    "visits": (14, 16, 9, 9, 18, 9, 18, 16),
    "research": (14, 16, 18, 9, 18, 18, 16),
    "receptions": (14, 16, 9, 18, 9, 18, 9, 16),
    "cases": (14, 25, 9, 9, 9, 18, 9, 16),
    "problems": (14, 16, 18, 9, 9, 18, 9, 16),
    "wenzheng": (14, 16, 9, 27, 9, 18, 16),
    "activities": (14, 16, 18, 18, 27, 16),
}


def person_template() -> Workbook:
    """Landscape, bound at the top, 10 pt: each section's table at its own column widths over one fine grid."""
    wb = Workbook()
    s = _Sheet(wb.active, widths=grid(PERSON_SECTIONS), landscape=True)
    w = PERSON_SECTIONS
    wb.active.title = PERSON_SHEET
    s.line("{{campaign}}", TITLE, 30, CENTER)
    s.line("个 人 台 账", TITLE, 26, CENTER)
    s.line("姓名：{{name}}　　人员编号：{{person_id}}　　单位：{{unit}}　　职务：{{title}}　　类别：{{category}}",
           BODY, 20)
    s.line("活动期间：{{start}} 至 {{end}}　　统计截止：{{as_of}}", BODY, 18)
    wb.active.print_title_rows = "1:4"
    s.row += 1
    s.line("一、指标完成情况（总体：{{overall}}）", SECTION, 20)
    s.table([QUOTAS.col("metric").label, "目标", "实际", "完成率", "进度要求", PROBLEMS.col("status").label],
            ["metric", "target", "actual", "ratio", "expected", "status"], "metrics", w["metrics"])
    s.line("{{solve_rate_note}}", BODY, 16)  # said where someone has that 指标
    s.line("二、走访记录（{{visit_count}} 次，{{household_count}} 户）", SECTION, 20)
    s.line("重点走访对象：{{category_text}}（一户只计一次，按最近一次入户走访或座谈时的对象类别）", BODY, 16)
    s.table(_labels(VISITS, ("record_id", "date", "target", "target_type", "address", "form", "issue", "problem_id")),
            ["record_id", "date", "target", "target_type", "address", "form", "issue", "problem_id"], "visits",
            w["visits"])
    s.line("三、调研记录（{{research_days}} 天）", SECTION, 20)
    s.line("计入天数：该次调研在活动期内、且未被本人此前开始的调研覆盖的天数；各次相加即总天数。", BODY, 16)
    s.table(_labels(RESEARCH, ("record_id", "start", "end")) + ["计入天数"] + _labels(RESEARCH, ("place", "topic", "report")),
            ["record_id", "start", "end", "days", "place", "topic", "report"], "research", w["research"])
    s.line("四、接访记录（{{reception_count}} 次）", SECTION, 20)
    s.table(_labels(RECEPTIONS, ("record_id", "date", "visitor", "matter", "handling", "deadline", "result",
                                 "problem_id")),
            ["record_id", "date", "visitor", "matter", "handling", "deadline", "result", "problem_id"], "receptions",
            w["receptions"])
    s.line("五、包案情况（{{case_count}} 件）", SECTION, 20)
    s.table(_labels(CASES, ("case_id", "cause", "case_type")) + ["身份"] + _labels(CASES, (
        "field_visit", "deadline", "status", "closed_date")),
        ["case_id", "cause", "case_type", "role", "field_visit", "deadline", "status", "closed_date"], "cases",
        w["cases"])
    s.line("六、分包和负责的问题（{{problem_count}} 件）", SECTION, 20)
    s.table(_labels(PROBLEMS, ("problem_id", "reg_date", "description", "major")) + ["身份"] + _labels(
        PROBLEMS, ("deadline", "status", "solved_date")),
        ["problem_id", "reg_date", "description", "major", "role", "deadline", "status", "solved_date"], "problems",
        w["problems"])
    s.line("七、问政（{{wenzheng_count}} 次，{{wenzheng_text}}）", SECTION, 20)
    s.table(_labels(WENZHENG, ("record_id", "date", "mode", "topic", "participants", "opinions", "replied")),
            ["record_id", "date", "mode", "topic", "participants", "opinions", "replied"], "wenzheng", w["wenzheng"])
    s.line("八、牵头的活动（{{activity_count}} 次，其中结对帮扶 {{pairing_count}} 次）", SECTION, 20)
    s.table(_labels(ACTIVITIES, ("record_id", "date", "kind", "place", "summary", "participants")),
            ["record_id", "date", "kind", "place", "summary", "participants"], "activities", w["activities"])
    s.row += 1
    s.line("本人签字：________________　　{{reviewer}}：________________　　日期：______年____月____日", BODY, 30)
    return wb


def unit_template() -> Workbook:
    wb = Workbook()
    cover = _Sheet(wb.active, widths=(14,) * 6, numbered=False, filled=False)
    wb.active.title = COVER
    cover.row = 6
    cover.line("{{campaign}}", Font(name="黑体", size=20, bold=True), 40, CENTER)
    cover.row += 2
    cover.line("{{unit}}", Font(name="黑体", size=26, bold=True), 50, CENTER)
    cover.line("工 作 台 账", Font(name="黑体", size=26, bold=True), 50, CENTER)
    cover.row += 6
    cover.line("活动期间：{{start}} 至 {{end}}", Font(name="宋体", size=14), 26, CENTER)
    cover.line("统计截止：{{as_of}}", Font(name="宋体", size=14), 26, CENTER)
    cover.line("{{organizer}}　制", Font(name="宋体", size=14), 26, CENTER)
    cover.line("编制日期：{{compiled}}", Font(name="宋体", size=14), 26, CENTER)
    toc = _Sheet(wb.create_sheet(CONTENTS), widths=(8, 52, 12))
    toc.line("目　录", TITLE, 34, CENTER)
    toc.line(RUNNING_HEAD, BODY, 30, CENTER)
    toc.table(["序号", "内容", "页码"], ["no", "title", "page"], "toc")
    summary = _Sheet(wb.create_sheet(SUMMARY), widths=(9, 9, 9, 15, 24, 7), landscape=False, signed=True)
    summary.line("{{unit}}　完成情况汇总", TITLE, 30, CENTER)
    summary.line(RUNNING_HEAD, BODY, 30, CENTER)
    summary.line("人数：{{people}}　　已完成：{{met}}　　按进度：{{on_pace}}　　"
                 "滞后或未完成：{{behind}}", BODY, 20)
    summary.line("未办结问题（待办和办理中）：{{open_problems}}　　超期问题：{{overdue_problems}}　　有接访的周：{{weeks_with_reception}}"
                 " / {{weeks_due}}", BODY, 20)
    summary.line("重点走访对象：{{unit_category_text}}", BODY, 30)
    summary.line("结对帮扶：{{pairing_text}}", BODY, 30)
    summary.line("问政：{{unit_wenzheng_text}}", BODY, 20)
    wb[SUMMARY].print_title_rows = "1:2"
    summary.row += 1
    summary.table(_labels(PEOPLE, ("person_id", "name", "title", "category")) + ["各项指标（实际/目标 状态）", "总体"],
                  ["person_id", "name", "title", "category", "detail", "overall"], "members")
    summary.line("{{solve_rate_note}}", BODY, 30)
    problems = _Sheet(wb.create_sheet(UNIT_PROBLEMS), widths=PROBLEM_WIDTHS, landscape=True, signed=True)
    problems.line("{{unit}}　问题台账（{{problem_count}} 件）", TITLE, 30, CENTER)
    problems.line(RUNNING_HEAD, BODY, 18, CENTER)
    problems.table(_labels(PROBLEMS, PROBLEM_FIELDS), list(PROBLEM_FIELDS), "problems", date_format=SHORT_DATE)
    wb[UNIT_PROBLEMS].print_title_rows = "1:3"
    weekly = _Sheet(wb.create_sheet(WEEKLY), widths=(16, 16, 6, 26, 8), signed=True)
    weekly.line("{{unit}}　每周接访（{{weeks_with_reception}} / {{weeks_due}} 周）", TITLE, 30, CENTER)
    weekly.line(RUNNING_HEAD, BODY, 30, CENTER)
    weekly.table(["周一", "周日", "接访次数", RECEPTIONS.col("person").label, "是否达标"], ["monday", "sunday", "count", "receivers", "met"],
                 "weeks")
    wb[WEEKLY].print_title_rows = "1:3"
    return wb


def build_templates(folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, make in ((PERSON_TEMPLATE, person_template), (UNIT_TEMPLATE, unit_template)):
        make().save(folder / name)
        out.append(folder / name)
    return out


if __name__ == "__main__":  # pragma: no cover
    for p in build_templates(Path(sys.argv[1] if len(sys.argv) > 1 else "templates")):
        print(p)
