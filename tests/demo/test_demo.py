"""The bundled demo campaign: realistic, deterministic, and with something to find."""
import pandas as pd

from zoufang.contract import schema
from zoufang.demo.campaign import DEMO_AS_OF, build_demo
from zoufang.reading.normalize import household_key
from zoufang.reading.reader import read_campaign


def test_same_seed_same_campaign_other_seed_other_campaign():
    a, b, c = build_demo(seed=5), build_demo(seed=5), build_demo(seed=6)
    for key in ("visits", "problems", "people"):
        pd.testing.assert_frame_equal(a.content.frames[key], b.content.frames[key])
    assert not a.content.frames["visits"].equals(c.content.frames["visits"])
    assert a.content.meta["campaign_id"] == b.content.meta["campaign_id"] != c.content.meta["campaign_id"]


def test_a_city_culture_system_with_every_role_and_namesakes(demo):
    _, path = demo
    campaign = read_campaign(path)
    units = campaign.units
    assert (units["kind"] == "二级单位").sum() >= 8 and (units["kind"] == "局机关").sum() == 1
    people = campaign.people
    assert len(people) >= 120
    assert set(people["category"]) == set(schema.ROLES)
    assert people["is_head"].sum() == 1 and people["is_lecturer"].sum() >= 2
    namesakes = people[people.duplicated("name", keep=False)]
    assert len(namesakes) >= 4 and namesakes.groupby("name")["unit"].nunique().min() == 2


def test_half_a_year_of_entries_on_every_entry_sheet(demo):
    _, path = demo
    campaign = read_campaign(path)
    for sheet in schema.ENTRY_SHEETS:
        assert len(campaign[sheet.key]) > 10, sheet.name
    visits = campaign["visits"].frame
    assert len(visits) >= 2000
    keys = household_key(visits["target"], visits["address"])
    assert (visits.assign(k=keys).duplicated(["person", "k"])).sum() > 50  # households visited twice
    problems = campaign["problems"].frame
    assert set(problems["status"]) == set(schema.PROBLEM_STATUSES)
    overdue = problems["status"].isin(schema.PROBLEM_OPEN) & (problems["deadline"] < pd.Timestamp(DEMO_AS_OF))
    assert overdue.sum() >= 5
    cases = campaign["cases"].frame
    assert set(cases["status"]) == set(schema.CASE_STATUSES)
    kinds = set(campaign["activities"].frame["kind"])
    assert {"领导小组例会", "送图书", "联系点建设", "送政策"} <= kinds


def test_research_trips_overlap_and_some_start_before_the_campaign(demo):
    d, path = demo
    research = read_campaign(path)["research"].frame.sort_values(["person_id", "start"])
    prev_end = research.groupby("person_id")["end"].shift()
    assert (research["start"] <= prev_end).sum() >= 3
    assert (research["start"] < pd.Timestamp(schema.SETTINGS_BY_KEY["start"].default)).sum() >= 1


def test_mistakes_are_planted_only_without_clean():
    assert len(build_demo(seed=2011).mistakes) >= 5
    assert build_demo(seed=2011, clean=True).mistakes == []
