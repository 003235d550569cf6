"""Households' personal data protected in transit: unit workbooks encrypted, each with its own password,
opened by LibreOffice with it, saved encrypted again, and merged; a wrong password never touches the master."""
import datetime as dt
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from builders import D, make_book, visit

from zoufang.exchange.collect import collect
from zoufang.exchange.issue import issue
from zoufang.exchange.passwords import ALPHABET, decrypt_with, load_passwords, passwords_path


@pytest.fixture
def office(tmp_path):
    master = tmp_path / "office" / "总台账.xlsx"
    master.parent.mkdir()
    make_book(master, settings={"encrypt": "是"},
              visits=[visit("丙馆长", D(2011, 9, 5)), visit("丁馆长", D(2011, 9, 6))])
    issued = issue(master, tmp_path / "下发", now=dt.datetime.now().astimezone() - dt.timedelta(hours=1))
    return master, {i.unit: i for i in issued}, issued


def opened(path: Path, password: str) -> openpyxl.Workbook:
    out = path.with_suffix(".plain.xlsx")
    with open(path, "rb") as fh, open(out, "wb") as dst:
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password=password)
        office.decrypt(dst)
    return openpyxl.load_workbook(out)


def test_each_unit_workbook_is_encrypted_with_its_own_readable_password(office):
    master, units, issued = office
    passwords = {u: i.password for u, i in units.items()}
    assert len(set(passwords.values())) == len(passwords) and load_passwords(master) == passwords
    for unit, item in units.items():
        with open(item.path, "rb") as fh:
            assert msoffcrypto.OfficeFile(fh).is_encrypted()
        assert set(item.password.replace("-", "")) <= set(ALPHABET) and len(item.password) == 14
        assert opened(item.path, item.password)["_meta"] is not None
        other = next(p for u, p in passwords.items() if u != unit)
        assert decrypt_with(item.path, {"别人": other}) is None
    assert issued.slips is not None and issued.slips.exists() and issued.slips.parent.parent == master.parent
    assert "下发" not in str(issued.slips)  # never in the folder that is e-mailed


def test_the_passwords_are_in_no_workbook_and_no_archive(office, tmp_path):
    master, units, _ = office
    lib = units["市图书馆"]
    collect(master, [lib.path])
    places = [master, *Path(master.parent / "回收归档").glob("*"), *Path(master.parent / "备份").glob("*.xlsx")]
    plain = lib.path.with_suffix(".plain.xlsx")
    opened(lib.path, lib.password)
    places.append(plain)
    for place in places:
        blobs = [place.read_bytes()]
        if zipfile.is_zipfile(place):
            with zipfile.ZipFile(place) as z:
                blobs += [z.read(n) for n in z.namelist()]
        for password in load_passwords(master).values():
            assert not any(password.encode() in b for b in blobs), place


