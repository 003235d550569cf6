"""Workbooks e-mailed between the office and the units: issue one per unit, collect them back.

A unit owns the rows of its own unit and every column of them except the office's
(督办意见). Issued workbooks carry an authenticity token, an HMAC over campaign and
unit with a secret kept beside the master (never in any workbook), and a digest of
the record numbers they were issued with, so that a row the unit deleted can be
told from a row the office added later. Nothing is lost: every received file is
archived unchanged, the master is backed up and atomically replaced, and deleted
rows are kept in 已删除记录.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from defusedxml import ElementTree

from . import __version__
from .book_writer import BookContent, write_book
from .dataset import Campaign, SheetData
from .master_edit import MasterEditor, cell_value
from .names import safe_file_name
from .reading import InputError, read_campaign
from .roster import Roster, owning_units
from .safe_io import WriteRefused, atomic_write, refuse_if_open
from .schema import (
    DELETED_HEADERS, DELETED_SHEET, ENTRY_SHEETS, IMPORT_LOG_HEADERS, ISSUED_SHEET, META_ITEMS, META_SHEET, IMPORT_LOG_SHEET, PEOPLE, QUOTAS, ROLE_BUREAU_LEADER, SCHEMA_VERSION,
    SETTING_ITEMS, UNITS, Kind, Owner,
)

ARCHIVE_DIR = "回收归档"
MERGED, DUPLICATE, SUPERSEDED, REFUSED = "merged", "duplicate", "superseded", "refused"
STATUS_TEXT = {MERGED: "已合并", DUPLICATE: "重复（已合并过）", SUPERSEDED: "已有更新版本", REFUSED: "拒收"}
LOG_HEADERS = list(IMPORT_LOG_HEADERS)
LOG_UNIT, LOG_SAVED, LOG_STATUS = LOG_HEADERS[3], LOG_HEADERS[4], LOG_HEADERS[5]


# ------------------------------------------------------------------ secret and tokens
def secret_path(master: Path) -> Path:
    return Path(master).with_name(f".{Path(master).stem}.zoufang-key")


def load_secret(master: Path, create: bool = False) -> bytes:
    path = secret_path(master)
    if not path.exists():
        if not create:
            raise WriteRefused(f"找不到总台账的密钥文件 {path.name}（应与 {Path(master).name} 放在同一文件夹）。"
                               f"没有它无法核验各单位回收表的真伪；如是首次下发，请先运行 zoufang issue")
        path.write_text(secrets.token_hex(32), encoding="ascii")
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def _mac(secret: bytes, *parts: str) -> str:
    return hmac.new(secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def unit_token(secret: bytes, campaign_id: str, unit: str) -> str:
    return _mac(secret, "unit", campaign_id, unit)


def issued_digest(secret: bytes, campaign_id: str, unit: str, issued_at: str, ids: list[list[str]]) -> str:
    return _mac(secret, "issued", campaign_id, unit, issued_at, json.dumps(sorted(map(list, ids)), ensure_ascii=False))


# ------------------------------------------------------------------ values for writing
def export_values(data: SheetData) -> pd.DataFrame:
    """Each contract column's value as it should be written: typed where it parsed, else the clerk's text."""
    out = {}
    for col in data.spec.columns:
        typed = data.frame[col.key]
        text = data.text[col.key]
        if col.kind in (Kind.DATE, Kind.YESNO, Kind.NUMBER, Kind.TARGET):
            keep = typed.astype(object).where(typed.notna(), None)
            out[col.key] = keep.where(keep.notna() | (text == ""), text).where(text != "", None)
        else:
            out[col.key] = text.where(text != "", None)
    return pd.DataFrame(out, index=data.frame.index)


# ------------------------------------------------------------------ issue
@dataclass
class Issued:
    unit: str
    path: Path
    rows: int


def fill_blank_ids_in(campaign: Campaign, editor) -> int:
    """Give every row of a known unit that has no record number one (单位编码-TAG00001…), through ``editor``;
    a workbook without a campaign id (the shipped blank workbook) gets one too."""
    roster = Roster.of(campaign)
    filled = 0
    if not campaign.meta.get("campaign_id"):
        row = 2 + [m.key for m in META_ITEMS].index("campaign_id")  # _meta as book_writer lays it out
        editor.set_value(META_SHEET, f"C{row}", uuid.uuid4().hex)
        filled += 1
    for spec in ENTRY_SHEETS:
        data = campaign[spec.key]
        if not (data.present and data.has(spec.id_key)):
            continue
        blank = data.frame[spec.id_key] == ""
        if not blank.any():
            continue
        owners = owning_units(data, roster)
        counters = {}
        for i in data.frame.index[blank]:
            code = roster.unit_codes.get(owners.at[i], "")
            if not code:
                continue  # no unit can own it: it stays in the master, unissued, and check reports it
            counters.setdefault(code, _next_ids(data.frame[spec.id_key], code, spec.id_tag))
            editor.update(data, int(data.frame.at[i, "_row"]), {spec.id_key: next(counters[code])}, {})
            filled += 1
    return filled


def _has_blanks(campaign: Campaign) -> bool:
    return not campaign.meta.get("campaign_id") or any(
        campaign[s.key].has(s.id_key) and (campaign[s.key].frame[s.id_key] == "").any() for s in ENTRY_SHEETS)


def fill_blank_ids(master: Path) -> int:
    """fill_blank_ids_in on a master file: written (backup, atomic replace) only if something was filled."""
    campaign = read_campaign(master)
    if not _has_blanks(campaign):
        return 0
    refuse_if_open(master)
    with CollectLock(master):  # the same lock as collect: one writer of a master at a time
        editor = MasterEditor(master)
        filled = fill_blank_ids_in(read_campaign(master), editor)
        if filled:
            atomic_write(master, editor.save)
    return filled


def issue(master: Path, out_dir: Path, now: dt.datetime | None = None) -> list[Issued]:
    """One workbook per unit: its roster, its rows, the office's columns locked, a token in _meta.

    Master rows without a record number get one first, so that every issued row can come back.
    """
    master = Path(master)
    fill_blank_ids(master)
    return issue_campaign(read_campaign(master), load_secret(master, create=True), out_dir, now)


def issue_campaign(campaign: Campaign, secret: bytes, out_dir: Path, now: dt.datetime | None = None) -> list[Issued]:
    """issue() for a campaign already read (from a file or a live workbook)."""
    campaign_id = campaign.meta.get("campaign_id", "")
    if not campaign_id:
        raise InputError(f"{campaign.source}：_meta 中没有活动编号，不是由 zoufang 生成的总台账，无法下发")
    now = now or dt.datetime.now().replace(microsecond=0)
    issued_at = now.isoformat()
    roster = Roster.of(campaign)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    people = campaign.people
    settings = {item.key: getattr(campaign.settings, item.key, None) for item in SETTING_ITEMS}
    result = []
    used_names: set[str] = set()
    owners = {spec.key: owning_units(campaign[spec.key], roster) for spec in ENTRY_SHEETS}
    exported = {spec.key: export_values(campaign[spec.key]) for spec in ENTRY_SHEETS}
    for unit in campaign.units.loc[campaign.units["name"] != "", "name"].drop_duplicates():
        content = BookContent(settings=settings, protect_office_columns=True)
        content.frames[UNITS.key] = export_values(campaign[UNITS.key])
        mine = (people["unit"] == unit) | (people["category"] == ROLE_BUREAU_LEADER)
        content.frames[PEOPLE.key] = export_values(campaign[PEOPLE.key])[mine.to_numpy()]
        content.frames[QUOTAS.key] = export_values(campaign[QUOTAS.key])
        ids: list[list[str]] = []
        rows = 0
        for spec in ENTRY_SHEETS:
            data = campaign[spec.key]
            own = (owners[spec.key] == unit).to_numpy()
            content.frames[spec.key] = exported[spec.key][own].reset_index(drop=True)
            content.extras[spec.key] = data.extras[own].reset_index(drop=True)
            ids += [[spec.key, i] for i in data.frame.loc[own, spec.id_key] if i]
            rows += int(own.sum())
        content.meta = {"campaign_id": campaign_id, "schema_version": str(SCHEMA_VERSION), "unit": unit,
                        "issued_at": issued_at, "generator": f"zoufang {__version__}",
                        "token": unit_token(secret, campaign_id, unit),
                        "issued_digest": issued_digest(secret, campaign_id, unit, issued_at, ids)}
        content.hidden[ISSUED_SHEET] = [["sheet", "id"], *ids]
        name = safe_file_name(f"{unit}-{now:%Y%m%d}", used_names) + ".xlsx"
        target = out_dir / name
        atomic_write(target, lambda tmp, content=content: write_book(tmp, content), keep_backup=True)
        result.append(Issued(unit, target, rows))
    return result


# ------------------------------------------------------------------ collect
@dataclass
class FileResult:
    file: str
    sha256: str
    unit: str = ""
    status: str = REFUSED
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[dict] = field(default_factory=list)
    reason: str = ""
    saved_at: str = ""

    def to_json(self) -> dict:
        out = {"file": self.file, "sha256": self.sha256, "unit": self.unit, "status": self.status,
               "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
               "removed": self.removed, "rejected": self.rejected}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class CollectResult:
    master: Path
    files: list[FileResult]
    backup: Path | None = None

    def to_json(self) -> dict:
        return {"files": [f.to_json() for f in self.files]}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def saved_time(path: Path) -> str:
    """When the workbook was last saved, from its own properties (docProps/core.xml), ISO text; "" if unknown."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("docProps/core.xml")
            if info.file_size > 1 << 20:
                return ""
            root = ElementTree.fromstring(z.read(info))
    except (KeyError, zipfile.BadZipFile, OSError, ElementTree.ParseError, ValueError):
        return ""
    for tag in ("{http://purl.org/dc/terms/}modified", "{http://purl.org/dc/terms/}created"):
        node = root.find(tag)
        if node is not None and node.text:
            return node.text.strip().replace("Z", "")
    return ""


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, folders as their .xlsx/.xlsm files; Office lock files (~$…) skipped."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in (".xlsx", ".xlsm")
                          and not f.name.startswith(("~$", ".~lock")))
        else:
            out.append(p)
    return out


