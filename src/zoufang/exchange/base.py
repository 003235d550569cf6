"""The base of the three-way merge: what each unit was issued, one digest per cell, kept in the master.

A return changes only the cells whose value differs from its base; the office's changes are the
cells whose master value differs from the same base (docs/EXCHANGE.md). The master's hidden
``_base`` sheet holds, per issue batch and sheet, the columns issued (part 0, a JSON list) and then
chunks of ``record number TAB digests`` lines, 8 characters of digest per column.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zoufang.contract.schema import Kind, Sheet
from zoufang.reading.dataset import SheetData
from zoufang.reading.normalize import Distinct, clean_text

DIGEST_CHARS = 8  # 48 bits: a changed cell mistaken for its base once in 2.8e14 edits
CHUNK = 30000  # characters of one _base cell (Excel holds 32,767)
EXTRA = "#"  # prefix of an extra column's key: the header a clerk or the office gave it
TYPED_KINDS = (Kind.DATE, Kind.YESNO, Kind.NUMBER, Kind.TARGET)


def digest(text: str) -> str:
    """8 characters standing for a cell's canonical text."""
    raw = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=6).digest()
    return base64.urlsafe_b64encode(raw).decode("ascii")


BLANK = digest("")


def batch_key(issued_digest: str) -> str:
    """The issue batch (one unit, one issue) a return belongs to."""
    return issued_digest[:16]


def _text_form(value: object) -> str:
    """A cell as typed, in one canonical form: line ends unified, outer blanks dropped."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return clean_text(value)


def _typed_form(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (float, np.floating)):
        return repr(float(value)).removesuffix(".0")
    return str(value)


def canonical_cells(data: SheetData) -> pd.DataFrame:
    """Each contract column (record number aside) and extra column of each row as a canonical text.

    Typed columns compare by value (a date typed as 2011.9.5 is the date 2011-09-05); text columns by
    what was typed. Extras are keyed ``#header``.
    """
    out = {}
    for col in data.spec.columns:
        if col.key == data.spec.id_key:
            continue
        text = data.text[col.key].to_numpy(dtype=object)
        if col.kind in TYPED_KINDS:
            typed = Distinct(data.frame[col.key].astype(object).to_numpy()).map(_typed_form)
            out[col.key] = np.where(typed == "", text, typed)
        elif data.raw is not None:
            out[col.key] = np.where(text == "", "", Distinct(data.raw[col.key].to_numpy()).map(_text_form))
        else:
            out[col.key] = text
    for header in data.extras.columns:
        out[EXTRA + str(header)] = Distinct(data.extras[header].to_numpy()).map(_text_form)
    return pd.DataFrame(out, index=data.frame.index)


def digest_cells(data: SheetData) -> pd.DataFrame:
    """canonical_cells, each as its digest (one hash per distinct text)."""
    canon = canonical_cells(data)
    memo: dict[str, str] = {}
    return canon.apply(lambda s: s.map(lambda t: memo[t] if t in memo else memo.setdefault(t, digest(t))))


MERGED_PART = "m"  # a _base row holding what returns of the batch have merged: lines of record TAB column TAB digest


@dataclass
class Base:
    """One sheet of one issue batch: the columns issued, each record's digests, and what the batch's returns
    have merged since (``merged``: the unit's own latest word on a cell, which a later copy may change)."""

    columns: list[str]
    cells: dict[str, dict[str, str]] = field(default_factory=dict)
    merged: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, record_id: str) -> dict[str, str] | None:
        return self.cells.get(record_id)

    @property
    def office_extras(self) -> set[str]:
        """The extra columns the master had when it issued: the office's own."""
        return {c for c in self.columns if c.startswith(EXTRA)}


def base_rows(batch: str, spec: Sheet, digests: pd.DataFrame, ids) -> list[list]:
    """The ``_base`` rows of one sheet of one batch (digests: digest_cells of the issued rows)."""
    columns = list(digests.columns)
    rows = [[batch, spec.key, 0, json.dumps(columns, ensure_ascii=False)]]
    lines = ["\t".join((rid, "".join(cells))) for rid, cells in zip(ids, digests.itertuples(index=False, name=None))]
    chunk, size = [], 0
    for line in lines:
        if size + len(line) + 1 > CHUNK and chunk:
            rows.append([batch, spec.key, len(rows), "\n".join(chunk)])
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        rows.append([batch, spec.key, len(rows), "\n".join(chunk)])
    return rows


