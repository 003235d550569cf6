"""The report workbook: completion tables with status colours, native charts, and A4 print setup."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import xlsxwriter

from zoufang.contract.periods import cn_date
from zoufang.contract.schema import (
    ACTIVITIES, COLLECTIVE_SHEET, MEASURES_SHEET, PERSON_REPORT_SHEET, PROBLEM_STATUSES, PROBLEMS, QUOTAS,
    RATIO_METRICS, ROLES, SUPERVISION_SHEET, UNIT_CHART_SHEET, UNIT_REPORT_SHEET, UNPAIRED_SHEET,
)
from zoufang.progress.quota import BEHIND, DONE, MISSED, ON_PACE
from zoufang.progress.report import CATEGORY, NAME, PERSON_ID, UNIT, Report
from zoufang.progress.report_tables import (
    ISSUED_AT, REPLY_RATE, RETURNED_AT, category_table, collective_table, overdue_table, pairing_table, people_table, returns_table, units_table,
    unpaired_table, wenzheng_table,
)
from zoufang.xlsx.book_writer import CN_DATE_FORMAT, HEADER_FILL, write_cells
from zoufang.xlsx.print_fit import LINE_PT, NARROWEST_DIGIT_PX, PAGES_TALL, fit_scale, row_height, span_px

BRIEF_SHEET = "半月简报"
METRIC, NOTE = QUOTAS.col("metric").label, QUOTAS.col("note").label
STATUS, DAY = PROBLEMS.col("status").label, ACTIVITIES.col("date").label
STATUS_COLOURS = {DONE: "#C6EFCE", ON_PACE: "#DDEBF7", BEHIND: "#FFEB9C", MISSED: "#FFC7CE"}
STATUS_SERIES = ((DONE, "#70AD47"), (ON_PACE, "#5B9BD5"), (BEHIND, "#FFC000"), (MISSED, "#FF0000"))
# chart fills that stay apart in black and white and in LibreOffice (which draws every pattern as one hatch):
# light solid, white, hatched, black
STATUS_FILLS = {
    DONE: {"fill": {"color": "#A9D08E"}},
    ON_PACE: {"fill": {"color": "#FFFFFF"}},
    BEHIND: {"pattern": {"pattern": "wide_upward_diagonal", "fg_color": "#C65911", "bg_color": "#FFFFFF"}},
    MISSED: {"fill": {"color": "#000000"}},
}


BACKLOG_SHEET = "信访积案"
PIE_FILLS = (  # 待办, 办理中, 已解决, 已销号: told apart in black and white; labels sit outside the slices
    {"pattern": {"pattern": "wide_upward_diagonal", "fg_color": "#C00000", "bg_color": "#FFFFFF"}},
    {"fill": {"color": "#FFFFFF"}},
    {"fill": {"color": "#A9D08E"}},
    {"fill": {"color": "#595959"}},
)
MARGINS_IN = (0.7, 0.4, 0.8, 0.7)  # left, right, top, bottom
BODY_PT = 10
PAGE_PT = 595 - (0.8 + 0.7) * 72  # a landscape A4 page between the top and bottom margins
ROW_PT, SECTION_TITLE_PT = 15, 20  # a row of one line; a section's title, a little space above it
HEADINGS_PT = (20, 30)  # a table's headings on one line, on two


class _Book:
    def __init__(self, path: Path, as_of: dt.date | None = None):
        self.as_of = as_of
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                     "default_date_format": CN_DATE_FORMAT})
        base = {"font_name": "宋体", "font_size": BODY_PT, "valign": "vcenter", "border": 1}
        self.header = self.book.add_format({**base, "bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL,
                                            "align": "center", "text_wrap": True})
        self.cell = self.book.add_format({**base, "text_wrap": True})
        self.date = self.book.add_format({**base, "num_format": CN_DATE_FORMAT, "align": "center"})
        self.when = self.book.add_format({**base, "align": "center"})  # a moment, written as text (report_tables)
        self.percent = self.book.add_format({**base, "num_format": "0%"})  # as the ledgers print it
        self.number = self.book.add_format({**base, "num_format": "General"})
        self.title = self.book.add_format({"font_name": "黑体", "font_size": 16, "bold": True})
        self.section = self.book.add_format({"font_name": "黑体", "font_size": 12, "bold": True})
        self.note = self.book.add_format({"font_name": "宋体", "font_size": 10, "italic": True,
                                          "font_color": "#595959"})
        self.status = {s: self.book.add_format({"bg_color": c}) for s, c in STATUS_COLOURS.items()}
        self.widths: dict[str, list[float]] = {}

    def chart_width(self, sheet: str, wanted: int) -> int:
        """At most the width of the sheet's columns: a wider chart would shrink the printed page."""
        return min(wanted, span_px(self.widths[sheet]) - 8)

    def sheet(self, name: str, widths: list[float], landscape: bool = True):
        """A sheet on A4 fitted to the page width, its columns ``widths`` narrow enough that 10 pt text prints at
        9 pt or more on any client (xlsx.print_fit)."""
        left, right, top, bottom = MARGINS_IN
        if fit_scale(widths, 9, landscape, left, right) * BODY_PT < 9:
            raise ValueError(f"{name}: columns too wide to print at 9 pt")
        ws = self.book.add_worksheet(name)
        self.widths[name] = widths
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, PAGES_TALL)
        ws.set_margins(left=left, right=right, top=top, bottom=bottom)
        self.mark_pages(ws, name)
        return ws

    def mark_pages(self, ws, name: str) -> None:
        """The running head (the as-of date, the sheet's name) and the page number, at 10 pt: at least 9 on paper
        whatever the fit, since Excel never shrinks them with the page (``scale_with_doc`` off)."""
        as_of = f"&L&10统计截止：{cn_date(self.as_of)}" if self.as_of else ""
        ws.set_header(f"{as_of}&C&\"黑体,Bold\"&14{name}", {"scale_with_doc": False})
        ws.set_footer("&C&10第 &P 页 共 &N 页", {"scale_with_doc": False})

    def table(self, ws, row: int, headers: list[str], rows: list[list], fmts: list | None = None,
              header_height: float = 30) -> int:
        """Write a header and rows from ``row``; return the row after the table."""
        for j, h in enumerate(headers):
            ws.write_string(row, j, h, self.header)
        ws.set_row(row, header_height)
        fmts = fmts or [self.cell] * len(headers)
        for i, values in enumerate(rows, start=row + 1):
            self.row(ws, i, values, fmts)
        return row + 1 + len(rows)

    def row(self, ws, i: int, values: list, fmts: list) -> None:
        """One row of a table, as tall as its most wrapped cell (the clients do not refit a row XlsxWriter wrote:
        wrapped text would run over the next row)."""
        write_cells(ws, i, values, fmts, self.date)
        height = row_height(values, self.widths[ws.get_name()])
        if height > LINE_PT + 3:
            ws.set_row(i, height)

    def colour_status(self, ws, first: int, last: int, col: int) -> None:
        if last < first:
            return
        for status, fmt in self.status.items():
            ws.conditional_format(first, col, last, col, {"type": "cell", "criteria": "==",
                                                          "value": f'"{status}"', "format": fmt})


