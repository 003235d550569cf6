"""Issue: one workbook per unit, to be e-mailed out, with the master's own records completed first.

Issued workbooks carry an authenticity token, an HMAC over campaign and unit with a secret kept
beside the master (never in any workbook), and a digest of the record numbers they were issued
with, so that a row the unit deleted can be told from a row the office added later.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from zoufang import __version__
from zoufang.checks.formula_checks import formula_checks, import_only
from zoufang.contract.errors import os_error_text
from zoufang.contract.periods import cn_date, moment
from zoufang.contract.schema import (
    ACTIVITIES, ACTIVITY_CONTACT_POINT, BASE_HEADERS, BASE_SHEET, ENTRY_SHEETS, HOLIDAYS, ISSUED_PART, ISSUED_SHEET,
    META_HEADERS, META_ITEMS, META_SHEET, NO_DEADLINE_NOTICE, PEOPLE, QUOTAS, ROLE_BUREAU_LEADER, SCHEMA_VERSION,
    SETTING_ITEMS, SETTINGS, UNITS, UNIT_HOME_CONTACT, UNIT_HOME_NO_DEADLINE, UNIT_HOME_OTHERS, UNIT_HOME_SEND_BACK, UNIT_HOME_TEXT,
    UNIT_HOME_TITLE,
)
from zoufang.exchange.base import base_rows, batch_key, digest_cells, rows_digest
from zoufang.audit.cell_states import changes_between, states_of
from zoufang.audit.recorder import Recorder
from zoufang.audit.trail import BY_ZOUFANG, Entry
from zoufang.exchange.mail_drafts import DRAFT_DIR, Drafts, write_drafts
from zoufang.exchange.mail_letters import issue_letter, office_contact
from zoufang.exchange.mail_returns import unit_addresses
from zoufang.exchange.master_edit import MasterEditor
from zoufang.exchange.master_lock import MasterLock
from zoufang.exchange.password_slips import SLIP_DIR, write_password_slips
from zoufang.exchange.passwords import encrypt_file, passwords_for
from zoufang.exchange.merge import deleted_ids, export_values
from zoufang.exchange.record_ids import IdAllocator
from zoufang.exchange.secret_key import load_secret
from zoufang.files.names import safe_file_name
from zoufang.files.safe_io import TEMP_PREFIX, WriteRefused, atomic_write, backup, refuse_if_open
from zoufang.exchange.book_values import book_values
from zoufang.progress.metric_formulas import others_text, unit_progress_plan
from zoufang.progress.quota import Context, assignments, completion, quota_rules
from zoufang.reading.contact_points import points_named
from zoufang.reading.dataset import Campaign
from zoufang.reading.normalize import clean_text, squeeze
from zoufang.reading.reader import InputError, read_campaign
from zoufang.reading.roster import Roster, owning_units
from zoufang.xlsx.book_writer import BookContent, write_book


# ------------------------------------------------------------------ tokens
def _mac(secret: bytes, *parts: str) -> str:
    return hmac.new(secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def unit_token(secret: bytes, campaign_id: str, unit: str) -> str:
    return _mac(secret, "unit", campaign_id, unit)


def issued_digest(secret: bytes, campaign_id: str, unit: str, issued_at: str, ids: list[list[str]]) -> str:
    return _mac(secret, "issued", campaign_id, unit, issued_at, json.dumps(sorted(map(list, ids)), ensure_ascii=False))


def base_digest(secret: bytes, campaign_id: str, unit: str, issued_at: str, rows: list[list]) -> str:
    """The MAC of the ``_base`` rows a unit's workbook carries: what it was issued, provable without the master."""
    return _mac(secret, "base", campaign_id, unit, issued_at, rows_digest(rows))


def same_mac(a: object, b: str) -> bool:
    """Constant-time comparison of a MAC read from a returned file (any text, forged ones too) with ours."""
    return hmac.compare_digest(str(a or "").encode("utf-8", "surrogatepass"), b.encode("ascii"))


# ------------------------------------------------------------------ the master's own records
def complete_master_meta(campaign: Campaign, editor) -> list[str]:
    """Give a master without ``_meta`` (or with an incomplete one) its campaign id and schema version.

    Returns what was done, for the clerk; [] when nothing was missing. ``campaign.meta`` is updated.
    """
    wanted = {"campaign_id": uuid.uuid4().hex, "schema_version": str(SCHEMA_VERSION)}
    missing = {k: v for k, v in wanted.items() if not campaign.meta.get(k)}
    if not missing:
        return []
    grid = campaign.hidden.get(META_SHEET)
    write_meta(campaign, editor, missing)
    what = "没有 _meta 工作表" if grid is None else "_meta 不完整"
    return [f"总台账{what}（不是用 zoufang init 生成的？），已补上活动编号和架构版本（原文件已备份）"]


