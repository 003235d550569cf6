"""A large sheet is read in pieces on several cores: every cell must come back where a whole read puts it.

The office's master grows to hundreds of thousands of visits; zoufang cuts the sheet between rows and reads the
pieces at once. These tests cut every sheet (the size limit lowered) of real files — written by zoufang, by
openpyxl as a clerk's own tool would, saved by LibreOffice — and of hand-made sheet XML that could fool a cut,
and compare each grid with python-calamine's whole read of the same file.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
import python_calamine as calamine

from zoufang.contract.schema import PEOPLE, VISITS
from zoufang.reading import sheet_pieces
from zoufang.reading.grids import read_grids


@pytest.fixture
def cut_everything(monkeypatch):
    """Every sheet large enough to cut, on four cores; count the sheets actually read in pieces."""
    monkeypatch.setattr(sheet_pieces, "CUT_FROM", 1)
    monkeypatch.setattr(sheet_pieces, "CORES", 4)
    cut: list[str] = []
    real = sheet_pieces.read_in_pieces

    def counting(z, part, xml, sheet):
        grid = real(z, part, xml, sheet)
        if grid is not None:
            cut.append(sheet)
        return grid
    monkeypatch.setattr("zoufang.reading.grids.read_in_pieces", counting)
    return cut


def whole(path: Path, names) -> dict:
    book = calamine.CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names}


def assert_same_as_whole(path: Path) -> dict:
    grids, _, _ = read_grids(path)
    assert grids == whole(path, grids), path.name
    return grids


def test_the_demo_master_read_in_pieces_is_the_master_read_whole(demo, cut_everything):
    _, path = demo
    grids = assert_same_as_whole(path)
    assert VISITS.name in cut_everything and PEOPLE.name in cut_everything  # shared strings, dates, numbers
    assert len(grids[VISITS.name]) > 2000


def test_a_book_written_by_another_tool_read_in_pieces_is_the_book_read_whole(tmp_path, cut_everything):
    """openpyxl writes inline strings and no cell styles for text; dates typed as text and as dates, a clerk's own
    column, blank rows between the entries."""
    import datetime as dt

    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(VISITS.name)
    ws.append([c.label for c in VISITS.columns] + ["办公室备注"])
    for i in range(3000):
        row = [f"V{i}", dt.date(2011, 9, 1) + dt.timedelta(days=i % 120) if i % 2 else f"2011/9/{i % 28 + 1}",
               f"人{i % 50}", None, "张三", "困难户", f"清河路{i}号", "入户走访", "", "", i * 1.5]
        ws.append(row + (["已核"] if i % 3 == 0 else []))
        if i % 50 == 49:
            ws.append([])
    wb.save(tmp_path / "typed.xlsx")
    assert_same_as_whole(tmp_path / "typed.xlsx")
    assert cut_everything == [VISITS.name]


def test_a_book_saved_by_libreoffice_read_in_pieces_is_the_book_read_whole(demo, tmp_path, cut_everything,
                                                                          needs_libreoffice):
    from zoufang.files.libreoffice import convert_many
    _, path = demo
    src = tmp_path / "src" / "master.xlsx"
    src.parent.mkdir()
    shutil.copy(path, src)
    saved = convert_many([src], "xlsx", tmp_path / "lo")[0]
    assert_same_as_whole(saved)
    assert VISITS.name in cut_everything


def rows_xml(first: int, count: int, column: str = "A", width: int = 3) -> bytes:
    cols = [chr(ord(column) + k) for k in range(width)]
    return b"".join(
        f'<row r="{r}">'.encode() + b"".join(f'<c r="{c}{r}" t="inlineStr"><is><t>{c}{r}</t></is></c>'.encode()
                                             for c in cols) + b"</row>"
        for r in range(first, first + count))


def book_with_sheet_data(tmp_path: Path, name: str, sheet_data: bytes) -> Path:
    """An openpyxl workbook whose 走访记录 sheet holds ``sheet_data`` (the XML between <sheetData> tags)."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.title = VISITS.name
    wb.active["A1"] = "x"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    path = tmp_path / name
    with zipfile.ZipFile(plain) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", lambda m: b"<sheetData>" + sheet_data +
                              b"</sheetData>", data, flags=re.S)
                data = re.sub(rb'<dimension ref="[^"]*"/>', b"", data)
            out.writestr(info.filename, data)
    return path


