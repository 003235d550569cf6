"""Quota completion pinned to numbers worked out by hand on small real workbooks."""
import copy

import pandas as pd
import pytest
from builders import D, activity, case, make_book, problem, reception, trip, visit

from zoufang.contract.schema import DEFAULT_QUOTAS
from zoufang.progress.quota import BEHIND, DONE, MISSED, ON_PACE
from zoufang.progress.report import build_report


def metrics_of(report, pid):
    rows = report.people[report.people["person_id"] == pid]
    return {r.metric: r for r in rows.itertuples()}


def test_a_household_counts_once_however_often_and_however_typed(tmp_path):
    visits = [
        visit("丙馆长", D(2011, 9, 5)),
        visit("丙馆长", D(2011, 10, 5)),                               # same household again
        visit("丙馆长", D(2011, 10, 6), address="庞庄村 1组 3号"),       # typed with blanks
        visit("丙馆长", D(2011, 10, 7), head="张 三", address="庞庄村1组3号"),
        visit("丙馆长", D(2011, 10, 8), address="庞庄村2组3号"),          # another family
        visit("丙馆长", D(2011, 10, 9), head="李四"),                    # same address, another head
        visit("丙馆长", D(2011, 8, 20), head="王五"),                    # before the campaign: not counted
    ]
    c = make_book(tmp_path / "b.xlsx", visits=visits, settings={"as_of": D(2011, 11, 30)})
    m = metrics_of(build_report(c), "P3")
    assert m["走访户数"].actual == 3


def test_research_days_are_the_union_of_trips_clipped_to_the_period(tmp_path):
    trips = [
        trip("戊干部", D(2011, 8, 28), D(2011, 9, 3)),    # 9/1-9/3: 3 days inside
        trip("戊干部", D(2011, 9, 2), D(2011, 9, 5)),     # adds 9/4, 9/5
        trip("戊干部", D(2011, 9, 10), D(2011, 9, 10)),   # 1
        trip("戊干部", D(2011, 9, 8), D(2011, 9, 12)),    # adds 9/8, 9/9, 9/11, 9/12
        trip("戊干部", D(2011, 11, 29), D(2011, 12, 3)),  # 11/29, 11/30 by the as-of date
    ]
    c = make_book(tmp_path / "b.xlsx", research=trips, settings={"as_of": D(2011, 11, 30)})
    assert metrics_of(build_report(c), "P5")["调研天数"].actual == 3 + 2 + 1 + 4 + 2


@pytest.mark.parametrize("cases, visited, status", [(10, 3, DONE), (10, 2, BEHIND), (7, 2, BEHIND), (3, 1, DONE)])
def test_field_visit_ratio_at_the_30_percent_line(tmp_path, cases, visited, status):
    rows = [case("乙副局长", i < visited) for i in range(cases)]
    c = make_book(tmp_path / "b.xlsx", cases=rows, settings={"as_of": D(2011, 11, 30)})
    m = metrics_of(build_report(c), "P2")["带案下访比例"]
    assert (m.numerator, m.denominator) == (visited, cases)
    assert m.actual == pytest.approx(visited / cases)
    assert m.status == status


def test_a_leader_with_no_cases_meets_the_ratio_and_the_end_turns_behind_into_missed(tmp_path):
    rows = [case("乙副局长", i < 2) for i in range(10)]
    c = make_book(tmp_path / "b.xlsx", cases=rows, settings={"as_of": D(2012, 2, 29)})
    report = build_report(c)
    assert metrics_of(report, "P2")["带案下访比例"].status == MISSED
    none = metrics_of(report, "P1")["带案下访比例"]
    assert pd.isna(none.actual) and none.denominator == 0 and none.status == DONE


