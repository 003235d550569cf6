"""The whole flow in a real browser (Debian's chromium, driven by Selenium): the office opens the printed address,
reads a person's figures, drops a unit's return, and downloads a unit's ledgers and the brief."""
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from builders import set_cell_by_header


SHOTS = Path(__file__).parent / "screenshots"  # left for a person to look at (ignored by git)


@pytest.fixture
def served(issued_demo):
    """``zoufang serve`` as the office starts it, on a demo master issued to every unit; its address."""
    master, issued = issued_demo
    server = subprocess.Popen([sys.executable, "-m", "zoufang", "serve", str(master), "--no-browser"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:") and "token=" in url, server.stderr.read()
    yield master, issued, url, server
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=30)


def wait_for(find, timeout: float = 120):
    end = time.time() + timeout
    while time.time() < end:
        got = find()
        if got:
            return got
        time.sleep(0.3)
    raise AssertionError("the page did not show it in time")


def downloaded(folder: Path, suffix: str, timeout: float = 120) -> Path:
    return wait_for(lambda: next((p for p in folder.glob(f"*{suffix}")), None), timeout)


def test_the_office_runs_its_day_from_the_page(served, tmp_path, needs_chromium):
    from browser import chromium
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    master, issued, url, _ = served
    base = url.split("/?")[0]
    downloads = tmp_path / "下载"
    downloads.mkdir()
    SHOTS.mkdir(exist_ok=True)
    report = json.loads(subprocess.run([sys.executable, "-m", "zoufang", "report", str(master), "--json"],
                                       capture_output=True, text=True, timeout=300).stdout)
    browser = chromium(downloads, tmp_path / "profile")
    try:
        browser.get(url)
        assert "总览" in browser.title and "挂牌督办" in browser.page_source
        browser.save_screenshot(str(SHOTS / "serve-overview.png"))

        person = report["people"][3]
        browser.get(f"{base}/people?q={person['人员编号']}")
        card = browser.find_element(By.CSS_SELECTOR, f'article.person[data-person="{person["人员编号"]}"]')
        for metric, figures in person["metrics"].items():
            row = card.find_element(By.CSS_SELECTOR, f'tr[data-metric="{metric}"]')
            shown = row.find_element(By.CSS_SELECTOR, "td.actual").text
            expected = f"{figures['actual']:.0%}" if metric in ("带案下访比例", "问题解决率") else f"{figures['actual']:g}"
            assert shown == expected, (metric, shown, figures)
        browser.save_screenshot(str(SHOTS / "serve-person.png"))

        library = issued["市图书馆"]
        set_cell_by_header(library, "走访记录", "地址", 2, "浏览器上传的新地址")
        browser.get(f"{base}/collect")
        browser.find_element(By.ID, "files").send_keys(str(library))
        result = wait_for(lambda: [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#collect-result tbody tr")])
        assert "市图书馆" in result[0] and "已合并" in result[0], result
        browser.save_screenshot(str(SHOTS / "serve-collect.png"))
        browser.refresh()
        assert "已发回" in browser.find_element(By.ID, "returns").text

        browser.get(f"{base}/generate")
        form = browser.find_element(By.CSS_SELECTOR, 'form[data-kind="ledgers"]')
        form.find_element(By.CSS_SELECTOR, 'input[value="unit"]').click()
        Select(form.find_element(By.CSS_SELECTOR, 'select[name="unit"]')).select_by_visible_text("市图书馆")
        form.find_element(By.CSS_SELECTOR, "button").click()
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#task-list a.download"), 300)[0].click()
        ledgers = downloaded(downloads, ".zip", 300)
        with zipfile.ZipFile(ledgers) as z:
            names = [n for n in z.namelist() if n.endswith(".xlsx")]
            assert any("市图书馆" in n for n in names)
            z.extract(names[0], tmp_path / "台账")
        openpyxl.load_workbook(tmp_path / "台账" / names[0])

        browser.find_element(By.CSS_SELECTOR, 'form[data-kind="brief"] button').click()
        wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "#task-list a.download")) == 2, 300)
        browser.find_elements(By.CSS_SELECTOR, "#task-list a.download")[0].click()  # the newest task is on top
        brief = downloaded(downloads, ".docx", 120)
        assert "大走访活动简报" in "\n".join(p.text for p in docx.Document(brief).paragraphs)
        browser.save_screenshot(str(SHOTS / "serve-generate.png"))
    finally:
        browser.quit()


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl+C is sent as SIGINT here; Windows sends CTRL_C_EVENT")
def test_ctrl_c_stops_the_server_after_its_running_task_and_leaves_no_half_written_file(served):
    import signal
    import urllib.request

    from zoufang.files.safe_io import TEMP_PREFIX
    master, _, url, proc = served
    base = url.split("/?")[0]
    request = urllib.request.Request(f"{base}/api/run/ledgers", data=b"scope=all", method="POST",
                                     headers={"X-Zoufang-Token": url.split("token=")[1],
                                              "Content-Type": "application/x-www-form-urlencoded"})
    started = json.loads(urllib.request.urlopen(request, timeout=60).read())
    assert started["state"] == "running"
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=300)
    said = proc.stderr.read()
    assert proc.returncode == 0 and "等待正在进行的工作" in said and "页面服务已停止" in said
    written = list((master.parent / "台账").rglob("*.xlsx"))
    assert written and not list(master.parent.rglob(TEMP_PREFIX + "*"))
    for book in written:
        openpyxl.load_workbook(book, read_only=True).close()
