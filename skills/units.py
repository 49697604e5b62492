"""Amounts as ops people write them: 500w, 1,250万, 1.25亿, 3.5M, 200k."""

from __future__ import annotations

import math
import re

from skills.errors import SkillError, quoted

WAN = 10_000
YI = 100_000_000
MAX_AMOUNT = 1e15
"""1000万亿: far beyond any real funnel; larger input is a typo."""

UNITS: dict[str, float] = {
    "千万": 10_000_000,
    "百万": 1_000_000,
    "亿": YI,
    "万": WAN,
    "千": 1_000,
    "w": WAN,
    "W": WAN,
    "k": 1_000,
    "K": 1_000,
    "m": 1_000_000,
    "M": 1_000_000,
}
_UNIT_ORDER = sorted(UNITS, key=len, reverse=True)
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_AMOUNT = re.compile(rf"^\s*(?P<number>{NUMBER})(?P<rest>.*)$", re.DOTALL)


def parse_amount(text: str) -> tuple[float, str]:
    """Read an amount at the start of `text`; returns (value, the text after it).

    Latin units must end the word (`500ms` is an unknown unit, not 500 m); Chinese units may run
    straight into the stage name (`500万销售`).
    """
    if text.lstrip().startswith("-"):
        raise SkillError(
            f"Amounts cannot be negative: {quoted(text.strip())}. Example: 500w sales",
            f"数量不能为负数:{quoted(text.strip())}。例如:500万 销售",
        )
    match = _AMOUNT.match(text)
    if match is None:
        raise SkillError(
            f"Expected an amount such as 500w, 1,250,000 or 1.25亿 at {quoted(text.strip())}.",
            f"这里应该是一个数量,比如 500万、1,250,000 或 1.25亿:{quoted(text.strip())}。",
        )
    value = float(match["number"].replace(",", ""))
    number = match["number"] if len(match["number"]) <= 20 else match["number"][:20] + "…"
    rest = match["rest"]
    if rest.lstrip()[:1] in ("万", "亿", "千", "百"):
        rest = rest.lstrip()  # Chinese units may stand apart from the number: 500 万
    unit = next((u for u in _UNIT_ORDER if rest.startswith(u) and not _runs_on(u, rest[len(u) :])), None)
    if unit is not None:
        value *= UNITS[unit]
        rest = rest[len(unit) :]
        if (doubled := next((u for u in _UNIT_ORDER if rest.startswith(u)), None)) is not None:
            raise SkillError(
                f"Two units in a row after {number}: {unit}{doubled}. Write one, e.g. 1.25亿.",
                f"{number} 后面连写了两个单位:{unit}{doubled}。只写一个,例如 1.25亿。",
            )
    elif (word := re.match(r"[A-Za-z]+", rest)) is not None:
        raise SkillError(
            f"Unknown unit {quoted(word[0])} after {number}. Use k, m, w/万, 百万, 千万 or 亿, "
            "or put a space before the stage name (500w sales).",
            f"{number} 后面的单位 {quoted(word[0])} 无法识别。可用 k、m、w/万、百万、千万、亿,"
            "或在阶段名前加空格(500万 销售)。",
        )
    check_amount(value, f"{match['number']}{unit or ''}")
    return value, rest


def _runs_on(unit: str, after: str) -> bool:
    """A Latin unit followed by more letters is part of a word (500ms), not a unit."""
    return unit.isascii() and after[:1].isascii() and after[:1].isalpha()


def check_amount(value: float, shown: str) -> None:
    if not math.isfinite(value) or value > MAX_AMOUNT:
        raise SkillError(
            f"{quoted(shown)} is larger than any real funnel (limit 1000万亿); check the unit.",
            f"{quoted(shown)} 超出合理范围(上限 1000万亿),请检查单位。",
        )
    if value <= 0:
        raise SkillError(
            f"Amounts must be above zero: {quoted(shown)}.",
            f"数量必须大于零:{quoted(shown)}。",
        )


def format_grouped(value: float) -> str:
    """125,000,000 or 1,234.5: thousands separators, at most two decimals, no trailing zeros."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")


def format_wan(value: float) -> str:
    """1.25亿, 1250万 or 800: the way Chinese ops teams read amounts."""
    if abs(value) >= YI:
        return f"{_trim(value / YI, 4)}亿"
    if abs(value) >= WAN:
        return f"{_trim(value / WAN, 2)}万"
    return format_grouped(value)


def _trim(number: float, decimals: int) -> str:
    return f"{number:.{decimals}f}".rstrip("0").rstrip(".")
