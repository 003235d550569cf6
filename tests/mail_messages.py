"""Messages built the way mail clients build them (Foxmail, Outlook, webmail, a forward, a zip), and an independent
reader of messages (mu, on GMime) to check what zoufang writes: shared by the mail tests."""
from __future__ import annotations

import base64
import email
import io
import os
import subprocess
import zipfile
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid
from pathlib import Path

import pytest

REQUIRE_MU = os.environ.get("ZOUFANG_REQUIRE_MAIL_READER") == "1"


def foxmail(book: Path, sender: str, charset: str = "gbk") -> bytes:
    """GBK (or ``charset``: GB18030) everywhere: the subject and the attachment's name as encoded words (no RFC 2231),
    base64 bodies."""
    msg = MIMEMultipart()
    msg["From"] = f"{Header('图书馆办公室', charset).encode()} <{sender}>"
    msg["To"] = "office@example.org"
    msg["Subject"] = Header("回复：大走访台账（市图书馆）", "gb2312" if charset == "gbk" else charset).encode()
    msg["Date"] = "Mon, 16 Jan 2012 09:30:00 +0800"
    msg["Message-ID"] = make_msgid(domain="tsg.example.org")
    msg.attach(MIMEText("台账已填好，请查收。", "plain", charset))
    part = MIMEBase("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    part.set_payload(base64.encodebytes(book.read_bytes()).decode("ascii"))
    part["Content-Transfer-Encoding"] = "base64"
    encoded = Header(book.name, charset).encode()  # =?gbk?b?...?=, split across lines when long
    part["Content-Disposition"] = f'attachment; filename="{encoded}"'
    part.set_param("name", encoded)
    msg.attach(part)
    return msg.as_bytes()


def outlook(book: Path, sender: str, name: str) -> bytes:
    """UTF-8, RFC 2231 names (continued over several parameters when long), a quoted-printable body."""
    msg = EmailMessage()
    msg["From"] = f"博物馆 <{sender}>"
    msg["To"] = "office@example.org"
    msg["Subject"] = "大走访台账（市博物馆）已填报"
    msg["Date"] = "Tue, 17 Jan 2012 15:05:00 +0800"
    msg["Message-ID"] = make_msgid(domain="bwg.example.org")
    msg.set_content("各位好：\n\n附件是本单位的台账。\n", cte="quoted-printable")
    msg.add_attachment(book.read_bytes(), maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def forwarded(inner: bytes) -> bytes:
    """A message forwarded as an attachment (message/rfc822) by someone in the office."""
    msg = MIMEMultipart()
    msg["From"] = "clerk@example.org"
    msg["Subject"] = "Fw: 回复：大走访台账"
    msg["Date"] = "Wed, 18 Jan 2012 08:00:00 +0800"
    msg.attach(MIMEText("转发", "plain", "utf-8"))
    attached = MIMEBase("message", "rfc822")
    attached.set_payload([email.message_from_bytes(inner)])
    msg.attach(attached)
    return msg.as_bytes()


def zipped(book: Path, name: str) -> bytes:
    """The workbook in a .zip made by Windows' own zip (names in GBK, the UTF-8 flag not set)."""
    raw = name.encode("gbk")
    placeholder = b"Q" * (len(raw) - 5) + b".xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:  # an ASCII name of the same length, then the GBK bytes put in its place
        z.writestr(zipfile.ZipInfo(placeholder.decode("ascii")), book.read_bytes())
    data = buffer.getvalue().replace(placeholder, raw)
    assert data.count(raw) == 2  # the local header and the central directory
    msg = MIMEMultipart()
    msg["From"] = "troupe@example.org"
    msg["Subject"] = "台账压缩包"
    msg["Date"] = "Wed, 18 Jan 2012 10:00:00 +0800"
    msg.attach(MIMEApplication(data, Name="台账.zip"))
    return msg.as_bytes()


def without_workbook() -> bytes:
    msg = EmailMessage()
    msg["From"] = "someone@example.org"
    msg["Subject"] = "忘了附件"
    msg.set_content("附件忘了加。")
    return msg.as_bytes()


def _which(name: str) -> bool:
    import shutil
    return shutil.which(name) is not None


@pytest.fixture
def needs_mu(tmp_path):
    """A second reader of messages, independent of Python's: Debian's mu (GMime). CI installs it and sets
    ZOUFANG_REQUIRE_MAIL_READER=1, which turns the skip into a failure."""
    if not _which("mu"):
        if REQUIRE_MU:
            pytest.fail("ZOUFANG_REQUIRE_MAIL_READER=1 but mu is not installed (apt-get install maildir-utils)")
        pytest.skip("需要 Debian 的 mu 读取邮件（apt-get install maildir-utils）")
    return tmp_path / "mu-home"


def mu_view(path: Path, home: Path) -> dict:
    """What mu shows of a message: its headers (From, To, Subject, Attachments) and its text body."""
    home.mkdir(exist_ok=True)
    shown = subprocess.run(["mu", "view", str(Path(path).resolve())], capture_output=True, text=True, check=True,
                           env={**os.environ, "HOME": str(home)}).stdout
    fields = {}
    lines = shown.splitlines()
    i = 0
    while i < len(lines) and ":" in lines[i] and lines[i].split(":", 1)[0] in HEADERS:
        key, _, value = lines[i].partition(": ")
        fields[key] = value
        i += 1
    fields["body"] = "\n".join(lines[i:])
    return fields


HEADERS = ("From", "To", "Cc", "Subject", "Date", "Attachments")


def mu_attachments(path: Path, home: Path, folder: Path) -> dict[str, bytes]:
    """Every attachment mu saves from the message, by the name mu decodes."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mu", "extract", "--save-attachments", f"--target-dir={folder.resolve()}", str(Path(path).resolve())],
                   capture_output=True, check=True, env={**os.environ, "HOME": str(home)})
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith("part-")}
