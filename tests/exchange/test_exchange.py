"""A whole round of workbooks by e-mail: issue, three units edit, collect in any order — nothing lost."""
import datetime as dt
import json
import os
import random
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import set_cell_by_header
from typer.testing import CliRunner

from zoufang.cli import app
from zoufang.contract import schema
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.exchange.master_lock import MasterLock as CollectLock
from zoufang.files.safe_io import WriteRefused
from zoufang.jobs import create_master
from zoufang.reading.reader import read_campaign

runner = CliRunner()
NOW = dt.datetime(2012, 1, 16, 9, 0, 0)


def set_saved_time(path: Path, when: str) -> None:
    """Rewrite docProps/core.xml's modified time, as Excel does on save."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + when.encode() + rb"Z\g<2>", data)
            dst.writestr(item, data)
    tmp.replace(path)


def header_col(ws, label):
    """The column headed ``label`` (or ``label`` with a clerk's note in brackets after it)."""
    return next(c.column for c in ws[1] if c.value == label or str(c.value).startswith(label + "（"))


def rows_of(ws, label, value):
    col = header_col(ws, label)
    return [c.row for c in next(ws.iter_cols(min_col=col, max_col=col, min_row=2)) if c.value == value]


def entry_ids(path: Path) -> dict[str, set[str]]:
    campaign = read_campaign(path)
    return {s.key: set(campaign[s.key].frame[s.id_key]) for s in schema.ENTRY_SHEETS}


@pytest.fixture
def round_trip(tmp_path):
    """A demo master with one 督办意见 from the office, issued to every unit."""
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    create_master(master, demo=True, clean=True)
    wb = openpyxl.load_workbook(master)
    ws = wb[schema.PROBLEMS.name]
    unit_col = header_col(ws, "责任单位")
    target = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, unit_col).value == "市图书馆")
    ws.cell(target, header_col(ws, "督办意见")).value = "请于月底前办结"
    supervised = ws.cell(target, header_col(ws, "问题编号")).value
    wb.save(master)
    issued = {i.unit: i.path for i in issue(master, tmp_path / "out", now=NOW)}
    return master, issued, supervised


def edit_library(path: Path, other_person: str, supervised: str) -> dict:
    """市图书馆: changes an address, adds a visit without a number, deletes one, types another unit's row."""
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.VISITS.name]
    id_col, addr_col = header_col(ws, "记录编号"), header_col(ws, "地址")
    changed_id = ws.cell(2, id_col).value
    ws.cell(2, addr_col).value = "庞庄村9组99号"
    deleted_id = ws.cell(3, id_col).value
    ws.delete_rows(3)
    person = ws.cell(2, header_col(ws, "走访人")).value
    person_id = ws.cell(2, header_col(ws, "人员编号")).value
    last = ws.max_row + 1
    for label, value in (("走访日期", dt.datetime(2012, 1, 10)), ("走访人", person), ("人员编号", person_id),
                         ("走访对象", "新户主"), ("对象类别", "困难户"), ("地址", "新村1号"), ("走访形式", "入户走访")):
        ws.cell(last, header_col(ws, label)).value = value
    foreign = last + 1
    for label, value in (("走访日期", dt.datetime(2012, 1, 11)), ("走访人", other_person), ("走访对象", "别家"),
                         ("对象类别", "困难户"), ("地址", "别村"), ("走访形式", "入户走访")):
        ws.cell(foreign, header_col(ws, label)).value = value
    problems = wb[schema.PROBLEMS.name]
    problems.protection.sheet = False  # a clerk who unprotects the sheet still cannot change the office's column
    row = rows_of(problems, "问题编号", supervised)[0]
    problems.cell(row, header_col(problems, "督办意见")).value = "单位自己改的意见"
    wb.save(path)
    return {"changed": changed_id, "deleted": deleted_id, "foreign_row": foreign}


