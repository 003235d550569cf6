"""Crafted packages, built here, as a hostile sender (or an odd program) makes them: one such file in a folder
never stops the genuine returns, and genuine oddities Excel writes are never refused."""
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from builders import D, make_book, set_cell_by_header, visit

from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue


@pytest.fixture
def office(tmp_path):
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5)), visit("丁馆长", D(2011, 9, 6))])
    issued = {i.unit: i.path for i in issue(master, tmp_path / "out")}
    return master, issued


def rebuild(src: Path, dst: Path, change) -> None:
    """Copy a package entry by entry; ``change(name, data) -> (name, data) | None`` rewrites or drops an entry."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            got = change(info.filename, z.read(info))
            if got is not None:
                out.writestr(got[0], got[1])


def far_value(data: bytes) -> bytes:
    return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                                         b"</sheetData>")


def check_exits(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoufang", "check", str(path)], capture_output=True, text=True,
                          timeout=120)


def test_a_sheet_part_outside_xl_worksheets_is_guarded_as_the_reader_finds_it(office, tmp_path):
    master, issued = office
    hostile = tmp_path / "回收" / "hostile.xlsx"
    hostile.parent.mkdir()

    def move(name, data):  # the 走访记录 part moved to xl/elsewhere/, the workbook's relationship pointing there
        if name == "xl/_rels/workbook.xml.rels":
            return name, data.replace(b"worksheets/sheet7.xml", b"elsewhere/data.xml")
        if name == "xl/worksheets/sheet7.xml":
            return "xl/elsewhere/data.xml", far_value(data)
        if name == "[Content_Types].xml":
            return name, data.replace(b"/xl/worksheets/sheet7.xml", b"/xl/elsewhere/data.xml")
        return name, data
    rebuild(issued["市博物馆"], hostile, move)
    shutil.copy(issued["市图书馆"], hostile.parent / "图书馆.xlsx")
    set_cell_by_header(hostile.parent / "图书馆.xlsx", "走访记录", "地址", 2, "好的回收表")
    done = check_exits(hostile)
    assert done.returncode == 2 and "数据范围异常" in done.stderr
    result = collect(master, [hostile.parent])
    assert sorted(f.status for f in result.files) == ["merged", "refused"]


def test_a_zip_whose_local_header_names_another_file_is_refused(office, tmp_path):
    _, issued = office
    src = issued["市博物馆"]
    with zipfile.ZipFile(src) as z:
        data = z.read("xl/worksheets/sheet7.xml")
    lying = tmp_path / "lying.xlsx"
    rebuild(src, lying, lambda n, d: (n, far_value(d) if n == "xl/worksheets/sheet7.xml" else d))
    raw = bytearray(lying.read_bytes())
    name = b"xl/worksheets/sheet7.xml"
    first = raw.find(name)  # the local header's copy of the name comes first, the central directory's last
    raw[first:first + len(name)] = b"xl/worksheets/sheet8.xml"[:len(name)].replace(b"8", b"9")
    lying.write_bytes(bytes(raw))
    assert data  # the sheet exists
    done = check_exits(lying)
    assert done.returncode == 2 and "panicked" not in done.stderr and "memory" not in done.stderr
    assert "结构不一致" in done.stderr


@pytest.mark.parametrize("sheet", ["走访记录", "首页"])
def test_formatted_empty_cells_out_to_xfd_are_no_reason_to_refuse(office, tmp_path, sheet):
    """Excel writes a styled row's empty cells (``<c r="XFD2" s="3"/>``); several public files have them."""
    master, issued = office
    for path in (issued["市图书馆"], master):
        styled, target = tmp_path / f"styled-{path.name}", _part_of(path, sheet)
        rebuild(path, styled, lambda n, d: (n, styled_row(d) if n == target else d))
        shutil.move(styled, path)
        with zipfile.ZipFile(path) as z:
            assert re.search(rb'r="XFD\d+" s="0"/>', z.read(target))
    assert check_exits(master).returncode in (0, 1)
    set_cell_by_header(issued["市图书馆"], "走访记录", "备注", 2, "改过")
    result = collect(master, [issued["市图书馆"]]).files[0]
    assert result.status == "merged", result.reason


def styled_row(data: bytes) -> bytes:
    """Formatted empty cells out to XFD at the end of row 2, or on a row of their own below the last."""
    if re.search(rb'<row r="2"[^>]*[^/]>', data):
        return re.sub(rb'(<row r="2"[^>]*[^/]>.*?)(</row>)', rb'\1<c r="XFC2" s="0"/><c r="XFD2" s="0"/>\2', data,
                      count=1, flags=re.S)
    last = max([int(r) for r in re.findall(rb'<row r="(\d+)"', data)] + [1]) + 1
    return data.replace(b"</sheetData>", f'<row r="{last}"><c r="XFD{last}" s="0"/></row></sheetData>'.encode())


def _part_of(path: Path, sheet: str) -> str:
    from zoufang.files.file_props import sheet_names_by_part
    return next(part for part, name in sheet_names_by_part(path).items() if name == sheet)


