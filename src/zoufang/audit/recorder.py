"""What a command tells the audit log: the master's state before and after, and whose file changed what.

``Recorder(master, command)`` is made when the command has the master (under its lock): it first logs any change
made outside zoufang since the last entry (compared with the copy kept of the master as last logged), then gives
the ``log_head`` the command writes into ``_meta``; ``record`` appends the command's entry and keeps the copy.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from zoufang.audit.cell_states import changes_between, states_of
from zoufang.audit.trail import (
    BY_HAND, MERGED, OUTSIDE, Entry, append, head_for, read_entries, sha256_file, state_path,
)
from zoufang.reading.dataset import Campaign
from zoufang.reading.roster import Roster, owning_units


class Recorder:
    def __init__(self, master: Path, command: str, key: bytes, campaign: Campaign | None = None):
        """``key``: the master's (exchange.secret_key); ``campaign``: the master as the command read it (else read
        here when a change outside is found)."""
        self.master, self.command = Path(master), command
        self.key = key
        self.entries = read_entries(self.master)
        self.before = sha256_file(self.master)
        self._campaign = campaign
        if self.entries and self.before and self.before != self.entries[-1].get("master_after"):
            self._log_outside()

    @property
    def campaign(self) -> Campaign:
        if self._campaign is None:
            from zoufang.reading.reader import read_campaign
            self._campaign = read_campaign(self.master)
        return self._campaign

    def _log_outside(self) -> None:
        """An entry for the change made outside zoufang: the cells that differ from the master as last logged."""
        last = self.entries[-1].get("master_after", "")
        kept = state_path(self.master)
        entry = Entry(OUTSIDE, before=last, after=self.before, campaign=self.campaign.meta.get("campaign_id", ""))
        if kept.exists() and sha256_file(kept) == last:
            from zoufang.reading.reader import read_campaign
            entry.changes = [{**c, "source": "手工修改（在 zoufang 之外）", "decision": BY_HAND}
                             for c in changes_between(states_of(read_campaign(kept)), states_of(self.campaign))]
        else:
            entry.note = "找不到上次记录时的总台账副本，无法列出改动的单元格"
        self.entries.append(append(self.master, self.key, entry))

    def head(self) -> str:
        """``_meta``'s log_head for the master this command writes."""
        return head_for(self.entries)

    def record(self, entry: Entry) -> dict:
        """Append ``entry`` (its before/after filled in) and keep a copy of the master as now logged."""
        entry.before = entry.before or self.before
        entry.campaign = entry.campaign or self.campaign.meta.get("campaign_id", "")
        entry.after = sha256_file(self.master)
        if entry.after != self.before or not state_path(self.master).exists():
            shutil.copyfile(self.master, state_path(self.master))
        written = append(self.master, self.key, entry)
        self.entries.append(written)
        return written


def attributed(changes: list[dict], after: Campaign, before: Campaign, sources: dict[str, str]) -> list[dict]:
    """``changes`` with their source file: the merged file of the unit owning the record (``sources``: unit →
    file name) — the unit of its row, else of its number's prefix (TSG-ZF00230: 市图书馆) — or the only one
    merged."""
    only = next(iter(sources.values())) if len(sources) == 1 else ""
    owners: dict[tuple[str, str], str] = {}
    for campaign in (before, after):
        roster = Roster.of(campaign)
        for data in campaign.sheets.values():
            if not data.present or not data.spec.id_key or not data.has(data.spec.id_key) or not data.spec.unit_from:
                continue
            units = owning_units(data, roster)
            owners |= {(data.spec.name, rid): unit for rid, unit in zip(data.text[data.spec.id_key], units) if rid}
    codes = dict(zip(after.sheets["units"].text["code"], after.sheets["units"].text["name"])) \
        if "units" in after.sheets and after.sheets["units"].has("code") else {}
    out = []
    for c in changes:
        unit = owners.get((c["sheet"], c["record"]), "") or codes.get(c["record"].split("-")[0], "")
        out.append({**c, "source": sources.get(unit, only), "unit": unit, "decision": MERGED})
    return out


def log_handout(book: Path, command: str, outputs: list[Path], key: bytes, campaign: Campaign | None = None) -> None:
    """Log a command that handed personal data out (ledgers, the report workbook, documents with names): the
    files it wrote. Nothing is logged when it wrote none."""
    if outputs:
        recorder = Recorder(book, command, key, campaign)
        recorder.record(Entry(command, outputs=[str(p) for p in outputs], note=f"生成 {len(outputs)} 个文件"))
