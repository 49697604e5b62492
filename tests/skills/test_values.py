"""Numbers as typed in spreadsheets and settings files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills.values import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("120", 120.0),
        ("1,200.50", 1200.5),
        ("¥3,000元", 3000.0),
        ("50万", 500_000.0),
        ("1.5亿", 150_000_000.0),
        ("3.5M", 3_500_000.0),
        ("200k", 200_000.0),
        ("35%", 35.0),
        ("-12.5%", -12.5),
        ("−8%", -8.0),
        (" 42 ", 42.0),
        (7, 7.0),
        (0.5, 0.5),
    ],
)
def test_readable_numbers(text: object, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "12 apples", "5ms", "--3", True, "nan", float("inf"), "1e999"])
def test_anything_else_is_refused(text: object) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_plain_decimals_round_trip(number: object) -> None:
    assert parse_number(str(number)) == pytest.approx(float(number))  # type: ignore[arg-type]
