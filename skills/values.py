"""Numbers as people type them in spreadsheets and settings: -12.5%, ¥1,200, 50万, 3.5M."""

from __future__ import annotations

import math
import re

from skills.units import UNITS

_JUNK = re.compile(r"[¥￥$,，\s元]|RMB|CNY", re.IGNORECASE)
_NUMBER = re.compile(r"^(?P<sign>[-+−]?)(?P<number>\d+(?:\.\d+)?|\.\d+)(?P<unit>.*?)%?$")


def parse_number(value: object) -> float:
    """A finite number from `value`; a trailing % is dropped (percent values stay in points: 35% → 35).

    Raises ValueError for anything else, so callers can report the line it came from.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = _NUMBER.match(_JUNK.sub("", str(value)))
        if match is None:
            raise ValueError(value)
        unit = match["unit"]
        if unit and unit not in UNITS:
            raise ValueError(value)
        number = float(match["number"]) * (UNITS[unit] if unit else 1.0)
        if match["sign"] in ("-", "−"):
            number = -number
    if not math.isfinite(number):
        raise ValueError(value)
    return number
