"""Shared fixtures: real workbook files written to disk and read back."""
from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before any module imports xlwings (remote_book.py)

import pytest  # noqa: E402

from zoufang.demo.campaign import build_demo
from zoufang.files.libreoffice import find_soffice
from zoufang.xlsx.book_writer import write_book
from mail_messages import needs_mu  # noqa: F401  (a fixture: the independent reader of messages)

REQUIRE_LO = os.environ.get("ZOUFANG_REQUIRE_LIBREOFFICE") == "1"


@pytest.fixture(autouse=True)
def _unit_progress_only_where_asked(request, monkeypatch):
    """Issued workbooks carry 本单位进度 in the tests marked ``unit_progress`` (its own and the clerk's round trips);
    elsewhere issue writes them without it: its helper sheet (tens of thousands of tiny formulas) makes every
    openpyxl load and save of an issued book a second slower, and the merge and exchange tests do thousands."""
    if request.node.get_closest_marker("unit_progress") is None:
        monkeypatch.setattr("zoufang.exchange.issue.unit_progress_plan", lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def _collector_left_on():
    """No test, and no command it ran in this process, leaves Python's garbage collector switched off."""
    import gc
    yield
    if not gc.isenabled():
        gc.enable()
        pytest.fail("the garbage collector was left switched off")


@pytest.fixture
def small_disk(tmp_path):
    """``small_disk(size)``: a folder on a file system of ``size`` bytes (tmpfs), to stand for a full disk. Mounting
    needs root: skipped elsewhere with the reason; CI runs as root, and ZOUFANG_REQUIRE_LIBREOFFICE=1 (set there)
    turns the skip into a failure."""
    import subprocess
    mounted = []

    def make(size: int):
        mount = tmp_path / f"小磁盘{len(mounted)}"
        mount.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={max(size, 4096)}", "tmpfs", str(mount)],
                              capture_output=True)
        if done.returncode != 0:
            if REQUIRE_LO:
                pytest.fail(f"cannot mount a small tmpfs: {done.stderr!r}")
            pytest.skip("a small file system standing for a full disk needs root (mount -t tmpfs)")
        mounted.append(mount)
        return mount
    yield make
    for mount in mounted:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.fixture
def needs_libreoffice():
    """Skip where LibreOffice is absent (a user's machine); CI sets ZOUFANG_REQUIRE_LIBREOFFICE=1 to fail instead."""
    if find_soffice():
        return
    if REQUIRE_LO:
        pytest.fail("ZOUFANG_REQUIRE_LIBREOFFICE=1 but soffice is not installed")
    pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui fonts-noto-cjk")


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo campaign with its planted mistakes, written to a real .xlsx."""
    d = build_demo(seed=2011)
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    write_book(path, d.content)
    return d, path


@pytest.fixture(scope="session")
def clean_demo(tmp_path_factory):
    d = build_demo(seed=2011, clean=True)
    path = tmp_path_factory.mktemp("clean") / "clean.xlsx"
    write_book(path, d.content)
    return d, path


@pytest.fixture
def needs_carlito():
    """Skip where the Carlito font (Calibri's metrics) is absent: LibreOffice then lays columns out with another
    font's widths, unlike Excel. CI installs it (ZOUFANG_REQUIRE_LIBREOFFICE=1 turns the skip into a failure)."""
    import subprocess
    try:
        fonts = subprocess.run(["fc-list", ":family=Carlito"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        fonts = ""
    if fonts.strip():
        return
    if REQUIRE_LO:
        pytest.fail("ZOUFANG_REQUIRE_LIBREOFFICE=1 but the Carlito font is not installed (fonts-crosextra-carlito)")
    pytest.skip("the Carlito font is not installed (apt-get install fonts-crosextra-carlito): printed sizes would "
                "follow another font's metrics")


@pytest.fixture
def without_carlito(tmp_path, monkeypatch):
    """A machine with only Noto CJK and LibreOffice's fallbacks: fontconfig told to refuse Carlito, so LibreOffice
    lays columns out with DejaVu Sans, its widest usual stand-in for Calibri and 宋体."""
    import shutil
    import subprocess
    if not shutil.which("fc-match"):
        pytest.skip("fontconfig (fc-match) is absent: the fallback fonts cannot be chosen here")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        "<selectfont><rejectfont><glob>*Carlito*</glob></rejectfont></selectfont>\n</fontconfig>\n", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    match = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True, timeout=60).stdout
    assert "Carlito" not in match, match
    return match


UNO_PYTHON = os.environ.get("ZOUFANG_UNO_PYTHON", "/usr/bin/python3")


def _has_uno() -> bool:
    import subprocess
    try:
        return subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture
def lo_clerk(needs_libreoffice):
    """Play the unit's clerk in LibreOffice: ``lo_clerk([{"src", "dst", "edits"}])`` (see tests/lo_clerk.py)."""
    import json
    import subprocess
    import tempfile
    from pathlib import Path
    if not _has_uno():
        if REQUIRE_LO:
            pytest.fail(f"ZOUFANG_REQUIRE_LIBREOFFICE=1 but {UNO_PYTHON} has no uno module (apt-get install python3-uno)")
        pytest.skip(f"LibreOffice's Python bridge is missing: {UNO_PYTHON} cannot import uno (apt-get install python3-uno)")

    def run(jobs: list[dict]) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
            json.dump(jobs, fh, ensure_ascii=False, default=str)
        script = Path(__file__).with_name("lo_clerk.py")
        done = subprocess.run([UNO_PYTHON, str(script), fh.name], capture_output=True, text=True, timeout=300,
                              env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")})
        os.unlink(fh.name)
        assert done.returncode == 0, done.stderr[-2000:]
        for job in jobs:
            assert Path(job["dst"]).exists(), job["dst"]
    return run


REQUIRE_BROWSER = os.environ.get("ZOUFANG_REQUIRE_BROWSER") == "1"


@pytest.fixture
def needs_chromium():
    """Skip where Debian's chromium and chromedriver are absent; CI installs them and sets
    ZOUFANG_REQUIRE_BROWSER=1, which turns the skip into a failure."""
    from browser import have_chromium
    if have_chromium():
        return
    if REQUIRE_BROWSER:
        pytest.fail("ZOUFANG_REQUIRE_BROWSER=1 but chromium / chromedriver are not installed (apt-get install chromium "
                    "chromium-driver)")
    pytest.skip("需要 Debian 的 chromium 和 chromium-driver（apt-get install chromium chromium-driver）")


@pytest.fixture
def issued_demo(clean_demo, tmp_path):
    """The clean demo master in the office's folder (局办公室/总台账.xlsx), issued to every unit:
    (master, {unit: its workbook})."""
    import shutil

    from zoufang.exchange.issue import issue
    master = tmp_path / "局办公室" / "总台账.xlsx"
    master.parent.mkdir()
    shutil.copy(clean_demo[1], master)
    return master, {i.unit: i.path for i in issue(master, tmp_path / "下发")}