class CollectLock:
    """A lock file beside the master: a second collect on the same master refuses to start."""

    def __init__(self, master: Path):
        self.path = master.with_name(f".{master.name}.zoufang-lock")

    def __enter__(self):
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            holder = self.path.read_text(encoding="utf-8", errors="replace").strip() if self.path.exists() else ""
            pid = int(holder.split()[0]) if holder.split() and holder.split()[0].isdigit() else None
            if pid and not _alive(pid):
                self.path.unlink(missing_ok=True)  # left behind by a run that died
                return self.__enter__()
            raise WriteRefused(f"另一个任务（导入或下发）正在修改 {self.path.name[1:-15]}（{holder}），请等它结束后再试")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {dt.datetime.now().isoformat(timespec='seconds')}")
        return self

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def log_frame(grid: list[list] | None) -> pd.DataFrame:
    """导入记录 values as a frame of text by header."""
    if not grid:
        return pd.DataFrame(columns=LOG_HEADERS)
    header = [str(h) for h in grid[0]]
    return pd.DataFrame([dict(zip(header, r)) for r in grid[1:]], columns=LOG_HEADERS).astype(str)


def collect(master: Path, paths: list[Path], now: dt.datetime | None = None, progress=None) -> CollectResult:
    """Merge returned unit workbooks into the master; see the module docstring for the rules."""
    master = Path(master)
    refuse_if_open(master)
    with CollectLock(master):
        return _collect(master, expand_paths(paths), now or dt.datetime.now().replace(microsecond=0), progress)


