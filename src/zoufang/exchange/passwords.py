"""Each unit's password for encrypted unit workbooks (下发加密), kept beside the master like the key.

A password is read out and typed once by a clerk: 12 characters in three groups from an alphabet
without look-alikes (no 0/O, 1/I/L), about 59 bits. The list is a small JSON file beside the master
(``.总台账.zoufang-passwords``), owner-only where the system allows, never in a workbook, never
printed to the terminal except with ``--json``. Workbooks are encrypted as Excel does (ECMA-376
agile encryption, msoffcrypto-tool); a return is opened with the password of the unit it came from,
Excel's agile or LibreOffice's Standard encryption alike.
"""
from __future__ import annotations

import io
import json
import re
import secrets
from contextlib import nullcontext
from pathlib import Path

from zoufang.exchange.secret_key import read_private_file, write_private_file
from zoufang.files.names import sidecar_name
from zoufang.files.safe_io import WriteRefused

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out and typed without doubt
GROUPS, GROUP = 3, 4
MAX_LIST = 1 << 20


def new_password() -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(GROUPS))


def passwords_path(master: Path) -> Path:
    return Path(master).with_name(sidecar_name(f".{Path(master).stem}", ".zoufang-passwords"))


def load_passwords(master: Path) -> dict[str, str]:
    """The units' passwords ({} when none were ever made)."""
    path = passwords_path(master)
    if not path.exists() and not path.is_symlink():
        return {}
    data = read_private_file(path, Path(master), MAX_LIST, "密码文件")
    try:
        table = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        table = None
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise WriteRefused(f"密码文件 {path.name} 已损坏，无法读取各单位的密码。请从备份中找回它")
    return table


def passwords_for(master: Path, units: list[str], renew: bool = False) -> dict[str, str]:
    """Each unit's password: kept from earlier issues unless ``renew``; new ones made and saved first."""
    known = {} if renew else load_passwords(master)
    wanted = {u: known.get(u) or new_password() for u in units}
    if any(known.get(u) != p for u, p in wanted.items()):
        table = {**load_passwords(master), **wanted}
        write_private_file(passwords_path(master), json.dumps(table, ensure_ascii=False, indent=1).encode("utf-8"))
    return wanted


def encrypt_file(plain: Path | io.BytesIO, target: Path, password: str) -> None:
    """``plain`` (an .xlsx, a file or a buffer) encrypted as Excel encrypts, into ``target``."""
    from msoffcrypto.format.ooxml import OOXMLFile
    with (open(plain, "rb") if isinstance(plain, (str, Path)) else nullcontext(plain)) as src, \
            open(target, "wb") as out:
        OOXMLFile(src).encrypt(password, out)


def is_encrypted(path: Path) -> bool:
    """True for a workbook locked with an open password (OOXML in an OLE container, or an encrypted .xls)."""
    import msoffcrypto
    try:
        with open(path, "rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # not an Office file msoffcrypto knows (an .ods, a zip .xlsx): not one it can open
        return False


MAX_SPIN_COUNT = 100_000  # what Excel, WPS and LibreOffice write; more only makes every password try slow


class CostlyEncryption(ValueError):
    """The file asks for more password hashing than any office program writes."""


def spin_count(path: Path) -> int:
    """The key-derivation iterations an encrypted workbook asks for (agile encryption's spinCount; 0 if none said)."""
    import olefile
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("EncryptionInfo"):
                return 0
            info = ole.openstream("EncryptionInfo").read(1 << 16)
    except (OSError, ValueError, IndexError):
        return 0
    counts = [int(n) for n in re.findall(rb'spinCount="(\d{1,12})"', info)]
    return max(counts, default=0)


def decrypt_with(path: Path, passwords: dict[str, str], first: str = "") -> tuple[str, bytes] | None:
    """The unit whose password opens ``path`` (``first``'s tried first: the unit the file's name says), and the
    plain workbook; None if none does. CostlyEncryption for a file asking for more hashing than MAX_SPIN_COUNT."""
    import msoffcrypto
    spins = spin_count(path)
    if spins > MAX_SPIN_COUNT:
        raise CostlyEncryption(spins)
    order = sorted(passwords.items(), key=lambda item: item[0] != first)
    for unit, password in order:
        try:
            with open(path, "rb") as fh:
                office = msoffcrypto.OfficeFile(fh)
                office.load_key(password=password)
                out = io.BytesIO()
                office.decrypt(out)
            return unit, out.getvalue()
        except Exception:  # a wrong password (InvalidKeyError) or a scheme it cannot open: the next one
            continue
    return None