def test_libreoffice_opens_edits_saves_encrypted_and_collect_merges(office, tmp_path, lo_clerk):
    master, units, _ = office
    lib = units["市图书馆"]
    back = tmp_path / "回收" / "图书馆.xlsx"
    back.parent.mkdir()
    lo_clerk([{"src": str(lib.path), "dst": str(back), "password": lib.password, "save_password": lib.password,
               "edits": [{"op": "set", "sheet": "走访记录", "header": "备注", "row": 2, "value": {"text": "加密发回"}}]}])
    with open(back, "rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted()  # LibreOffice kept it locked (Standard encryption)
    result = collect(master, [back]).files[0]
    assert result.status == "merged" and result.updated == 1, result
    assert any("密码打开" in n["note"] for n in result.notes)
    ws = openpyxl.load_workbook(master)["走访记录"]
    assert "加密发回" in [c.value for c in ws["K"]]


def test_a_return_locked_with_another_password_is_refused_and_the_master_untouched(office, tmp_path):
    master, units, _ = office
    lib = units["市图书馆"]
    plain = lib.path.with_suffix(".plain.xlsx")
    wb = opened(lib.path, lib.password)
    wb["走访记录"]["K2"] = "改"
    wb.save(plain)
    from zoufang.exchange.passwords import encrypt_file
    wrong = tmp_path / "错密码.xlsx"
    encrypt_file(plain, wrong, "WRNG-PASS-WORD")
    before = master.read_bytes()
    result = collect(master, [wrong])
    assert result.files[0].status == "refused" and "密码" in result.files[0].reason
    assert master.read_bytes() == before


def test_an_unencrypted_return_of_an_encrypted_issue_is_taken_with_a_note(office, tmp_path):
    master, units, _ = office
    lib = units["市图书馆"]
    plain = tmp_path / "没加密.xlsx"
    wb = opened(lib.path, lib.password)
    wb["走访记录"]["K2"] = "没加密发回"
    wb.save(plain)
    result = collect(master, [plain]).files[0]
    assert result.status == "merged" and any("没有加密" in n["note"] for n in result.notes)


def test_reissue_keeps_each_units_password_unless_asked_and_only_json_prints_them(office, tmp_path):
    master, units, _ = office
    kept = load_passwords(master)
    cmd = [sys.executable, "-m", "zoufang", "issue", str(master), "--out", str(tmp_path / "第二轮")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert load_passwords(master) == kept
    assert not any(p in done.stdout + done.stderr for p in kept.values()) and "密码通知单" in done.stdout
    done = subprocess.run(cmd + ["--new-passwords", "--json"], capture_output=True, text=True, timeout=300)
    shown = {u["unit"]: u["password"] for u in json.loads(done.stdout)["units"]}
    assert shown == load_passwords(master) and not set(shown.values()) & set(kept.values())
    assert passwords_path(master).stat().st_mode & 0o077 == 0 or sys.platform == "win32"


def test_an_encrypted_ods_is_refused_with_what_to_do(office, tmp_path, lo_clerk):
    master, units, _ = office
    lib = units["市图书馆"]
    ods = tmp_path / "加密.ods"
    lo_clerk([{"src": str(lib.path), "dst": str(ods), "password": lib.password, "ods_password": lib.password,
               "edits": []}])
    with zipfile.ZipFile(ods) as z:
        assert b"encryption-data" in z.read("META-INF/manifest.xml")
    before = master.read_bytes()
    result = collect(master, [ods]).files[0]
    assert result.status == "refused" and "另存为" in result.reason and ".xlsx" in result.reason
    assert master.read_bytes() == before


# ------------------------------------------------------------------ hostile review round 4, items 7, 8, 11
def _is_plain_workbook(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == b"PK"  # a zip: an unencrypted .xlsx (an encrypted one is an OLE file)
    except OSError:
        return False


def test_killed_during_an_encrypted_issue_no_plain_workbook_is_ever_in_the_outgoing_folder(office, tmp_path):
    """The outgoing folder is watched while ``zoufang issue`` encrypts; the process is killed (kill -9, as a power
    cut) the moment an unencrypted workbook shows there — if one ever does — or else it finishes. Either way no
    plain workbook is in the folder, at any moment seen."""
    import os
    import signal
    master, _, _ = office
    out = tmp_path / "第二轮下发"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "zoufang", "issue", str(master), "--out", str(out), "--json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen_plain = []
    try:
        while proc.poll() is None:
            for entry in out.iterdir():
                if _is_plain_workbook(entry):
                    seen_plain.append(entry.name)
                    if hasattr(signal, "SIGKILL"):
                        os.kill(proc.pid, signal.SIGKILL)
                    else:
                        proc.kill()
                    break
            if seen_plain:
                break
    finally:
        proc.wait(timeout=300)
    assert seen_plain == []
    assert not [e.name for e in out.iterdir() if _is_plain_workbook(e)]
    assert len(list(out.glob("*.xlsx"))) == 3


def test_an_unencrypted_leftover_of_an_older_version_is_removed_by_the_next_command(office, tmp_path):
    """A killed run of an older version left 下发/.~zoufang-XXXX.xlsx.plain.xlsx (households' names, unencrypted):
    the next command run on the master, whatever it is, removes it."""
    from typer.testing import CliRunner

    from zoufang.cli import app
    master, units, _ = office
    outgoing = master.parent / "下发"
    outgoing.mkdir()
    leftover = outgoing / ".~zoufang-k3j2h1.xlsx.plain.xlsx"
    leftover.write_bytes(b"PK\x03\x04 households")
    result = CliRunner().invoke(app, ["check", str(master), "--json"])
    assert result.exit_code in (0, 1), result.output
    assert not leftover.exists()


def test_a_return_asking_for_millions_of_password_rounds_is_refused_without_trying(office, tmp_path, monkeypatch):
    """An encrypted return whose spinCount is far above what Excel, WPS and LibreOffice write (100,000): refused
    with a Chinese reason, no password tried (each would cost seconds while the master stays locked)."""
    import olefile
    import msoffcrypto.format.ooxml as ooxml
    master, units, _ = office
    lib = units["市图书馆"]
    costly = tmp_path / "市图书馆-回收.xlsx"
    costly.write_bytes(lib.path.read_bytes())
    with olefile.OleFileIO(str(costly), write_mode=True) as ole:
        info = ole.openstream("EncryptionInfo").read()
        assert b'spinCount="100000"' in info
        ole.write_stream("EncryptionInfo", info.replace(b'spinCount="100000"', b'spinCount="999999"'))
    tried = []
    real = ooxml.OOXMLFile.load_key
    monkeypatch.setattr(ooxml.OOXMLFile, "load_key", lambda self, **kw: tried.append(kw) or real(self, **kw))
    result = collect(master, [costly]).files[0]
    assert result.status == "refused" and "999,999" in result.reason and "100,000" in result.reason
    assert tried == []


def test_the_password_of_the_unit_the_file_names_is_tried_first(office, tmp_path, monkeypatch):
    import msoffcrypto.format.ooxml as ooxml
    master, units, _ = office
    museum = units["市博物馆"]
    tried = []
    real = ooxml.OOXMLFile.load_key
    monkeypatch.setattr(ooxml.OOXMLFile, "load_key",
                        lambda self, password=None, **kw: tried.append(password) or real(self, password=password, **kw))
    result = collect(master, [museum.path]).files[0]
    assert result.status == "merged", result.reason
    assert tried[0] == museum.password


def test_the_password_slips_are_readable_by_the_office_alone(office):
    if sys.platform == "win32":
        pytest.skip("POSIX modes; on Windows the folder's ACL is set with icacls")
    master, _, issued = office
    slips = issued.slips
    assert slips.stat().st_mode & 0o077 == 0
    assert slips.parent.stat().st_mode & 0o077 == 0
    assert passwords_path(master).stat().st_mode & 0o077 == 0
