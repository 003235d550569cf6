"""Collect: the unit workbooks that come back by e-mail, merged into the master.

A unit owns the rows of its own unit and every column of them except the office's (督办意见).
Nothing is lost: every received file is archived unchanged, the master is backed up and atomically
replaced, and deleted rows are kept in 已删除记录. The row rules themselves live in ``merge``; the
tokens a return is checked against are made by ``issue``.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from zoufang.contract.schema import (
    BASE_SHEET, DELETED_HEADERS, DELETED_SHEET, ENTRY_SHEETS, IMPORT_LOG_HEADERS, IMPORT_LOG_SHEET, ISSUED_SHEET, SCHEMA_VERSION,
)
from zoufang.contract.errors import os_error_text
from zoufang.contract.periods import cn_moment, moment
from zoufang.audit.cell_states import changes_between, states_of
from zoufang.audit.receipts import RECEIPTS_DIR, receipt_name, write_receipt
from zoufang.audit.recorder import Recorder, attributed
from zoufang.audit.trail import CONFLICT_KEPT, Entry
from zoufang.audit.trail import REFUSED as AUDIT_REFUSED
from zoufang.exchange.issue import base_digest, complete_master_meta, issued_digest, same_mac, unit_token, write_meta
from zoufang.exchange.master_edit import MasterEditor
from zoufang.exchange.mail_drafts import DRAFT_DIR, Drafts
from zoufang.exchange.mail_letters import receipt_drafts
from zoufang.exchange.mail_returns import OUTLOOK_MSG_TEXT, Mail, Unpacked, unit_addresses, unpack_messages
from zoufang.exchange.master_lock import MasterLock
from zoufang.exchange.merge import MergeRun, RowOutcome, merge_unit_book
from zoufang.exchange.passwords import MAX_SPIN_COUNT, CostlyEncryption, decrypt_with, is_encrypted, load_passwords
from zoufang.exchange.secret_key import load_secret
from zoufang.files.file_props import REFUSED_SUFFIXES, WORKBOOK_SUFFIXES, as_utc, parse_moment
from zoufang.files.workbook_file import WorkbookFile
from zoufang.files.safe_io import atomic_write, copy_verified, file_digest, refuse_if_open
from zoufang.reading.dataset import Campaign
from zoufang.reading.reader import InputError, read_campaign

ARCHIVE_DIR = "回收归档"
MERGED, DUPLICATE, SUPERSEDED, REFUSED = "merged", "duplicate", "superseded", "refused"
STATUS_TEXT = {MERGED: "已合并", DUPLICATE: "重复", SUPERSEDED: "已被更新的回收表取代", REFUSED: "拒收"}
LOG_HEADERS = list(IMPORT_LOG_HEADERS)
LOG_UNIT, LOG_SAVED, LOG_STATUS = LOG_HEADERS[3], LOG_HEADERS[4], LOG_HEADERS[5]


# ------------------------------------------------------------------ collect
@dataclass
class FileResult(RowOutcome):
    """One received file: what became of it, and its rows' outcome."""

    file: str = ""
    sha256: str = ""
    unit: str = ""
    status: str = REFUSED
    reason: str = ""
    order_moment: dt.datetime | None = None  # when this submission is ordered by (its saved time, or arrival)
    receipt: str = ""  # the receipt written for it (回执/…)
    mail: Mail | None = None  # the message it came attached to

    @property
    def changed(self) -> bool:
        """The master must be written: rows changed, or conflicts to keep in 导入记录."""
        return self.status == MERGED and bool(self.added or self.updated or self.removed or self.conflicts)

    @property
    def clean(self) -> bool:
        """Nothing for the office to do: merged or an exact duplicate with no row rejected and no conflict, or an
        older copy of a unit whose newer copy merged (CLI.md)."""
        return self.status in (MERGED, DUPLICATE, SUPERSEDED) and not self.rejected and not self.conflicts

    def summary(self) -> str:
        """One Chinese line: what became of the file and, if merged, its counts."""
        name = Path(self.file).name
        line = f"{name}：{self.unit + ' ' if self.unit else ''}{STATUS_TEXT[self.status]}"
        if self.status == MERGED:
            line += (f"（新增 {self.added}，修改 {self.updated}，删除 {self.removed}，冲突 {len(self.conflicts)}，"
                     f"拒收 {len(self.rejected)}，未变 {self.unchanged}）")
        if self.reason:
            line += f"：{self.reason.removeprefix(name + '：')}"
        return line

    def to_json(self) -> dict:
        out = {"file": self.file, "sha256": self.sha256, "unit": self.unit, "status": self.status,
               "status_text": STATUS_TEXT[self.status], "added": self.added, "updated": self.updated,
               "unchanged": self.unchanged, "removed": self.removed, "rejected": self.rejected,
               "conflicts": self.conflicts}
        if self.notes:
            out["notes"] = self.notes
        if self.reason:
            out["reason"] = self.reason
        if self.receipt:
            out["receipt"] = self.receipt
        if self.mail:
            out["mail"] = asdict(self.mail)
        return out


