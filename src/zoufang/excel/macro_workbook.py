"""`zoufang build-workbook`: the master workbook with its VBA project, buttons on 首页 and a ribbon tab."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from zoufang.contract.schema import ALL_SHEETS, META_SHEET
from zoufang.files.safe_io import atomic_write
from zoufang.exchange.book_values import self_checking
from zoufang.xlsx.book_writer import default_content, write_book

WORKBOOK_NAME = "大走访台账.xlsm"
MACRO_MODULE = "zoufang"
BUILD_TIME = dt.datetime(2011, 9, 1)  # a fixed document time: the same sources give the same workbook
BUTTONS = (  # caption on 首页 and in the ribbon, Sub in macros/zoufang.bas
    ("校验数据", "ValidateData"),
    ("统计完成情况", "RefreshCompletion"),
    ("生成台账", "MakeLedgers"),
    ("生成简报", "MakeBrief"),
    ("接访安排", "MakeRota"),
    ("下发单位表", "IssueUnits"),
    ("导入回收表", "CollectReturns"),
)


# RunPython through xlwings' COM server: one Python that stays warm between clicks on Windows, instead of
# a fresh interpreter (and every import) per click. Delete the hidden sheet's row (or set FALSE) to turn it off.
XLWINGS_CONF = {"USE UDF SERVER": True}


def sheet_count() -> int:
    return 1 + len(ALL_SHEETS) + len([META_SHEET]) + len(XLWINGS_CONF)  # 首页, the contract's sheets, _meta, xlwings.conf


def build_workbook(target: Path, macros: Path) -> Path:
    """Compile macros/*.bas (+ the installed xlwings' standalone VBA) into ``target`` (.xlsm)."""
    from zoufang.excel.vba_build import add_ribbon, compile_vba, xlwings_sources
    macros = Path(macros)
    std = {p.stem: p.read_text(encoding="utf-8") for p in sorted(macros.glob("*.bas"))}
    xlw = xlwings_sources()
    std["xlwings"] = xlw["xlwings"]
    with tempfile.TemporaryDirectory(prefix="zoufang-build-") as tmp:
        vba = compile_vba(std, {"Dictionary": xlw["Dictionary"]},
                          [f"Sheet{i}" for i in range(1, sheet_count() + 1)], Path(tmp) / "vbaProject.bin")
        content = self_checking(default_content(""))  # the campaign id is given when the office first issues
        content.vba_project = vba
        content.created = BUILD_TIME
        content.buttons = [(caption, f"{MACRO_MODULE}.{sub}") for caption, sub in BUTTONS]
        content.xlwings_conf = dict(XLWINGS_CONF)
        ribbon = (macros / "ribbon.xml").read_text(encoding="utf-8")

        def write(path: Path) -> None:
            xlsm = Path(tmp) / "book.xlsm"
            write_book(xlsm, content)
            add_ribbon(xlsm, ribbon)
            path.write_bytes(xlsm.read_bytes())

        atomic_write(Path(target), write, keep_backup=False)
    return Path(target)
