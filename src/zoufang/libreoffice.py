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


class LibreOfficeMissing(RuntimeError):
    pass


def find_soffice() -> str | None:
    cand = os.environ.get("SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
    return cand if cand and os.access(cand, os.X_OK) else None


def convert(src: Path, target_ext: str, out_dir: Path, timeout: float = 240) -> Path:
    """Convert ``src`` with a fresh profile (safe in parallel); return the new file in ``out_dir``.

    ``target_ext`` is a LibreOffice filter spec such as ``pdf`` or ``xlsx:Calc MS Excel 2007 XML``.
    """
    soffice = find_soffice()
    if not soffice:
        raise LibreOfficeMissing(INSTALL_HINT)
    src = Path(src)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zoufang-lo-") as tmp:
        work = Path(tmp)
        (work / "profile" / "user").mkdir(parents=True)
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
        inp = work / ("in" + src.suffix)  # ASCII name inside the sandbox
        shutil.copyfile(src, inp)
        (work / "out").mkdir()
        cmd = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", target_ext,
               "--outdir", str(work / "out"), str(inp)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=dict(os.environ, HOME=str(work)), start_new_session=True)
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"LibreOffice 转换 {src.name} 超时（{timeout:.0f} 秒）")
        produced = list((work / "out").iterdir())
        if proc.returncode != 0 or not produced:
            raise RuntimeError(f"LibreOffice 无法转换 {src.name}：{log.decode(errors='replace')[-500:]}")
        ext = produced[0].suffix
        target = out_dir / (src.stem + ext)
        shutil.move(str(produced[0]), target)
        return target


def to_pdf(src: Path, out_dir: Path, timeout: float = 240) -> Path:
    return convert(src, "pdf", out_dir, timeout)


def round_trip_xlsx(src: Path, out_dir: Path, timeout: float = 240) -> Path:
    """Open in LibreOffice, recalculate, save again as .xlsx."""
    return convert(src, "xlsx:Calc MS Excel 2007 XML", out_dir, timeout)


def to_pdf_many(sources: list[Path], out_dir: Path, timeout: float = 600) -> list[Path]:
    """Convert several workbooks to PDF in one LibreOffice run (one start-up instead of one per file)."""
    soffice = find_soffice()
    if not soffice:
        raise LibreOfficeMissing(INSTALL_HINT)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zoufang-lo-") as tmp:
        work = Path(tmp)
        (work / "profile" / "user").mkdir(parents=True)
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
        (work / "in").mkdir()
        (work / "out").mkdir()
        inputs = []
        for i, src in enumerate(map(Path, sources)):
            inp = work / "in" / f"f{i:05d}{src.suffix}"
            shutil.copyfile(src, inp)
            inputs.append(inp)
        cmd = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(work / "out"),
               *map(str, inputs)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=dict(os.environ, HOME=str(work)), start_new_session=True)
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"LibreOffice 转换 PDF 超时（{timeout:.0f} 秒）")
        out = []
        for src, inp in zip(map(Path, sources), inputs):
            made = work / "out" / (inp.stem + ".pdf")
            if not made.exists():
                raise RuntimeError(f"LibreOffice 无法把 {src.name} 转为 PDF：{log.decode(errors='replace')[-300:]}")
            target = out_dir / (src.stem + ".pdf")
            shutil.move(str(made), target)
            out.append(target)
        return out
