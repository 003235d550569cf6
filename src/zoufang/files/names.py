"""Names that become file or sheet names: safe on every system (Windows' rules first), readable, unique.

File names are measured in bytes (a CJK character is 3 bytes in UTF-8 and most file
systems allow 255 bytes per name), cleaned by pathvalidate for Windows (reserved
characters and device names, trailing dots and spaces), stripped of invisible and
direction-changing characters, and kept short enough for Windows' 260-character paths.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from pathvalidate import sanitize_filename

MAX_NAME_BYTES = 255  # per name, on NTFS (UTF-16 units), ext4 and most others (bytes)
MAX_PATH = 259  # Windows' MAX_PATH less the terminating NUL
MAX_FILE_STEM = 120  # characters: readable names; bytes are checked separately
MAX_SHEET = 31
EXTRA_RESERVED = ("CONIN$", "CONOUT$", "COM0", "LPT0")  # also device names on Windows 10 and later
_SHEET_BAD = re.compile(r"[\x00-\x1f\x7f\[\]:*?/\\]")
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}  # controls, format (U+202E, U+200B…), unassigned


def visible_text(name: object) -> str:
    """NFKC text without control, format (bidi, zero-width) or unassigned characters."""
    text = unicodedata.normalize("NFKC", str(name))
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)


def cut_to_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits in ``limit`` bytes."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def sidecar_name(name: str, extra: str) -> str:
    """``name + extra`` as one file name that fits in 255 bytes (cut, with a short hash, if needed)."""
    whole = name + extra
    if len(whole.encode("utf-8")) <= MAX_NAME_BYTES:
        return whole
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return cut_to_bytes(name, MAX_NAME_BYTES - len(extra.encode("utf-8")) - 9) + "~" + digest + extra


def _unique(name: str, used: set[str], limit_chars: int, limit_bytes: int) -> str:
    base, n, candidate = name, 1, name
    while candidate.lower() in used:
        n += 1
        suffix = f"（{n}）"
        candidate = cut_to_bytes(base[: limit_chars - len(suffix)], limit_bytes - len(suffix.encode())) + suffix
    used.add(candidate.lower())
    return candidate


def safe_file_name(name: str, used: set[str] | None = None, folder: Path | None = None,
                   suffix: str = ".xlsx") -> str:
    """A file stem for ``name``: valid on Windows and elsewhere, within 255 bytes with ``suffix``,
    within Windows' path limit inside ``folder`` (if given), and unique within ``used``."""
    limit_bytes = MAX_NAME_BYTES - len(suffix.encode("utf-8")) - 12  # room for （99）
    limit_chars = MAX_FILE_STEM
    if folder is not None:
        room = MAX_PATH - len(str(Path(folder).absolute())) - 1 - len(suffix) - 4
        limit_chars = max(8, min(limit_chars, room))
    text = sanitize_filename(visible_text(name), replacement_text="_", platform="windows",
                             max_len=limit_bytes, additional_reserved_names=list(EXTRA_RESERVED))
    text = text.replace("..", "_").strip(" .")
    if not text or text.split(".")[0].upper() in EXTRA_RESERVED:
        text = f"_{text}"
    text = cut_to_bytes(text[:limit_chars], limit_bytes).rstrip(" .") or "_"
    return _unique(text, used if used is not None else set(), limit_chars, limit_bytes)


def safe_sheet_name(name: str, used: set[str] | None = None) -> str:
    """A sheet name Excel accepts: no []:*?/\\, not blank, not starting or ending with ', at most 31 characters."""
    text = _SHEET_BAD.sub("_", visible_text(name)).strip().strip("'")
    if not text or text.lower() == "history":
        text = f"_{text}"
    return _unique(text[:MAX_SHEET], used if used is not None else set(), MAX_SHEET, 4 * MAX_SHEET)
