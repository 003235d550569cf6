"""Supervision (督办): open items past their deadline, and long-standing petition cases (信访积案)."""
from __future__ import annotations

import pandas as pd

from zoufang.contract.schema import CASES, HANDLING_DEADLINE, PROBLEMS, RECEPTIONS
from zoufang.progress.quota import Context

_P = PROBLEMS.col
DEADLINE, LEADER, UNIT, OWNER, STATUS = (_P(k).label for k in ("deadline", "leader", "unit", "owner", "status"))
OVERDUE_COLUMNS = ["sheet", "编号", "事由", DEADLINE, "days_overdue", LEADER, UNIT, OWNER, STATUS]
RESOLVED_NOT_SETTLED = "已化解"  # resolved, but the petitioner has not stopped petitioning
BACKLOG_TYPE = "信访积案"  # under supervision while open, whatever its deadline
BACKLOG_OPEN = "积案未化解"  # the 原因 of such a case on the backlog sheet (its title names the type already)


def _listed(late: pd.DataFrame, sheet: str, id_key: str, what_key: str, leader_key: str, status_key: str,
            as_of: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame({
        "sheet": sheet, "编号": late[id_key], "事由": late[what_key], DEADLINE: late["deadline"].dt.date,
        "days_overdue": (as_of - late["deadline"]).dt.days.astype("Int64"), LEADER: late[leader_key],
        UNIT: late["unit"], OWNER: late["owner"],
        STATUS: late[status_key],
    }, columns=OVERDUE_COLUMNS)


def overdue(ctx: Context) -> pd.DataFrame:
    """挂牌督办 at the as-of date, longest overdue first (DOMAIN.md: every item past its deadline and still open that
    day, nothing else): every problem and case open that day past its 办结时限, and every 限期办理 reception past
    its deadline with no 问题编号 and no 办理结果 (its deadline is supervised nowhere else). A 信访积案 before its
    deadline is in the backlog list (backlog_cases), not here."""
    as_of = pd.Timestamp(ctx.as_of)
    problems = ctx.problems()
    cases = ctx.cases()
    late_problems = problems[problems["open_at"] & (problems["deadline"] < as_of)]
    late_cases = cases[cases["open_at"] & (cases["deadline"] < as_of)]
    r = ctx.campaign[RECEPTIONS.key].frame
    late_receptions = r[(r["handling"] == HANDLING_DEADLINE) & (r["problem_id"] == "") & (r["result"] == "")
                        & (r["date"] <= as_of) & (r["deadline"] < as_of)]
    late_receptions = late_receptions.assign(owner=late_receptions["person"], status="限期办理未办结")
    parts = [_listed(late_problems, PROBLEMS.name, "problem_id", "description", "leader", "status_at", as_of),
             _listed(late_cases, CASES.name, "case_id", "cause", "leader", "status_at", as_of),
             _listed(late_receptions, RECEPTIONS.name, "record_id", "matter", "person", "status", as_of)]
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=OVERDUE_COLUMNS)
    out["days_overdue"] = out["days_overdue"].clip(lower=0)
    return out.sort_values(["days_overdue", "sheet", "编号"], ascending=[False, True, True]).reset_index(drop=True)


def backlog_cases(ctx: Context) -> pd.DataFrame:
    """信访积案 at the as-of date: cases typed 信访积案 and open, cases open past their deadline, and cases
    resolved (已化解) while the petitioner has not stopped (not 已息诉息访)."""
    as_of = pd.Timestamp(ctx.as_of)
    c = ctx.cases()
    typed = (c["case_type"] == BACKLOG_TYPE) & c["open_at"]
    late = c["open_at"] & (c["deadline"] < as_of)
    unsettled = (c["status_at"] == RESOLVED_NOT_SETTLED)
    hit = c[typed | late | unsettled]
    reason = pd.Series(BACKLOG_OPEN, index=hit.index).where(typed[hit.index], "")
    reason = reason.where(~late[hit.index] | typed[hit.index], "超期未结")
    reason = reason.where(reason != "", "已结案未息诉息访")
    label = CASES.col
    return pd.DataFrame({"编号": hit["case_id"], label("cause").label: hit["cause"], "原因": reason,
                         label("leader").label: hit["leader"], UNIT: hit["unit"], OWNER: hit["owner"],
                         DEADLINE: hit["deadline"].dt.date, STATUS: hit["status_at"]}).reset_index(drop=True)
