"""Reading rendered pages back: the text of each page of a PDF, and which tables' rows it holds."""
from __future__ import annotations

import re
from pathlib import Path

ROW_ID = re.compile(r"^\s*[A-Z]{2,4}-([A-Z]{2})\d{5}", re.M)
HEADINGS = {"ZF": "走访对象", "DY": "计入天数", "JF": "来访人", "BA": "案件事由", "WT": "问题描述",
            "WZ": "已回复数", "HD": "活动类型"}  # by record tag


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, line by line as laid out."""
    import pdfplumber
    with pdfplumber.open(pdf) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def flat(text: str) -> str:
    return "".join(text.split())


def pages_without_headings(pages: list[str]) -> list[tuple[int, str]]:
    """(page, table tag) for every page holding a row of a table (a line that starts with its record
    number) but not that table's column headings."""
    return [(i, tag) for i, text in enumerate(pages, start=1)
            for tag in sorted({m.group(1) for m in ROW_ID.finditer(text)}) if HEADINGS[tag] not in flat(text)]


def smallest_body_text(pdf: Path, margin: float = 45) -> float:
    """The smallest character size on any page, page header and footer bands aside (points)."""
    import pdfplumber
    sizes = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            sizes += [c["size"] for c in page.chars
                      if c["text"].strip() and margin < c["top"] and c["bottom"] < page.height - margin]
    return min(sizes)


FURNITURE = re.compile(r"^(.*活动$|个 ?人 ?台 ?账|姓名：|活动期间：|统计截止：|第 ?\d+ ?页|本人签字|单位负责人|日期：|"
                       r"[一二三四五六七八九十]+、|计入天数：)")
SECTION = re.compile(r"^([一二三四五六七八九十]+、|计入天数：)")


def is_heading_line(line: str) -> bool:
    """A line that frames a page rather than fills it: titles, the person's line, section headings, a table's column
    headings, page numbers and signature lines."""
    text = line.strip()
    return not text or bool(FURNITURE.match(text)) or any(h in flat(text) for h in HEADINGS.values()) or (
        "指标" in text and "目标" in text)


def pages_of_headings_only(pages: list[str]) -> list[int]:
    """Pages (after the cover) holding only headings and signature lines."""
    return [i for i, text in enumerate(pages, start=1) if i > 1 and all(is_heading_line(x) for x in text.splitlines())]


def pages_ending_in_a_section_heading(pages: list[str]) -> list[tuple[int, str]]:
    """Pages whose last line of content is a section heading (三、调研记录) or its note: the table is on the next page."""
    out = []
    for i, text in enumerate(pages, start=1):
        body = [x.strip() for x in text.splitlines() if x.strip() and not re.match(r"^(第 ?\d+ ?页|本人签字|单位负责人)", x.strip())]
        if body and SECTION.match(body[-1]):
            out.append((i, body[-1]))
    return out


def overlapping_text(pdf: Path, share: float = 0.25) -> list[tuple[int, str, str]]:
    """(page, text, text) of characters drawn over one another (a line clipped by its row spills onto the next):
    their boxes meet over more than ``share`` of the smaller one's height and width."""
    import pdfplumber
    out = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            chars = sorted((c for c in page.chars if c["text"].strip()), key=lambda c: c["x0"])
            for i, a in enumerate(chars):
                for b in chars[i + 1:]:
                    if b["x0"] >= a["x1"]:
                        break
                    dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                    dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                    if (dx > share * min(a["width"], b["width"])
                            and dy > share * min(a["bottom"] - a["top"], b["bottom"] - b["top"])):
                        out.append((number, a["text"], b["text"]))
    return out


def crowded_lines(pdf: Path, gap: float = 1.0) -> list[tuple[int, str, str]]:
    """(page, line, next line) of text lines printed closer than ``gap`` points one above the other where they
    share some width: a row too low for its wrapped text pushes its lines onto its neighbours (LibreOffice clips
    them at the row's edges), where rows that fit keep their lines apart."""
    import pdfplumber
    out = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            boxes = _line_boxes(page)  # a line split where it jumps a gap: one box per cell's text
            for i, (top, bottom, x0, x1, text, _) in enumerate(boxes):
                below = [b for b in boxes[i + 1:] if b[2] < x1 and b[3] > x0 and b[0] >= top + 1]
                if below:
                    nearest = min(below, key=lambda b: b[0])
                    if nearest[0] - bottom < gap:
                        out.append((number, text[:30], nearest[4][:30]))
    return out


