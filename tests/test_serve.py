"""The office's page as a clerk without Python buttons uses it: the same figures as the commands, the returns
merged as `zoufang collect` merges them, and nobody but this computer's browser with the token let in."""
import io
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from builders import set_cell_by_header
from page_client import BASE, PORT, TOKEN, client_for, post, run_task
from starlette.testclient import TestClient

from zoufang.exchange.master_lock import MasterLock
from zoufang.reading.reader import read_campaign
from zoufang.serve import create_app
from zoufang.web.uploads import MAX_FILES, MAX_TOTAL_BYTES



@pytest.fixture
def office(issued_demo):
    """The demo master in the office's folder, issued to every unit."""
    return issued_demo


def command_json(*argv) -> dict:
    done = subprocess.run([sys.executable, "-m", "zoufang", *map(str, argv), "--json"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


# ------------------------------------------------------------------ the same figures as the commands
def test_every_page_opens_in_chinese_once_the_printed_address_was_used(office):
    master, _ = office
    client = TestClient(create_app(master, TOKEN, PORT), base_url=BASE)
    first = client.get(f"/?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/"
    assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=Strict" in first.headers["set-cookie"]
    client.cookies.update(first.cookies)
    for path, heading in [("/", "总览"), ("/people", "人员完成情况"), ("/check", "校验"), ("/collect", "回收"),
                          ("/generate", "生成"), ("/?as_of=2011-11-30", "统计截止 2011-11-30")]:
        page = client.get(path)
        assert page.status_code == 200 and heading in page.text, path
        assert not re.search(r'(src|href|action)="(https?:)?//', page.text)  # nothing from the internet


def test_the_api_answers_with_the_commands_own_json(office):
    master, _ = office
    client = client_for(master)
    assert client.get("/api/report").json() == command_json("report", master.resolve())
    assert client.get("/api/report?as_of=2011-12-20").json() == command_json("report", master.resolve(),
                                                                             "--as-of", "2011-12-20")
    assert client.get("/api/check").json() == command_json("check", master.resolve())


def test_a_person_on_the_page_has_the_figures_of_report_json(office):
    master, _ = office
    client = client_for(master)
    person = client.get("/api/report").json()["people"][7]
    page = client.get(f"/people?q={person['人员编号']}").text
    assert page.count('class="person"') == 1 and person["姓名"] in page
    for metric, figures in person["metrics"].items():
        assert f'data-metric="{metric}"' in page
        if metric not in ("带案下访比例", "问题解决率"):
            row = page.split(f'data-metric="{metric}"')[1].split("</tr>")[0]
            assert f'<td class="actual">{figures["actual"]:g}</td>' in row, (metric, row)


def test_findings_filter_by_unit_sheet_and_level(demo, tmp_path):
    master = tmp_path / "总台账.xlsx"
    shutil.copy(demo[1], master)
    client = client_for(master)
    every = client.get("/check").text
    total = client.get("/api/check").json()
    assert f"显示 {len(total['findings'])} / {len(total['findings'])} 条" in every
    errors = client.get("/check?level=错误").text
    assert f"显示 {total['errors']} / " in errors
    visits = [f for f in total["findings"] if f["sheet"] == "走访记录"]
    assert f"显示 {len(visits)} / " in client.get("/check?sheet=走访记录").text
    one_unit = client.get("/check?unit=市图书馆").text
    shown = int(one_unit.split("显示 ")[1].split(" /")[0])
    assert 0 < shown < len(total["findings"]) and one_unit.count("<td>市图书馆</td>") == shown


# ------------------------------------------------------------------ collect through the page = zoufang collect
def test_returns_dropped_on_the_page_merge_exactly_as_zoufang_collect_merges_them(office, tmp_path):
    master, issued = office
    twin = tmp_path / "对照" / "总台账.xlsx"
    twin.parent.mkdir()
    shutil.copy(master, twin)
    for sidecar in master.parent.glob(".*"):  # the key (and passwords) kept beside the master
        shutil.copy(sidecar, twin.parent / sidecar.name)
    library, museum = issued["市图书馆"], issued["市博物馆"]
    set_cell_by_header(library, "走访记录", "地址", 2, "网页上传的新地址")
    set_cell_by_header(museum, "走访记录", "备注", 3, "博物馆补充")
    with open(library, "rb") as a, open(museum, "rb") as b:
        answer = post(client_for(master), "/api/collect", files=[("files", (library.name, a.read())),
                                                                  ("files", (museum.name, b.read()))])
    assert answer.status_code == 200, answer.text
    by_page = answer.json()
    by_command = command_json("collect", twin, library, museum)
    strip = [{k: v for k, v in f.items() if k not in ("file", "receipt")} for f in by_page["files"]]
    assert strip == [{k: v for k, v in f.items() if k not in ("file", "receipt")} for f in by_command["files"]]
    assert {f["status"] for f in by_page["files"]} == {"merged"}
    mine, theirs = read_campaign(master), read_campaign(twin)
    for key in ("visits", "problems"):
        assert mine[key].frame.drop(columns="_row").equals(theirs[key].frame.drop(columns="_row"))
    uploads = list((master.parent / "回收").glob("网页上传-*/*"))
    assert sorted(p.name for p in uploads) == sorted([library.name, museum.name])
    page = client_for(master).get("/collect").text
    assert "已发回" in page and "市图书馆" in page and library.name in page  # 发回情况 and 导入记录


def test_the_collect_tab_finds_a_records_changes_and_hands_out_receipts(office):
    """回收: the same search as `zoufang history`, and each return's receipt to download (#43)."""
    import openpyxl
    master, issued = office
    library = issued["市图书馆"]
    set_cell_by_header(library, "走访记录", "地址", 2, "网页上传的新地址")
    record = openpyxl.load_workbook(library)["走访记录"]["A2"].value
    client = client_for(master)
    with open(library, "rb") as fh:
        answer = post(client, "/api/collect", files=[("files", (library.name, fh.read()))])
    receipt = Path(answer.json()["files"][0]["receipt"])
    page = client.get("/collect", params={"key": record}).text
    assert "网页上传的新地址" in page and "已合并" in page and record in page
    assert receipt.name in client.get("/collect").text
    got = client.get(f"/receipt/{receipt.name}")
    assert got.status_code == 200 and got.content == receipt.read_bytes()
    assert client.get("/receipt/..%2F总台账.xlsx").status_code == 404
    assert "没有 走访记录!Z999 的改动记录" in client.get("/collect", params={"key": "走访记录!Z999"}).text


def test_the_collect_tab_hands_out_a_reminder_draft_per_unit_owing_and_all_of_them_as_a_zip(office):
    """回收 offers the 催报 drafts of `zoufang remind --mail` for the units that have not sent back (#44): one .eml
    each, or all in one zip; a unit that has sent back, or a name not on the list, gets none."""
    import email
    import email.policy
    master, issued = office
    client = client_for(master)
    with open(issued["市图书馆"], "rb") as fh:
        post(client, "/api/collect", files=[("files", (issued["市图书馆"].name, fh.read()))])  # unchanged: still back
    expected = command_json("remind", master, "--out", master.parent / "催报", "--mail")
    owing = {d["unit"] for d in expected["drafts"]}
    assert owing and "市图书馆" not in owing and "市图书馆" not in expected["no_address"]
    page = client.get("/collect").text
    links = set(re.findall(r'href="/reminders\?unit=([^"]+)"', page))
    from urllib.parse import unquote
    assert {unquote(u) for u in links} == owing
    assert all(u in page for u in expected["no_address"]) and "无联系邮箱" in page
    for unit in owing:
        got = client.get("/reminders", params={"unit": unit})
        assert got.status_code == 200 and got.headers["content-type"].startswith("message/rfc822")
        message = email.message_from_bytes(got.content, policy=email.policy.default)
        made = email.message_from_bytes(Path(dict((d["unit"], d["file"]) for d in expected["drafts"])[unit])
                                        .read_bytes(), policy=email.policy.default)
        assert message["To"] == made["To"] and message["Subject"] == made["Subject"]
        assert message.get_body(("plain",)).get_content() == made.get_body(("plain",)).get_content()
    bundle = zipfile.ZipFile(io.BytesIO(client.get("/reminders").content))
    assert sorted(bundle.namelist()) == sorted(f"催报-{u}.eml" for u in owing)
    assert client.get("/reminders", params={"unit": "市图书馆"}).status_code == 404
    assert client.get("/reminders", params={"unit": "../总台账.xlsx"}).status_code == 404


def test_a_saved_message_dropped_on_the_page_is_collected_like_its_attachment(office):
    """回收 takes a saved .eml as `zoufang collect` does: the workbook attached is the return, its sender recorded."""
    from mail_messages import outlook
    master, issued = office
    book = issued["市杂技团"]
    set_cell_by_header(book, "走访记录", "地址", 2, "邮件里改过的地址")
    client = client_for(master)
    answer = post(client, "/api/collect", files=[("files", ("回复：台账.eml", outlook(book, "zjt-clerk@example.org",
                                                                                     book.name)))]).json()
    (got,) = answer["files"]
    assert got["status"] == "merged" and got["unit"] == "市杂技团" and got["updated"] >= 1
    assert got["mail"]["address"] == "zjt-clerk@example.org" and got["mail"]["attachment"] == book.name
    assert "邮件里改过的地址" in str(read_campaign(master)["visits"].frame["address"].tolist())


def test_an_uploaded_name_never_becomes_a_path(office):
    master, issued = office
    data = issued["市图书馆"].read_bytes()
    answer = post(client_for(master), "/api/collect",
                  files=[("files", ("../../../别处.xlsx", data)), ("files", ("..\\..\\CON.xlsx", data))])
    assert answer.status_code == 200, answer.text
    saved = sorted(p.name for p in (master.parent / "回收").glob("网页上传-*/*"))
    assert len(saved) == 2 and "别处.xlsx" in saved and all("/" not in n and "\\" not in n for n in saved)
    assert not (master.parent.parent / "别处.xlsx").exists()


# ------------------------------------------------------------------ refusals
def test_no_token_a_foreign_host_or_a_foreign_origin_is_refused(office):
    master, issued = office
    before = master.read_bytes()
    stranger = TestClient(create_app(master, TOKEN, PORT), base_url=BASE)
    assert stranger.get("/").status_code == 403 and "令牌" not in stranger.get("/").text
    assert stranger.get("/api/report").status_code == 403
    assert stranger.post("/api/collect", files=[("files", ("a.xlsx", b"x"))]).status_code == 403
    assert post(stranger, "/api/collect", files=[("files", ("a.xlsx", b"x"))],
                headers={"X-Zoufang-Token": "guess"}).status_code == 403
    rebound = TestClient(create_app(master, TOKEN, PORT), base_url=f"http://evil.example:{PORT}")
    assert rebound.get(f"/?token={TOKEN}").status_code == 403
    other_port = TestClient(create_app(master, TOKEN, PORT), base_url="http://127.0.0.1:9999")
    assert other_port.get(f"/?token={TOKEN}").status_code == 403
    client = client_for(master)
    foreign = post(client, "/api/collect", files=[("files", ("a.xlsx", issued["市图书馆"].read_bytes()))],
                   headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and "其他网站" in foreign.text
    assert post(client, "/api/run/brief", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert master.read_bytes() == before and not (master.parent / "回收").exists()


def test_oversized_or_too_many_uploads_are_refused_before_anything_is_merged(office):
    master, issued = office
    before = master.read_bytes()
    client = client_for(master)
    too_big = post(client, "/api/collect", content=b"x" * 10,
                   headers={"Content-Type": "multipart/form-data; boundary=b",
                            "Content-Length": str(MAX_TOTAL_BYTES + 1)})
    assert too_big.status_code == 413 and "MB" in too_big.json()["error"]
    small = issued["市图书馆"].read_bytes()
    many = post(client, "/api/collect", files=[("files", (f"{i}.xlsx", small)) for i in range(MAX_FILES + 1)])
    assert many.status_code in (400, 413)
    assert master.read_bytes() == before
    assert not list((master.parent / "回收").glob("*/*")) if (master.parent / "回收").exists() else True


def test_a_locked_or_open_master_is_a_clear_message_and_stays_as_it_was(office):
    master, issued = office
    before = master.read_bytes()
    client = client_for(master)
    files = [("files", ("图书馆.xlsx", issued["市图书馆"].read_bytes()))]
    with MasterLock(master):
        busy = post(client, "/api/collect", files=files)
    assert busy.status_code == 409 and "正在修改" in busy.json()["error"]
    (master.parent / f"~${master.name}").write_bytes(b"excel")
    opened = post(client, "/api/collect", files=files)
    assert opened.status_code == 409 and "正在被 Excel 或 WPS" in opened.json()["error"]
    assert master.read_bytes() == before


# ------------------------------------------------------------------ long work: tasks with progress, downloads
def test_a_units_ledgers_and_the_brief_download_and_open(office):
    master, _ = office
    client = client_for(master)
    ledgers = run_task(client, "ledgers", scope="unit", unit="市图书馆")
    assert ledgers["state"] == "done", ledgers
    z = zipfile.ZipFile(io.BytesIO(client.get(ledgers["download"]).content))
    names = z.namelist()
    assert names and all(n.startswith("台账/") for n in names) and any("市图书馆" in n for n in names)
    openpyxl.load_workbook(io.BytesIO(z.read(names[0])))
    brief = run_task(client, "brief")
    assert brief["state"] == "done" and "半月简报 第" in brief["message"]
    got = client.get(brief["download"])
    assert "attachment" in got.headers["content-disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
    assert "大走访活动简报" in text and "第9期" in text


def test_a_task_that_cannot_run_says_why_in_chinese(office):
    master, _ = office
    client = client_for(master)
    summary = run_task(client, "summary", as_of="2011-12-01")
    assert summary["state"] == "failed" and "全面总结在结束时或结束后生成" in summary["message"]
    assert post(client, "/api/run/format-disk").status_code == 404
    assert client.get("/api/tasks/nothing").status_code == 404


def test_the_marked_copy_and_the_issued_workbooks_download_from_the_page(office):
    master, _ = office
    client = client_for(master)
    task = run_task(client, "annotated")
    assert task["state"] == "done", task
    marked = client.get(task["download"])
    assert marked.status_code == 200 and "attachment" in marked.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(marked.content))
    assert "校验结果" in book.sheetnames
    assert (master.parent / f"{master.stem}-校验标注.xlsx").exists()  # written beside the master, nowhere else
    issued = run_task(client, "issue")
    assert issued["state"] == "done" and "共下发" in issued["message"]
    names = zipfile.ZipFile(io.BytesIO(client.get(issued["download"]).content)).namelist()
    assert len(names) == len(issued["files"]) > 1 and all(n.startswith("下发/") for n in names)
