"""Returns read straight from the mail (#44, part): a folder of saved .eml messages, built the way Foxmail,
Outlook and webmail build them, merges exactly what the saved attachments merge, and the sender, date and subject
are recorded."""
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from builders import set_cell_by_header
from mail_messages import forwarded, foxmail, mu_attachments, outlook, without_workbook, zipped

from zoufang.exchange.collect import collect
from zoufang.reading.reader import read_campaign


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


def registered(master, unit: str) -> list[str]:
    """The unit's 联系邮箱 as the office typed it on 单位, split at ；or ;."""
    ws = openpyxl.load_workbook(master, read_only=True)["单位"]
    rows = list(ws.iter_rows(values_only=True))
    name, mail = rows[0].index("单位名称"), rows[0].index("联系邮箱")
    text = next(r[mail] for r in rows[1:] if r[name] == unit)
    return [a.strip() for a in re.split("[；;]", text) if a.strip()]


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
    museum_address = registered(master, "市博物馆")[-1]
    (inbox / "博物馆.eml").write_bytes(outlook(edited["市博物馆"], museum_address, "未命名.xlsx"))
    (inbox / "剧团.eml").write_bytes(zipped(edited["市豫剧团"], "市豫剧团大走访台账.xlsx"))
    (inbox / "空的.eml").write_bytes(without_workbook())
    (inbox / "拖出来的.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # Outlook's own format
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
    assert any("tsg@example.org 不是市图书馆登记的联系邮箱" in n["note"] for n in library.notes)  # noted, still merged
    assert not any("登记的联系邮箱" in n["note"] for n in museum.notes)  # sent from an address on 单位
    assert merged["市豫剧团"].mail.attachment == "市豫剧团大走访台账.xlsx"
    empty = next(f for f in by_mail.files if Path(f.file).name == "空的.eml")
    assert empty.status == "refused" and "没有工作簿附件" in empty.reason
    outlook_file = next(f for f in by_mail.files if Path(f.file).name == "拖出来的.msg")
    assert outlook_file.status == "refused" and "另存为" in outlook_file.reason and ".eml" in outlook_file.reason
    log = openpyxl.load_workbook(master)["导入记录"]
    said = " ".join(str(c.value) for row in log.iter_rows() for c in row if c.value)
    assert "回复：大走访台账（市图书馆）" in said and museum_address in said and "不是市图书馆登记的联系邮箱" in said
    assert by_mail.exit_code == 1  # a message without a workbook: the office must look


def test_collect_takes_the_attachments_an_independent_reader_finds(returns, tmp_path, needs_mu):
    """GMime (mu) and collect agree on each attachment's name and bytes: GBK encoded words split over lines, RFC 2231
    continuations."""
    master, edited = returns
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "foxmail.eml").write_bytes(foxmail(edited["市图书馆"], "tsg@example.org"))
    (inbox / "gb18030.eml").write_bytes(foxmail(edited["市豫剧团"], "yjt@example.org", "gb18030"))
    (inbox / "outlook.eml").write_bytes(outlook(edited["市博物馆"], "bwg@example.org", "市博物馆大走访台账（第二次发回）.xlsx"))
    taken = [f for f in collect(master, [inbox]).files if f.mail]
    assert len(taken) == 3 and {f.status for f in taken} == {"merged"}
    for f in taken:
        found = mu_attachments(inbox / f.mail.message, needs_mu, tmp_path / "mu" / f.mail.message)
        assert found == {f.mail.attachment: Path(f.file).read_bytes()}
