"""What a workbook file says about itself, asked of a path: one question at a time (``WorkbookFile`` answers many
of one file, opened once).

Every format a unit's clerk may save in is read by its own rule: .xlsx/.xlsm from ``docProps/core.xml`` (UTC), .ods
from ``meta.xml`` (the saving PC's local time, usually without a zone), .xls from the OLE SummaryInformation stream
(a FILETIME, UTC). Times come back timezone-aware in UTC, so that files of every format and the office's issue time
compare correctly.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from zoufang.files.workbook_file import WorkbookFile, parse_moment  # noqa: F401  (parse_moment: re-exported)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")  # what a unit may send back
REFUSED_SUFFIXES = {".et": "WPS 表格的 .et 格式", ".ett": "WPS 表格模板", ".numbers": "Apple Numbers 格式",
                    ".csv": "CSV 文本", ".xlsb": "Excel 二进制工作簿（.xlsb）"}


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A datetime in UTC; a naive one is taken as this computer's local time."""
    return moment.astimezone(dt.timezone.utc)


def saved_time(path: Path) -> dt.datetime | None:
    """When the workbook was last saved, from its own properties, in UTC; None if it does not say."""
    with WorkbookFile(path) as book:
        return book.saved_time


def sheet_names_by_part(path: Path) -> dict[str, str]:
    """Sheet name by worksheet part (xl/worksheets/sheet7.xml) of an .xlsx/.xlsm; {} where they cannot be read."""
    with WorkbookFile(path) as book:
        return book.sheet_names_by_part


def uses_1904_dates(path: Path) -> bool:
    """True for a workbook in the 1904 date system (Mac Excel): serial 0 is 1904-01-01."""
    with WorkbookFile(path) as book:
        return book.uses_1904_dates


def ods_is_encrypted(path: Path) -> bool:
    """True for an OpenDocument file saved with a password (its manifest describes the encryption)."""
    with WorkbookFile(path) as book:
        return book.ods_encrypted