def smallest_text(pdf: Path) -> float:
    """The smallest character size anywhere on the pages, running heads and page numbers included (points)."""
    return smallest_body_text(pdf, margin=-1)


def _line_boxes(page) -> list[tuple[float, float, float, float, str, float]]:
    """(top, bottom, x0, x1, text, size) of each run of characters on one line with no gap wider than 4 points."""
    lines: dict[float, list] = {}
    for c in page.chars:
        if c["text"].strip():
            lines.setdefault(round(c["top"], 1), []).append(c)
    boxes = []
    for cs in lines.values():
        cs.sort(key=lambda c: c["x0"])
        run = [cs[0]]
        for c in cs[1:] + [None]:
            if c is not None and c["x0"] - run[-1]["x1"] < 4:
                run.append(c)
                continue
            boxes.append((min(x["top"] for x in run), max(x["bottom"] for x in run), run[0]["x0"], run[-1]["x1"],
                          "".join(x["text"] for x in run), run[0]["size"]))
            run = [c]
    return sorted(boxes)


def _printed_width(text: str, size: float) -> float:
    """A text's width at ``size`` as the narrowest client draws it: a Chinese character as Excel draws 宋体 (15 px at
    11 pt: 1.03 em), anything else 0.6 em (DejaVu's figures are 0.64)."""
    return sum(1.03 * size if ord(ch) > 0x2E80 else 0.6 * size for ch in text)


WHOLE_PATTERNS = (r"\d{4}年\d{1,2}月\d{1,2}日", r"[A-Z]{2,4}-[A-Z]{2}\d{5}")  # a day; a record number


def split_words(pdf: Path, terms: list[str], patterns: tuple[str, ...] = WHOLE_PATTERNS,
                tables_only: bool = False) -> list:
    """(page, line, next line, word) where a printed line ends inside one of ``terms`` (or a match of
    ``patterns``) that its cell is wide enough to hold on one line, and the line just below it in the same cell —
    starting at the same left edge or centred on the same middle, less than half a line away — goes on with the
    rest of it. A cell runs between the column rules around the line (the page's text width without rules; with
    ``tables_only`` such lines — a document's running text, justified and broken anywhere — are not looked at)."""
    import pdfplumber
    found = re.compile("|".join([re.escape(t) for t in sorted(set(terms), key=len, reverse=True) if len(t) > 1]
                                + list(patterns)))
    out = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            boxes = _line_boxes(page)
            rules = [e for e in page.edges if e["orientation"] == "v"]
            for top, bottom, x0, x1, text, size in boxes:
                around = [e["x0"] for e in rules if e["top"] <= top and e["bottom"] >= bottom]
                if tables_only and not (any(x <= x0 + 1 for x in around) and any(x >= x1 - 1 for x in around)):
                    continue
                left = max([x for x in around if x <= x0 + 1], default=36)
                right = min([x for x in around if x >= x1 - 1], default=page.width - 36)
                below = [b for b in boxes if 0 <= b[0] - bottom < size * 0.6 and (
                    abs(b[2] - x0) < 1.5 or abs((b[2] + b[3]) - (x0 + x1)) < 3)]
                for b in below:
                    joined = text + b[4]
                    for m in found.finditer(joined):
                        if m.start() < len(text) < m.end() and _printed_width(m.group(), size) < right - left - 4:
                            out.append((number, text[-12:], b[4][:12], m.group()))
    return out


def table_widths(pdf: Path, right_margin: dict[bool, float]) -> list[tuple[int, float]]:
    """(page, share) of the printable width spanned by the rules of each page that has a table: from the page's
    leftmost rule (the left margin) to the paper's edge less ``right_margin`` (points, by landscape or not)."""
    import pdfplumber
    out = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            edges = [(e["x0"], e["x1"]) for e in page.edges if e["orientation"] == "h"]
            if edges:
                left, right = min(a for a, _ in edges), max(b for _, b in edges)
                out.append((number, (right - left) / (page.width - right_margin[page.width > page.height] - left)))
    return out


def words_kept_whole(path: Path) -> list[str]:
    """What a clerk reads as one word: people's and units' names, the contract's headings and choices, metrics and
    statuses."""
    from zoufang.contract import schema
    from zoufang.reading.reader import read_campaign
    campaign = read_campaign(path)
    return [*campaign.people["name"], *campaign.units["name"], *schema.PERSONAL_METRICS, *schema.QUOTA_SUBJECTS,
            *[c for sheet in schema.ALL_SHEETS for col in sheet.columns for c in (*col.choices, col.label)],
            "已完成", "按进度", "滞后", "未完成"]
