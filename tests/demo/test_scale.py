"""The scale generator: bigger campaigns that are still clean and still consistent."""
from zoufang.checks.validate import validate
from zoufang.contract.schema import LEADER_ROLES, ROLE_CADRE
from zoufang.demo.scale import scaled_content
from zoufang.reading.reader import read_campaign
from zoufang.xlsx.book_writer import write_book


def _errors_after_round_trip(content, path):
    write_book(path, content)
    return [f for f in validate(read_campaign(path)) if f.is_error]


def test_cloned_units_and_grown_visits_stay_clean(tmp_path):
    content = scaled_content(6000, unit_copies=2)
    frames = content.frames
    assert len(frames["units"]) == 22 and frames["units"]["name"].is_unique and frames["units"]["code"].is_unique
    assert frames["people"]["person_id"].is_unique
    assert len(frames["visits"]) == 6000 and frames["visits"]["record_id"].is_unique
    assert _errors_after_round_trip(content, tmp_path / "scaled.xlsx") == []


def test_city_has_twenty_units_five_hundred_people_and_everyone_visits(tmp_path):
    content = scaled_content(20_000, units=20, people=500)
    frames = content.frames
    assert len(frames["units"]) == 20 and len(frames["people"]) == 500 and len(frames["visits"]) == 20_000
    new = frames["people"][frames["people"]["person_id"].str.startswith("N")]
    assert len(new) > 150 and (new["category"] == ROLE_CADRE).all()
    assert new["name"].is_unique and not set(new["name"]) & set(frames["people"]["name"].drop(new.index))
    assert set(frames["people"]["unit"]) == set(frames["units"]["name"])  # new cadres spread over every unit
    assert set(new["person_id"]) <= set(frames["visits"]["person_id"])  # the grown visits are theirs too
    assert _errors_after_round_trip(content, tmp_path / "city.xlsx") == []


def test_cutting_units_and_people_drops_their_entries_and_keeps_references_whole(tmp_path):
    content = scaled_content(units=15, people=200)
    frames = content.frames
    assert len(frames["units"]) == 15 and len(frames["people"]) == 200
    units, names = set(frames["units"]["name"]), set(frames["people"]["name"])
    assert set(frames["problems"]["unit"]) <= units and set(frames["problems"]["owner"]) <= names
    assert set(frames["visits"]["person"]) <= names
    leaders = frames["people"][frames["people"]["category"].isin(LEADER_ROLES)]
    assert set(leaders["unit"]) == units  # every unit keeps its leaders
    assert _errors_after_round_trip(content, tmp_path / "cut.xlsx") == []