def write_report_book(report: Report, path: Path) -> Path:
    """Write the report workbook for ``report`` to ``path``."""
    b = _Book(Path(path), report.as_of)
    _people_sheet(b, report)
    _units_sheet(b, report)
    _collective_sheet(b, report)
    _supervision_sheet(b, report)
    _backlog_sheet(b, report)
    _measures_sheet(b, report)
    _brief_sheet(b, report)
    b.book.close()
    return Path(path)


def _people_sheet(b: _Book, r: Report) -> None:
    headers, rows = people_table(r)
    ws = b.sheet(PERSON_REPORT_SHEET, [9, 7, 18, 15, 11, 7, 7, 8, 9, 9, 9])
    counts = [b.cell] * 5 + [b.number, b.number, b.percent, b.number, b.cell, b.cell]
    ratios = [b.cell] * 5 + [b.percent, b.percent, b.percent, b.percent, b.cell, b.cell]  # 问题解决率 72 %, not 0.72
    end = b.table(ws, 0, headers, [], counts)
    for i, values in enumerate(rows, start=1):
        b.row(ws, i, values, ratios if values[4] in RATIO_METRICS else counts)
    end += len(rows)
    b.colour_status(ws, 1, end - 1, 9)
    b.colour_status(ws, 1, end - 1, 10)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(end - 1, 1), len(headers) - 1)
    ws.repeat_rows(0)


