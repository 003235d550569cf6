"""A worksheet's extent, checked before any reader allocates it.

A reader sizes a sheet from its furthest cell holding a value: one value at XFD1048576 in a
48 KB file asks for 17 billion cells. Every worksheet the reader would read — found as it finds
them, through the workbook's relationships, wherever the part lies — is streamed once and
refused when its values reach further than a campaign workbook can. Cells that are only
formatted (Excel writes ``<c r="XFD2" s="3"/>`` for a styled row) and the declared
``<dimension>`` are no reason to refuse: the reader allocates neither. A package whose
central directory and local headers disagree is refused before anything reads it.

Memory has a ceiling too, as Apache POI's ZipSecureFile sets it: a part that inflates more than a
hundredfold (beyond 100 KB), one over 4 GiB, or parts over 4 GiB in all are refused before any
reader inflates them; the shared strings are streamed once so that their true size is the declared one.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree

from zoufang.contract.cells import column_index as column_index_from_string

MAX_COLUMNS = 1024  # the contract's columns plus any a clerk adds, with room to spare
MAX_CELLS = 40_000_000  # rows × columns: a province's 300,000 visits with 20 columns is 6 million
_WIDE = re.compile(rb'r="([A-Z]{2,})(\d+)"')  # only cells beyond column Z need a closer look; a literal start
# lets the regex engine skip ahead (eight times faster than a leading \s on a 72 MB sheet): the whitespace before
# the attribute is checked for the few matches, in _attribute
_VALUE_ROW = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="[A-Z]+(\d+)"[^>]*?[^/]>')  # a cell that is not an empty element
_LONG_ROW = re.compile(rb'r="[A-Z]{0,3}(\d{7,})')  # a row number of seven digits or more: maybe past Excel's
EXCEL_ROWS = 1_048_576
MIN_INFLATE_RATIO = 0.01  # compressed / inflated: POI's default, below which a part is a bomb
GRACE_SIZE = 100 * 1024  # small parts may inflate as they like
MAX_UNPACKED = 4 << 30  # one part, and all parts together
_CHUNK = 1 << 22


class ExtentTooLarge(ValueError):
    def __init__(self, part: str, columns: int, rows: int, cell: str | None = None):
        super().__init__(part)
        self.part, self.columns, self.rows, self.cell = part, columns, rows, cell  # cell: the far one, when known


def _check(part: str, columns: int, rows: int, cell: str | None = None) -> None:
    if columns > MAX_COLUMNS or columns * rows > MAX_CELLS:
        raise ExtentTooLarge(part, columns, rows, cell)


class PackageMismatch(ValueError):
    """The zip's central directory and its local headers disagree: readers would see different files."""

    def __init__(self, part: str):
        super().__init__(part)
        self.part = part


class PackageBomb(ValueError):
    """A part (or the package) inflates beyond the memory ceiling."""

    def __init__(self, part: str, size: int, packed: int):
        super().__init__(part)
        self.part, self.size, self.packed = part, size, packed


def check_inflation(z: zipfile.ZipFile) -> None:
    """Refuse a part that inflates more than MIN_INFLATE_RATIO allows, or sizes beyond MAX_UNPACKED."""
    infos = z.infolist()
    for info in infos:
        if info.file_size > MAX_UNPACKED or (
                info.file_size > GRACE_SIZE and info.compress_size < info.file_size * MIN_INFLATE_RATIO):
            raise PackageBomb(info.filename, info.file_size, info.compress_size)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise PackageBomb("", total, sum(i.compress_size for i in infos))


def check_package_headers(z: zipfile.ZipFile) -> None:
    """Every entry's local header names the same file, with sizes that fit (PackageMismatch otherwise)."""
    for info in z.infolist():
        try:
            with z.open(info):
                pass  # opening reads and compares the local header
        except (zipfile.BadZipFile, ValueError) as exc:
            raise PackageMismatch(info.filename) from exc
        except NotImplementedError:
            continue  # an unsupported compression: the reader gives the reason


def sheet_parts(z: zipfile.ZipFile) -> list[str]:
    """The worksheet parts a reader reads: every target of the workbook's relationships, and xl/worksheets/."""
    names = set(z.namelist())
    found = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    for rels in [n for n in names if n.endswith("workbook.xml.rels") and z.getinfo(n).file_size < 1 << 20]:
        base = posixpath.dirname(posixpath.dirname(rels))
        try:
            root = ElementTree.fromstring(z.read(rels))
        except ElementTree.ParseError:
            continue
        for rel in root:
            target = rel.get("Target", "")
            if not rel.get("Type", "").endswith("/worksheet") or rel.get("TargetMode") == "External":
                continue
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            if part in names:
                found.add(part)
    return sorted(found)


def check_sheet_extents(path: Path) -> None:
    """Raise ExtentTooLarge for the first sheet of ``path`` (a zip workbook) too large to read, PackageMismatch
    for a package whose entries disagree, PackageBomb for one that inflates beyond the memory ceiling."""
    with zipfile.ZipFile(path) as z:
        check_package_headers(z)
        check_inflation(z)
        for part in sheet_parts(z):
            _check_part(z, part)
        for part in [n for n in z.namelist() if n.lower().endswith("sharedstrings.xml")]:
            with z.open(part) as fh:  # inflated once, within its declared size (a liar fails its CRC here)
                while fh.read(_CHUNK):
                    pass


def _check_part(z: zipfile.ZipFile, part: str) -> None:
    columns, rows = 26, 1
    tail = b""
    with z.open(part) as fh:
        while True:
            block = fh.read(_CHUNK)
            if not block:
                break
            data = tail + block
            cut = data.rfind(b"<")
            cut = cut if cut >= 0 and len(data) - cut < 4096 else len(data)
            whole, tail = data[:cut], data[cut:]  # an element cut between two blocks is seen whole in the next
            for m in _WIDE.finditer(whole):
                if not _attribute(whole, m.start()) or _styled_only(whole, m.end()):
                    continue
                if len(m.group(1)) > 3:
                    raise ExtentTooLarge(part, 10 ** 6, rows, (m.group(1) + m.group(2)).decode())
                columns = max(columns, column_index_from_string(m.group(1).decode()))
            for m in _LONG_ROW.finditer(whole):  # rows 1,000,000 to 1,048,576 only, in a real workbook
                if int(m.group(1)) > EXCEL_ROWS:
                    raise ExtentTooLarge(part, columns, int(m.group(1)), m.group(0)[3:].decode())
            if columns * EXCEL_ROWS > MAX_CELLS:  # only a wide sheet can be too large by its rows
                rows = max([rows, *(int(m.group(1)) for m in _VALUE_ROW.finditer(whole))])
            _check(part, columns, rows)


def _attribute(data: bytes, at: int) -> bool:
    """True if the ``r="`` at ``at`` starts an attribute of its own (whitespace before it, not ``attr="``)."""
    return at > 0 and data[at - 1:at] in (b" ", b"\t", b"\r", b"\n")


def _styled_only(data: bytes, at: int) -> bool:
    """True if the cell whose reference ends at ``at`` is an empty element (formatting, no value)."""
    end = data.find(b">", at)
    return end > 0 and data[end - 1:end] == b"/"
