"""The measures the seed names without a number (DOMAIN.md): 问政 replies and topics, households by
对象类别, 结对帮扶 and the cadres without one. Each counts rows as they stood at the as-of date, as
every other figure does (through ``quota.Context``).
"""
from __future__ import annotations

import pandas as pd

from zoufang.contract.schema import (
    ACTIVITIES, ACTIVITY_PAIRING, IN_PERSON_FORMS, PAIRING_ROLES, UNIT_KIND_BUREAU, VISITS, WENZHENG,
)
from zoufang.progress.quota import Context

BUREAU = "局"  # the bureau's own topics, beside each unit's
NO_CATEGORY = "（未填）"


def wenzheng_summary(ctx: Context) -> dict:
    """Opinions collected and replied to, the reply rate, and the topics of the bureau and of each unit."""
    data = ctx.campaign[WENZHENG.key]
    frame = data.frame
    day = pd.Timestamp(ctx.as_of)
    rows = frame[frame["date"].isna() | (frame["date"] <= day)]
    opinions, replied = float(rows["opinions"].fillna(0).sum()), float(rows["replied"].fillna(0).sum())
    people = ctx.roster.resolve(data, "person")["person_id"].reindex(rows.index)
    unit_of = ctx.campaign.people.drop_duplicates("person_id").set_index("person_id")["unit"]
    units = ctx.campaign.units.drop_duplicates("name").set_index("name")["kind"]
    owner = people.map(unit_of).map(lambda u: BUREAU if units.get(u) == UNIT_KIND_BUREAU else u)
    topics = data.text["topic"].reindex(rows.index).str.strip()
    counted = pd.DataFrame({"unit": owner, "topic": topics}).dropna()
    counted = counted[(counted["topic"] != "") & (counted["unit"] != "")].drop_duplicates()
    return {"opinions": _whole(opinions), "replied": _whole(replied),
            "reply_rate": round(replied / opinions, 4) if opinions else None,
            "topics": {str(u): int(n) for u, n in counted.groupby("unit", sort=False).size().items()}}


def _whole(v: float):
    return int(v) if float(v).is_integer() else round(v, 2)


def households_by_category(ctx: Context) -> pd.DataFrame:
    """Per person and 对象类别: households visited in person (the 走访户数 count), each household once, under the
    category of its latest in-person visit. Columns person_id, category, households."""
    v = ctx.rows(VISITS.key, "person", "date")
    v = v[v["form"].isin(IN_PERSON_FORMS) & (v["target"] != "")]
    codes = ctx.campaign[VISITS.key].household_codes()[v.index.to_numpy()]
    latest = pd.DataFrame({"person_id": v["pid"].to_numpy(), "home": codes, "date": v["date"].to_numpy(),
                           "category": v["target_type"].replace("", NO_CATEGORY).fillna(NO_CATEGORY).to_numpy()})
    latest = latest.sort_values("date", kind="stable").drop_duplicates(["person_id", "home"], keep="last")
    return latest.groupby(["person_id", "category"], sort=False).size().rename("households").reset_index()


def pairings(ctx: Context) -> pd.Series:
    """Each person's 结对帮扶 records (活动记录 led by them), within the period up to the as-of date."""
    a = ctx.rows(ACTIVITIES.key, "lead", "date")
    return a[a["kind"] == ACTIVITY_PAIRING].groupby("pid").size()


def unpaired(ctx: Context, counts: pd.Series) -> pd.DataFrame:
    """The 党员干部 (局领导班子成员, 二级单位领导班子成员, 其他党员干部) without a 结对帮扶 record."""
    people = ctx.campaign.people
    people = people[(people["person_id"] != "") & ~people["person_id"].duplicated()]
    cadres = people[people["category"].isin(PAIRING_ROLES)]
    return cadres[~cadres["person_id"].isin(counts[counts > 0].index)][["person_id", "name", "unit"]]