def test_major_problems_solved_as_leader_and_resolution_rate_of_a_finder(tmp_path):
    problems = [
        problem("甲局长", "已解决", major=True), problem("甲局长", "已销号", major=True),
        problem("甲局长", "已解决", major=True, solved=D(2011, 12, 20)),  # solved after the as-of date
        problem("甲局长", "办理中", major=True), problem("甲局长", "已解决", major=False),
        problem("丙馆长", "已解决", finder="丙馆长"), problem("丙馆长", "已销号", finder="丙馆长"),
        problem("丙馆长", "已解决", finder="丙馆长"), problem("丙馆长", "待办", finder="丙馆长"),
    ]
    c = make_book(tmp_path / "b.xlsx", problems=problems, settings={"as_of": D(2011, 11, 30)})
    report = build_report(c)
    assert metrics_of(report, "P1")["解决重大问题"].actual == 2
    rate = metrics_of(report, "P3")["问题解决率"]
    assert (rate.numerator, rate.denominator, rate.status) == (3, 4, ON_PACE)  # the open one is not yet late
    assert metrics_of(report, "P4")["问题解决率"].status == DONE  # found nothing: met
    later = metrics_of(build_report(c, D(2012, 2, 10)), "P3")["问题解决率"]
    assert (later.numerator, later.status) == (3, BEHIND)  # its deadline 2012-01-31 has passed


def test_pace_halfway_through_the_campaign(tmp_path):
    # 2011-09-01..2012-02-29 is 182 days; by 2011-11-30, 91 days: half. 局领导 target 40 → 20 expected.
    visits = [visit("甲局长", D(2011, 9, 10), head=f"户{i}") for i in range(20)]
    visits += [visit("乙副局长", D(2011, 9, 10), head=f"户{i}") for i in range(19)]
    c = make_book(tmp_path / "b.xlsx", visits=visits, settings={"as_of": D(2011, 11, 30)})
    report = build_report(c)
    assert report.share == pytest.approx(0.5)
    on, behind = metrics_of(report, "P1")["走访户数"], metrics_of(report, "P2")["走访户数"]
    assert (on.expected_by_now, on.status, behind.status) == (20, ON_PACE, BEHIND)
    assert on.ratio == pytest.approx(0.5)


def test_only_people_the_quota_sheet_reaches_are_measured_and_an_edit_changes_the_result(tmp_path):
    visits = [visit("己职工", D(2011, 9, 10)), visit("甲局长", D(2011, 9, 10)), visit("甲局长", D(2011, 9, 11), head="李四")]
    c = make_book(tmp_path / "a.xlsx", visits=visits, settings={"as_of": D(2011, 11, 30)})
    report = build_report(c)
    assert "P6" not in set(report.people["person_id"])  # 其他干部: no quota
    assert metrics_of(report, "P1")["走访户数"].status == BEHIND
    assert set(metrics_of(report, "P1")) == {"调研天数", "走访户数", "解决重大问题", "接待来访", "带案下访比例", "在线交流"}
    assert set(metrics_of(report, "P2")) == {"调研天数", "走访户数", "解决重大问题", "接待来访", "带案下访比例", "送政策"}
    quotas = [{"subject": q.subject, "metric": q.metric, "target": q.target, "unit_label": q.unit_label}
              for q in copy.deepcopy(DEFAULT_QUOTAS)]
    for q in quotas:
        if q["subject"] == "局领导班子成员" and q["metric"] == "走访户数":
            q["target"] = 2
    quotas.append({"subject": "其他干部", "metric": "走访户数", "target": 1, "unit_label": "户"})
    c = make_book(tmp_path / "b.xlsx", visits=visits, quotas=quotas, settings={"as_of": D(2011, 11, 30)})
    report = build_report(c)
    assert metrics_of(report, "P1")["走访户数"].status == DONE
    assert metrics_of(report, "P6")["走访户数"].status == DONE


def test_national_day_week_with_its_adjusted_weekend_workdays(tmp_path):
    # 2011: 10/1-10/7 holiday; Saturday 10/8 and Sunday 10/9 are working days (调休).
    received = [D(2011, 9, 26), D(2011, 9, 27), D(2011, 9, 28), D(2011, 9, 29), D(2011, 9, 30),
                D(2011, 10, 9), D(2011, 10, 10), D(2011, 10, 3)]
    c = make_book(tmp_path / "b.xlsx", receptions=[reception("甲局长", d, "局机关") for d in received],
                  settings={"start": D(2011, 9, 26), "end": D(2011, 10, 31), "as_of": D(2011, 10, 10)})
    report = build_report(c)
    assert report.collective.uncovered_workdays == [D(2011, 10, 8)]
    assert report.collective.metrics["工作日接访覆盖"]["target"] == 8


