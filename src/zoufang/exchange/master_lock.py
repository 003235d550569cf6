"""One writer of a master workbook at a time, on Windows and Linux alike.

The lock is the operating system's own (``filelock``: msvcrt on Windows, flock
elsewhere) on a file beside the master. The system releases it when the holder
ends, however it ends, so a crash, a full disk or a reused process id can never
leave a lock that blocks later runs, and no run ever deletes another's lock.
"""
from __future__ import annotations

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
        self._lock = filelock.FileLock(str(self.path), timeout=0, thread_local=False)

    def __enter__(self) -> "MasterLock":
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            raise WriteRefused(f"另一个任务（导入或下发）正在修改 {self.master.name}，请等它结束后再试") from None
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()
