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
import struct
import zipfile
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from defusedxml import ElementTree

try:
    from zlib_ng import zlib_ng
except ImportError:  # the standard zlib inflates the same, at half the speed
    zlib_ng = None

from zoufang.contract.cells import column_index as column_index_from_string

MAX_COLUMNS = 1024  # the contract's columns plus any a clerk adds, with room to spare
MAX_CELLS = 40_000_000  # rows × columns: a province's 300,000 visits with 20 columns is 6 million
_WIDE = re.compile(rb'r="([A-Z]{2,})(\d+)"')  # only cells beyond column Z need a closer look; a literal start
# lets the regex engine skip ahead (eight times faster than a leading \s on a 72 MB sheet): the whitespace before
# the attribute is checked for the few matches, in _attribute
_VALUE_ROW = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="[A-Z]+(\d+)"[^>]*?[^/]>(?!\s*</(?:\w+:)?c>)')  # a cell that is
# not an empty element, whichever way it is written (<c …/> or <c …></c>)
_ELEMENT_START = re.compile(rb"<(?:\w+:)?(?:c|row)[\s>/]|</(?:\w+:)?row>")  # where a cut leaves cells whole
_EMPTY_END = re.compile(rb"\s*</(?:\w+:)?c>")
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


def check_sheet_extents(path: Path | zipfile.ZipFile, keep: Callable[[str, int], bool] | None = None) -> dict[str, bytes]:
    """Raise ExtentTooLarge for the first sheet of ``path`` (a zip workbook) too large to read, PackageMismatch
    for a package whose entries disagree, PackageBomb for one that inflates beyond the memory ceiling.

    Returns the inflated XML of the worksheet parts for which ``keep(part, inflated size)`` says so (checked as
    the others, whole instead of streamed), for a reader that reads them from memory."""
    kept: dict[str, bytes] = {}
    with (nullcontext(path) if isinstance(path, zipfile.ZipFile) else zipfile.ZipFile(path)) as z:
        check_package_headers(z)
        check_inflation(z)
        for part in sheet_parts(z):
            if keep is not None and keep(part, z.getinfo(part).file_size):
                kept[part] = inflated(z, z.getinfo(part))
                _Extent(part).scan(kept[part])
            else:
                _check_part(z, part)
        for part in [n for n in z.namelist() if n.lower().endswith("sharedstrings.xml")]:
            with z.open(part) as fh:  # inflated once, within its declared size (a liar fails its CRC here)
                while fh.read(_CHUNK):
                    pass
    return kept


def inflated(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """``z.read(info)``: the part inflated and checked against its size and CRC, by zlib-ng where it is installed
    (twice as fast as the standard zlib on a large sheet)."""
    if zlib_ng is None or info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1 or z.filename is None:
        return z.read(info)
    with open(z.filename, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"Bad local header for {info.filename!r}")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        fh.seek(info.header_offset + 30 + name_length + extra_length)
        packed = fh.read(info.compress_size)
    inflater = zlib_ng.decompressobj(-15)
    data = inflater.decompress(packed, info.file_size + 1)  # one byte more than declared shows a liar
    if len(data) != info.file_size or zlib_ng.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 or size for file {info.filename!r}")
    return data


class _Extent:
    """The furthest value cell of one worksheet part seen so far, refused as soon as it reaches too far."""

    def __init__(self, part: str):
        self.part, self.columns, self.rows = part, 26, 1

    def scan(self, whole: bytes) -> None:
        """Look at ``whole``, a run of the part's XML made of whole elements."""
        for m in _WIDE.finditer(whole):
            if not _attribute(whole, m.start()) or _styled_only(whole, m.end()):
                continue
            if len(m.group(1)) > 3:
                raise ExtentTooLarge(self.part, 10 ** 6, self.rows, (m.group(1) + m.group(2)).decode())
            self.columns = max(self.columns, column_index_from_string(m.group(1).decode()))
        for m in _LONG_ROW.finditer(whole):  # rows 1,000,000 to 1,048,576 only, in a real workbook
            if int(m.group(1)) > EXCEL_ROWS:
                raise ExtentTooLarge(self.part, self.columns, int(m.group(1)), m.group(0)[3:].decode())
        if self.columns * EXCEL_ROWS > MAX_CELLS:  # only a wide sheet can be too large by its rows
            self.rows = max([self.rows, *(int(m.group(1)) for m in _VALUE_ROW.finditer(whole))])
        _check(self.part, self.columns, self.rows)


def _check_part(z: zipfile.ZipFile, part: str) -> None:
    extent = _Extent(part)
    tail = b""
    with z.open(part) as fh:
        while True:
            block = fh.read(_CHUNK)
            if not block:
                break
            data = tail + block
            starts = [m.start() for m in _ELEMENT_START.finditer(data, max(0, len(data) - 4096))]
            cut = starts[-1] if starts else data.rfind(b"<")
            cut = cut if cut >= 0 and len(data) - cut < 4096 else len(data)
            whole, tail = data[:cut], data[cut:]  # an element cut between two blocks is seen whole in the next
            extent.scan(whole)


def _attribute(data: bytes, at: int) -> bool:
    """True if the ``r="`` at ``at`` starts an attribute of its own (whitespace before it, not ``attr="``)."""
    return at > 0 and data[at - 1:at] in (b" ", b"\t", b"\r", b"\n")


def _styled_only(data: bytes, at: int) -> bool:
    """True if the cell whose reference ends at ``at`` is an empty element, ``<c …/>`` or ``<c …></c>`` as openpyxl
    and other writers write a formatted cell: formatting, no value."""
    end = data.find(b">", at)
    return end > 0 and (data[end - 1:end] == b"/" or _EMPTY_END.match(data, end + 1) is not None)