def _units_sheet(b: _Book, r: Report) -> None:
    headers, rows = units_table(r)
    extra = len(headers) - 10
    ws = b.sheet(UNIT_REPORT_SHEET, [15, *[5.2] * (9 + extra)])  # headings wrap over three lines
    fmts = [b.cell] + [b.number] * 4 + [b.percent] + [b.number] * 4 + [
        b.percent if h in RATIO_METRICS else b.number for h in headers[10:]]
    end = b.table(ws, 0, headers, rows, fmts, header_height=54)
    ws.freeze_panes(1, 1)
    ws.repeat_rows(0)
    if rows:
        chart = b.book.add_chart({"type": "bar", "subtype": "stacked"})
        for j, (status, colour) in enumerate(STATUS_SERIES[:3]):
            col = 2 + j
            chart.add_series({"name": [UNIT_REPORT_SHEET, 0, col], "categories": [UNIT_REPORT_SHEET, 1, 0, end - 1, 0],
                              "values": [UNIT_REPORT_SHEET, 1, col, end - 1, col], **STATUS_FILLS[status],
                              "border": {"color": "#000000", "width": 0.5}})
        chart.set_title({"name": "各单位人员完成情况", "name_font": {"name": "黑体", "size": 12}})
        chart.set_x_axis({"name": "人数", "num_font": {"name": "宋体", "size": BODY_PT}})
        chart.set_y_axis({"reverse": True, "num_font": {"name": "宋体", "size": BODY_PT}})
        chart.set_legend({"position": "bottom", "font": {"name": "宋体", "size": BODY_PT}})
        sheet = b.book.add_chartsheet(UNIT_CHART_SHEET)  # a page of its own: no table heading repeated above it
        sheet.set_chart(chart)
        sheet.set_paper(9)
        sheet.set_landscape()
        sheet.set_margins(*MARGINS_IN)
        b.mark_pages(sheet, UNIT_REPORT_SHEET)


def _collective_sheet(b: _Book, r: Report) -> None:
    c = r.collective
    ws = b.sheet(COLLECTIVE_SHEET, [18, 15, 15, 8, 17], landscape=False)
    ws.write_string(0, 0, f"集体指标（统计截止 {cn_date(r.as_of)}）", b.title)
    headers, rows = collective_table(r)
    end = b.table(ws, 2, headers, rows,
                  [b.cell, b.number, b.number, b.cell, b.cell])
    ws.conditional_format(3, 3, end - 1, 3, {"type": "cell", "criteria": "==", "value": '"未达标"',
                                             "format": b.status[MISSED]})
    ws.conditional_format(3, 3, end - 1, 3, {"type": "cell", "criteria": "==", "value": '"达标"',
                                             "format": b.status[DONE]})
    row = end + 1
    sections = (
        ("无局领导接访的工作日", [DAY, "星期"], [[d, "星期" + "一二三四五六日"[d.weekday()]] for d in c.uncovered_workdays]),
        ("没有接访的单位周", [UNIT, "周一", "周日"],
         [[x[UNIT_NAME], x["week_start"], x["week_start"] + dt.timedelta(days=6)]
          for x in c.unit_weeks_without_reception]),
        ("未召开领导小组例会的半月", ["起", "止"],
         [[d, d.replace(day=15) if d.day == 1 else (pd.Timestamp(d) + pd.offsets.MonthEnd(0)).date()]
          for d in c.uncovered_half_months]),
        ("尚未建立联系点的二级单位", [UNIT], [[u] for u in c.units_without_contact_point]),
    )
    for title, headers, rows in sections:
        ws.write_string(row, 0, f"{title}（{len(rows)}）", b.section)
        if rows:
            row = b.table(ws, row + 1, headers, rows, [b.date if isinstance(v, dt.date) else b.cell
                                                        for v in rows[0]])
        else:
            ws.write_string(row + 1, 0, "无", b.note)
            row += 2
        row += 1


