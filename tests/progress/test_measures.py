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


def _wz(person, day, topic, opinions, replied):
    return {"date": day, "person": person, "mode": "座谈", "topic": topic, "participants": 20, "opinions": opinions,
            "replied": replied}


def test_reply_rates_for_each_unit_and_each_person_and_each_units_topics_against_two(tmp_path):
    """The 问政 rows of a generated campaign, recomputed here: opinions, replies and the rate of each unit (局 for
    the bureau's own) and each 负责人; each unit's distinct topics against the 配额 row (二级单位, 问政题目, 2);
    a row after the as-of date does not exist yet."""
    import random
    rng = random.Random(7)
    people = {"甲局长": "局", "丙馆长": "市图书馆", "戊干部": "市图书馆", "丁馆长": "市博物馆"}
    topics = {"局": ["书屋", "送戏"], "市图书馆": ["开放时间", "借阅"], "市博物馆": ["讲解"]}
    rows = []
    for _ in range(40):
        person = rng.choice(list(people))
        opinions = rng.randint(0, 30)
        rows.append(_wz(person, D(2011, 9, 1) + dt.timedelta(days=rng.randrange(150)),
                        rng.choice(topics[people[person]]), opinions, rng.randint(0, opinions)))
    book = tmp_path / "总台账.xlsx"
    make_book(book, wenzheng=rows)
    doc = report_json(book, "--as-of", "2011-12-31")
    seen = [r for r in rows if r["date"] <= D(2011, 12, 31)]
    for unit in ("局", "市图书馆", "市博物馆"):
        mine = [r for r in seen if people[r["person"]] == unit]
        opinions, replied = sum(r["opinions"] for r in mine), sum(r["replied"] for r in mine)
        got = doc["wenzheng"]["units"][unit]
        assert (got["opinions"], got["replied"]) == (opinions, replied), unit
        assert got["reply_rate"] == (round(replied / opinions, 4) if opinions else None)
        assert got["topics"] == len({r["topic"] for r in mine})
    pid = {p["姓名"]: p["人员编号"] for p in rows_of(book, schema.PEOPLE.name)}
    for name in people:
        mine = [r for r in seen if r["person"] == name]
        if mine:
            assert doc["wenzheng"]["people"][pid[name]]["opinions"] == sum(r["opinions"] for r in mine), name
    unit_topics = doc["collective"]["metrics"][schema.UNIT_TOPICS]
    short = [u for u in ("市图书馆", "市博物馆") if len({r["topic"] for r in seen if people[r["person"]] == u}) < 2]
    assert unit_topics["met"] == (not short) and all(u in unit_topics["detail"] for u in short)
    units = {u["单位名称"]: u for u in doc["units"]}
    assert units["市博物馆"]["wenzheng"]["topics"] == doc["wenzheng"]["units"]["市博物馆"]["topics"]


def test_the_report_workbook_shows_the_measures_by_unit(clean_demo, tmp_path):
    """专项工作 holds 问政, 重点走访对象 and 结对帮扶 per unit as report --json has them; 未结对帮扶人员 every cadre
    without a pairing."""
    _, book = clean_demo
    done = subprocess.run([sys.executable, "-m", "zoufang", "report", str(book), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    doc = report_json(book)
    wb = openpyxl.load_workbook(next(tmp_path.glob("完成情况报告-*.xlsx")))
    cells = [[c for c in row] for row in wb[schema.MEASURES_SHEET].iter_rows(values_only=True)]
    units = {u["单位名称"]: u for u in doc["units"]}

    def table(first_heading):
        start = next(i for i, r in enumerate(cells) if r[0] == "单位名称" and r[1] == first_heading)
        out = {}
        for r in cells[start + 1:]:
            if r[0] not in units:  # 合计, a blank row or the next section's title: the table ends
                break
            out[r[0]] = r
        return cells[start], out
    _, wz = table("问政题目")
    for name, r in wz.items():
        w = units[name]["wenzheng"]
        assert (r[1], r[2], r[3]) == (w["topics"], w["opinions"], w["replied"]), name
    head, cats = table(next(c for c in schema.VISIT_TARGET_TYPES if c in {k for u in units.values()
                                                                             for k in u["by_category"]}))
    for name, r in cats.items():
        row = dict(zip(head, r))
        assert row["合计"] == sum(units[name]["by_category"].values()), name
        assert all(row[c] == units[name]["by_category"].get(c, 0) for c in head[1:head.index("合计")] if c)
    _, pairs = table("党员干部")
    assert {n: (r[1], r[2]) for n, r in pairs.items()} == {n: (u["cadres"], u["paired"]) for n, u in units.items()}
    listed = [r[1] for r in wb[schema.UNPAIRED_SHEET].iter_rows(min_row=2, values_only=True)]
    assert listed == [p["人员编号"] for p in doc["unpaired"]] and listed
