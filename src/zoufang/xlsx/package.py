"""Editing an .xlsx/.xlsm file as its package: only the sheets zoufang changes are rewritten.

Every part zoufang does not own — pictures, shapes, charts, comments, the VBA project, the
ribbon, themes, other sheets — is copied unchanged, unless deleting rows moves what points
into them (formulas anywhere, defined names, charts, drawings, comments, tables), which then
follow as in Excel (``sheet_refs``). Text is written as an inline string, never as a formula.
After any edit the calculation chain is dropped and Excel recalculates on opening.
"""
from __future__ import annotations

import bisect
import datetime as dt
import math
import posixpath
import re
import zipfile
from copy import deepcopy
from pathlib import Path

from lxml import etree
from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from zoufang.contract.errors import InputError
from zoufang.xlsx.sheet_refs import RowShift, shift_formula, shift_sqref, top_row

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # Strict OOXML: refused, never half-edited
WORKSHEET_TYPE = REL + "/worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CALC_CHAIN_TYPE = REL + "/calcChain"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_VML_SHAPE = re.compile(rb"<v:shape\b.*?</v:shape>", re.S)
_VML_ROW = re.compile(rb"(<x:Row>\s*)(\d+)(\s*</x:Row>)")


def q(tag: str, ns: str = MAIN) -> str:
    return f"{{{ns}}}{tag}"


