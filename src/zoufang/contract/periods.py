"""Calendar facts of a campaign: elapsed share, official workdays, weeks, half-months."""
from __future__ import annotations

import datetime as dt

from zoufang.contract.work_calendar import OFFICIAL, WorkCalendar

ONE_DAY = dt.timedelta(days=1)


def cn_date(day: dt.date) -> str:
    """2011年9月5日, as a Chinese ledger or document writes a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_moment(moment: dt.datetime) -> str:
    """2026年12月2日 07:43 in this computer's time zone (the office's: Beijing time in China)."""
    local = moment.astimezone() if moment.tzinfo else moment
    return f"{cn_date(local)} {local:%H:%M}"


def elapsed_share(start: dt.date, end: dt.date, as_of: dt.date) -> float:
    """Share of the campaign's days elapsed by ``as_of`` (inclusive), 0..1."""
    total = (end - start).days + 1
    done = (min(max(as_of, start - ONE_DAY), end) - start).days + 1
    return max(0.0, min(1.0, done / total))


def workdays(start: dt.date, end: dt.date, calendar: WorkCalendar = OFFICIAL) -> list[dt.date]:
    """Working days (Mon–Fri less statutory holidays, plus 调休 weekends) by ``calendar``."""
    return calendar.workdays(start, end)


def weeks(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Monday–Sunday weeks that overlap [start, end], each as (monday, sunday)."""
    monday = start - dt.timedelta(days=start.weekday())
    out = []
    while monday <= end:
        out.append((monday, monday + dt.timedelta(days=6)))
        monday += dt.timedelta(days=7)
    return out


def half_months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Periods 1st–15th and 16th–month end that overlap [start, end], unclipped."""
    out = []
    day = start.replace(day=1)
    while day <= end:
        next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        for lo, hi in ((day, day.replace(day=15)), (day.replace(day=16), next_month - ONE_DAY)):
            if hi >= start and lo <= end:
                out.append((lo, hi))
        day = next_month
    return out


def half_month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    return half_months(day, day)[0]


def due(period_end: dt.date, campaign_end: dt.date, as_of: dt.date) -> bool:
    """A period's requirement is due once it has ended (clipped to the campaign) by the as-of date."""
    return min(period_end, campaign_end) <= as_of


def moment() -> dt.datetime:
    """Now, with the local offset, to the millisecond: what a workbook's date-time keeps, so that an issue and a
    collect within the same second stay in order."""
    now = dt.datetime.now().astimezone()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
