"""Record numbers (记录编号, 案件编号, 问题编号): unique across the campaign, whatever units type.

A new number is 单位编码-TAG00001, one above the highest of that prefix already in
use. Numbers units typed into their returns are reserved before any blank row is
numbered, so a blank row never takes a number a unit typed; a typed number is kept
only if nobody holds it yet.
"""
from __future__ import annotations

import re
from collections.abc import Iterable


class IdAllocator:
    """Hands out record numbers no row of the campaign holds or will hold in this run."""

    def __init__(self, taken: Iterable[str] = (), reserved: Iterable[str] = ()):
        self.taken = {i for i in taken if i}  # held by a row of the master or merged in this run
        self.reserved = {i for i in reserved if i}  # typed in a return, not merged yet
        self._next: dict[str, int] = {}

    def claim(self, record_id: str) -> bool:
        """Take a typed number for a new row; False if another row already holds it."""
        if not record_id or record_id in self.taken:
            return False
        self.taken.add(record_id)
        return True

    def fresh(self, unit_code: str, tag: str) -> str:
        """The next free number of ``unit_code`` and ``tag``."""
        prefix = f"{unit_code}-{tag}"
        if prefix not in self._next:
            pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
            numbers = [int(m.group(1)) for m in map(pattern.match, self.taken | self.reserved) if m]
            self._next[prefix] = max(numbers, default=0) + 1
        while True:
            candidate = f"{prefix}{self._next[prefix]:05d}"
            self._next[prefix] += 1
            if candidate not in self.taken and candidate not in self.reserved:
                self.taken.add(candidate)
                return candidate