def _collect(master: Path, files: list[Path], now: dt.datetime, progress) -> CollectResult:
    campaign = read_campaign(master)
    editor = MasterEditor(master)
    results = collect_into(campaign, log_frame(campaign.hidden.get(IMPORT_LOG_SHEET)), load_secret(master),
                           master.parent / ARCHIVE_DIR, files, editor, now, progress)
    backup = atomic_write(master, editor.save)
    return CollectResult(master, results, backup)


def collect_into(campaign: Campaign, log: pd.DataFrame, secret: bytes, archive: Path, files: list[Path], editor,
                 now: dt.datetime, progress=None) -> list[FileResult]:
    """Authenticate, archive and merge ``files`` into ``campaign`` through ``editor`` (not saved here)."""
    campaign_id = campaign.meta.get("campaign_id", "")
    roster = Roster.of(campaign)
    merged_hashes = set(log.loc[log[LOG_STATUS].isin([STATUS_TEXT[MERGED], STATUS_TEXT[SUPERSEDED]]), "SHA256"])
    last_saved = log[log[LOG_STATUS] == STATUS_TEXT[MERGED]].groupby(LOG_UNIT)[LOG_SAVED].max().to_dict()
    archive.mkdir(exist_ok=True)
    # Read and authenticate every file first; merge the newest submission of each unit only.
    candidates: list[tuple[FileResult, Campaign]] = []
    results: list[FileResult] = []
    for path in files:
        result = FileResult(str(path), "")
        results.append(result)
        try:
            result.sha256 = sha256_of(path)
        except OSError as exc:
            result.reason = f"无法读取文件：{exc}"
            continue
        kept = archive / f"{result.sha256}{path.suffix.lower()}"
        if not kept.exists():
            shutil.copy2(path, kept)
        result.saved_at = saved_time(path)
        if result.sha256 in merged_hashes:
            result.status = DUPLICATE
            result.unit = str(log.loc[log["SHA256"] == result.sha256, LOG_UNIT].iloc[0])
            continue
        try:
            unit_book = read_campaign(path)
        except InputError as exc:
            result.reason = str(exc)
            continue
        reason = _authenticate(unit_book, campaign, campaign_id, secret)
        result.unit = unit_book.meta.get("unit", "")
        if reason:
            result.reason = f"{path.name}：{reason}"
            continue
        result.saved_at = result.saved_at or unit_book.meta.get("issued_at", "")
        candidates.append((result, unit_book))
        if progress:
            progress(path)
    newest: dict[str, tuple[FileResult, Campaign]] = {}
    for result, unit_book in sorted(candidates, key=lambda c: c[0].saved_at):
        if result.saved_at < last_saved.get(result.unit, ""):
            result.status = SUPERSEDED
            result.reason = f"此前已合并过该单位保存时间更晚（{last_saved[result.unit]}）的回收表"
            continue
        if result.unit in newest:
            older = newest[result.unit][0]
            older.status = SUPERSEDED
            older.reason = f"同时收到该单位保存时间更晚（{result.saved_at}）的回收表"
        newest[result.unit] = (result, unit_book)
    deleted_rows: list[list] = []
    master_views: dict[str, tuple] = {}  # the master's values, owners and ids: computed once for all units
    for unit in sorted(newest):
        result, unit_book = newest[unit]
        deleted_rows += _merge(editor, campaign, roster, unit_book, result, now, master_views)
        result.status = MERGED
    log_rows = [[now, Path(r.file).name, r.sha256, r.unit, r.saved_at, STATUS_TEXT[r.status], r.added, r.updated,
                 r.unchanged, r.removed, len(r.rejected), r.reason] for r in results]
    if deleted_rows:
        editor.append_log(DELETED_SHEET, list(DELETED_HEADERS), deleted_rows)
    editor.append_log(IMPORT_LOG_SHEET, LOG_HEADERS, log_rows)
    return results