def edit_museum(path: Path) -> dict:
    """市博物馆: two new problems without numbers, one problem's status changed."""
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.PROBLEMS.name]
    leader = ws.cell(2, header_col(ws, "分包领导")).value
    for k in range(2):
        r = ws.max_row + 1
        for label, value in (("登记日期", dt.datetime(2012, 1, 12)), ("问题来源", "走访"), ("问题类别", "文化"),
                             ("问题描述", f"新问题{k}"), ("是否重大问题", "否"), ("分包领导", leader),
                             ("责任单位", "市博物馆"), ("办结时限", dt.datetime(2012, 2, 10)), ("状态", "待办")):
            ws.cell(r, header_col(ws, label)).value = value
    status_col = header_col(ws, "状态")
    changed = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, status_col).value == "办理中")
    ws.cell(changed, status_col).value = "已解决"
    ws.cell(changed, header_col(ws, "解决日期")).value = dt.datetime(2012, 1, 14)
    changed_id = ws.cell(changed, header_col(ws, "问题编号")).value
    wb.save(path)
    return {"changed": changed_id}


def edit_troupe(path: Path) -> None:
    """市杂技团: a column of their own with one value."""
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.VISITS.name]
    col = ws.max_column + 1
    ws.cell(1, col).value = "备用电话"
    ws.cell(2, col).value = "13900000000"
    wb.save(path)


