"""One workbook file, opened once: what its package says about itself, for the reader, the authenticator and the merge.

A returned file is asked many questions — its format, its sheets by part, when it was saved, its date system, which
cells hold a formula without a result or whose result is an error. ``WorkbookFile`` opens the package once (the zip
of an .xlsx/.xlsm/.ods, or the OLE file of an .xls) and answers them all, each worked out on first use.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import struct
import zipfile
from functools import cached_property
from pathlib import Path

from defusedxml import ElementTree

_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
MAX_PART = 1 << 20  # a properties part larger than this is not read
MAX_SCAN = 256 << 20  # a sheet part scanned for formulas; the extent guard has refused larger ones
MAX_ROWS = 1_048_576

NO_RESULT = ""  # what ``unusable_cells`` says of a formula saved without its result
ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!")
_XLS_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A"}

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"<(?:\w+:)?v>\s*([^<\s][^<]*)")


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
        return moment.replace(tzinfo=dt.timezone.utc) if naive_is_utc else moment.astimezone(dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def column_letters(number: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


class WorkbookFile:
    """A workbook on disk: its package opened once (close it, or use ``with``), each fact read on first use."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        try:
            if zipfile.is_zipfile(self.path):
                self._zip = zipfile.ZipFile(self.path)
        except (OSError, zipfile.BadZipFile):
            self._zip = None

    def __enter__(self) -> "WorkbookFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    # ---------------------------------------------------------------- the package
    @property
    def is_zip(self) -> bool:
        return self._zip is not None

    @property
    def zip(self) -> zipfile.ZipFile | None:
        """The open package (None for an .xls or what is not a zip); closed with this object."""
        return self._zip

    @cached_property
    def parts(self) -> set[str]:
        return set(self._zip.namelist()) if self._zip is not None else set()

    def xml(self, name: str):
        """A small part parsed (defused); None if absent, too large or not XML."""
        if name not in self.parts:
            return None
        try:
            info = self._zip.getinfo(name)
            if info.file_size > MAX_PART:
                return None
            return ElementTree.fromstring(self._zip.read(info))
        except (KeyError, zipfile.BadZipFile, OSError, ElementTree.ParseError, ValueError):
            return None

    @cached_property
    def is_ods(self) -> bool:
        return "content.xml" in self.parts and "xl/workbook.xml" not in self.parts

    @cached_property
    def sheet_names_by_part(self) -> dict[str, str]:
        """Sheet name by worksheet part (xl/worksheets/sheet7.xml) of an .xlsx/.xlsm; {} where it cannot tell."""
        book, rels = self.xml("xl/workbook.xml"), self.xml("xl/_rels/workbook.xml.rels")
        if book is None or rels is None:
            return {}
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        names = {}
        for sheet in book.iter(f"{_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_REL}id"), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            names[part] = sheet.get("name", "")
        return names

    # ---------------------------------------------------------------- what the file says about itself
    @cached_property
    def saved_time(self) -> dt.datetime | None:
        """When the workbook was last saved, from its own properties, in UTC; None if it does not say."""
        if self._zip is None:
            return self._ole_saved()
        core = self.xml("docProps/core.xml")
        if core is not None:
            for tag in (f"{_DCTERMS}modified", f"{_DCTERMS}created"):
                node = core.find(tag)
                if node is not None and node.text:
                    return parse_moment(node.text, naive_is_utc=True)  # OOXML writes W3CDTF in UTC
        meta = self.xml("meta.xml")
        if meta is not None:
            for tag in (f"{_DC}date", f"{_META}creation-date"):
                node = meta.find(f".//{tag}")
                if node is not None and node.text:
                    return parse_moment(node.text, naive_is_utc=False)  # LibreOffice writes local time, no zone
        return None

    def _ole_saved(self) -> dt.datetime | None:
        import olefile

        try:
            if not olefile.isOleFile(str(self.path)):
                return None
            with olefile.OleFileIO(str(self.path)) as ole:
                meta = ole.get_metadata()
        except (OSError, ValueError, struct.error, IndexError, TypeError):
            return None
        for moment in (meta.last_saved_time, meta.create_time):
            if isinstance(moment, dt.datetime) and moment.year > 1601:
                return moment.replace(tzinfo=dt.timezone.utc)  # FILETIME is UTC
        return None

    @cached_property
    def uses_1904_dates(self) -> bool:
        """True for a workbook in the 1904 date system (Mac Excel): serial 0 is 1904-01-01."""
        if self._zip is not None:
            root = self.xml("xl/workbook.xml")
            pr = root.find(f"{_MAIN}workbookPr") if root is not None else None
            return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        return _biff_1904(self.path)

    @cached_property
    def ods_encrypted(self) -> bool:
        """True for an OpenDocument file saved with a password (its manifest describes the encryption)."""
        if "META-INF/manifest.xml" not in self.parts:
            return False
        try:
            return b"encryption-data" in self._zip.read("META-INF/manifest.xml")
        except (zipfile.BadZipFile, OSError):
            return False

    # ---------------------------------------------------------------- formulas and their results
    def unusable_cells(self, sheets: set[str]) -> dict[str, dict[str, str]]:
        """Cells of the named sheets whose value cannot be taken, by sheet name then cell (A1): a formula saved
        without its result (``NO_RESULT``), or a cell whose saved value is an error (its text, ``#DIV/0!``).
        A reader gives such a cell as empty, which would read as the clerk having emptied it."""
        try:
            if self._zip is None:
                return _xls_errors(self.path, sheets)
            if self.is_ods:
                return self._ods_unusable(sheets)
            return self._ooxml_unusable(sheets)
        except (OSError, zipfile.BadZipFile, ValueError, struct.error, IndexError, ElementTree.ParseError):
            return {}

    def _ooxml_unusable(self, sheets: set[str]) -> dict[str, dict[str, str]]:
        """Scanned as text, so that a part a strict XML parser refuses (a stray U+FFFE) is still looked at."""
        out: dict[str, dict[str, str]] = {}
        for part, name in self.sheet_names_by_part.items():
            if name not in sheets or part not in self.parts or self._zip.getinfo(part).file_size > MAX_SCAN:
                continue
            data = self._zip.read(part)
            if not _FORMULA.search(data) and not _ERROR_TYPE.search(data):
                continue
            for m in _CELL.finditer(data):
                attrs, inner = m.group(1), m.group(2) or b""
                ref = _CELL_REF.search(attrs)
                if ref is None:
                    continue
                value = _VALUE.search(inner)
                if _ERROR_TYPE.search(attrs):
                    out.setdefault(name, {})[ref.group(1).decode()] = \
                        value.group(1).decode("utf-8", "replace").strip() if value else "#VALUE!"
                elif _FORMULA.search(inner) and value is None:
                    out.setdefault(name, {})[ref.group(1).decode()] = NO_RESULT
        return out

    def _ods_unusable(self, sheets: set[str]) -> dict[str, dict[str, str]]:
        """content.xml streamed: each table's cells counted through their repeats, errors and result-less formulas kept."""
        out: dict[str, dict[str, str]] = {}
        table_tag, row_tag = f"{_TABLE}table", f"{_TABLE}table-row"
        cells = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")
        with self._zip.open("content.xml") as fh:
            name, row, col = None, 0, 0
            for event, el in ElementTree.iterparse(fh, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == table_tag:
                        name, row = el.get(f"{_TABLE}name"), 0
                    elif tag == row_tag:
                        col = 0
                    continue
                if tag in cells:
                    repeat = int(el.get(f"{_TABLE}number-columns-repeated", "1") or 1)
                    if name in sheets and el.get(f"{_TABLE}formula") is not None:
                        kind = el.get(f"{_CALCEXT}value-type") or el.get(f"{_OFFICE}value-type")
                        why = None
                        if kind == "error":
                            why = "".join(el.itertext()).strip() or "#VALUE!"
                        elif kind is None:
                            why = NO_RESULT
                        if why is not None and row < MAX_ROWS:
                            for k in range(min(repeat, 16384)):
                                out.setdefault(name, {})[f"{column_letters(col + k + 1)}{row + 1}"] = why
                    col += repeat
                    el.clear()
                elif tag == row_tag:
                    row += int(el.get(f"{_TABLE}number-rows-repeated", "1") or 1)
                    el.clear()
                elif tag == table_tag:
                    name = None
                    el.clear()
        return out


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


def _xls_errors(path: Path, sheets: set[str]) -> dict[str, dict[str, str]]:
    """Cells of an .xls whose saved value is an error (xlrd reads BIFF's BOOLERR and FORMULA results)."""
    import xlrd

    out: dict[str, dict[str, str]] = {}
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception:  # noqa: BLE001  (xlrd raises several types for files it cannot read; the reader says why)
        return {}
    try:
        for name in book.sheet_names():
            if name not in sheets:
                continue
            sheet = book.sheet_by_name(name)
            for r in range(sheet.nrows):
                for c, kind in enumerate(sheet.row_types(r)):
                    if kind == xlrd.XL_CELL_ERROR:
                        code = sheet.cell_value(r, c)
                        out.setdefault(name, {})[f"{column_letters(c + 1)}{r + 1}"] = _XLS_ERRORS.get(code, "#VALUE!")
            book.unload_sheet(name)
    finally:
        book.release_resources()
    return out
