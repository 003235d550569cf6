"""Merging one authenticated unit workbook into the master: a three-way merge on the issued base.

WORKBOOK.md, "What a returned unit workbook may and may not do" and "A return changes only what
the unit changed"; docs/EXCHANGE.md says how.

- A row is matched to the master by its record number (invisible characters and outer blanks
  aside); a row pasted back without its number is the record the unit left out with the same
  content; a row sent again without its number is the row an earlier copy of the same issued
  workbook added (same content, the number the clerk typed, or the same identity columns).
- A cell is written only where the unit changed it against the base it was issued (or, for a row an
  earlier return added, the content that return brought). A cell both sides changed is a conflict:
  the master keeps the office's value and the result lists both.
- The unit may change the columns it owns on the rows it owns; a row it may not change (another
  unit's row, a transfer to another unit, a person of another unit) is rejected and the master row
  stays exactly as it was. The office's columns — 督办意见, the extra columns the master had when it
  issued, any cell holding a formula — are never written by a return.
- Only a row of the base that the unit left out counts as deleted, and only if the office has not
  changed it since; it moves to 已删除记录 with every column, the office's too.
- Text is written exactly as the clerk typed it; characters a cell cannot hold are removed and
  noted, text longer than a cell holds refuses the row.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from zoufang.contract.schema import (
    ADDED_HEADERS, ADDED_SHEET, BASE_HEADERS, BASE_SHEET, DELETED_HEADERS, DELETED_SHEET, ENTRY_SHEETS, ROLE_BUREAU_LEADER, Kind,
    Owner, Sheet,
)
from zoufang.exchange.base import (
    BLANK, EXTRA, Base, BrokenBase, batch_bases, batch_key, digest_cells, merged_rows,
)
from zoufang.exchange.record_ids import IdAllocator
from zoufang.files.workbook_file import NO_RESULT
from zoufang.reading.dataset import Campaign, SheetData
from zoufang.reading.roster import Roster, owning_units
from zoufang.xlsx.values import CELL_TEXT_LIMIT, ILLEGAL_CHARACTERS_RE, cell_value, value_text


@dataclass
class RowOutcome:
    """What a file's merge did, for its FileResult."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)

    def reject(self, sheet: str, cell: str | None, reason: str) -> None:
        self.rejected.append({"sheet": sheet, "cell": cell, "reason": reason})

    def note(self, sheet: str | None, cell: str | None, text: str) -> None:
        self.notes.append({"sheet": sheet, "cell": cell, "note": text})

    def conflict(self, sheet: str, cell: str | None, record: str, column: str, office, unit, reason: str) -> None:
        """Both sides changed: the master kept the office's value (``cell`` is the master's)."""
        self.conflicts.append({"sheet": sheet, "cell": cell, "record": record, "column": column,
                               "office": value_text(office), "unit": value_text(unit), "reason": reason})


def row_as_text(content: dict) -> str:
    """A deleted row as a clerk reads it: each filled column as 标签：值, dates in Chinese (已删除记录's 原行内容)."""
    from zoufang.contract.periods import cn_date
    parts = []
    for label, value in content.items():
        value = cell_value(value)
        if value is None or value == "":
            continue
        if hasattr(value, "strftime"):
            value = cn_date(value) + (f" {value:%H:%M}" if getattr(value, "hour", 0) or getattr(value, "minute", 0)
                                      else "")
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append(f"{label}：{value}")
    return "；".join(parts)


@dataclass(frozen=True)
class Added:
    """A row once added from a return: where it came from, the number it got, the digests it brought."""

    ordinal: int
    typed_id: str
    digest: str
    record_id: str
    cells: dict | None = None


def export_values(data: SheetData) -> pd.DataFrame:
    """Each contract column's value as it is written: typed where it parsed, else exactly what was typed."""
    out = {}
    for col in data.spec.columns:
        typed = data.frame[col.key]
        text = data.text[col.key]
        raw = data.raw[col.key] if data.raw is not None else text
        if col.kind in (Kind.DATE, Kind.YESNO, Kind.NUMBER, Kind.TARGET):
            keep = typed.astype(object).where(typed.notna(), None)
            out[col.key] = keep.where(keep.notna() | (text == ""), raw).where(text != "", None)
        else:
            out[col.key] = raw.where(text != "", None)
    return pd.DataFrame(out, index=data.frame.index)


