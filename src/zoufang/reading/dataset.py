"""The typed campaign dataset: pandas frames per sheet, settings, and source cells."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from zoufang.contract.findings import Finding
from zoufang.contract.schema import Sheet
from zoufang.contract.work_calendar import DAY_ON, KINDS, OFFICIAL, WorkCalendar
from zoufang.reading.normalize import household_codes_of_codes, household_codes_of_text

ROW = "_row"  # Excel row number (1-based) of each record in the clerk's file


@dataclass
class SheetData:
    """One sheet as read: typed values, cleaned text, the cells as typed, and where each came from.

    ``frame`` holds one column per contract column key (typed: datetime64 for
    dates, 'boolean' for yes/no, float for numbers, str for everything else)
    plus ``_row``; ``text`` holds the cleaned text of the same cells; ``extras``
    holds the clerk's own columns by their header text, untouched; ``raw`` the contract
    columns' cells as read (what is written back: text exactly as typed).
    """

    spec: Sheet
    frame: pd.DataFrame
    text: pd.DataFrame
    letters: dict[str, str]
    extras: pd.DataFrame
    header_row: int = 1
    present: bool = True
    extra_letters: dict[str, str] = field(default_factory=dict)
    longest: dict[str, int] = field(default_factory=dict)  # longest cleaned text per column key
    blanks: pd.DataFrame | None = None  # text == "", when the reader had it already
    text_codes: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict)  # the reader's factorization
    raw_of: Callable[[], pd.DataFrame] | None = field(default=None, repr=False)  # builds ``raw`` when first asked

    @property
    def raw(self) -> pd.DataFrame | None:
        """Each contract column's cells exactly as read (None for a sheet not read from cells); built on first
        use: only writing back (issue, collect) needs them."""
        memo = self.__dict__.setdefault("_memo", {})
        if "raw" not in memo:
            memo["raw"] = self.raw_of() if self.raw_of is not None else None
        return memo["raw"]

    @property
    def blank(self) -> pd.DataFrame:
        """True where a contract column's cell is blank (computed once)."""
        if self.blanks is None:
            self.blanks = self.text == ""
        return self.blanks

    @property
    def name(self) -> str:
        return self.spec.name

    def has(self, key: str) -> bool:
        return bool(self.letters.get(key))

    def cell(self, key: str, row: int) -> str | None:
        """A1 address of column ``key`` on Excel row ``row``, or None if the column is absent."""
        letter = self.letters.get(key)
        return f"{letter}{row}" if letter else None

    def first_cell(self, row: int) -> str:
        """A1 address of the first used column on ``row`` (a finding about a whole row)."""
        letters = sorted(
            [l for l in list(self.letters.values()) + list(self.extra_letters.values()) if l],
            key=lambda l: (len(l), l),
        )
        return f"{letters[0] if letters else 'A'}{row}"

    def __len__(self) -> int:
        return len(self.frame)

    def household_codes(self) -> np.ndarray:
        """One integer per household (走访对象 + 地址, folded) for every row, computed once (走访记录)."""
        memo = self.__dict__.setdefault("_memo", {})
        if "households" not in memo:
            if "target" in self.text_codes and "address" in self.text_codes:
                memo["households"] = household_codes_of_codes(self.text_codes["target"], self.text_codes["address"])
            else:
                memo["households"] = household_codes_of_text(self.text["target"], self.text["address"])
        return memo["households"]


@dataclass(frozen=True)
class Settings:
    name: str
    organizer: str
    start: dt.date
    end: dt.date
    as_of: dt.date | None  # as typed in 活动设置 (None: today)
    contact_point: str = ""
    security_points: str = ""
    return_deadline: dt.date | None = None  # 回收截止日期: printed on each unit's 首页
    reception_place: str = ""  # 接访地点 and 接访时间: printed on the rota
    reception_hours: str = ""
    encrypt: bool = False  # 下发加密: unit workbooks e-mailed encrypted
    cells: dict[str, str] = field(default_factory=dict, compare=False)  # setting key → its cell (B3)

    @property
    def office(self) -> str:
        """The campaign office that signs and receives: 市文化广电新闻出版局大走访活动办公室."""
        return f"{self.organizer}大走访活动办公室"

    def effective_as_of(self, override: dt.date | None = None, today: dt.date | None = None) -> dt.date:
        """--as-of, else 统计截止日期, else today clipped to the campaign period; never before the start.

        A given date after the end stands (quotas freeze at the end, supervision goes on)."""
        day = override or self.as_of or min(today or dt.date.today(), self.end)
        return max(day, self.start)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Campaign:
    """Everything read from one campaign workbook."""

    source: str  # file name (or book name for a live workbook)
    settings: Settings
    sheets: dict[str, SheetData]  # by Sheet.key
    meta: dict[str, str]
    findings: list[Finding]  # problems met while reading (structure, settings)
    sheet_names: list[str] = field(default_factory=list)  # every sheet in the file, in order
    path: Path | None = None
    hidden: dict[str, list[list[object]]] = field(default_factory=dict)  # _issued, 导入记录: raw values
    unusable: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → cell → error text, or "" for a
    # formula saved without its result (WorkbookFile.unusable_cells): what a reader gives as empty

    def __getitem__(self, key: str) -> SheetData:
        return self.sheets[key]

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The official calendar with the 节假日 sheet's dates on top."""
        data = self.sheets.get("holidays")
        if data is None or not len(data.frame):
            return OFFICIAL
        f = data.frame[data.frame["date"].notna() & data.frame["kind"].isin(KINDS)]
        return WorkCalendar({d.date(): k == DAY_ON for d, k in zip(f["date"], f["kind"])})

    @property
    def people(self) -> pd.DataFrame:
        return self.sheets["people"].frame

    @property
    def units(self) -> pd.DataFrame:
        return self.sheets["units"].frame
