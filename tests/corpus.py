"""A corpus of files that are not what they claim, generated (no binary blobs in the repository).

Run ``python tests/corpus.py DIR`` to write it out for a look; the tests call make_corpus().
"""
from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import openpyxl

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _valid_book(path: Path) -> Path:
    from zoufang.xlsx.book_writer import default_content, write_book
    return write_book(path, default_content("corpus"))


def make_corpus(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, a word the refusal must contain)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    valid = _valid_book(folder / "_valid.xlsx")
    out = {}

    def put(name, data: bytes, words):
        path = folder / name
        path.write_bytes(data)
        out[name] = (path, words)

    put("不是压缩包.xlsx", "这是一封邮件的正文，被存成了 xlsx。".encode("utf-8"), "不是 .xlsx")
    put("截断.xlsx", valid.read_bytes()[: valid.stat().st_size // 2], "损坏")
    put("加密.xlsx", OLE_MAGIC + b"\x00" * 4000, "加密")
    put("旧版.xls", OLE_MAGIC + b"\x01" * 4000, "无法读取")
    put("其实是csv.xlsx", "姓名,走访日期\n张三,2011-9-5\n".encode("gbk"), "不是 .xlsx")
    put("空文件.xlsx", b"", "空的")
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "无关的表"
    path = folder / "没有我们的表.xlsx"
    wb.save(path)
    out[path.name] = (path, "不是大走访活动工作簿")
    wb = openpyxl.load_workbook(valid)
    wb["_meta"]["C3"] = "99"
    path = folder / "新版本.xlsx"
    wb.save(path)
    out[path.name] = (path, "架构版本")
    bomb = io.BytesIO()
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/padding.bin", b"\0" * (64 * 1024 ** 2))
    put("压缩炸弹.xlsx", bomb.getvalue(), "异常庞大")
    return out


def entity_bomb(folder: Path) -> Path:
    """A workbook whose sheet XML declares a billion-laughs entity (readers must not expand it)."""
    valid = _valid_book(Path(folder) / "_valid2.xlsx")
    laughs = '<!DOCTYPE x [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>"
    path = Path(folder) / "实体炸弹.xlsx"
    with zipfile.ZipFile(valid) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"?>", b"?>" + laughs.encode("utf-8"), 1)
                data = data.replace(b"<v>", b"<v>&i;", 1)
            dst.writestr(item, data)
    return path


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    shutil.rmtree(target, ignore_errors=True)
    for name, (path, _) in make_corpus(target).items():
        print(path)
    print(entity_bomb(target))
