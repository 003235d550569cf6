"""The office's master keeps its own 自查 true: after collect merges a unit's return, a program that does not
recalculate on load (LibreOffice as installed, a preview) shows what `zoufang check` finds in the master now, not
what it found at init (#40)."""
import openpyxl
import pytest
from self_check_oracle import checked_counts, shown_counts

from zoufang.contract.schema import SELF_CHECK_SHEET
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.files.libreoffice import round_trip_xlsx
from zoufang.jobs import create_master

pytestmark = pytest.mark.libreoffice


def visit(day: str, who: str, head: str, address: str, form: str) -> dict:
    return {"op": "append", "sheet": "走访记录", "values": {"走访日期": day, "走访人": who, "走访对象": head,
                                                        "对象类别": "困难户", "地址": address, "走访形式": form}}


def shown(path) -> dict:
    return {k: v for k, v in shown_counts(path).items() if v[0]}


def test_the_masters_check_sheet_shows_the_rows_collect_merged(lo_clerk, tmp_path):
    master = tmp_path / "局办公室" / "总台账.xlsx"
    master.parent.mkdir()
    create_master(master, demo=True, clean=True)
    books = {i.unit: i.path for i in issue(master, tmp_path / "下发")}
    before = shown(master)
    assert before == {k: v for k, v in checked_counts(master).items() if v[0]}
    back = tmp_path / "回收" / "市图书馆.xlsx"
    back.parent.mkdir()
    lo_clerk([{"src": str(books["市图书馆"]), "dst": str(back), "edits": [
        visit("2011-12-04", "周杰伦", "赵六", "新村3号", "入户走访"),  # not on the roster
        visit("2012-03-15", "周杰伦", "钱七", "新村4号", "座*")]}])  # after the campaign, a form not in the list
    assert [f.status for f in collect(master, [back]).files] == ["merged"]
    after = shown(master)
    assert after == {k: v for k, v in checked_counts(master).items() if v[0]}
    assert after != before
    assert after[("unknown-person", "走访记录", "person")][0] == before.get(
        ("unknown-person", "走访记录", "person"), (0,))[0] + 2
    errors = sum(n for (code, _, _), (n, _) in after.items() if code != "deadline-without-problem")
    verdict = openpyxl.load_workbook(master, data_only=True)[SELF_CHECK_SHEET]["A1"].value
    assert verdict.startswith("还有 ") and int(verdict.split()[1]) >= errors


def test_the_refreshed_values_are_what_libreoffice_computes(lo_clerk, tmp_path):
    """The values zoufang puts in equal a full recalculation of the saved master (the same rules, not a guess)."""
    master = tmp_path / "总台账.xlsx"
    create_master(master, demo=True, clean=True)
    books = {i.unit: i.path for i in issue(master, tmp_path / "下发")}
    back = tmp_path / "市图书馆-回.xlsx"
    lo_clerk([{"src": str(books["市图书馆"]), "dst": str(back), "edits": [
        visit("2011-12-04", "周杰伦", "赵六", "新村3号", "入户走访")]}])
    collect(master, [back])
    recalculated = openpyxl.load_workbook(round_trip_xlsx(master, tmp_path / "重算"), data_only=True)[SELF_CHECK_SHEET]
    cached = openpyxl.load_workbook(master, data_only=True)[SELF_CHECK_SHEET]
    cells = [c.coordinate for row in openpyxl.load_workbook(master)[SELF_CHECK_SHEET].iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(cells) > 40
    assert [(a, cached[a].value) for a in cells] == [(a, recalculated[a].value) for a in cells]
