"""Checking a master's audit log end to end, and asking it about one record or cell (CLI.md: audit, history)."""
from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from zoufang.audit.trail import DECISION_TEXT, OUTSIDE, log_path, mac_of, read_entries, sha256_file
from zoufang.contract.periods import cn_moment
from zoufang.contract.schema import META_SHEET


def shown_time(iso: str) -> str:
    """An entry's time as 2026年12月6日 14:02 (the text as written where it is not a time)."""
    try:
        return cn_moment(dt.datetime.fromisoformat(iso))
    except (TypeError, ValueError):
        return str(iso or "")


@dataclass
class Verdict:
    """What ``verify`` found: entries, first and last time, and the first broken entry with why."""

    entries: int
    first: str = ""
    last: str = ""
    broken: int | None = None  # the position (1-based) of the first bad entry; 0: the master, not an entry
    reason: str = ""

    @property
    def intact(self) -> bool:
        return not self.reason

    def line(self) -> str:
        if not self.entries and self.intact:
            return "审计日志：还没有记录"
        span = (f"共 {self.entries} 条，{shown_time(self.first)} 至 {shown_time(self.last)}" if self.entries
                else "没有记录")
        if self.intact:
            return f"审计日志完整：{span}"
        where = f"第 {self.broken} 条" if self.broken else "总台账"
        return f"审计日志不完整：{span}；{where}：{self.reason}"

    def to_json(self) -> dict:
        return {"entries": self.entries, "first": self.first, "last": self.last, "intact": self.intact,
                "broken_entry": self.broken, "reason": self.reason, "text": self.line()}


def master_meta(master: Path) -> dict[str, str]:
    """The master's _meta as key → value (the sheet alone, read fast)."""
    book = CalamineWorkbook.from_path(str(master))
    if META_SHEET not in book.sheet_names:
        return {}
    rows = book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)
    return {str(r[0]).strip(): str(r[2]) for r in rows[1:] if len(r) > 2 and r[0] not in (None, "")}


def verify(master: Path, key: bytes) -> Verdict:
    """Walk the chain: each entry numbered in order, linked to the one before, its MAC right under the master's
    key; then the master: its SHA-256 the last one logged, its _meta's log position one the log holds."""
    master = Path(master)
    entries = read_entries(master, with_body=True)
    verdict = Verdict(len(entries))
    if not entries:
        if not log_path(master).exists() and not master_meta(master).get("log_head"):
            return verdict
        verdict.broken, verdict.reason = 0, "总台账记有审计日志的位置，日志文件却不在或为空（被删除？）"
        return verdict
    verdict.first, verdict.last = entries[0].get("time", ""), entries[-1].get("time", "")
    meta = master_meta(master)
    previous = ""
    seqs = [e.get("seq") for e in entries]
    for i, entry in enumerate(entries, start=1):
        why = _entry_fault(entry, i, previous, key, meta.get("campaign_id", ""), i in seqs[i:])
        if why:
            verdict.broken, verdict.reason = i, why
            return verdict
        previous = entry["mac"]
    why = _master_fault(master, entries, meta)
    if why:
        verdict.broken, verdict.reason = 0, why
    return verdict


def _entry_fault(entry: dict, i: int, previous: str, key: bytes, campaign_id: str, found_later: bool) -> str:
    """Why entry number ``i`` is bad ("" when it is not); ``found_later``: entry ``i`` stands further down."""
    if "_bad" in entry or "mac" not in entry or "seq" not in entry:
        return "不是完整的记录（被改动或截断）"
    seq = int(entry.get("seq") or 0)
    if seq != i and found_later:
        return f"序号为 {seq}，第 {i} 条在它之后：记录被调换"
    if seq > i:
        return f"序号为 {seq}：第 {i} 至 {seq - 1} 条被删除"
    if seq < i:
        return f"序号为 {seq}：记录被调换或重复"
    if entry.get("prev", "") != previous:
        return "与前一条记录的链接不符：其前的记录被删除、调换或改动"
    if entry.get("alg") != "HMAC-SHA256":
        return f"校验算法“{entry.get('alg')}”不是本程序使用的算法"
    if not entry["_body"] or not hmac.compare_digest(str(entry["mac"]), mac_of(key, entry["_body"], previous)):
        if i == 1 and campaign_id and entry.get("campaign", campaign_id) != campaign_id:
            return "这份日志属于另一个总台账（活动编号不同）"
        return "内容被改动（校验码不符），或不是这个总台账的日志（密钥不同）"
    return ""


def _master_fault(master: Path, entries: list[dict], meta: dict[str, str]) -> str:
    """Why the master does not match the log ("" when it does): _meta's log position first, then its SHA-256."""
    head = meta.get("log_head", "")
    seq_text, _, prev = head.partition(":")
    seq = int(seq_text) if seq_text.isdigit() else 0
    if seq > len(entries):
        return f"日志被截断：总台账由第 {seq} 条记录写入，日志只有 {len(entries)} 条"
    if seq and entries[seq - 1].get("prev", "") != prev:
        return "总台账记下的日志位置与这份日志不符（不是这个总台账的日志？）"
    now = sha256_file(master)
    if now != entries[-1].get("master_after"):
        older = next((e["seq"] for e in reversed(entries) if e.get("master_after") == now), None)
        if older:
            return f"总台账是第 {older} 条记录时的版本，不是最后记录的版本（被换成了旧备份？）"
        return "总台账在最后一条记录之后被修改过（在 zoufang 之外）；下次运行 zoufang 时会把改动记入日志"
    writer = next((e for e in reversed(entries) if e.get("command") != OUTSIDE
                   and e.get("master_before") != e.get("master_after")), None)
    if writer and seq and seq < int(writer["seq"]):
        return f"总台账由第 {seq} 条记录写入，其后第 {writer['seq']} 条又改写过总台账：这是较早的版本"
    return ""


def history(master: Path, key: str) -> list[dict]:
    """Every logged change to a record (``TSG-ZF00048``) or a cell (``走访记录!G9``), in order."""
    sheet, _, cell = key.partition("!")
    out = []
    for entry in read_entries(master):
        for c in entry.get("changes", []) if isinstance(entry.get("changes"), list) else []:
            hit = (c.get("sheet") == sheet and c.get("cell", "").upper() == cell.upper()) if cell else \
                c.get("record") == key
            if hit:
                out.append({"seq": entry.get("seq"), "time": entry.get("time"), "user": entry.get("user"),
                            "host": entry.get("host"), "command": entry.get("command"), **c,
                            "decision_text": DECISION_TEXT.get(c.get("decision", ""), c.get("decision", ""))})
    return out


def history_line(h: dict) -> str:
    """One Chinese line of a change."""
    who = h.get("source") or f"{h.get('user', '')}@{h.get('host', '')}"
    where = f"{h['sheet']}!{h['cell']}" if h.get("cell") else h["sheet"]
    what = f"{h.get('column', '')}：“{h.get('old', '')}” → “{h.get('new', '')}”"
    if h.get("offered"):
        what += f"（单位发回“{h['offered']}”，未采用）"
    if h.get("reason"):
        what += f"（{h['reason']}）"
    return f"{shown_time(h.get('time', ''))}　{where}　{h.get('record', '')}　{what}　来源：{who}　{h['decision_text']}"