@pytest.mark.parametrize("case", [
    "blank rows at the cut",  # a blank row before every row: each piece starts below the last one's end
    "second half further right",  # the second piece's data starts in column D: left blank as in a whole read
    "second half wider",  # a far column only below: the first piece's rows widen to it
    "first half empty",  # nothing above the cut but a row without values
    "rows after the cut without numbers",  # placed by counting from the row before them, in the same piece
])
def test_every_cell_keeps_its_row_and_column_whatever_the_rows_around_a_cut(tmp_path, cut_everything, case):
    data = {
        "blank rows at the cut": b"".join(rows_xml(1 + 4 * k, 1) for k in range(80)),
        "second half further right": rows_xml(1, 40) + rows_xml(41, 60, column="D"),
        "second half wider": rows_xml(1, 40) + rows_xml(41, 40, width=8),
        "first half empty": b'<row r="1"/>' * 1 + rows_xml(30, 80),
        "rows after the cut without numbers": rows_xml(1, 40) + b"".join(
            b'<row><c t="inlineStr"><is><t>n</t></is></c></row>' if k % 3 else rows_xml(41 + k, 1)
            for k in range(60)),
    }[case]
    book = book_with_sheet_data(tmp_path, "cut.xlsx", data)
    grids = assert_same_as_whole(book)
    assert cut_everything == [VISITS.name], "the sheet was read in pieces"
    assert grids[VISITS.name]


@pytest.mark.parametrize("case", [
    "a comment in the rows",  # could hide a row tag: read whole
    "CDATA in a cell",
    "rows out of order",  # a later piece starts above the end of the first: read whole
    "cut rows without numbers",  # every row placed by counting: only a whole read places them
])
def test_a_sheet_that_could_fool_a_cut_is_read_whole(tmp_path, cut_everything, case):
    data = {
        "a comment in the rows": rows_xml(1, 40) + b'<!-- <row r="5"> -->' + rows_xml(41, 40),
        "CDATA in a cell": rows_xml(1, 40) + b'<row r="41"><c r="A41" t="inlineStr"><is><t><![CDATA[<row r="2">]]>'
                                             b"</t></is></c></row>" + rows_xml(42, 40),
        "rows out of order": rows_xml(200, 60) + rows_xml(1, 60),
        "cut rows without numbers": b"".join(b'<row><c t="inlineStr"><is><t>n</t></is></c></row>' for _ in range(120)),
    }[case]
    book = book_with_sheet_data(tmp_path, "fool.xlsx", data)
    assert_same_as_whole(book)
    assert cut_everything == []


def test_a_far_cell_in_a_sheet_kept_for_cutting_is_refused_as_in_a_streamed_one(tmp_path):
    from zoufang.reading.sheet_extent import ExtentTooLarge, check_sheet_extents
    book = book_with_sheet_data(tmp_path, "far.xlsx", rows_xml(1, 10) + b'<row r="9000"><c r="XFD9000" '
                                                                        b't="inlineStr"><is><t>x</t></is></c></row>')
    with pytest.raises(ExtentTooLarge):
        check_sheet_extents(book, keep=lambda part, size: True)
    with pytest.raises(ExtentTooLarge):
        check_sheet_extents(book)


def test_a_kept_sheet_is_inflated_exactly_and_a_part_that_lies_about_its_size_is_refused(tmp_path):
    """The guard inflates a kept sheet itself (zlib-ng where installed): the same bytes as zipfile's read, and a
    part whose directory understates its size or whose CRC does not match is a broken package."""
    from zoufang.reading.sheet_extent import inflated
    book = book_with_sheet_data(tmp_path, "b.xlsx", rows_xml(1, 500))
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(book) as z:
        assert inflated(z, z.getinfo(part)) == z.read(part)
        info = z.getinfo(part)
    raw = bytearray(book.read_bytes())
    central = raw.rfind(b"PK\x01\x02", 0, raw.rfind(part.encode()))
    liar, bad_crc = bytearray(raw), bytearray(raw)
    liar[central + 24:central + 28] = (info.file_size - 100).to_bytes(4, "little")  # uncompressed size, understated
    bad_crc[central + 16:central + 20] = (info.CRC ^ 1).to_bytes(4, "little")
    for name, data in (("liar.xlsx", liar), ("crc.xlsx", bad_crc)):
        (tmp_path / name).write_bytes(bytes(data))
        with zipfile.ZipFile(tmp_path / name) as z, pytest.raises(zipfile.BadZipFile):
            inflated(z, z.getinfo(part))