def merged_rows(batch: str, sheet_key: str, written: list[tuple[str, str, str]]) -> list[list]:
    """``_base`` rows recording the cells a return of ``batch`` wrote: (record, column key, digest)."""
    lines = ["\t".join(w) for w in written]
    rows, chunk, size = [], [], 0
    for line in lines:
        if size + len(line) + 1 > CHUNK and chunk:
            rows.append([batch, sheet_key, MERGED_PART, "\n".join(chunk)])
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        rows.append([batch, sheet_key, MERGED_PART, "\n".join(chunk)])
    return rows


class BrokenBase(ValueError):
    """A batch's ``_base`` rows cannot be read (edited by hand): its message says which batch and sheet."""


def cell_text(value: object) -> str:
    """A ``_base`` cell as text whichever reader gave it: a whole number read back as 3.0 is "3"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_digest(rows: list[list]) -> str:
    """One SHA-256 of ``_base`` rows, as any reader gives them back (for the copy a unit's workbook carries)."""
    cells = ([cell_text(v).replace("\t", "") for v in (list(r) + [None] * 4)[:4]] for r in rows)  # an .ods
    # saved by LibreOffice keeps a cell's tabs as <text:tab/>, which readers drop
    text = json.dumps([c for c in cells if any(c)], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_bases(grid: list[list] | None, batches: set[str], sheet_name: str = "_base") -> dict[tuple[str, str], Base]:
    """The ``_base`` sheet, for the given batches only, by (batch, sheet key). ``BrokenBase`` names a batch whose
    rows were edited so that they cannot be read."""
    parts: dict[tuple[str, str], list[tuple[int, str]]] = {}
    merged: dict[tuple[str, str], list[str]] = {}
    for row in (grid or [])[1:]:
        cells = [cell_text(v) for v in list(row) + [""] * 4][:4]
        if cells[0] not in batches:
            continue
        if cells[2] == MERGED_PART:
            merged.setdefault((cells[0], cells[1]), []).append(cells[3])
            continue
        try:
            part = int(float(cells[2]))
        except ValueError:
            continue
        parts.setdefault((cells[0], cells[1]), []).append((part, cells[3]))
    out = {}
    for key, chunks in parts.items():
        chunks.sort()
        if not chunks or chunks[0][0] != 0:
            continue
        try:
            columns = json.loads(chunks[0][1])
            if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
                raise ValueError("not a list of column keys")
        except ValueError:
            raise BrokenBase(f"隐藏工作表“{sheet_name}”中批次 {key[0]} 的“{key[1]}”下发记录（part 0）被改动过，"
                             f"无法读取") from None
        base = Base(columns)
        width = DIGEST_CHARS
        for _, text in chunks[1:]:
            line_width = width * len(columns)
            for line in text.split("\n"):
                rid, tab, packed = line.partition("\t")
                if not tab and len(line) > line_width:  # the tab lost (an .ods): the digests are the fixed-width end
                    rid, packed = line[:-line_width], line[-line_width:]
                if rid:
                    base.cells[rid] = {c: packed[k * width:(k + 1) * width] for k, c in enumerate(columns)}
        for text in merged.get(key, []):  # in the order merged: a later line wins
            for line in text.split("\n"):
                rid, column, cell = (line.split("\t") + ["", ""])[:3]
                if rid and column:
                    base.merged.setdefault(rid, {})[column] = cell
        out[key] = base
    return out


def batch_bases(grid: list[list] | None, batch: str, sheet_name: str = "_base") -> dict[str, Base] | None:
    """The base of one issue batch by sheet key (None when ``grid`` holds none); BrokenBase as read_bases."""
    return {sheet: base for (_, sheet), base in read_bases(grid, {batch}, sheet_name).items()} or None