UNIT_NAME = UNIT


def _supervision_sheet(b: _Book, r: Report) -> None:
    ws = b.sheet(SUPERVISION_SHEET, [8, 13, 20, 16, 6, 8, 17, 8, 14])  # 状态 holds 限期办理未办结
    headers, rows = overdue_table(r)
    end = b.table(ws, 0, headers, rows, [b.cell, b.cell, b.cell, b.date, b.number, b.cell, b.cell, b.cell, b.cell])
    ws.repeat_rows(0)
    ws.freeze_panes(1, 0)
    if len(rows):
        ws.conditional_format(1, 4, end - 1, 4, {"type": "data_bar", "bar_color": "#FF7C80"})


def _backlog_sheet(b: _Book, r: Report) -> None:
    """信访积案 on a sheet of its own: its own column widths and its own headings on every page."""
    ws = b.sheet(BACKLOG_SHEET, [13, 22, 14, 8, 18, 8, 16, 10])
    if len(r.backlog):
        b.table(ws, 0, list(r.backlog.columns), r.backlog.values.tolist(), [b.cell] * 6 + [b.date, b.cell])
        ws.repeat_rows(0)
        ws.freeze_panes(1, 0)
    else:
        b.table(ws, 0, list(r.backlog.columns), [], [])
        ws.write_string(1, 0, "无", b.note)


def _measures_sheet(b: _Book, r: Report) -> None:
    """专项工作: 问政, 重点走访对象, 结对帮扶 and 回收, each by unit, a section never split over two pages; the
    党员干部 without a 结对帮扶 record on a sheet of their own (its headings on every page)."""
    widths = [25, 13, 13, 9, 7, 7, 7, 7, 7, 7, 7]
    ws = b.sheet(MEASURES_SHEET, widths)
    ws.write_string(0, 0, f"专项工作（统计截止 {cn_date(r.as_of)}）", b.title)
    ws.set_row(0, 24)
    ws.set_row(1, 6)
    ws.repeat_rows(0)
    row, used, breaks = 2, 30.0, []
    left, right, _, _ = MARGINS_IN
    room = (PAGE_PT - 5) / fit_scale(widths, 9, True, left, right, NARROWEST_DIGIT_PX)  # every row's height is
    # set below, so a page's content is known to the point; the width's fit shrinks it where it prints smaller
    sections = (("问政（各单位：题目、收集意见和回复）", wenzheng_table(r), "无问政记录"),
                ("重点走访对象（各单位走访户数，按对象类别；无指标者走访的户不计入合计）", category_table(r), "无走访"),
                (f"结对帮扶（党员干部；尚未登记的 {len(r.unpaired)} 人见“{UNPAIRED_SHEET}”表）", pairing_table(r), "无"),
                ("回收（各单位最近一次下发后发回的工作簿）", returns_table(r), "尚未下发单位工作簿"))
    for title, (headers, rows), empty in sections:
        heights = [h if h > LINE_PT + 3 else ROW_PT for h in (row_height(v, widths) for v in rows)] or [ROW_PT]
        headings = HEADINGS_PT[row_height(headers, widths) > LINE_PT + 3]
        height = SECTION_TITLE_PT + headings + sum(heights)  # no blank row between sections: the title's height
        if used + height > room and used > 30:
            breaks.append(row)
            used = 30.0
        used += height
        ws.write_string(row, 0, title, b.section)
        ws.set_row(row, SECTION_TITLE_PT)
        if not rows:
            ws.write_string(row + 1, 0, empty, b.note)
            ws.set_row(row + 1, ROW_PT)
            row += 2
            continue
        fmts = [b.percent if h == REPLY_RATE else b.when if h in (ISSUED_AT, RETURNED_AT) else b.cell
                if j == 0 or h in (PERSON_ID, NAME, STATUS) else b.number for j, h in enumerate(headers)]
        end = b.table(ws, row + 1, headers, rows, fmts, header_height=headings)
        for i, h in zip(range(row + 2, end), heights):
            ws.set_row(i, h)
        row = end
    ws.set_h_pagebreaks(breaks)
    headers, rows = unpaired_table(r)
    ws = b.sheet(UNPAIRED_SHEET, [24, 12, 12], landscape=False)
    b.table(ws, 0, headers, rows or [["无", "", ""]], [b.cell] * 3)
    ws.repeat_rows(0)
    ws.freeze_panes(1, 0)


