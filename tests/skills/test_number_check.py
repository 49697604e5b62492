"""The number check that guards polished drafts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from skills.number_check import unsupported_numbers

FACTS = {"sales": 45600, "change_pct": -12.3, "day": "2026-11-23", "share": 0.125, "arr": 1234567}


def test_numbers_from_the_facts_pass_in_any_common_form() -> None:
    text = "Sales fell 12.3% to 45,600 on 2026-11-23; a 12.5% share; ARR about 123.5万 or 1.2M."
    assert unsupported_numbers(text, FACTS) == []
    assert unsupported_numbers("销售额下降 12%,至 4.56万。", FACTS) == []


def test_invented_or_altered_numbers_are_caught() -> None:
    assert unsupported_numbers("Sales fell 12.8% to 4,560.", FACTS) == ["12.8%", "4,560"]
    assert unsupported_numbers("We can offer 15% off.", FACTS) == ["15%"]


def test_a_number_written_right_after_chinese_characters_is_checked_too() -> None:
    assert unsupported_numbers("销售额下降12%,至4.56万。", FACTS) == []
    assert unsupported_numbers("销售额下降15%,至4.8万,ARR约123万", FACTS) == ["15%", "4.8万"]
    assert unsupported_numbers("需要1500w下载", {"downloads": "1250w"}) == ["1500w"]
    assert unsupported_numbers("ARR1234567", FACTS) == []  # after Latin letters: part of a code


def test_small_counting_numbers_need_no_fact() -> None:
    assert unsupported_numbers("3 risks and 2 wins", FACTS) == []
    assert unsupported_numbers("3% more", FACTS) == ["3%"]


def test_a_direction_must_match_the_sign_of_the_fact() -> None:
    facts = {"change_pct": 11.0, "drop_pct": -4.0}
    assert unsupported_numbers("Usage rose 11% and fell 4%.", facts) == []
    assert unsupported_numbers("Usage fell 11%.", facts) == ["11%"]
    assert unsupported_numbers("使用量下降 11%,增长 4%。", facts) == ["11%", "4%"]
    assert unsupported_numbers("Usage is 11% higher; logins -4.0%.", facts) == []
    assert unsupported_numbers("Logins +4%.", facts) == ["+4%"]


def test_a_level_has_no_direction() -> None:
    assert unsupported_numbers("Retention dropped to 40%.", {"retention_rate": 0.4}) == []


def test_dates_never_supply_numbers_and_match_only_dates() -> None:
    facts = {"contract_end": "2026-11-23", "days_to_renewal": 30}
    assert unsupported_numbers("It ends on Nov 23 (11月23日), 2026-11-23.", facts) == []
    assert unsupported_numbers("Usage fell 11%, 23 users left.", facts) == ["11%", "23"]
    assert unsupported_numbers("It ends on Nov 24.", facts) == ["Nov 24"]
    assert unsupported_numbers("We offer 30% off.", facts) == ["30%"], "30 days is not 30%"


def test_kinds_do_not_mix() -> None:
    assert unsupported_numbers("ARR is 12.5.", {"share": 0.125}) == ["12.5"]
    assert unsupported_numbers("A 45,600% jump.", {"sales": 45600}) == ["45,600%"]


@given(st.integers(1, 99), st.sampled_from([1, -1]), st.sampled_from(["rose", "fell", "涨了", "跌了"]))
def test_any_percentage_with_a_direction_needs_a_fact_of_that_sign(size: int, sign: int, word: str) -> None:
    said = 1 if word in ("rose", "涨了") else -1
    wrong = unsupported_numbers(f"Sales {word} {size}%.", {"change_pct": sign * size})
    assert wrong == ([] if said == sign else [f"{size}%"])


def test_a_number_too_long_for_a_float_is_unsupported_not_a_crash() -> None:
    huge = "9" * 400
    assert unsupported_numbers(f"We grew by {huge} clients.", {"clients": 12}) == [huge]