@dataclass
class CollectResult:
    master: Path
    files: list[FileResult]
    backup: Path | None = None
    written: bool = False
    notices: list[str] = field(default_factory=list)
    drafts: Drafts | None = None  # with mail: a reply per unit carrying its receipts

    @property
    def exit_code(self) -> int:
        """0 when every file is clean (merged, a duplicate or superseded, no row rejected, no conflict); 1 when the
        office must act, or when no file was found (CLI.md)."""
        return 0 if self.files and all(f.clean for f in self.files) else 1

    def to_json(self) -> dict:
        return {"files": [f.to_json() for f in self.files], **({"mail": self.drafts.to_json()} if self.drafts else {})}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder as every entry in it (Office's lock files ``~$…`` and hidden files aside, which
    ``skipped_entries`` names). Nothing else is passed over: what is not a workbook file is refused with its reason."""
    out = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            out += sorted(f for f in p.iterdir() if not f.name.startswith(("~$", ".")))
        else:
            out.append(p)
    return out


def skipped_entries(paths: list[Path]) -> list[str]:
    """What a folder given to collect holds that is not read at all, each with why."""
    out = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            for f in sorted(p.iterdir()):
                if f.name.startswith("~$"):
                    out.append(f"跳过 {f.name}：Excel 或 WPS 打开文件时留下的锁文件，不是回收表")
                elif f.name.startswith("."):
                    out.append(f"跳过 {f.name}：隐藏文件，不是回收表")
    return out


def not_a_regular_file(path: Path) -> str:
    """Why ``path`` cannot be read as a returned workbook without opening it ("" if it can)."""
    try:
        mode = path.stat().st_mode  # follows a link: what would be read
    except FileNotFoundError:
        return "链接指向的文件不存在" if path.is_symlink() else "找不到文件"
    except OSError as exc:
        if exc.errno == errno.ELOOP or getattr(exc, "winerror", 0) == 1921:  # ERROR_CANT_RESOLVE_FILENAME
            return "是循环的链接（链接最终又指向自己），没有可读的文件，未读取"
        return os_error_text(exc)
    if stat.S_ISDIR(mode):
        return "是文件夹（文件夹中的文件夹不读取，请把回收表直接放在所给的文件夹中）"
    if not stat.S_ISREG(mode):
        return "不是普通文件（管道、设备或特殊文件），未读取"
    return ""


CLOCK_SLACK = dt.timedelta(minutes=10)  # PCs' clocks differ a little; more than this is a wrong clock


def order_time(saved: dt.datetime | None, issued_at: str, arrived: dt.datetime) -> tuple[dt.datetime, str]:
    """The time a submission is ordered by, and why if it is not the file's own saved time.

    A saved time is trusted when it lies between the issue and now; a file without one,
    or saved by a PC whose clock is ahead or behind, is ordered by when it arrived, so
    that a wrong clock never blocks a later genuine submission.
    """
    issued = parse_moment(issued_at, naive_is_utc=False)
    if saved is None:
        return arrived, "文件没有保存时间，按收到的时间排序"
    if saved > arrived + CLOCK_SLACK:
        return arrived, f"保存时间 {cn_moment(saved)} 晚于现在，保存它的电脑时钟可能不准，按收到的时间排序"
    if issued and saved < issued - CLOCK_SLACK:
        return arrived, f"保存时间 {cn_moment(saved)} 早于下发时间，保存它的电脑时钟可能不准，按收到的时间排序"
    return saved, ""


def log_frame(grid: list[list] | None) -> pd.DataFrame:
    """导入记录 values as a frame of text by header."""
    if not grid:
        return pd.DataFrame(columns=LOG_HEADERS)
    header = [str(h) for h in grid[0]]
    frame = pd.DataFrame([dict(zip(header, r)) for r in grid[1:]], columns=LOG_HEADERS)
    frame[LOG_SAVED] = [_as_text_moment(v) for v in frame[LOG_SAVED]]
    return frame.fillna("").astype(str)


def _as_text_moment(value):
    """A 保存时间 cell as ISO text with its offset: a date-time cell is this computer's time (older logs hold text)."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value.astimezone().isoformat() if isinstance(value, dt.datetime) else value


