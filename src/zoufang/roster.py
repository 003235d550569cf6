"""Who is who: entry rows resolved to roster people and units.

A row names a person by 姓名, optionally with 人员编号; a unit named on the same
row tells namesakes apart. Validation reports what cannot be resolved; quota
counts what can.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
try:
    from rapidfuzz import process
except ImportError:  # Pyodide (xlwings Lite) has no wheel for it: difflib is enough for suggestions
    process = None

from .dataset import Campaign, SheetData

OK = "ok"
UNKNOWN = "unknown"  # no such name in 人员
AMBIGUOUS = "ambiguous"  # several people of that name, nothing tells them apart
ID_UNKNOWN = "id-unknown"  # 人员编号 not in 人员
ID_MISMATCH = "id-mismatch"  # 人员编号 belongs to someone of another name
BLANK = "blank"


@dataclass
class Roster:
    people: pd.DataFrame  # 人员 frame (valid rows)
    unit_names: set[str]
    unit_codes: dict[str, str]  # unit name -> 单位编码

    resolved: dict[tuple[int, str], pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def of(cls, campaign: Campaign) -> "Roster":
        people = campaign.people
        people = people[people["name"] != ""]
        units = campaign.units
        units = units[units["name"] != ""]
        return cls(people, set(units["name"]), dict(zip(units["name"], units["code"])))

    def resolve(self, data: SheetData, key: str) -> pd.DataFrame:
        """``resolve`` of this sheet column, computed once per roster."""
        memo = (id(data), key)
        if memo not in self.resolved:
            self.resolved[memo] = resolve(data, key, self)
        return self.resolved[memo]

    def suggest_person(self, name: str) -> str | None:
        return _nearest(name, self.people["name"].unique().tolist())

    def suggest_unit(self, name: str) -> str | None:
        return _nearest(name, sorted(self.unit_names))


def _nearest(text: str, choices: list[str]) -> str | None:
    if not text or not choices:
        return None
    if process is None:
        import difflib
        close = difflib.get_close_matches(text, choices, n=1, cutoff=0.4)
        return close[0] if close else None
    hit = process.extractOne(text, choices, score_cutoff=40)
    return hit[0] if hit else None


def unit_hint_key(data: SheetData) -> str | None:
    """The column naming a unit on this sheet's rows (所属单位 / 单位 / 责任单位), if any."""
    for key in data.spec.unit_from:
        col = data.spec.col(key)
        if col.kind.value == "unit":
            return key
    return None


def resolve(data: SheetData, key: str, roster: Roster) -> pd.DataFrame:
    """For each row: the roster person_id of column ``key`` and a status (ok, unknown, …)."""
    frame = data.frame
    names = frame[key] if key in frame else pd.Series("", index=frame.index)
    ids = frame[data.spec.person_id_key] if (data.spec.person_id_key and key == "person"
                                             and data.has(data.spec.person_id_key)) else None
    hint_key = unit_hint_key(data)
    hints = frame[hint_key] if hint_key and data.has(hint_key) else None
    people = roster.people
    named = (names != "").to_numpy()
    count = names.map(people["name"].value_counts()).fillna(0).astype(int).to_numpy()
    single = named & (count == 1)
    person_id = np.where(single, names.map(dict(zip(people["name"], people["person_id"]))).to_numpy(), None)
    status = np.where(single, OK, np.where(named & (count == 0), UNKNOWN, BLANK)).astype(object)
    out = pd.DataFrame({"person_id": person_id, "status": status}, index=frame.index)
    named = pd.Series(named, index=frame.index)
    count = pd.Series(count, index=frame.index)
    many = named & (count > 1)
    if many.any():
        # Namesakes: the unit named on the row picks one of them, if exactly one is of that unit.
        rows = pd.DataFrame({"name": names[many], "hint": hints[many] if hints is not None else ""})
        rows["at"] = rows.index
        hit = rows.merge(people[["name", "unit", "person_id"]], left_on=["name", "hint"],
                         right_on=["name", "unit"])
        picked = hit.groupby("at")["person_id"].agg(["first", "size"])
        picked = picked[picked["size"] == 1]["first"]
        out.loc[rows.index, "status"] = AMBIGUOUS
        out.loc[picked.index, "person_id"] = picked
        out.loc[picked.index, "status"] = OK
    if ids is not None:
        given = (ids != "") & named
        if given.any():
            first = people.drop_duplicates("person_id")  # a duplicated 人员编号 keeps its first owner
            known = dict(zip(first["person_id"], first["name"]))
            owner = ids.map(known)
            out.loc[given & owner.isna(), "status"] = ID_UNKNOWN
            ok_id = given & owner.notna()
            mismatch = ok_id & (owner != names)
            out.loc[ok_id & ~mismatch, "person_id"] = ids[ok_id & ~mismatch]
            out.loc[ok_id & ~mismatch, "status"] = OK
            out.loc[mismatch, "status"] = ID_MISMATCH
            out.loc[mismatch, "person_id"] = None
    return out


def person_units(roster: Roster) -> dict[str, str]:
    return dict(zip(roster.people["person_id"], roster.people["unit"]))


def person_categories(roster: Roster) -> dict[str, str]:
    return dict(zip(roster.people["person_id"], roster.people["category"]))


def owning_units(data: SheetData, roster: Roster) -> pd.Series:
    """The unit that owns each row: the first of the sheet's ``unit_from`` columns that names one
    (a unit column directly, a person column through the roster); "" where none does."""
    people_units = person_units(roster)
    out = pd.Series("", index=data.frame.index, dtype=object)
    for key in data.spec.unit_from:
        if not data.has(key):
            continue
        if data.spec.col(key).kind.value == "unit":
            candidate = data.frame[key]
        else:
            candidate = roster.resolve(data, key)["person_id"].map(people_units).fillna("")
        out = out.where(out != "", candidate)
    return out
