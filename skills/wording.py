"""Counts in English words: "1 customer", "2 customers" (Chinese measure words do not change)."""

from __future__ import annotations

_IRREGULAR = {"person": "people"}


def counted(count: float, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it takes; thousands separated (1,200 clients)."""
    number = f"{count:,.0f}" if float(count).is_integer() else f"{count:,g}"
    if count == 1:
        return f"{number} {noun}"
    return f"{number} {plural or _IRREGULAR.get(noun) or _plural(noun)}"


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"
