"""Scaled-up campaigns for benchmarks: the demo's rows repeated with fresh record numbers."""
from __future__ import annotations

import pandas as pd

from .book_writer import BookContent
from .demo import build_demo
from .schema import ENTRY_SHEETS


def scaled_content(visit_rows: int, seed: int = 2011) -> BookContent:
    """The clean demo with every entry sheet grown in proportion until 走访记录 has ``visit_rows`` rows."""
    demo = build_demo(seed=seed, clean=True)
    content = demo.content
    factor = max(1, -(-visit_rows // len(content.frames["visits"])))
    for spec in ENTRY_SHEETS:
        if spec.key == "research":
            continue  # copies of one person's trips would all overlap: trips stay as the demo has them
        frame = content.frames[spec.key]
        grown = pd.concat([frame] * factor, ignore_index=True)
        if spec.key == "visits":
            grown = grown.iloc[:visit_rows].copy()
        copy_no = (grown.index // len(frame)).astype(str)
        grown[spec.id_key] = grown[spec.id_key].astype(str) + "-" + copy_no
        if "problem_id" in grown and spec.key != "problems":  # refer to the first copy of each problem
            grown["problem_id"] = grown["problem_id"].where(grown["problem_id"].isna(), grown["problem_id"] + "-0")
        if spec.key == "visits":  # each copy visits other households
            grown["address"] = grown["address"].astype(str) + "（" + copy_no + "）"
        content.frames[spec.key] = grown
    return content
