"""Problems and cases as they stood at the end of an as-of date (DOMAIN.md).

A problem exists from its 登记日期; it counts as solved only if its 解决日期 (or, ticked off,
its 销号日期) is on or before the date, and as ticked off only if its 销号日期 is; otherwise it
was open that day, whatever its status today. A case is closed at the date only if its
销号日期 is on or before it. Every figure (quotas, roll-ups, supervision, brief, ledgers)
reads problems and cases through here.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from zoufang.contract.schema import CASE_OPEN, PROBLEM_OPEN

SOLVED, CLOSED = "已解决", "已销号"
IN_HAND = PROBLEM_OPEN[1]  # 办理中


def _day(as_of: dt.date) -> pd.Timestamp:
    return pd.Timestamp(as_of)


def problems_at(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The problem ledger at the end of ``as_of``: registered rows only, with ``solved_at``,
    ``closed_at``, ``open_at`` (booleans) and ``status_at`` (the status that day)."""
    day = _day(as_of)
    out = frame[frame["reg_date"].isna() | (frame["reg_date"] <= day)].copy()
    solved_today = out["status"].isin((SOLVED, CLOSED))
    closed = (out["status"] == CLOSED) & (out["closed_date"] <= day)
    solved = solved_today & ((out["solved_date"] <= day) | closed)
    out["solved_at"], out["closed_at"] = solved.fillna(False), closed.fillna(False)
    out["open_at"] = ~out["solved_at"]
    still = out["status"].where(out["status"].isin(PROBLEM_OPEN), IN_HAND)
    out["status_at"] = still.where(out["open_at"], SOLVED).where(~out["closed_at"], CLOSED)
    out.loc[out["status"] == "", "status_at"] = ""
    return out


def cases_at(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The case ledger at the end of ``as_of``, with ``open_at`` and ``status_at``.

    A case has no registration date: it exists throughout. One finished today (已化解, 已息诉息访,
    已销号) whose 销号日期 is after the date was still 化解中 that day; one finished without a
    销号日期 cannot be dated and counts as finished (validation asks for the date of 已销号).
    """
    day = _day(as_of)
    out = frame.copy()
    reopened = ~out["status"].isin(CASE_OPEN) & (out["status"] != "") & (out["closed_date"] > day).fillna(False)
    out["open_at"] = out["status"].isin(CASE_OPEN) | reopened
    out["status_at"] = out["status"].where(~reopened, CASE_OPEN[1])
    return out


def solved_on(frame: pd.DataFrame) -> pd.Series:
    """The day each solved problem counts as solved (解决日期, else 销号日期)."""
    return frame["solved_date"].fillna(frame["closed_date"])
