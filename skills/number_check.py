"""Does a text cite only numbers its facts hold? The guard on drafts a language model has polished.

A model rewriting "sales fell 12.3% to 45,600" may well write 12.8% or 4,560. Every number in the
text must match a number found anywhere in the facts (nested values and numbers inside strings, such
as the parts of a date, count too), allowing for the rounding the text shows: "1.2万" stands for
anything from 11,500 to 12,500, "12%" for 11.5 to 12.5. A percentage may also match a fact kept as a
fraction (0.125 for 12.5%). Signs are ignored ("down 12%" for -12.0). Bare whole numbers up to
SMALL_NUMBER ("3 risks", "two" written as 2) are allowed without a fact: counting words are not
where a wrong figure hurts, and forbidding them would reject most good drafts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from skills.units import UNITS

SMALL_NUMBER = 10
_NUMBER = re.compile(
    r"(?<![\w.])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<unit>百万|千万|万|亿|千|[kKmMwW](?![a-zA-Z]))?(?P<percent>\s?%)?"
)


def _numbers_in_fact(value: object) -> Iterator[float]:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        yield abs(float(value))
    elif isinstance(value, str):
        for match in _NUMBER.finditer(value):
            yield abs(_value(match))
            yield abs(float(match["number"].replace(",", "")))
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _numbers_in_fact(item)
    elif isinstance(value, Sequence):
        for item in value:
            yield from _numbers_in_fact(item)


def _value(match: re.Match[str]) -> float:
    unit = match["unit"] or ""
    multiplier = UNITS.get(unit, UNITS.get(unit.lower(), 1.0)) if unit else 1.0
    return float(match["number"].replace(",", "")) * multiplier


def _tolerance(match: re.Match[str]) -> float:
    """Half a unit of the last digit shown, in the value's own scale."""
    digits = match["number"].split(".")
    decimals = len(digits[1]) if len(digits) == 2 else 0
    unit = match["unit"] or ""
    multiplier = UNITS.get(unit, UNITS.get(unit.lower(), 1.0)) if unit else 1.0
    return 0.5 * 10**-decimals * multiplier * (1 + 1e-9)


def unsupported_numbers(text: str, facts: object) -> list[str]:
    """The numbers written in `text` that no fact supports, as written (empty: the text is sound)."""
    known = sorted(set(_numbers_in_fact(facts)))
    unsupported = []
    for match in _NUMBER.finditer(text):
        value, tolerance = _value(match), _tolerance(match)
        bare = not match["unit"] and not match["percent"] and "." not in match["number"]
        if bare and value <= SMALL_NUMBER:
            continue
        candidates = [value, value / 100] if match["percent"] else [value]
        scale = (tolerance / 100) if match["percent"] else tolerance
        if not any(
            abs(fact - candidate) <= (tolerance if candidate == value else scale)
            for candidate in candidates
            for fact in known
        ):
            unsupported.append(match.group(0).strip())
    return unsupported
