"""The scale generator: bigger campaigns that are still clean and still consistent."""
from zoufang.book_writer import write_book
from zoufang.reading import read_campaign
from zoufang.scale import scaled_content
from zoufang.validate import validate


def test_cloned_units_and_grown_visits_stay_clean(tmp_path):
    content = scaled_content(6000, unit_copies=2)
    frames = content.frames
    assert len(frames["units"]) == 22 and frames["units"]["name"].is_unique and frames["units"]["code"].is_unique
    assert frames["people"]["person_id"].is_unique
    assert len(frames["visits"]) == 6000 and frames["visits"]["record_id"].is_unique
    path = tmp_path / "scaled.xlsx"
    write_book(path, content)
    findings = validate(read_campaign(path))
    assert [f for f in findings if f.is_error] == []
