"""A workbook file's values as grids, read by the fast reader after the guards that refuse what would harm it.

Light on purpose (no pandas): a command starts reading its workbook on a thread of its own (``start_reading``)
and imports what works on the values meanwhile; python-calamine releases the interpreter's lock while it parses,
so on two cores the imports cost next to nothing. ``read_grids`` takes that result.
"""
from __future__ import annotations

import gc
import os
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from zoufang.contract.errors import InputError
from zoufang.contract.schema import (
    ADDED_SHEET, ALL_SHEETS, BASE_SHEET, DELETED_SHEET, IMPORT_LOG_SHEET, ISSUED_SHEET, META_SHEET,
)
from zoufang.files.file_props import REFUSED_SUFFIXES
from zoufang.files.workbook_file import WorkbookFile
from zoufang.reading.sheet_pieces import read_in_pieces, worth_cutting
from zoufang.reading.sheet_extent import ExtentTooLarge, PackageBomb, PackageMismatch, check_sheet_extents

Grid = list[list[object]]
HIDDEN_GRIDS = (ISSUED_SHEET, IMPORT_LOG_SHEET, ADDED_SHEET, META_SHEET, DELETED_SHEET, BASE_SHEET)  # zoufang's own: raw values in Campaign.hidden
Grids = tuple[dict[str, Grid], list[str], bool]  # values by sheet, the sheet order, 1904 dates
_started: dict[str, tuple[tuple[int, int] | None, threading.Thread, dict]] = {}
_started_lock = threading.Lock()


