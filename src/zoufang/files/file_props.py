"""What a workbook file says about itself: when it was last saved, and its date system.

Every format a unit's clerk may save in is read by its own rule: .xlsx/.xlsm from
``docProps/core.xml`` (UTC), .ods from ``meta.xml`` (the saving PC's local time,
usually without a zone), .xls from the OLE SummaryInformation stream (a FILETIME,
UTC). Times come back timezone-aware in UTC, so that files of every format and
the office's issue time compare correctly.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import struct
import zipfile
from pathlib import Path

from defusedxml import ElementTree

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")  # what a unit may send back
REFUSED_SUFFIXES = {".et": "WPS 表格的 .et 格式", ".ett": "WPS 表格模板", ".numbers": "Apple Numbers 格式",
                    ".csv": "CSV 文本", ".xlsb": "Excel 二进制工作簿（.xlsb）"}
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MAX_PART = 1 << 20
_MAX_FORMULA_SCAN = 256 << 20  # a return's sheet part; the extent guard has refused larger ones


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A datetime in UTC; a naive one is taken as this computer's local time."""
    return moment.astimezone(dt.timezone.utc)


def parse_moment(text: str, naive_is_utc: bool) -> dt.datetime | None:
    """ISO 8601 text (with Z, an offset, or no zone; nanoseconds allowed) as an aware UTC datetime."""
    text = (text or "").strip()
    if not text:
        return None
    text = text.replace("Z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:  # fractions of any length (LibreOffice writes nanoseconds): keep microseconds
        digits = re.match(r"\d*", rest).group()  # the fraction only, not the offset's digits after it
        zone = rest[len(digits):]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}" if digits else head + zone
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc) if naive_is_utc else as_utc(moment)
    return moment.astimezone(dt.timezone.utc)


def _zip_part(path: Path, name: str):
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo(name)
            if info.file_size > _MAX_PART:
                return None
            return ElementTree.fromstring(z.read(info))
    except (KeyError, zipfile.BadZipFile, OSError, ElementTree.ParseError, ValueError):
        return None


def _ooxml_saved(path: Path) -> dt.datetime | None:
    root = _zip_part(path, "docProps/core.xml")
    if root is None:
        return None
    for tag in (f"{_DCTERMS}modified", f"{_DCTERMS}created"):
        node = root.find(tag)
        if node is not None and node.text:
            return parse_moment(node.text, naive_is_utc=True)  # the OOXML standard writes W3CDTF in UTC
    return None


def _odf_saved(path: Path) -> dt.datetime | None:
    root = _zip_part(path, "meta.xml")
    if root is None:
        return None
    for tag in (f"{_DC}date", f"{_META}creation-date"):
        node = root.find(f".//{tag}")
        if node is not None and node.text:
            return parse_moment(node.text, naive_is_utc=False)  # LibreOffice writes local time, no zone
    return None


def _ole_saved(path: Path) -> dt.datetime | None:
    import olefile

    try:
        if not olefile.isOleFile(str(path)):
            return None
        with olefile.OleFileIO(str(path)) as ole:
            meta = ole.get_metadata()
    except (OSError, ValueError, struct.error, IndexError, TypeError):
        return None
    for moment in (meta.last_saved_time, meta.create_time):
        if isinstance(moment, dt.datetime) and moment.year > 1601:
            return moment.replace(tzinfo=dt.timezone.utc)  # FILETIME is UTC
    return None


def saved_time(path: Path) -> dt.datetime | None:
    """When the workbook was last saved, from its own properties, in UTC; None if it does not say."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        return _ooxml_saved(path) or _odf_saved(path)
    return _ole_saved(path)


def sheet_names_by_part(path: Path) -> dict[str, str]:
    """Sheet name by worksheet part (xl/worksheets/sheet7.xml) of an .xlsx/.xlsm, from its workbook part and rels;
    {} where they cannot be read."""
    book, rels = _zip_part(path, "xl/workbook.xml"), _zip_part(path, "xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    names = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        names[part] = sheet.get("name", "")
    return names


def uses_1904_dates(path: Path) -> bool:
    """True for a workbook in the 1904 date system (Mac Excel): serial 0 is 1904-01-01."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        root = _zip_part(path, "xl/workbook.xml")
        if root is None:
            return False
        pr = root.find(f"{_MAIN}workbookPr")
        return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
    return _biff_1904(path)


def _biff_1904(path: Path) -> bool:
    """The DATEMODE record (0x0022) of an .xls workbook's globals."""
    import olefile

    try:
        if not olefile.isOleFile(str(path)):
            return False
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
            if stream is None:
                return False
            data = ole.openstream(stream).read(1 << 20)
    except (OSError, ValueError, IndexError):
        return False
    pos = 0
    while pos + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        if kind == 0x0022 and size >= 2:
            return struct.unpack_from("<H", data, pos + 4)[0] == 1
        if kind == 0x000A:  # EOF of the globals
            return False
        pos += 4 + size
    return False


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]")


def formulas_without_results(path: Path, sheets: set[str]) -> dict[str, set[str]]:
    """Cells of the named sheets (.xlsx/.xlsm) that hold a formula but no computed value, by sheet name:
    what a program that does not recalculate (a script, an unfinished save) leaves. {} for other formats.
    Scanned as text, so that a part a strict XML parser refuses (a stray U+FFFE) is still looked at."""
    path = Path(path)
    if not zipfile.is_zipfile(path):
        return {}
    out: dict[str, set[str]] = {}
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for part, name in sheet_names_by_part(path).items():
            if name not in sheets or part not in names or z.getinfo(part).file_size > _MAX_FORMULA_SCAN:
                continue
            data = z.read(part)
            if not _FORMULA.search(data):
                continue
            for m in _CELL.finditer(data):
                inner = m.group(2) or b""
                if _FORMULA.search(inner) and not _VALUE.search(inner) and (ref := _CELL_REF.search(m.group(1))):
                    out.setdefault(name, set()).add(ref.group(1).decode())
    return out


def ods_is_encrypted(path: Path) -> bool:
    """True for an OpenDocument file saved with a password (its manifest describes the encryption)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            manifest = z.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
    except (zipfile.BadZipFile, OSError):
        return False
    return b"encryption-data" in manifest
