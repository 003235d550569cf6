"""How wide a sheet's columns print, on the machine that makes them widest.

A column width is stored in characters of the workbook's default font; each client turns it into pixels with the
widest digit of that font as it has it. Excel with Calibri (or LibreOffice with Carlito) takes 7 px a character;
LibreOffice without Carlito, or with 宋体 as the default font, falls back to DejaVu Sans and takes 9.5 px. A sheet
fitted to the page width is shrunk by the ratio, so its columns are sized here for the widest case: text set at
10 pt then prints at 9 pt or more everywhere.
"""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable

from zoufang.contract.cells import display_width

WIDEST_DIGIT_PX = 9.5  # LibreOffice's fallback for a default font it lacks (DejaVu Sans 11): width 10 → 100 px
NARROWEST_DIGIT_PX = 7.0  # Excel's Calibri 11, LibreOffice's Carlito: the largest print, which pages are planned for
PAPER_POINTS = {9: (595.3, 841.9), 8: (841.9, 1190.6), 11: (419.5, 595.3)}  # A4, A3, A5 (portrait w, h)


def stored_width(width: float) -> float:
    """The width XlsxWriter stores for a column set to ``width`` characters: Calibri's 5 px of padding added."""
    return (int(width * NARROWEST_DIGIT_PX + 0.5) + 5) / NARROWEST_DIGIT_PX


def column_points(width: float, digit_px: float = WIDEST_DIGIT_PX) -> float:
    """A column width in character units as points on the printed sheet. The file stores the width with Calibri's
    5 px of padding as characters (XlsxWriter and openpyxl alike); a client multiplies that by its ``digit_px``."""
    return stored_width(width) * digit_px * 0.75


def span_px(widths: list[float]) -> int:
    """The pixels columns ``widths`` span on the narrowest client: a chart wider than that widens the printed area
    beyond the columns and shrinks the whole page."""
    return int(sum(column_points(w, NARROWEST_DIGIT_PX) for w in widths) / 0.75)


def printable_width(paper: int, landscape: bool, left_in: float, right_in: float) -> float:
    w, h = PAPER_POINTS.get(paper or 9, PAPER_POINTS[9])
    return (h if landscape else w) - (left_in + right_in) * 72


def fit_scale(widths: list[float], paper: int, landscape: bool, left_in: float, right_in: float,
              digit_px: float = WIDEST_DIGIT_PX) -> float:
    """The fit-to-width scale of columns ``widths`` (1 when they fit) on the client that takes ``digit_px`` a
    character: by default the widest-rendering one, where the text prints smallest."""
    content = sum(column_points(w, digit_px) for w in widths) or 1
    return min(1.0, printable_width(paper, landscape, left_in, right_in) / content)


LINE_PT = 13.5  # a line of 10 pt text
PAGES_TALL = 999  # fit to one page wide and as many tall as it takes. Not 0 ("automatic"), which LibreOffice reads
#                   so that it dropped the last row of a 150-row 校验结果 (15 pages printed of 16) — except where a
#                   sheet's own page breaks must hold (the ledgers): LibreOffice keeps them only with 0


def wrapped_lines(value, width: float) -> int:
    """How many lines a text cell of ``width`` characters wraps to at 10 pt (CJK characters count two, one
    character of padding): the clients do not refit the height of a row a writer set or left alone."""
    if not isinstance(value, str) or not value:
        return 1
    room = max(int(width) - 1, 1)
    lines = 0
    for part in value.split("\n"):
        wide = text_units(part)
        longest = max((text_units(w) for w in _LATIN_WORD.findall(part)), default=0)
        lines += max(math.ceil(wide / room), 1) + (wide > room and longest >= 6)  # a long word of letters and
    return lines  # digits goes whole to the next line: the line before it ends short


_LATIN_WORD = re.compile(r"[A-Za-z0-9/_.:-]{2,}")
_WIDE_LATIN = set("MWmw@%")
_CJK_MARKS = set("“”‘’…—·")  # of ambiguous width: drawn full width from the CJK face beside Chinese text


