"""One writer of a master workbook at a time, on Windows and Linux alike.

The lock is the operating system's own (``filelock``: msvcrt on Windows, flock
elsewhere) on a file beside the master. The system releases it when the holder
ends, however it ends, so a crash, a full disk or a reused process id can never
leave a lock that blocks later runs. The holder removes the file before it lets go,
so nothing stays in the office's folder; a run that locked a file removed under it
(the previous holder finishing at that instant) is refused, so two runs never both hold.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import filelock

from zoufang.files.names import sidecar_name
from zoufang.files.safe_io import WriteRefused


def lock_path(master: Path) -> Path:
    return Path(master).with_name(sidecar_name(f".{Path(master).name}", ".zoufang-lock"))


class MasterLock:
    """``with MasterLock(master):`` — refuses (WriteRefused) at once while another run holds it."""

    def __init__(self, master: Path):
        self.master = Path(master)
        self.path = lock_path(self.master)
        self._fd: int | None = None
        self._lock = filelock.FileLock(str(self.path), timeout=0, thread_local=False, on_acquired=self._acquired)

    def _acquired(self, fd: int) -> None:
        self._fd = fd

    def _holds_the_file(self) -> bool:
        """True if the locked descriptor is still the file at the lock's path."""
        try:
            return self._fd is None or os.path.samestat(os.stat(self.path), os.fstat(self._fd))
        except OSError:
            return False

    def __enter__(self) -> "MasterLock":
        busy = f"另一个任务（导入或下发）正在修改 {self.master.name}，请等它结束后再试"
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            raise WriteRefused(busy) from None
        if not self._holds_the_file():
            self._lock.release()
            raise WriteRefused(busy)
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(OSError):  # Windows cannot remove an open file: filelock removes it on release
            self.path.unlink()
        self._lock.release()