def test_spring_festival_week_with_its_adjusted_workdays(tmp_path):
    # 2012: 1/22-1/28 holiday; Saturday 1/21 and Sunday 1/29 are working days.
    received = [D(2012, 1, d) for d in (16, 17, 18, 19, 20, 30, 31)] + [D(2012, 2, d) for d in (1, 2, 3)]
    c = make_book(tmp_path / "b.xlsx", receptions=[reception("乙副局长", d, "局机关") for d in received],
                  settings={"start": D(2012, 1, 16), "end": D(2012, 2, 5), "as_of": D(2012, 2, 5)})
    assert build_report(c).collective.uncovered_workdays == [D(2012, 1, 21), D(2012, 1, 29)]


def test_the_week_straddling_the_campaign_start_still_needs_its_reception(tmp_path):
    rows = [reception("丙馆长", D(2011, 9, 2), "市图书馆"), reception("丁馆长", D(2011, 8, 30), "市博物馆")]
    rows += [reception("丙馆长", D(2011, 9, 6), "市图书馆"), reception("丁馆长", D(2011, 9, 7), "市博物馆")]
    rows += [reception("戊干部", D(2011, 9, 13), "市图书馆")]  # a cadre's reception does not count
    c = make_book(tmp_path / "b.xlsx", receptions=rows, settings={"as_of": D(2011, 9, 18)})
    missing = {(x["单位名称"], x["week_start"]) for x in build_report(c).collective.unit_weeks_without_reception}
    assert missing == {("市博物馆", D(2011, 8, 29)), ("市图书馆", D(2011, 9, 12)), ("市博物馆", D(2011, 9, 12))}


def test_half_months_without_a_meeting_and_the_one_off_duties(tmp_path):
    acts = [activity("甲局长", "领导小组例会", D(2011, 9, 5)), activity("甲局长", "领导小组例会", D(2011, 10, 15)),
            {**activity("乙副局长", "送图书", D(2011, 10, 1)), "place": "庞庄村农家书屋"},
            activity("丙馆长", "联系点建设", D(2011, 9, 20), "市图书馆"),
            {**activity("乙副局长", "送政策", D(2011, 9, 9)), "place": "临泉县庙岔镇庞庄村"}]
    c = make_book(tmp_path / "b.xlsx", activities=acts, settings={"as_of": D(2011, 10, 20)})
    report = build_report(c)
    col = report.collective
    assert col.uncovered_half_months == [D(2011, 9, 16)]  # 10/16-10/31 is not over yet
    assert col.units_without_contact_point == ["市博物馆"]
    assert col.metrics["送图书"]["met"] and not col.metrics["回头看"]["met"]
    assert metrics_of(report, "P2")["送政策"].status == DONE


def test_overdue_items_and_backlog_cases_for_supervision(tmp_path):
    problems = [problem("甲局长", "办理中", deadline=D(2011, 11, 20), pid="TSG-WT1"),
                problem("甲局长", "已解决", deadline=D(2011, 11, 1), pid="TSG-WT2")]
    cases = [case("乙副局长", True, "未化解", deadline=D(2011, 11, 25)), case("乙副局长", True, "已化解"),
             case("乙副局长", True, "已息诉息访", deadline=D(2011, 10, 1))]
    c = make_book(tmp_path / "b.xlsx", problems=problems, cases=cases, settings={"as_of": D(2011, 11, 30)})
    report = build_report(c)
    late = report.overdue
    assert list(zip(late["sheet"], late["days_overdue"])) == [("问题台账", 10), ("包案台账", 5)]
    assert late.iloc[0]["分包领导"] == "甲局长" and late.iloc[0]["责任单位"] == "市图书馆"
    assert sorted(report.backlog["原因"]) == ["已结案未息诉息访", "超期未结"]