def write_meta(campaign: Campaign, editor, values: dict[str, str]) -> None:
    """Set ``_meta``'s ``values`` (keys of schema.META_ITEMS) through ``editor``: the sheet made where absent, a
    key's row added where missing. ``campaign.meta`` and its _meta grid follow."""
    grid = campaign.hidden.get(META_SHEET)
    labels = {m.key: m.label for m in META_ITEMS}
    if not grid:
        if grid is None:
            editor.ensure_sheet(META_SHEET, list(META_HEADERS), hidden=True)
        for j, header in enumerate(META_HEADERS):
            editor.set_value(META_SHEET, f"{'ABC'[j]}1", header)
        grid = [list(META_HEADERS)]
    rows = {str(r[0]).strip(): i + 1 for i, r in enumerate(grid) if r and r[0] not in (None, "")}
    for key, value in values.items():
        row = rows.get(key)
        if row is None:
            grid.append([key, labels[key], value])
            row = rows[key] = len(grid)
            editor.set_value(META_SHEET, f"A{row}", key)
            editor.set_value(META_SHEET, f"B{row}", labels[key])
        else:
            grid[row - 1] = [key, labels[key], value]
        editor.set_value(META_SHEET, f"C{row}", value)
        campaign.meta[key] = value
    campaign.hidden[META_SHEET] = grid


def units_without_code(campaign: Campaign) -> list[str]:
    units = campaign.units
    return units.loc[(units["name"] != "") & (units["code"] == ""), "name"].tolist()


def fill_blank_ids_in(campaign: Campaign, editor) -> int:
    """Give every row of a known unit that has no record number one (单位编码-TAG00001…), through ``editor``.

    Rows no unit owns keep their blank; check reports them.
    """
    roster = Roster.of(campaign)
    ids = IdAllocator({i for s in ENTRY_SHEETS for i in campaign[s.key].frame[s.id_key] if i} | deleted_ids(campaign))
    filled = 0
    for spec in ENTRY_SHEETS:
        data = campaign[spec.key]
        if not (data.present and data.has(spec.id_key)):
            continue
        blank = data.frame[spec.id_key] == ""
        if not blank.any():
            continue
        owners = owning_units(data, roster)
        for i in data.frame.index[blank]:
            code = roster.unit_codes.get(owners.at[i], "")
            if code:
                editor.update(data, int(data.frame.at[i, "_row"]), {spec.id_key: ids.fresh(code, spec.id_tag)}, {})
                filled += 1
    return filled


def _needs_numbers(campaign: Campaign) -> bool:
    return any(campaign[s.key].has(s.id_key) and (campaign[s.key].frame[s.id_key] == "").any() for s in ENTRY_SHEETS)


def prepare_master(master: Path, campaign: Campaign | None = None) -> list[str]:
    """Before issuing: complete _meta and number blank rows, under the lock, written (backup, atomic) only if needed.

    ``campaign``: the master as already read, if it was.
    """
    campaign = campaign or read_campaign(master)
    if campaign.meta.get("campaign_id") and campaign.meta.get("schema_version") and not _needs_numbers(campaign):
        return []
    refuse_if_open(master)
    with MasterLock(master):
        campaign = read_campaign(master)
        recorder = Recorder(master, "issue", load_secret(master, create=True), campaign)
        before = states_of(campaign)
        editor = MasterEditor(master)
        notices = complete_master_meta(campaign, editor)
        filled = fill_blank_ids_in(campaign, editor)
        if filled:
            notices.append(f"已为总台账中 {filled} 行空白的记录编号补上编号")
        if notices:
            write_meta(campaign, editor, {"log_head": recorder.head()})
            atomic_write(master, editor.save)
            after = states_of(editor.saved_campaign or read_campaign(master))
            recorder.record(Entry("issue", changes=[{**c, "source": "zoufang issue（下发前补记录编号）",
                                                     "decision": BY_ZOUFANG} for c in changes_between(before, after)],
                                  note="；".join(notices)))
    return notices


# ------------------------------------------------------------------ issue
@dataclass
class Issued:
    unit: str
    path: Path
    rows: int
    password: str = ""  # with 下发加密 only


