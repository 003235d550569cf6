"""Headless LibreOffice as an independent spreadsheet client: convert, recalculate, print to PDF."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = ("未找到 LibreOffice。安装方法（Debian/Ubuntu）：sudo apt-get install -y --no-install-recommends "
                "libreoffice-calc-nogui fonts-noto-cjk；Windows 请从 libreoffice.org 下载安装，"
                "或设置环境变量 SOFFICE 指向 soffice 程序")
_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


WORD_SUFFIXES = (".docx", ".doc", ".odt")
WRITER_HINT = ("转换 Word 文档需要 LibreOffice Writer（Debian/Ubuntu：sudo apt-get install -y --no-install-recommends "
               "libreoffice-writer-nogui；Windows 版 LibreOffice 已自带）")


def _made(sources) -> str:
    """What was made before the PDF was asked for: Word documents or workbooks."""
    return "Word 文档" if all(Path(s).suffix.lower() in WORD_SUFFIXES for s in sources) else "工作簿"


class LibreOfficeMissing(RuntimeError):
    pass


class LibreOfficeFailed(RuntimeError):
    """LibreOffice ran but did not convert (crash, time-out, a file it cannot open); message for the clerk."""


def find_soffice() -> str | None:
    cand = os.environ.get("SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
    return cand if cand and os.access(cand, os.X_OK) else None


def convert_many(sources: list[Path], target_ext: str, out_dir: Path, timeout: float = 600,
                 recalculate: bool = True) -> list[Path]:
    """Convert files in one LibreOffice run with a fresh profile (safe in parallel), recalculating on load — or,
    with ``recalculate=False``, as LibreOffice is installed (an .xlsx shows the values its formulas carry).

    ``target_ext`` is a LibreOffice filter spec such as ``pdf``, ``ods`` or ``xlsx:Calc MS Excel 2007 XML``.
    Returns the new files in ``out_dir``, named after their sources.
    """
    soffice = find_soffice()
    if not soffice:
        raise LibreOfficeMissing(INSTALL_HINT)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zoufang-lo-") as tmp:
        work = Path(tmp)
        (work / "profile" / "user").mkdir(parents=True)
        if recalculate:
            (work / "profile" / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
        (work / "in").mkdir()
        (work / "out").mkdir()
        inputs = []
        for i, src in enumerate(map(Path, sources)):
            inp = work / "in" / f"f{i:05d}{src.suffix}"  # ASCII names inside the sandbox
            shutil.copyfile(src, inp)
            inputs.append(inp)
        cmd = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", target_ext, "--outdir",
               str(work / "out"), *map(str, inputs)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=dict(os.environ, HOME=str(work)), start_new_session=True)
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice.bin too, only our own group
            proc.communicate()
            raise LibreOfficeFailed(f"LibreOffice 转换超时（{timeout:.0f} 秒），未生成 PDF；{_made(sources)}已生成")
        out = []
        for src, inp in zip(map(Path, sources), inputs):
            made = next((work / "out").glob(inp.stem + ".*"), None)
            if made is None:
                raise LibreOfficeFailed(f"LibreOffice 无法转换 {src.name}，未生成 PDF（{_made([src])}已生成）"
                                        + (f"。{WRITER_HINT}" if src.suffix.lower() in WORD_SUFFIXES else "") + "："
                                        + (log.decode(errors='replace')[-300:].strip() or '没有输出'))
            target = out_dir / (src.stem + made.suffix)
            shutil.move(str(made), target)
            out.append(target)
        return out


def convert(src: Path, target_ext: str, out_dir: Path, timeout: float = 240, recalculate: bool = True) -> Path:
    return convert_many([src], target_ext, out_dir, timeout, recalculate)[0]


def to_pdf(src: Path, out_dir: Path, timeout: float = 240) -> Path:
    return convert(src, "pdf", out_dir, timeout)


def to_pdf_many(sources: list[Path], out_dir: Path, timeout: float = 600) -> list[Path]:
    """Several workbooks to PDF in one LibreOffice start-up."""
    return convert_many(sources, "pdf", out_dir, timeout)


def round_trip_xlsx(src: Path, out_dir: Path, timeout: float = 240, recalculate: bool = True) -> Path:
    """Open in LibreOffice, recalculate (or not: as installed), save again as .xlsx."""
    return convert(src, "xlsx:Calc MS Excel 2007 XML", out_dir, timeout, recalculate)
