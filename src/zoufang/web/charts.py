"""Charts as SVG written here: no script, no asset from the internet, readable when printed.

A stacked horizontal bar per row (a unit, a role), one segment per status, with the counts
written in the segments and a legend above.
"""
from __future__ import annotations

from html import escape

STATUS_COLOURS = {"已完成": "#2e7d32", "按进度": "#81c784", "滞后": "#e53935", "未完成": "#8e0000"}
ROW, LABEL, GAP, LEGEND = 26, 150, 6, 28


def stacked_bars(rows: list[tuple[str, dict[str, int]]], colours: dict[str, str] = STATUS_COLOURS,
                 width: int = 720, title: str = "") -> str:
    """One bar per (label, counts by segment); segments in the order of ``colours``; bars scaled to the largest."""
    largest = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    label_px = max(LABEL, 14 * max((len(label) for label, _ in rows), default=0) + 12)  # every name whole
    width += label_px - LABEL
    span = width - label_px - 40 - 14 * 12  # room after the bar for the counts of segments too narrow to hold one
    height = LEGEND + len(rows) * (ROW + GAP) + 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}"><title>{escape(title)}</title>']
    x = label_px
    for name, colour in colours.items():
        out.append(f'<rect x="{x}" y="6" width="14" height="14" fill="{colour}"/>'
                   f'<text x="{x + 18}" y="18" font-size="13">{escape(name)}</text>')
        x += 30 + 14 * len(name)
    for i, (label, counts) in enumerate(rows):
        y = LEGEND + i * (ROW + GAP)
        out.append(f'<text x="{label_px - 8}" y="{y + ROW * 0.68:.0f}" font-size="13" text-anchor="end">'
                   f'{escape(label)}</text>')
        x = float(label_px)
        narrow = []
        for name, colour in colours.items():
            n = int(counts.get(name, 0))
            if not n:
                continue
            w = span * n / largest
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW}" fill="{colour}">'
                       f'<title>{escape(label)} {escape(name)} {n} 人</title></rect>')
            if w >= 9 * len(str(n)) + 8:
                out.append(f'<text x="{x + w / 2:.1f}" y="{y + ROW * 0.68:.0f}" font-size="12" fill="#fff" '
                           f'text-anchor="middle">{n}</text>')
            else:
                narrow.append(f"{name} {n}")
            x += w
        total = sum(int(v) for v in counts.values())
        after = f"共 {total}" + (f"（{'，'.join(narrow)}）" if narrow else "")
        out.append(f'<text x="{x + 6:.1f}" y="{y + ROW * 0.68:.0f}" font-size="12" fill="#555">{escape(after)}</text>')
    out.append("</svg>")
    return "".join(out)