def collect(master: Path, paths: list[Path], now: dt.datetime | None = None, progress=None,
            mail: bool = False) -> CollectResult:
    """Merge returned unit workbooks into the master; written (backup, atomic replace) only if something changed.
    With ``mail``, a reply draft per unit carrying its receipts (回执/邮件/)."""
    master = Path(master)
    refuse_if_open(master)
    with MasterLock(master):
        result = _collect(master, expand_paths(paths), now or moment(), progress, mail)
    result.notices += skipped_entries(paths)
    return result


def _collect(master: Path, files: list[Path], now: dt.datetime, progress, mail: bool = False) -> CollectResult:
    campaign = read_campaign(master)
    recorder = Recorder(master, "collect", load_secret(master, create=True), campaign)
    before = states_of(campaign)
    editor = MasterEditor(master)
    notices = complete_master_meta(campaign, editor)
    unpacked = unpack_messages(files, master.parent / ARCHIVE_DIR)
    results = collect_into(campaign, log_frame(campaign.hidden.get(IMPORT_LOG_SHEET)), load_secret(master),
                           master.parent / ARCHIVE_DIR, unpacked.files, editor, now, progress, force_log=bool(notices),
                           passwords=load_passwords(master), mail=unpacked.mail)
    results = with_mail(results, unpacked)
    written = bool(notices) or any(r.changed for r in results)
    if written:
        write_meta(campaign, editor, {"log_head": recorder.head()})
    backup = atomic_write(master, editor.save) if written else None
    changes = []
    if written:
        after = editor.saved_campaign or read_campaign(master)
        sources = {r.unit: Path(r.file).name for r in results if r.status == MERGED}
        changes = attributed(changes_between(before, states_of(after)), after, campaign, sources)
    recorder.record(Entry("collect", files=_receipts(master, results, changes, now, campaign.settings.name),
                          changes=changes + _not_taken(results)))
    drafts = receipt_drafts(campaign, results, master.parent / RECEIPTS_DIR / DRAFT_DIR, now) if mail else None
    return CollectResult(master, results, backup, written, notices + cleared_rows_text(editor.cleared), drafts)


def noted_mail(result: "FileResult", mail: Mail | None, addresses: dict[str, list[str]]) -> None:
    """A workbook that came by mail says so (sender, date, subject: into 导入记录 and the log), whether its name is
    its unit's, and whether its sender is one of the unit's 联系邮箱 (``addresses``; noted, never refused)."""
    if mail is None:
        return
    result.mail = mail
    result.note(None, None, mail.note())
    if result.unit and result.unit not in mail.attachment:
        result.note(None, None, f"附件名“{mail.attachment}”不含单位名称，已按工作簿中的下发记录认定为{result.unit}")
    known = addresses.get(result.unit) or []
    if result.unit and known and mail.address.casefold() not in {a.casefold() for a in known}:
        result.note(None, None, f"发件人 {mail.address or '（无地址）'} 不是{result.unit}登记的联系邮箱"
                                f"（{'；'.join(known)}），工作簿仍按下发记录接收，请核实是否由该单位发出")


def with_mail(results: list["FileResult"], unpacked: Unpacked) -> list["FileResult"]:
    """The results, then each message without a workbook as a refused file with its reason."""
    return results + [FileResult(file=str(p), reason=f"{p.name}：{why}") for p, why in unpacked.empty.items()]


