"""Which units have sent their workbook back since they were last issued one, and which are late.

The master keeps each issue (``_base`` rows of part ``i``: batch, unit, issued at) and each
received file (导入记录). A unit has returned if a file of it was merged, or found a duplicate or
superseded, after its latest issue; without one it is 未发回, or 逾期未发回 once 活动设置's
回收截止日期 is past (judged on ``today``, the day the office looks, not the statistics' as-of).
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from zoufang.contract.periods import cn_date
from zoufang.contract.schema import BASE_SHEET, IMPORT_LOG_HEADERS, IMPORT_LOG_SHEET, ISSUED_PART, UNITS
from zoufang.reading.dataset import Campaign

RETURNED, NOT_RETURNED, LATE = "已发回", "未发回", "逾期未发回"
_AT, _UNIT, _STATUS = IMPORT_LOG_HEADERS[0], IMPORT_LOG_HEADERS[3], IMPORT_LOG_HEADERS[5]
_RECEIVED = ("已合并", "重复", "已被更新的回收表取代")
UNIT_NAME = UNITS.col("name").label


def latest_issues(campaign: Campaign) -> dict[str, dt.datetime]:
    """Each unit's latest issue, as a local time without offset (as 导入记录 writes its times)."""
    out: dict[str, dt.datetime] = {}
    for row in (campaign.hidden.get(BASE_SHEET) or [])[1:]:
        cells = list(row) + [None] * 4
        if str(cells[2]) != ISSUED_PART or not cells[1]:
            continue
        try:
            at = dt.datetime.fromisoformat(json.loads(str(cells[3]))["issued_at"])
        except (ValueError, KeyError, TypeError):
            continue
        at = at.astimezone().replace(tzinfo=None) if at.tzinfo else at
        unit = str(cells[1])
        out[unit] = max(out.get(unit, at), at)
    return out


def latest_returns(campaign: Campaign) -> dict[str, dt.datetime]:
    """Each unit's latest file received (merged, a duplicate or superseded), by 导入记录."""
    grid = campaign.hidden.get(IMPORT_LOG_SHEET) or []
    if len(grid) < 2:
        return {}
    log = pd.DataFrame([list(r)[:len(grid[0])] for r in grid[1:]], columns=[str(h) for h in grid[0]])
    if not {_AT, _UNIT, _STATUS} <= set(log.columns):
        return {}
    log = log[log[_STATUS].isin(_RECEIVED) & log[_UNIT].notna() & (log[_UNIT] != "")]
    at = pd.to_datetime(log[_AT], errors="coerce")
    return {str(u): t.to_pydatetime() for u, t in at.groupby(log[_UNIT]).max().items() if pd.notna(t)}


def return_status(campaign: Campaign, today: dt.date | None = None,
                  received: dict[str, dt.datetime] | None = None) -> list[dict]:
    """For each unit issued a workbook: 单位名称, issued, last_return (ISO or None) and status. ``received``: each
    unit's latest file taken by the audit log (a return that changed nothing is in no sheet of the master)."""
    today = today or dt.date.today()
    deadline = campaign.settings.return_deadline
    returns = latest_returns(campaign)
    for unit, at in (received or {}).items():
        returns[unit] = max(returns.get(unit, at), at)
    out = []
    for unit, issued in sorted(latest_issues(campaign).items()):
        back = returns.get(unit)
        back = back if back is not None and back > issued else None  # a return comes after its issue (both to the ms)
        status = RETURNED if back else (LATE if deadline and deadline < today else NOT_RETURNED)
        out.append({UNIT_NAME: unit, "issued": issued.isoformat(timespec="seconds"),
                    "last_return": back.isoformat(timespec="seconds") if back else None, "status": status})
    return out


def reminder_text(rows: list[dict], organizer: str, deadline: dt.date | None) -> str:
    """A 催报 notice to copy into a message: the units still owing their workbook."""
    owing = [r[UNIT_NAME] for r in rows if r["status"] != RETURNED]
    if not owing:
        return ""
    late = any(r["status"] == LATE for r in rows)
    when = ("尽快" if late or not deadline else f"于{cn_date(deadline)}前")
    past = f"（回收截止日期{cn_date(deadline)}已过）" if late and deadline else ""
    return (f"{'、'.join(owing)}：\n    请{when}将本单位“大走访”工作簿录入完毕后发回{organizer}大走访活动办公室{past}。"
            f"发回时请直接发送下发给本单位的那份工作簿，不要改动表结构。谢谢！")
