"""A unit's 联系邮箱: one or more addresses separated by ；or ; (WORKBOOK.md), checked by email-validator."""
from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

SEPARATORS = re.compile(r"[；;\n]+")


def split_addresses(text) -> list[str]:
    """The addresses typed in one cell, in order, each stripped; blank pieces dropped."""
    if text is None or text != text:  # None or NaN
        return []
    return [piece.strip() for piece in SEPARATORS.split(str(text)) if piece.strip()]


def bad_addresses(text) -> list[str]:
    """The pieces of ``text`` that are not an e-mail address (syntax only: no lookup, offices may be offline)."""
    bad = []
    for piece in split_addresses(text):
        try:
            validate_email(piece, check_deliverability=False)
        except EmailNotValidError:
            bad.append(piece)
    return bad


def good_addresses(text) -> list[str]:
    """The addresses of ``text`` a draft can go to."""
    bad = set(bad_addresses(text))
    return [a for a in split_addresses(text) if a not in bad]


def ascii_form(address: str) -> str | None:
    """``address`` as a 7-bit message header carries it (a Chinese domain in its IDNA form), or None when its
    user name itself is not ASCII (such an address needs SMTPUTF8, which a saved draft cannot count on)."""
    try:
        return validate_email(address, check_deliverability=False).ascii_email or None
    except EmailNotValidError:
        return None
