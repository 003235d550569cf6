"""Unsent e-mail drafts (.eml) the office opens in its own mail client and sends (CLI.md ``--mail``, #44).

zoufang never sends: a draft is a file. ``X-Unsent: 1`` makes Outlook open it as a message to send; Foxmail and
Thunderbird open it with its recipients, subject, body and attachment. Headers are written as clients write them:
the subject and names as UTF-8 encoded words; an attachment's Chinese name both as RFC 2231 (``filename*``, read
by Thunderbird and webmail) and as an encoded word (``name=``, what Outlook and Foxmail still read). The MIME
structure is built with the ``compat32`` classes, which write a header as given (the newer policy re-encodes a
long content type into an encoded word no client reads).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from zoufang.contract.mail_addresses import ascii_form
from zoufang.files.names import safe_file_name
from zoufang.files.safe_io import atomic_write

DRAFT_DIR = "邮件"
DRAFT_SUFFIX = ".eml"
MIME_TYPES = {  # what Office and WPS send each file as
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".xlsm": ("application", "vnd.ms-excel.sheet.macroEnabled.12"),
    ".xls": ("application", "vnd.ms-excel"),
    ".ods": ("application", "vnd.oasis.opendocument.spreadsheet"),
    ".pdf": ("application", "pdf"),
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
WRITE_POLICY = compat32.clone(linesep="\r\n")  # .eml as Windows clients save them
MSGID_DOMAIN = "zoufang.invalid"  # RFC 2606: a draft's own id names no real host


@dataclass
class Draft:
    """One message to write: to whom (unit, addresses), what it says, what it carries."""

    unit: str
    to: list[str]
    subject: str
    body: str
    attachments: list[Path] = field(default_factory=list)
    sender: str = ""  # "name <address>" or blank (the client fills in the account)
    in_reply_to: str = ""  # the Message-ID answered


@dataclass
class Drafts:
    """The drafts written, and the units that got none (no usable 联系邮箱)."""

    written: list[tuple[str, Path]] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)
    folder: Path | None = None
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (unit, address) no 7-bit header can carry

    def to_json(self) -> dict:
        return {"folder": str(self.folder) if self.folder else None,
                "drafts": [{"unit": u, "file": str(p)} for u, p in self.written], "no_address": self.no_address,
                "left_out": [{"unit": u, "address": a} for u, a in self.left_out]}

    def lines(self) -> list[str]:
        """What a person reads: where the drafts are, and which units have none."""
        out = []
        if self.written:
            out.append(f"邮件草稿 {len(self.written)} 封：{self.folder}（在邮件程序中打开，核对后发送）")
        if self.no_address:
            out.append(f"没有联系邮箱、未生成邮件草稿的单位：{'、'.join(self.no_address)}（请在“单位”表的联系邮箱中填写，"
                       f"或另行发送）")
        if self.left_out:
            out.append("用户名含中文的邮件地址未填入草稿（邮件程序保存的草稿无法可靠携带），请另行发送："
                       + "、".join(f"{u} {a}" for u, a in self.left_out))
        return out


def message_bytes(draft: Draft, now: dt.datetime) -> bytes:
    """``draft`` as an unsent RFC 5322 message."""
    msg = MIMEMultipart()
    msg["X-Unsent"] = "1"
    if draft.sender:
        name, _, address = draft.sender.rpartition("<")
        msg["From"] = formataddr((name.strip(), address.rstrip(">").strip()), "utf-8") if address else draft.sender
    msg["To"] = ", ".join(formataddr((draft.unit, a), "utf-8") for a in draft.to)
    msg["Subject"] = Header(draft.subject, "utf-8")
    msg["Date"] = format_datetime(now if now.tzinfo else now.astimezone())
    msg["Message-ID"] = make_msgid(domain=MSGID_DOMAIN)
    if draft.in_reply_to:
        msg["In-Reply-To"] = draft.in_reply_to
        msg["References"] = draft.in_reply_to
    msg.attach(MIMEText(draft.body, "plain", "utf-8"))
    for path in draft.attachments:
        msg.attach(attachment(path.name, path.read_bytes()))
    return msg.as_bytes(policy=WRITE_POLICY)


def attachment(name: str, data: bytes) -> MIMEBase:
    """A base64 attachment named ``name`` as RFC 2231 and as an encoded word, as Thunderbird itself sends it."""
    part = MIMEBase(*MIME_TYPES.get(Path(name).suffix.lower(), ("application", "octet-stream")))
    part.set_payload(data)
    encoders.encode_base64(part)
    if name.isascii():
        part.set_param("name", name)
        part.add_header("Content-Disposition", "attachment", filename=name)
    else:
        part.set_param("name", Header(name, "utf-8").encode())
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
    return part


def prepare(drafts: list[Draft]) -> tuple[list[Draft], Drafts]:
    """The drafts that have an address a 7-bit header can carry (their To in that form), and the account of the
    rest: a unit with none is listed, an address whose user name is not ASCII is named (left out)."""
    ready, out = [], Drafts()
    for draft in drafts:
        carried = {a: ascii_form(a) for a in draft.to}
        out.left_out += [(draft.unit, a) for a, form in carried.items() if form is None]
        draft.to = [form for form in carried.values() if form]
        if draft.to:
            ready.append(draft)
        else:
            out.no_address.append(draft.unit)
    return ready, out


def write_drafts(drafts: list[Draft], folder: Path, now: dt.datetime) -> Drafts:
    """Each draft that can go somewhere as ``folder/单位.eml`` (atomic; a draft of the same name replaced: drafts
    are made again at will), and the account of those that cannot (prepare)."""
    ready, out = prepare(drafts)
    out.folder = folder
    used: set[str] = set()
    for draft in ready:
        folder.mkdir(parents=True, exist_ok=True)
        data = message_bytes(draft, now)
        target = folder / (safe_file_name(draft.unit or "未知单位", used, folder, DRAFT_SUFFIX) + DRAFT_SUFFIX)
        atomic_write(target, lambda tmp, data=data: tmp.write_bytes(data), keep_backup=False)
        out.written.append((draft.unit, target))
    return out