class IssuedBooks(list):
    """The workbooks issued (a list of Issued), and ``not_issued``: the rows that went to no unit."""

    not_issued: list[dict]
    slips: Path | None = None  # the printable 密码通知单, with 下发加密
    drafts: Drafts | None = None  # with --mail: a draft per unit with an address

    def to_json(self) -> dict:
        drafts = dict(self.drafts.written) if self.drafts else {}
        return {"units": [{"unit": i.unit, "file": str(i.path), "rows": i.rows,
                           **({"password": i.password} if i.password else {}),
                           **({"mail": str(drafts[i.unit])} if i.unit in drafts else {})} for i in self],
                "not_issued": self.not_issued, **({"mail": self.drafts.to_json()} if self.drafts else {})}


def rows_to_no_unit(campaign: Campaign, owners: dict) -> list[dict]:
    """Entry rows whose unit cannot be told (person not on the roster, unit unknown): no unit can fix them."""
    out = []
    for spec in ENTRY_SHEETS:
        data = campaign[spec.key]
        for i in data.frame.index[(owners[spec.key] == "").to_numpy()]:
            row = int(data.frame.at[i, "_row"])
            who = "、".join(f"{data.spec.col(k).label}“{data.text.at[i, k]}”" for k in spec.unit_from if data.has(k))
            out.append({"sheet": spec.name, "row": row, "cell": data.first_cell(row),
                        "reason": f"无法确定所属单位（{who or '缺少单位和人员'}不在名录中），没有下发给任何单位，请在总台账中更正"})
    return out


def issue(master: Path, out_dir: Path, now: dt.datetime | None = None, notices: list[str] | None = None,
          encrypt: bool | None = None, new_passwords: bool = False, mail: bool = False) -> IssuedBooks:
    """One workbook per unit: its roster, its rows, the office's columns marked, a token in _meta; with ``mail``,
    an unsent draft per unit carrying it (``out_dir/邮件/``).

    Refused (InputError) while a unit has no 单位编码. The master's _meta is completed and its rows
    without a record number get one first, so that every issued row can come back; what was done is
    appended to ``notices``.
    """
    master = Path(master)
    campaign = read_campaign(master)
    missing = units_without_code(campaign)
    if missing:
        raise InputError(f"{master.name}：“单位”表中 {'、'.join(missing)} 没有单位编码。单位编码是记录编号的前缀，"
                         f"请先补上（各单位不同），再下发")
    done = prepare_master(master, campaign)
    if notices is not None:
        notices += done + ([] if campaign.settings.return_deadline else [no_deadline_notice(master, campaign)])
    if done:  # the master was rewritten: issue what it now holds
        campaign = read_campaign(master)
    secret = load_secret(master, create=True)
    encrypt = campaign.settings.encrypt if encrypt is None else encrypt
    units = campaign.units.loc[campaign.units["name"] != "", "name"].drop_duplicates().tolist()
    passwords = passwords_for(master, units, renew=new_passwords) if encrypt else None
    now = now or moment()
    now = now if now.tzinfo else now.astimezone()
    issued = issue_campaign(campaign, secret, out_dir, now, record_base=lambda rows: record_base(master, rows, campaign),
                            passwords=passwords, slips=master.parent / SLIP_DIR)
    if mail:
        issued.drafts = issue_drafts(campaign, issued, Path(out_dir) / DRAFT_DIR, now)
    return issued


def issue_drafts(campaign: Campaign, issued: IssuedBooks, folder: Path, now: dt.datetime) -> Drafts:
    """A draft per unit issued, To its 联系邮箱, its workbook attached, its 首页's words as the body (never a
    password); the units without an address listed."""
    addresses = unit_addresses(campaign)
    letters = []
    for item in issued:
        _, lines = unit_home(campaign, item.unit, now)
        letter = issue_letter(campaign, item.unit, item.path, lines, bool(item.password), now.date())
        letter.to = addresses.get(item.unit, [])
        letters.append(letter)
    return write_drafts(letters, folder, now)


def record_base(master: Path, rows: list[list], campaign: Campaign) -> None:
    """Keep what was issued in the master's hidden ``_base`` sheet (backup, atomic replace), and log the issue:
    each unit's workbook hands its people's data out."""
    refuse_if_open(master)
    with MasterLock(master):
        recorder = Recorder(master, "issue", load_secret(master, create=True), campaign)
        editor = MasterEditor(master)
        editor.append_log(BASE_SHEET, list(BASE_HEADERS), rows, hidden=True)
        write_meta(campaign, editor, {"log_head": recorder.head()})
        atomic_write(master, editor.save)
        units = [row[1] for row in rows if len(row) > 2 and row[2] == ISSUED_PART]
        recorder.record(Entry("issue", outputs=[f"{u}单位工作簿" for u in units],
                              note=f"下发 {len(units)} 个单位工作簿"))


