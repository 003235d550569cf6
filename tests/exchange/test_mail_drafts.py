"""The e-mail loop without copy and paste (#44): the office issues with --mail and gets a draft per unit that a
mail reader independent of Python's (mu, on GMime) opens with the unit's addresses, a Chinese subject with the
deadline, the 首页's words and the workbook under its Chinese name — never the password; remind chases the units
that have not answered since their latest issue; collect --mail answers each sender with its receipt."""
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from builders import edit, set_cell_by_header
from mail_messages import foxmail, mu_attachments, mu_view, outlook
from typer.testing import CliRunner

from zoufang.cli import app

runner = CliRunner()
DEADLINE = dt.date(2012, 1, 20)


def run_json(*argv) -> tuple[int, dict]:
    said = runner.invoke(app, [*map(str, argv), "--json"])
    assert said.exit_code in (0, 1) and said.stdout.strip(), (said.exit_code, said.output, said.exception)
    return said.exit_code, json.loads(said.stdout)


def unit_rows(master: Path) -> dict[str, dict]:
    """单位 as the office typed it: each unit's row by header."""
    rows = list(openpyxl.load_workbook(master, read_only=True)["单位"].iter_rows(values_only=True))
    return {r[rows[0].index("单位名称")]: dict(zip(rows[0], r)) for r in rows[1:] if r[rows[0].index("单位名称")]}


def typed_addresses(master: Path) -> dict[str, list[str]]:
    """Each unit's 联系邮箱 split at ；or ; (WORKBOOK.md), blank pieces dropped."""
    return {u: [a.strip() for a in re.split("[；;]", r.get("联系邮箱") or "") if a.strip()]
            for u, r in unit_rows(master).items()}


def setting(master: Path, item: str):
    ws = openpyxl.load_workbook(master, read_only=True)["活动设置"]
    return next(v for k, v, *_ in ws.iter_rows(values_only=True) if k == item)


@pytest.fixture
def master(clean_demo, tmp_path):
    """The office's master with a 回收截止日期 and 下发加密 on."""
    path = tmp_path / "局办公室" / "总台账.xlsx"
    path.parent.mkdir()
    shutil.copy(clean_demo[1], path)
    edit(path, "活动设置", "回收截止日期", "值", dt.datetime.combine(DEADLINE, dt.time()), id_header="项目")
    edit(path, "活动设置", "下发加密", "值", "是", id_header="项目")
    return path


def test_issue_mail_writes_a_draft_per_unit_that_an_independent_reader_opens_right(master, tmp_path, needs_mu):
    addresses = typed_addresses(master)
    _, doc = run_json("issue", master, "--out", tmp_path / "下发", "--mail")
    name = setting(master, "活动名称")
    drafts = {d["unit"]: Path(d["file"]) for d in doc["mail"]["drafts"]}
    assert set(drafts) == {u["unit"] for u in doc["units"] if addresses.get(u["unit"])}
    assert doc["mail"]["no_address"] == [u["unit"] for u in doc["units"] if not addresses.get(u["unit"])] != []
    assert {p.parent for p in drafts.values()} == {tmp_path / "下发" / "邮件"}
    for unit in doc["units"]:
        if unit["unit"] not in drafts:
            continue
        eml, book = drafts[unit["unit"]], Path(unit["file"])
        assert unit["mail"] == str(eml)
        raw = eml.read_bytes()
        assert raw.startswith(b"Content-Type: multipart/mixed") and b"\r\nX-Unsent: 1\r\n" in raw
        assert b"filename*=utf-8''" in raw and b'name="=?utf-8?b?' in raw  # RFC 2231 and the encoded word
        seen = mu_view(eml, needs_mu)
        assert sorted(re.findall(r"<([^>]+)>", seen["To"])) == sorted(addresses[unit["unit"]])
        assert name in seen["Subject"] and "2012年1月20日" in seen["Subject"] and unit["unit"] in seen["Subject"]
        assert seen["Attachments"] == book.name
        body = seen["body"]
        for words in ("请填写：", "不要改动：", "请于2012年1月20日前保存本工作簿", "打开密码另行通知"):
            assert words in body, words
        got = mu_attachments(eml, needs_mu, tmp_path / "mu" / unit["unit"])
        assert got == {book.name: book.read_bytes()}
        password = unit["password"]
        assert password and password.encode() not in raw and password not in body  # the password goes another way


def test_a_contact_address_that_is_not_one_is_a_warning_at_its_cell_and_gets_no_draft(master, tmp_path):
    units = list(unit_rows(master))
    column = openpyxl.utils.get_column_letter(list(unit_rows(master)[units[0]]).index("联系邮箱") + 1)
    typed = {2: "office@wenhua,example", 3: "a@wenhua.example；b@", 4: "zhangsan@例子.中国；张三@wenhua.example;c@wenhua.example"}
    for row, text in typed.items():
        set_cell_by_header(master, "单位", "联系邮箱", row, text)
    code, found = run_json("check", master)
    bad = sorted(f["cell"] for f in found["findings"] if f["code"] == "bad-email")
    assert bad == [f"{column}2", f"{column}3"]
    assert all(f["level"] == "警告" and f["sheet"] == "单位" for f in found["findings"] if f["code"] == "bad-email")
    _, doc = run_json("issue", master, "--out", tmp_path / "下发", "--mail")
    drafts = {d["unit"]: Path(d["file"]) for d in doc["mail"]["drafts"]}
    assert units[0] in doc["mail"]["no_address"]  # nothing usable: listed
    import email
    import email.policy
    for row, unit in ((3, units[1]), (4, units[2])):
        message = email.message_from_bytes(drafts[unit].read_bytes(), policy=email.policy.default)
        sent_to = [a.addr_spec for a in message["To"].addresses]
        assert sent_to == {3: ["a@wenhua.example"], 4: ["zhangsan@xn--fsqu00a.xn--fiqs8s", "c@wenhua.example"]}[row]
    assert doc["mail"]["left_out"] == [{"unit": units[2], "address": "张三@wenhua.example"}]  # said, not dropped


