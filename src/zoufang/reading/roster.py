"""Who is who: entry rows resolved to roster people and units.

A row names a person by 姓名, optionally with 人员编号; a unit named on the same
row tells namesakes apart. Validation reports what cannot be resolved; quota
counts what can.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zoufang.reading.dataset import Campaign, SheetData
from zoufang.reading.normalize import combined_codes

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

    def lookup(self) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
        """Name -> [(person_id, unit)] of everyone so named; 人员编号 -> name of its first owner."""
        if "_lookup" not in self.__dict__:
            by_name: dict[str, list[tuple[str, str]]] = {}
            for name, pid, unit in zip(self.people["name"], self.people["person_id"], self.people["unit"]):
                by_name.setdefault(name, []).append((pid, unit))
            first = self.people.drop_duplicates("person_id")  # a duplicated 人员编号 keeps its first owner
            self.__dict__["_lookup"] = (by_name, dict(zip(first["person_id"], first["name"])))
        return self.__dict__["_lookup"]

    def suggest_person(self, name: str) -> str | None:
        return _nearest(name, self.people["name"].unique().tolist())

    def suggest_unit(self, name: str) -> str | None:
        return _nearest(name, sorted(self.unit_names))


def _nearest(text: str, choices: list[str]) -> str | None:
    if not text or not choices:
        return None
    try:  # imported here: only a finding that suggests a name needs it
        from rapidfuzz import process
    except ImportError:  # Pyodide (xlwings Lite) has no wheel for it: difflib is enough for suggestions
        process = None
    if process is None:
        import difflib
        close = difflib.get_close_matches(text, choices, n=1, cutoff=0.4)
        return close[0] if close else None
    hit = process.extractOne(text, choices, score_cutoff=40)
    return hit[0] if hit else None


def unit_hint_key(data: SheetData, key: str) -> str | None:
    """The unit column that tells namesakes of person column ``key`` apart (接访人 ↔ 所属单位,
    责任人 ↔ 责任单位, 牵头人 ↔ 单位); None for 发现人, 分包领导, 包案领导 and the like."""
    return data.spec.col(key).paired_unit if key in data.spec.keys else None


_BRACKET = re.compile(r"^(.+?)\s*[（(]\s*([^（）()]+?)\s*[）)]$")


def split_person_cell(text: str) -> tuple[str, str]:
    """``张伟（P006）`` → ("张伟", "P006"); ``张伟(市博物馆)`` → ("张伟", "市博物馆"); a plain name → (name, "")."""
    m = _BRACKET.match(text) if isinstance(text, str) else None
    return (m.group(1).strip(), m.group(2).strip()) if m else (text, "")


def resolve(data: SheetData, key: str, roster: Roster) -> pd.DataFrame:
    """For each row: the roster person_id of column ``key`` and a status (ok, unknown, …).

    A name of one roster person is theirs; namesakes are told apart by the unit named on
    the row (if exactly one of them is of that unit); a 人员编号 on the row overrides the
    name when it belongs to someone of that name. Each distinct (name, 人员编号, unit)
    is resolved once.
    """
    frame = data.frame
    names = frame[key] if key in frame else pd.Series("", index=frame.index)
    ids = frame[data.spec.person_id_key] if (data.spec.person_id_key and key == "person"
                                             and data.has(data.spec.person_id_key)) else None
    hint_key = unit_hint_key(data, key)
    hints = frame[hint_key] if hint_key and data.has(hint_key) else None
    given = [c for c in (names, ids, hints) if c is not None]
    _, first, inverse = np.unique(combined_codes(*given).to_numpy(), return_index=True, return_inverse=True)
    lookup = roster.lookup()
    column = (lambda c: [""] * len(first) if c is None else c.to_numpy(dtype=object)[first])
    once = [_resolve_one(n, i, h, *lookup, roster.unit_names) for n, i, h in zip(column(names), column(ids), column(hints))]
    person_id = np.empty(len(once), dtype=object)
    person_id[:] = [pid for pid, _ in once]
    status = np.array([st for _, st in once], dtype=object)
    return pd.DataFrame({"person_id": person_id[inverse], "status": status[inverse]}, index=frame.index)


def _resolve_one(name, pid, hint, by_name: dict, owner_of: dict, unit_names=frozenset()) -> tuple[str | None, str]:
    if not isinstance(name, str) or name == "":
        return None, BLANK
    if name not in by_name:
        name, inner = split_person_cell(name)
        if inner in owner_of and not (isinstance(pid, str) and pid):
            pid = inner
        elif inner in unit_names:
            hint = inner
    candidates = by_name.get(name, ())
    if len(candidates) == 1:
        found, status = candidates[0][0], OK
    elif not candidates:
        found, status = None, UNKNOWN
    else:  # namesakes: the unit named on the row picks one of them
        of_unit = [p for p, unit in candidates if unit == hint]
        found, status = (of_unit[0], OK) if len(of_unit) == 1 else (None, AMBIGUOUS)
    if isinstance(pid, str) and pid != "":
        owner = owner_of.get(pid)
        if owner is None:
            return found, ID_UNKNOWN
        return (pid, OK) if owner == name else (None, ID_MISMATCH)
    return found, status


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
