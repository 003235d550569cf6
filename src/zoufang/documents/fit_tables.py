"""Column widths of a filled Word document's tables, chosen from what the cells hold.

A template's widths are guesses made before the rows exist; once docxtpl has filled the tables, each column gets
at least the width of its longest piece that must not break (a record number, a date, a short label such as
其他党员干部, a heading of up to six characters), and the rest of the type area goes to the columns whose text is
longest. Widths are estimated from the characters (an East Asian character is one em, Latin letters and digits
about half, and the space Word and LibreOffice put between Chinese and Latin text), with slack for other fonts.
"""
from __future__ import annotations

import re
import unicodedata

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from zoufang.xlsx.print_fit import broken_lines

CELL_PADDING_PT = 2 * 5.4 + 3  # Table Grid's left and right cell margins (0.19 cm each), and the borders
SLACK = 1.05  # rounding and kerning
WHOLE_CELL_EM = 10  # a cell of up to this many ems is a label that must not wrap (其他党员干部, 2011年10月31日)
WHOLE_HEADING_EM = 6
HARD_HEADING_EM = 4  # 超期天数, 分包领导: kept whole even where labels must give way
LABEL_TIERS = (WHOLE_CELL_EM, 8, 7, 5, 3, 0)  # label lengths kept whole, tried longest first
DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日")
LATIN_RUN = re.compile(r"[!-~\u00b7\u2010-\u2015]+")  # ids, figures, 50%/100%, WWS-WT00003


def char_em(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch.isupper() or ch in "%@#&mw":
        return 0.78
    return 0.64  # digits and lower case in DejaVu Serif, the widest usual stand-in for Times New Roman


def text_em(text: str) -> float:
    """The width of ``text`` in ems, with a quarter em wherever Chinese and Latin text meet."""
    width, prev_wide = 0.0, None
    for ch in text:
        if ch.isspace():
            width += 0.3
            prev_wide = None
            continue
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if prev_wide is not None and wide != prev_wide:
            width += 0.25
        width += char_em(ch)
        prev_wide = wide
    return width


def unbreakable_em(text: str, heading: bool = False, label_em: float = WHOLE_CELL_EM) -> float:
    """The widest piece of ``text`` that must stay on one line: a record number, a figure or a date always; a
    whole cell of up to ``label_em`` ems (其他党员干部), a heading of up to six."""
    text = text.strip()
    if not text:
        return 0.0
    whole = text_em(text)
    if whole <= (max(min(label_em, WHOLE_HEADING_EM), HARD_HEADING_EM) if heading else label_em):
        return whole
    pieces = [m.group(0) for m in DATE.finditer(text)] + [m.group(0) for m in LATIN_RUN.finditer(text)]
    return max([text_em(p) for p in pieces] + [2.0])


def _cell_text(tc) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))


def _font_pt(tbl, default: float) -> float:
    sizes = [int(s.get(qn("w:val"))) / 2 for s in tbl.iter(qn("w:sz")) if s.getparent().tag == qn("w:rPr")]
    return max(sizes) if sizes else default


def column_widths(rows: list[list[str]], total_pt: float, font_pt: float) -> list[float]:
    """Widths in points for a table of ``rows`` (the first is the headings) over ``total_pt``: every cell on one
    line if that fits; else as many short labels whole as fit (the shortest first), the spare width going to the
    long texts; record numbers, figures and dates always whole."""
    n = max(len(r) for r in rows)

    def widest(measure) -> list[float]:
        out = [0.0] * n
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                out[j] = max(out[j], *(measure(t, i == 0) for t in (text.split("\n") or [""])))
        return [e * font_pt * SLACK + CELL_PADDING_PT for e in out]

    want = widest(lambda t, head: text_em(t))
    tiers = [want] + [widest(lambda t, head, cap=cap: unbreakable_em(t, head, cap)) for cap in LABEL_TIERS]
    for low, high in zip(tiers, [None, *tiers]):
        if sum(low) <= total_pt:
            spare = total_pt - sum(low)
            extra = [max(h - k, 0) for h, k in zip(high, low)] if high else list(low)
            if not sum(extra):
                extra = list(low)
            return [k + spare * e / sum(extra) for k, e in zip(low, extra)]
    hard = tiers[-1]
    return [k * total_pt / sum(hard) for k in hard]


def type_area_pt(body) -> float:
    """The width between the left and right margins of the document's last section, in points."""
    sect = body.find(qn("w:sectPr"))
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    return (int(size.get(qn("w:w"))) - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))) / 20


def fit_tables(body, total_pt: float, font_pt: float = 10.5, terms: tuple[str, ...] = ()) -> None:
    """Set every table's grid and cell widths in the document ``body`` (an lxml element) from its contents, and
    break each cell's text into the lines it prints in, ``terms`` (names, enumerations) whole."""
    for tbl in body.iter(qn("w:tbl")):
        trs = tbl.findall(qn("w:tr"))
        rows = [[_cell_text(tc) for tc in tr.findall(qn("w:tc"))] for tr in trs]
        if not rows or any(len(r) != len(rows[0]) for r in rows):
            continue  # merged cells: keep the template's grid
        size = _font_pt(tbl, font_pt)
        widths = column_widths(rows, total_pt, size)
        for tr in trs:
            for tc, w in zip(tr.findall(qn("w:tc")), widths):
                _break_lines(tc, (w - CELL_PADDING_PT) / size + 0.01, terms)  # no SLACK: text_em is the widest face's
        twips = [str(int(w * 20)) for w in widths]
        grid = tbl.find(qn("w:tblGrid"))
        if grid is not None:
            for col, w in zip(grid.findall(qn("w:gridCol")), twips):
                col.set(qn("w:w"), w)
        for tr in trs:
            for tc, w in zip(tr.findall(qn("w:tc")), twips):
                tcw = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
                if tcw is not None:
                    tcw.set(qn("w:w"), w)
                    tcw.set(qn("w:type"), "dxa")


def _break_lines(tc, ems: float, terms: tuple[str, ...]) -> None:
    """Each paragraph of cell ``tc`` that is one run of text wider than ``ems`` broken into lines (w:br) at the
    places print_fit.broken_lines chooses: Word and LibreOffice break between any two Chinese characters."""
    for p in tc.findall(qn("w:p")):
        runs = p.findall(qn("w:r"))
        if len(runs) != 1 or [child.tag for child in runs[0] if child.tag != qn("w:rPr")] != [qn("w:t")]:
            continue
        t = runs[0].find(qn("w:t"))
        lines = broken_lines(t.text or "", ems, terms, text_em).split("\n")
        if len(lines) < 2:
            continue
        t.text = lines[0]
        at = t
        for line in lines[1:]:
            br, nt = OxmlElement("w:br"), OxmlElement("w:t")
            nt.text = line
            nt.set(qn("xml:space"), "preserve")
            at.addnext(br)
            br.addnext(nt)
            at = nt