_gc_lock = threading.Lock()
_gc_pauses = [0, False]  # pauses under way; whether the collector was on before the first


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a workbook's cells become Python objects (millions of them, none
    in a cycle, that each collection would walk again). Pauses may nest and overlap across threads: the collector
    is back as it was when the last one ends."""
    with _gc_lock:
        if _gc_pauses[0] == 0:
            _gc_pauses[1] = gc.isenabled()
            gc.disable()
        _gc_pauses[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses[0] -= 1
            if _gc_pauses[0] == 0 and _gc_pauses[1]:
                gc.enable()


def start_reading(path: Path | str) -> None:
    """Begin reading ``path`` on a thread of its own; the next ``read_grids`` of the same file takes the result."""
    path = Path(path)
    stamp = _stamp(path)
    if stamp is None:
        return  # nothing to read ahead: read_grids says what is wrong
    box: dict = {}

    def run() -> None:
        try:
            with gc_paused():
                box["grids"] = _read_grids(path)
        except BaseException as exc:  # noqa: BLE001  (raised again where the reading is taken)
            box["error"] = exc
    thread = threading.Thread(target=run, name="zoufang-read", daemon=True)
    with _started_lock:
        _started[_key(path)] = (stamp, thread, box)
    thread.start()


def _take_started(path: Path | str) -> Callable[[], Grids] | None:
    """The reading started for ``path`` as a call that waits for it and returns it (or raises its refusal);
    None when none was started or the file has changed since."""
    with _started_lock:
        entry = _started.pop(_key(Path(path)), None)
    if entry is None:
        return None
    stamp, thread, box = entry
    thread.join()
    if stamp != _stamp(Path(path)):
        return None

    def taken() -> Grids:
        if "error" in box:
            raise box["error"]
        return box["grids"]
    return taken


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if path.is_file() else None


def read_grids(path: Path, package: WorkbookFile | None = None) -> Grids:
    """Every sheet's values from A1 with the fast reader; the sheet order; the date system. What ``start_reading``
    read of the same unchanged file is taken instead of reading it again (its refusal raised here). ``package``:
    the file already opened by a caller that asks it more (collect), left open."""
    started = _take_started(path) if package is None else None
    if started is not None:
        return started()
    with gc_paused():
        return _read_grids(path, package)


def _read_grids(path: Path, opened: WorkbookFile | None = None) -> Grids:
    """The file opened once (``WorkbookFile``), top to bottom: what it is, the guards that refuse what would harm a
    reader, then the values."""
    import python_calamine as calamine  # here, not at the top: the core imports under Pyodide (xlwings Lite)

    path = Path(path)
    if not path.exists():
        raise InputError(f"找不到文件：{path}")
    if path.is_dir():
        raise InputError(f"{path} 是文件夹，不是工作簿")
    refused = REFUSED_SUFFIXES.get(path.suffix.lower())
    if refused:
        raise InputError(f"{path.name}：{refused}无法读取，请在 WPS 或 Excel 中“另存为” Excel 工作簿（.xlsx）后再发送")
    with nullcontext(opened) if opened is not None else WorkbookFile(path) as package:
        check_package(package)
        refuse_encrypted_ods(package)
        inflated = check_extents(package)  # the large sheets' XML, to be read in pieces on several cores
        try:
            book = calamine.CalamineWorkbook.from_path(str(path))
        except calamine.PasswordError as exc:
            raise InputError(f"{path.name}：工作簿设置了打开密码，请去掉密码后再试") from exc
        except Exception as exc:  # calamine raises several types for broken files
            why = _reason(path)
            if why.endswith("不是 Excel 工作簿"):  # a valid file of another kind: not "damaged"
                raise InputError(f"{path.name}：{why}，请给出活动工作簿（.xlsx）") from exc
            raise InputError(f"{path.name}：无法读取，文件不是有效的 Excel 工作簿（{why}）") from exc
        grids: dict[str, Grid] = {}
        names = list(book.sheet_names)
        wanted = {s.name for s in ALL_SHEETS} | {META_SHEET, *HIDDEN_GRIDS}
        part_of = {name: part for part, name in package.sheet_names_by_part.items()} if inflated else {}
        for name in names:
            if name not in wanted:
                continue
            grid = None
            if part_of.get(name) in inflated:
                grid = read_in_pieces(package.zip, part_of[name], inflated.pop(part_of[name]), name)
            try:
                grids[name] = grid if grid is not None else book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise InputError(f"{path.name}：工作表“{name}”无法读取（{exc}）") from exc
        return grids, names, package.uses_1904_dates


MAX_UNPACKED = 2 * 1024 ** 3  # no real campaign workbook inflates past 2 GB
MAX_RATIO = 400  # nor compresses a part more than 400:1 (text of XML compresses ~10–30:1)


def check_package(package: WorkbookFile) -> None:
    """Refuse zip bombs before any reader inflates a part."""
    if package.zip is None:
        return  # the reader gives the reason
    infos = package.zip.infolist()
    total = sum(i.file_size for i in infos)
    worst = max(((i.file_size / max(i.compress_size, 1), i.filename) for i in infos if i.file_size > 1 << 20),
                default=(0, ""))
    if total > MAX_UNPACKED or worst[0] > MAX_RATIO:
        raise InputError(f"{package.path.name}：文件解压后异常庞大（{total / 1024 ** 2:.0f} MB，{worst[1]} 压缩比 "
                         f"{worst[0]:.0f}:1），可能是恶意构造的文件，已拒绝读取")


def refuse_encrypted_ods(package: WorkbookFile) -> None:
    """An .ods saved with a password (ODF encryption) cannot be opened here: say what to do instead."""
    if package.path.suffix.lower() == ".ods" and package.ods_encrypted:
        raise InputError(f"{package.path.name}：这是设置了密码的 .ods，本程序打不开加密的 .ods。请在 LibreOffice 中"
                         f"“另存为”Excel 2007-365 (.xlsx)，勾选“使用密码保存”并输入原密码，再发回")


def check_extents(package: WorkbookFile) -> dict[str, bytes]:
    """Refuse a sheet whose furthest cell would make any reader allocate billions of cells; the inflated XML of
    the sheets large enough to be read in pieces (sheet_pieces), by worksheet part."""
    if package.zip is None:
        return {}
    path = package.path
    try:
        return check_sheet_extents(package.zip, worth_cutting)
    except ExtentTooLarge as exc:
        sheet = package.sheet_names_by_part.get(exc.part) or exc.part
        if not exc.cell:
            where = f"工作表“{sheet}”"
        else:  # a cell (A9999999), or a row element without cells of its own (9999999)
            where = f"工作表“{sheet}”第 {exc.cell} 行" if exc.cell.isdigit() else f"{sheet}!{exc.cell}"
        raise InputError(f"{path.name}：{where}的数据范围异常（{exc.columns} 列 × {exc.rows} 行），"
                         f"远超活动台账可能的大小，可能是恶意构造或损坏的文件，已拒绝读取") from None
    except PackageBomb as exc:
        what = f"其中的 {exc.part} " if exc.part else ""
        raise InputError(f"{path.name}：{what}解压后有 {exc.size / 2**20:,.0f} MB（压缩时只有 {exc.packed / 2**10:,.0f} KB），"
                         f"远超活动台账可能的大小，可能是恶意构造的“压缩炸弹”，已拒绝读取") from None
    except PackageMismatch as exc:
        raise InputError(f"{path.name}：文件内部结构不一致（{exc.part} 的目录与内容不符），可能是恶意构造或损坏的文件，"
                         f"已拒绝读取") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError) as exc:
        raise InputError(f"{path.name}：无法读取，文件不是有效的 Excel 工作簿（{_reason(path)}）") from exc


OTHER_PACKAGES = {"word/": "Word 文档", "ppt/": "PowerPoint 演示文稿", "visio/": "Visio 绘图"}


def _reason(path: Path) -> str:
    if path.stat().st_size == 0:
        return "文件是空的"
    head = path.read_bytes()[:8]
    if not zipfile.is_zipfile(path) and not head.startswith(b"PK"):
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return "这是旧版 .xls 或加密的工作簿，请在 Excel 中另存为 .xlsx"
        return "文件内容不是 .xlsx 格式，可能是改了扩展名的其他文件"
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return "文件已损坏或不完整"
    for prefix, kind in OTHER_PACKAGES.items():
        if any(n.startswith(prefix) for n in names):
            return f"这是 {kind}，不是 Excel 工作簿"
    return "文件已损坏或不完整"
