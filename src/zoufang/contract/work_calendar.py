"""Which days are workdays (工作日): the official calendar, overridden and extended by 节假日.

The built-in calendar (chinesecalendar) knows the State Council's arrangement of the years
it was released with. The office's optional 节假日 sheet overrides it for the dates it lists
and is the only source for later years; a year neither knows is Monday to Friday. Nothing
here ever raises for a year.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as official

DAY_OFF, DAY_ON = "放假", "上班"
KINDS = (DAY_OFF, DAY_ON)
ONE_DAY = dt.timedelta(days=1)
_HOLIDAY_NAMES = {  # the package's English names, as the State Council's notice names them
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@lru_cache(maxsize=1)
def official_years() -> frozenset[int]:
    """Years whose official arrangement the installed calendar package knows."""
    return frozenset(d.year for d in official.holidays) | frozenset(d.year for d in official.workdays)


def official_arrangement(years) -> list[tuple[dt.date, str, str]]:
    """(日期, 类型, 名称) of the official holidays on weekdays and adjusted working weekends of ``years``."""
    wanted = set(years)
    rows = [(d, DAY_OFF, _HOLIDAY_NAMES.get(name, name)) for d, name in official.holidays.items()
            if d.year in wanted and d.weekday() < 5]
    rows += [(d, DAY_ON, _HOLIDAY_NAMES.get(name, name) + "调休") for d, name in official.workdays.items()
             if d.year in wanted]
    return sorted(rows)


@dataclass(frozen=True)
class WorkCalendar:
    """Workdays by the official calendar, with the office's dates (True: 上班, False: 放假) on top."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in official_years():
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def workdays(self, start: dt.date, end: dt.date) -> list[dt.date]:
        out, day = [], start
        while day <= end:
            if self.is_workday(day):
                out.append(day)
            day += ONE_DAY
        return out

    def next_workdays(self, start: dt.date, count: int) -> list[dt.date]:
        out, day = [], start
        while len(out) < count:
            if self.is_workday(day):
                out.append(day)
            day += ONE_DAY
        return out

    def unknown_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Years of [start, end] that neither the built-in calendar nor the office's sheet covers."""
        listed = {d.year for d in self.overrides}
        return [y for y in range(start.year, end.year + 1) if y not in official_years() and y not in listed]


OFFICIAL = WorkCalendar()