def previous_additions(grid: list[list] | None) -> dict[tuple[str, str], list[Added]]:
    """The master's ``_added`` sheet by (issue, sheet key), in the order the rows were added."""
    out: dict[tuple[str, str], list[Added]] = {}
    for row in (grid or [])[1:]:
        cells = [str(v) if v is not None else "" for v in list(row) + [""] * 7][:7]
        issue, sheet, ordinal, typed, digest, record_id, packed = cells
        if issue and sheet and record_id:
            try:
                number = int(float(ordinal))
            except ValueError:
                number = 0
            try:
                digests = json.loads(packed) if packed else None
            except ValueError:
                digests = None
            out.setdefault((issue, sheet), []).append(Added(number, typed, digest, record_id, digests))
    return out


@dataclass
class MergeRun:
    """Everything one collect shares between the units it merges."""

    campaign: Campaign
    roster: Roster
    editor: object
    ids: IdAllocator
    now: object
    previous: dict[tuple[str, str], list[Added]] = field(default_factory=dict)
    added_rows: list[list] = field(default_factory=list)  # new rows of _added
    base_rows: list[list] = field(default_factory=list)  # new rows of _base: the cells returns wrote
    deleted_rows: list[list] = field(default_factory=list)  # new rows of 已删除记录
    gone: set[str] = field(default_factory=set)  # record numbers the master's 已删除记录 holds
    _views: dict = field(default_factory=dict)
    _bases: dict = field(default_factory=dict)

    @classmethod
    def start(cls, campaign: Campaign, editor, now, reserved: set[str]) -> "MergeRun":
        taken = {i for s in ENTRY_SHEETS for i in campaign[s.key].frame[s.id_key] if i}
        gone = deleted_ids(campaign)
        taken |= gone  # a deleted record's number is never given to another row
        return cls(campaign, Roster.of(campaign), editor, IdAllocator(taken, reserved - taken), now,
                   previous_additions(campaign.hidden.get(ADDED_SHEET)), gone=gone)

    def view(self, key: str) -> "MasterView":
        if key not in self._views:
            self._views[key] = MasterView.of(self.campaign[key], self.roster)
        return self._views[key]

    def bases(self, batch: str) -> tuple[dict[str, Base] | None, str]:
        """The issued base of ``batch`` by sheet key, or None and why the master has none."""
        if batch not in self._bases:
            try:
                found = batch_bases(self.campaign.hidden.get(BASE_SHEET), batch, BASE_SHEET)
                why = (f"总台账的隐藏工作表“{BASE_SHEET}”中没有这份工作簿下发时的内容（批次 {batch}）：总台账可能是从"
                       f"这次下发之前的备份恢复的，或“{BASE_SHEET}”中的行被删过") if found is None else ""
            except BrokenBase as exc:
                found, why = None, f"总台账的{exc}"
            self._bases[batch] = (found, why)
        return self._bases[batch]

    def write_logs(self) -> None:
        """Append the run's provenance rows (hidden ``_added``); 已删除记录 is written by the caller's log."""
        if self.added_rows:
            self.editor.append_log(ADDED_SHEET, list(ADDED_HEADERS), self.added_rows, hidden=True)
        if self.base_rows:
            self.editor.append_log(BASE_SHEET, list(BASE_HEADERS), self.base_rows, hidden=True)


@dataclass
class MasterView:
    """The master's rows of one sheet as they were read: values, digests, owners, positions."""

    data: SheetData
    values: dict
    digests: dict
    owner: dict
    index: dict  # record number -> frame index
    extras: dict
    rows: dict  # frame index -> Excel row

    @classmethod
    def of(cls, data: SheetData, roster: Roster) -> "MasterView":
        index = {rid: i for i, rid in zip(data.frame.index, data.frame[data.spec.id_key]) if rid}
        return cls(data, export_values(data).to_dict("index"), digest_cells(data).to_dict("index"),
                   owning_units(data, roster).to_dict(), index, data.extras.to_dict("index"),
                   data.frame["_row"].to_dict())

    def value(self, mi: int, key: str):
        return self.extras.get(mi, {}).get(key[1:]) if key.startswith(EXTRA) else self.values[mi][key]

    def cell(self, mi: int, key: str) -> str | None:
        row = int(self.rows[mi])
        if key.startswith(EXTRA):
            letter = self.data.extra_letters.get(key[1:])
            return f"{letter}{row}" if letter else None
        return self.data.cell(key, row)

    def changed_since(self, mi: int, base: dict[str, str]) -> list[str]:
        """The columns whose master value differs from ``base`` (a column the base lacks was blank)."""
        now = self.digests[mi]
        return [k for k in dict.fromkeys([*base, *now]) if now.get(k, BLANK) != base.get(k, BLANK)]


