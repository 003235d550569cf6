"""The master's audit log: one JSON line per command that wrote the master or handed personal data out, each
chained to the one before by an HMAC keyed by the master's key (docs/AUDIT.md, CLI.md).

An entry holds its sequence number, the time (local and UTC), the OS account and computer, the command, the
master's SHA-256 before and after, the files taken or refused, and every cell changed (cell_states). Its ``mac``
is HMAC(key, previous mac + the entry's canonical JSON without ``mac``), the algorithm named in ``alg``. The
master's ``_meta`` holds ``log_head`` — "N:mac of entry N-1" for the entry N that wrote it — so that a truncated
log, an older master or another master's log is found. zoufang never deletes or rotates the log.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

from zoufang.files.names import sidecar_name
from zoufang.files.safe_io import file_digest

ALG = "HMAC-SHA256"
OUTSIDE = "总台账在 zoufang 之外被修改"
MERGED, CONFLICT_KEPT, REFUSED, BY_HAND, BY_ZOUFANG = "merged", "conflict kept", "refused", "by hand", "by zoufang"
DECISION_TEXT = {MERGED: "已合并", CONFLICT_KEPT: "冲突，保留总台账原值", REFUSED: "拒收", BY_HAND: "手工修改",
                 BY_ZOUFANG: "zoufang 修改"}


def log_path(master: Path) -> Path:
    return Path(master).with_name(sidecar_name(f".{Path(master).stem}", ".zoufang-log"))


def state_path(master: Path) -> Path:
    """A copy of the master as last logged: what a change made outside zoufang is compared with."""
    master = Path(master)
    return master.with_name(sidecar_name(f".{master.stem}", f".zoufang-state{master.suffix.lower()}"))


MAC_TAIL = re.compile(r',"mac":"([0-9a-f]{64})"}$')


def canonical(entry: dict) -> str:
    """The entry without ``mac`` as one line of JSON, keys sorted: the text its MAC is computed over."""
    return json.dumps({k: v for k, v in entry.items() if k != "mac"}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str)


def mac_of(key: bytes, body: str, previous: str) -> str:
    """HMAC-SHA256 under ``key`` of the previous entry's mac and this entry's ``body`` (canonical)."""
    return hmac.new(key, previous.encode("ascii") + b"\n" + body.encode("utf-8"), hashlib.sha256).hexdigest()


def split_line(line: str) -> tuple[str, str]:
    """A log line as (body, mac): the line is the body with ``,"mac":"…"}`` in place of its closing brace.
    ("", "") where it does not end so."""
    line = line.rstrip("\r\n")
    m = MAC_TAIL.search(line)
    return (line[:m.start()] + "}", m.group(1)) if m else ("", "")


def sha256_file(path: Path) -> str:
    return file_digest(Path(path))[1] if Path(path).exists() else ""


def who() -> dict:
    """The OS account and the computer's name (Windows and POSIX alike)."""
    try:
        user = getpass.getuser()
    except Exception:  # no account name in the environment (a service)
        user = ""
    return {"user": user, "host": platform.node()}


@dataclass
class Entry:
    """One command's record before it is chained."""

    command: str
    before: str = ""  # the master's SHA-256 before the command ("" for init)
    after: str = ""
    files: list[dict] = field(default_factory=list)  # name, sha256, unit, status (, reason, receipt)
    changes: list[dict] = field(default_factory=list)  # sheet, record, cell, column, old, new, source, decision
    outputs: list[str] = field(default_factory=list)  # files handed out (ledgers, reports with names)
    note: str = ""
    campaign: str = ""  # the master's 活动编号


def read_entries(master: Path, with_body: bool = False) -> list[dict]:
    """The log's entries as written (a line that is not JSON is kept as {"_bad": line}); ``with_body``: each
    with "_body", the text its MAC covers (verify)."""
    path = log_path(master)
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8", errors="replace", newline="\n") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                entry = {"_bad": line[:200]}
            if not isinstance(entry, dict):
                entry = {"_bad": line[:200]}
            if with_body:
                entry["_body"] = split_line(line)[0]
            out.append(entry)
    return out


RECEIVED = ("merged", "duplicate", "superseded")


def units_received(master: Path) -> dict[str, dt.datetime]:
    """Each unit's latest file that collect took (merged, an exact duplicate or superseded), by the log: a return
    that changed nothing leaves the master untouched (CLI.md), so only the log knows of it. Local times, naive."""
    out: dict[str, dt.datetime] = {}
    for entry in read_entries(master):
        if entry.get("command") != "collect":
            continue
        try:
            at = dt.datetime.fromisoformat(str(entry.get("time"))).astimezone().replace(tzinfo=None)
        except ValueError:
            continue
        for f in entry.get("files") or []:
            if isinstance(f, dict) and f.get("status") in RECEIVED and f.get("unit"):
                out[f["unit"]] = max(out.get(f["unit"], at), at)
    return out


def last_of(entries: list[dict]) -> tuple[int, str]:
    """(sequence, mac) of the last entry; (0, "") for none."""
    if not entries:
        return 0, ""
    last = entries[-1]
    return int(last.get("seq", 0) or 0), str(last.get("mac", ""))


def head_for(entries: list[dict]) -> str:
    """What ``_meta``'s log_head says of a master the next entry writes: "N:mac of entry N-1"."""
    seq, mac = last_of(entries)
    return f"{seq + 1}:{mac}"


def append(master: Path, key: bytes, entry: Entry, now: dt.datetime | None = None) -> dict:
    """Chain ``entry`` to the log of ``master`` and append it (flushed to disk); the written entry."""
    entries = read_entries(master)
    seq, previous = last_of(entries)
    now = (now or dt.datetime.now()).astimezone()
    record = {"seq": seq + 1, "time": now.isoformat(timespec="seconds"),
              "utc": now.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
              **who(), "command": entry.command, "master_before": entry.before, "master_after": entry.after,
              "files": entry.files, "changes": entry.changes, "outputs": entry.outputs, "note": entry.note,
              "campaign": entry.campaign, "alg": ALG, "prev": previous}
    body = canonical(record)
    record["mac"] = mac_of(key, body, previous)
    with open(log_path(master), "a", encoding="utf-8", newline="\n") as fh:
        fh.write(body[:-1] + f',"mac":"{record["mac"]}"}}\n')
        fh.flush()
        os.fsync(fh.fileno())
    return record
