"""本单位进度 read back after LibreOffice recalculated it, and compared with report --json for the same people."""
from pathlib import Path

import openpyxl

from zoufang.contract.schema import PEOPLE, PROGRESS_SHEET, PROGRESS_TAIL

ID = PEOPLE.col("person_id").label


def progress_sheet(recalculated: Path) -> dict[str, dict]:
    """本单位进度 as LibreOffice computed it: 人员编号 → {"metrics": {指标: (figure, status)}, "status": 状态}."""
    ws = openpyxl.load_workbook(recalculated, data_only=True)[PROGRESS_SHEET]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    head = list(rows[0])
    status_at = head.index(PROGRESS_TAIL[0])
    labels = head[3:status_at]
    hidden = {h[:-len(PROGRESS_TAIL[0])]: j for j, h in enumerate(head) if j > status_at + 1 and h}
    out = {}
    for r in rows[1:]:
        if not r[0] or r[2] is None:
            break
        metrics = {label: (r[3 + j], r[hidden[label]]) for j, label in enumerate(labels) if r[hidden[label]]}
        out[r[0]] = {"metrics": metrics, "status": r[status_at]}
    return out


def reported(report: dict, people: set[str]) -> dict[str, dict]:
    """The same people in report --json: figure (ratios as fractions, None over nothing) and status per 指标."""
    return {p[ID]: {"metrics": {m: (v["actual"], v["status"]) for m, v in p["metrics"].items()},
                             "status": p["status"]} for p in report["people"] if p[ID] in people}


def same(sheet: dict, report: dict) -> list:
    """Where the workbook and the report differ (figures to 4 places, as report rounds ratios)."""
    wrong = []
    for pid, want in report.items():
        got = sheet.get(pid)
        if got is None:
            wrong.append((pid, "missing"))
            continue
        if got["status"] != want["status"]:
            wrong.append((pid, "状态", got["status"], want["status"]))
        for metric, (figure, status) in want["metrics"].items():
            g_figure, g_status = got["metrics"].get(metric, (None, None))
            g_figure = None if g_figure in (None, "") else round(float(g_figure), 4)
            if g_figure != (None if figure is None else round(float(figure), 4)) or g_status != status:
                wrong.append((pid, metric, (g_figure, g_status), (figure, status)))
        if set(got["metrics"]) != set(want["metrics"]):
            wrong.append((pid, "指标", sorted(got["metrics"]), sorted(want["metrics"])))
    return wrong
