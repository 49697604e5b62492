"""English counts take the noun's number."""

from __future__ import annotations

import pytest

from skills.wording import counted


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "customer", "1 customer"),
        (0, "customer", "0 customers"),
        (2, "time", "2 times"),
        (1_200, "client", "1,200 clients"),
        (3, "entry", "3 entries"),
        (2, "day", "2 days"),
        (2, "match", "2 matches"),
        (1.5, "order", "1.5 orders"),
        (2, "person", "2 people"),
        (2, "chunk", "2 chunks"),
    ],
)
def test_the_noun_agrees_with_the_count(count: float, noun: str, expected: str) -> None:
    assert counted(count, noun) == expected


def test_an_irregular_plural_can_be_given() -> None:
    assert counted(3, "analysis", "analyses") == "3 analyses"