def _authenticate(unit_book: Campaign, campaign: Campaign, campaign_id: str, secret: bytes) -> str:
    """Why a returned workbook cannot be merged ("" if it can)."""
    meta = unit_book.meta
    if not meta:
        return "没有 _meta 信息，不是由本程序下发的单位工作簿"
    if meta.get("schema_version") != str(SCHEMA_VERSION):
        return f"架构版本“{meta.get('schema_version', '')}”与总台账（{SCHEMA_VERSION}）不一致"
    if meta.get("campaign_id") != campaign_id:
        return "不是本次活动下发的工作簿（活动编号不符）"
    unit = meta.get("unit", "")
    if not unit or unit not in set(campaign.units["name"]):
        return f"下发单位“{unit}”不在总台账的单位名录中"
    token = meta.get("token", "")
    if not hmac.compare_digest(token, unit_token(secret, campaign_id, unit)):
        return "校验码不符：工作簿不是本办公室下发的，或 _meta 被改动过"
    issued = unit_book.meta.get("issued_digest", "")
    ids = _issued_ids(unit_book)
    if ids is None or not hmac.compare_digest(
            issued, issued_digest(secret, campaign_id, unit, meta.get("issued_at", ""), ids)):
        return "下发记录被改动过，无法确认哪些行是单位删除的"
    return ""


def _issued_ids(unit_book: Campaign) -> list[list[str]] | None:
    grid = unit_book.hidden.get(ISSUED_SHEET)
    if grid is None:
        return None
    return [[str(r[0]), str(r[1])] for r in grid[1:] if len(r) >= 2 and r[0]]


