"""Writing files so that nothing is lost: temp file, fsync, backup, atomic replace."""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from zoufang.contract.errors import WriteRefused, os_error_text  # noqa: F401  (raised here, imported from here)
from zoufang.files.names import sidecar_name


def lock_files(path: Path) -> list[Path]:
    """Owner files that say a workbook is open: Excel's ~$name, LibreOffice's .~lock.name#."""
    return [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]


def refuse_if_open(path: Path) -> None:
    """Refuse (WriteRefused) when the workbook is open in Excel or LibreOffice."""
    for lock in lock_files(path):
        if lock.exists():
            raise WriteRefused(f"{path.name} 正在被 Excel 或 WPS/LibreOffice 打开（发现锁文件 {lock.name}），"
                               f"请先保存并关闭它，再运行本命令")


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def copy_verified(src: Path, target: Path, expected: tuple[int, str] | None = None) -> Path:
    """Copy ``src`` to ``target`` whole or not at all: through a temp file, flushed, checked by size and
    SHA-256 against ``src`` (or ``expected``), then renamed into place. OSError if it cannot be done."""
    target = Path(target)
    expected = expected or file_digest(src)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        if file_digest(tmp) != expected:
            raise OSError(f"复制后校验不符：{target.name}")
        shutil.copystat(src, tmp)
        os.replace(tmp, target)
        return target
    finally:
        if tmp.exists():
            tmp.unlink()


def backup(path: Path, folder: Path | None = None) -> Path:
    """Copy ``path`` to ``folder`` (default: 备份/ beside it) with a timestamp, verified; return the copy."""
    folder = folder or path.parent / "备份"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return copy_verified(path, folder / sidecar_name(path.stem, f".{stamp}{path.suffix}"))


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


TEMP_PREFIX = ".~zoufang-"
STALE_AFTER = 3600  # seconds: no write of ours takes an hour; an older temp file is a killed run's


PLAINTEXT_LEFTOVER = TEMP_PREFIX + "*.plain.xlsx"  # an unencrypted unit workbook an older version left when killed


def remove_plaintext_leftovers(folder: Path) -> int:
    """Remove, at once whatever their age, the unencrypted workbooks a killed run of an older version left in
    ``folder`` and the folders in it (zoufang no longer writes any); return how many."""
    removed = 0
    try:
        found = [*Path(folder).glob(PLAINTEXT_LEFTOVER), *Path(folder).glob("*/" + PLAINTEXT_LEFTOVER)]
    except OSError:
        return 0
    for entry in found:
        try:
            if entry.is_file() and not entry.is_symlink():
                entry.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def owner_only(path: Path) -> str:
    """Let only this account read ``path`` (a file or a folder): mode 0600/0700 on POSIX; on Windows the ACL is
    replaced by full control for this user alone (``icacls /inheritance:r /grant:r``). Returns what was done."""
    path = Path(path)
    if os.name != "nt":
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
        return "仅本账户可读写（权限 0700/0600）"
    import subprocess
    user = os.environ.get("USERNAME", "")
    domain = os.environ.get("USERDOMAIN", "")
    if not user:
        return "未能限制访问权限（不知道当前 Windows 账户）"
    grant = f"{domain}\\{user}" if domain else user
    grant += ":(OI)(CI)F" if path.is_dir() else ":F"
    try:
        done = subprocess.run(["icacls", str(path), "/inheritance:r", "/grant:r", grant], capture_output=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "未能限制访问权限（icacls 无法运行）"
    return "仅本账户可读写（已用 icacls 去掉继承的权限）" if done.returncode == 0 else "未能限制访问权限（icacls 失败）"


def clean_stale_temps(folder: Path) -> int:
    """Remove temp files that killed runs left in ``folder`` (unencrypted workbooks at once); return how many."""
    removed = remove_plaintext_leftovers(folder)
    now = time.time()
    try:
        entries = list(Path(folder).glob(TEMP_PREFIX + "*"))
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.is_file() and now - entry.stat().st_mtime > STALE_AFTER:
                entry.unlink()
                removed += 1
        except OSError:
            pass  # still open elsewhere (Windows) or gone already
    return removed


def atomic_write(path: Path, write: Callable[[Path], object], keep_backup: bool = True) -> Path | None:
    """Call ``write(tmp)`` on a temp file beside ``path``, then replace ``path`` atomically.

    An existing file is backed up first (returned). If ``write`` fails, or the
    process is interrupted, ``path`` is left exactly as it was.
    """
    path = Path(path)
    try:
        return _atomic_write(path, write, keep_backup)
    except WriteRefused:
        raise
    except Exception as exc:
        cause = disk_error_of(exc)
        if cause is None:
            raise
        raise WriteRefused(f"无法写入 {path}：{os_error_text(cause)}（原有文件未被改动）") from exc


def disk_error_of(exc: BaseException) -> OSError | None:
    """The operating system's error behind a writer's failure (XlsxWriter wraps it in FileCreateError)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError):
            return exc
        code = str(exc).partition("IO_")[2]  # lxml's SerialisationError: IO_ENOSPC, IO_EFBIG
        if type(exc).__name__ == "SerialisationError" and hasattr(errno, code):
            return OSError(getattr(errno, code), code)
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, OSError)), None)
        exc, seen = inner or exc.__cause__ or exc.__context__, seen + 1
    return None


def _atomic_write(path: Path, write: Callable[[Path], object], keep_backup: bool) -> Path | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        written = file_digest(tmp)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else _default_mode())
        saved = backup(path) if keep_backup and path.exists() else None
        os.replace(tmp, path)
        if file_digest(path) != written:  # what is on disk is what was written, or the run fails
            why = (f"{path.name} 写入后再读，内容与刚写入的不同：可能有另一个程序或另一项工作同时在写这个文件，"
                   f"请稍后重试")
            raise OSError(why + (f"（原文件备份在 {saved}）" if saved else ""))
        return saved
    finally:
        if tmp.exists():
            tmp.unlink()
