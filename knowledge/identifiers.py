"""Codes a team searches for exactly: SOP numbers, order ids, error codes, SKUs.

Such a token must find the passages that hold it before anything merely similar: "ZQX0111" is not
"ZQX0011", however close their vectors are.
"""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[-_./#][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_AMOUNT = re.compile(r"^\d+(?:\.\d+)?[a-z]{1,3}$", re.IGNORECASE)
"""500w, 10k, 5ms, 12pm: a number with its unit, not a code."""


def identifiers(text: str) -> list[str]:
    """The code-like tokens of `text`: letters and digits mixed (E1042, ZQX0111, SOP-2023-017), at
    least four characters and not a number with a unit, or a run of at least six digits (an order
    number); each once, in order."""
    found: dict[str, None] = {}
    for match in _CANDIDATE.finditer(text):
        token = match.group(0)
        digits = sum(character.isdigit() for character in token)
        letters = sum(character.isalpha() for character in token)
        mixed = digits and letters and len(token) >= 4 and not _AMOUNT.match(token)
        if mixed or (not letters and digits >= 6):
            found[token] = None
    return list(found)


def holds(text: str, code: str) -> bool:
    """Whether `text` has `code` as a whole token, in any letter case (ZQX0111 is not in ZQX01110)."""
    pattern = rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])"
    return re.search(pattern, text, re.IGNORECASE) is not None