def _same(a, b) -> bool:
    a, b = cell_value(a), cell_value(b)
    if a in ("", None) and b in ("", None):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def _next_ids(master_ids: pd.Series, unit_code: str, tag: str):
    pattern = re.compile(rf"^{re.escape(unit_code)}-{re.escape(tag)}(\d+)$")
    numbers = [int(m.group(1)) for m in map(pattern.match, master_ids.astype(str)) if m]
    n = max(numbers, default=0)
    while True:
        n += 1
        yield f"{unit_code}-{tag}{n:05d}"


def _master_view(campaign: Campaign, roster: Roster, key: str, cache: dict) -> tuple:
    if key not in cache:
        mine = campaign[key]
        index = {rid: i for i, rid in zip(mine.frame.index, mine.frame[mine.spec.id_key]) if rid}
        cache[key] = (export_values(mine).to_dict("index"), owning_units(mine, roster).to_dict(), index,
                      mine.extras.to_dict("index"), mine.frame["_row"].to_dict())
    return cache[key]


def _merge(editor, campaign: Campaign, roster: Roster, unit_book: Campaign, result: FileResult,
           now: dt.datetime, cache: dict) -> list[list]:
    """Merge one authenticated unit workbook into the master editor; return rows for 已删除记录."""
    unit = result.unit
    unit_code = roster.unit_codes.get(unit, "") or "X"
    issued = {}
    for sheet_key, rid in _issued_ids(unit_book) or []:
        issued.setdefault(sheet_key, set()).add(rid)
    deleted = []
    for spec in ENTRY_SHEETS:
        mine, theirs = campaign[spec.key], unit_book[spec.key]
        if not theirs.present:
            continue
        unit_keys = [c.key for c in spec.columns if c.owner is Owner.UNIT and c.key != spec.id_key]
        m_values, m_owner, m_index, m_extras, m_rows = _master_view(campaign, roster, spec.key, cache)
        u_values = export_values(theirs).to_dict("index")
        u_owner = owning_units(theirs, roster).to_dict()
        u_extras = theirs.extras.to_dict("index")
        u_ids, u_rows = theirs.frame[spec.id_key].to_dict(), theirs.frame["_row"].to_dict()
        new_ids = _next_ids(mine.frame[spec.id_key], unit_code, spec.id_tag)
        returned = set()
        for i in theirs.frame.index:
            row = int(u_rows[i])
            owner = u_owner[i]
            if owner and owner != unit:
                result.rejected.append({"sheet": spec.name, "cell": theirs.first_cell(row),
                                        "reason": f"第 {row} 行属于{owner}，不由{unit}报送，未合并"})
                continue
            rid = u_ids[i]
            extras = u_extras.get(i, {})
            values = {k: u_values[i][k] for k in unit_keys}
            if rid and rid in m_index:
                mi = m_index[rid]
                if m_owner[mi] and m_owner[mi] != unit:
                    result.rejected.append({"sheet": spec.name, "cell": theirs.cell(spec.id_key, row),
                                            "reason": f"编号 {rid} 在总台账中属于{m_owner[mi]}，未合并"})
                    continue
                returned.add(rid)
                changed = {k: v for k, v in values.items() if not _same(v, m_values[mi][k])}
                old_extras = m_extras.get(mi, {})
                extra_changed = {h: v for h, v in extras.items() if not _same(v, old_extras.get(h))}
                if changed or extra_changed:
                    editor.update(mine, int(m_rows[mi]), changed, extra_changed)
                    result.updated += 1
                else:
                    result.unchanged += 1
            else:
                if rid and rid in returned:
                    result.rejected.append({"sheet": spec.name, "cell": theirs.cell(spec.id_key, row),
                                            "reason": f"编号 {rid} 在回收表中重复，只合并了第一行"})
                    continue
                rid = rid or next(new_ids)
                returned.add(rid)
                editor.append(mine, {spec.id_key: rid, **values}, extras)
                result.added += 1
        gone = [rid for rid in issued.get(spec.key, set()) - returned if rid in m_index
                and m_owner[m_index[rid]] in (unit, "")]
        rows = []
        for rid in sorted(gone):
            mi = m_index[rid]
            content = {c.label: cell_value(m_values[mi][c.key]) for c in spec.columns}
            deleted.append([now, spec.name, rid, unit, Path(result.file).name, result.sha256,
                            json.dumps(content, ensure_ascii=False, default=str)])
            rows.append(int(m_rows[mi]))
        editor.delete_rows(mine, rows)  # applied at save, after every unit's updates
        result.removed += len(rows)
    return deleted
