"""The office's page reads true at first sight (#41): one status per person everywhere, the campaign named, every
unit's name whole, 导入记录 as the workbook shows it, advice a page can follow, a failed task that looks failed, each
finding's unit, and dates as 2012-01-15 whatever the browser's language."""
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from page_client import TOKEN, client_for

from zoufang.exchange.collect import collect

SHOTS = Path(__file__).parent / "screenshots"


def test_each_unit_paints_its_people_with_their_own_status(issued_demo):
    master, _ = issued_demo
    client = client_for(master)
    report = client.get("/api/report").json()
    page = client.get("/").text
    unit_chart = page.split("各单位完成情况", 1)[1].split("</svg>", 1)[0]
    painted: dict[str, Counter] = {}
    for unit, status, n in re.findall(r"<title>([^<>]+?) (已完成|按进度|滞后|未完成) (\d+) 人</title>", unit_chart):
        painted.setdefault(unit, Counter())[status] += int(n)
    expected: dict[str, Counter] = {}
    for p in report["people"]:
        expected.setdefault(p["单位名称"], Counter())[p["status"]] += 1
    assert painted == expected
    for unit in expected:  # every name whole, never cut with …
        assert f">{unit}</text>" in unit_chart


def test_the_page_names_the_campaign(issued_demo):
    master, _ = issued_demo
    name = openpyxl.load_workbook(master)["活动设置"]["B2"].value
    assert name and name in client_for(master).get("/").text


def test_the_import_log_on_the_page_reads_as_the_workbook_shows_it(issued_demo):
    from builders import set_cell_by_header
    master, issued = issued_demo
    set_cell_by_header(issued["市图书馆"], "走访记录", "地址", 2, "单位改的地址")
    assert collect(master, [issued["市图书馆"]]).files[0].updated == 1
    page = client_for(master).get("/collect").text
    log = page.split('id="log"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", log)
    assert cells and not [c for c in cells if re.fullmatch(r"-?\d+\.0", c)]
    assert "+00:00" not in log and not re.search(r"\d\d:\d\d:\d\d\.\d", log)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", log)


def test_a_summary_asked_before_the_end_gives_advice_for_the_page(issued_demo):
    master, _ = issued_demo
    client = client_for(master)
    started = client.post("/api/run/summary", data={"as_of": "2012-01-15"}, headers={"X-Zoufang-Token": TOKEN})
    for _ in range(300):
        task = client.get(f"/api/tasks/{started.json()['id']}").json()
        if task["state"] != "running":
            break
        time.sleep(0.2)
    assert task["state"] == "failed" and "统计截止" in task["message"] and "--as-of" not in task["message"]


def test_a_finding_of_a_person_not_on_the_roster_has_the_unit_the_row_names(clean_demo, tmp_path):
    master = tmp_path / "总台账.xlsx"
    shutil.copy(clean_demo[1], master)
    wb = openpyxl.load_workbook(master)
    ws = wb["走访记录"]
    col = next(c.column for c in ws[1] if c.value == "走访人")
    ws.cell(5, col).value = "王朋伟（市图书馆）"
    wb.save(master)
    page = client_for(master).get("/check").text
    row = next(r for r in page.split("<tr") if "走访记录!" in r and "王朋伟" in r)
    assert "<td>市图书馆</td>" in row or ">市图书馆<" in row


def heading_says(browser, text: str, seconds: float = 60) -> None:
    """Wait for the page's h1 to hold ``text`` (a click that loads a page leaves the old h1 stale meanwhile)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(
        lambda b: text in b.find_element(By.TAG_NAME, "h1").text)


def test_dates_read_2012_01_15_in_a_browser_set_to_english(issued_demo, tmp_path, needs_chromium):
    """The as-of box and the rota's start box show and take dates as 2012-01-15 (or 2012年1月10日), not 01/15/2012;
    a task that fails looks failed."""
    import subprocess
    import sys

    from browser import chromium
    from selenium.webdriver.common.by import By
    master, _ = issued_demo
    server = subprocess.Popen([sys.executable, "-m", "zoufang", "serve", str(master), "--no-browser"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()
    base = url.split("/?")[0]
    SHOTS.mkdir(exist_ok=True)
    browser = chromium(tmp_path / "下载", tmp_path / "profile", lang="en-US")
    try:
        browser.get(url)
        browser.get(f"{base}/?as_of=2012-01-15")
        box = browser.find_element(By.CSS_SELECTOR, 'input[name="as_of"]')
        assert box.get_attribute("value") == "2012-01-15"
        assert box.get_attribute("type") == "text"
        box.clear()
        box.send_keys("2012年1月10日")
        browser.find_element(By.CSS_SELECTOR, "form.asof button").click()
        heading_says(browser, "统计截止 2012-01-10")  # the next page, once it has replaced this one
        browser.save_screenshot(str(SHOTS / "serve-english-browser.png"))
        browser.get(f"{base}/generate?as_of=2012-01-15")
        start = browser.find_element(By.CSS_SELECTOR, 'form[data-kind="rota"] input[name="start"]')
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", start.get_attribute("value"))
        browser.find_element(By.CSS_SELECTOR, 'form[data-kind="summary"] button').click()
        deadline = time.time() + 120
        while time.time() < deadline and not browser.find_elements(By.CSS_SELECTOR, "#task-list .job.failed"):
            time.sleep(0.3)
        failed = browser.find_element(By.CSS_SELECTOR, "#task-list .job.failed")
        assert "未完成" in failed.text and "统计截止" in failed.text
        browser.save_screenshot(str(SHOTS / "serve-failed-task.png"))
    finally:
        browser.quit()
        server.terminate()
        server.wait(timeout=30)