def _receipts(master: Path, results: list["FileResult"], changes: list[dict], now: dt.datetime,
              name: str) -> list[dict]:
    """A receipt per file (回执/ beside the master); the log's list of files."""
    folder, used, out = master.parent / RECEIPTS_DIR, set(), []
    for r in results:
        mine = [c for c in changes if c["source"] == Path(r.file).name] if r.status == MERGED else []
        path = write_receipt(receipt_name(folder, r.unit, r.file, now, used), r, STATUS_TEXT[r.status], mine, now,
                             name)
        r.receipt = str(path)
        out.append({"name": Path(r.file).name, "sha256": r.sha256, "unit": r.unit, "status": r.status,
                    "reason": r.reason, "receipt": str(path.relative_to(master.parent)),
                    **({"mail": asdict(r.mail)} if r.mail else {})})
    return out


def _not_taken(results: list["FileResult"]) -> list[dict]:
    """Conflicts (the office's value kept) and rejected rows, for the log: what a unit sent and the master did
    not take."""
    out = []
    for r in results:
        source = Path(r.file).name
        out += [{"sheet": c["sheet"], "record": c.get("record", ""), "cell": c.get("cell") or "",
                 "column": c.get("column", ""), "old": c.get("office", ""), "new": c.get("office", ""),
                 "offered": c.get("unit", ""), "source": source, "unit": r.unit, "decision": CONFLICT_KEPT,
                 "reason": c.get("reason", "")} for c in r.conflicts]
        out += [{"sheet": x.get("sheet", ""), "record": "", "cell": x.get("cell") or "", "column": "", "old": "",
                 "new": "", "source": source, "unit": r.unit, "decision": AUDIT_REFUSED, "reason": x.get("reason", "")}
                for x in r.rejected]
    return out


def cleared_rows_text(cleared: dict[str, dict[int, list[str]]]) -> list[str]:
    """One Chinese line per record row emptied instead of deleted, naming the office's cells kept beside it."""
    return [f"{sheet}!{row}：记录已删除，但这一行还有局活动办公室自己的内容（{'、'.join(cells)}），"
            f"所以只清空了记录的单元格，整行保留" for sheet, rows in cleared.items() for row, cells in sorted(rows.items())]


def _previous_order(log: pd.DataFrame) -> dict[str, dt.datetime]:
    """The order time of each unit's newest merged submission, from 导入记录."""
    merged = log[log[LOG_STATUS] == STATUS_TEXT[MERGED]]
    out: dict[str, dt.datetime] = {}
    for unit, text in zip(merged[LOG_UNIT], merged[LOG_SAVED]):
        moment = parse_moment(str(text).replace(" UTC", "").replace(" ", "T"), naive_is_utc=True)  # UTC before 0.2
        if moment and (unit not in out or moment > out[unit]):
            out[unit] = moment
    return out