def _weighed(text: str, weights: tuple[float, float, float, float]) -> float:
    """The sum over ``text`` of ``weights``: (CJK and full-width forms, M and W, other capitals, the rest)."""
    cjk, wide, upper, rest = weights
    total = 0.0
    for ch in text:
        if ch in _CJK_MARKS or display_width(ch) == 2:
            total += cjk
        elif ch in _WIDE_LATIN:
            total += wide
        elif ch.isupper():
            total += upper
        else:
            total += rest
    return total


@functools.lru_cache(maxsize=65536)
def text_units(text: str) -> float:
    """The width of ``text`` at 10 pt in character units of a column (7 px at 100 %): CJK and full-width forms 2,
    M and W 1.8, other capitals 1.3, the rest — figures, small letters — 1.05, as the clients' fallback faces draw
    them (Noto Sans CJK for 宋体, DejaVu Sans in the widest case, where a column is wider too)."""
    return _weighed(text, (2, 1.8, 1.3, 1.05))


def text_points(text: str, size: float = 10) -> float:
    """How wide ``text`` prints at ``size`` in the widest face a client may fall back to (a pessimistic sum: CJK and
    full-width forms one em, M and W 0.95, other capitals 0.75, the rest — digits, small letters — 0.62)."""
    return _weighed(text, (1.0, 0.95, 0.75, 0.62)) * size


def row_height(values: list, widths: list[float]) -> float:
    """The height in points of a row of 10 pt text whose cells wrap in columns ``widths``."""
    return LINE_PT * max([wrapped_lines(v, w) for v, w in zip(values, widths)] or [1]) + 3


NO_LINE_START = frozenset("、，。；：？！）》」』】〉”’…%,.;:?!)]}")  # marks a line never begins with (Chinese 避头点)
NO_LINE_END = frozenset("（《「『【〈“‘([{")  # nor ends with


_DAY_OR_FIGURE = (r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日"  # a day, a month
                  r"|[!-~]*\d[!-~]*(?: ?[户人次件天条项个周期名位岁元])?"  # a figure with its measure (21 户, 45/45)
                  r"|[!-~]+")  # a run of letters, figures and signs (P0046, TSG-ZF00184)
_BREAK_RANK = {**dict.fromkeys("　；。！？;", 3), **dict.fromkeys("、，：）》”,:)", 2), " ": 1}  # after these


_DAY_FIGURE_OR_CHAR = re.compile(_DAY_OR_FIGURE + "|.", re.S)