def test_a_whole_round_issue_edit_collect_twice_issue_again(round_trip, tmp_path):
    master, issued, supervised = round_trip
    before = entry_ids(master)
    museum_person = read_campaign(issued["市博物馆"])["visits"].frame["person"].iloc[0]
    lib = edit_library(issued["市图书馆"], museum_person, supervised)
    mus = edit_museum(issued["市博物馆"])
    edit_troupe(issued["市杂技团"])
    files = [issued["市图书馆"], issued["市博物馆"], issued["市杂技团"]]
    random.Random(7).shuffle(files)
    result = collect(master, files)
    by_unit = {f.unit: f for f in result.files}
    assert {f.status for f in result.files} == {"merged"}
    assert (by_unit["市图书馆"].added, by_unit["市图书馆"].updated, by_unit["市图书馆"].removed) == (1, 1, 1)
    assert [r["sheet"] for r in by_unit["市图书馆"].rejected] == ["走访记录"]
    assert by_unit["市图书馆"].rejected[0]["cell"].endswith(str(lib["foreign_row"]))
    assert (by_unit["市博物馆"].added, by_unit["市博物馆"].updated) == (2, 1)
    assert (by_unit["市杂技团"].added, by_unit["市杂技团"].updated, by_unit["市杂技团"].removed) == (0, 1, 0)

    after = read_campaign(master)
    ids = {s.key: set(after[s.key].frame[s.id_key]) for s in schema.ENTRY_SHEETS}
    new_visits = ids["visits"] - before["visits"]
    assert ids["visits"] == (before["visits"] - {lib["deleted"]}) | new_visits
    assert len(new_visits) == 1 and re.fullmatch(r"TSG-ZF\d{5}", next(iter(new_visits)))
    new_problems = ids["problems"] - before["problems"]
    assert len(new_problems) == 2 and all(re.fullmatch(r"BWG-WT\d{5}", p) for p in new_problems)
    visits = after["visits"].frame.set_index("record_id")
    assert visits.at[lib["changed"], "address"] == "庞庄村9组99号"
    problems = after["problems"].frame.set_index("problem_id")
    assert problems.at[mus["changed"], "status"] == "已解决"
    assert problems.at[supervised, "supervision"] == "请于月底前办结"  # the office's column is the office's
    assert "备用电话" in after["visits"].extras.columns
    assert (after["visits"].extras["备用电话"] == "13900000000").sum() == 1
    for s in schema.ENTRY_SHEETS:
        if s.key not in ("visits", "problems"):
            assert ids[s.key] == before[s.key], s.name

    wb = openpyxl.load_workbook(master)
    deleted = list(wb[schema.DELETED_SHEET].iter_rows(min_row=2, values_only=True))
    assert [(d[1], d[2], d[3]) for d in deleted] == [("走访记录", lib["deleted"], "市图书馆")]
    assert f"记录编号：{lib['deleted']}" in deleted[0][6]  # the row as its columns, as a clerk reads it
    archive = master.parent / "回收归档"
    hashes = {f.sha256 for f in result.files}
    assert {p.stem for p in archive.iterdir()} == hashes
    log = list(wb[schema.IMPORT_LOG_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(log) == 3 and {r[2] for r in log} == hashes and {r[5] for r in log} == {"已合并"}

    # The same files again, in another order: each is a duplicate, and the master is not even rewritten.
    before_bytes, backups = master.read_bytes(), set((master.parent / "备份").iterdir())
    again = collect(master, list(reversed(files)))
    assert {f.status for f in again.files} == {"duplicate"} and again.exit_code == 0
    assert master.read_bytes() == before_bytes and set((master.parent / "备份").iterdir()) == backups

    # Issuing again gives each unit its merged rows.
    reissued = {i.unit: i.path for i in issue(master, tmp_path / "out2", now=NOW + dt.timedelta(days=1))}
    lib_visits = set(read_campaign(reissued["市图书馆"])["visits"].frame["record_id"])
    assert new_visits <= lib_visits and lib["deleted"] not in lib_visits
    assert new_problems <= set(read_campaign(reissued["市博物馆"])["problems"].frame["problem_id"])


def test_every_row_goes_to_exactly_one_unit(round_trip):
    master, issued, _ = round_trip
    totals = {s.key: 0 for s in schema.ENTRY_SHEETS}
    for path in issued.values():
        c = read_campaign(path)
        for s in schema.ENTRY_SHEETS:
            totals[s.key] += len(c[s.key])
        assert c.meta["token"] and c.meta["unit"] in issued
    master_campaign = read_campaign(master)
    assert totals == {s.key: len(master_campaign[s.key]) for s in schema.ENTRY_SHEETS}


def test_the_newer_submission_wins_whatever_the_order(round_trip, tmp_path):
    master, issued, _ = round_trip
    first = issued["市图书馆"]
    second = tmp_path / "second.xlsx"
    shutil.copy(first, second)
    for path, address, saved in ((first, "旧地址", "2012-01-20T10:00:00"), (second, "新地址", "2012-01-21T10:00:00")):
        wb = openpyxl.load_workbook(path)
        ws = wb[schema.VISITS.name]
        ws.cell(2, header_col(ws, "地址")).value = address
        wb.save(path)
        set_saved_time(path, saved)
    rid = read_campaign(first)["visits"].frame["record_id"].iloc[0]
    other = tmp_path / "copy"
    other.mkdir()
    shutil.copytree(master.parent, other / "office")
    other_master = other / "office" / master.name
    # both at once, newer given first
    together = collect(master, [second, first])
    assert [f.status for f in together.files] == ["merged", "superseded"]
    # one after the other, older last
    collect(other_master, [second])
    late = collect(other_master, [first])
    assert late.files[0].status == "superseded"
    for m in (master, other_master):
        assert read_campaign(m)["visits"].frame.set_index("record_id").at[rid, "address"] == "新地址"


def test_tampered_token_wrong_campaign_and_foreign_files_are_refused(round_trip, tmp_path):
    master, issued, _ = round_trip
    before = entry_ids(master)
    tampered = issued["市博物馆"]
    wb = openpyxl.load_workbook(tampered)
    meta = wb[schema.META_SHEET]
    token_row = next(r for r in range(2, meta.max_row + 1) if meta.cell(r, 1).value == "token")
    meta.cell(token_row, 3).value = "0" * 64
    wb.save(tampered)
    elsewhere = tmp_path / "elsewhere" / "别的总台账.xlsx"
    elsewhere.parent.mkdir()
    create_master(elsewhere, demo=True, clean=True, seed=99)
    foreign = issue(elsewhere, tmp_path / "elsewhere-out", now=NOW)[0].path
    not_a_book = tmp_path / "note.xlsx"
    not_a_book.write_text("这不是工作簿", encoding="utf-8")
    master_bytes = master.read_bytes()
    result = runner.invoke(app, ["collect", str(master), str(tampered), str(foreign), str(not_a_book), "--json"])
    assert result.exit_code == 1, result.output  # a refused file is loud
    files = json.loads(result.stdout)["files"]
    assert [f["status"] for f in files] == ["refused"] * 3
    assert "校验码不符" in files[0]["reason"] and "活动编号不符" in files[1]["reason"]
    assert "不是有效的 Excel 工作簿" in files[2]["reason"]
    assert entry_ids(master) == before
    assert master.read_bytes() == master_bytes  # nothing merged: the master is not rewritten


def test_an_open_master_or_a_running_collect_is_refused_and_nothing_is_touched(round_trip):
    master, issued, _ = round_trip
    before = master.read_bytes()
    lock = master.with_name("~$" + master.name)
    lock.write_bytes(b"clerk")
    with pytest.raises(WriteRefused, match="正在被"):
        collect(master, [issued["市图书馆"]])
    lock.unlink()
    with CollectLock(master):
        result = runner.invoke(app, ["collect", str(master), str(issued["市图书馆"])])
        assert result.exit_code == 2 and "另一个任务" in result.output
    assert master.read_bytes() == before
    assert not (master.parent / "回收归档").exists() or not any((master.parent / "回收归档").iterdir())


def test_a_failure_in_mid_write_leaves_the_old_master_byte_identical(round_trip, monkeypatch):
    master, issued, _ = round_trip
    set_cell_by_header(issued["市图书馆"], "走访记录", "地址", 2, "改过的地址")
    before = master.read_bytes()
    from zoufang.exchange import master_edit

    def broken_save(self, target):
        Path(target).write_bytes(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(master_edit.MasterEditor, "save", broken_save)
    with pytest.raises(WriteRefused, match="磁盘已满"):  # the disk's error, said in Chinese with the path
        collect(master, [issued["市图书馆"]])
    assert master.read_bytes() == before
    assert [p.name for p in master.parent.iterdir() if p.name.startswith(".~zoufang")] == []
    with CollectLock(master):  # the lock went with the failed run
        pass


def test_a_stale_lock_from_a_dead_run_does_not_block(round_trip):
    master, issued, _ = round_trip
    master.with_name(f".{master.name}.zoufang-lock").write_text("999999 2012-01-01T00:00:00")
    assert collect(master, [issued["市杂技团"]]).files[0].status == "merged"
    assert os.path.exists(master)


from builders import D, make_book, visit  # noqa: E402
# ------------------------------------------------------------------ properties on small campaigns
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

UNIT_PEOPLE = {"市图书馆": ["丙馆长", "戊干部"], "市博物馆": ["丁馆长"]}


def small_master(folder: Path) -> Path:
    folder.mkdir(parents=True)
    visits = [visit(p, D(2011, 9, 1 + i), head=f"户{u}{i}") for u, people in UNIT_PEOPLE.items()
              for i, p in enumerate(people * 3)]
    path = folder / "master.xlsx"
    make_book(path, visits=visits)
    return path


def apply_edits(path: Path, edits: dict) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.VISITS.name]
    for row in sorted(edits["delete"], reverse=True):
        if row <= ws.max_row:
            ws.delete_rows(row)
    person = ws.cell(2, header_col(ws, "走访人")).value if ws.max_row >= 2 else None
    if person:
        for k in range(edits["add"]):
            r = ws.max_row + 1
            for label, value in (("走访日期", dt.datetime(2011, 10, 1 + k)), ("走访人", person),
                                 ("走访对象", f"新户{k}"), ("对象类别", "困难户"), ("地址", f"新址{k}"),
                                 ("走访形式", "入户走访")):
                if any(c.value == label or str(c.value).startswith(label + "（") for c in ws[1]):  # columns the clerk kept
                    ws.cell(r, header_col(ws, label)).value = value
    for row in edits["change"]:
        if 2 <= row <= ws.max_row and ws.cell(row, header_col(ws, "地址")).value:
            ws.cell(row, header_col(ws, "地址")).value = f"改过的地址{row}"
    header = edits.get("header")
    if header == "rename":
        ws.cell(1, header_col(ws, "走访人")).value = "走访人（姓名）"
    elif header == "unrecognisable":
        ws.cell(1, header_col(ws, "对象类别")).value = "户别"
    elif header == "delete":
        ws.delete_cols(header_col(ws, "走访形式"))
    wb.save(path)


def master_rows(path: Path) -> set:
    c = read_campaign(path)
    visits = c["visits"].frame
    return set(zip(visits["record_id"], visits["address"], visits["person"]))


def total_rows(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True)
    deleted = wb[schema.DELETED_SHEET].max_row - 1 if schema.DELETED_SHEET in wb.sheetnames else 0
    return len(read_campaign(path)["visits"]) + deleted


edits_strategy = st.fixed_dictionaries({
    "delete": st.lists(st.integers(2, 7), max_size=3, unique=True),
    "add": st.integers(0, 2),
    "change": st.lists(st.integers(2, 7), max_size=2, unique=True),
    "header": st.sampled_from([None, "rename", "unrecognisable", "delete"]),
    "resend": st.booleans(),
})


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(lib=edits_strategy, mus=edits_strategy, order=st.permutations([0, 1]))
def test_collect_is_idempotent_order_free_and_never_loses_a_row(tmp_path_factory, lib, mus, order):
    base = tmp_path_factory.mktemp("prop")
    master = small_master(base / "a")
    issued = {i.unit: i.path for i in issue(master, base / "out", now=NOW) if i.unit in UNIT_PEOPLE}
    shutil.copytree(base / "a", base / "b")
    count = total_rows(master)
    for unit, edits in (("市图书馆", lib), ("市博物馆", mus)):
        apply_edits(issued[unit], edits)
        if edits["resend"]:  # a first copy merged, then the same workbook corrected and sent again
            collect(master, [issued[unit]])
            apply_edits(issued[unit], {"delete": [], "add": 1, "change": [2], "header": None})
    files = [issued["市图书馆"], issued["市博物馆"]]
    collect(master, [files[i] for i in order])
    assert total_rows(master) >= count
    visits = read_campaign(master)["visits"].frame
    assert visits["record_id"].is_unique and (visits["person"] != "").all()  # no row lost its owner
    for unit, edits in (("市图书馆", lib), ("市博物馆", mus)):
        added = visits[visits["target"].str.startswith("新户") & visits["person"].isin(UNIT_PEOPLE[unit])]
        assert len(added) <= edits["add"] + (1 if edits["resend"] else 0)  # resends add nothing twice
    once = master_rows(master)
    collect(master, files)
    assert master_rows(master) == once
    other = base / "b" / "master.xlsx"
    for f in reversed(files):
        collect(other, [f])
    assert master_rows(other) == once


def test_each_unit_gets_a_home_page_of_its_own_with_the_return_deadline(tmp_path):
    """首页 of an issued workbook: the unit's name, what to fill, what not to touch, when and how to send it back."""
    from builders import D, make_book, visit
    master = tmp_path / "总台账.xlsx"
    make_book(master, settings={"return_deadline": D(2011, 12, 20)}, visits=[visit("丙馆长", D(2011, 9, 5))])
    issued = {i.unit: i.path for i in issue(master, tmp_path / "out")}
    home = [c for row in openpyxl.load_workbook(issued["市图书馆"])["首页"].iter_rows(values_only=True) for c in row if c]
    text = "".join(map(str, home))
    assert "市图书馆" in home[0] and "单位工作簿" in home[0]
    assert "2011年12月20日前" in text and "督办意见" in text and "仅供查阅" in text
    assert "改这里的日期" not in text and "改变统计规则" not in text  # the master's words are not the unit's
    assert "市博物馆" not in home[0]
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))])  # no deadline set
    issued = {i.unit: i.path for i in issue(master, tmp_path / "out2")}
    text = "".join(str(c) for row in openpyxl.load_workbook(issued["市图书馆"])["首页"].iter_rows(values_only=True)
                   for c in row if c)
    assert "请于局活动办公室通知的时间前" not in text and "尚未定回收截止日期，请留意办公室的通知" in text


