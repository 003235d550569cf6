"""A return changes only what the unit changed: the office keeps correcting the master after issue,
issues again, and units send two copies or an old copy late — no edit of either side is lost."""
import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from builders import D, column_of, edit, make_book, problem, row_of, value_of, visit

from zoufang.contract import schema
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.reading.reader import read_campaign

UTC = dt.timezone.utc


def hours_ago(h: float) -> dt.datetime:
    return dt.datetime.now().astimezone() - dt.timedelta(hours=h)


@pytest.fixture
def office(tmp_path):
    """A master with visits and problems of 市图书馆 and 市博物馆, issued six hours ago."""
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    make_book(master,
              visits=[visit("丙馆长", D(2011, 9, 5 + i), head=f"户{i}", address=f"庞庄村{i}号") for i in range(8)]
              + [visit("丁馆长", D(2011, 9, 6), head="博户")],
              problems=[problem("甲局长", "办理中", finder="丙馆长"), problem("乙副局长", "待办", finder="戊干部"),
                        problem("丁馆长", "待办", unit="市博物馆", finder="丁馆长")])
    issued = {i.unit: i.path for i in issue(master, tmp_path / "round1", now=hours_ago(6))}
    return master, issued


def add_visit(path: Path, person: str, head: str, **more) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["走访记录"]
    r = ws.max_row + 1
    values = {"走访日期": dt.datetime(2011, 10, 1), "走访人": person, "走访对象": head, "对象类别": "困难户",
              "地址": "新村1号", "走访形式": "入户走访", **more}
    for header, value in values.items():
        ws.cell(r, column_of(ws, header)).value = value
    wb.save(path)


def library_ids(master: Path) -> list[str]:
    visits = read_campaign(master)["visits"].frame
    return visits.loc[visits["person"] == "丙馆长", "record_id"].tolist()