@functools.lru_cache(maxsize=8)
def _terms_by_first(terms: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for t in sorted(set(terms), key=len, reverse=True):
        if t:
            index.setdefault(t[0], []).append(t)
    return {k: tuple(v) for k, v in index.items()}


def _words(text: str) -> list[str]:
    """``text`` as jieba segments it into words (rjieba)."""
    import rjieba
    return rjieba.cut(text)


def _word_ends(text: str) -> list[int]:
    """Where each Chinese word of ``text`` ends, ascending."""
    ends, at = [], 0
    for word in _words(text):
        at += len(word)
        ends.append(at)
    return ends


def _tokens(text: str, terms: tuple[str, ...]) -> list[str]:
    """``text`` as the pieces a line keeps whole: the longest of ``terms`` starting here, else a day, a figure
    with its measure or a run of letters and figures, else a Chinese word up to where a term begins."""
    index, out, at = _terms_by_first(terms), [], 0
    ends = _word_ends(text)
    while at < len(text):
        term = next((t for t in index.get(text[at], ()) if text.startswith(t, at)), None)
        end = at + len(term) if term else _DAY_FIGURE_OR_CHAR.match(text, at).end()
        if not term and end == at + 1 and display_width(text[at]) == 2 and text[at] not in _BREAK_RANK:
            word_end = next((e for e in ends if e > at), end)
            end = next((k for k in range(at + 1, word_end) if text[k] in index and any(
                text.startswith(t, k) for t in index[text[k]])), word_end)
        out.append(text[at:end])
        at = end
    return out


def broken_lines(text: str, chars: float, terms: tuple[str, ...] = (),
                 measure: Callable[[str], float] = display_width) -> str:
    """``text`` broken ("\n") into lines of at most ``chars`` units of ``measure`` (by default display units: CJK
    two, the rest one, as Excel counts) — fewer than any client fits in the cell, so none wraps them again (Calc,
    Excel and Word break anywhere between two Chinese characters and keep no mark off a line's start). A day, a
    figure with its measure word, a run of letters and figures, each of ``terms`` (names, enumerations) and each
    Chinese word stays whole on a line where it fits; a line ends after a mark or a space where one falls in its
    second half (after ；。 before 、，：, before a space); no line begins with 、，。… nor ends with （“…; a paragraph
    does not end in a line of one character (孤字) where the line above can give it another. A text that fits is
    returned as it is."""
    if not isinstance(text, str) or measure(text) <= chars:
        return text
    out = []
    for part in text.split("\n"):
        lines: list[list[str]] = []
        line: list[str] = []
        tokens = _tokens(part, terms)[::-1]  # a stack: the next token last
        while tokens:
            token = tokens.pop()
            words = _words(token) if measure(token) > chars else [token]
            if len(words) > 1:  # a name longer than a line goes over lines between its own words
                tokens.extend(words[::-1])
                continue
            while measure(token) > chars:  # a word longer than a line: broken inside, where the line ends
                head = _prefix(token, chars - measure("".join(line)), measure) if line else ""
                if not head:
                    if line:
                        lines.append(line)
                    head = _prefix(token, chars, measure) or token[0]
                    line = []
                lines.append(line + [head])
                line, token = [], token[len(head):]
            if line and measure("".join(line) + token) > chars:
                cut = _best_cut(line, token, chars, measure)
                lines.append(line[:cut])
                line = line[cut:]
            line.append(token)
        lines.append(line)
        _no_lone_last_character(lines)
        out.append("\n".join("".join(x) for x in lines))
    return "\n".join(out)


def _no_lone_last_character(lines: list[list[str]]) -> None:
    """A paragraph's last line of one Chinese character takes the single character before it ("补发演出补/贴" →
    "补发演出/补贴") where that leaves the line above at least three tokens and breaks no mark rule."""
    if len(lines) < 2 or len(lines[-2]) < 4 or len("".join(lines[-1])) != 1:
        return
    moved = lines[-2][-1]
    if len(moved) == 1 and display_width(moved) == 2 and moved not in NO_LINE_START and moved not in NO_LINE_END \
            and lines[-2][-2][-1] not in NO_LINE_END:
        lines[-1].insert(0, lines[-2].pop())


def _prefix(token: str, room: float, measure: Callable[[str], float]) -> str:
    """The longest start of ``token`` that takes at most ``room`` (empty when not even one character fits)."""
    k = 0
    while k < len(token) and measure(token[:k + 1]) <= room:
        k += 1
    return token[:k]


def _best_cut(line: list[str], token: str, chars: float, measure: Callable[[str], float]) -> int:
    """Where ``line`` (tokens) ends when ``token`` does not fit after it: the allowed cut with the strongest break
    after it in the line's second half, the latest of those; else the latest allowed; else the whole line."""
    best, best_key = len(line), None
    for cut in range(1, len(line) + 1):
        after = (line[cut:] or [token])[0]
        if after[0] in NO_LINE_START or after[0] in " 　" or line[cut - 1][-1] in NO_LINE_END:
            continue
        key = (_BREAK_RANK.get(line[cut - 1][-1], 0) if 2 * measure("".join(line[:cut])) >= chars else -1, cut)
        if best_key is None or key > best_key:
            best, best_key = cut, key
    return best
