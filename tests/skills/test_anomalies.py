"""The same-weekday anomaly check on synthetic series: seasonal ones without anomalies must stay
quiet, planted anomalies must be found."""

from __future__ import annotations

import random
from datetime import date, timedelta

from skills.anomalies import AnomalyConfig, check_day

START = date(2026, 1, 5)  # a Monday
WEEKLY = (1.30, 1.10, 1.00, 1.00, 1.05, 0.55, 0.45)  # busy Mondays, quiet weekends


def seasonal(
    days: int, level: float, noise: float, rng: random.Random, trend: float = 0.0
) -> dict[date, float]:
    return {
        START + timedelta(days=n): level * WEEKLY[n % 7] * (1 + trend * n) * (1 + rng.gauss(0, noise))
        for n in range(days)
    }


def test_a_monday_after_a_quiet_sunday_is_normal() -> None:
    series = seasonal(70, 1000, 0.03, random.Random(1))
    monday = START + timedelta(days=63)
    assert series[monday] > 2 * series[monday - timedelta(days=1)]
    result = check_day(series, monday)
    assert not result.anomaly and result.history == 8
    assert abs(result.change_pct or 0) < 10


def test_a_planted_drop_is_found_with_its_direction_and_size() -> None:
    series = seasonal(70, 1000, 0.03, random.Random(2))
    day = START + timedelta(days=66)
    series[day] *= 0.5
    result = check_day(series, day)
    assert result.anomaly and result.direction == "down"
    assert result.change_pct is not None and -55 < result.change_pct < -45
    assert result.baseline is not None and result.score is not None and result.score < -3.5


def test_too_little_history_gives_no_verdict() -> None:
    series = seasonal(20, 1000, 0.03, random.Random(3))
    day = START + timedelta(days=19)
    series[day] *= 3
    result = check_day(series, day)
    assert not result.anomaly and not result.enough_history and result.history == 2


def test_holidays_are_left_out_of_the_history() -> None:
    series = seasonal(70, 1000, 0.02, random.Random(4))
    day = START + timedelta(days=63)
    holidays = {day - timedelta(weeks=w) for w in (1, 2, 3, 4, 5)}
    for holiday in holidays:
        series[holiday] *= 0.2
    assert check_day(series, day, holidays=holidays).history == 3
    assert not check_day(series, day, AnomalyConfig(min_history=3), holidays=holidays).anomaly


def test_a_flat_history_does_not_turn_a_wobble_into_an_alarm() -> None:
    series = {START + timedelta(days=n): 500.0 for n in range(70)}
    day = START + timedelta(days=69)
    series[day] = 510.0
    assert not check_day(series, day).anomaly
    series[day] = 800.0
    assert check_day(series, day).direction == "up"


def test_false_alarm_and_miss_rates_on_many_series() -> None:
    rng = random.Random(7)
    normal_days = alarms = planted = missed = 0
    for _ in range(200):
        series = seasonal(
            98, rng.uniform(50, 50_000), rng.uniform(0.02, 0.08), rng, trend=rng.uniform(-0.002, 0.002)
        )
        for offset in range(63, 91):
            normal_days += 1
            alarms += check_day(series, START + timedelta(days=offset)).anomaly
        day = START + timedelta(days=rng.randrange(91, 98))
        series[day] *= rng.choice((0.45, 0.55, 1.5, 1.8))
        planted += 1
        missed += not check_day(series, day).anomaly
    assert alarms / normal_days <= 0.01, f"false alarms {alarms}/{normal_days}"
    assert missed / planted <= 0.05, f"missed {missed}/{planted}"


def test_a_metric_that_is_usually_zero_gets_no_verdict() -> None:
    series = {START + timedelta(days=n): 0.0 for n in range(70)}
    day = START + timedelta(days=69)
    series[day] = 3.0
    result = check_day(series, day)
    assert not result.anomaly and result.baseline is None


def test_an_outage_keeps_alarming_instead_of_becoming_the_new_normal() -> None:
    series = seasonal(70, 1000, 0.03, random.Random(7))
    outage = range(56, 70)  # two weeks at 0
    for n in outage:
        series[START + timedelta(days=n)] = 0.0
    results = [check_day(series, START + timedelta(days=n)) for n in outage]
    assert all(r.anomaly and r.direction == "down" and r.change_pct == -100.0 for r in results)
    assert all(r.baseline is not None and r.baseline > 300 for r in results), "the usual level, not 0"


def test_a_metric_that_is_usually_zero_is_still_not_judged() -> None:
    series = {START + timedelta(days=n): 0.0 for n in range(70)}
    assert not check_day(series, START + timedelta(days=69)).enough_history


def test_a_holiday_is_marked_and_not_judged() -> None:
    series = seasonal(70, 1000, 0.03, random.Random(8))
    holiday = START + timedelta(days=66)
    series[holiday] *= 0.2  # a quiet public holiday
    result = check_day(series, holiday, holidays={holiday})
    assert result.holiday and not result.anomaly and result.value == series[holiday]
    assert check_day(series, holiday).anomaly, "the same day, not a holiday, is an anomaly"