def deleted_ids(campaign: Campaign) -> set[str]:
    """Record numbers of rows moved to 已删除记录."""
    grid = campaign.hidden.get(DELETED_SHEET) or []
    column = list(DELETED_HEADERS).index("编号")
    return {str(r[column]) for r in grid[1:] if len(r) > column and r[column] not in (None, "")}


def carried_bases(unit_book: Campaign, batch: str) -> dict[str, Base] | None:
    """The base a returned workbook carries in its own hidden ``_base`` (kept only once collect checked its
    ``base_digest``), by sheet key; None without one."""
    try:
        return batch_bases(unit_book.hidden.get(BASE_SHEET), batch, BASE_SHEET)
    except BrokenBase:
        return None


def _issued_by_sheet(issued: list[list[str]] | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for sheet_key, rid in issued or []:
        out.setdefault(sheet_key, set()).add(rid)
    return out


def merge_unit_book(run: MergeRun, unit_book: Campaign, unit: str, issued: list[list[str]] | None,
                    source: tuple[str, str], outcome: RowOutcome) -> None:
    """Merge every entry sheet of ``unit_book`` (authenticated, of ``unit``) through ``run.editor``."""
    issue_key = unit_book.meta.get("issued_digest", "")
    bases, why = run.bases(batch_key(issue_key)) if issue_key else (None, "这份工作簿没有下发记录")
    if bases is None:
        carried = carried_bases(unit_book, batch_key(issue_key)) if issue_key else None
        if carried is not None:
            bases = carried
            outcome.note(None, None, f"{why}。已按这份回收表自带的、经校验码确认的下发内容比较：只采用单位改过的单元格")
        else:
            outcome.note(None, None, f"{why}，这份回收表也没有可确认的下发内容：无法分辨哪些是单位改的，"
                                     f"与总台账不同的单元格都列为冲突（总台账保留原值），单位删除的行也不删除，请核对后决定")
    by_sheet = _issued_by_sheet(issued)
    for spec in ENTRY_SHEETS:
        base = bases.get(spec.key, Base([])) if bases is not None else None
        SheetMerge(run, spec, unit_book[spec.key], unit, issue_key, by_sheet.get(spec.key, set()), base,
                   source, outcome, unit_book.unusable.get(spec.name, {})).run()


class SheetMerge:
    """One returned sheet of one unit, merged row by row against its base."""

    def __init__(self, run: MergeRun, spec: Sheet, theirs: SheetData, unit: str, issue_key: str,
                 issued: set[str], base: Base | None, source: tuple[str, str], outcome: RowOutcome,
                 unusable: dict[str, str] | None = None):
        self.run_, self.spec, self.theirs, self.unit = run, spec, theirs, unit
        self.issue_key, self.source, self.out = issue_key, source, outcome
        self.base = base  # None: issued before bases were kept (two-way against the master)
        self.issued = set(base.cells) if base is not None else issued
        self.written: list[tuple[str, str, str]] = []  # (record, column, digest) this return wrote
        self.mine = run.campaign[spec.key]
        self.unusable_rows: dict[int, list[tuple[str, str]]] = {}  # row -> its cells a reader gives as empty
        for cell, why in sorted((unusable or {}).items(), key=lambda c: (len(c[0]), c[0])):
            self.unusable_rows.setdefault(int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), []).append((cell, why))
        self.unsure_rows: list[int] = []  # rows refused whose record could not be told: no deletion is sure

    # ---------------------------------------------------------------- the sheet
    def run(self) -> None:
        if not self._readable():
            return
        spec, theirs = self.spec, self.theirs
        self.unit_keys = [c.key for c in spec.columns
                          if c.owner is Owner.UNIT and c.key != spec.id_key and theirs.has(c.key)]
        self.office_keys = [c.key for c in spec.columns if c.owner is Owner.OFFICE and theirs.has(c.key)]
        office_extras = self.base.office_extras if self.base is not None else set()
        extras = [EXTRA + str(h) for h in theirs.extras.columns]
        self.office_keys += [k for k in extras if k in office_extras]
        self.writable = self.unit_keys + [k for k in extras if k not in office_extras]
        self.view = self.run_.view(spec.key)
        self.values = export_values(theirs).to_dict("index")
        self.digests = digest_cells(theirs).to_dict("index")
        self.owner_complete = all(theirs.has(k) for k in spec.unit_from)
        self.owners = owning_units(theirs, self.run_.roster).to_dict()
        self.people = self._people_of_rows()
        previous = self.run_.previous.get((self.issue_key, spec.key), []) if self.issue_key else []
        self.previous = [a for a in previous if a.record_id in self.view.index]
        self.seen: set[str] = set()
        self._refuse_unusable_blank_rows()
        pending = self._match_numbered()
        pending = self._match_pasted_back(pending)
        self._merge_new(pending)
        self._delete_left_out()
        self._note_kept_additions()
        if self.base is not None and self.written:
            self.run_.base_rows += merged_rows(batch_key(self.issue_key), self.spec.key, self.written)

    def _readable(self) -> bool:
        spec, theirs = self.spec, self.theirs
        if not theirs.present:
            self.out.reject(spec.name, None, f"回收表中没有“{spec.name}”工作表：该表未合并，总台账中本单位的这些行保持不变")
            return False
        if not theirs.has(spec.id_key):
            label = spec.col(spec.id_key).label
            self.out.reject(spec.name, None, f"“{spec.name}”缺少“{label}”列（或表头被改动），无法与总台账的行对应："
                                             f"该表未合并，总台账保持不变。请恢复“{label}”列后重新发送")
            return False
        for col in spec.columns:
            if col.owner is Owner.UNIT and not theirs.has(col.key):
                self.out.reject(spec.name, None, f"“{spec.name}”缺少“{col.label}”列（或表头被改得无法识别）："
                                                 f"该列未合并，总台账中的原值保持不变")
        return True

    def base_of(self, rid: str) -> dict[str, str]:
        """What the unit was issued for record ``rid`` (two-way: the master as it is)."""
        if self.base is None:
            mi = self.view.index.get(rid)
            return dict(self.view.digests[mi]) if mi is not None else {}
        return self.base.of(rid) or {}

    def last_word(self, rid: str, base: dict[str, str]) -> dict[str, str]:
        """``base`` with the cells earlier returns of the same batch wrote: what the office has not touched."""
        merged = self.base.merged.get(rid) if self.base is not None else None
        return {**base, **merged} if merged else base

    def _match_numbered(self) -> list[tuple[int, str]]:
        """Update rows whose number is in the master; return the rest (index, typed number) as new."""
        pending = []
        expected = self.issued | {a.record_id for a in self.previous}
        added = {a.record_id: a for a in self.previous}
        ids, rows = self.theirs.frame[self.spec.id_key], self.theirs.frame["_row"]
        for i in self.theirs.frame.index:
            rid = ids[i]
            if rid and rid in self.view.index and rid not in self.seen:
                mi = self.view.index[rid]
                owner = self.view.owner[mi]
                if owner == self.unit or (owner == "" and rid in expected):
                    self.seen.add(rid)
                    self._update(i, mi, self._added_base(added[rid]) if rid in added else self.base_of(rid))
                elif rid in self.issued:  # it was theirs when issued: the office has moved it since
                    self.seen.add(rid)
                    self.out.reject(self.spec.name, self.theirs.cell(self.spec.id_key, int(rows[i])),
                                    f"编号 {rid} 在总台账中已属于{owner or '其他单位'}（下发后已移交），未合并")
                else:  # a number typed for a new row that another row already holds
                    pending.append((i, rid))
            elif rid and rid in self.issued and rid not in self.seen:  # issued, deleted from the master since
                self.seen.add(rid)
                self._deleted_since(i, rid)
            else:
                pending.append((i, rid))
        return pending

    def _deleted_since(self, i: int, rid: str) -> None:
        """A record the unit was issued that has left the master since: never brought back; a change to it is listed."""
        base = self.base_of(rid)
        changed = [k for k in self.writable if self.digests[i][k] != base.get(k, BLANK)]
        if changed:
            row = int(self.theirs.frame.at[i, "_row"])
            self.out.conflict(self.spec.name, None, rid, "（整行）", "已删除", "已修改",
                              f"{rid} 下发后已从总台账删除，单位在回收表第 {row} 行又修改了它：未恢复，请核对后决定")

    def _match_pasted_back(self, pending: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Rows without a known number whose content is that of a base record the unit left out (cut and pasted)."""
        left: dict[tuple, list[str]] = {}
        for rid in sorted(self.issued - self.seen):
            mi = self.view.index.get(rid)
            if mi is not None and self.view.owner[mi] in (self.unit, ""):
                base = self.base_of(rid)
                left.setdefault(tuple(base.get(k, BLANK) for k in self.unit_keys), []).append(rid)
        if not left:
            return pending
        rest = []
        for i, typed in pending:
            found = left.get(tuple(self.digests[i][k] for k in self.unit_keys))
            if found:
                rid = found.pop(0)
                self.seen.add(rid)
                self._update(i, self.view.index[rid], self.base_of(rid))
            else:
                rest.append((i, typed))
        return rest

    # ---------------------------------------------------------------- rows in the master
    def _update(self, i: int, mi: int, base: dict[str, str]) -> None:
        """Write the cells the unit changed against ``base`` that the office left as they were."""
        row = int(self.theirs.frame.at[i, "_row"])
        if self._refused_unusable(i, row):
            return
        owner = self.owners[i] if self.owner_complete else self.view.owner[mi]
        if owner and owner != self.unit:
            self.out.reject(self.spec.name, self.theirs.first_cell(row),
                            f"第 {row} 行改为属于{owner}：单位不能把行移交给其他单位（请联系局活动办公室），"
                            f"未合并，总台账保持原样")
            return
        self._note_office_edits(i, base)
        rid = self._record_ids[mi]
        mine, theirs, last = self.view.digests[mi], self.digests[i], self.last_word(rid, base)
        changed = {}
        for key in self.writable:
            unit, was, now = theirs[key], base.get(key, BLANK), mine.get(key, BLANK)
            if unit == was or unit == now:
                continue
            if self.base is None:  # nothing tells whose change this is: the master keeps its value
                self._conflict(i, mi, key, "总台账中没有下发时的内容，无法确认是单位改的")
                continue
            if now != last.get(key, BLANK):
                self._conflict(i, mi, key)
                continue
            changed[key] = self._their_value(i, key)
        if self._foreign_person(i, [k for k in changed if not k.startswith(EXTRA)]) or not self._legal(i, changed):
            return
        written = self._write(int(self.view.rows[mi]), changed, i)
        self.written += [(rid, k, theirs[k]) for k in written]

    def _their_value(self, i: int, key: str):
        return self.theirs.extras.at[i, key[1:]] if key.startswith(EXTRA) else self.values[i][key]

    def _label(self, key: str) -> str:
        return key[1:] if key.startswith(EXTRA) else self.spec.col(key).label

    def _conflict(self, i: int, mi: int, key: str, why: str = "") -> None:
        rid = self._record_ids[mi]
        where = self.theirs.cell(key, int(self.theirs.frame.at[i, "_row"])) if not key.startswith(EXTRA) else None
        label = self._label(key)
        self.out.conflict(self.spec.name, self.view.cell(mi, key), rid, label, self.view.value(mi, key),
                          self._their_value(i, key),
                          f"“{label}”{why or '下发后局活动办公室和单位都改过'}：总台账保留办公室的值，单位的值"
                          f"{'（回收表' + where + '）' if where else ''}未采用，请核对后决定")

    @cached_property
    def _record_ids(self) -> dict:
        return {m: r for r, m in self.view.index.items()}

    def _write(self, row: int, changed: dict, i: int) -> list[str]:
        """Write the changed cells of master row ``row``; returns the keys written (formula cells are not)."""
        if not changed:
            self.out.unchanged += 1
            return []
        values = {k: v for k, v in changed.items() if not k.startswith(EXTRA)}
        extras = {k[1:]: v for k, v in changed.items() if k.startswith(EXTRA)}
        skipped = self.run_.editor.update(self.mine, row, values, extras)
        for key in skipped or ():
            label = key if key in extras else self.spec.col(key).label
            self.out.note(self.spec.name, self.theirs.cell(key, int(self.theirs.frame.at[i, "_row"])) or None,
                          f"总台账中“{label}”第 {row} 行是公式，由局活动办公室维护，单位的修改未采用")
        if len(skipped or ()) < len(changed):
            self.out.updated += 1
        else:
            self.out.unchanged += 1
        skipped = set(skipped or ())
        return [k for k in changed if (k[1:] if k.startswith(EXTRA) else k) not in skipped]

    def _refused_unusable(self, i: int | None, row: int) -> bool:
        """Refuse sheet row ``row`` if a cell of it holds an error value or a formula saved without its result: a
        reader gives such a cell as empty, which would read as the clerk having emptied it (``i``: its record)."""
        bad = self.unusable_rows.get(row)
        if not bad:
            return False
        cell, why = bad[0]
        labels = {self.theirs.cell(c.key, row): c.label for c in self.spec.columns if self.theirs.has(c.key)}
        label = f"“{labels[cell]}”" if cell in labels else ""
        what = ("是公式，但文件中没有它的计算结果（保存前未重新计算）" if why == NO_RESULT
                else f"的值是错误值 {why}（公式算不出结果）")
        more = f"（本行另有 {len(bad) - 1} 处同样的单元格）" if len(bad) > 1 else ""
        self.out.reject(self.spec.name, cell, f"第 {row} 行{label}{cell}{what}{more}：该行未合并，总台账中对应的内容保持不变。"
                                              f"请改成要填的值，在 Excel 或 WPS 中保存后再发回")
        if i is None or not self.theirs.frame.at[i, self.spec.id_key] or \
                self.theirs.cell(self.spec.id_key, row) in {c for c, _ in bad}:
            self.unsure_rows.append(row)
        return True

    def _refuse_unusable_blank_rows(self) -> None:
        """Rows that read as blank only because their cells are errors or result-less formulas: refused and listed."""
        records = set(int(r) for r in self.theirs.frame["_row"])
        for row in sorted(self.unusable_rows):
            if row not in records and row > 1:
                self._refused_unusable(None, row)

    def _legal(self, i: int, changed: dict) -> bool:
        """Characters a cell cannot hold are removed (noted); text too long for a cell refuses the row."""
        row = int(self.theirs.frame.at[i, "_row"])
        for key, value in changed.items():
            if not isinstance(value, str):
                continue
            where = self.theirs.cell(key, row) if not key.startswith(EXTRA) else self.theirs.first_cell(row)
            if ILLEGAL_CHARACTERS_RE.search(value):
                changed[key] = value = ILLEGAL_CHARACTERS_RE.sub("", value)
                self.out.note(self.spec.name, where, f"“{self._label(key)}”中有 Excel 单元格不能保存的控制字符，已去掉")
            if len(value) > CELL_TEXT_LIMIT:
                self.out.reject(self.spec.name, where,
                                f"第 {row} 行“{self._label(key)}”有 {len(value)} 个字，超过 Excel 单元格的上限 "
                                f"{CELL_TEXT_LIMIT}：该行未合并，请精简后重新发送")
                return False
        return True

    def _note_office_edits(self, i: int, base: dict[str, str]) -> None:
        row = int(self.theirs.frame.at[i, "_row"])
        for key in self.office_keys:
            if self.digests[i][key] != base.get(key, BLANK):
                where = self.theirs.cell(key, row) if not key.startswith(EXTRA) else self.theirs.first_cell(row)
                self.out.note(self.spec.name, where, f"“{self._label(key)}”由局活动办公室填写，单位的修改未采用")

    def _people_of_rows(self) -> dict[str, pd.DataFrame]:
        """For each person column present: the roster person of each row, with unit and role."""
        roster = self.run_.roster
        units = dict(zip(roster.people["person_id"], roster.people["unit"]))
        roles = dict(zip(roster.people["person_id"], roster.people["category"]))
        out = {}
        for col in self.spec.columns:
            if col.kind is Kind.PERSON and self.theirs.has(col.key):
                found = roster.resolve(self.theirs, col.key)
                out[col.key] = pd.DataFrame({"unit": found["person_id"].map(units).fillna(""),
                                             "role": found["person_id"].map(roles).fillna("")})
        return out

    def _foreign_person(self, i: int, keys) -> bool:
        """Reject the row if one of ``keys`` names a person of another unit (bureau leaders where allowed)."""
        row = int(self.theirs.frame.at[i, "_row"])
        for key in keys:
            if key not in self.people:
                continue
            unit, role = self.people[key].at[i, "unit"], self.people[key].at[i, "role"]
            col = self.spec.col(key)
            if not unit or unit == self.unit or (col.bureau_leaders_ok and role == ROLE_BUREAU_LEADER):
                continue
            name = self.theirs.frame.at[i, key]
            self.out.reject(self.spec.name, self.theirs.cell(key, row),
                            f"第 {row} 行“{col.label}”{name}是{unit}的人员：单位只能登记本单位人员"
                            f"{'（分包、包案可写局领导）' if col.bureau_leaders_ok else ''}，未合并，总台账保持原样")
            return True
        return False

    # ---------------------------------------------------------------- new rows
    def _digest(self, i: int) -> str:
        text = [self.theirs.text.at[i, k] for k in self.unit_keys]
        return hashlib.sha256(json.dumps(text, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]

    def _added_base(self, added: Added) -> dict[str, str]:
        """What an earlier return added for this row (its digests), else the master as it is."""
        if added.cells is not None:
            return added.cells
        return dict(self.view.digests[self.view.index[added.record_id]])

    def _same_identity(self, i: int, added: Added) -> bool:
        keys = [k for k in self.spec.identity if k in self.unit_keys]
        if not keys or any(self.theirs.text.at[i, k] == "" for k in keys):
            return False
        was = self._added_base(added)
        return all(self.digests[i][k] == was.get(k, BLANK) for k in keys)

    def _match_resent(self, pending: list[tuple[int, str]]) -> dict[int, Added]:
        """Rows of a later copy that an earlier copy of the same issued workbook added.

        Matched by identical content, then by the number the clerk typed, then by the sheet's identity
        columns (a corrected row); a row of another copy edited apart matches none and is new.
        """
        left = [a for a in self.previous if a.record_id not in self.seen
                and self.view.owner[self.view.index[a.record_id]] in (self.unit, "")]
        matched: dict[int, Added] = {}
        digests = {i: self._digest(i) for i, _ in pending}
        tests = (lambda i, typed, a: a.digest == digests[i], lambda i, typed, a: bool(typed) and a.typed_id == typed,
                 lambda i, typed, a: self._same_identity(i, a))
        for test in tests:
            for i, typed in pending:
                if i in matched:
                    continue
                hit = next((a for a in left if test(i, typed, a)), None)
                if hit:
                    matched[i] = hit
                    left.remove(hit)
        return matched

    def _merge_new(self, pending: list[tuple[int, str]]) -> None:
        resent = self._match_resent(pending) if self.previous else {}
        for ordinal, (i, typed) in enumerate(pending):
            if i in resent:
                self.seen.add(resent[i].record_id)
                self._update(i, self.view.index[resent[i].record_id], self._added_base(resent[i]))
            else:
                self._add(i, typed, ordinal)

    def _add(self, i: int, typed: str, ordinal: int) -> None:
        spec, row = self.spec, int(self.theirs.frame.at[i, "_row"])
        if self._refused_unusable(i, row):
            return
        owner = self.owners[i]
        if owner and owner != self.unit:
            self.out.reject(spec.name, self.theirs.first_cell(row), f"第 {row} 行属于{owner}，不由{self.unit}报送，未合并")
            return
        if not self.owner_complete and owner != self.unit:
            self.out.reject(spec.name, self.theirs.first_cell(row),
                            f"第 {row} 行是新增的行，但表中缺少确定其所属单位的列，无法确认属于{self.unit}，未合并")
            return
        if self._foreign_person(i, self.people):
            return
        self._note_office_edits(i, {})
        values = {k: self.values[i][k] for k in self.writable if not k.startswith(EXTRA)}
        values |= {k: self._their_value(i, k) for k in self.writable if k.startswith(EXTRA)}
        if not self._legal(i, values):
            return
        rid = self._number(i, typed, row)
        if not rid:
            return
        self.run_.editor.append(self.mine, {spec.id_key: rid, **{k: v for k, v in values.items() if not k.startswith(EXTRA)}},
                                {k[1:]: v for k, v in values.items() if k.startswith(EXTRA)})
        self.seen.add(rid)
        self.out.added += 1
        if self.issue_key:
            cells = {k: self.digests[i][k] for k in self.writable}
            self.run_.added_rows.append([self.issue_key, spec.key, ordinal, typed, self._digest(i), rid,
                                         json.dumps(cells, ensure_ascii=False)])

    def _number(self, i: int, typed: str, row: int) -> str:
        """The record number of a new row: the one the clerk typed if it is the unit's and free, else a new one."""
        spec, ids = self.spec, self.run_.ids
        code = self.run_.roster.unit_codes.get(self.unit, "")
        own_prefix = bool(code) and typed.startswith(f"{code}-")
        if own_prefix and ids.claim(typed):
            return typed
        if not code:
            self.out.reject(spec.name, self.theirs.first_cell(row),
                            f"{self.unit}在“单位”表中没有单位编码，新增的第 {row} 行无法编号，未合并。"
                            f"请补上单位编码后重新导入这份回收表")
            return ""
        rid = ids.fresh(code, spec.id_tag)
        if typed:
            why = "已被其他行占用" if own_prefix else f"不是本单位的编号（应以 {code}- 开头）"
            self.out.note(spec.name, self.theirs.cell(spec.id_key, row), f"编号 {typed} {why}，新增的第 {row} 行改编为 {rid}")
        return rid

    # ---------------------------------------------------------------- rows left out
    def _delete_left_out(self) -> None:
        """A base record the unit left out is deleted, unless the office changed it since issue (a conflict)."""
        view, rows = self.view, []
        for rid in sorted(self.issued - self.seen):
            mi = view.index.get(rid)
            if mi is None:
                if rid not in self.run_.gone:  # not deleted by the office either: renumbered since issue
                    self.out.conflict(self.spec.name, None, rid, "（整行）", "没有这个编号", "删除",
                                      f"单位删除了 {rid}，但总台账中已没有这个编号（下发后被改过编号）：没有删除任何行，"
                                      f"请在总台账中找到这条记录，核对后决定")
                continue
            if view.owner[mi] not in (self.unit, ""):
                self.out.conflict(self.spec.name, view.data.first_cell(int(view.rows[mi])), rid, "（整行）",
                                  f"已属于{view.owner[mi]}", "删除",
                                  f"单位删除了 {rid}，但下发后它已移交{view.owner[mi]}：未删除，请核对后决定")
                continue
            if self.unsure_rows or self.base is None:
                why = (f"回收表第 {'、'.join(map(str, self.unsure_rows[:5]))} 行有读不出的单元格，无法确认这条记录是否还在"
                       if self.unsure_rows else "总台账中没有这份工作簿下发时的内容，无法确认删除的是下发时的记录")
                self.out.conflict(self.spec.name, view.data.first_cell(int(view.rows[mi])), rid, "（整行）", "保留",
                                  "删除", f"单位的回收表中没有 {rid}，但{why}：未删除，请核对后决定")
                continue
            changed = view.changed_since(mi, self.last_word(rid, self.base_of(rid)))
            if changed:
                labels = "、".join(self._label(k) for k in changed)
                self.out.conflict(self.spec.name, view.data.first_cell(int(view.rows[mi])), rid, "（整行）", "保留",
                                  "删除", f"单位删除了 {rid}，但下发后局活动办公室改过它的“{labels}”：未删除，请核对后决定")
                continue
            content = {c.label: cell_value(view.values[mi][c.key]) for c in self.spec.columns}
            content |= {str(h): cell_value(v) for h, v in view.extras.get(mi, {}).items()}
            file_name, sha = self.source
            self.run_.deleted_rows.append([self.run_.now, self.spec.name, rid, self.unit, Path(file_name).name, sha,
                                           row_as_text(content)])
            rows.append(int(view.rows[mi]))
        self.run_.editor.delete_rows(self.mine, rows)  # applied at save, after every unit's updates
        self.out.removed += len(rows)

    def _note_kept_additions(self) -> None:
        """Rows an earlier copy of the same issued workbook added, which this copy lacks: kept, and said."""
        for a in self.previous:
            if a.record_id not in self.seen:
                mi = self.view.index[a.record_id]
                self.out.note(self.spec.name, self.view.data.first_cell(int(self.view.rows[mi])),
                              f"{a.record_id} 是此前发回的同一份工作簿新增的行，这份回收表中没有它：保留未删除"
                              f"（如确需删除，请在总台账中删除）")
