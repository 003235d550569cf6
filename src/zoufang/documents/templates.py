"""The default Word templates of the office's written material (templates/半月简报.docx, 全面总结.docx,
接访安排.docx), built with python-docx and filled by docxtpl (Jinja tags in the text).

Page layout after GB/T 9704-2012: A4, type area 156 × 225 mm (margins top 37, bottom 35, left 28,
right 26 mm), body 仿宋 三号 (16 pt) at a fixed 28 pt line, headings 黑体 / 楷体, page numbers
"— 1 —". Fonts a machine lacks are substituted by Word or LibreOffice (Noto CJK in CI). A clerk
restyles a copy in 台账模板/ beside the master; that copy is used instead.
Rebuild with ``python -m zoufang.documents.templates DIR``.
"""
from __future__ import annotations


import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from zoufang.contract.schema import ACTIVITIES, CASES, HOLIDAYS, PEOPLE, PROBLEMS, QUOTAS, SETTINGS

BRIEF_TEMPLATE, SUMMARY_TEMPLATE, ROTA_TEMPLATE = "半月简报.docx", "全面总结.docx", "接访安排.docx"
UNIT_SUMMARY_TEMPLATE = "单位总结.docx"
DOC_TEMPLATES = (BRIEF_TEMPLATE, SUMMARY_TEMPLATE, ROTA_TEMPLATE, UNIT_SUMMARY_TEMPLATE)
# each role's face as 公文 names it (GB/T 9704: title 小标宋, body 仿宋_GB2312, headings 黑体 and 楷体_GB2312); the font
# table names, for a machine without one, the face Office in China ships (Word substitutes by w:altName)
BODY_FONT, HEADING_FONT, SUBHEADING_FONT, TITLE_FONT = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"
FONT_TABLE = {  # name: (w:altName, w:family, w:panose1)
    TITLE_FONT: ("华文中宋", "roman", "02010600040101010101"),
    BODY_FONT: ("仿宋", "modern", "02010609030101010101"),
    SUBHEADING_FONT: ("楷体", "modern", "02010609030101010101"),
    HEADING_FONT: ("SimHei", "modern", "02010609060101010101"),
}
LANGUAGE = "zh-CN"  # the East Asian language: Chinese glyph forms and punctuation from the CJK face
RED = RGBColor(0xC0, 0x00, 0x00)
TABLE_SIZE = Pt(10.5)  # 五号
# column headings that are the contract's labels
CAUSE, CASE_LEADER = CASES.col("cause").label, CASES.col("leader").label
DEADLINE, LEADER, OWNER_UNIT, STATUS = (PROBLEMS.col(k).label for k in ("deadline", "leader", "unit", "status"))
NAME, TITLE, CATEGORY = (PEOPLE.col(k).label for k in ("name", "title", "category"))
UNIT, METRIC, DATE, ITEM = (ACTIVITIES.col("unit").label, QUOTAS.col("metric").label, HOLIDAYS.col("date").label,
                            SETTINGS.col("item").label)


# ------------------------------------------------------------------ page and styles
def _east_asian(target, latin: str, east: str) -> None:
    """Set the Latin and the East Asian font of a style or run (python-docx sets only the Latin one)."""
    target.font.name = latin
    rpr = target._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), east if attr == "w:eastAsia" else latin)
    fonts.set(qn("w:hint"), "eastAsia")  # Word: characters both scripts share (“ ” — …) from the East Asian face
    for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):  # a theme font wins over a name
        fonts.attrib.pop(qn(theme), None)


def _style(doc, name: str, east: str, size: float, bold: bool = False, indent: bool = False,
           align=None, before: float = 0, after: float = 0):
    style = doc.styles[name]
    _east_asian(style, "Times New Roman", east)
    style.font.size, style.font.bold = Pt(size), bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    fmt.first_line_indent = Pt(size * 2) if indent else Pt(0)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.keep_with_next = name.startswith("Heading")
    if align is not None:
        fmt.alignment = align
    return style


def _page_number(paragraph, outside) -> None:
    """"— 1 —" in 4号 on ``paragraph``, one character in from the outside edge (GB/T 9704)."""
    paragraph.alignment = outside
    fmt = paragraph.paragraph_format
    if outside == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    paragraph.add_run(" —")
    for r in paragraph.runs:
        _east_asian(r, "Times New Roman", BODY_FONT)
        r.font.size = Pt(14)


def _page_number_footer(doc, section) -> None:
    """Page numbers at the outside corner: odd pages right, even pages left (GB/T 9704 单页码居右，双页码居左)."""
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