def test_remind_chases_the_units_owing_since_their_latest_issue_and_drafts_each(issued_demo, tmp_path, needs_mu):
    master, books = issued_demo
    edit(master, "活动设置", "回收截止日期", "值", dt.datetime.combine(DEADLINE, dt.time()), id_header="项目")
    back = sorted(books)[:2]
    collected = runner.invoke(app, ["collect", str(master), *(str(books[u]) for u in back)])
    assert collected.exit_code == 0, collected.output
    _, doc = run_json("remind", master, "--out", tmp_path / "催报", "--mail")
    owing = sorted(set(books) - set(back))
    assert sorted(u["unit"] for u in doc["units"]) == owing and doc["returned"] == len(back)
    assert {u["status"] for u in doc["units"]} == {"逾期未发回"}  # 2012-01-20 is past
    listed = openpyxl.load_workbook(doc["list"], read_only=True).active
    rows = [r for r in listed.iter_rows(values_only=True) if r and isinstance(r[0], str) and r[0].isdigit()]
    assert sorted(r[1] for r in rows) == owing and all(r[2] == "逾期未发回" for r in rows)
    addresses = typed_addresses(master)
    office = next(r for r in unit_rows(master).values() if r["单位类别"] == "局机关")
    drafts = {d["unit"]: Path(d["file"]) for d in doc["drafts"]}
    assert set(drafts) == {u for u in owing if addresses[u]} and set(doc["no_address"]) == {u for u in owing
                                                                                             if not addresses[u]}
    for unit, eml in drafts.items():
        seen = mu_view(eml, needs_mu)
        assert sorted(re.findall(r"<([^>]+)>", seen["To"])) == sorted(addresses[unit])
        assert seen["Subject"].startswith("催报") and unit in seen["Subject"] and "已过回收截止日期" in seen["Subject"]
        body = "".join(seen["body"].split())
        assert "回收截止日期2012年1月20日已过" in body and office["联系电话"] in body and "尚未收到" in body
        assert "Attachments" not in seen
    issued_again = runner.invoke(app, ["issue", str(master), "--out", str(tmp_path / "再次下发")])
    assert issued_again.exit_code == 0, issued_again.output
    _, again = run_json("remind", master, "--out", tmp_path / "催报")
    assert sorted(u["unit"] for u in again["units"]) == sorted(books)  # a return counts only after the latest issue


def test_collect_mail_answers_each_sender_with_its_receipt(issued_demo, tmp_path, needs_mu):
    master, books = issued_demo
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    sent = {"市图书馆": foxmail(books["市图书馆"], "tsg-clerk@example.org"),
            "市博物馆": outlook(books["市博物馆"], "bwg-clerk@example.org", "未命名.xlsx")}
    for unit, data in sent.items():
        (inbox / f"{unit}.eml").write_bytes(data)
    _, doc = run_json("collect", master, inbox, "--mail")
    receipts = {f["unit"]: Path(f["receipt"]) for f in doc["files"]}
    drafts = {d["unit"]: Path(d["file"]) for d in doc["mail"]["drafts"]}
    assert set(drafts) == set(sent) and doc["mail"]["no_address"] == []
    import email
    import email.policy
    for unit, eml in drafts.items():
        original = email.message_from_bytes(sent[unit], policy=email.policy.default)
        answer = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert answer["In-Reply-To"] == original["Message-ID"]
        seen = mu_view(eml, needs_mu)
        assert re.findall(r"<([^>]+)>", seen["To"]) == [original["From"].addresses[0].addr_spec]
        asked = original["Subject"]
        assert seen["Subject"] == (asked if asked.startswith("回复") else f"回复：{asked}")  # never 回复：回复：
        assert unit in seen["body"] and "已合并" in seen["body"]
        got = mu_attachments(eml, needs_mu, tmp_path / "mu" / unit)
        assert got == {receipts[unit].name: receipts[unit].read_bytes()}


def test_the_remind_list_prints_on_one_a4_page_with_every_unit_owing(issued_demo, tmp_path, needs_libreoffice):
    """The 催报清单 as the office prints it: A4 landscape, every unit owing and its contact on the page, nothing
    cut at the right edge."""
    import pdfplumber

    from zoufang.files.libreoffice import to_pdf
    master, books = issued_demo
    _, doc = run_json("remind", master, "--out", tmp_path / "催报")
    pdf = to_pdf(Path(doc["list"]), tmp_path / "pdf")
    with pdfplumber.open(pdf) as printed:
        assert len(printed.pages) == 1
        page = printed.pages[0]
        assert page.width > page.height  # landscape
        text = "".join((page.extract_text() or "").split())
        right = max(ch["x1"] for ch in page.chars)
    assert all(u["unit"] in text for u in doc["units"]) and sorted(u["unit"] for u in doc["units"]) == sorted(books)
    assert all(u["phone"] in text for u in doc["units"] if u["phone"])
    assert all(a in text for u in doc["units"] for a in re.split("[；;]", u["email"]) if a)
    assert right < page.width - 20  # inside the right margin
