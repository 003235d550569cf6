"""Names that become file or sheet names: safe on every system, readable, unique."""
from __future__ import annotations

import re
import unicodedata

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_FILE_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_SHEET_BAD = re.compile(r"[\x00-\x1f\x7f\[\]:*?/\\]")
MAX_FILE_STEM = 120
MAX_SHEET = 31


def _unique(name: str, used: set[str], limit: int) -> str:
    base, n, candidate = name, 1, name
    while candidate.lower() in used:
        n += 1
        suffix = f"（{n}）"
        candidate = base[: limit - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


def safe_file_name(name: str, used: set[str] | None = None) -> str:
    """A file stem without path separators, reserved characters or device names; unique within ``used``."""
    text = unicodedata.normalize("NFKC", str(name))
    text = _FILE_BAD.sub("_", text).strip().strip(".")
    text = text.replace("..", "_")
    if not text or text.split(".")[0].upper() in WINDOWS_RESERVED:
        text = f"_{text}"
    text = text[:MAX_FILE_STEM]
    return _unique(text, used if used is not None else set(), MAX_FILE_STEM)


def safe_sheet_name(name: str, used: set[str] | None = None) -> str:
    """A sheet name Excel accepts: no []:*?/\\, not blank, not starting or ending with ', at most 31 characters."""
    text = _SHEET_BAD.sub("_", unicodedata.normalize("NFKC", str(name))).strip().strip("'")
    if not text or text.lower() == "history":
        text = f"_{text}"
    return _unique(text[:MAX_SHEET], used if used is not None else set(), MAX_SHEET)
