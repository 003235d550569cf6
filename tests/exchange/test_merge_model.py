"""The three-way merge against a reference written here: random office edits, issue rounds, unit copies
edited apart (change, add, delete, sort, cut and paste) and returned in any order. After every collect
each cell of the master is what the reference says — the office's value, the unit's, or a listed conflict."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from builders import D, make_book, set_core_time, visit
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue

HEADERS = ("记录编号", "走访日期", "走访人", "人员编号", "走访对象", "对象类别", "地址", "走访形式", "反映问题", "问题编号", "备注")
EDITABLE = ("地址", "备注", "走访对象")
WORDS = ("甲", "乙", "丙")
PERSON = "丙馆长"  # of 市图书馆


def content(row: dict) -> tuple:
    """A row's unit columns (what identifies a row pasted back or sent again)."""
    return tuple("" if row.get(h) is None else str(row[h]) for h in HEADERS[1:])


@dataclass
class Round:
    path: Path
    base: dict  # record -> row as issued
    word: dict = field(default_factory=dict)  # record -> {column: value} the round's returns wrote
    added: list = field(default_factory=list)  # [record, row as added] from the round's returns


@dataclass
class Copy:
    path: Path
    round: int
    saved: dt.datetime


class MergeModel(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        import tempfile
        self.dir = Path(tempfile.mkdtemp(prefix="merge-model-"))
        self.clock = dt.datetime.now().astimezone() - dt.timedelta(hours=5)
        self.master = self.dir / "总台账.xlsx"
        make_book(self.master, visits=[visit(PERSON, D(2011, 9, 5 + i), head=f"户{i}", address=f"庞庄村{i}号")
                                       for i in range(4)] + [visit("丁馆长", D(2011, 9, 6), head="博户")])
        self.rounds: list[Round] = []
        self.copies: list[Copy] = []
        self.merged_hashes: set[str] = set()
        self.last_merged: dt.datetime | None = None
        self.counter = 0
        self._issue()
        self.ref = dict(self.rounds[0].base)

    def teardown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---------------------------------------------------------------- helpers
    def tick(self) -> dt.datetime:
        self.clock += dt.timedelta(minutes=1)
        return self.clock

    def _issue(self) -> None:
        out = self.dir / f"round{len(self.rounds)}"
        path = {i.unit: i.path for i in issue(self.master, out, now=self.tick())}["市图书馆"]
        self.rounds.append(Round(path, {r["记录编号"]: r for r in rows_of(path)}))

    def master_rows(self) -> dict:
        return {r["记录编号"]: r for r in rows_of(self.master) if r["走访人"] == PERSON}

    # ---------------------------------------------------------------- the office
    @precondition(lambda self: self.ref)
    @rule(data=st.data(), column=st.sampled_from(EDITABLE[:2]), value=st.sampled_from(WORDS))
    def office_edits(self, data, column, value):
        rid = data.draw(st.sampled_from(sorted(self.ref)))
        edit_rows(self.master, lambda rows: [dict(r, **({column: value} if r["记录编号"] == rid else {})) for r in rows])
        self.ref[rid] = dict(self.ref[rid], **{column: value})

    @precondition(lambda self: len(self.rounds) < 3)
    @rule()
    def office_issues_again(self):
        self._issue()
        assert set(self.rounds[-1].base) == set(self.ref)

    # ---------------------------------------------------------------- the unit's clerk
    @rule(data=st.data())
    def clerk_copies(self, data):
        r = data.draw(st.integers(0, len(self.rounds) - 1))
        path = self.dir / f"copy{len(self.copies)}.xlsx"
        shutil.copy(self.rounds[r].path, path)
        copy = Copy(path, r, self.tick())
        set_core_time(path, copy.saved)  # as if saved now on the model's clock
        self.copies.append(copy)

    def _save(self, copy: Copy, change) -> None:
        edit_rows(copy.path, change)
        copy.saved = self.tick()
        set_core_time(copy.path, copy.saved)

    @precondition(lambda self: self.copies)
    @rule(data=st.data(), column=st.sampled_from(EDITABLE), value=st.sampled_from(WORDS))
    def clerk_changes(self, data, column, value):
        copy = data.draw(st.sampled_from(self.copies))
        rows = rows_of(copy.path)
        if rows:
            k = data.draw(st.integers(0, len(rows) - 1))
            self._save(copy, lambda rows: [dict(r, **({column: value} if j == k else {})) for j, r in enumerate(rows)])

    @precondition(lambda self: self.copies)
    @rule(data=st.data())
    def clerk_adds(self, data):
        copy = data.draw(st.sampled_from(self.copies))
        self.counter += 1
        row = {"记录编号": None, "走访日期": dt.datetime(2011, 10, 1), "走访人": PERSON, "走访对象": f"新户{self.counter}",
               "对象类别": "困难户", "地址": f"新址{self.counter}", "走访形式": "入户走访"}
        self._save(copy, lambda rows: rows + [row])

    @precondition(lambda self: self.copies)
    @rule(data=st.data(), how=st.sampled_from(["delete", "cut_paste", "sort"]))
    def clerk_moves_rows(self, data, how):
        copy = data.draw(st.sampled_from(self.copies))
        rows = rows_of(copy.path)
        if not rows:
            return
        k = data.draw(st.integers(0, len(rows) - 1))
        if how == "delete":
            self._save(copy, lambda rows: rows[:k] + rows[k + 1:])
        elif how == "cut_paste":
            self._save(copy, lambda rows: rows[:k] + rows[k + 1:] + [dict(rows[k], 记录编号=None)])
        else:
            self._save(copy, lambda rows: sorted(rows, key=lambda r: str(r["地址"]), reverse=True))

    # ---------------------------------------------------------------- the return, and the reference merge
    @precondition(lambda self: self.copies)
    @rule(data=st.data())
    def clerk_returns(self, data):
        copy = data.draw(st.sampled_from(self.copies))
        sha = hashlib.sha256(copy.path.read_bytes()).hexdigest()
        result = collect(self.master, [copy.path]).files[0]
        if sha in self.merged_hashes:
            assert result.status == "duplicate"
            return
        if self.last_merged and copy.saved < self.last_merged:
            assert result.status == "superseded"
            return
        assert result.status == "merged", result
        if result.changed:  # a collect that changes nothing leaves no trace, not even in 导入记录
            self.merged_hashes.add(sha)
            self.last_merged = copy.saved
        expected_conflicts = self.reference_merge(self.rounds[copy.round], rows_of(copy.path))
        assert len(result.conflicts) == expected_conflicts, (result.conflicts, expected_conflicts)

    def reference_merge(self, rnd: Round, rows: list[dict]) -> int:
        conflicts, seen = 0, set()
        added_ids = {rid: row for rid, row in rnd.added}
        pending = []
        for row in rows:
            rid = row["记录编号"]
            if rid in self.ref and rid not in seen:
                seen.add(rid)
                conflicts += self.update(rnd, rid, row, added_ids.get(rid) or rnd.base.get(rid, {}))
            elif rid in rnd.base and rid not in seen:  # deleted from the master since issue
                seen.add(rid)
                conflicts += content(row) != content(rnd.base[rid])
            else:
                pending.append(row)
        left = {}
        for rid in sorted(set(rnd.base) - seen):
            if rid in self.ref:
                left.setdefault(content(rnd.base[rid]), []).append(rid)
        rest = []
        for row in pending:  # pasted back without a number
            if left.get(content(row)):
                rid = left[content(row)].pop(0)
                seen.add(rid)
                conflicts += self.update(rnd, rid, row, rnd.base[rid])
            else:
                rest.append(row)
        conflicts += self.resent_or_new(rnd, rest, seen)
        for rid in sorted(set(rnd.base) - seen):
            if rid in self.ref:
                last = {**rnd.base[rid], **rnd.word.get(rid, {})}
                if all(str(self.ref[rid].get(h)) == str(last.get(h)) for h in EDITABLE):
                    del self.ref[rid]
                else:
                    conflicts += 1
        return conflicts

    def resent_or_new(self, rnd: Round, rows: list[dict], seen: set) -> int:
        conflicts = 0
        left = [(rid, row) for rid, row in rnd.added if rid in self.ref and rid not in seen]
        matched = {}
        for test in (lambda row, was: content(row) == content(was), lambda row, was: row["走访对象"] == was["走访对象"]):
            for k, row in enumerate(rows):
                if k in matched:
                    continue
                hit = next(((rid, was) for rid, was in left if test(row, was)), None)
                if hit:
                    matched[k] = hit
                    left.remove(hit)
        for k, row in enumerate(rows):
            if k in matched:
                rid, was = matched[k]
                seen.add(rid)
                conflicts += self.update(rnd, rid, row, was)
        new = [row for k, row in enumerate(rows) if k not in matched]
        if new:
            fresh = {}
            for rid, r in self.master_rows().items():
                if rid not in self.ref:  # the master's rows the reference does not know yet: the new ones
                    fresh.setdefault(content(r), []).append(rid)
            for row in new:
                rid = fresh[content(row)].pop(0)
                self.ref[rid] = {h: row.get(h) for h in EDITABLE}
                rnd.added.append((rid, dict(row, 记录编号=rid)))
        return conflicts

    def update(self, rnd: Round, rid: str, row: dict, base: dict) -> int:
        conflicts = 0
        for h in EDITABLE:
            unit, was, now = str(row.get(h)), str(base.get(h)), str(self.ref[rid].get(h))
            last = str({**base, **rnd.word.get(rid, {})}.get(h))
            if unit in (was, now):
                continue
            if now != last:
                conflicts += 1
                continue
            self.ref[rid] = dict(self.ref[rid], **{h: row.get(h)})
            rnd.word.setdefault(rid, {})[h] = row.get(h)
        return conflicts

    @invariant()
    def every_cell_is_what_the_reference_says(self):
        if not hasattr(self, "ref"):
            return
        got = {rid: {h: r.get(h) for h in EDITABLE} for rid, r in self.master_rows().items()}
        want = {rid: {h: r.get(h) for h in EDITABLE} for rid, r in self.ref.items()}
        assert got == want


def rows_of(path: Path) -> list[dict]:
    """The 走访记录 rows of a workbook, by header."""
    ws = openpyxl.load_workbook(path)["走访记录"]
    headers = [c.value for c in ws[1]]
    rows = [dict(zip(headers, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    return [r for r in rows if any(v not in (None, "") for v in r.values())]


def edit_rows(path: Path, change) -> None:
    """Rewrite 走访记录's data rows through ``change(rows) -> rows`` (as a clerk edits, sorts and pastes)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["走访记录"]
    headers = [c.value for c in ws[1]]
    rows = [dict(zip(headers, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    rows = [r for r in rows if any(v not in (None, "") for v in r.values())]
    new = change(rows)
    ws.delete_rows(2, ws.max_row)
    for r, row in enumerate(new, start=2):
        for c, h in enumerate(headers, start=1):
            ws.cell(r, c).value = row.get(h)
    wb.save(path)


MergeModel.TestCase.settings = settings(max_examples=12, stateful_step_count=14, deadline=None,
                                        suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
test_the_merge_matches_the_reference = MergeModel.TestCase
