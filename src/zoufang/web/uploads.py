"""Files dropped on the page: limited in number and size, saved under names that are never paths.

Each upload goes into a new folder ``回收/网页上传-时间`` beside the master, under a name cleaned as
every name zoufang writes (``files.names``): a name such as ``../../x.xlsx`` or ``CON.xlsx`` only
ever becomes a plain, unique file name inside that folder.
"""
from __future__ import annotations

import datetime as dt
import errno
import os
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from zoufang.contract.errors import os_error_text
from zoufang.files.names import safe_file_name

MAX_FILES = 60  # a bureau has a few dozen units
MAX_FILE_BYTES = 50 << 20  # a unit workbook is a few MB
MAX_TOTAL_BYTES = 300 << 20
INBOX = "回收"


class UploadRefused(ValueError):
    def __init__(self, status: int, text: str):
        super().__init__(text)
        self.status = status


def check_declared_size(length: str | None) -> None:
    """Refuse before reading a body without a declared length, or longer than MAX_TOTAL_BYTES."""
    if not length or not length.isdigit():
        raise UploadRefused(411, "上传请求缺少长度，无法接收")
    if int(length) > MAX_TOTAL_BYTES:
        raise UploadRefused(413, f"一次上传的文件合计超过 {MAX_TOTAL_BYTES >> 20} MB，请分几次上传")


def upload_folder(master: Path, now: dt.datetime) -> Path:
    """A new folder for one upload, beside the master."""
    base = Path(master).parent / INBOX
    base.mkdir(exist_ok=True)
    for n in range(1000):
        folder = base / (f"网页上传-{now:%Y%m%d-%H%M%S}" + (f"-{n}" if n else ""))
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise UploadRefused(409, "无法新建上传文件夹")


def plain_name(sent: str | None) -> str:
    """The last part of the name the browser sent, whatever its slashes."""
    name = PureWindowsPath(PurePosixPath(str(sent or "")).name).name
    return name or "回收表.xlsx"


async def save_uploads(files, folder: Path) -> list[Path]:
    """Write each UploadFile into ``folder`` under a safe unique name; refuse more than MAX_FILES or an
    oversized file (nothing of that request is kept then)."""
    if not files:
        raise UploadRefused(400, "没有收到文件：请选择或拖入各单位发回的工作簿")
    if len(files) > MAX_FILES:
        raise UploadRefused(413, f"一次最多上传 {MAX_FILES} 个文件")
    for f in files:
        if (f.size or 0) > MAX_FILE_BYTES:
            raise UploadRefused(413, f"{plain_name(f.filename)} 超过 {MAX_FILE_BYTES >> 20} MB，不像是单位工作簿")
    used: set[str] = set()
    saved = []
    for f in files:
        name = plain_name(f.filename)
        stem, suffix = Path(name).stem, Path(name).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".bin"
        target = folder / (safe_file_name(stem, used, folder, suffix) + suffix)
        try:
            with open(target, "xb") as out:
                while block := await f.read(1 << 20):
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            target.unlink(missing_ok=True)  # never a half-written return left to be collected later
            full = exc.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))
            raise UploadRefused(507 if full else 500, f"无法保存上传的文件 {name}：{os_error_text(exc)}"
                                                      f"（没有合并任何文件，总台账未改动）") from None
        saved.append(target)
    return saved