def test_issuing_without_a_return_deadline_warns_the_office_and_the_contact_stands_on_a_line_of_its_own(tmp_path):
    """No 回收截止日期: the office is told at issue (what the units will read, and that none can be late); the
    office's contact and phone are a line of their own on each 首页, so a name never breaks over two lines."""
    from builders import D, make_book, visit
    from typer.testing import CliRunner

    from zoufang.cli import app
    master = tmp_path / "总台账.xlsx"
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))])
    wb = openpyxl.load_workbook(master)
    ws = wb["单位"]
    header = [c.value for c in ws[1]]
    bureau = next(r for r in ws.iter_rows(min_row=2) if r[header.index("单位类别")].value == "局机关")
    bureau[header.index("联系人")].value, bureau[header.index("联系电话")].value = "金勇", "0558-2212345"
    wb.save(master)
    done = CliRunner().invoke(app, ["issue", str(master), "--out", str(tmp_path / "out"), "--json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert any("未填“回收截止日期”" in n for n in doc["notices"])
    home = [c for row in openpyxl.load_workbook(doc["units"][0]["file"])["首页"].iter_rows(values_only=True)
            for c in row if c]
    assert "联系人：金勇　0558-2212345" in home
    said = CliRunner().invoke(app, ["issue", str(master), "--out", str(tmp_path / "again")])
    assert "未填“回收截止日期”" in said.output
