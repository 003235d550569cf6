"""The measures the seed names without a number (DOMAIN.md): 问政 replies and topics, households by
对象类别, 结对帮扶 and the cadres without one. Each counts rows as they stood at the as-of date, as
every other figure does (through ``quota.Context``).
"""
from __future__ import annotations

import pandas as pd

from zoufang.contract.schema import (
    ACTIVITIES, ACTIVITY_PAIRING, PAIRING_ROLES, UNIT_KIND_BUREAU, VISIT_TARGET_TYPES, WENZHENG,
)
from zoufang.progress.quota import Context

BUREAU = "局"  # the bureau's own topics, beside each unit's
NO_CATEGORY = "（未填）"
NO_MEASURES = {"by_category": {}, "others": {"people": 0, "households": 0}, "cadres": 0, "paired": 0,
               "wenzheng": {}}  # a unit the report has no measures for


def _wenzheng_rows(ctx: Context) -> pd.DataFrame:
    """问政 rows up to the as-of date with the person (负责人) they name, that person's unit (局 for the bureau's
    own unit) and the topic, opinions and replies."""
    data = ctx.campaign[WENZHENG.key]
    frame = data.frame
    rows = frame[frame["date"].isna() | (frame["date"] <= pd.Timestamp(ctx.as_of))]
    people = ctx.roster.resolve(data, "person")["person_id"].reindex(rows.index)
    unit_of = ctx.campaign.people.drop_duplicates("person_id").set_index("person_id")["unit"]
    units = ctx.campaign.units.drop_duplicates("name").set_index("name")["kind"]
    owner = people.map(unit_of).map(lambda u: BUREAU if units.get(u) == UNIT_KIND_BUREAU else u)
    return pd.DataFrame({"person_id": people, "unit": owner.fillna(""),
                         "topic": data.text["topic"].reindex(rows.index).fillna("").str.strip(),
                         "opinions": rows["opinions"].fillna(0).astype(float),
                         "replied": rows["replied"].fillna(0).astype(float)})


def topics_by_unit(ctx: Context, rows: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """The distinct 问政 topics of each unit (局 for the bureau's own), as of the context's date (from ``rows`` of
    _wenzheng_rows when they are at hand)."""
    rows = _wenzheng_rows(ctx) if rows is None else rows
    rows = rows[(rows["topic"] != "") & (rows["unit"] != "")].drop_duplicates(["unit", "topic"])
    return {str(u): list(g["topic"]) for u, g in rows.groupby("unit", sort=False)}


def _rate(opinions: float, replied: float) -> dict:
    return {"opinions": _whole(opinions), "replied": _whole(replied),
            "reply_rate": round(float(replied) / float(opinions), 4) if opinions else None}


def wenzheng_summary(ctx: Context) -> dict:
    """Opinions collected and replied to and the reply rate, for the whole campaign, each unit (局 for the bureau's
    own) and each 负责人 (person_id); the topics of the bureau and of each unit."""
    rows = _wenzheng_rows(ctx)
    by_unit = rows[rows["unit"] != ""].groupby("unit", sort=False)[["opinions", "replied"]].sum()
    by_person = rows.dropna(subset=["person_id"]).groupby("person_id", sort=False)[["opinions", "replied"]].sum()
    topics = topics_by_unit(ctx, rows)
    return {**_rate(rows["opinions"].sum(), rows["replied"].sum()),
            "topics": {u: len(t) for u, t in topics.items()},
            "units": {str(u): {**_rate(r.opinions, r.replied), "topics": len(topics.get(u, []))}
                      for u, r in by_unit.iterrows()},
            "people": {str(p): _rate(r.opinions, r.replied) for p, r in by_person.iterrows()}}


def _whole(v: float):
    return int(v) if float(v).is_integer() else round(v, 2)


def households_by_category(ctx: Context) -> pd.DataFrame:
    """Per person and 对象类别: households visited in person (the 走访户数 count), each household once, under the
    category of its latest in-person visit. Columns person_id, category, households."""
    homes = ctx.in_person_homes()
    latest = homes.rename(columns={"pid": "person_id"}).assign(
        category=homes["category"].replace("", NO_CATEGORY).fillna(NO_CATEGORY))
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


def unit_measures(ctx: Context, cats: pd.DataFrame, counts: pd.Series, wenzheng: dict,
                  holders: set[str]) -> dict[str, dict]:
    """Per unit (单位 sheet order): households by 对象类别 of its people who hold a 走访户数 target (``holders``;
    each household once per person, as their 走访户数: docs/FIGURES.md), and apart, those its other people visited
    (``others``: people, households); its 党员干部 and how many have a 结对帮扶 record, its 问政 opinions, replies
    and topics."""
    people = ctx.campaign.people
    people = people[(people["person_id"] != "") & ~people["person_id"].duplicated()]
    unit_of = people.set_index("person_id")["unit"]
    units = ctx.campaign.units
    units = units[units["name"] != ""].drop_duplicates("name")
    cats = cats.assign(unit=cats["person_id"].map(unit_of), held=cats["person_id"].isin(holders))
    by_unit = cats[cats["held"]].groupby(["unit", "category"], sort=False)["households"].sum()
    not_held = cats[~cats["held"]].groupby("unit", sort=False).agg(
        people=("person_id", "nunique"), households=("households", "sum"))
    cadres = people[people["category"].isin(PAIRING_ROLES)]
    out = {}
    for name, kind in zip(units["name"], units["kind"]):
        mine = cadres[cadres["unit"] == name]
        paired = int(mine["person_id"].isin(counts[counts > 0].index).sum())
        own = (wenzheng.get("units") or {}).get(BUREAU if kind == UNIT_KIND_BUREAU else name) or {}
        others = not_held.loc[name] if name in not_held.index else {"people": 0, "households": 0}
        out[name] = {"by_category": {str(c): int(n) for (u, c), n in by_unit.items() if u == name},
                     "others": {"people": int(others["people"]), "households": int(others["households"])},
                     "cadres": len(mine), "paired": paired,
                     "wenzheng": {"opinions": own.get("opinions", 0), "replied": own.get("replied", 0),
                                  "reply_rate": own.get("reply_rate"), "topics": own.get("topics", 0)}}
    return out


def households_apart(people: int, households: int) -> str:
    """What people without a 走访户数 target visited, said beside a figure that leaves them out; "" for none."""
    return f"另有无走访户数指标的 {people} 人走访 {households} 户，不计入" if households else ""


def households_text(by_category: dict[str, int], others: dict[str, int]) -> str:
    """走访 N 户（困难户 6 户、…；另有无走访户数指标的 1 人走访 5 户，不计入）: the one household figure (docs/FIGURES.md)."""
    said = "；".join(t for t in (category_text(by_category) if by_category else "", households_apart(**others)) if t)
    return f"走访 {sum(by_category.values())} 户" + (f"（{said}）" if said else "")


def category_text(by_category: dict[str, int]) -> str:
    """困难户 6 户、老党员 2 户 (in the schema's order), or 无."""
    order = [c for c in VISIT_TARGET_TYPES if c in by_category] + sorted(set(by_category) - set(VISIT_TARGET_TYPES))
    return "、".join(f"{c} {by_category[c]} 户" for c in order) or "无"
