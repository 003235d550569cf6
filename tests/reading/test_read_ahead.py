"""A command starts reading its workbook on a thread while it imports what works on it: the clerk must get
exactly what a plain read gives, the file as it is when it is used, and a refusal where the workbook is read."""
from __future__ import annotations

import gc
import zipfile

import pytest
from builders import D, make_book, visit

from zoufang.contract.schema import VISITS
from zoufang.reading import grids
from zoufang.reading.grids import InputError, gc_paused, read_grids, start_reading


def test_a_workbook_read_ahead_is_what_a_plain_read_gives(demo):
    _, path = demo
    start_reading(path)
    ahead = read_grids(path)
    assert not grids._started, "the reading started was taken"
    assert ahead == read_grids(path)


def test_a_workbook_changed_after_the_reading_began_is_read_again(tmp_path):
    """The clerk saves the workbook again between starting a command and its use: the saved one counts."""
    path = tmp_path / "总台账.xlsx"
    make_book(path, visits=[visit("丙馆长", D(2011, 9, 5))])
    start_reading(path)
    _, thread, _ = next(iter(grids._started.values()))
    thread.join()
    make_book(path, visits=[visit("丙馆长", D(2011, 9, 5)), visit("丁馆长", D(2011, 9, 6), head="李四")])
    got, _, _ = read_grids(path)
    assert any("李四" in row for row in got[VISITS.name]), "the workbook as saved last was read"


def test_a_refusal_found_ahead_is_raised_where_the_workbook_is_read(tmp_path):
    path = tmp_path / "far.xlsx"
    make_book(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(b"</sheetData>", b'<row r="9"><c r="XFD9" t="inlineStr"><is><t>x</t></is>'
                                                         b"</c></row></sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    start_reading(path)  # nothing raised on the thread's behalf here
    with pytest.raises(InputError, match="数据范围异常"):
        read_grids(path)
    start_reading(tmp_path / "nowhere.xlsx")
    with pytest.raises(InputError, match="找不到文件"):
        read_grids(tmp_path / "nowhere.xlsx")


def test_the_garbage_collector_is_back_as_it_was_when_the_last_pause_ends():
    was = gc.isenabled()
    try:
        gc.enable()
        with gc_paused():
            with gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()  # a process that turned it off itself keeps it off
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
