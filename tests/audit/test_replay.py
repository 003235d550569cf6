"""Replaying the log from the first master reproduces every cell of the last one (#43): whatever mix of units'
returns and the office's own edits happened, the log holds every change, in order, old → new."""
import datetime as dt
import random
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_receipts import ID_HEADERS, header_col, shown

from zoufang.audit.trail import read_entries
from zoufang.audit.verify import verify as check_log
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.exchange.secret_key import load_secret
from zoufang.jobs import create_master

UNITS = ("市图书馆", "市博物馆", "市豫剧团")


def verify(master: Path):
    """The log of ``master`` checked with its own key, as `zoufang audit` does."""
    return check_log(master, load_secret(master))


def cells(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    """sheet → record number → header → text, filled cells of the sheets with numbers (read with openpyxl)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for name, id_header in ID_HEADERS.items():
        rows = wb[name].iter_rows(values_only=True)
        heads = [str(h) if h is not None else "" for h in next(rows)]
        at = heads.index(id_header)
        out[name] = {str(r[at]): {h: shown(v) for h, v in zip(heads, r) if h and shown(v)}
                     for r in rows if at < len(r) and r[at]}
    return out


def replay(first: dict, entries: list[dict]) -> dict:
    state = {s: {r: dict(c) for r, c in recs.items()} for s, recs in first.items()}
    for entry in entries:
        for ch in entry["changes"]:
            if ch["decision"] in ("conflict kept", "refused") or ch["sheet"] not in state:
                continue
            record = state[ch["sheet"]].setdefault(ch["record"], {})
            assert record.get(ch["column"], "") == ch["old"], ch  # each change starts where the last one left it
            record[ch["column"]] = ch["new"]
    return {s: {r: {k: v for k, v in c.items() if v} for r, c in recs.items() if any(c.values())}
            for s, recs in state.items()}


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replay")
    master = folder / "总台账.xlsx"
    create_master(master, demo=True, clean=True)
    books = {i.unit: i.path for i in issue(master, folder / "下发")}
    return folder, master, books


def unit_edit(path: Path, rng: random.Random) -> None:
    """A unit's clerk: changes an address, deletes a visit, adds one."""
    wb = openpyxl.load_workbook(path)
    ws = wb["走访记录"]
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, header_col(ws, "记录编号")).value]
    ws.cell(rng.choice(rows), header_col(ws, "地址")).value = f"新地址{rng.randrange(1000)}号"
    ws.delete_rows(rng.choice(rows[1:]))
    person, pid = ws.cell(2, header_col(ws, "走访人")).value, ws.cell(2, header_col(ws, "人员编号")).value
    r = ws.max_row + 1
    for label, value in (("走访日期", dt.datetime(2012, 1, 3)), ("走访人", person), ("人员编号", pid),
                         ("走访对象", f"户主{rng.randrange(1000)}"), ("对象类别", "困难户"), ("地址", "新村"),
                         ("走访形式", "入户走访")):
        ws.cell(r, header_col(ws, label)).value = value
    wb.save(path)


def office_edit(master: Path, rng: random.Random) -> None:
    """The office types in the master itself (Excel, here openpyxl): a 督办意见 and a 办理进展."""
    wb = openpyxl.load_workbook(master)
    ws = wb["问题台账"]
    for header in ("督办意见", "办理进展"):
        ws.cell(rng.randrange(2, ws.max_row + 1), header_col(ws, header)).value = f"办公室{rng.randrange(1000)}"
    wb.save(master)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["unit", "office"]), st.sampled_from(UNITS),
                                st.integers(0, 10_000)), min_size=2, max_size=4))
def test_replaying_the_log_gives_the_last_master(issued, tmp_path_factory, steps):
    folder, master, books = issued
    work = tmp_path_factory.mktemp("run")
    for item in folder.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, work / item.name)
    here = work / master.name
    first = cells(here)
    start = len(read_entries(here))
    for k, (who, unit, seed) in enumerate(steps):
        rng = random.Random(seed)
        if who == "office":
            office_edit(here, rng)
            continue
        back = work / "回收" / f"{k}-{unit}.xlsx"
        back.parent.mkdir(exist_ok=True)
        shutil.copy(books[unit], back)
        unit_edit(back, rng)
        collect(here, [back])
    collect(here, [])  # a last command: logs an office edit made after the last collect
    assert verify(here).intact, verify(here).line()
    assert replay(first, read_entries(here)[start:]) == cells(here)