def _xml(data: bytes):
    return etree.fromstring(data, _PARSER)


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _resolve(source: str, target: str) -> str:
    """A relationship target as a part name (no leading slash), relative to the part ``source``."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels_name(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _split(address: str) -> tuple[int, int]:
    m = _CELL_REF.match(address.upper())
    if not m:
        raise ValueError(f"not a cell address: {address}")
    return int(m.group(2)), column_index_from_string(m.group(1))


def _may_name(data: bytes, sheet: str) -> bool:
    """False when a part cannot mention ``sheet`` at all (its formulas then never change: the part stays byte for byte)."""
    if b"&#" in data:
        return True  # characters written as references (openpyxl writes 走 as &#36208;): cannot tell by bytes
    escaped = sheet.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return any(form.encode("utf-8") in data for form in {sheet, escaped, escaped.replace("'", "''")})


def _may_have_formulas(data: bytes) -> bool:
    """A cheap look before parsing a sheet: cell formulas, or formulas of formats and validations."""
    return b"<f>" in data or b"<f " in data or b"formula" in data or b":f>" in data


class Styles:
    """xl/styles.xml, parsed when a date or header style is first needed; new formats are appended."""

    def __init__(self, data: bytes | None):
        self.root = _xml(data) if data else None
        self.changed = False
        self._date: dict[int, int] = {}
        self._header: int | None = None

    def _section(self, tag: str):
        el = self.root.find(q(tag))
        if el is None:
            el = etree.SubElement(self.root, q(tag))
            order = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs"]
            if tag in order:  # keep the schema's order
                for later in order[order.index(tag) + 1:]:
                    nxt = self.root.find(q(later))
                    if nxt is not None:
                        nxt.addprevious(el)
                        break
        return el

    def _append(self, tag: str, child) -> int:
        section = self._section(tag)
        section.append(child)
        section.set("count", str(len(section)))
        self.changed = True
        return len(section) - 1

    def _format_code(self, num_fmt_id: int) -> str:
        for fmt in self._section("numFmts"):
            if int(fmt.get("numFmtId", -1)) == num_fmt_id:
                return fmt.get("formatCode", "")
        return BUILTIN_FORMATS.get(num_fmt_id, "General")

    def _format_id(self, code: str) -> int:
        for fmt in self._section("numFmts"):
            if fmt.get("formatCode") == code:
                return int(fmt.get("numFmtId"))
        used = [int(f.get("numFmtId", 0)) for f in self._section("numFmts")]
        new_id = max(used + [163]) + 1
        self._append("numFmts", etree.Element(q("numFmt"), numFmtId=str(new_id), formatCode=code))
        return new_id

    def date_style(self, style: int, code: str) -> int:
        """A cell format like ``style`` that shows a date (``style`` itself if it already does)."""
        if self.root is None:
            return style
        if (style, code) in self._date:
            return self._date[(style, code)]
        xfs = self._section("cellXfs")
        if len(xfs) == 0:
            self._append("cellXfs", etree.Element(q("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0"))
        xf = xfs[style] if style < len(xfs) else xfs[0]
        if is_date_format(self._format_code(int(xf.get("numFmtId", 0)))) and not self._showing_time(code):
            self._date[(style, code)] = style
            return style
        new = deepcopy(xf)
        new.set("numFmtId", str(self._format_id(code)))
        new.set("applyNumberFormat", "1")
        self._date[(style, code)] = self._append("cellXfs", new)
        return self._date[(style, code)]

    @staticmethod
    def _showing_time(code: str) -> bool:
        """A format asked for to show the time of day too (a log's moment), which a date format would hide."""
        return "h" in code.replace('"年"', "").lower()

    def header_style(self, fill_rgb: str) -> int:
        """Bold white text on ``fill_rgb``: the heading of a sheet zoufang adds."""
        if self.root is None:
            return 0
        if self._header is None:
            font = etree.Element(q("font"))
            etree.SubElement(font, q("b"))
            etree.SubElement(font, q("color"), rgb="FFFFFFFF")
            etree.SubElement(font, q("sz"), val="11")
            fill = etree.Element(q("fill"))
            pattern = etree.SubElement(fill, q("patternFill"), patternType="solid")
            etree.SubElement(pattern, q("fgColor"), rgb="FF" + fill_rgb.lstrip("#").upper())
            font_id, fill_id = self._append("fonts", font), self._append("fills", fill)
            xf = etree.Element(q("xf"), numFmtId="0", fontId=str(font_id), fillId=str(fill_id), borderId="0",
                               applyFont="1", applyFill="1")
            if len(self._section("cellXfs")) == 0:
                self._append("cellXfs", etree.Element(q("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0"))
            self._header = self._append("cellXfs", xf)
        return self._header


class Sheet:
    """One worksheet part: rows and cells found by number, edited in place."""

    def __init__(self, name: str, part: str, data: bytes):
        self.name, self.part = name, part
        self.root = _xml(data)
        self.data = self.root.find(q("sheetData"))
        if self.data is None:
            self.data = etree.SubElement(self.root, q("sheetData"))
        self.rows: dict[int, object] = {}
        self.order: list[int] = []
        self.changed = False
        last = 0
        for row in self.data.iterchildren(q("row")):
            r = int(row.get("r") or last + 1)
            row.set("r", str(r))
            self.rows[r] = row
            self.order.append(r)
            last = r
        self._cells: dict[int, dict[int, object]] = {}
        self._anchored: set = set()  # rule formulas already shifted with their range (delete_rows)

    # lookup ---------------------------------------------------------
    def cells(self, r: int) -> dict[int, object]:
        if r not in self._cells:
            found, last = {}, 0
            row = self.rows.get(r)
            for c in (row.iterchildren(q("c")) if row is not None else ()):
                ref = c.get("r")
                col = _split(ref)[1] if ref else last + 1
                if not ref:
                    c.set("r", f"{get_column_letter(col)}{r}")
                found[col] = c
                last = col
            self._cells[r] = found
        return self._cells[r]

    def row(self, r: int):
        if r not in self.rows:
            row = etree.Element(q("row"), r=str(r))
            at = bisect.bisect_left(self.order, r)
            if at == len(self.order):
                self.data.append(row)
            else:
                self.rows[self.order[at]].addprevious(row)
            self.order.insert(at, r)
            self.rows[r] = row
        return self.rows[r]

    def cell(self, r: int, col: int):
        """The cell element at (r, col), created with the format of the cell above (or, in a heading, to its left)."""
        cells = self.cells(r)
        if col in cells:
            return cells[col], False
        row = self.row(r)
        row.attrib.pop("spans", None)
        c = etree.Element(q("c"), r=f"{get_column_letter(col)}{r}")
        after = [k for k in cells if k > col]
        if after:
            cells[min(after)].addprevious(c)
        else:
            row.append(c)
        cells[col] = c
        style = self._neighbour_style(r, col)
        if style is not None:
            c.set("s", style)
        return c, True

    def _neighbour_style(self, r: int, col: int) -> str | None:
        at = bisect.bisect_left(self.order, r)
        if at:
            c = self.cells(self.order[at - 1]).get(col)
            if c is not None and c.get("s"):
                return c.get("s")
        left = [k for k in self.cells(r) if k < col]
        if left:
            return self.cells(r)[max(left)].get("s")
        return None

    @staticmethod
    def has_value(c) -> bool:
        return any(ch.tag in (q("v"), q("is"), q("f")) for ch in c)

    def holds_formula(self, address: str) -> bool:
        r, col = _split(address)
        c = self.cells(r).get(col)
        return c is not None and c.find(q("f")) is not None

    def last_row(self) -> int:
        for r in reversed(self.order):
            if any(self.has_value(c) for c in self.cells(r).values()):
                return r
        return 0

    def last_column(self) -> int:
        return max((col for r in self.order for col, c in self.cells(r).items() if self.has_value(c)), default=0)

    # edits ----------------------------------------------------------
    def set(self, address: str, value, styles: Styles, epoch, date_code: str) -> None:
        r, col = _split(address)
        c, _ = self.cell(r, col)
        for child in list(c):
            c.remove(child)
        for attr in ("t", "cm", "vm"):  # type, and the cell/value metadata of what was there before
            c.attrib.pop(attr, None)
        self.changed = True
        if value is None:
            return
        if isinstance(value, dt.datetime):
            c.set("s", str(styles.date_style(int(c.get("s", 0)), date_code)))
            etree.SubElement(c, q("v")).text = repr(float(to_excel(value, epoch))).removesuffix(".0")
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            etree.SubElement(c, q("v")).text = repr(value).removesuffix(".0") if isinstance(value, float) else str(value)
            return
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, q("is")), q("t"))
        t.text = str(value)
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    def set_cached(self, address: str, value) -> bool:
        """The value a formula cell at ``address`` shows until recalculated (a number, or text); the formula is
        kept. False where the cell holds no formula."""
        r, col = _split(address)
        c = self.cells(r).get(col)
        if c is None or c.find(q("f")) is None:
            return False
        for child in c.findall(q("v")):
            c.remove(child)
        c.attrib.pop("t", None)
        v = etree.SubElement(c, q("v"))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            v.text = repr(value).removesuffix(".0") if isinstance(value, float) else str(value)
        else:
            c.set("t", "str")
            v.text = str(value)
        self.changed = True
        return True

    def unshare_formulas(self) -> None:
        """Every shared formula written out in full, so that cells can move or change on their own."""
        masters: dict[str, tuple[str, str]] = {}
        shared = self.root.findall(f".//{q('f')}[@t='shared']")
        for f in shared:
            if f.text and f.get("ref"):
                masters[f.get("si")] = (f.text, f.getparent().get("r"))
        for f in shared:
            text, origin = masters.get(f.get("si"), (None, None))
            if text is None:
                continue
            here = f.getparent().get("r")
            f.text = text if here == origin else Translator("=" + text, origin).translate_formula(here)[1:]
            for attr in ("t", "si", "ref"):
                f.attrib.pop(attr, None)
        if shared:
            self.changed = True

    def delete_rows(self, shift: RowShift) -> None:
        """Remove the rows of ``shift`` and move everything below up (cell formulas are shifted by the package)."""
        for r in shift.deleted:
            row = self.rows.pop(r, None)
            if row is not None:
                self.data.remove(row)
        kept = [r for r in self.order if r in self.rows]
        rows, self.rows, self.order, self._cells = self.rows, {}, [], {}
        for r in kept:
            new = shift.row(r)
            row = rows[r]
            if new != r:
                row.set("r", str(new))
                for c in row.iterchildren(q("c")):
                    ref = c.get("r")
                    if ref:
                        c.set("r", ref.rstrip("0123456789") + str(new))
            self.rows[new] = row
            self.order.append(new)
        for el in self.root.iter(q("mergeCell"), q("hyperlink"), q("autoFilter"), q("dimension")):
            if el.get("ref"):
                new = shift_sqref(el.get("ref"), shift)
                if new:
                    el.set("ref", new)
                else:
                    el.getparent().remove(el)
        self._shift_rules(shift)
        for el in self.root.iter(q("ignoredError"), q("selection")):
            if el.get("sqref"):
                new = shift_sqref(el.get("sqref"), shift)
                if new:
                    el.set("sqref", new)
                elif el.tag != q("selection"):
                    el.getparent().remove(el)
        merge = self.root.find(q("mergeCells"))
        if merge is not None:
            merge.set("count", str(len(merge)))
        self.changed = True

    def _shift_rules(self, shift: RowShift) -> None:
        """Conditional formats and validations of the shifted sheet: their ranges, and their formulas as Excel applies
        them (relative rows follow the range's top-left cell, absolute rows and thresholds shift); a rule whose
        range is wholly deleted goes with it."""
        rules = [(el, None) for el in self.root.iter(q("conditionalFormatting"), q("dataValidation"))]
        rules += [(el, el.find(q("sqref", XM))) for el in self.root.iter(q("conditionalFormatting", X14),
                                                                          q("dataValidation", X14))]
        for el, holder in rules:
            old = (holder.text if holder is not None else el.get("sqref")) or ""
            new = shift_sqref(old, shift)
            if not new:
                el.getparent().remove(el)
                continue
            moved = (top_row(new) or 0) - (top_row(old) or 0)
            for f in el.iter(q("formula"), q("formula1"), q("formula2"), q("f", XM)):
                f.text = shift_formula(f.text or "", shift, self.name, moved)
                self._anchored.add(f)
            for cfvo in el.iter(q("cfvo"), q("cfvo", X14)):
                if cfvo.get("val"):
                    cfvo.set("val", shift_formula(cfvo.get("val"), shift, self.name))
            if holder is not None:
                holder.text = new
            else:
                el.set("sqref", new)

    def shift_formulas(self, shift: RowShift) -> bool:
        """Formulas of this sheet (cells, conditional formats, validations) that point at ``shift.sheet``."""
        changed = False
        for el in self.root.iter(q("f"), q("formula"), q("formula1"), q("formula2"), q("f", XM)):
            if el in self._anchored:
                continue
            if el.text:
                new = shift_formula(el.text, shift, self.name)
                if new != el.text:
                    el.text, changed = new, True
            if el.tag == q("f") and el.get("ref") and self.name == shift.sheet:
                el.set("ref", shift_sqref(el.get("ref"), shift) or el.get("ref"))
        self.changed |= changed
        return changed

    def update_dimension(self) -> None:
        dim = self.root.find(q("dimension"))
        if dim is None:
            return
        last_row, last_col = self.last_row(), self.last_column()
        if last_row and last_col:
            first = dim.get("ref", "A1").split(":")[0]
            dim.set("ref", f"{first}:{get_column_letter(last_col)}{last_row}" if first != f"{get_column_letter(last_col)}{last_row}" else first)

    def to_bytes(self) -> bytes:
        return _bytes(self.root)


