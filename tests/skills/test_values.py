"""Numbers as typed in spreadsheets and settings files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills.errors import SkillError
from skills.values import decide_decimal_mark, parse_number


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


@pytest.mark.parametrize(
    ("text", "mark", "value"),
    [
        ("12,50", ",", 12.5),
        ("1.234,56", ",", 1234.56),
        ("€ 1.234.567,8", ",", 1234567.8),
        ("1.234", ",", 1234.0),
        ("-3,5%", ",", -3.5),
        ("1,234", ".", 1234.0),
        ("1，234.5", ".", 1234.5),
        ("1,234.56", ".", 1234.56),
    ],
)
def test_the_files_decimal_mark_decides_what_a_separator_means(text: str, mark: str, value: float) -> None:
    assert parse_number(text, mark) == value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("12,50", "."),
        ("1,2345", "."),
        ("1.234,56", "."),
        ("1,234.56", ","),
        ("12.50.1", ","),
        ("1.23,4.5", ","),
    ],
)
def test_a_separator_that_fits_neither_way_is_refused_never_rescaled(text: str, mark: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, mark)  # type: ignore[arg-type]


def _cells(*texts: str) -> list[tuple[int, str]]:
    return [(line, text) for line, text in enumerate(texts, start=2)]


@pytest.mark.parametrize(
    ("cells", "delimiter", "mark"),
    [
        (_cells("12,50", "7", "1.234,56"), ";", ","),
        (_cells("12.5", "7", "1,234.56"), ";", "."),
        (_cells("1,234", "7", "12.5"), ";", "."),
        (_cells("1.234", "7", "12,5"), ";", ","),
        (_cells("1,234", "2,000"), ",", "."),
        (_cells("1.234.567"), ";", ","),
        (_cells("7", "¥300元"), ";", "."),
    ],
)
def test_a_file_says_how_it_writes_decimals(cells: list[tuple[int, str]], delimiter: str, mark: str) -> None:
    assert decide_decimal_mark(cells, delimiter) == mark


def test_a_file_that_writes_decimals_both_ways_is_refused_with_its_lines() -> None:
    with pytest.raises(SkillError) as refused:
        decide_decimal_mark(_cells("12.5", "3", "12,50", "1,234.5"), ";")
    assert "decimal point on line(s) 2, 5" in refused.value.en
    assert "decimal comma on line(s) 4" in refused.value.en
    assert "第 2, 5 行用小数点" in refused.value.zh


def test_thousands_alone_outside_a_comma_separated_file_are_ambiguous() -> None:
    with pytest.raises(SkillError) as refused:
        decide_decimal_mark(_cells("1.234", "5", "2.500"), ";")
    assert "Line(s) 2, 4 have numbers such as 1.234" in refused.value.en


@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=2), min_size=1, max_size=20))
def test_european_and_english_exports_read_the_same_numbers(numbers: list[object]) -> None:
    english = [f"{n:,.2f}" for n in numbers]  # type: ignore[str-format]
    european = [text.translate(str.maketrans(",.", ".,")) for text in english]
    for written, delimiter in ((english, ","), (european, ";")):
        mark = decide_decimal_mark(_cells(*written), delimiter)
        assert [parse_number(text, mark) for text in written] == [
            pytest.approx(float(n))  # type: ignore[arg-type]
            for n in numbers
        ]
