"""Returns that arrive as e-mail messages (.eml): every workbook attached is a return (CLI.md, #44).

A message is read with Python's ``email`` package (encoded words in GB2312/GBK/GB18030 or UTF-8, split across lines;
RFC 2231 names; base64 and quoted-printable), attachments of attached messages (a forwarded return,
message/rfc822) and workbooks inside a .zip attachment included. Each workbook is kept under 回收归档/邮件附件/
(the message's SHA-256) with the name the sender gave it; the message's sender, date and subject go with it.
"""
from __future__ import annotations

import email
import email.policy
import hashlib
import io
import zipfile
from dataclasses import dataclass
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from zoufang.contract.mail_addresses import good_addresses
from zoufang.files.file_props import REFUSED_SUFFIXES, WORKBOOK_SUFFIXES
from zoufang.files.names import safe_file_name

MESSAGE_SUFFIXES = (".eml",)
OUTLOOK_MSG_TEXT = ("Outlook 的 .msg 邮件文件不能直接读取（没有可靠、可随本程序分发的读取库）。请在 Outlook 中打开这封邮件，"
                    "把附件的工作簿“另存为”到一个文件夹后导入该文件夹；新版 Outlook、Foxmail 和网页邮箱也可以把邮件"
                    "另存为 .eml 后直接导入")
MAIL_DIR = "邮件附件"
MAX_MESSAGE = 200 << 20  # a larger message is refused unread
MAX_ZIP_MEMBER = 200 << 20


@dataclass
class Mail:
    """Where a workbook came from: the message file, its sender, date and subject, the attachment's name."""

    message: str
    sender: str
    date: str
    subject: str
    attachment: str
    address: str = ""  # the sender's bare address
    message_id: str = ""  # to answer it (collect --mail)

    def note(self) -> str:
        return f"来自邮件“{self.subject}”（{self.sender}，{self.date}），附件“{self.attachment}”"


@dataclass
class Unpacked:
    files: list[Path]
    mail: dict[Path, Mail]  # each workbook taken from a message
    empty: dict[Path, str]  # each message without a workbook: why


def unit_addresses(campaign) -> dict[str, list[str]]:
    """Each unit's usable 联系邮箱 (those that are addresses), by 单位名称; a master without the column has none."""
    units = campaign.units
    if "email" not in units.columns:
        return {}
    return {str(name): good_addresses(text) for name, text in zip(units["name"], units["email"]) if name}


def is_message(path: Path) -> bool:
    return path.suffix.lower() in MESSAGE_SUFFIXES


def unpack_messages(paths: list[Path], folder: Path) -> Unpacked:
    """``paths`` with every message replaced by the workbooks it carries, kept in ``folder``."""
    out = Unpacked([], {}, {})
    for path in paths:
        if not is_message(path) or not path.is_file():
            out.files.append(path)
            continue
        if path.stat().st_size > MAX_MESSAGE:
            out.empty[path] = f"邮件超过 {MAX_MESSAGE >> 20} MB，未读取"
            continue
        data = path.read_bytes()
        message = email.message_from_bytes(data, policy=email.policy.default)
        where = folder / MAIL_DIR / hashlib.sha256(data).hexdigest()[:16]
        found = list(_workbooks(message))
        if not found:
            out.empty[path] = "邮件中没有工作簿附件（只接收 " + "、".join(WORKBOOK_SUFFIXES) + "，可放在 .zip 中）"
            continue
        used: set[str] = set()
        for name, payload, carrier in found:
            sender, date, subject, address = _headers(carrier)
            stem, suffix = Path(name).stem, Path(name).suffix.lower()
            target = where / (safe_file_name(stem or "未命名", used, where, suffix) + suffix)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != payload:
                target.write_bytes(payload)
            out.files.append(target)
            out.mail[target] = Mail(path.name, sender, date, subject, name, address,
                                    str(carrier.get("Message-ID", "")).strip())
    return out


def _headers(message) -> tuple[str, str, str, str]:
    name, address = parseaddr(str(message.get("From", "")))
    sender = f"{name} <{address}>" if name else address
    try:
        when = parsedate_to_datetime(str(message.get("Date", ""))).astimezone()
        date = f"{when:%Y-%m-%d %H:%M}"
    except (TypeError, ValueError):
        date = str(message.get("Date", "")) or "无日期"
    return sender or "（无发件人）", date, str(message.get("Subject", "")) or "（无主题）", address


def _workbooks(message):
    """(name, bytes, the message carrying it) of every workbook attached: directly, inside .zip attachments, and
    inside attached messages (a forwarded return: its own sender, date and subject)."""
    for part in _parts(message):
        if part.get_content_type() == "message/rfc822":
            for inner in part.iter_parts():
                yield from _workbooks(inner)
            continue
        name = part.get_filename() or ""
        suffix = Path(name).suffix.lower()
        if suffix in WORKBOOK_SUFFIXES or suffix in REFUSED_SUFFIXES:
            payload = part.get_payload(decode=True)
            if payload:
                yield name, payload, message
        elif suffix == ".zip":
            yield from ((n, data, message) for n, data in _zipped(part.get_payload(decode=True) or b""))


def _parts(message):
    """The leaves of ``message`` and its attached messages (not descending into those)."""
    if message.get_content_type() == "message/rfc822":
        yield message
    elif message.is_multipart():
        for part in message.iter_parts():
            yield from _parts(part)
    else:
        yield message


def _zipped(data: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    for info in archive.infolist():
        name = info.filename
        if info.flag_bits & 0x800 == 0:  # not marked UTF-8: Windows' zip writes the names in GBK
            try:
                name = info.filename.encode("cp437").decode("gbk")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        suffix = Path(name).suffix.lower()
        if not info.is_dir() and suffix in WORKBOOK_SUFFIXES and info.file_size <= MAX_ZIP_MEMBER:
            yield Path(name).name, archive.read(info)
