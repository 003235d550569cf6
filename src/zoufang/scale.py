"""Scaled-up campaigns for benchmarks: the clean demo's units, people and entries cloned and grown.

Copy c of every unit (c = 2, 3, …) is the same unit under a numbered name, with its
own people (ids and names suffixed) and its own copy of their entries; 走访记录
then grows to the asked number of rows with other households.
"""
from __future__ import annotations

import pandas as pd

from .book_writer import BookContent
from .demo import build_demo
from .schema import ENTRY_SHEETS, Kind

UNIT_KEYS = {"units": ("name",), "people": ("unit",)}


def _suffix(series: pd.Series, copy_no: int) -> pd.Series:
    if copy_no == 1:
        return series
    return series.where(series.isna() | (series.astype(str) == ""), series.astype(str) + f"·{copy_no}")


def scaled_content(visit_rows: int, unit_copies: int = 1, seed: int = 2011) -> BookContent:
    """The clean demo with ``unit_copies`` copies of every unit and 走访记录 grown to ``visit_rows`` rows
    (0: as cloned)."""
    content = build_demo(seed=seed, clean=True).content
    frames = content.frames
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
                spec = next(s for s in ENTRY_SHEETS if s.key == key)
                for col in spec.columns:
                    if col.kind in (Kind.PERSON, Kind.UNIT, Kind.RECORD_ID, Kind.PROBLEM_REF) and col.key in f:
                        f[col.key] = _suffix(f[col.key], c)
                if "person_id" in f:
                    f["person_id"] = _suffix(f["person_id"], c).str.replace("·", "-")
            parts.append(f)
        frames[key] = pd.concat(parts, ignore_index=True)
    visits = frames["visits"]
    if not visit_rows:
        return content
    factor = max(1, -(-visit_rows // len(visits)))
    grown = pd.concat([visits] * factor, ignore_index=True).iloc[:visit_rows].copy()
    copy_no = (grown.index // len(visits)).astype(str)
    grown["record_id"] = grown["record_id"].astype(str) + "-" + copy_no
    grown["address"] = grown["address"].astype(str) + "（" + copy_no + "）"  # each copy visits other households
    frames["visits"] = grown
    return content