# ------------------------------------------------------------------ odd entries: the key file, the inbox
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX's")


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "link-to-dev-zero"])
def test_a_key_file_that_is_no_regular_file_is_refused_at_once(office, tmp_path, kind):
    from zoufang.exchange.secret_key import secret_path
    master, issued = office
    key = secret_path(master)
    key.unlink()
    os.mkfifo(key) if kind == "fifo" else key.symlink_to("/dev/zero")
    for args in (["collect", master, issued["市图书馆"]], ["issue", master, "--out", tmp_path / "again"]):
        done = subprocess.run([sys.executable, "-m", "zoufang", *map(str, args)], capture_output=True, text=True,
                              timeout=60)  # it hung before
        assert done.returncode == 2 and "密钥文件" in done.stderr and "不是普通文件" in done.stderr


@posix_only
def test_every_entry_of_the_inbox_it_does_not_take_is_named_with_why(office, tmp_path):
    master, issued = office
    inbox = tmp_path / "回收"
    inbox.mkdir()
    shutil.copy(issued["市图书馆"], inbox / "图书馆.xlsx")
    (inbox / "子文件夹").mkdir()
    os.symlink(tmp_path / "别处", inbox / "指向文件夹的链接")
    (tmp_path / "别处").mkdir()
    os.symlink(tmp_path / "不存在.xlsx", inbox / "断开的链接.xlsx")
    os.mkfifo(inbox / "管道.xlsx")
    (inbox / "~$图书馆.xlsx").write_bytes(b"lock")
    done = subprocess.run([sys.executable, "-m", "zoufang", "collect", str(master), str(inbox)], capture_output=True,
                          text=True, timeout=60)
    said = done.stdout + done.stderr
    for name, why in (("子文件夹", "是文件夹"), ("指向文件夹的链接", "是文件夹"), ("断开的链接.xlsx", "不存在"),
                      ("管道.xlsx", "不是普通文件"), ("~$图书馆.xlsx", "锁文件")):
        assert re.search(rf"{re.escape(name)}.*{why}", said), (name, said)
    assert "图书馆.xlsx：市图书馆 已合并" in said


def test_a_master_whose_styles_openpyxl_cannot_parse_gets_a_chinese_line_not_a_traceback(office, tmp_path):
    master, _ = office
    odd = tmp_path / "odd.xlsx"
    rebuild(master, odd, lambda n, d: (n, d.replace(b'patternType="solid"', b'patternType="bogus"', 1)
                                       if n == "xl/styles.xml" else d))
    done = subprocess.run([sys.executable, "-m", "zoufang", "check", str(odd), "--annotate", str(tmp_path / "标注.xlsx")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "无法生成标注副本" in done.stderr


def test_a_return_that_inflates_a_hundredfold_is_refused_and_the_genuine_ones_merge(office, tmp_path):
    """A zip bomb in the shared strings (20 MB of text packed into ~20 KB) stays out of memory; the folder's
    genuine return is merged all the same."""
    master, issued = office
    inbox = tmp_path / "回收"
    inbox.mkdir()
    padding = b"<si><t>\xe7\x82\xb8</t></si>" * 1_200_000

    def inflate(name, data):
        if name == "xl/sharedStrings.xml":
            return name, data.replace(b"</sst>", padding + b"</sst>")
        return name, data
    with zipfile.ZipFile(issued["市博物馆"]) as z:
        assert "xl/sharedStrings.xml" in z.namelist()
    rebuild(issued["市博物馆"], inbox / "博物馆.xlsx", inflate)
    shutil.copy(issued["市图书馆"], inbox / "图书馆.xlsx")
    set_cell_by_header(inbox / "图书馆.xlsx", "走访记录", "地址", 2, "好的回收表")
    done = subprocess.run([sys.executable, "-m", "zoufang", "collect", str(master), str(inbox)], capture_output=True,
                          text=True, timeout=120)
    said = done.stdout + done.stderr
    assert re.search(r"博物馆\.xlsx.*拒收.*xl/sharedStrings\.xml.*压缩炸弹", said), said
    assert "图书馆.xlsx：市图书馆 已合并" in said


@pytest.mark.parametrize("space", [b" ", b"\t", b"\n", b"\r\n"])
def test_a_far_cell_is_refused_whatever_whitespace_precedes_its_reference(tmp_path, space):
    """The guard looks for ``r="`` by its literal text (fast) and then checks the byte before it: a tab or a line
    break before the attribute, as a hand-edited file may have, hides nothing; another attribute ending in r= is
    not a cell reference."""
    import openpyxl

    from zoufang.reading.sheet_extent import ExtentTooLarge, check_sheet_extents
    book = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(book)
    with zipfile.ZipFile(book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    far = parts[sheet].replace(b"</sheetData>", b'<row r="9"><c' + space + b'r="XFD9" t="inlineStr"><is><t>x</t></is>'
                                                b"</c></row></sheetData>")
    decoy = parts[sheet].replace(b"</sheetData>", b'<row r="9"><c r="A9" xr="XFD9" t="inlineStr"><is><t>x</t></is>'
                                                  b"</c></row></sheetData>")
    for name, xml in (("far.xlsx", far), ("decoy.xlsx", decoy)):
        with zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as z:
            for n, data in parts.items():
                z.writestr(n, xml if n == sheet else data)
    with pytest.raises(ExtentTooLarge):
        check_sheet_extents(tmp_path / "far.xlsx")
    check_sheet_extents(tmp_path / "decoy.xlsx")