def _brief_sheet(b: _Book, r: Report) -> None:
    ws = b.sheet(BRIEF_SHEET, [18, 11, 11, 11, 11, 12], landscape=False)
    br = r.brief
    ws.write_string(0, 0, f"半月简报 第{br['issue_no']}期：{cn_date(br['window_start'])}至{cn_date(br['window_end'])}",
                    b.title)
    facts = [["走访", br["new_visits"], br["visits_total"]], ["接访", br["receptions"], br["receptions_total"]],
             ["登记问题", br["new_problems"], br["problems_total"]],
             ["解决问题", br["closed_problems"], br["solved_total"]], ["新超期问题", br["newly_overdue"], None],
             ["尚未办结问题", None, br["open_problems"]], ["已解决未销号", None, br["solved_not_closed"]],
             ["挂牌督办事项", None, len(r.overdue)]]
    end = b.table(ws, 2, ["事项", "本期", "累计"], facts, [b.cell, b.number, b.number])
    # completion by role
    row = end + 1
    ws.write_string(row, 0, "按人员类别的完成情况（人数）", b.section)
    per_person = r.people.drop_duplicates("person_id")
    roles = [x for x in ROLES if (per_person["category"] == x).any()]
    role_rows = [[role, *[int(((per_person["category"] == role) & (per_person["overall"] == s)).sum())
                          for s, _ in STATUS_SERIES]] for role in roles]
    first = row + 1
    row = b.table(ws, first, [CATEGORY, *[s for s, _ in STATUS_SERIES]], role_rows, [b.cell] + [b.number] * 4)
    if role_rows:
        chart = b.book.add_chart({"type": "column", "subtype": "percent_stacked"})  # shares: 7 leaders are no sliver
        for j, (status, colour) in enumerate(STATUS_SERIES, start=1):
            chart.add_series({"name": [BRIEF_SHEET, first, j], "categories": [BRIEF_SHEET, first + 1, 0, row - 1, 0],
                              "values": [BRIEF_SHEET, first + 1, j, row - 1, j], **STATUS_FILLS[status],
                              "border": {"color": "#000000", "width": 0.5}})
        chart.set_title({"name": "按人员类别的完成情况", "name_font": {"name": "黑体", "size": 12}})
        chart.set_legend({"position": "bottom", "font": {"name": "宋体", "size": BODY_PT}})
        chart.set_x_axis({"num_font": {"name": "宋体", "size": BODY_PT}})
        chart.set_size({"width": b.chart_width(BRIEF_SHEET, 620), "height": 300})
        ws.insert_chart(row + 1, 0, chart)
        row += 17
    # problems by status, on a page of its own: the pie is never cut by a page break
    ws.set_h_pagebreaks([row])
    ws.write_string(row, 0, "问题按状态", b.section)
    status = r.brief.get("problems_by_status", {})
    first = row + 1
    row = b.table(ws, first, [STATUS, "数量"],
                  [[s, status.get(s, 0)] for s in PROBLEM_STATUSES], [b.cell, b.number])
    chart = b.book.add_chart({"type": "pie"})
    chart.add_series({"name": "问题按状态", "categories": [BRIEF_SHEET, first + 1, 0, row - 1, 0],
                      "values": [BRIEF_SHEET, first + 1, 1, row - 1, 1],
                      "data_labels": {"value": True, "category": True, "position": "outside_end", "separator": "\n",
                                      "leader_lines": True, "font": {"name": "宋体", "size": BODY_PT, "color": "#000000"}},
                      "points": [{**fill, "border": {"color": "#000000", "width": 0.5}} for fill in PIE_FILLS]})
    chart.set_title({"name": "问题按状态", "name_font": {"name": "黑体", "size": 12}})
    chart.set_legend({"position": "right", "font": {"name": "宋体", "size": BODY_PT}})
    chart.set_size({"width": b.chart_width(BRIEF_SHEET, 620), "height": 300})
    ws.insert_chart(row + 1, 0, chart)