class Package:
    """An .xlsx/.xlsm read as a zip of parts; ``save`` writes changed parts and copies the rest unchanged."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with zipfile.ZipFile(self.path) as z:
            self.infos = z.infolist()
            self.parts: dict[str, bytes] = {i.filename: z.read(i) for i in self.infos}
        self.changed: dict[str, bytes] = {}
        self.removed: set[str] = set()
        self.workbook_part = self._workbook_part()
        self.workbook = _xml(self.parts[self.workbook_part])
        if etree.QName(self.workbook).namespace == STRICT:
            raise InputError(f"{self.path.name}：这是“Strict Open XML 电子表格”格式的工作簿，本程序不能安全地修改它。"
                             f"请在 Excel 中“另存为”→“Excel 工作簿 (*.xlsx)”后再运行（原文件未被改动）")
        self.workbook_rels_part = _rels_name(self.workbook_part)
        self.workbook_rels = _xml(self.parts[self.workbook_rels_part])
        self.sheet_parts: dict[str, str] = {}
        targets = {rel.get("Id"): rel.get("Target") for rel in self.workbook_rels}
        for sheet in self.workbook.iter(q("sheet")):
            target = targets.get(sheet.get(q("id", REL)))
            if target:
                self.sheet_parts[sheet.get("name")] = _resolve(self.workbook_part, target)
        pr = self.workbook.find(q("workbookPr"))
        self.epoch = CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else CALENDAR_WINDOWS_1900
        self.sheets: dict[str, Sheet] = {}
        self.appended: dict[str, set[int]] = {}  # rows zoufang appended, by sheet (numbered as saved)
        self.styles = Styles(self.parts.get(posixpath.join(posixpath.dirname(self.workbook_part), "styles.xml")))
        self.workbook_changed = False

    def _workbook_part(self) -> str:
        for rel in _xml(self.parts["_rels/.rels"]):
            if rel.get("Type", "").endswith("/officeDocument"):
                return _resolve("", rel.get("Target"))
        return "xl/workbook.xml"

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheet_parts)

    def sheet(self, name: str) -> Sheet:
        if name not in self.sheets:
            part = self.sheet_parts[name]
            self.sheets[name] = Sheet(name, part, self.parts[part])
        return self.sheets[name]

    def related(self, part: str, kind: str) -> list[str]:
        """Parts related to ``part`` by a relationship type ending in ``kind``."""
        rels = self.parts.get(_rels_name(part))
        if not rels:
            return []
        return [_resolve(part, rel.get("Target")) for rel in _xml(rels)
                if rel.get("Type", "").endswith("/" + kind) and rel.get("TargetMode") != "External"]

    def table_columns(self, name: str) -> list[set[int]]:
        """The columns (1-based) each table object (Excel "Format as Table") of sheet ``name`` covers."""
        out = []
        for part in self.related(self.sheet_parts[name], "table"):
            root = _xml(self.changed.get(part, self.parts[part]))
            m = re.match(r"^([A-Z]+)\d+:([A-Z]+)\d+$", root.get("ref", ""))
            if m:
                out.append(set(range(column_index_from_string(m.group(1)), column_index_from_string(m.group(2)) + 1)))
        return out

    # new sheets ------------------------------------------------------
    def add_sheet(self, name: str, headers: list[str], hidden: bool, fill_rgb: str) -> Sheet:
        used = {p.lower() for p in (*self.parts, *self.changed, *self.sheet_parts.values())}  # names are case-blind
        n = 1
        while f"xl/worksheets/sheet{n}.xml" in used:
            n += 1
        part = f"xl/worksheets/sheet{n}.xml"
        style = self.styles.header_style(fill_rgb)
        widths = "".join(f'<col min="{j}" max="{j}" width="{max(10, min(40, len(h) * 3))}" customWidth="1"/>'
                         for j, h in enumerate(headers, start=1))
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
               '<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
               'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
               f'<cols>{widths}</cols><sheetData/>'
               '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
        sheet = Sheet(name, part, xml.encode("utf-8"))
        for j, header in enumerate(headers, start=1):
            c, _ = sheet.cell(1, j)
            c.set("s", str(style))
            sheet.set(f"{get_column_letter(j)}1", header, self.styles, self.epoch, "")
        rid = f"rIdZoufang{n}"
        etree.SubElement(self.workbook_rels, q("Relationship", PKG_REL), Id=rid, Type=WORKSHEET_TYPE,
                         Target=posixpath.relpath(part, posixpath.dirname(self.workbook_part)))
        sheets = self.workbook.find(q("sheets"))
        sheet_id = max([int(s.get("sheetId", 0)) for s in sheets] + [0]) + 1
        attrs = {"name": name, "sheetId": str(sheet_id), q("id", REL): rid}
        if hidden:
            attrs["state"] = "hidden"
        etree.SubElement(sheets, q("sheet"), attrs)
        types = _xml(self.changed.get("[Content_Types].xml", self.parts["[Content_Types].xml"]))
        etree.SubElement(types, q("Override", CONTENT_TYPES), PartName="/" + part, ContentType=WORKSHEET_CONTENT)
        self.changed["[Content_Types].xml"] = _bytes(types)
        self.workbook_changed = True
        self.sheet_parts[name] = part
        self.sheets[name] = sheet
        return sheet

    # deleting rows ---------------------------------------------------
    def delete_rows(self, name: str, rows) -> None:
        """Delete ``rows`` of sheet ``name`` as Excel does, everything that points below them following."""
        shift = RowShift.of(name, rows)
        if not shift:
            return
        target = self.sheet(name)
        target.unshare_formulas()
        target.delete_rows(shift)
        for other, part in self.sheet_parts.items():
            if other == name or other in self.sheets or (_may_have_formulas(self.parts.get(part, b""))
                                                         and _may_name(self.parts.get(part, b""), name)):
                sheet = self.sheet(other)
                if other != name and sheet.root.find(f".//{q('f')}[@t='shared']") is not None:
                    sheet.unshare_formulas()
                sheet.shift_formulas(shift)
        for defined in self.workbook.iter(q("definedName")):
            new = shift_formula(defined.text or "", shift, None)
            if new != defined.text:
                defined.text, self.workbook_changed = new, True
        for part, data in self.parts.items():
            if part.startswith("xl/charts/chart") and b"f>" in data:
                self._rewrite(part, lambda root: self._shift_texts(root.iter(q("f", CHART)), shift))
            elif part.startswith("xl/pivotCache/pivotCacheDefinition") and b"worksheetSource" in data:
                self._rewrite(part, lambda root: self._shift_pivot_source(root, shift))
        sheet_part = self.sheet_parts[name]
        for drawing in self.related(sheet_part, "drawing"):
            self._rewrite(drawing, lambda root: self._shift_anchors(root, shift))
        for comments in self.related(sheet_part, "comments"):
            self._rewrite(comments, lambda root: self._shift_comments(root, shift))
        for comments in self.related(sheet_part, "threadedComment"):
            self._rewrite(comments, lambda root: self._shift_comments(root, shift))
        for table in self.related(sheet_part, "table"):
            self._rewrite(table, lambda root: self._shift_refs(root, shift))
        for vml in self.related(sheet_part, "vmlDrawing"):
            self._shift_vml(vml, shift)

    def _rewrite(self, part: str, edit) -> None:
        root = _xml(self.changed.get(part, self.parts[part]))
        if edit(root):
            self.changed[part] = _bytes(root)

    @staticmethod
    def _shift_texts(elements, shift: RowShift) -> bool:
        changed = False
        for el in elements:
            new = shift_formula(el.text or "", shift, None)
            if new != el.text:
                el.text, changed = new, True
        return changed

    @staticmethod
    def _shift_ref_attributes(elements, shift: RowShift) -> bool:
        """``ref`` attributes (areas on the shifted sheet) of ``elements``; an area wholly deleted is kept."""
        changed = False
        for el in elements:
            if el.get("ref"):
                new = shift_sqref(el.get("ref"), shift)
                if new and new != el.get("ref"):
                    el.set("ref", new)
                    changed = True
        return changed

    def _shift_pivot_source(self, root, shift: RowShift) -> bool:
        return self._shift_ref_attributes((src for src in root.iter(q("worksheetSource"))
                                           if src.get("sheet") == shift.sheet), shift)

    @staticmethod
    def _shift_anchors(root, shift: RowShift) -> bool:
        changed = False
        for anchor in root:
            for end in ("from", "to"):
                row = anchor.find(f"{q(end, XDR)}/{q('row', XDR)}")
                if row is not None and row.text:
                    new = str(shift.zero_based(int(row.text)))
                    if new != row.text:
                        row.text, changed = new, True
        return changed

    @staticmethod
    def _shift_comments(root, shift: RowShift) -> bool:
        changed = False
        for el in list(root.iter()):
            ref = el.get("ref")
            if ref and _CELL_REF.match(ref):
                r, col = _split(ref)
                new = shift.row(r)
                if new is None:
                    el.getparent().remove(el)
                    changed = True
                elif new != r:
                    el.set("ref", f"{get_column_letter(col)}{new}")
                    changed = True
        return changed

    def _shift_refs(self, root, shift: RowShift) -> bool:
        return self._shift_ref_attributes(root.iter(q("table"), q("autoFilter")), shift)

    def _shift_vml(self, part: str, shift: RowShift) -> None:
        """Legacy comment boxes (VML, not always well-formed XML): moved with their rows, dropped with them."""
        data = self.changed.get(part, self.parts[part])

        def shape(m: re.Match) -> bytes:
            block = m.group(0)
            row = _VML_ROW.search(block)
            if not row:
                return block
            r = int(row.group(2))
            if shift.row(r + 1) is None:
                return b""
            return _VML_ROW.sub(lambda x: x.group(1) + str(shift.zero_based(r)).encode() + x.group(3), block, count=1)

        new = _VML_SHAPE.sub(shape, data)
        if new != data:
            self.changed[part] = new

    # writing ---------------------------------------------------------
    def _drop_calc_chain(self) -> None:
        chain = [rel for rel in self.workbook_rels if rel.get("Type") == CALC_CHAIN_TYPE]
        for rel in chain:
            part = _resolve(self.workbook_part, rel.get("Target"))
            self.workbook_rels.remove(rel)
            self.removed.add(part)
            types = _xml(self.changed.get("[Content_Types].xml", self.parts["[Content_Types].xml"]))
            for override in list(types):
                if override.get("PartName") == "/" + part:
                    types.remove(override)
            self.changed["[Content_Types].xml"] = _bytes(types)
        if chain:
            self.workbook_changed = True

    def _recalculate_on_open(self) -> None:
        calc = self.workbook.find(q("calcPr"))
        if calc is None:
            calc = etree.Element(q("calcPr"), calcId="191029")
            anchor = None
            for tag in ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst"):
                anchor = self.workbook.find(q(tag))
                if anchor is not None:
                    break
            if anchor is not None:
                anchor.addprevious(calc)
            else:
                self.workbook.append(calc)
        if calc.get("fullCalcOnLoad") != "1":
            calc.set("fullCalcOnLoad", "1")
            self.workbook_changed = True

    def _grow_tables(self, sheet: Sheet) -> None:
        """A table (Excel "Format as Table") whose last row is directly above the rows zoufang appended takes
        them in, as Excel does when a row is typed below it, so that 表1[走访对象] counts them too. No other row:
        a legend beside the data, a table over the rows above, a query table keep their ranges."""
        appended = sorted(self.appended.get(sheet.name, ()))
        if not appended:
            return
        for part in self.related(sheet.part, "table"):
            root = _xml(self.changed.get(part, self.parts[part]))
            m = re.match(r"^([A-Z]+)(\d+):([A-Z]+)(\d+)$", root.get("ref", ""))
            if not m or root.get("totalsRowCount") not in (None, "0") or root.get("tableType") == "queryTable":
                continue
            end = int(m.group(4))
            taken = [r for r in appended if r > end]
            if not taken or taken[0] != end + 1 or taken != list(range(end + 1, end + 1 + len(taken))):
                continue  # the rows appended do not follow the table's last row
            new = f"{m.group(1)}{m.group(2)}:{m.group(3)}{taken[-1]}"
            root.set("ref", new)
            for auto in root.iter(q("autoFilter")):
                auto.set("ref", new)
            self.changed[part] = _bytes(root)

    def save(self, target) -> None:
        if any(s.changed for s in self.sheets.values()):
            self._drop_calc_chain()
            self._recalculate_on_open()
        for sheet in list(self.sheets.values()):
            if sheet.changed:
                self._grow_tables(sheet)
        out = dict(self.changed)
        for sheet in self.sheets.values():
            if sheet.changed:
                sheet.update_dimension()
                out[sheet.part] = sheet.to_bytes()
        if self.styles.changed:
            out[posixpath.join(posixpath.dirname(self.workbook_part), "styles.xml")] = _bytes(self.styles.root)
        if self.workbook_changed:
            out[self.workbook_part] = _bytes(self.workbook)
            out[self.workbook_rels_part] = _bytes(self.workbook_rels)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for info in self.infos:
                if info.filename in self.removed:
                    continue
                data = out.pop(info.filename, self.parts[info.filename])
                z.writestr(info, data, compress_type=info.compress_type)
            for name, data in out.items():
                z.writestr(name, data)
