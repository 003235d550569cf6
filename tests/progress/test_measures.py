"""The seed's measures without a number, as the office reads them: 问政 replies, households by 对象类别,
结对帮扶 and who has none — each recomputed here from the rows themselves."""
import datetime as dt
import json
import subprocess
import sys

import openpyxl
from builders import D, make_book, visit

from zoufang.contract import schema


def report_json(book, *args) -> dict:
    done = subprocess.run([sys.executable, "-m", "zoufang", "report", str(book), "--json", *args], capture_output=True,
                          text=True, timeout=300)
    return json.loads(done.stdout)


def rows_of(book, sheet: str) -> list[dict]:
    ws = openpyxl.load_workbook(book, read_only=True)[sheet]
    grid = list(ws.iter_rows(values_only=True))
    return [dict(zip(grid[0], r)) for r in grid[1:] if any(v not in (None, "") for v in r)]


def test_the_reply_rate_and_categories_of_the_demo_add_up_from_its_rows(clean_demo):
    _, book = clean_demo
    doc = report_json(book, "--as-of", "2011-12-31")
    asked = [r for r in rows_of(book, schema.WENZHENG.name)
             if r["日期"] is None or r["日期"] <= dt.datetime(2011, 12, 31)]
    opinions = sum(r["收集意见数"] or 0 for r in asked)
    replied = sum(r["已回复数"] or 0 for r in asked)
    assert doc["wenzheng"]["opinions"] == opinions and doc["wenzheng"]["replied"] == replied
    assert doc["wenzheng"]["reply_rate"] == round(replied / opinions, 4)
    for person in doc["people"]:
        if "走访户数" in person["metrics"]:
            assert sum(person["by_category"].values()) == person["metrics"]["走访户数"]["actual"], person["姓名"]


def test_a_household_counts_once_under_its_latest_in_person_visits_category(tmp_path):
    book = tmp_path / "总台账.xlsx"
    make_book(book, visits=[visit("丙馆长", D(2011, 9, 5), head="王大", address="庞庄村1号", target_type="困难户"),
                            visit("丙馆长", D(2011, 9, 20), head="王大", address="庞庄村1号", target_type="老党员"),
                            visit("丙馆长", D(2011, 9, 25), head="王大", address="庞庄村1号", target_type="老干部",
                                  form="电话回访"),
                            visit("丙馆长", D(2011, 9, 26), head="李二", address="庞庄村2号", target_type="困难户")])
    person = next(p for p in report_json(book, "--as-of", "2011-12-31")["people"] if p["姓名"] == "丙馆长")
    assert person["by_category"] == {"老党员": 1, "困难户": 1}
    early = next(p for p in report_json(book, "--as-of", "2011-09-10")["people"] if p["姓名"] == "丙馆长")
    assert early["by_category"] == {"困难户": 1}  # the later visits had not happened yet


def test_every_cadre_without_a_pairing_is_listed_and_a_later_one_does_not_count_yet(tmp_path):
    book = tmp_path / "总台账.xlsx"
    make_book(book, activities=[
        {"date": D(2011, 9, 8), "kind": "结对帮扶", "lead": "丙馆长", "unit": "市图书馆", "place": "庞庄村"},
        {"date": D(2011, 11, 8), "kind": "结对帮扶", "lead": "戊干部", "unit": "市图书馆", "place": "庞庄村"},
        {"date": D(2011, 9, 9), "kind": "送服务", "lead": "丁馆长", "unit": "市博物馆", "place": "庞庄村"}])
    people = rows_of(book, schema.PEOPLE.name)
    cadres = {r["姓名"] for r in people if r["人员类别"] in ("局领导班子成员", "二级单位领导班子成员", "其他党员干部")}
    doc = report_json(book, "--as-of", "2011-10-01")
    assert {r["姓名"] for r in doc["unpaired"]} == cadres - {"丙馆长"}  # 戊干部's pairing comes later
    assert next(p for p in doc["people"] if p["姓名"] == "丙馆长")["pairings"] == 1
    later = report_json(book, "--as-of", "2011-12-01")
    assert {r["姓名"] for r in later["unpaired"]} == cadres - {"丙馆长", "戊干部"}
    assert "己职工" not in {r["姓名"] for r in later["unpaired"]}  # 其他干部 are not asked to pair
