"""Merging one authenticated unit workbook into the master (WORKBOOK.md, "What a returned unit workbook may and may not do").

- A row is matched to the master by its record number. The unit may change the
  columns it owns on the rows it owns; a row it may not change (another unit's
  row, a transfer to another unit, a person of another unit on any person column)
  is rejected and the master row stays exactly as it was.
- A contract column missing from the returned sheet (deleted, or renamed beyond
  recognition) leaves the master's column untouched and is reported; without the
  record-number column the sheet is not merged at all.
- Only a row the unit owned and left out of its return counts as deleted.
- Rows without a number are new. Each one added is remembered in the master's
  hidden ``_added`` sheet with the issue it came from, its place among the new
  rows and a digest of its content, so that a corrected copy of the same issued
  workbook updates those rows instead of adding them again (docs/EXCHANGE.md).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from zoufang.contract.schema import (
    ADDED_HEADERS, ADDED_SHEET, DELETED_HEADERS, DELETED_SHEET, ENTRY_SHEETS, ROLE_BUREAU_LEADER, Kind, Owner, Sheet,
)
from zoufang.exchange.record_ids import IdAllocator
from zoufang.reading.dataset import Campaign, SheetData
from zoufang.reading.roster import Roster, owning_units
from zoufang.xlsx.values import cell_value


@dataclass
class RowOutcome:
    """What a file's merge did, for its FileResult."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)

    def reject(self, sheet: str, cell: str | None, reason: str) -> None:
        self.rejected.append({"sheet": sheet, "cell": cell, "reason": reason})

    def note(self, sheet: str, cell: str | None, text: str) -> None:
        self.notes.append({"sheet": sheet, "cell": cell, "note": text})


@dataclass(frozen=True)
class Added:
    """A row once added from a return: where it came from and the number it got."""

    ordinal: int
    typed_id: str
    digest: str
    record_id: str


def export_values(data: SheetData) -> pd.DataFrame:
    """Each contract column's value as it should be written: typed where it parsed, else the clerk's text."""
    out = {}
    for col in data.spec.columns:
        typed = data.frame[col.key]
        text = data.text[col.key]
        if col.kind in (Kind.DATE, Kind.YESNO, Kind.NUMBER, Kind.TARGET):
            keep = typed.astype(object).where(typed.notna(), None)
            out[col.key] = keep.where(keep.notna() | (text == ""), text).where(text != "", None)
        else:
            out[col.key] = text.where(text != "", None)
    return pd.DataFrame(out, index=data.frame.index)


def same_value(a, b) -> bool:
    a, b = cell_value(a), cell_value(b)
    if a in ("", None) and b in ("", None):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def previous_additions(grid: list[list] | None) -> dict[tuple[str, str], list[Added]]:
    """The master's ``_added`` sheet by (issue, sheet key), in the order the rows were added."""
    out: dict[tuple[str, str], list[Added]] = {}
    for row in (grid or [])[1:]:
        cells = [str(v) if v is not None else "" for v in list(row) + [""] * 6][:6]
        issue, sheet, ordinal, typed, digest, record_id = cells
        if issue and sheet and record_id:
            try:
                number = int(float(ordinal))
            except ValueError:
                number = 0
            out.setdefault((issue, sheet), []).append(Added(number, typed, digest, record_id))
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
    deleted_rows: list[list] = field(default_factory=list)  # new rows of 已删除记录
    _views: dict = field(default_factory=dict)

    @classmethod
    def start(cls, campaign: Campaign, editor, now, reserved: set[str]) -> "MergeRun":
        taken = {i for s in ENTRY_SHEETS for i in campaign[s.key].frame[s.id_key] if i}
        taken |= deleted_ids(campaign)  # a deleted record's number is never given to another row
        return cls(campaign, Roster.of(campaign), editor, IdAllocator(taken, reserved - taken), now,
                   previous_additions(campaign.hidden.get(ADDED_SHEET)))

    def view(self, key: str) -> "MasterView":
        if key not in self._views:
            self._views[key] = MasterView.of(self.campaign[key], self.roster)
        return self._views[key]

    def write_logs(self) -> None:
        """Append the run's provenance rows (hidden ``_added``); 已删除记录 is written by the caller's log."""
        if self.added_rows:
            self.editor.append_log(ADDED_SHEET, list(ADDED_HEADERS), self.added_rows, hidden=True)


@dataclass
class MasterView:
    """The master's rows of one sheet as they were read: values, owners, positions."""

    values: dict
    owner: dict
    index: dict  # record number -> frame index
    extras: dict
    rows: dict  # frame index -> Excel row

    @classmethod
    def of(cls, data: SheetData, roster: Roster) -> "MasterView":
        index = {rid: i for i, rid in zip(data.frame.index, data.frame[data.spec.id_key]) if rid}
        return cls(export_values(data).to_dict("index"), owning_units(data, roster).to_dict(), index,
                   data.extras.to_dict("index"), data.frame["_row"].to_dict())