@dataclass
class ReturnReader:
    """Archives, opens (decrypting with the unit's password), identifies and authenticates returned files."""

    campaign: Campaign
    secret: bytes
    archive: Path
    merged_hashes: dict[str, str]
    arrived: dt.datetime
    passwords: dict[str, str]
    scratch: Path  # where decrypted copies live for the run, removed after it

    def read(self, path: Path, result: FileResult) -> Campaign | None:
        """The authenticated workbook of ``path``; None (with the result's reason) if it cannot merge."""
        why = not_a_regular_file(path)
        if why:
            result.reason = f"{path.name}：{why}"
            return None
        try:
            result.sha256 = sha256_of(path)
        except OSError as exc:
            result.reason = f"{path.name}：无法读取文件（{os_error_text(exc)}）"
            return None
        kept = self.archive / f"{result.sha256}{path.suffix.lower()[:8]}"
        if not kept.exists() or file_digest(kept)[1] != result.sha256:  # missing, or cut short by a full disk: (re)made
            copy_verified(path, kept)
        if result.sha256 in self.merged_hashes:
            result.status, result.unit = DUPLICATE, self.merged_hashes[result.sha256]
            return None
        if path.suffix.lower() == ".msg":
            result.reason = f"{path.name}：{OUTLOOK_MSG_TEXT}"
            return None
        if path.suffix.lower() not in WORKBOOK_SUFFIXES and path.suffix.lower() not in REFUSED_SUFFIXES:
            result.reason = f"{path.name}：不是工作簿（只接收 {'、'.join(WORKBOOK_SUFFIXES)}）"
            return None
        source, opened_as = self._opened(path, result)
        if source is None:
            return None
        with WorkbookFile(source) as package:  # opened once: the reader and every question below ask it
            try:
                unit_book = read_campaign(source, package)
            except InputError as exc:
                result.reason = str(exc).replace(source.name, path.name)
                return None
            unit_book.unusable = package.unusable_cells({s.name for s in ENTRY_SHEETS})
            return self._identified(path, package, unit_book, opened_as, result)

    def _opened(self, path: Path, result: FileResult) -> tuple[Path | None, str]:
        """The file to read: ``path`` itself, or its decrypted copy and the unit whose password opened it."""
        if not is_encrypted(path):
            return path, ""
        named = max((u for u in self.passwords if u and u in path.name), key=len, default="")
        try:
            found = decrypt_with(path, self.passwords, first=named)
        except CostlyEncryption as exc:
            result.reason = (f"{path.name}：加密设置异常——打开密码要计算 {exc.args[0]:,} 次（Excel、WPS 和 LibreOffice "
                             f"保存时最多 {MAX_SPIN_COUNT:,} 次），可能是恶意构造的文件，未尝试密码，未合并。"
                             f"请单位用 Excel、WPS 或 LibreOffice 重新保存后发回")
            return None, ""
        if found is None:
            result.reason = (f"{path.name}：工作簿设置了打开密码，但不是下发时给任何单位的密码，无法打开（总台账未改动）。"
                             f"请单位用密码通知单上的密码保存后重新发回" if self.passwords else
                             f"{path.name}：工作簿设置了打开密码，而本次活动下发时没有加密，不知道密码。请单位去掉密码后重新发回")
            return None, ""
        unit, plain = found
        copy = self.scratch / f"{result.sha256}{path.suffix.lower()[:8]}"
        copy.write_bytes(plain)
        return copy, unit

    def _identified(self, path: Path, package: WorkbookFile, unit_book: Campaign, opened_as: str,
                    result: FileResult) -> Campaign | None:
        campaign = self.campaign
        reason = _authenticate(unit_book, campaign, campaign.meta.get("campaign_id", ""), self.secret)
        result.unit = unit_book.meta.get("unit", "")
        if not reason and opened_as and opened_as != result.unit:
            reason = f"用{opened_as}的密码打开的，却是下发给{result.unit}的工作簿，未合并"
        if reason:
            result.reason = f"{path.name}：{reason}"
            return None
        if opened_as:
            result.note(None, None, f"加密的回收表，已用{opened_as}的密码打开")
        elif result.unit in self.passwords:
            result.note(None, None, "这份回收表没有加密（下发时已加密）：已接收；请提醒单位发回时保持密码")
        result.order_moment, why = order_time(package.saved_time, unit_book.meta.get("issued_at", ""),
                                              as_utc(self.arrived))
        if why:
            result.note(None, None, why)
        return unit_book


def collect_into(campaign: Campaign, log: pd.DataFrame, secret: bytes, archive: Path, files: list[Path], editor,
                 now: dt.datetime, progress=None, force_log: bool = False,
                 passwords: dict[str, str] | None = None, mail: dict[Path, Mail] | None = None) -> list[FileResult]:
    """Authenticate, archive and merge ``files`` into ``campaign`` through ``editor`` (not saved here).

    ``passwords``: each unit's, to open encrypted returns; ``mail``: the message each file came attached to. The
    logs are written only if some file changed the master (or ``force_log``).
    """
    merged = log[log[LOG_STATUS] == STATUS_TEXT[MERGED]]
    last_order = _previous_order(log)
    addresses = unit_addresses(campaign)
    archive.mkdir(exist_ok=True)
    candidates: list[tuple[FileResult, Campaign]] = []
    results: list[FileResult] = []
    with tempfile.TemporaryDirectory(prefix="zoufang-") as scratch:
        reader = ReturnReader(campaign, secret, archive, dict(zip(merged["SHA256"], merged[LOG_UNIT])), now,
                              passwords or {}, Path(scratch))
        for path in files:
            result = FileResult(file=str(path))
            results.append(result)
            if campaign.path is not None and _same_file(Path(path), campaign.path):
                result.reason = f"{Path(path).name}：这是总台账本身，不是单位发回的工作簿"
                continue
            unit_book = reader.read(Path(path), result)
            noted_mail(result, (mail or {}).get(Path(path)), addresses)
            if unit_book is not None:
                candidates.append((result, unit_book))
            if progress:
                progress(path)
    newest = _newest_per_unit(candidates, last_order)
    reserved = {i for _, book in newest.values() for s in ENTRY_SHEETS for i in book[s.key].frame[s.id_key] if i}
    run = MergeRun.start(campaign, editor, now.replace(tzinfo=None), reserved)
    for unit in sorted(newest):
        result, unit_book = newest[unit]
        merge_unit_book(run, unit_book, unit, _issued_ids(unit_book), (result.file, result.sha256), result)
        result.status = MERGED
    if force_log or any(r.changed for r in results):
        run.write_logs()
        if run.deleted_rows:
            editor.append_log(DELETED_SHEET, list(DELETED_HEADERS), run.deleted_rows)
        editor.append_log(IMPORT_LOG_SHEET, LOG_HEADERS, [_log_row(r, now) for r in results])
    return results


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except (OSError, RuntimeError):  # RuntimeError: a link loop (Python before 3.13)
        return False


