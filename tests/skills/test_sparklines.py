"""One-line charts."""

from __future__ import annotations

from skills.sparklines import sparkline


def test_sparkline_shows_gaps_and_flat_series() -> None:
    assert sparkline([1, None, 3]) == "▁ █"
    assert sparkline([5, 5]) == "▁▁"
    assert sparkline([None]) == ""
