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
