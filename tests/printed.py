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
            lines: dict[float, list] = {}
            for c in page.chars:
                if c["text"].strip():
                    lines.setdefault(round(c["top"], 1), []).append(c)
            boxes = []
            for cs in lines.values():  # a line split where it jumps a gap: one box per cell's text
                cs.sort(key=lambda c: c["x0"])
                run = [cs[0]]
                for c in cs[1:] + [None]:
                    if c is not None and c["x0"] - run[-1]["x1"] < 4:
                        run.append(c)
                        continue
                    boxes.append((min(x["top"] for x in run), max(x["bottom"] for x in run), run[0]["x0"],
                                  run[-1]["x1"], "".join(x["text"] for x in run)))
                    run = [c]
            boxes.sort()
            for i, (top, bottom, x0, x1, text) in enumerate(boxes):
                below = [b for b in boxes[i + 1:] if b[2] < x1 and b[3] > x0 and b[0] >= top + 1]
                if below:
                    nearest = min(below, key=lambda b: b[0])
                    if nearest[0] - bottom < gap:
                        out.append((number, text[:30], nearest[4][:30]))
    return out
