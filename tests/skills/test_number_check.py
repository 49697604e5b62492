"""The number check that guards polished drafts."""

from __future__ import annotations

from skills.number_check import unsupported_numbers

FACTS = {"sales": 45600, "change_pct": -12.3, "day": "2026-11-23", "share": 0.125, "arr": 1234567}


def test_numbers_from_the_facts_pass_in_any_common_form() -> None:
    text = "Sales fell 12.3% to 45,600 on 2026-11-23; a 12.5% share; ARR about 123.5万 or 1.2M."
    assert unsupported_numbers(text, FACTS) == []
    assert unsupported_numbers("销售额下降 12%,至 4.56万。", FACTS) == []


def test_invented_or_altered_numbers_are_caught() -> None:
    assert unsupported_numbers("Sales fell 12.8% to 4,560.", FACTS) == ["12.8%", "4,560"]
    assert unsupported_numbers("We can offer 15% off.", FACTS) == ["15%"]


def test_small_counting_numbers_need_no_fact() -> None:
    assert unsupported_numbers("3 risks and 2 wins", FACTS) == []
    assert unsupported_numbers("3% more", FACTS) == ["3%"]
