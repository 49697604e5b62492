"""Does a text cite only numbers its facts hold? The guard on drafts a language model has polished.

A model rewriting "sales fell 12.3% to 45,600" may well write 12.8%, 4,560 or "rose 12.3%". Every
number in the text must match a fact of the same kind, allowing for the rounding the text shows
("1.2万" stands for 11,500 to 12,500, "12%" for 11.5 to 12.5):

- a percentage matches a percentage fact: a number under a key that says so (`change_pct`,
  `share`, `rate`…; a fraction such as 0.125 also reads as 12.5%) or a % written in a fact's text;
- a date (2026-11-23, 11月23日, Nov 23) matches a date fact, and only a date: the parts of a date
  never stand for other numbers, so 2026-11-23 supports neither "11%" nor "23 clients";
- any other number (a count, an amount of money) matches a number fact that is not one of those.

A percentage with a direction (rose / up / 涨 / 增长 / +, or fell / down / 跌 / 下降 / −) must match a
fact with that sign: "fell 11%" is not backed by +11. "to 40%" states a level and has no direction.
Bare whole numbers up to SMALL_NUMBER ("3 risks") are allowed without a fact: counting words are not
where a wrong figure hurts, and forbidding them would reject most good drafts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from skills.units import UNITS

SMALL_NUMBER = 10
Kind = Literal["percent", "date", "quantity"]
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<sign>[-+−])?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<unit>百万|千万|万|亿|千|[kKmMwW](?![a-zA-Z]))?(?P<percent>\s?(?:%|percent\b|个百分点))?"
)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_DATE = re.compile(
    rf"(?P<iso>(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}))"
    rf"|(?P<cn>(?:(?P<cy>\d{{4}})年)?(?P<cm>\d{{1,2}})月(?P<cd>\d{{1,2}})[日号])"
    rf"|(?P<en>\b(?P<em>{_MONTHS})[a-z]*\.? (?P<ed>\d{{1,2}})\b(?:,? (?P<ey>\d{{4}}))?)",
    re.IGNORECASE,
)
_PERCENT_KEY = re.compile(r"pct|percent|share|rate|ratio|margin", re.IGNORECASE)
_UP = re.compile(
    r"\b(?:up|rose|rise[sn]?|rising|increased?|increasing|grew|grow(?:s|n|ing)?|gain(?:ed|s)?|higher|jump(?:ed|s)?)\b"
    r"|涨|上涨|增长|提升|上升|增加|升高|高于|多了",
    re.IGNORECASE,
)
_DOWN = re.compile(
    r"\b(?:down|fell|fall(?:s|en|ing)?|drop(?:ped|s)?|declin(?:e|ed|es|ing)|decreas(?:e|ed|es|ing)|lower|"
    r"shrank|shrink(?:s|ing)?|lost)\b|跌|下跌|下降|减少|降低|低于|少了|回落",
    re.IGNORECASE,
)
_LEVEL_BEFORE = re.compile(r"(?:\b(?:to|at|of|is|was|reached)|至|到|为|达)\s*$", re.IGNORECASE)
_AFTER_WINDOW = 12
"""Characters after a number where a direction word still belongs to it ("12% lower")."""


@dataclass(frozen=True)
class Cited:
    """A number as written: its value, how far it may be off for the digits shown, its kind and,
    for a percentage, its direction (+1 up, -1 down, 0 none)."""

    written: str
    value: float
    tolerance: float
    kind: Kind
    direction: int = 0
    date: tuple[int | None, int, int] | None = None


def cited_numbers(text: str) -> list[Cited]:
    """Every number in `text`, dates first found whole so their parts are not read as numbers."""
    found: list[Cited] = []
    taken: list[tuple[int, int]] = []
    for match in _DATE.finditer(text):
        parts = _date_parts(match)
        if parts is not None:
            found.append(Cited(match.group(0), 0.0, 0.0, "date", date=parts))
            taken.append(match.span())
    previous_end = 0
    for match in _NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        value = _value(match)
        if match["percent"]:
            direction = _direction(text, match, previous_end)
            found.append(Cited(match.group(0).strip(), abs(value), _tolerance(match), "percent", direction))
        else:
            found.append(Cited(match.group(0).strip(), abs(value), _tolerance(match), "quantity"))
        previous_end = match.end()
    return found


def unsupported_numbers(text: str, facts: object) -> list[str]:
    """The numbers written in `text` that no fact of their kind supports, as written (empty: the
    text is sound)."""
    known = list(_facts(facts))
    unsupported = []
    for cited in cited_numbers(text):
        bare = cited.kind == "quantity" and cited.value.is_integer() and "." not in cited.written
        if bare and cited.value <= SMALL_NUMBER and not cited.written.startswith(("-", "+", "−")):
            continue
        if not any(_supports(fact, cited) for fact in known):
            unsupported.append(cited.written)
    return unsupported


def _supports(fact: Cited, cited: Cited) -> bool:
    if fact.kind != cited.kind:
        return False
    if cited.kind == "date":
        assert fact.date is not None and cited.date is not None
        year, month, day = cited.date
        return fact.date[1:] == (month, day) and (year is None or fact.date[0] in (None, year))
    if cited.direction and fact.direction and cited.direction != fact.direction:
        return False
    return abs(fact.value - cited.value) <= cited.tolerance + fact.tolerance


def _facts(value: object, key: str = "") -> Iterator[Cited]:
    """Every number the facts hold, with its kind: from the key for plain numbers, from the text
    around it inside strings."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        number = float(value)
        direction = (number > 0) - (number < 0)
        if _PERCENT_KEY.search(key):
            yield Cited(str(value), abs(number), 0.0, "percent", direction)
            if abs(number) <= 1:  # kept as a fraction: 0.125 is 12.5%
                yield Cited(str(value), abs(number) * 100, 0.0, "percent", direction)
        else:
            yield Cited(str(value), abs(number), 0.0, "quantity")
    elif isinstance(value, str):
        yield from cited_numbers(value)
    elif isinstance(value, Mapping):
        for name, item in value.items():
            yield from _facts(item, str(name))
    elif isinstance(value, Sequence):
        for item in value:
            yield from _facts(item, key)


def _direction(text: str, match: re.Match[str], previous_end: int) -> int:
    """+1 or -1 from the number's sign or the nearest direction word around it (after the number
    before it); 0 for a level ("to 40%") or none."""
    if match["sign"]:
        return -1 if match["sign"] in "-−" else 1
    before = text[previous_end : match.start()]
    if _LEVEL_BEFORE.search(before):
        return 0
    words = [(m.end(), 1) for m in _UP.finditer(before)] + [(m.end(), -1) for m in _DOWN.finditer(before)]
    if words:
        return max(words)[1]
    after = text[match.end() : match.end() + _AFTER_WINDOW]
    up, down = _UP.search(after), _DOWN.search(after)
    if up and (not down or up.start() < down.start()):
        return 1
    return -1 if down else 0


def _date_parts(match: re.Match[str]) -> tuple[int | None, int, int] | None:
    if match["iso"]:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    elif match["cn"]:
        year, month, day = int(match["cy"]) if match["cy"] else None, int(match["cm"]), int(match["cd"])
    else:
        year = int(match["ey"]) if match["ey"] else None
        month, day = _MONTHS.split("|").index(match["em"][:3].lower()) + 1, int(match["ed"])
    return (year, month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


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
