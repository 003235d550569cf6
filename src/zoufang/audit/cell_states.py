"""A master's contract sheets as cells by record, and what changed between two of them (docs/AUDIT.md).

A record is found by its number (记录编号, 问题编号, 人员编号 …) wherever its row moved; a row without one by its
row ("第 12 行"). Every contract column and every column of the office's or a unit's own is compared, as text the
clerk reads (dates as 2011-09-05).
"""
from __future__ import annotations

from dataclasses import dataclass

from zoufang.contract.schema import ALL_SHEETS
from zoufang.reading.dataset import Campaign
from zoufang.xlsx.values import value_text


@dataclass
class SheetState:
    """One sheet: record → {column header: text}, and where each record's row and each column are."""

    records: dict[str, dict[str, str]]
    rows: dict[str, int]
    letters: dict[str, str]


def states_of(campaign: Campaign) -> dict[str, SheetState]:
    """Every contract sheet read from cells, by name."""
    out = {}
    for spec in ALL_SHEETS:
        data = campaign.sheets.get(spec.key)
        if data is None or not data.present or data.raw is None:
            continue
        raw, extras = data.raw, data.extras
        labels = {k: spec.col(k).label for k in raw.columns if k in spec.keys}
        letters = {labels[k]: data.letters[k] for k in labels if data.letters.get(k)}
        letters |= {h: data.extra_letters[h] for h in extras.columns if h in data.extra_letters}
        heads = [labels[k] for k in labels] + [str(h) for h in extras.columns]
        texts = [*(raw[k].map(value_text) for k in labels), *(extras[h].map(value_text) for h in extras.columns)]
        row_numbers = data.frame["_row"].astype(int).tolist()
        ids = data.text[spec.id_key].tolist() if spec.id_key and data.has(spec.id_key) else [""] * len(raw)
        records, rows = {}, {}
        for i, values in enumerate(zip(*(t.tolist() for t in texts))):
            if not any(values):
                continue
            key = ids[i] or f"第{row_numbers[i]}行"
            records[key], rows[key] = dict(zip(heads, values)), row_numbers[i]
        out[spec.name] = SheetState(records, rows, letters)
    return out


def changes_between(before: dict[str, SheetState], after: dict[str, SheetState]) -> list[dict]:
    """Each cell whose text differs: sheet, record, cell (where it is now, or was for a deleted record), column,
    old, new — records added list their filled cells (old ""), deleted ones their cells (new "")."""
    out = []
    for name in dict.fromkeys([*before, *after]):
        old = before.get(name) or SheetState({}, {}, {})
        new = after.get(name) or SheetState({}, {}, {})
        for record in dict.fromkeys([*old.records, *new.records]):
            a, b = old.records.get(record, {}), new.records.get(record, {})
            place, letters = (new.rows, new.letters) if record in new.records else (old.rows, old.letters)
            for column in dict.fromkeys([*a, *b]):
                was, now = a.get(column, ""), b.get(column, "")
                if was != now:
                    letter = letters.get(column, "")
                    out.append({"sheet": name, "record": record, "column": column, "old": was, "new": now,
                                "cell": f"{letter}{place[record]}" if letter else ""})
    return out
