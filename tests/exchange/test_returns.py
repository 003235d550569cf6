"""Returned unit workbooks, as real offices send them: every edit merged exactly once, or refused loudly."""
import datetime as dt
import json
import re
import shutil
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from builders import D, make_book, problem, reception, rewrite_part, set_cell_by_header, set_core_time, visit
from typer.testing import CliRunner

from zoufang.cli import app
from zoufang.contract import schema
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.reading.reader import read_campaign

runner = CliRunner()
UTC = dt.timezone.utc


@pytest.fixture
def office(tmp_path):
    """A small master with visits, receptions and problems of three units, issued to each."""
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    make_book(master,
              visits=[visit("丙馆长", D(2011, 9, 5 + i), head=f"户{i}") for i in range(3)]
              + [visit("丁馆长", D(2011, 9, 6), head="博户")],
              receptions=[reception("丙馆长", D(2011, 9, 7), "市图书馆"), reception("丁馆长", D(2011, 9, 8), "市博物馆")],
              problems=[problem("甲局长", "办理中", finder="丙馆长"), problem("丁馆长", "待办", unit="市博物馆", finder="丁馆长")])
    six_hours_ago = dt.datetime.now().astimezone() - dt.timedelta(hours=6)
    issued = {i.unit: i.path for i in issue(master, tmp_path / "out", now=six_hours_ago)}
    return master, issued


def visits_of(master: Path):
    return read_campaign(master)["visits"].frame.set_index("record_id")


def sheet_values(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]