def _log_row(r: FileResult, now: dt.datetime) -> list:
    conflicts = [f"冲突 {c['sheet']}!{c['cell']} {c['record']}“{c['column']}”：办公室“{c['office']}”，单位“{c['unit']}”"
                 for c in r.conflicts]
    said = "；".join(([r.reason] + conflicts + [n["note"] for n in r.notes] + [x["reason"] for x in r.rejected])[:40])
    saved = r.order_moment.astimezone().replace(tzinfo=None) if r.order_moment else ""  # this computer's time
    return [now.replace(tzinfo=None), Path(r.file).name, r.sha256, r.unit, saved, STATUS_TEXT[r.status],
            r.added, r.updated, r.unchanged, r.removed, len(r.rejected), said.strip("；")]


def _newest_per_unit(candidates: list[tuple[FileResult, Campaign]],
                     last_order: dict[str, dt.datetime]) -> dict[str, tuple[FileResult, Campaign]]:
    """The newest submission of each unit; older ones (in this run or against the log) are superseded."""
    newest: dict[str, tuple[FileResult, Campaign]] = {}
    for result, unit_book in sorted(candidates, key=lambda c: c[0].order_moment):  # stable: given order on ties
        moment = result.order_moment
        before = last_order.get(result.unit)
        if before and moment < before:
            result.status = SUPERSEDED
            result.reason = f"此前已合并过该单位更新的回收表（保存于 {cn_moment(before)}）"
            continue
        if result.unit in newest:
            older = newest[result.unit][0]
            older.status = SUPERSEDED
            older.reason = f"同时收到该单位更新的回收表（{Path(result.file).name}，保存于 {cn_moment(moment)}）"
        newest[result.unit] = (result, unit_book)
    return newest


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
    if not unit:
        return "这是总台账（或另一份总台账），不是下发给单位的工作簿：单位工作簿请用 zoufang issue 生成后发给单位"
    if unit not in set(campaign.units["name"]):
        return f"下发单位“{unit}”不在总台账的单位名录中"
    if not same_mac(meta.get("token"), unit_token(secret, campaign_id, unit)):
        return "校验码不符：工作簿不是本办公室下发的，或 _meta 被改动过"
    ids = _issued_ids(unit_book)
    if ids is None or not same_mac(meta.get("issued_digest"),
                                   issued_digest(secret, campaign_id, unit, meta.get("issued_at", ""), ids)):
        return "下发记录被改动过，无法确认哪些行是单位删除的"
    carried = unit_book.hidden.get(BASE_SHEET)
    if carried is not None and not same_mac(meta.get("base_digest"), base_digest(
            secret, campaign_id, unit, meta.get("issued_at", ""), [list(r) for r in carried[1:]])):
        unit_book.hidden.pop(BASE_SHEET)  # not what was issued: never a base for the merge
    return ""


def _issued_ids(unit_book: Campaign) -> list[list[str]] | None:
    grid = unit_book.hidden.get(ISSUED_SHEET)
    if grid is None:
        return None
    return [[str(r[0]), str(r[1])] for r in grid[1:] if len(r) >= 2 and r[0]]
