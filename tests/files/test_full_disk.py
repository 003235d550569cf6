"""A full disk: every writer stops with exit 2 and one Chinese line naming the path; nothing half-written stays."""
import os
import subprocess
import sys

import pytest

LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
sys.argv[0] = "zoufang"
from zoufang.cli import app
app()
"""


@pytest.mark.skipif(os.name != "posix", reason="the file-size limit that stands for a full disk is POSIX's")
@pytest.mark.parametrize("args", [
    ["report", "{book}", "--out", "{out}"],
    ["ledgers", "{book}", "--out", "{out}", "--unit", "市图书馆"],
    ["issue", "{book}", "--out", "{out}"],
    ["check", "{book}", "--annotate", "{out}/标注.xlsx"],
    ["brief", "{book}", "--out", "{out}"],
    ["summary", "{book}", "--as-of", "2012-02-29", "--out", "{out}"],
    ["rota", "{book}", "--from", "2012-01-16", "--out", "{out}"],
])
def test_a_full_disk_is_exit_2_with_the_path_named(demo, tmp_path, args):
    _, book = demo
    out = tmp_path / "满了"
    out.mkdir()
    argv = [a.format(book=book, out=out) for a in args]
    fresh = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}  # as on a new machine: no font cache yet
    done = subprocess.run([sys.executable, "-c", LIMITED, *argv], capture_output=True, text=True, timeout=300, env=fresh)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "无法写入" in done.stderr
    assert str(out) in done.stderr or str(book) in done.stderr  # the path that could not be written
    assert not [p for p in out.rglob("*") if p.is_file() and p.name.startswith((".zoufang", "~"))]


def test_a_disk_filling_up_midway_through_an_issue_issues_nothing_and_leaves_the_master(clean_demo, tmp_path,
                                                                                        small_disk):
    """The outgoing folder's disk holds one unit workbook and a half: the issue stops, no workbook is left there,
    and the master (its _base) is exactly as it was — or the message would have to say which units were issued."""
    import shutil
    _, source = clean_demo
    office = tmp_path / "局办公室"
    office.mkdir()
    master = office / "总台账.xlsx"
    shutil.copy(source, master)
    trial = tmp_path / "试下发"
    done = subprocess.run([sys.executable, "-m", "zoufang", "issue", str(master), "--out", str(trial)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    sizes = sorted(p.stat().st_size for p in trial.glob("*.xlsx"))
    before = master.read_bytes()
    disk = small_disk(int(sizes[-1] * 1.5))
    out = disk / "下发"
    done = subprocess.run([sys.executable, "-m", "zoufang", "issue", str(master), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "没有下发任何单位工作簿" in done.stderr and "总台账也未改动" in done.stderr
    assert master.read_bytes() == before
    assert not [p for p in disk.rglob("*") if p.is_file()]