# ------------------------------------------------------------------ counting rules of DOMAIN.md
def test_house_numbers_tell_homes_apart_and_a_phone_call_is_no_visit(tmp_path):
    visits = [visit("丙馆长", D(2011, 10, 1), head="刘洋", address="清河路1-23号"),
              visit("丙馆长", D(2011, 10, 2), head="刘洋", address="清河路12-3号"),
              visit("丙馆长", D(2011, 10, 3), head="刘洋", address="清河路 1—23 号"),  # the first home again
              visit("丙馆长", D(2011, 10, 4), head="王芳", form="电话回访")]
    c = make_book(tmp_path / "b.xlsx", visits=visits, settings={"as_of": D(2011, 11, 30)})
    assert metrics_of(build_report(c), "P3")["走访户数"].actual == 2


def test_lectures_and_books_count_only_at_a_contact_point(tmp_path):
    acts = [{**activity("乙副局长", "送政策", D(2011, 9, 9)), "place": "市图书馆报告厅"},
            {**activity("乙副局长", "送图书", D(2011, 9, 9)), "place": "市第一中学"},
            {**activity("丙馆长", "联系点建设", D(2011, 9, 1), "市图书馆"), "place": "颍东区新华街道王桥社区"},
            {**activity("乙副局长", "送图书", D(2011, 10, 9)), "place": "王桥社区农家书屋"}]
    c = make_book(tmp_path / "b.xlsx", activities=acts, settings={"as_of": D(2011, 11, 30)})
    report = build_report(c)
    assert metrics_of(report, "P2")["送政策"].actual == 0
    assert report.collective.metrics["送图书"]["actual"] == 1  # at the library's own contact point


def test_one_off_duties_are_never_behind_before_the_end_and_expectations_are_whole(tmp_path):
    c = make_book(tmp_path / "b.xlsx", settings={"as_of": D(2011, 9, 2)})
    report = build_report(c)
    assert set(report.people["status"]) == {ON_PACE, DONE}  # day 2: nobody is behind yet
    lecture = metrics_of(report, "P2")["送政策"]
    assert lecture.status == ON_PACE and lecture.expected_by_now == 0
    later = build_report(c, D(2011, 12, 15))
    households = metrics_of(later, "P1")["走访户数"]
    assert households.expected_by_now == 23 and float(households.expected_by_now).is_integer()  # floor(40 × 106/182 = 23.3)
    assert metrics_of(later, "P2")["送政策"].status == ON_PACE
    assert metrics_of(build_report(c, D(2012, 2, 29)), "P2")["送政策"].status == MISSED


def test_a_finder_is_not_told_apart_by_the_rows_responsible_unit(tmp_path):
    from builders import PEOPLE, UNITS

    from zoufang.xlsx.book_writer import default_content, write_book
    people = PEOPLE + [{"person_id": "P7", "name": "丙馆长", "unit": "市博物馆", "category": "二级单位领导班子成员",
                        "is_head": "否", "is_lecturer": "否"}]
    rows = [problem("甲局长", "已解决", finder="丙馆长", unit="市博物馆"),      # ambiguous: a finding, nobody credited
            problem("甲局长", "已解决", finder="丙馆长（P7）", unit="市图书馆"),  # the museum's, by number
            problem("甲局长", "待办", finder="丙馆长(市图书馆)", unit="市博物馆")]   # the library's, by unit
    content = default_content("t")
    content.settings["as_of"] = D(2011, 11, 30)
    content.frames.update(units=pd.DataFrame(UNITS), people=pd.DataFrame(people), problems=pd.DataFrame(rows))
    write_book(tmp_path / "b.xlsx", content)
    from zoufang.checks.validate import validate
    from zoufang.reading.reader import read_campaign
    c = read_campaign(tmp_path / "b.xlsx")
    report = build_report(c)
    assert (metrics_of(report, "P7")["问题解决率"].numerator, metrics_of(report, "P7")["问题解决率"].denominator) == (1, 1)
    assert (metrics_of(report, "P3")["问题解决率"].numerator, metrics_of(report, "P3")["问题解决率"].denominator) == (0, 1)
    ambiguous = [f for f in validate(c) if f.code == "ambiguous-person"]
    assert [(f.sheet, f.column, f.row) for f in ambiguous] == [("问题台账", "发现人", 2)]