def issue_campaign(campaign: Campaign, secret: bytes, out_dir: Path, now: dt.datetime | None = None,
                   record_base=None, passwords: dict[str, str] | None = None, slips: Path | None = None) -> IssuedBooks:
    """issue() for a campaign already read (from a file or a live workbook).

    All or nothing: every unit workbook is first written into a private folder inside ``out_dir``; only when all
    are written does ``record_base(rows)`` keep the ``_base`` rows of what is issued in the master, and only then
    do the workbooks take their names (a full disk before that leaves neither a workbook nor a changed master).
    ``passwords``: each unit's password, to encrypt its workbook; the 密码通知单 then goes to ``slips``.
    """
    if not campaign.meta.get("campaign_id", ""):
        raise InputError(f"{campaign.source}：_meta 中没有活动编号，无法下发")
    now = now or moment()
    now = now if now.tzinfo else now.astimezone()
    plan = IssuePlan(campaign, secret, now)
    planned = [plan.unit_book(unit) for unit in campaign.units.loc[campaign.units["name"] != "", "name"].drop_duplicates()]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result, used_names = IssuedBooks(), set()
    result.not_issued = rows_to_no_unit(campaign, plan.owners)
    staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "issue-", dir=out_dir))
    try:
        staged = []
        for unit, content, rows, _ in planned:
            name = safe_file_name(f"{unit}-{now:%Y%m%d}", used_names, out_dir) + ".xlsx"
            password = (passwords or {}).get(unit, "")
            atomic_write(staging / name, lambda tmp, content=content, password=password:
                         _write_unit_book(tmp, content, password), keep_backup=False)
            staged.append((Issued(unit, out_dir / name, rows, password), staging / name))
        if record_base is not None and planned:
            record_base([row for *_, bases in planned for row in bases])
    except (WriteRefused, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        said = str(exc) if isinstance(exc, WriteRefused) else f"无法写入 {exc.filename or out_dir}：{os_error_text(exc)}"
        raise WriteRefused(f"{said.removesuffix('（原有文件未被改动）')}：本次没有下发任何单位工作簿，总台账也未改动"
                           f"（原有文件未被改动）") from exc
    try:
        for issued, path in staged:
            if issued.path.exists():
                backup(issued.path)
            os.replace(path, issued.path)
            result.append(issued)
    except OSError as exc:
        done = "、".join(i.unit for i in result) or "无"
        missing = "、".join(i.unit for i, _ in staged[len(result):])
        raise WriteRefused(f"下发到一半时无法写入 {out_dir}：{os_error_text(exc)}。已下发：{done}；未下发：{missing}"
                           f"（总台账已记下全部单位的下发内容，请腾出空间后重新下发）") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if passwords and slips is not None and len(result):
        result.slips = write_password_slips(slips, result, campaign.settings.office, now)
    return result


def _write_unit_book(target: Path, content: BookContent, password: str) -> None:
    """The unit's workbook, encrypted with its password when it has one: the plain workbook is made in memory and
    never written to a disk (a killed run leaves no unencrypted copy in the folder that is e-mailed)."""
    if not password:
        write_book(target, content)
        return
    plain = io.BytesIO()
    write_book(plain, content)
    plain.seek(0)
    encrypt_file(plain, target, password)


class IssuePlan:
    """What one issue sends each unit, worked out once for all units."""

    def __init__(self, campaign: Campaign, secret: bytes, now: dt.datetime):
        self.campaign, self.secret, self.now = campaign, secret, now
        self.campaign_id, self.issued_at = campaign.meta["campaign_id"], now.isoformat()
        roster = Roster.of(campaign)
        self.owners = {spec.key: owning_units(campaign[spec.key], roster) for spec in ENTRY_SHEETS}
        self.exported = {spec.key: export_values(campaign[spec.key])
                         for spec in (*ENTRY_SHEETS, UNITS, PEOPLE, QUOTAS, HOLIDAYS)}
        self.digests = {spec.key: digest_cells(campaign[spec.key]) for spec in ENTRY_SHEETS}
        self.settings = {item.key: getattr(campaign.settings, item.key, None) for item in SETTING_ITEMS}
        self.self_checks, self.import_only = formula_checks(), import_only()
        self.assigned = assignments(campaign, quota_rules(campaign))  # 本单位进度's targets, once for every unit
        self.today = now.date()
        as_of = campaign.settings.effective_as_of(today=self.today)  # the books' 统计截止日期, as their formulas take it
        self.master_done = completion(Context(campaign, as_of))  # what every book's people must show
        self.names = dict(zip(campaign.people["person_id"], campaign.people["name"]))

    def points(self, content: BookContent) -> list[str]:
        """The contact points a unit's workbook names: the bureau's and its own 联系点建设 rows."""
        a = content.frames[ACTIVITIES.key]
        kinds = [squeeze(clean_text(k)) for k in a["kind"]]
        places = [clean_text(p) for p, k in zip(a["place"], kinds) if k == ACTIVITY_CONTACT_POINT]
        return points_named(str(self.settings.get("contact_point") or ""), places)

    def unit_book(self, unit: str) -> tuple[str, BookContent, int, list[list]]:
        """The workbook of ``unit`` (its roster, its rows, a token in _meta), its row count, its _base rows."""
        campaign, people = self.campaign, self.campaign.people
        content = BookContent(settings=self.settings, protect_office_columns=True, self_checks=self.self_checks,
                              import_only=self.import_only)
        for spec in (UNITS, QUOTAS, HOLIDAYS):
            content.frames[spec.key] = self.exported[spec.key]
        mine = (people["unit"] == unit) | (people["category"] == ROLE_BUREAU_LEADER)
        content.frames[PEOPLE.key] = self.exported[PEOPLE.key][mine.to_numpy()]
        ids, rows, owned = [], 0, {}
        for spec in ENTRY_SHEETS:
            data = campaign[spec.key]
            own = (self.owners[spec.key] == unit).to_numpy()
            owned[spec.key] = own & (data.frame[spec.id_key] != "").to_numpy()
            content.frames[spec.key] = self.exported[spec.key][own].reset_index(drop=True)
            content.extras[spec.key] = data.extras[own].reset_index(drop=True)
            ids += [[spec.key, i] for i in data.frame.loc[own, spec.id_key] if i]
            rows += int(own.sum())
        digest = issued_digest(self.secret, self.campaign_id, unit, self.issued_at, ids)
        content.meta = {"campaign_id": self.campaign_id, "schema_version": str(SCHEMA_VERSION), "unit": unit,
                        "issued_at": self.issued_at, "generator": f"zoufang {__version__}",
                        "token": unit_token(self.secret, self.campaign_id, unit), "issued_digest": digest}
        content.hidden[ISSUED_SHEET] = [["sheet", "id"], *ids]
        content.home = unit_home(campaign, unit, self.now)
        content.progress = unit_progress_plan(campaign, unit, self.points(content), self.assigned)
        content.values = book_values(content, today=self.today, master_done=self.master_done)
        if content.progress is not None and content.values.others:  # figures partly held in other units' books
            content.progress.others = content.values.others
            content.progress.others_note = others_text(self.names, content.values.others)
            content.home[1].append(UNIT_HOME_OTHERS)
        bases = [[batch_key(digest), unit, ISSUED_PART, json.dumps({"issued_at": self.issued_at})]]  # JSON: no
        # reader (xlwings' remote engines among them) takes it for a date
        bases += [row for spec in ENTRY_SHEETS
                 for row in base_rows(batch_key(digest), spec, self.digests[spec.key][owned[spec.key]],
                                      campaign[spec.key].frame.loc[owned[spec.key], spec.id_key])]
        content.hidden[BASE_SHEET] = [list(BASE_HEADERS), *bases]  # the unit's copy: a return proves what it was issued
        content.meta["base_digest"] = base_digest(self.secret, self.campaign_id, unit, self.issued_at, bases)
        return unit, content, rows, bases


def no_deadline_notice(master: Path, campaign: Campaign) -> str:
    """The office told at issue that no 回收截止日期 is set, with the cell to fill."""
    cell = campaign.settings.cells.get("return_deadline")
    return NO_DEADLINE_NOTICE.format(book=master.name, cell=f"{SETTINGS.name}!{cell}" if cell else SETTINGS.name)


def unit_home(campaign: Campaign, unit: str, issued: dt.datetime) -> tuple[str, list[str]]:
    """The 首页 of the workbook issued to ``unit``: what to fill, what not to touch, when and how to send it back."""
    s = campaign.settings
    contact = office_contact(campaign)
    send_back = (UNIT_HOME_SEND_BACK.format(deadline=cn_date(s.return_deadline)) if s.return_deadline
                 else UNIT_HOME_NO_DEADLINE)
    values = {"unit": unit, "name": s.name, "office": s.office, "issued": cn_date(issued),
              "send_back": send_back}
    lines = [line.format(**values) for line in UNIT_HOME_TEXT]
    return UNIT_HOME_TITLE.format(**values), lines + ([UNIT_HOME_CONTACT.format(contact=contact)] if contact else [])
