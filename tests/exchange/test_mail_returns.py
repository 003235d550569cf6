"""Returns read straight from the mail (#44, part): a folder of saved .eml messages, built the way Foxmail,
Outlook and webmail build them, merges exactly what the saved attachments merge, and the sender, date and subject
are recorded."""
import base64
import io
import shutil
import zipfile
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import openpyxl
import pytest
from builders import set_cell_by_header

from zoufang.exchange.collect import collect
from zoufang.reading.reader import read_campaign


def foxmail(book: Path, sender: str) -> bytes:
    """GBK everywhere: the subject and the attachment's name as encoded words (no RFC 2231), base64 bodies."""
    msg = MIMEMultipart()
    msg["From"] = f"{Header('图书馆办公室', 'gbk').encode()} <{sender}>"
    msg["To"] = "office@example.org"
    msg["Subject"] = Header("回复：大走访台账（市图书馆）", "gb2312").encode()
    msg["Date"] = "Mon, 16 Jan 2012 09:30:00 +0800"
    msg.attach(MIMEText("台账已填好，请查收。", "plain", "gbk"))
    part = MIMEBase("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    part.set_payload(base64.encodebytes(book.read_bytes()).decode("ascii"))
    part["Content-Transfer-Encoding"] = "base64"
    encoded = Header(book.name, "gbk").encode()  # =?gbk?b?...?=, split across lines when long
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
    attached.set_payload([__import__("email").message_from_bytes(inner)])
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


@pytest.fixture
def returns(issued_demo, tmp_path):
    master, books = issued_demo
    edited = {}
    for unit, value in (("市图书馆", "邮件发回的新地址"), ("市博物馆", "博物馆改过的地址"), ("市豫剧团", "剧团改过的地址")):
        path = tmp_path / "附件" / books[unit].name
        path.parent.mkdir(exist_ok=True)
        shutil.copy(books[unit], path)
        set_cell_by_header(path, "走访记录", "地址", 2, value)
        edited[unit] = path
    return master, edited


def test_a_folder_of_messages_merges_exactly_what_its_attachments_merge(returns, tmp_path):
    master, edited = returns
    twin = tmp_path / "对照" / "总台账.xlsx"
    twin.parent.mkdir()
    shutil.copy(master, twin)
    for sidecar in master.parent.glob(".*"):
        shutil.copy(sidecar, twin.parent / sidecar.name)
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "图书馆.eml").write_bytes(forwarded(foxmail(edited["市图书馆"], "tsg@example.org")))
    (inbox / "博物馆.eml").write_bytes(outlook(edited["市博物馆"], "bwg@example.org", "未命名.xlsx"))
    (inbox / "剧团.eml").write_bytes(zipped(edited["市豫剧团"], "市豫剧团大走访台账.xlsx"))
    (inbox / "空的.eml").write_bytes(without_workbook())
    by_mail = collect(master, [inbox])
    by_files = collect(twin, list(edited.values()))
    merged = {f.unit: f for f in by_mail.files if f.status == "merged"}
    assert set(merged) == {"市图书馆", "市博物馆", "市豫剧团"}
    assert {f.unit: (f.added, f.updated, f.removed) for f in by_files.files} == \
        {u: (f.added, f.updated, f.removed) for u, f in merged.items()}
    mine, theirs = read_campaign(master), read_campaign(twin)
    for key in ("visits", "problems", "receptions"):
        assert mine[key].frame.drop(columns="_row").equals(theirs[key].frame.drop(columns="_row"))
    library = merged["市图书馆"]
    assert library.mail.subject == "回复：大走访台账（市图书馆）" and "tsg@example.org" in library.mail.sender
    assert library.mail.attachment == edited["市图书馆"].name  # GBK encoded words, split over lines
    assert library.mail.date.startswith("2012-01-1")  # in this computer's time zone
    museum = merged["市博物馆"]
    assert museum.mail.attachment == "未命名.xlsx"
    assert any("不含单位名称" in n["note"] for n in museum.notes)
    assert merged["市豫剧团"].mail.attachment == "市豫剧团大走访台账.xlsx"
    empty = next(f for f in by_mail.files if Path(f.file).name == "空的.eml")
    assert empty.status == "refused" and "没有工作簿附件" in empty.reason
    log = openpyxl.load_workbook(master)["导入记录"]
    said = " ".join(str(c.value) for row in log.iter_rows() for c in row if c.value)
    assert "回复：大走访台账（市图书馆）" in said and "bwg@example.org" in said
    assert by_mail.exit_code == 1  # a message without a workbook: the office must look
