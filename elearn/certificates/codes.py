"""Verification codes and serial numbers: what people read, type and print.

A verification code is 80 random bits written in Crockford's base32 (digits and capital
letters without I, L, O and U, so nothing reads as something else): 16 characters, stored
without dashes and printed in groups of four, ``7K3M-Q9XP-4HTD-2WRA``. People may type it
back in any case, with or without dashes or spaces, and with O for 0 or I/L for 1.

A serial number (``SC-2026-000123``) is for filing and talking about a certificate; it is
made from the row id, so it is unique without a counter of its own. It grants nothing: only
the code opens a certificate.
"""

from __future__ import annotations

import re
import secrets

#: Crockford's base32 alphabet.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 16 characters x 5 bits = 80 random bits.
CODE_LENGTH = 16
GROUP = 4

#: What Crockford's decoding reads as a digit, and what a person may type between groups.
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐-―_.]+")


def new_code() -> str:
    """A fresh random verification code, normalised (no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str | None:
    """The stored form of a typed code, or None when it cannot be one."""
    if not raw:
        return None
    code = _SEPARATORS.sub("", raw).upper().translate(_TYPOS)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display_code(code: str) -> str:
    """``7K3MQ9XP4HTD2WRA`` -> ``7K3M-Q9XP-4HTD-2WRA``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def make_serial(prefix: str, year: int, number: int) -> str:
    """``SC-2026-000123``: the prefix, the year of issue and the row's number."""
    return f"{prefix}-{year:04d}-{number:06d}"