def deleted_ids(campaign: Campaign) -> set[str]:
    """Record numbers of rows moved to 已删除记录."""
    grid = campaign.hidden.get(DELETED_SHEET) or []
    column = list(DELETED_HEADERS).index("编号")
    return {str(r[column]) for r in grid[1:] if len(r) > column and r[column] not in (None, "")}


def _issued_by_sheet(issued: list[list[str]] | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for sheet_key, rid in issued or []:
        out.setdefault(sheet_key, set()).add(rid)
    return out


def merge_unit_book(run: MergeRun, unit_book: Campaign, unit: str, issued: list[list[str]] | None,
                    source: tuple[str, str], outcome: RowOutcome) -> None:
    """Merge every entry sheet of ``unit_book`` (authenticated, of ``unit``) through ``run.editor``."""
    issue_key = unit_book.meta.get("issued_digest", "")
    by_sheet = _issued_by_sheet(issued)
    for spec in ENTRY_SHEETS:
        SheetMerge(run, spec, unit_book[spec.key], unit, issue_key, by_sheet.get(spec.key, set()),
                   source, outcome).run()


class SheetMerge:
    """One returned sheet of one unit, merged row by row."""

    def __init__(self, run: MergeRun, spec: Sheet, theirs: SheetData, unit: str, issue_key: str,
                 issued: set[str], source: tuple[str, str], outcome: RowOutcome):
        self.run_, self.spec, self.theirs, self.unit = run, spec, theirs, unit
        self.issue_key, self.issued, self.source, self.out = issue_key, issued, source, outcome
        self.mine = run.campaign[spec.key]

    # ---------------------------------------------------------------- the sheet
    def run(self) -> None:
        spec, theirs = self.spec, self.theirs
        if not theirs.present:
            self.out.reject(spec.name, None, f"回收表中没有“{spec.name}”工作表：该表未合并，总台账中本单位的这些行保持不变")
            return
        if not theirs.has(spec.id_key):
            label = spec.col(spec.id_key).label
            self.out.reject(spec.name, None, f"“{spec.name}”缺少“{label}”列（或表头被改动），无法与总台账的行对应："
                                             f"该表未合并，总台账保持不变。请恢复“{label}”列后重新发送")
            return
        for col in spec.columns:
            if col.owner is Owner.UNIT and not theirs.has(col.key):
                self.out.reject(spec.name, None, f"“{spec.name}”缺少“{col.label}”列（或表头被改得无法识别）："
                                                 f"该列未合并，总台账中的原值保持不变")
        self.unit_keys = [c.key for c in spec.columns
                          if c.owner is Owner.UNIT and c.key != spec.id_key and theirs.has(c.key)]
        self.office_keys = [c.key for c in spec.columns if c.owner is Owner.OFFICE and theirs.has(c.key)]
        self.view = self.run_.view(spec.key)
        self.values = export_values(theirs).to_dict("index")
        self.owner_complete = all(theirs.has(k) for k in spec.unit_from)
        self.owners = owning_units(theirs, self.run_.roster).to_dict()
        self.people = self._people_of_rows()
        previous = self.run_.previous.get((self.issue_key, spec.key), []) if self.issue_key else []
        self.previous = [a for a in previous if a.record_id in self.view.index]
        self.expected = self.issued | {a.record_id for a in self.previous}
        self.seen: set[str] = set()
        pending = self._match_numbered()
        self._merge_new(pending)
        self._delete_left_out()

    def _match_numbered(self) -> list[tuple[int, str]]:
        """Update rows whose number is in the master; return the rest (index, typed number) as new."""
        pending = []
        ids, rows = self.theirs.frame[self.spec.id_key], self.theirs.frame["_row"]
        for i in self.theirs.frame.index:
            rid = ids[i]
            if rid and rid in self.view.index and rid not in self.seen:
                mi = self.view.index[rid]
                owner = self.view.owner[mi]
                if owner == self.unit or (owner == "" and rid in self.expected):
                    self.seen.add(rid)
                    self._update(i, mi)
                elif rid in self.issued:  # it was theirs when issued: the office has moved it since
                    self.seen.add(rid)
                    self.out.reject(self.spec.name, self.theirs.cell(self.spec.id_key, int(rows[i])),
                                    f"编号 {rid} 在总台账中已属于{owner or '其他单位'}（下发后已移交），未合并")
                else:  # a number typed for a new row that another row already holds
                    pending.append((i, rid))
            else:
                pending.append((i, rid))
        return pending

    # ---------------------------------------------------------------- rows in the master
    def _update(self, i: int, mi: int) -> None:
        row = int(self.theirs.frame.at[i, "_row"])
        owner = self.owners[i] if self.owner_complete else self.view.owner[mi]
        if owner and owner != self.unit:
            self.out.reject(self.spec.name, self.theirs.first_cell(row),
                            f"第 {row} 行改为属于{owner}：单位不能把行移交给其他单位（请联系局活动办公室），"
                            f"未合并，总台账保持原样")
            return
        old = self.view.values[mi]
        changed = {k: self.values[i][k] for k in self.unit_keys if not same_value(self.values[i][k], old[k])}
        if self._foreign_person(i, changed):
            return
        self._note_office_edits(i, old)
        old_extras = self.view.extras.get(mi, {})
        extras = {h: v for h, v in self.theirs.extras.loc[i].items()} if len(self.theirs.extras.columns) else {}
        extra_changed = {h: v for h, v in extras.items() if not same_value(v, old_extras.get(h))}
        if changed or extra_changed:
            self.run_.editor.update(self.mine, int(self.view.rows[mi]), changed, extra_changed)
            self.out.updated += 1
        else:
            self.out.unchanged += 1

    def _note_office_edits(self, i: int, old: dict | None) -> None:
        row = int(self.theirs.frame.at[i, "_row"])
        for key in self.office_keys:
            theirs = self.values[i][key]
            if not same_value(theirs, old[key] if old else None):
                label = self.spec.col(key).label
                self.out.note(self.spec.name, self.theirs.cell(key, row),
                              f"“{label}”由局活动办公室填写，单位的修改未采用")

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

    def _match_resent(self, pending: list[tuple[int, str]]) -> dict[int, str]:
        """Rows of a corrected copy that were added from an earlier copy of the same issued workbook.

        Matched first by identical content, then by the number the clerk typed, then in order.
        """
        left = [a for a in self.previous if self.view.owner[self.view.index[a.record_id]] in (self.unit, "")]
        matched: dict[int, str] = {}
        digests = {i: self._digest(i) for i, _ in pending}
        for test in (lambda i, typed, a: a.digest == digests[i], lambda i, typed, a: bool(typed) and a.typed_id == typed):
            for i, typed in pending:
                if i in matched:
                    continue
                hit = next((a for a in left if test(i, typed, a)), None)
                if hit:
                    matched[i] = hit.record_id
                    left.remove(hit)
        rest = [i for i, _ in pending if i not in matched]
        for i, a in zip(rest, sorted(left, key=lambda a: a.ordinal)):
            matched[i] = a.record_id
        return matched

    def _merge_new(self, pending: list[tuple[int, str]]) -> None:
        resent = self._match_resent(pending) if self.previous else {}
        for ordinal, (i, typed) in enumerate(pending):
            if i in resent and resent[i] not in self.seen:
                self.seen.add(resent[i])
                self._update(i, self.view.index[resent[i]])
            else:
                self._add(i, typed, ordinal)

    def _add(self, i: int, typed: str, ordinal: int) -> None:
        spec, row = self.spec, int(self.theirs.frame.at[i, "_row"])
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
        self._note_office_edits(i, None)
        ids = self.run_.ids
        code = self.run_.roster.unit_codes.get(self.unit, "")
        own_prefix = bool(code) and typed.startswith(f"{code}-")
        rid = typed if own_prefix and ids.claim(typed) else ""
        if not rid:
            if not code:
                self.out.reject(spec.name, self.theirs.first_cell(row),
                                f"{self.unit}在“单位”表中没有单位编码，新增的第 {row} 行无法编号，未合并。"
                                f"请补上单位编码后重新导入这份回收表")
                return
            rid = ids.fresh(code, spec.id_tag)
            if typed:
                why = "已被其他行占用" if own_prefix else f"不是本单位的编号（应以 {code}- 开头）"
                self.out.note(spec.name, self.theirs.cell(spec.id_key, row),
                              f"编号 {typed} {why}，新增的第 {row} 行改编为 {rid}")
        values = {k: self.values[i][k] for k in self.unit_keys}
        extras = {h: v for h, v in self.theirs.extras.loc[i].items()} if len(self.theirs.extras.columns) else {}
        self.run_.editor.append(self.mine, {spec.id_key: rid, **values}, extras)
        self.seen.add(rid)
        self.out.added += 1
        if self.issue_key:
            self.run_.added_rows.append([self.issue_key, spec.key, ordinal, typed, self._digest(i), rid])

    # ---------------------------------------------------------------- rows left out
    def _delete_left_out(self) -> None:
        view, rows = self.view, []
        for rid in sorted(self.expected - self.seen):
            mi = view.index.get(rid)
            if mi is None or view.owner[mi] not in (self.unit, ""):
                continue
            content = {c.label: cell_value(view.values[mi][c.key]) for c in self.spec.columns}
            file_name, sha = self.source
            self.run_.deleted_rows.append([self.run_.now, self.spec.name, rid, self.unit, Path(file_name).name, sha,
                                           json.dumps(content, ensure_ascii=False, default=str)])
            rows.append(int(view.rows[mi]))
        self.run_.editor.delete_rows(self.mine, rows)  # applied at save, after every unit's updates
        self.out.removed += len(rows)
