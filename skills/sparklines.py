"""One-line charts of a short series, for chat messages and terminals."""

from __future__ import annotations

from collections.abc import Sequence

_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """A bar per value, scaled from the lowest to the highest; a gap (None) is a space."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    return "".join(
        " " if v is None else _BARS[0 if span == 0 else round((v - low) / span * (len(_BARS) - 1))]
        for v in values
    )