# ------------------------------------------------------------------ 1, 2: every format, in a folder, by its own clock
def test_a_return_saved_as_ods_or_xls_is_read_with_its_own_saved_time(office, tmp_path, lo_clerk, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        master, issued = office
        lib = issued["市图书馆"]
        early_xlsx = tmp_path / "早.xlsx"
        shutil.copy(lib, early_xlsx)
        set_cell_by_header(early_xlsx, "走访记录", "地址", 2, "早的地址")
        set_core_time(early_xlsx, dt.datetime.now(UTC) - dt.timedelta(hours=1))
        inbox = tmp_path / "回收"
        inbox.mkdir()
        lo_clerk([{"src": str(lib), "dst": str(inbox / "图书馆.ods"),
                   "edits": [{"op": "set", "sheet": "走访记录", "header": "地址", "row": 2, "value": "后来的地址"}]}])
        shutil.copy(early_xlsx, inbox / "图书馆-早.xlsx")
        result = runner.invoke(app, ["collect", str(master), str(inbox), "--json"])
        files = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
        assert files["图书馆.ods"]["status"] == "merged" and files["图书馆-早.xlsx"]["status"] == "superseded"
        assert result.exit_code == 0  # an older copy superseded by a newer one that merged: nothing to do (CLI.md)
        assert "已被更新的回收表取代" in runner.invoke(app, ["collect", str(master), str(inbox)]).output  # but said
        rid = read_campaign(lib)["visits"].frame["record_id"].iloc[0]
        assert visits_of(master).at[rid, "address"] == "后来的地址"

        # An .xls saved later still wins over that .ods (its time is a UTC FILETIME; the .ods's is local).
        later = tmp_path / "later"
        later.mkdir()
        lo_clerk([{"src": str(lib), "dst": str(later / "图书馆.xls"),
                   "edits": [{"op": "set", "sheet": "走访记录", "header": "地址", "row": 2, "value": "xls的地址"}]}])
        assert collect(master, [later]).files[0].status == "merged"
        assert visits_of(master).at[rid, "address"] == "xls的地址"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_an_older_ods_loses_to_a_later_xlsx(office, tmp_path, lo_clerk):
    master, issued = office
    lib = issued["市图书馆"]
    ods = tmp_path / "图书馆.ods"
    lo_clerk([{"src": str(lib), "dst": str(ods),
               "edits": [{"op": "set", "sheet": "走访记录", "header": "地址", "row": 2, "value": "ods的地址"}]}])
    an_hour_ago = (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.123456789").encode()
    rewrite_part(ods, "meta.xml", lambda d: re.sub(rb"(<dc:date>)[^<]*(</dc:date>)", rb"\g<1>" + an_hour_ago + rb"\g<2>", d))
    xlsx = tmp_path / "图书馆-改.xlsx"
    shutil.copy(lib, xlsx)
    set_cell_by_header(xlsx, "走访记录", "地址", 2, "xlsx的地址")
    set_core_time(xlsx, dt.datetime.now(UTC) - dt.timedelta(minutes=5))
    result = collect(master, [xlsx, ods])
    assert [f.status for f in result.files] == ["merged", "superseded"]
    rid = read_campaign(lib)["visits"].frame["record_id"].iloc[0]
    assert visits_of(master).at[rid, "address"] == "xlsx的地址"


def test_a_folder_is_read_whole_and_what_cannot_be_read_is_refused_by_name(office, tmp_path):
    master, issued = office
    inbox = tmp_path / "回收"
    inbox.mkdir()
    shutil.copy(issued["市图书馆"], inbox / "图书馆.xlsx")
    (inbox / "博物馆.et").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    (inbox / "说明.txt").write_text("请查收", encoding="utf-8")
    (inbox / "~$图书馆.xlsx").write_bytes(b"lock")
    result = runner.invoke(app, ["collect", str(master), str(inbox), "--json"])
    files = {Path(f["file"]).name: f for f in json.loads(result.stdout)["files"]}
    assert set(files) == {"图书馆.xlsx", "博物馆.et", "说明.txt"}
    assert files["博物馆.et"]["status"] == "refused" and "博物馆.et" in files["博物馆.et"]["reason"]
    assert "WPS" in files["博物馆.et"]["reason"] and "另存为" in files["博物馆.et"]["reason"]
    assert files["说明.txt"]["status"] == "refused" and "不是工作簿" in files["说明.txt"]["reason"]
    assert result.exit_code == 1
    human = runner.invoke(app, ["collect", str(master), str(inbox)])
    assert "拒收" in human.output and "refused" not in human.output


# ------------------------------------------------------------------ 3: renamed and missing columns
def test_renamed_and_missing_columns_never_blank_the_master(office):
    master, issued = office
    lib = issued["市图书馆"]
    before = read_campaign(master)
    wb = openpyxl.load_workbook(lib)
    ws = wb["走访记录"]
    for cell in ws[1]:
        if cell.value == "走访人":
            cell.value = "走访人（姓名）"  # a clerk's note after the header: still 走访人
        elif cell.value == "地址":
            cell.value = "详细地址"
        elif cell.value == "对象类别":
            cell.value = "类别（自定）"  # beyond recognition
    ws.delete_cols(next(c.column for c in ws[1] if c.value == "走访形式"))
    problems = wb["问题台账"]
    problems.delete_cols(next(c.column for c in problems[1] if c.value == "问题编号"))
    wb.save(lib)
    set_cell_by_header(lib, "走访记录", "详细地址", 2, "新地址9号")
    result = collect(master, [lib]).files[0]
    after = read_campaign(master)
    mine = before["visits"].frame["person"] == "丙馆长"
    old, new = before["visits"].frame[mine].set_index("record_id"), after["visits"].frame.set_index("record_id")
    for rid in old.index:
        assert new.at[rid, "person"] == "丙馆长" and new.at[rid, "form"] == old.at[rid, "form"]
        assert new.at[rid, "target_type"] == old.at[rid, "target_type"]
    assert "新地址9号" in set(new["address"])
    reasons = " ".join(r["reason"] for r in result.rejected)
    assert "对象类别" in reasons and "走访形式" in reasons and "问题编号" in reasons
    assert after["problems"].frame["problem_id"].tolist() == before["problems"].frame["problem_id"].tolist()
    assert result.removed == 0 and result.added == 0


# ------------------------------------------------------------------ 4: rejected rows stay
def test_a_rejected_row_stays_in_the_master_exactly_as_it_was(office):
    master, issued = office
    lib = issued["市图书馆"]
    set_cell_by_header(lib, "问题台账", "责任单位", 2, "市博物馆")  # a transfer: the office's decision
    set_cell_by_header(lib, "接访记录", "所属单位", 2, "博物馆")  # a short name
    before_problems = sheet_values(master, "问题台账")
    before_receptions = sheet_values(master, "接访记录")
    result = collect(master, [lib]).files[0]
    assert len(result.rejected) == 2 and result.removed == 0
    assert sheet_values(master, "问题台账") == before_problems
    assert sheet_values(master, "接访记录") == before_receptions
    assert schema.DELETED_SHEET not in openpyxl.load_workbook(master).sheetnames


# ------------------------------------------------------------------ 5: a corrected copy sent again
def test_a_corrected_copy_of_the_same_workbook_adds_no_row_twice(office, tmp_path):
    master, issued = office
    lib = issued["市图书馆"]
    wb = openpyxl.load_workbook(lib)
    ws = wb["走访记录"]
    headers = {c.value: c.column for c in ws[1]}
    for k, head in enumerate(("新户甲", "新户乙")):
        r = ws.max_row + 1
        for label, value in (("走访日期", dt.datetime(2011, 10, 1 + k)), ("走访人", "丙馆长"), ("走访对象", head),
                             ("对象类别", "困难户"), ("地址", f"新村{k}号"), ("走访形式", "入户走访")):
            ws.cell(r, headers[label]).value = value
    wb.save(lib)
    count = len(read_campaign(master)["visits"])
    first = collect(master, [lib]).files[0]
    assert first.added == 2
    # the clerk corrects the second new row, adds a third, and sends the same workbook again
    last = openpyxl.load_workbook(lib)["走访记录"].max_row
    set_cell_by_header(lib, "走访记录", "地址", last, "新村1号改正")
    wb = openpyxl.load_workbook(lib)
    ws = wb["走访记录"]
    r = ws.max_row + 1
    for label, value in (("走访日期", dt.datetime(2011, 10, 9)), ("走访人", "丙馆长"), ("走访对象", "新户丙"),
                         ("对象类别", "困难户"), ("地址", "新村2号"), ("走访形式", "入户走访")):
        ws.cell(r, headers[label]).value = value
    wb.save(lib)
    second = collect(master, [lib]).files[0]
    assert (second.added, second.updated) == (1, 1)
    visits = read_campaign(master)["visits"].frame
    assert len(visits) == count + 3
    assert sorted(visits.loc[visits["target"].str.startswith("新户"), "address"]) == ["新村0号", "新村1号改正", "新村2号"]
    assert visits["record_id"].is_unique


# ------------------------------------------------------------------ 6: people of other units
def test_a_unit_cannot_name_another_units_people_on_any_person_column(office):
    master, issued = office
    lib = issued["市图书馆"]
    set_cell_by_header(lib, "问题台账", "发现人", 2, "丁馆长")  # the museum's leader
    set_cell_by_header(lib, "接访记录", "接访人", 2, "丁馆长")
    before = read_campaign(master)
    result = collect(master, [lib]).files[0]
    cells = sorted(r["reason"] for r in result.rejected)
    assert len(cells) == 2 and all("市博物馆的人员" in c for c in cells)
    after = read_campaign(master)
    assert after["problems"].frame["finder"].tolist() == before["problems"].frame["finder"].tolist()
    assert after["receptions"].frame["person"].tolist() == before["receptions"].frame["person"].tolist()


def test_a_bureau_leader_may_be_named_as_a_units_responsible_leader(office):
    master, issued = office
    lib = issued["市图书馆"]
    set_cell_by_header(lib, "问题台账", "分包领导", 2, "乙副局长")
    set_cell_by_header(lib, "问题台账", "责任人", 2, "丁馆长")  # but not another unit's person as 责任人
    result = collect(master, [lib]).files[0]
    assert len(result.rejected) == 1 and "责任人" in result.rejected[0]["reason"]
    set_cell_by_header(lib, "问题台账", "责任人", 2, "丙馆长")
    result = collect(master, [lib]).files[0]
    assert result.rejected == [] and result.updated == 1
    assert read_campaign(master)["problems"].frame["leader"].iloc[0] == "乙副局长"


# ------------------------------------------------------------------ 7: record numbers unique whatever units type
def test_record_numbers_stay_unique_whatever_units_type(office):
    master, issued = office
    lib, mus = issued["市图书馆"], issued["市博物馆"]
    ids = read_campaign(master)["visits"].frame["record_id"]
    top = max(int(i[-5:]) for i in ids if i.startswith("TSG-ZF"))
    typed = f"TSG-ZF{top + 1:05d}"
    for path, person, number in ((lib, "丙馆长", typed), (lib, "丙馆长", ""), (mus, "丁馆长", typed)):
        wb = openpyxl.load_workbook(path)
        ws = wb["走访记录"]
        h = {c.value: c.column for c in ws[1]}
        r = ws.max_row + 1
        for label, value in (("记录编号", number or None), ("走访日期", dt.datetime(2011, 11, 1)), ("走访人", person),
                             ("走访对象", f"户{r}{person}"), ("对象类别", "困难户"), ("地址", "某地"), ("走访形式", "入户走访")):
            ws.cell(r, h[label]).value = value
        wb.save(path)
    result = collect(master, [mus, lib])
    visits = read_campaign(master)["visits"].frame
    assert visits["record_id"].is_unique and (visits["record_id"] != "").all()
    assert typed in set(visits["record_id"])
    museum = next(f for f in result.files if f.unit == "市博物馆")
    assert any(typed in n["note"] for n in museum.notes)  # renumbered, and said


def test_a_unit_without_a_code_is_a_finding_and_issue_refuses(tmp_path):
    master = tmp_path / "m.xlsx"
    make_book(master, visits=[visit("丁馆长", D(2011, 9, 5))])
    set_cell_by_header(master, "单位", "单位编码", 4, None)  # 市博物馆
    check = json.loads(runner.invoke(app, ["check", str(master), "--json"]).stdout)
    assert any(f["sheet"] == "单位" and f["cell"] == "A4" for f in check["findings"])
    result = runner.invoke(app, ["issue", str(master), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "市博物馆" in result.output and "单位编码" in result.output
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ 8: a master built by hand
@pytest.mark.parametrize("meta", ["none", "empty"])
def test_a_master_without_meta_is_completed_by_issue(tmp_path, meta):
    master = tmp_path / "手工总台账.xlsx"
    make_book(master, research=[{"person": "丙馆长", "start": D(2011, 9, 5), "end": D(2011, 9, 6), "place": "村",
                                 "topic": "调研", "report": "是"}])
    wb = openpyxl.load_workbook(master)
    del wb[schema.META_SHEET]
    if meta == "empty":
        wb.create_sheet(schema.META_SHEET)
    ws = wb["调研记录"]
    next(c for c in ws[1] if c.value == "形成报告").value = "形成报告（是/否）"
    wb.save(master)
    result = runner.invoke(app, ["issue", str(master), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "_meta" in result.output and list((tmp_path / "备份").iterdir())
    campaign = read_campaign(master)
    assert campaign.meta["campaign_id"] and campaign.meta["schema_version"] == str(schema.SCHEMA_VERSION)
    unit_file = next((tmp_path / "out").glob("市图书馆*.xlsx"))
    headers = [c.value for c in openpyxl.load_workbook(unit_file)["调研记录"][1]]
    assert headers.count("形成报告") == 1 and "形成报告（是/否）" not in headers
    assert read_campaign(unit_file)["research"].frame["report"].tolist() == [True]
    set_cell_by_header(unit_file, "调研记录", "形成报告", 2, "否")
    assert collect(master, [unit_file]).files[0].updated == 1
    assert read_campaign(master)["research"].frame["report"].tolist() == [False]
    headers = [c.value for c in openpyxl.load_workbook(master)["调研记录"][1]]
    assert "形成报告" not in headers  # written into the office's own 形成报告（是/否） column


# ------------------------------------------------------------------ 9: clerks may insert, delete and sort rows
def test_issued_workbooks_are_not_protected_and_mark_the_office_column(office):
    _, issued = office
    wb = openpyxl.load_workbook(issued["市图书馆"])
    for spec in schema.ENTRY_SHEETS:
        assert not wb[spec.name].protection.sheet, spec.name
    ws = wb["问题台账"]
    col = next(c for c in ws[1] if c.value == "督办意见")
    assert "办公室" in col.comment.text
    assert ws.cell(2, col.column).fill.fgColor.rgb.endswith("D9D9D9")


# ------------------------------------------------------------------ 10: exit codes, no needless writes, clocks
def test_a_wrong_clock_never_blocks_a_later_genuine_submission(office, tmp_path):
    master, issued = office
    lib = issued["市图书馆"]
    future = tmp_path / "future.xlsx"
    shutil.copy(lib, future)
    set_cell_by_header(future, "走访记录", "地址", 2, "未来时钟")
    set_core_time(future, dt.datetime.now(UTC) + dt.timedelta(days=400))
    first = collect(master, [future]).files[0]
    assert first.status == "merged" and any("时钟" in n["note"] for n in first.notes)
    set_cell_by_header(lib, "走访记录", "地址", 2, "正确时钟")
    set_core_time(lib, dt.datetime.now(UTC) + dt.timedelta(seconds=1))
    assert collect(master, [lib]).files[0].status == "merged"
    rid = read_campaign(lib)["visits"].frame["record_id"].iloc[0]
    assert visits_of(master).at[rid, "address"] == "正确时钟"


def test_a_collect_that_changes_nothing_writes_nothing(office):
    master, issued = office
    before, backups = master.read_bytes(), sorted((master.parent / "备份").iterdir())
    result = runner.invoke(app, ["collect", str(master), str(issued["市图书馆"])])
    assert result.exit_code == 0 and "已合并" in result.output and "merged" not in result.output
    assert master.read_bytes() == before and sorted((master.parent / "备份").iterdir()) == backups


# ------------------------------------------------------------------ 11: Mac Excel's 1904 date system
def test_bare_serial_numbers_in_a_1904_workbook_are_read_as_dates_of_1904(tmp_path):
    path = tmp_path / "mac.xlsx"
    make_book(path, visits=[visit("丙馆长", D(2011, 9, 5))])
    wb = openpyxl.load_workbook(path)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb["走访记录"]
    col = next(c.column for c in ws[1] if c.value == "走访日期")
    ws.cell(3, col).value = 39325  # typed as a bare number: 2011-09-01 counted from 1904
    for c in ws[2]:
        if c.column != col:
            ws.cell(3, c.column).value = c.value
    wb.save(path)
    dates = read_campaign(path)["visits"].frame["date"].tolist()
    assert dates == [dt.datetime(2011, 9, 5), dt.datetime(2011, 9, 1)]
    check = json.loads(runner.invoke(app, ["check", str(path), "--json"]).stdout)
    assert not [f for f in check["findings"] if f["code"] == "date-out-of-period"]


# ------------------------------------------------------------------ the whole round, with LibreOffice as the units' clerks
def entry_frames(path: Path) -> dict:
    campaign = read_campaign(path)
    return {s.key: campaign[s.key].frame.drop(columns="_row").set_index(s.id_key).sort_index()
            for s in schema.ENTRY_SHEETS}


def test_units_editing_in_libreoffice_and_saving_in_every_format_arrive_exactly_once(tmp_path, lo_clerk):
    from zoufang.jobs import create_master
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    create_master(master, demo=True, clean=True)
    issued = {i.unit: i.path for i in issue(master, tmp_path / "out",
                                            now=dt.datetime.now().astimezone() - dt.timedelta(hours=2))}
    before = entry_frames(master)
    inbox = tmp_path / "回收"
    inbox.mkdir()
    jobs, expected = [], {}
    for unit, suffix in (("市图书馆", ".xlsx"), ("市博物馆", ".ods"), ("市杂技团", ".xls")):
        visits = read_campaign(issued[unit])["visits"].frame
        changed, deleted = visits["record_id"].iloc[0], visits["record_id"].iloc[1]
        person = visits["person"].iloc[0]
        new_head = f"{unit}新户"
        expected[unit] = (changed, deleted, new_head, person)
        jobs.append({"src": str(issued[unit]), "dst": str(inbox / f"{unit}{suffix}"), "edits": [
            {"op": "set", "sheet": "走访记录", "header": "地址", "row": 2, "value": f"{unit}改过的地址"},
            {"op": "delete_row", "sheet": "走访记录", "row": 3},
            {"op": "append", "sheet": "走访记录", "values": {
                "走访日期": {"text": "2012-1-10"}, "走访人": person, "走访对象": new_head, "对象类别": "困难户",
                "地址": "新村5号", "走访形式": "入户走访"}},
            {"op": "sort", "sheet": "走访记录", "header": "走访日期", "descending": True},
        ]})
    lo_clerk(jobs)
    result = runner.invoke(app, ["collect", str(master), str(inbox), "--json"])
    files = json.loads(result.stdout)["files"]
    assert result.exit_code == 0, result.stdout
    assert sorted((f["unit"], f["status"], f["added"], f["updated"], f["removed"]) for f in files) == sorted(
        (u, "merged", 1, 1, 1) for u in expected)
    after = entry_frames(master)
    for key in before:
        if key != "visits":
            pd.testing.assert_frame_equal(after[key], before[key], check_dtype=False, obj=key)
    visits_before, visits_after = before["visits"], after["visits"]
    new_rows = visits_after.loc[visits_after.index.difference(visits_before.index)]
    assert sorted(new_rows["target"]) == sorted(e[2] for e in expected.values())
    assert (new_rows["date"] == pd.Timestamp(2012, 1, 10)).all()
    assert all(re.fullmatch(r"[A-Z]+-ZF\d{5}", i) for i in new_rows.index)
    expect = visits_before.drop(index=[e[1] for e in expected.values()])
    for unit, (changed, *_rest) in expected.items():
        expect.at[changed, "address"] = f"{unit}改过的地址"
    kept = visits_after.drop(index=new_rows.index)
    pd.testing.assert_frame_equal(kept, expect, check_dtype=False)
