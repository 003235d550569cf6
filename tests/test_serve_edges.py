"""The page at its edges (hostile review round 4): no GET writes, headers that keep names out of caches and frames,
refusals in Chinese with their documented status, a broken upload or a full disk that leaves nothing half-written,
tasks that write the same files taking turns, and a browser opened without the token on its command line."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from page_client import BASE, PORT, TOKEN, client_for, post, run_task, wait_task

from zoufang.exchange.master_lock import lock_path
from zoufang.serve import create_app

# ------------------------------------------------------------------ 9: no GET writes; headers
def test_no_get_writes_anything_beside_the_master(issued_demo):
    """A page on another local port (same-site) can make the browser GET any address with the cookie: none of them
    writes a file. The marked copy is made by a POST carrying the token, then downloaded."""
    master, _ = issued_demo
    client = client_for(master)
    before = sorted(p.name for p in master.parent.iterdir())
    for path in ("/download/annotated", "/download/annotated?as_of=2012-01-15"):
        assert client.get(path).status_code == 404
    assert sorted(p.name for p in master.parent.iterdir()) == before
    marked = run_task(client, "annotated")
    assert marked["state"] == "done", marked
    got = client.get(marked["download"])
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert (master.parent / f"{master.stem}-校验标注.xlsx").exists()


def test_every_answer_carries_the_security_headers_and_the_api_is_never_cached(issued_demo):
    master, _ = issued_demo
    client = client_for(master)
    for path in ("/", "/check", "/api/report", "/static/app.js", "/api/tasks/nothing"):
        answer = client.get(path)
        assert "default-src 'self'" in answer.headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        if path.startswith("/api/"):
            assert answer.headers["cache-control"] == "no-store", path
    refused = TestClient(create_app(master, TOKEN, PORT), base_url=BASE).get("/")
    assert refused.status_code == 403 and refused.headers["x-frame-options"] == "DENY"


# ------------------------------------------------------------------ 15, 16: refusals in Chinese
def test_upload_refusals_are_chinese_json_with_the_documented_status(issued_demo):
    master, issued = issued_demo
    client = client_for(master)
    small = issued["市图书馆"].read_bytes()
    many = post(client, "/api/collect", files=[("files", (f"{i}.xlsx", small)) for i in range(61)])
    assert many.status_code == 413 and "一次最多 60 个" in many.json()["error"]
    fields = post(client, "/api/collect", data={f"f{i}": "x" for i in range(30)}, files=[("files", ("a.xlsx", small))])
    assert fields.status_code == 413 and "字段" in fields.json()["error"]
    for content_type, body in (("multipart/form-data", b"--x\r\n"), ("multipart/form-data; boundary=zz", b"garbage")):
        broken = post(client, "/api/collect", content=body, headers={"Content-Type": content_type})
        assert broken.status_code == 400 and "上传" in broken.json()["error"], broken.text
    assert not list((master.parent / "回收").glob("*/*")) if (master.parent / "回收").exists() else True


def test_a_rota_asked_for_abc_days_says_so_in_chinese(issued_demo):
    master, _ = issued_demo
    client = client_for(master)
    rota = run_task(client, "rota", start="2012-01-16", days="abc")
    assert rota["state"] == "failed" and "1 到 366 之间的整数" in rota["message"] and "invalid" not in rota["message"]


# ------------------------------------------------------------------ 19: a full disk during an upload
def test_a_full_disk_during_an_upload_leaves_no_half_written_return(issued_demo, small_disk):
    master, issued = issued_demo
    disk = small_disk(3 << 20)
    office = disk / "局办公室"
    office.mkdir()
    shutil.copy(master, office / master.name)
    shutil.copy(master.with_name(f".{master.stem}.zoufang-key"), office) if master.with_name(
        f".{master.stem}.zoufang-key").exists() else None
    client = client_for(office / master.name)
    free = shutil.disk_usage(disk).free
    big = os.urandom(free + (256 << 10))  # more than the disk holds
    answer = post(client, "/api/collect", files=[("files", ("图书馆.xlsx", issued["市图书馆"].read_bytes())),
                                                  ("files", ("大文件.xlsx", big))])
    assert answer.status_code == 507 and "未改动" in answer.json()["error"], answer.text
    assert not [p for p in (office / "回收").rglob("*") if p.is_file()] if (office / "回收").exists() else True


# ------------------------------------------------------------------ 20: tasks that write the same files
def test_tasks_writing_the_same_files_take_turns_and_all_finish(issued_demo):
    master, _ = issued_demo
    client = client_for(master)
    started = [post(client, "/api/run/ledgers", data={"scope": "unit", "unit": "市图书馆"}) for _ in range(3)]
    started += [post(client, "/api/run/issue") for _ in range(2)]
    finished = [wait_task(client, s.json()["id"]) for s in started]
    assert [t["state"] for t in finished] == ["done"] * 5, [t["message"] for t in finished]


# ------------------------------------------------------------------ 10, 17: a real `zoufang serve`
def serve(master: Path, *args, env=None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "zoufang", "serve", str(master), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), proc.stderr.read()
    return proc, url


@pytest.mark.skipif(os.name != "posix", reason="the browser is stood in for by a script named in $BROWSER")
def test_the_browser_is_opened_on_a_private_file_and_never_given_the_token(issued_demo, tmp_path):
    master, _ = issued_demo
    said = tmp_path / "browser-argv.json"
    fake = tmp_path / "browser.py"
    fake.write_text(f"import json, sys\njson.dump(sys.argv[1:], open({str(said)!r}, 'w'))\n", encoding="utf-8")
    fake.chmod(0o755)
    proc, url = serve(master, env={**os.environ, "BROWSER": f"{sys.executable} {fake} %s"})
    try:
        for _ in range(200):
            if said.exists() and said.stat().st_size:
                break
            time.sleep(0.1)
        argv = json.loads(said.read_text(encoding="utf-8"))
        token = url.split("token=")[1]
        assert argv and not any(token in a for a in argv)
        page = Path(urllib.request.url2pathname(argv[-1].removeprefix("file://")))
        assert page.is_file() and page.stat().st_mode & 0o077 == 0 and page.parent.stat().st_mode & 0o077 == 0
        assert url.replace("&", "&amp;") in page.read_text(encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    assert not page.exists()  # removed when the server stops


@pytest.mark.skipif(os.name != "posix", reason="Ctrl+C is sent as SIGINT here")
def test_a_client_gone_mid_upload_is_one_chinese_line_on_the_terminal(issued_demo):
    master, _ = issued_demo
    proc, url = serve(master, "--no-browser")
    port, token = int(url.split(":")[2].split("/")[0]), url.split("token=")[1]
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall((f"POST /api/collect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Zoufang-Token: {token}\r\n"
                       f"Content-Type: multipart/form-data; boundary=zz\r\nContent-Length: 100000\r\n\r\n"
                       f"--zz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.xlsx\"\r\n\r\nPK").encode())
            time.sleep(1)
        time.sleep(1)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    err = proc.stderr.read()
    assert "Traceback" not in err and "ClientDisconnect" not in err, err[-3000:]
    assert "上传中断" in err
    assert not [p for p in (master.parent / "回收").rglob("*") if p.is_file()] if (master.parent / "回收").exists() \
        else True


@pytest.mark.skipif(os.name != "posix", reason="Ctrl+C is sent as SIGINT here")
def test_a_double_ctrl_c_during_a_page_collect_says_what_was_merged(issued_demo):
    master, issued = issued_demo
    proc, url = serve(master, "--no-browser")
    base, token = url.split("/?")[0], url.split("token=")[1]
    boundary = "zoufangboundary"
    parts = []
    for unit, path in issued.items():
        parts.append((f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{unit}.xlsx\"\r\n"
                      f"Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    answer: dict = {}

    def upload():
        request = urllib.request.Request(f"{base}/api/collect", data=body, method="POST", headers={
            "X-Zoufang-Token": token, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with urllib.request.urlopen(request, timeout=300) as got:
                answer["status"], answer["body"] = got.status, got.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            answer["status"], answer["body"] = exc.code, exc.read().decode("utf-8", "replace")
        except OSError as exc:
            answer["error"] = repr(exc)
    thread = threading.Thread(target=upload)
    thread.start()
    lock = lock_path(master)
    for _ in range(600):  # the merge has begun: the master's lock is taken
        if lock.exists():
            break
        time.sleep(0.05)
    assert lock.exists()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=300)
    thread.join(timeout=300)
    err = proc.stderr.read()
    assert "Traceback" not in err and "CancelledError" not in err, err[-3000:]
    assert answer.get("status") != 500, answer
    merged = answer.get("status") == 200 or "回收在服务停止时已完成" in err
    assert merged, (answer, err[-2000:])
