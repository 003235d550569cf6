"""Writing files so that nothing is lost: temp file, fsync, backup, atomic replace."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .names import sidecar_name


class WriteRefused(Exception):
    """A write was refused before anything was touched (message for the clerk)."""


def lock_files(path: Path) -> list[Path]:
    """Owner files that say a workbook is open: Excel's ~$name, LibreOffice's .~lock.name#."""
    return [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]


def refuse_if_open(path: Path) -> None:
    """Refuse (WriteRefused) when the workbook is open in Excel or LibreOffice."""
    for lock in lock_files(path):
        if lock.exists():
            raise WriteRefused(f"{path.name} 正在被 Excel 或 WPS/LibreOffice 打开（发现锁文件 {lock.name}），"
                               f"请先保存并关闭它，再运行本命令")


def backup(path: Path, folder: Path | None = None) -> Path:
    """Copy ``path`` to ``folder`` (default: 备份/ beside it) with a timestamp; return the copy."""
    folder = folder or path.parent / "备份"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / sidecar_name(path.stem, f".{stamp}{path.suffix}")
    shutil.copy2(path, target)
    return target


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, write: Callable[[Path], object], keep_backup: bool = True) -> Path | None:
    """Call ``write(tmp)`` on a temp file beside ``path``, then replace ``path`` atomically.

    An existing file is backed up first (returned). If ``write`` fails, or the
    process is interrupted, ``path`` is left exactly as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~zoufang-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else _default_mode())
        saved = backup(path) if keep_backup and path.exists() else None
        os.replace(tmp, path)
        return saved
    finally:
        if tmp.exists():
            tmp.unlink()
