"""Supervision (督办): open items past their deadline, and long-standing petition cases (信访积案)."""
from __future__ import annotations

import pandas as pd

from .quota import Context
from .schema import CASE_OPEN, CASES, PROBLEM_OPEN, PROBLEMS

_P = PROBLEMS.col
DEADLINE, LEADER, UNIT, OWNER, STATUS = (_P(k).label for k in ("deadline", "leader", "unit", "owner", "status"))
OVERDUE_COLUMNS = ["sheet", "编号", "事由", DEADLINE, "days_overdue", LEADER, UNIT, OWNER, STATUS]
RESOLVED_NOT_SETTLED = "已化解"  # resolved, but the petitioner has not stopped petitioning


def _overdue(frame: pd.DataFrame, sheet: str, id_key: str, what_key: str, leader_key: str, open_states,
             as_of: pd.Timestamp) -> pd.DataFrame:
    late = frame[frame["status"].isin(open_states) & (frame["deadline"] < as_of)]
    return pd.DataFrame({
        "sheet": sheet, "编号": late[id_key], "事由": late[what_key], DEADLINE: late["deadline"].dt.date,
        "days_overdue": (as_of - late["deadline"]).dt.days, LEADER: late[leader_key],
        UNIT: late["unit"], OWNER: late["owner"], STATUS: late["status"],
    }, columns=OVERDUE_COLUMNS)


def overdue(ctx: Context) -> pd.DataFrame:
    """Every open problem and case past its 办结时限 at the as-of date, longest overdue first (挂牌督办)."""
    as_of = pd.Timestamp(ctx.as_of)
    problems = ctx.campaign[PROBLEMS.key].frame
    cases = ctx.campaign[CASES.key].frame
    problems = problems[problems["reg_date"].isna() | (problems["reg_date"] <= as_of)]
    parts = [_overdue(problems, PROBLEMS.name, "problem_id", "description", "leader", PROBLEM_OPEN, as_of),
             _overdue(cases, CASES.name, "case_id", "cause", "leader", CASE_OPEN, as_of)]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
        else pd.DataFrame(columns=OVERDUE_COLUMNS)
    return out.sort_values(["days_overdue", "sheet", "编号"], ascending=[False, True, True]).reset_index(drop=True)


def backlog_cases(ctx: Context) -> pd.DataFrame:
    """信访积案: cases overdue, or resolved (已化解) while the petitioner has not stopped (not 已息诉息访)."""
    as_of = pd.Timestamp(ctx.as_of)
    c = ctx.campaign[CASES.key].frame
    late = c["status"].isin(CASE_OPEN) & (c["deadline"] < as_of)
    unsettled = c["status"] == RESOLVED_NOT_SETTLED
    hit = c[late | unsettled]
    reason = pd.Series("超期未结", index=hit.index).where(late[hit.index], "已结案未息诉息访")
    label = CASES.col
    return pd.DataFrame({"编号": hit["case_id"], label("cause").label: hit["cause"], "原因": reason,
                         label("leader").label: hit["leader"], UNIT: hit["unit"], OWNER: hit["owner"],
                         DEADLINE: hit["deadline"].dt.date, STATUS: hit["status"]}).reset_index(drop=True)
