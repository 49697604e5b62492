import pytest

from skills.errors import SkillError
from skills.units import format_grouped, format_wan, parse_amount


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500w", 5_000_000),
        ("500W", 5_000_000),
        ("500万", 5_000_000),
        ("1,250,000", 1_250_000),
        ("1.25亿", 125_000_000),
        ("3百万", 3_000_000),
        ("2千万", 20_000_000),
        ("200k", 200_000),
        ("3.5M", 3_500_000),
        ("3m", 3_000_000),
        ("800", 800),
    ],
)
def test_units(text: str, value: float) -> None:
    assert parse_amount(f"{text} sales") == (pytest.approx(value), " sales")


def test_chinese_units_may_run_into_the_name() -> None:
    assert parse_amount("500万销售") == (5_000_000, "销售")


@pytest.mark.parametrize(
    "text", ["500x sales", "500ms", "-5w sales", "0 sales", "20000000亿 sales", "5亿亿 x", "abc"]
)
def test_bad_amounts_are_refused_in_both_languages(text: str) -> None:
    with pytest.raises(SkillError) as error:
        parse_amount(text)
    assert error.value.en and error.value.zh


def test_formatting() -> None:
    assert format_grouped(125_000_000) == "125,000,000"
    assert format_grouped(1234.5) == "1,234.5"
    assert format_wan(125_000_000) == "1.25亿"
    assert format_wan(12_500_000) == "1250万"
    assert format_wan(83_333_333.33) == "8333.33万"
    assert format_wan(800) == "800"
