"""Slash-command arguments: `/ops digest …`, feedback periods, retro and weekly arguments, times,
zones, weekdays, numbers and as-of days. Whatever a person types gets a setting or a clear refusal."""

from __future__ import annotations

import math
from datetime import date, time
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from bot.digest.commands import _changes
from bot.feedback.commands import parse_period
from skills.commitments import added_commitments
from skills.number_check import unsupported_numbers
from skills.retro import MAX_RANGE_DAYS, parse_retro_args
from skills.schedule import parse_time, parse_weekdays, parse_zone
from skills.transactions_csv import parse_as_of
from skills.values import decide_decimal_mark, parse_number
from skills.weekly import parse_week_of
from tests.fuzz.support import TOKENS, fuzz, hostile_text, result_or_refusal

MON_FRI = frozenset(range(5))
DIGEST_WORDS = ["off", "on", "snooze", "at", "days", "tz", "关闭", "开启", "推迟", "时间", "工作日", "时区"]
words = st.lists(
    st.one_of(st.sampled_from(DIGEST_WORDS + list(TOKENS) + ["3d", "90d", "999天"]), hostile_text), max_size=4
)


@fuzz()
@given(
    words,
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    st.frozensets(st.integers(min_value=0, max_value=6)),
)
@example(["at", "²:00"], date(2026, 1, 5), MON_FRI)
@example(["days", "²"], date(2026, 1, 5), MON_FRI)
@example(["snooze", "90d"], date(2026, 1, 5), frozenset())
@example(["tz", "a" * 300], date(2026, 1, 5), MON_FRI)
def test_digest_arguments(words: list[str], today: date, working_days: frozenset[int]) -> None:
    """`_changes`, then the checks the owner store applies to what it returns (the public path)."""
    changes = result_or_refusal(lambda: _changes(words, today, working_days))
    if changes is None:
        return
    if changes.snoozed_until is not None:
        assert changes.snoozed_until >= today
    if changes.digest_at is not None:
        result_or_refusal(lambda: parse_time(changes.digest_at))
    if changes.working_days is not None:
        result_or_refusal(lambda: parse_weekdays(changes.working_days))
    if changes.tz is not None:
        result_or_refusal(lambda: parse_zone(changes.tz))


@fuzz()
@given(hostile_text, st.one_of(st.none(), st.integers(min_value=1, max_value=30)))
@example("²d", 7)
def test_feedback_periods(text: str, default: int | None) -> None:
    period = parse_period(text, default)
    assert period is None or period == "bad" or (isinstance(period, int) and 0 < period <= 3660)


retro_text = st.one_of(
    hostile_text,
    st.tuples(
        st.sampled_from(["sales", "销售额", "", "2026-01-01"]),
        st.sampled_from([" ", ""]),
        st.builds(format, st.dates(), st.sampled_from(["%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日", "%Y/%m/%d"])),
        st.sampled_from(["..", " to ", "至", "~", "—", " "]),
        st.one_of(st.dates().map(str), st.sampled_from(["2026-13-40", "20260230", "9999-99-99"])),
    ).map("".join),
)


@fuzz()
@given(retro_text)
@example("sales 0000-01-01..2026-01-01")
def test_retro_arguments(text: str) -> None:
    args = result_or_refusal(lambda: parse_retro_args(text))
    if args is not None and args.start is not None:
        assert args.metric and args.end is not None
        assert 0 <= (args.end - args.start).days < MAX_RANGE_DAYS


@fuzz()
@given(
    st.one_of(
        hostile_text,
        st.tuples(st.integers(min_value=0, max_value=99999), st.integers(min_value=0, max_value=999)).map(
            lambda p: f"{p[0]}-W{p[1]}"
        ),
    )
)
@example("0000-W01")
@example("9999-W53")
def test_weekly_week_of(text: str) -> None:
    day = result_or_refusal(lambda: parse_week_of(text))
    assert day is None or isinstance(day, date)


@fuzz()
@given(hostile_text)
@example("²:00")
@example("²")  # int("²") raised ValueError in parse_weekdays
@example("a" * 5000)
def test_times_zones_and_weekdays(text: str) -> None:
    at = result_or_refusal(lambda: parse_time(text))
    assert at is None or isinstance(at, time)
    zone = result_or_refusal(lambda: parse_zone(text))
    assert zone is None or isinstance(zone, ZoneInfo)
    days = result_or_refusal(lambda: parse_weekdays(text))
    assert days is None or (days and days <= frozenset(range(7)))


@fuzz()
@given(
    st.one_of(hostile_text, st.floats(), st.integers(), st.booleans(), st.none()),
    st.sampled_from([".", ","]),
)
def test_numbers(value: object, decimal_mark: str) -> None:
    """parse_number promises a finite float or ValueError (callers turn it into the line number)."""
    try:
        number = parse_number(value, decimal_mark)  # type: ignore[arg-type]
    except ValueError:
        return
    assert math.isfinite(number)


@fuzz()
@given(st.lists(hostile_text, max_size=20), st.sampled_from([",", ";", "\t", "|"]))
def test_decimal_marks(cells: list[str], delimiter: str) -> None:
    """A file's decimal mark is decided, or the file refused with a short message."""
    mark = result_or_refusal(lambda: decide_decimal_mark(enumerate(cells, start=2), delimiter))
    assert mark in (None, ".", ",")


@fuzz()
@given(hostile_text)
@example("9999-12-31")
def test_as_of_days(text: str) -> None:
    day = result_or_refusal(lambda: parse_as_of(text, "--as-of"))
    assert day is None or isinstance(day, date)


@fuzz()
@given(hostile_text, hostile_text)
def test_polish_guards(text: str, template: str) -> None:
    """The number and commitment checks take any text a model may return, and never raise."""
    assert isinstance(unsupported_numbers(text, {"change_pct": -12.3, "note": template}), list)
    assert all(
        a.kind in ("offer", "deadline", "guarantee") for a in added_commitments(text, template, (10.0,))
    )
