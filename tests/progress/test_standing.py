"""Figures as the ledgers stood at the end of the as-of date: rows registered later do not exist yet,
problems solved later were open that day, and supervision goes on after the campaign."""
import json

from builders import D, activity, case, make_book, problem, reception
from typer.testing import CliRunner

from zoufang.cli import app
from zoufang.progress.report import brief_window, build_report

runner = CliRunner()


def ledger(tmp_path, **sheets):
    return make_book(tmp_path / "b.xlsx", settings={"as_of": D(2012, 1, 15)}, **sheets)


def test_a_problem_solved_after_the_as_of_date_was_open_and_overdue_that_day(tmp_path):
    c = ledger(tmp_path, problems=[
        problem("甲局长", "已解决", pid="TSG-WT00037", reg=D(2011, 11, 20), deadline=D(2011, 12, 1), solved=D(2011, 12, 26)),
        {**problem("甲局长", "已销号", pid="TSG-WT00038", reg=D(2011, 11, 20), deadline=D(2011, 12, 1),
                   solved=D(2011, 12, 5)), "closed_date": D(2011, 12, 20)},  # solved that day, ticked off later
        problem("甲局长", "待办", pid="TSG-WT00039", reg=D(2011, 12, 20), deadline=D(2011, 12, 25)),  # not yet registered
    ])
    at = build_report(c, D(2011, 12, 15))
    assert list(at.overdue["编号"]) == ["TSG-WT00037"]
    assert at.overdue.iloc[0]["days_overdue"] == 14 and at.overdue.iloc[0]["状态"] == "办理中"
    assert at.brief["problems_by_status"] == {"办理中": 1, "已解决": 1}
    assert at.brief["solved_not_closed"] == 1
    assert sum(at.brief["problems_by_status"].values()) == at.brief["problems_total"] == 2
    unit = at.units.set_index("unit").loc["市图书馆"]
    assert unit["open_problems"] == 1 and unit["overdue_problems"] == 1
    today = build_report(c, D(2012, 1, 15))
    assert list(today.overdue["编号"]) == ["TSG-WT00039"]


def test_the_brief_covers_the_half_month_of_the_as_of_date_and_numbers_it(tmp_path):
    assert brief_window(D(2011, 9, 1), D(2011, 12, 15)) == (7, D(2011, 12, 1), D(2011, 12, 15))
    assert brief_window(D(2011, 9, 1), D(2011, 12, 20)) == (8, D(2011, 12, 16), D(2011, 12, 20))
    assert brief_window(D(2011, 9, 10), D(2011, 9, 12)) == (1, D(2011, 9, 10), D(2011, 9, 12))
    assert brief_window(D(2011, 9, 20), D(2012, 1, 3)) == (8, D(2012, 1, 1), D(2012, 1, 3))
    ledger(tmp_path, receptions=[reception("甲局长", D(2011, 11, 30), "局机关"), reception("甲局长", D(2011, 12, 1), "局机关"),
                                  reception("甲局长", D(2011, 12, 9), "局机关"), reception("甲局长", D(2011, 12, 20), "局机关")])
    doc = json.loads(runner.invoke(app, ["report", str(tmp_path / "b.xlsx"), "--json", "--as-of", "2011-12-15"]).stdout)
    brief = doc["brief"]
    assert (brief["issue_no"], brief["window_start"], brief["window_end"]) == (7, "2011-12-01", "2011-12-15")
    assert (brief["receptions"], brief["receptions_total"]) == (2, 3)


def test_after_the_end_quotas_freeze_supervision_goes_on_and_the_look_back_counts(tmp_path):
    c = ledger(tmp_path,
               activities=[activity("甲局长", "回头看", D(2011, 12, 20)), activity("甲局长", "回头看", D(2012, 3, 20))],
               problems=[problem("甲局长", "办理中", pid="TSG-WT1", deadline=D(2012, 2, 20))])
    during = build_report(c, D(2012, 1, 15)).collective.metrics["回头看"]
    assert during["actual"] == 0 and not during["met"]  # the one held during the campaign is not a look-back
    after = build_report(c, D(2012, 4, 10))
    assert after.as_of == D(2012, 4, 10) and after.over
    assert after.collective.metrics["回头看"]["actual"] == 1
    assert after.overdue.iloc[0]["days_overdue"] == 50  # 2012-02-20 → 2012-04-10
    before_look_back = build_report(c, D(2012, 3, 10)).collective.metrics["回头看"]
    assert before_look_back["actual"] == 0


def test_backlog_cases_are_listed_while_open_and_supervised_past_their_deadline_as_receptions_are(tmp_path):
    """DOMAIN.md: the 挂牌督办 list at D holds every item past its deadline and still open at D, nothing else — a
    信访积案 before its deadline is in the backlog list, not under 挂牌督办 (#41 item 5, #42 item 7)."""
    late_reception = {**reception("甲局长", D(2011, 11, 22), "局机关"), "handling": "限期办理",
                      "deadline": D(2011, 12, 10), "result": None, "record_id": "JG-JF00001"}
    c = ledger(tmp_path,
               cases=[{**case("乙副局长", True, "化解中", deadline=D(2012, 2, 20)), "case_type": "信访积案",
                       "case_id": "TSG-BA1"},
                      {**case("乙副局长", True, "化解中", deadline=D(2012, 2, 20)), "case_id": "TSG-BA2"}],
               receptions=[late_reception])
    report = build_report(c, D(2011, 12, 15))
    assert set(report.overdue["编号"]) == {"JG-JF00001"}
    assert set(build_report(c, D(2012, 2, 21)).overdue["编号"]) >= {"TSG-BA1", "TSG-BA2"}  # both past 2012-02-20
    assert "TSG-BA2" not in set(report.backlog["编号"]) and "TSG-BA1" in set(report.backlog["编号"])
    result = runner.invoke(app, ["check", str(tmp_path / "b.xlsx"), "--json"])
    codes = {(f["sheet"], f["code"]) for f in json.loads(result.stdout)["findings"]}
    assert ("接访记录", "deadline-without-problem") in codes