TEXT_WIDTH_MM = 210 - 28 - 26  # the type area of an A4 page between GB/T 9704's margins: 156 mm
TEXT_WIDTH_PT = TEXT_WIDTH_MM / 25.4 * 72
TITLE_PT = 22  # 二号
TITLE_CHARS = int((TEXT_WIDTH_PT - TITLE_PT / 2) // TITLE_PT)  # characters a title's line holds, half
# a character to spare for a client's rounding: 19


def new_document(landscape: bool = False) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _style(doc, "Normal", BODY_FONT, 16, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "Title", TITLE_FONT, TITLE_PT, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER, after=14)
    doc.styles["Title"].paragraph_format.line_spacing = Pt(36)
    _style(doc, "Heading 1", HEADING_FONT, 16, indent=True, before=6)
    _style(doc, "Heading 2", SUBHEADING_FONT, 16, indent=True)
    table = doc.styles["Table Grid"]
    _east_asian(table, "Times New Roman", BODY_FONT)
    table.font.size = TABLE_SIZE
    _page_number_footer(doc, section)
    title = doc.styles["Title"].element
    for extra in (title.pPr.find(qn("w:pBdr")), title.rPr.find(qn("w:spacing"))):  # Word's default Title: a blue
        if extra is not None:  # rule below, and letters spaced 0.25 pt apart (a 20-character line no longer fits)
            extra.getparent().remove(extra)
    _chinese(doc)
    return doc


def _chinese(doc) -> None:
    """The document's language zh-CN (python-docx's default template says en-US: LibreOffice then takes the
    Japanese forms and a Western face for “ ”), and the font table's entries for the CJK faces."""
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        defaults.append(lang)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    for style in doc.styles:
        rpr = style.element.find(qn("w:rPr"))
        own = rpr.find(qn("w:lang")) if rpr is not None else None
        if own is not None:
            own.set(qn("w:eastAsia"), LANGUAGE)
    title = doc.styles["Title"].element.get_or_add_rPr()  # a title's line may begin with “ (a quoted name after a
    lang = title.find(qn("w:lang"))  # break): LibreOffice reads that mark as Western and falls back by the Western
    if lang is None:  # language — zh-CN here, so to a CJK face, never DejaVu
        lang = OxmlElement("w:lang")
        title.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    _add_fonts(doc)


def _add_fonts(doc) -> None:
    """FONT_TABLE's entries into word/fontTable.xml (python-docx keeps that part as bytes: edited as XML here)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree
    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    fonts = etree.fromstring(part.blob)
    for name, (alt, family, panose) in FONT_TABLE.items():
        font = etree.SubElement(fonts, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:panose1", panose), ("w:charset", "86"), ("w:family", family),
                           ("w:pitch", "variable")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
             "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
             "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
             "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
             "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
             "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")  # CT_PPr's sequence: Word refuses another order


def _put(ppr, element) -> None:
    """``element`` into a paragraph's properties at its place in the schema's sequence."""
    tag = element.tag.split("}")[1]
    later = PPR_ORDER[PPR_ORDER.index(f"w:{tag}") + 1:]
    ppr.insert_element_before(element, *later)


def _bottom_rule(paragraph, color: str = "C00000", size: int = 18) -> None:
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(k), v)
    pbdr.append(bottom)
    _put(paragraph._p.get_or_add_pPr(), pbdr)


def _plain(doc, text: str, align=None, indent: bool = True):
    p = doc.add_paragraph(text)
    if align is not None:
        p.alignment = align
    if not indent:
        p.paragraph_format.first_line_indent = Pt(0)
    return p


def _intro(doc, text: str):
    """The sentence that leads into a table: kept on the page of the table's first rows."""
    p = _plain(doc, text)
    p.paragraph_format.keep_with_next = True
    return p


def _table(doc, headers: list[str], fields: list[str], rows: str, widths_mm: list[float]) -> None:
    """A table with a heading row (repeated on every page) and one row per item of ``rows`` (docxtpl {%tr %})."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j, h in enumerate(headers):
        cell = t.rows[0].cells[j]
        cell.text = h
        run = cell.paragraphs[0].runs[0]
        run.font.bold = True
        _east_asian(run, "Times New Roman", HEADING_FONT)
    for row in (t.rows[0], t.rows[2]):  # the heading row and the row repeated per item: never split over pages
        whole = OxmlElement("w:cantSplit")
        whole.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(whole)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    t.rows[0]._tr.get_or_add_trPr().append(repeat)
    t.rows[1].cells[0].text = f"{{%tr for r in {rows} %}}"
    for j, f in enumerate(fields):
        t.rows[2].cells[j].text = f"{{{{ r.{f} }}}}"
    t.rows[3].cells[0].text = "{%tr endfor %}"
    t.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    t._tbl.tblPr.append(layout)
    for column, width in zip(t.columns, widths_mm):
        column.width = Mm(width)  # the grid, which LibreOffice follows
    for row in t.rows:
        for j, cell in enumerate(row.cells):
            cell.width = Mm(widths_mm[j])  # the cells, which Word follows
            for p in cell.paragraphs:
                for run in p.runs:  # 五号 in tables: a paragraph style's 三号 would otherwise win
                    run.font.size = TABLE_SIZE
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.line_spacing = Pt(16)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER if row is t.rows[0] else WD_ALIGN_PARAGRAPH.LEFT


def _each(doc, items: str) -> None:
    """One body paragraph per item of ``items`` (docxtpl {%p for %})."""
    doc.add_paragraph(f"{{%p for line in {items} %}}")
    _plain(doc, "{{ line }}")
    doc.add_paragraph("{%p endfor %}")


def _conditional(doc, condition: str, build) -> None:
    doc.add_paragraph(f"{{%p if {condition} %}}")
    build()
    doc.add_paragraph("{%p endif %}")


# ------------------------------------------------------------------ the three documents
def brief_template() -> Document:
    doc = new_document()
    head = _plain(doc, "{{ campaign_short }}简报", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    run = head.runs[0]
    run.font.size, run.font.bold, run.font.color.rgb = Pt(36), True, RED
    _east_asian(run, "Times New Roman", TITLE_FONT)
    head.paragraph_format.line_spacing = Pt(54)
    _plain(doc, "第{{ issue_no }}期", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    line = _plain(doc, "{{ editor }}\t{{ written_cn }}", indent=False)
    line.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    _bottom_rule(line)
    _plain(doc, "")
    doc.add_paragraph("一、本期工作情况", style="Heading 1")
    _plain(doc, "{{ period_text }}")
    _plain(doc, "{{ total_text }}")
    _conditional(doc, "measures_text", lambda: _plain(doc, "{{ measures_text }}"))
    doc.add_paragraph("二、开门接访", style="Heading 1")
    _intro(doc, "{{ reception_text }}")
    _conditional(doc, "unit_weeks", lambda: _table(doc, [UNIT, "无接访的周"], ["unit", "weeks"], "unit_weeks", [60, 96]))
    doc.add_paragraph("三、领导小组例会", style="Heading 1")
    _plain(doc, "{{ meeting_text }}")
    doc.add_paragraph("四、进度滞后人员", style="Heading 1")
    _intro(doc, "{{ behind_text }}")
    _conditional(doc, "behind", lambda: _table(doc, [UNIT, NAME, CATEGORY, "滞后指标（实际/进度要求/目标）"],
                                               ["unit", "name", "role", "metrics"], "behind", [44, 18, 26, 68]))
    doc.add_paragraph("五、挂牌督办", style="Heading 1")
    _intro(doc, "{{ overdue_text }}")
    _conditional(doc, "overdue", lambda: _table(doc, ["编号", "事由", LEADER, OWNER_UNIT, "超期天数", "本期新增"],
                                                ["id", "what", "leader", "unit", "days", "new"], "overdue",
                                                [26, 44, 18, 36, 16, 16]))
    doc.add_paragraph("六、信访积案", style="Heading 1")
    _intro(doc, "{{ backlog_text }}")
    _conditional(doc, "backlog", lambda: _table(doc, ["编号", CAUSE, "原因", CASE_LEADER, OWNER_UNIT, STATUS],
                                                ["id", "what", "why", "leader", "unit", "status"], "backlog",
                                                [26, 44, 24, 18, 30, 14]))
    doc.add_paragraph("七、盘点销号", style="Heading 1")
    _intro(doc, "{{ pending_text }}")
    _conditional(doc, "pending", lambda: _table(doc, [UNIT, "已解决未销号（件）"], ["unit", "count"], "pending", [90, 66]))
    doc.add_paragraph("八、下步工作", style="Heading 1")
    _each(doc, "next_steps")
    _imprint(doc, ["报：活动领导小组各成员　　送：各二级单位", "{{ editor }}\t{{ written_cn }}印发"])
    return doc


IMPRINT_RULES = {"thick": "8", "thin": "6"}  # GB/T 9704 版记: first and last rules 0.35 mm, those between 0.25 mm
#                                            (w:sz in eighths of a point: 1 pt and 0.75 pt)


def _imprint(doc, lines: list[str]) -> None:
    """版记 at the foot of the last page (GB/T 9704): each line in a frame of its own, the frames stacked just above
    the bottom margin; a thick rule above the first line and below the last, a thin one between lines. Between two
    frames a paragraph 1 pt high: LibreOffice drops a frame that directly follows another."""
    line = Pt(32)
    bottom = Emu(Mm(297) - Mm(35))
    for k, text in enumerate(lines):
        if k:
            _plain(doc, "", WD_ALIGN_PARAGRAPH.LEFT, indent=False).paragraph_format.line_spacing = Pt(1)
        p = _plain(doc, "", WD_ALIGN_PARAGRAPH.LEFT, indent=False)
        p.add_run(text).font.size = Pt(14)
        fmt = p.paragraph_format
        fmt.tab_stops.add_tab_stop(Mm(150), WD_TAB_ALIGNMENT.RIGHT)
        fmt.left_indent = Pt(14)
        frame = OxmlElement("w:framePr")
        for key, value in (("w:wrap", "around"), ("w:vAnchor", "page"), ("w:hAnchor", "margin"), ("w:x", "0"),
                           ("w:y", str(int(Emu(bottom - line * (len(lines) - k)).twips))),
                           ("w:w", str(int(Mm(156).twips))), ("w:h", str(int(line.twips))), ("w:hRule", "exact")):
            frame.set(qn(key), value)
        ppr = p._p.get_or_add_pPr()
        _put(ppr, frame)
        rules = ({"top": "thick"} if k == 0 else {}) | {"bottom": "thick" if k == len(lines) - 1 else "thin"}
        border = OxmlElement("w:pBdr")
        for edge, weight in rules.items():
            el = OxmlElement(f"w:{edge}")
            for key, value in (("w:val", "single"), ("w:sz", IMPRINT_RULES[weight]), ("w:space", "1"),
                               ("w:color", "000000")):
                el.set(qn(key), value)
            border.append(el)
        _put(ppr, border)


def _opening(doc, title: str, addressee: str | None = None) -> None:
    """A summary's title, its 主送 (the office addressed, flush left, GB/T 9704 7.3.2) when it has one, and
    一、基本情况 with the overview. The date is the 落款's alone."""
    doc.add_paragraph(title, style="Title")
    if addressee:
        _plain(doc, addressee + "：", WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    doc.add_paragraph("一、基本情况", style="Heading 1")
    _plain(doc, "{{ overview_text }}")


def _signed(doc, who: str) -> None:
    """The next steps, then the 落款."""
    _each(doc, "next_steps")
    _sign(doc, who)


BODY_PT = 16  # 三号
DATE_RIGHT_PT = 4 * BODY_PT  # GB/T 9704 7.3.5.1: 成文日期右空四字


def _sign(doc, who: str) -> None:
    """The 落款 after a blank line: the date four characters in from the right, the organ centred above it
    (GB/T 9704 7.3.5.1); an organ too long to centre there (``sign_centred`` false) ends at the right margin."""
    _plain(doc, "")

    def centred() -> None:  # a centre tab at the date's centre, which its width decides: set when filled
        p = _plain(doc, "\t" + who, WD_ALIGN_PARAGRAPH.LEFT, indent=False)
        tab = p.paragraph_format.tab_stops.add_tab_stop(Pt(0), WD_TAB_ALIGNMENT.CENTER)
        tab._tab.set(qn("w:pos"), "{{ sign_tab }}")
    _conditional(doc, "sign_centred", centred)
    _conditional(doc, "not sign_centred", lambda: _plain(doc, who, WD_ALIGN_PARAGRAPH.RIGHT, indent=False))
    date = _plain(doc, "{{ written_cn }}", WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    date.paragraph_format.right_indent = Pt(DATE_RIGHT_PT)


def summary_template() -> Document:
    doc = new_document()
    _opening(doc, "{{ title }}")
    _conditional(doc, "measures_text", lambda: _plain(doc, "{{ measures_text }}"))
    doc.add_paragraph("二、各类人员指标完成情况", style="Heading 1")
    _intro(doc, "{{ quota_text }}")
    _table(doc, [CATEGORY, METRIC, "目标", "人数", "完成人数", "完成人员占比"],
           ["role", "metric", "target", "people", "met", "share"], "quotas", [36, 30, 20, 20, 24, 26])
    doc.add_paragraph("三、“四个一批”成效", style="Heading 1")
    _intro(doc, "{{ four_text }}")
    _table(doc, [ITEM, "数量", "统计说明"], ["item", "count", "basis"], "four", [50, 20, 86])
    doc.add_paragraph("四、信访形势", style="Heading 1")
    _intro(doc, "{{ petition_text }}")
    _table(doc, ["月份", "天数", "接访人次", "日均人次", "其中当场解决"], ["month", "days", "count", "per_day", "on_spot"],
           "months", [52, 20, 28, 28, 28])
    chart = _plain(doc, "{{ chart }}", WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    chart.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line would crop the picture
    chart.paragraph_format.space_before = Pt(12)  # clear of the table's bottom border
    doc.add_paragraph("五、移交“回头看”事项", style="Heading 1")
    _plain(doc, "{{ handover_text }}")
    closing = len(doc.paragraphs)
    doc.add_paragraph("六、下步打算", style="Heading 1")
    _each(doc, "next_steps")
    _conditional(doc, "handover", lambda: _plain(doc, f"附件：{HANDOVER_ANNEX}"))
    _sign(doc, "{{ organizer_office }}")
    for paragraph in doc.paragraphs[closing:-1]:  # the next steps, 附件说明 and 落款 on one page: never a 落款 alone
        paragraph.paragraph_format.keep_with_next = True
    _conditional(doc, "handover", lambda: _annex(doc, HANDOVER_ANNEX, lambda: _table(
        doc, ["编号", "事由", OWNER_UNIT, DEADLINE, STATUS], ["id", "what", "unit", "deadline", "status"], "handover",
        [26, 46, 34, 32, 18])))
    _imprint(doc, ["报：活动领导小组各成员　　送：各二级单位", "{{ editor }}\t{{ written_cn }}印发"])
    return doc


HANDOVER_ANNEX = "移交“回头看”事项清单"


def _annex(doc, title: str, body) -> None:
    """An 附件 after the 落款 (GB/T 9704 8.1): on a page of its own, "附件" in 黑体 at the top left, its title, then
    ``body``."""
    from docx.enum.text import WD_BREAK
    mark = _plain(doc, "", WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    mark.add_run().add_break(WD_BREAK.PAGE)
    run = mark.add_run("附件")
    _east_asian(run, "Times New Roman", HEADING_FONT)
    doc.add_paragraph(title, style="Title").paragraph_format.keep_with_next = True
    body()


def unit_summary_template() -> Document:
    """A unit's own 全面总结, the written material it hands the office at the end (GB/T 9704 like the bureau's)."""
    doc = new_document()
    _opening(doc, "{{ title }}", "{{ addressee }}")
    doc.add_paragraph("二、人员指标完成情况", style="Heading 1")
    _intro(doc, "本单位有个人指标的干部逐人完成情况如下（实际/目标）。")
    _table(doc, [NAME, CATEGORY, "各项指标", "总体"], ["name", "role", "metrics", "overall"], "members",
           [18, 30, 88, 20])
    doc.add_paragraph("三、问题、接访和包案", style="Heading 1")
    _plain(doc, "{{ work_text }}")
    doc.add_paragraph("四、结对帮扶、问政和联系点", style="Heading 1")
    _plain(doc, "{{ care_text }}")
    doc.add_paragraph("五、移交“回头看”事项", style="Heading 1")
    _intro(doc, "{{ handover_text }}")
    _conditional(doc, "handover", lambda: _table(doc, ["编号", "事由", DEADLINE, STATUS],
                                                 ["id", "what", "deadline", "status"], "handover", [30, 66, 36, 24]))
    doc.add_paragraph("六、下步打算", style="Heading 1")
    _signed(doc, "{{ unit }}")
    _imprint(doc, ["{{ unit }}\t{{ written_cn }}印发"])
    return doc


def rota_template() -> Document:
    doc = new_document()
    doc.add_paragraph("局领导开门接访安排", style="Title")
    _intro(doc, "{{ intro_text }}")
    _table(doc, [DATE, "星期", "接访领导", TITLE], ["date", "weekday", "leader", "title"], "days",
           [46, 38, 30, 42])  # one place for all days: said once below the table (接访地点)
    _conditional(doc, "holiday_text", lambda: _plain(doc, "{{ holiday_text }}"))
    _plain(doc, "{{ where_text }}")
    _plain(doc, "{{ contact_text }}")
    _plain(doc, "{{ organizer }}", WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _plain(doc, "{{ written_cn }}", WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    return doc


BUILDERS = {BRIEF_TEMPLATE: brief_template, SUMMARY_TEMPLATE: summary_template, ROTA_TEMPLATE: rota_template,
            UNIT_SUMMARY_TEMPLATE: unit_summary_template}


def build_doc_templates(folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, make in BUILDERS.items():
        doc = make()
        doc.core_properties.author = "zoufang"
        path = folder / name
        doc.save(path)
        out.append(path)
    return out


if __name__ == "__main__":
    for p in build_doc_templates(Path(sys.argv[1] if len(sys.argv) > 1 else "templates")):
        print(p)
