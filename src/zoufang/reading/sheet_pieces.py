"""A large worksheet read by python-calamine on several cores at once.

The reader parses a sheet on one thread and lets go of the interpreter's lock while it does. The worksheet's XML
(already inflated and checked by the extent guard) is cut between rows into pieces; each piece goes into a copy
of the package of its own, stored uncompressed, with the parts a reader needs to read values (workbook,
relationships, styles for dates, shared strings), and the pieces are read at the same time. Every cell keeps its
place: a piece after the first is read from its first value cell and put back at that row and column.

A sheet is not cut where its XML could fool the cut (comments, CDATA, a row tag without its row number) or its
pieces come back out of row order: then it is read whole, as before.
"""
from __future__ import annotations

import io
import os
import re
import threading
import zipfile

Grid = list[list[object]]
CUT_FROM = 8 << 20  # a worksheet's XML from 8 MB (about 10,000 rows of a campaign sheet) is read in pieces
KEEP_AT_MOST = 1 << 30  # and only up to 1 GiB inflated, which is held in memory to be cut
MAX_PIECES = 4
CORES = os.cpu_count() or 1
_ROW_TAG = re.compile(rb"<row[\s>]")
_ROW_NUMBER = re.compile(rb'\sr="\d+"')
_NOT_NEEDED = ("xl/worksheets/", "xl/drawings/", "xl/charts/", "xl/media/", "xl/pivotCache", "xl/pivotTables/",
               "xl/printerSettings/", "xl/externalLinks/", "xl/embeddings/", "xl/activeX/", "xl/ctrlProps/",
               "customXml/", "docProps/")  # parts no reader of values opens


def pieces_wanted(size: int) -> int:
    """How many pieces a worksheet of ``size`` bytes of XML is read in (1: whole)."""
    if size < CUT_FROM or size > KEEP_AT_MOST:
        return 1
    return max(1, min(CORES, MAX_PIECES, size // max(CUT_FROM // 2, 1)))


def worth_cutting(part: str, size: int) -> bool:
    """For the extent guard: keep this part's inflated XML, it will be read in pieces."""
    return pieces_wanted(size) > 1


def read_in_pieces(z: zipfile.ZipFile, part: str, xml: bytes, sheet: str) -> Grid | None:
    """The grid ``to_python(skip_empty_area=False)`` gives for ``sheet`` (its XML ``xml``, part ``part`` of ``z``),
    read in pieces at once; None when the sheet cannot be cut safely or a piece fails (read it whole)."""
    packages = _packages(z, part, xml, pieces_wanted(len(xml)))
    del xml  # the packages hold the pieces now
    if packages is None:
        return None
    results: list = [None] * len(packages)

    def read(i: int) -> None:
        import python_calamine as calamine
        try:
            book = calamine.CalamineWorkbook.from_filelike(packages[i])
            packages[i] = None  # the reader has its own copy
            values = book.get_sheet_by_name(sheet)
            results[i] = ((0, 0), values.to_python(skip_empty_area=False)) if i == 0 else \
                (values.start, values.to_python(skip_empty_area=True) if values.start is not None else [])
        except Exception as exc:  # noqa: BLE001  (the whole read says what is wrong, if anything)
            results[i] = exc

    threads = [threading.Thread(target=read, args=(i,), name=f"zoufang-piece-{i}", daemon=True)
               for i in range(1, len(packages))]
    for t in threads:
        t.start()
    read(0)
    for t in threads:
        t.join()
    if any(isinstance(r, BaseException) or r is None for r in results):
        return None
    return _joined(results)


def _packages(z: zipfile.ZipFile, part: str, xml: bytes, pieces: int) -> list[io.BytesIO] | None:
    """One stored package per piece of ``xml``, cut before a row near each share of its length."""
    opening, closing = xml.find(b"<sheetData>"), xml.rfind(b"</sheetData>")
    if pieces < 2 or opening < 0 or closing < opening:
        return None
    start = opening + len(b"<sheetData>")
    if _declaration_within(xml, start, closing):  # a comment or CDATA could hide a row tag
        return None
    cuts = []
    for k in range(1, pieces):
        m = _ROW_TAG.search(xml, max(start + (closing - start) * k // pieces, cuts[-1] + 1 if cuts else 0), closing)
        if m is None:
            break
        end = xml.find(b">", m.start())
        if not _ROW_NUMBER.search(xml, m.start(), end):  # a row placed by counting: only whole reads place it
            return None
        cuts.append(m.start())
    if not cuts:
        return None
    view = memoryview(xml)
    bounds = [start, *cuts, closing]
    shell = [(info, z.read(info)) for info in z.infolist()
             if info.filename != part and not info.filename.startswith(_NOT_NEEDED)
             and not info.filename.lower().endswith(".bin") and not info.is_dir()]
    packages = []
    for i in range(len(bounds) - 1):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
            for info, data in shell:
                out.writestr(info.filename, data)
            with out.open(zipfile.ZipInfo(part), "w", force_zip64=len(xml) > 0x7FFFFFFF) as fh:
                fh.write(view[:start])
                fh.write(view[bounds[i]:bounds[i + 1]])
                fh.write(view[closing:])
        buffer.seek(0)
        packages.append(buffer)
    return packages


def _declaration_within(xml: bytes, start: int, end: int) -> bool:
    """True if ``xml`` holds ``<!`` (a comment, CDATA) between ``start`` and ``end``: found by its rare ``!``."""
    at = xml.find(b"!", start, end)
    while at >= 0:
        if xml[at - 1:at] == b"<":
            return True
        at = xml.find(b"!", at + 1, end)
    return False


def _joined(results: list[tuple[tuple[int, int], Grid]]) -> Grid | None:
    """The pieces' grids as one, every cell at its row and column; None if a piece starts above the end of
    the rows before it (rows out of order)."""
    (_, grid), rest = results[0], results[1:]
    width = max([len(grid[0]) if grid else 0] + [c + len(rows[0]) for (r, c), rows in rest if rows])
    if grid and len(grid[0]) < width:
        for row in grid:
            row.extend([""] * (width - len(row)))
    for (r, c), rows in rest:
        if not rows:
            continue
        if r < len(grid):
            return None
        grid.extend([""] * width for _ in range(r - len(grid)))
        if c or len(rows[0]) + c < width:
            rows = [[""] * c + row + [""] * (width - c - len(row)) for row in rows]
        grid.extend(rows)
    return grid
