"""The office's secret key, kept beside the master and never in any workbook.

It signs every issued unit workbook. It is created whole or not at all (written
to a temporary file, flushed to disk, then linked into place, owner-only where
the system allows), and a missing, short or malformed key is refused: nothing is
ever signed with an empty key.
"""
from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path

from zoufang.contract.errors import os_error_text
from zoufang.files.names import sidecar_name
from zoufang.files.safe_io import WriteRefused

KEY_BYTES = 32


def secret_path(master: Path) -> Path:
    return Path(master).with_name(sidecar_name(f".{Path(master).stem}", ".zoufang-key"))


def _create(path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".~zoufang-key-", dir=path.parent)  # mode 0600 on POSIX
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # never replaces a key another run made meanwhile
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


MAX_KEY_FILE = 4096  # a key is 64 hex characters; nothing longer is read


def read_private_file(path: Path, master: Path, limit: int, what: str) -> bytes:
    """A file the office keeps beside the master (the key, the passwords): a regular file in the master's folder
    (never a FIFO, a device or a link out of it), read with a size limit. WriteRefused otherwise."""
    unusable = (f"{what} {path.name} 不是普通文件（可能是链接、设备或管道），为安全起见不读取。"
                f"请从备份中找回原来的文件放回 {master.parent}")
    try:
        if path.is_symlink() and path.resolve().parent != master.resolve().parent:
            raise WriteRefused(unusable)
        if not stat.S_ISREG(path.stat().st_mode):
            raise WriteRefused(unusable)
        with open(path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped between the look and the open
                raise WriteRefused(unusable)
            data = fh.read(limit + 1)
    except OSError as exc:
        raise WriteRefused(f"无法读取{what} {path.name}（{os_error_text(exc)}）") from None
    if len(data) > limit:
        raise WriteRefused(f"{what} {path.name} 过大，不是本程序写的文件。请从备份中找回原来的文件")
    return data


def write_private_file(path: Path, data: bytes) -> None:
    """Write a file only the office's account may read (where the system allows), whole or not at all."""
    fd, tmp = tempfile.mkstemp(prefix=".~zoufang-", dir=path.parent)  # mode 0600 on POSIX
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        if os.name == "nt":  # mkstemp's 0600 means nothing to Windows' ACLs
            from zoufang.files.safe_io import owner_only
            owner_only(path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_secret(master: Path, create: bool = False) -> bytes:
    """The key for ``master``; with ``create``, made first if there is none. WriteRefused if unusable."""
    path = secret_path(master)
    if not path.exists():
        if not create:
            raise WriteRefused(f"找不到总台账的密钥文件 {path.name}（应与 {Path(master).name} 放在同一文件夹）。"
                               f"没有它无法核验各单位回收表的真伪；请从备份中找回它。如是首次下发，请先运行 zoufang issue")
        _create(path)
    try:
        key = bytes.fromhex(read_private_file(path, Path(master), MAX_KEY_FILE, "密钥文件").decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) < KEY_BYTES:
        raise WriteRefused(f"密钥文件 {path.name} 已损坏（为空、过短或不是密钥），不能用它下发或核验回收表。"
                           f"请从备份中找回原来的密钥文件；如果找不到，删除它后重新下发全部单位工作簿"
                           f"（旧的单位工作簿将不能再导入）")
    return key
