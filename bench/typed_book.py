"""A workbook as clerks type it, for the benchmarks: written by openpyxl (not by zoufang's own writer), 走访记录's
dates as text in every accepted form mixed with real dates, every address distinct, an office's own column added
and blank rows between the entries. The other sheets carry the same values as the campaign's own workbook."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

DATE_FORMS = (  # the accepted ways of typing a date (normalize.DATE_FORMS), and a real date
    lambda d: d.strftime("%Y-%m-%d"), lambda d: f"{d.year}/{d.month}/{d.day}", lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: d.strftime("%Y%m%d"), lambda d: d,
)
EXTRA_COLUMN = "办公室备注"  # a column the unit added for itself
BLANK_EVERY = 50  # a blank row after every fifty entries


def write_typed_book(source: Path, target: Path) -> int:
    """``target``: the workbook ``source`` (made by zoufang) as a clerk would have typed it; returns its visit rows."""
    import openpyxl
    import python_calamine as calamine

    from zoufang.contract.schema import VISITS
    book = calamine.CalamineWorkbook.from_path(str(source))
    out = openpyxl.Workbook(write_only=True)
    rows_written = 0
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name).to_python()
        ws = out.create_sheet(name)
        if name != VISITS.name or not grid:
            for row in grid:
                ws.append([None if v == "" else v for v in row])
            continue
        header = list(grid[0])
        date_col, address_col = header.index(VISITS.col("date").label), header.index(VISITS.col("address").label)
        ws.append(header + [EXTRA_COLUMN])
        for i, row in enumerate(grid[1:]):
            row = [None if v == "" else v for v in row]
            day = row[date_col]
            if isinstance(day, dt.datetime):
                day = day.date()
            if isinstance(day, dt.date):
                row[date_col] = DATE_FORMS[i % len(DATE_FORMS)](day)
            if row[address_col]:
                row[address_col] = f"{row[address_col]}{i + 1}号"  # every household at an address of its own
            ws.append(row + ["已核" if i % 3 == 0 else None])
            rows_written += 1
            if i % BLANK_EVERY == BLANK_EVERY - 1:
                ws.append([])
    out.save(str(target))
    return rows_written
