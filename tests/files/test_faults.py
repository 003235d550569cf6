"""The master, the key and the archive survive bad luck: full disks, killed runs, two runs at once."""
import os
import shutil
import subprocess
import sys
import time

import pytest
from builders import D, make_book, set_cell_by_header, visit
from typer.testing import CliRunner

from zoufang.cli import app
from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.exchange.secret_key import secret_path

runner = CliRunner()


@pytest.fixture
def office(tmp_path):
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5 + i), head=f"户{i}") for i in range(3)])
    unit_file = next(i.path for i in issue(master, tmp_path / "out") if i.unit == "市图书馆")
    set_cell_by_header(unit_file, "走访记录", "地址", 2, "新地址")
    return master, unit_file


@pytest.mark.parametrize("content", [b"", b"   \n", b"abcd", b"00" * 8, "密钥".encode()])
def test_an_empty_short_or_malformed_key_is_refused_and_nothing_is_signed(tmp_path, content):
    master = tmp_path / "m.xlsx"
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))])
    secret_path(master).write_bytes(content)
    result = runner.invoke(app, ["issue", str(master), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "密钥文件" in result.output and "损坏" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_new_key_is_whole_and_owner_only(tmp_path):
    master = tmp_path / "m.xlsx"
    make_book(master, visits=[visit("丙馆长", D(2011, 9, 5))])
    issue(master, tmp_path / "out")
    key = secret_path(master)
    assert len(bytes.fromhex(key.read_text())) == 32
    if os.name == "posix":
        assert key.stat().st_mode & 0o077 == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~zoufang-key")]


def test_a_truncated_archive_entry_is_repaired_on_the_next_run(office):
    master, unit_file = office
    first = collect(master, [unit_file]).files[0]
    kept = master.parent / "回收归档" / f"{first.sha256}.xlsx"
    kept.write_bytes(kept.read_bytes()[:100])  # what a full disk left
    assert collect(master, [unit_file]).files[0].status == "duplicate"
    assert kept.read_bytes() == unit_file.read_bytes()


def _mount_tmpfs(folder, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def test_a_full_disk_during_collect_leaves_no_partial_file_and_the_next_run_completes(office, tmp_path):
    master, unit_file = office
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "400k"):
        pytest.skip("cannot mount a small tmpfs here (needs root); CI runs as root")
    try:
        work = disk / "office"
        shutil.copytree(master.parent, work)
        small = work / master.name
        before = small.read_bytes()
        filler = disk / "filler"
        free = shutil.disk_usage(disk).free
        filler.write_bytes(b"\0" * max(0, free - 8 * 1024))  # leave less than a workbook
        result = runner.invoke(app, ["collect", str(small), str(unit_file)])
        assert result.exit_code == 2 and "读写文件失败" in result.output
        assert small.read_bytes() == before
        leftovers = [p for p in disk.rglob("*") if p.is_file() and p.name.startswith(".~zoufang")]
        assert leftovers == []
        archive = work / "回收归档"
        assert not archive.exists() or all(p.stat().st_size == unit_file.stat().st_size for p in archive.iterdir())
        backups = work / "备份"
        for b in (backups.iterdir() if backups.exists() else []):
            assert b.read_bytes() in (before,) or b.stat().st_size > 0
        filler.unlink()
        again = runner.invoke(app, ["collect", str(small), str(unit_file)])
        assert again.exit_code == 0, again.output
        assert [p.read_bytes() for p in archive.iterdir()] == [unit_file.read_bytes()]
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


HOLD = """
import sys, time
from zoufang.exchange.master_lock import MasterLock
with MasterLock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_lock_held_by_another_process_refuses_and_a_killed_holder_blocks_nothing(office):
    master, unit_file = office
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(master)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = runner.invoke(app, ["collect", str(master), str(unit_file)])
        assert result.exit_code == 2 and "另一个任务" in result.output
    finally:
        holder.kill()  # a crash: no clean-up runs
        holder.wait()
    assert collect(master, [unit_file]).files[0].status == "merged"


def test_two_collects_at_once_never_both_write(office, tmp_path):
    """Two processes race for the lock: exactly one merges, the other is refused, and the log has one row."""
    master, unit_file = office
    script = ("import sys\nfrom zoufang.exchange.collect import collect\nfrom zoufang.files.safe_io import WriteRefused\n"
              "try:\n    r = collect(sys.argv[1], [sys.argv[2]])\n    print(r.files[0].status)\n"
              "except WriteRefused:\n    print('refused-lock')\n")
    runs = [subprocess.Popen([sys.executable, "-c", script, str(master), str(unit_file)], stdout=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outcomes = sorted(p.communicate(timeout=120)[0].strip() for p in runs)
    assert outcomes in (["merged", "refused-lock"], ["duplicate", "merged"])
    import openpyxl
    log = list(openpyxl.load_workbook(master)["导入记录"].iter_rows(min_row=2, values_only=True))
    assert len(log) == 1


def test_a_libreoffice_failure_is_a_message_not_a_traceback(office, tmp_path, monkeypatch):
    master, _ = office
    monkeypatch.setenv("SOFFICE", shutil.which("false"))
    result = runner.invoke(app, ["ledgers", str(master), "--out", str(tmp_path / "台账"), "--pdf"])
    assert result.exit_code == 2 and "LibreOffice" in result.output and "Traceback" not in result.output


def test_temp_files_of_killed_runs_are_cleaned(office, tmp_path):
    master, unit_file = office
    stale = master.parent / ".~zoufang-abc123.xlsx"
    stale.write_bytes(b"PK half")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = master.parent / ".~zoufang-def456.xlsx"  # perhaps another run's, still writing
    fresh.write_bytes(b"PK")
    collect(master, [unit_file])
    assert not stale.exists() and fresh.exists()
