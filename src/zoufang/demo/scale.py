"""Scaled-up campaigns for benchmarks: the clean demo's units, people and entries cloned and grown.

Copy c of every unit (c = 2, 3, …) is the same unit under a numbered name, with its
own people (ids and names suffixed) and its own copy of their entries. The campaign
is then cut or grown to the asked number of units and people: units beyond the count
go with their people and every entry that names them; extra people are new cadres
spread over the units. 走访记录 finally grows to the asked number of rows: other
households, visited by every leader and cadre in turn.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd

from zoufang.contract.schema import ENTRY_SHEETS, LEADER_ROLES, ROLE_CADRE, Kind
from zoufang.demo.campaign import GIVEN, SURNAMES, build_demo
from zoufang.xlsx.book_writer import BookContent

DEMO_UNITS = 11


def _suffix(series: pd.Series, copy_no: int) -> pd.Series:
    if copy_no == 1:
        return series
    return series.where(_blank(series), series.astype(str) + f"·{copy_no}")


def _columns(key: str, *kinds: Kind) -> list[str]:
    spec = next(s for s in ENTRY_SHEETS if s.key == key)
    return [c.key for c in spec.columns if c.kind in kinds]


def _cloned(frames: dict[str, pd.DataFrame], unit_copies: int) -> None:
    base = {k: f.copy() for k, f in frames.items()}
    for key in ("units", "people", *[s.key for s in ENTRY_SHEETS]):
        parts = []
        for c in range(1, unit_copies + 1):
            f = base[key].copy()
            if key == "units":
                f["name"], f["code"] = _suffix(f["name"], c), _suffix(f["code"], c).str.replace("·", "")
            elif key == "people":
                f["name"], f["unit"], f["person_id"] = _suffix(f["name"], c), _suffix(f["unit"], c), \
                    _suffix(f["person_id"], c).str.replace("·", "-")
            else:
                for col in _columns(key, Kind.PERSON, Kind.UNIT, Kind.RECORD_ID, Kind.PROBLEM_REF):
                    if col in f:
                        f[col] = _suffix(f[col], c)
                if "person_id" in f:
                    f["person_id"] = _suffix(f["person_id"], c).str.replace("·", "-")
            parts.append(f)
        frames[key] = pd.concat(parts, ignore_index=True)


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str) == "")


def _keep_only(frames: dict[str, pd.DataFrame], people: pd.DataFrame) -> None:
    """Drop every entry that names a unit or person no longer there; blank references to dropped problems."""
    units, names, ids = set(frames["units"]["name"]), set(people["name"]), set(people["person_id"])
    frames["people"] = people.reset_index(drop=True)
    for spec in ENTRY_SHEETS:
        f = frames[spec.key]
        keep = pd.Series(True, index=f.index)
        for col in _columns(spec.key, Kind.UNIT):
            keep &= _blank(f[col]) | f[col].isin(units)
        for col in _columns(spec.key, Kind.PERSON):
            keep &= _blank(f[col]) | f[col].isin(names)
        if "person_id" in f:
            keep &= _blank(f["person_id"]) | f["person_id"].isin(ids)
        frames[spec.key] = f[keep].reset_index(drop=True)
    problems = set(frames["problems"]["problem_id"])
    for spec in ENTRY_SHEETS:
        f = frames[spec.key]
        for col in _columns(spec.key, Kind.PROBLEM_REF):
            if col in f and spec.key != "problems":
                f[col] = f[col].where(_blank(f[col]) | f[col].isin(problems), "")


def _new_cadres(frames: dict[str, pd.DataFrame], n: int, seed: int) -> pd.DataFrame:
    """``n`` new cadres with names of their own, spread over the units in turn."""
    rng = random.Random(seed)
    taken = set(frames["people"]["name"])
    units = frames["units"]["name"].tolist()
    rows = []
    while len(rows) < n:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if name in taken:
            continue
        taken.add(name)
        rows.append({"person_id": f"N{len(rows) + 1:05d}", "name": name, "unit": units[len(rows) % len(units)],
                     "title": "干部", "category": ROLE_CADRE, "is_head": "否", "is_lecturer": "否"})
    return pd.DataFrame(rows, columns=frames["people"].columns)


def _grown_visits(frames: dict[str, pd.DataFrame], visit_rows: int) -> pd.DataFrame:
    visits = frames["visits"]
    factor = max(1, -(-visit_rows // len(visits)))
    grown = pd.concat([visits] * factor, ignore_index=True).iloc[:visit_rows].copy()
    copy_no = grown.index // len(visits)
    tag = pd.Series(copy_no, index=grown.index).astype(str)
    grown["record_id"] = grown["record_id"].astype(str) + "-" + tag
    grown["address"] = grown["address"].astype(str) + "（" + tag + "）"  # each copy visits other households
    people = frames["people"]
    visitors = people[people["category"].isin((*LEADER_ROLES, ROLE_CADRE))]
    extra = np.flatnonzero(copy_no > 0)
    turn = np.arange(len(extra)) % len(visitors)  # the grown rows are everyone's, in turn
    grown.iloc[extra, grown.columns.get_loc("person")] = visitors["name"].to_numpy()[turn]
    grown.iloc[extra, grown.columns.get_loc("person_id")] = visitors["person_id"].to_numpy()[turn]
    return grown


def scaled_content(visit_rows: int = 0, unit_copies: int = 1, *, units: int | None = None,
                   people: int | None = None, seed: int = 2011) -> BookContent:
    """The clean demo grown to ``units`` units (default: ``unit_copies`` copies of every unit), ``people``
    people (default: as cloned) and ``visit_rows`` rows on 走访记录 (0: as cloned)."""
    content = build_demo(seed=seed, clean=True).content
    frames = content.frames
    copies = max(unit_copies, -(-units // DEMO_UNITS)) if units else unit_copies
    _cloned(frames, copies)
    staff = frames["people"]
    if units and units < len(frames["units"]):
        frames["units"] = frames["units"].iloc[:units].reset_index(drop=True)
        staff = staff[staff["unit"].isin(set(frames["units"]["name"]))]
    if people is not None and people < len(staff):
        leaders = staff["category"].isin(LEADER_ROLES)  # every unit keeps its leaders; the others go from the end
        order = pd.concat([staff[leaders], staff[~leaders]])
        staff = staff.loc[sorted(order.index[:people])]
    _keep_only(frames, staff)
    if people is not None and people > len(frames["people"]):
        new = _new_cadres(frames, people - len(frames["people"]), seed)
        frames["people"] = pd.concat([frames["people"], new], ignore_index=True)
    if visit_rows:
        frames["visits"] = _grown_visits(frames, visit_rows)
    return content
