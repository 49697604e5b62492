from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from skills.errors import SkillError
from skills.schedule import (
    is_due,
    local_day,
    next_digest,
    parse_time,
    parse_weekdays,
    parse_zone,
    snooze_until,
)

WEEKDAYS = frozenset(range(5))
SHANGHAI = parse_zone("Asia/Shanghai")
NEW_YORK = parse_zone("America/New_York")


def test_due_once_the_local_time_passes_in_each_zone() -> None:
    nine = time(9, 0)
    # 01:00 UTC is 09:00 in Shanghai (Monday 2026-11-23) and 20:00 on Sunday in New York.
    instant = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert is_due(instant, SHANGHAI, nine, WEEKDAYS) == date(2026, 11, 23)
    assert is_due(instant, NEW_YORK, nine, WEEKDAYS) is None
    assert is_due(datetime(2026, 11, 23, 0, 59, tzinfo=UTC), SHANGHAI, nine, WEEKDAYS) is None
    assert local_day(instant, NEW_YORK) == date(2026, 11, 22)


def test_daylight_saving_keeps_the_local_time() -> None:
    nine = time(9, 0)
    # New York: UTC-5 on Friday 2026-03-06, UTC-4 from Sunday 2026-03-08.
    assert is_due(datetime(2026, 3, 6, 14, 0, tzinfo=UTC), NEW_YORK, nine, WEEKDAYS) == date(2026, 3, 6)
    assert is_due(datetime(2026, 3, 9, 13, 0, tzinfo=UTC), NEW_YORK, nine, WEEKDAYS) == date(2026, 3, 9)
    assert is_due(datetime(2026, 3, 9, 12, 59, tzinfo=UTC), NEW_YORK, nine, WEEKDAYS) is None


def test_weekends_holidays_and_the_grace_period() -> None:
    nine = time(9, 0)
    saturday = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert is_due(saturday, SHANGHAI, nine, WEEKDAYS) is None
    assert is_due(saturday, SHANGHAI, nine, frozenset(range(7))) == date(2026, 11, 28)
    monday = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert is_due(monday, SHANGHAI, nine, WEEKDAYS, holidays=frozenset({date(2026, 11, 23)})) is None
    late = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai: a restart that late
    assert is_due(late, SHANGHAI, nine, WEEKDAYS, grace_hours=6) is None
    assert is_due(late, SHANGHAI, nine, WEEKDAYS, grace_hours=8) == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", set(range(5))),
        ("mon,wed,fri", {0, 2, 4}),
        ("周一至周五", set(range(5))),
        ("1-6", set(range(6))),
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("周日至周四", {6, 0, 1, 2, 3}),
        ("fri-mon", {4, 5, 6, 0}),
        ("7-1", {6, 0}),
    ],
)
def test_working_days_as_people_write_them(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(days)


def test_bad_settings_are_refused_with_a_hint() -> None:
    with pytest.raises(SkillError, match="Did you mean Asia/Shanghai"):
        parse_zone("Asia/Shanghia")
    with pytest.raises(SkillError, match="09:00"):
        parse_time("9am")
    with pytest.raises(SkillError, match="mon-fri"):
        parse_weekdays("fri-mon-tue")
    with pytest.raises(SkillError, match="mon-fri"):
        parse_weekdays("funday")
    assert parse_time("8.30") == time(8, 30) and parse_time("0930") == time(9, 30)


def test_a_late_digest_missed_before_midnight_is_still_due_after_it() -> None:
    ten_pm = time(22, 0)
    after_midnight = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)  # 00:30 on Wednesday in Shanghai
    assert is_due(after_midnight, SHANGHAI, ten_pm, WEEKDAYS) == date(2026, 11, 24), "Tuesday 22:00"


def test_a_snooze_counts_digests_so_holidays_do_not_use_it_up() -> None:
    monday = date(2026, 9, 28)
    national_day = frozenset(monday + timedelta(days=n) for n in range(3, 10))  # Thu 1 Oct – Wed 7 Oct
    assert snooze_until(monday, 3, WEEKDAYS) == date(2026, 9, 30)
    assert snooze_until(monday, 5, WEEKDAYS) == date(2026, 10, 2)
    assert snooze_until(monday, 5, WEEKDAYS, national_day) == date(2026, 10, 9), (
        "Mon–Wed, then Thu 8 and Fri 9"
    )


def test_the_next_digest_skips_weekends_holidays_snoozes_and_a_time_already_past() -> None:
    shanghai = parse_zone("Asia/Shanghai")
    weekdays = parse_weekdays("mon-fri")
    friday_morning = datetime(2026, 12, 4, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    nine = parse_time("09:00")
    assert next_digest(friday_morning, shanghai, nine, weekdays) == datetime(
        2026, 12, 4, 9, 0, tzinfo=shanghai
    )
    friday_noon = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=shanghai)
    assert next_digest(friday_noon, shanghai, nine, weekdays) == monday
    assert next_digest(friday_noon, shanghai, nine, weekdays, holidays=frozenset({date(2026, 12, 7)})) == (
        monday + timedelta(days=1)
    )
    assert next_digest(friday_noon, shanghai, nine, weekdays, snoozed_until=date(2026, 12, 8)) == (
        monday + timedelta(days=2)
    )
    assert next_digest(friday_noon, shanghai, nine, frozenset()) is None