def deleted_rows(master: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(master)
    return [tuple(r) for r in wb[schema.DELETED_SHEET].iter_rows(min_row=2, values_only=True)] \
        if schema.DELETED_SHEET in wb.sheetnames else []


# ------------------------------------------------------------------ 1: the office's correction after issue survives
def test_the_offices_correction_after_issue_survives_a_return_that_did_not_touch_it(office):
    master, issued = office
    first, second = library_ids(master)[:2]
    edit(master, "走访记录", first, "地址", "办公室更正的地址")
    edit(issued["市图书馆"], "走访记录", second, "备注", "单位补充")
    result = collect(master, [issued["市图书馆"]]).files[0]
    assert (result.status, result.updated, result.conflicts) == ("merged", 1, [])
    assert value_of(master, "走访记录", first, "地址") == "办公室更正的地址"
    assert value_of(master, "走访记录", second, "备注") == "单位补充"


def test_a_cell_both_sides_changed_keeps_the_offices_value_and_is_listed(office):
    master, issued = office
    first = library_ids(master)[0]
    where = edit(master, "走访记录", first, "地址", "办公室的地址")
    edit(issued["市图书馆"], "走访记录", first, "地址", "单位的地址")
    result = collect(master, [issued["市图书馆"]])
    conflict, = result.files[0].conflicts
    assert conflict["cell"] == where and conflict["record"] == first
    assert (conflict["office"], conflict["unit"]) == ("办公室的地址", "单位的地址")
    assert value_of(master, "走访记录", first, "地址") == "办公室的地址"
    assert result.exit_code == 1  # the office has to decide
    log = openpyxl.load_workbook(master)[schema.IMPORT_LOG_SHEET]
    assert "单位的地址" in str(list(log.iter_rows(values_only=True))[-1])


# ------------------------------------------------------------------ 2: an old round's copy never reverts a newer round
def test_an_edited_copy_of_round_one_never_reverts_what_round_two_merged(office, tmp_path):
    master, issued = office
    round_one = tmp_path / "第一轮副本.xlsx"
    shutil.copy(issued["市图书馆"], round_one)
    ids = library_ids(master)
    round_two = {i.unit: i.path for i in issue(master, tmp_path / "round2", now=hours_ago(3))}["市图书馆"]
    edit(round_two, "走访记录", ids[0], "备注", "第二轮")
    add_visit(round_two, "丙馆长", "第二轮新户")
    assert collect(master, [round_two]).files[0].added == 1
    edit(round_one, "走访记录", ids[1], "备注", "第一轮改")
    edit(round_one, "走访记录", ids[0], "备注", "第一轮也改了")
    result = collect(master, [round_one]).files[0]
    assert result.status == "merged" and result.removed == 0
    assert value_of(master, "走访记录", ids[0], "备注") == "第二轮"
    assert value_of(master, "走访记录", ids[1], "备注") == "第一轮改"
    assert [c["record"] for c in result.conflicts] == [ids[0]]
    visits = read_campaign(master)["visits"].frame
    assert "第二轮新户" in set(visits["target"]) and set(ids) <= set(visits["record_id"])
    assert deleted_rows(master) == []


# ------------------------------------------------------------------ 3: two copies edited apart both arrive
def test_two_copies_of_one_issued_workbook_both_arrive(office, tmp_path):
    master, issued = office
    copy_a, copy_b = tmp_path / "A.xlsx", tmp_path / "B.xlsx"
    shutil.copy(issued["市图书馆"], copy_a)
    shutil.copy(issued["市图书馆"], copy_b)
    add_visit(copy_a, "丙馆长", "A新户")
    assert collect(master, [copy_a]).files[0].added == 1
    add_visit(copy_b, "丙馆长", "B新户")
    result = collect(master, [copy_b]).files[0]
    assert (result.status, result.added, result.updated, result.removed) == ("merged", 1, 0, 0)
    assert any("A" in n["note"] or "保留" in n["note"] for n in result.notes)
    targets = set(read_campaign(master)["visits"].frame["target"])
    assert {"A新户", "B新户"} <= targets
    assert deleted_rows(master) == []


# ------------------------------------------------------------------ 4: the office's formula column
def test_an_office_formula_column_is_never_written_by_a_return(office, tmp_path, lo_clerk):
    master, _ = office
    problems = read_campaign(master)["problems"].frame
    library = problems.loc[problems["unit"] == "市图书馆"]
    # the office adds a formula column R in LibreOffice, before issuing (cached values as Excel keeps them)
    rows = [int(r) for r in problems["_row"]]
    lo_master = tmp_path / "lo" / "总台账.xlsx"
    lo_master.parent.mkdir()
    shutil.copy(master, lo_master)
    edits = [{"op": "set", "sheet": "问题台账", "header": "督办意见", "row": 1, "value": {"text": "督办意见"}}]
    wb = openpyxl.load_workbook(master)
    ws = wb["问题台账"]
    ws.cell(1, 18).value = "督办状态"
    wb.save(master)
    edits += [{"op": "set", "sheet": "问题台账", "header": "督办状态", "row": r, "value": f'=IF(Q{r}="";"未督办";"已督办")'}
              for r in rows]  # typed as LibreOffice's formula bar takes it
    lo_clerk([{"src": str(master), "dst": str(lo_master), "edits": edits}])
    shutil.copy(lo_master, master)
    unit_book = {i.unit: i.path for i in issue(master, tmp_path / "out", now=hours_ago(5))}["市图书馆"]
    rid = library["problem_id"].iloc[0]
    r = row_of(openpyxl.load_workbook(master)["问题台账"], "问题编号", rid)
    assert value_of(unit_book, "问题台账", rid, "督办状态", "问题编号") == "未督办"
    edit(master, "问题台账", rid, "督办意见", "请加快进度", "问题编号")
    result = collect(master, [unit_book]).files[0]  # sent back untouched
    assert (result.updated, result.notes, result.conflicts) == (0, [], [])
    assert openpyxl.load_workbook(master)["问题台账"].cell(r, 18).value == f'=IF(Q{r}="","未督办","已督办")'


# ------------------------------------------------------------------ 5: text stored exactly as typed
TYPED = "户主反映：房屋漏雨，需维修！面积约２０㎡；①屋顶②墙体…（急）"


def test_text_is_stored_exactly_as_the_clerk_typed_it(office, lo_clerk, tmp_path):
    master, issued = office
    first = library_ids(master)[0]
    row = row_of(openpyxl.load_workbook(issued["市图书馆"])["走访记录"], "记录编号", first)
    back = tmp_path / "图书馆.xlsx"
    lo_clerk([{"src": str(issued["市图书馆"]), "dst": str(back), "edits": [
        {"op": "set", "sheet": "走访记录", "header": "反映问题", "row": row, "value": {"text": TYPED}},
        {"op": "append", "sheet": "走访记录", "values": {
            "走访日期": "2011-10-3", "走访人": {"text": "丙馆长"}, "走访对象": {"text": "新户"},
            "对象类别": {"text": "困难户"}, "地址": {"text": "清河路１２－３号"}, "走访形式": {"text": "入户走访"},
            "反映问题": {"text": "第一行\n第二行（全角）"}}}]}])
    result = collect(master, [back]).files[0]
    assert (result.added, result.updated) == (1, 1)
    assert value_of(master, "走访记录", first, "反映问题") == TYPED
    ws = openpyxl.load_workbook(master)["走访记录"]
    r = row_of(ws, "走访对象", "新户")
    assert ws.cell(r, column_of(ws, "地址")).value == "清河路１２－３号"
    assert ws.cell(r, column_of(ws, "反映问题")).value == "第一行\n第二行（全角）"


def test_characters_a_cell_cannot_hold_are_removed_and_over_long_text_refused(office):
    master, issued = office
    first, second = library_ids(master)[:2]
    path = issued["市图书馆"]
    import zipfile
    edit(path, "走访记录", first, "备注", "甲PLACEHOLDER乙")
    where = edit(path, "走访记录", second, "反映问题", "TOOLONG")
    # a raw U+FFFE and a 40,000-character text written straight into the sheet XML, as other programs may
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            data = data.replace(b"PLACEHOLDER", "\ufffe".encode("utf-8")).replace(b"TOOLONG", "长".encode() * 40000)
            dst.writestr(item, data)
    tmp.replace(path)
    result = collect(master, [path]).files[0]
    assert result.status == "merged" and result.updated == 1
    assert value_of(master, "走访记录", first, "备注") == "甲乙"
    assert any("控制字符" in n["note"] for n in result.notes)
    refused, = result.rejected
    assert "40000" in refused["reason"] and refused["cell"] == where
    assert value_of(master, "走访记录", second, "反映问题") is None


# ------------------------------------------------------------------ 6: a deleted record keeps the office's columns
def test_a_deleted_record_keeps_every_column_the_offices_too(office, tmp_path):
    master, _ = office
    wb = openpyxl.load_workbook(master)
    ws = wb["走访记录"]
    ws.cell(1, ws.max_column + 1).value = "办公室备注"
    note_col = ws.max_column
    wb.save(master)
    rid = library_ids(master)[3]
    edit(master, "走访记录", rid, "办公室备注", "已电话核实")
    unit_book = {i.unit: i.path for i in issue(master, tmp_path / "out", now=hours_ago(5))}["市图书馆"]
    wb = openpyxl.load_workbook(unit_book)
    wb["走访记录"].delete_rows(row_of(wb["走访记录"], "记录编号", rid))
    wb.save(unit_book)
    result = collect(master, [unit_book]).files[0]
    assert result.removed == 1
    row, = [r for r in deleted_rows(master) if r[2] == rid]
    content = row[6]  # the row as its columns, 标签：值, as a clerk reads it
    assert "办公室备注：已电话核实" in content and "地址：庞庄村3号" in content
    assert note_col  # the office's column stays on the sheet


def test_the_offices_legend_beside_a_deleted_record_stays_and_the_row_is_only_emptied(office, tmp_path):
    master, _ = office
    wb = openpyxl.load_workbook(master)
    ws = wb["走访记录"]
    far = ws.max_column + 2  # no header above it: the office's own notes beside the data
    ws.cell(4, far).value, ws.cell(5, far).value = "图例", "红色=超期"
    wb.save(master)
    first, beside = read_campaign(master)["visits"].frame.set_index("_row").loc[[2, 5], "record_id"]
    unit_book = {i.unit: i.path for i in issue(master, tmp_path / "out", now=hours_ago(5))}["市图书馆"]
    wb = openpyxl.load_workbook(unit_book)
    for rid in (beside, first):
        wb["走访记录"].delete_rows(row_of(wb["走访记录"], "记录编号", rid))
    wb.save(unit_book)
    result = collect(master, [unit_book])
    assert result.files[0].removed == 2
    ws = openpyxl.load_workbook(master)["走访记录"]
    assert [ws.cell(r, far).value for r in (3, 4)] == ["图例", "红色=超期"]  # row 2 deleted, row 5 kept as row 4
    assert all(ws.cell(4, c).value is None for c in range(1, far))
    ids = set(read_campaign(master)["visits"].frame["record_id"])
    assert first not in ids and beside not in ids
    assert any(n.startswith("走访记录!4：") and f"{openpyxl.utils.get_column_letter(far)}4" in n for n in result.notices)


def test_a_record_the_office_changed_after_issue_is_not_deleted_by_a_return(office):
    master, issued = office
    rid = library_ids(master)[2]
    edit(master, "走访记录", rid, "备注", "办公室核实过")
    wb = openpyxl.load_workbook(issued["市图书馆"])
    wb["走访记录"].delete_rows(row_of(wb["走访记录"], "记录编号", rid))
    wb.save(issued["市图书馆"])
    result = collect(master, [issued["市图书馆"]]).files[0]
    assert result.removed == 0 and [c["record"] for c in result.conflicts] == [rid]
    assert rid in set(read_campaign(master)["visits"].frame["record_id"])


# ------------------------------------------------------------------ 7: identity survives cut/paste and invisible characters
def test_a_problem_cut_and_pasted_back_without_its_number_stays_the_same_record(office, lo_clerk, tmp_path):
    master, issued = office
    problems = read_campaign(master)["problems"].frame
    rid = problems.loc[problems["unit"] == "市图书馆", "problem_id"].iloc[0]
    edit(master, "问题台账", rid, "督办意见", "限月底办结", "问题编号")
    ws = openpyxl.load_workbook(issued["市图书馆"])["问题台账"]
    row = row_of(ws, "问题编号", rid)
    values = {}
    for c in ws[row]:
        header = ws.cell(1, c.column).value
        if header in ("问题编号", None) or c.value is None:
            continue
        values[header] = f"{c.value:%Y-%m-%d}" if isinstance(c.value, dt.datetime) else {"text": str(c.value)}
    back = tmp_path / "图书馆.xlsx"
    lo_clerk([{"src": str(issued["市图书馆"]), "dst": str(back), "edits": [
        {"op": "delete_row", "sheet": "问题台账", "row": row}, {"op": "append", "sheet": "问题台账", "values": values}]}])
    result = collect(master, [back]).files[0]
    assert (result.added, result.removed) == (0, 0)
    problems = read_campaign(master)["problems"].frame.set_index("problem_id")
    assert problems.at[rid, "supervision"] == "限月底办结"
    assert deleted_rows(master) == []


def test_a_record_number_with_a_zero_width_space_is_the_same_record(office):
    master, issued = office
    rid = library_ids(master)[1]
    edit(issued["市图书馆"], "走访记录", rid, "记录编号", rid + "\u200b")
    edit(issued["市图书馆"], "走访记录", rid + "\u200b", "备注", "聊天里粘来的编号")
    result = collect(master, [issued["市图书馆"]]).files[0]
    assert (result.added, result.removed, result.updated) == (0, 0, 1)
    assert value_of(master, "走访记录", rid, "备注") == "聊天里粘来的编号"
    assert len(read_campaign(master)["visits"]) == 9
