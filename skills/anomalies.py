"""Is yesterday's number abnormal? A robust same-weekday comparison that follows the trend.

The method (a multiplicative weekly decomposition, made robust):
- The level at a day is the median of the seven days before it, one of each weekday, so weekly
  seasonality cancels out of it and it follows a trend within a week.
- Each earlier same weekday (up to `weeks` back) gives a ratio: its value over the level before
  it. The median ratio is that weekday's factor (a Monday is compared with Mondays, so a quiet
  Sunday never makes a Monday look high).
- The baseline is factor × today's level. The spread is the median absolute deviation (MAD, ×1.4826
  to match a standard deviation under normal noise) of the ratios of every weekday in the window,
  pooled: seven times more points than one weekday has, so one calm or wild week cannot decide.
- The spread is widened by how uncertain the baseline itself is (a median of few points).
- The robust z-score (value − baseline) / spread flags the day when it reaches
  `threshold` and the change is also at least `min_change` of the baseline. The spread has a floor
  so a perfectly flat history does not turn a 1% wobble into an alarm.
- Holidays are left out of every comparison, and a holiday itself is not judged (it is marked as
  one): a quiet public holiday is no alarm the morning after. With fewer than `min_history`
  comparable days the check says so instead of guessing.
- An outage keeps alarming: on a day at 0 that follows other days at 0, the comparison is with the
  days before the zeros began (their level, their weekday factors and their spread), so the
  baseline does not sink to 0 with the outage and go silent. This holds as long as the history
  loaded reaches back before the outage (`HISTORY_DAYS`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Direction = Literal["up", "down"]
MAD_TO_SIGMA = 1.4826
SMALL_SAMPLE_MAD = 1.1
"""A MAD around the median of seven or eight points runs about a tenth low."""
MEDIAN_VARIANCE = math.pi / 2
"""The variance of a median of n normal points is about π/2 · σ² / n."""


@dataclass(frozen=True)
class AnomalyConfig:
    weeks: int = 8
    """How many previous same weekdays to compare with."""
    min_history: int = 4
    """Fewer comparable days than this: no verdict."""
    threshold: float = 3.5
    """Robust z-score from which a day is abnormal."""
    min_change: float = 0.15
    """…and the change must also be at least this share of the baseline."""
    spread_floor: float = 0.03
    """The spread is at least this share of the baseline."""


HISTORY_DAYS = 7 * (AnomalyConfig().weeks + 2)
"""Days of history to load before the day under review: the default `weeks` of same weekdays, plus
the week the first of them needs for its level and a week's margin for gaps."""


@dataclass(frozen=True)
class DayCheck:
    day: date
    value: float | None
    baseline: float | None
    change_pct: float | None
    """(value − baseline) / baseline × 100; None without a value or a baseline (or a zero one)."""
    score: float | None
    """The robust z-score."""
    anomaly: bool
    direction: Direction | None
    history: int
    """How many comparable days the baseline came from."""
    holiday: bool = False
    """The day is a team holiday: shown, not judged."""

    @property
    def enough_history(self) -> bool:
        return self.baseline is not None


def _level(series: Mapping[date, float], day: date, holidays: Collection[date]) -> float | None:
    """The median of the week before `day` (holidays left out); None with fewer than 5 days."""
    week = [
        series[earlier]
        for back in range(1, 8)
        if (earlier := day - timedelta(days=back)) in series and earlier not in holidays
    ]
    return statistics.median(week) if len(week) >= 5 else None


def _ratios(
    series: Mapping[date, float],
    day: date,
    weeks: int,
    holidays: Collection[date],
    before: date | None = None,
) -> list[float]:
    """Value over the level before it, for the same weekday as `day` in the `weeks` weeks before
    (and only days before `before`, when given)."""
    ratios = []
    for weeks_back in range(1, weeks + 1):
        earlier = day - timedelta(weeks=weeks_back)
        if before is not None and earlier >= before:
            continue
        if earlier in series and earlier not in holidays:
            level = _level(series, earlier, holidays)
            if level:
                ratios.append(series[earlier] / level)
    return ratios


def _outage_start(series: Mapping[date, float], day: date, holidays: Collection[date]) -> date:
    """The first day of the run of zeros that ends on `day` (holidays and missing days inside it
    do not break it)."""
    start, earlier = day, day - timedelta(days=1)
    for _ in range(HISTORY_DAYS):
        if earlier in holidays or earlier not in series:
            earlier -= timedelta(days=1)
            continue
        if series[earlier] != 0:
            break
        start, earlier = earlier, earlier - timedelta(days=1)
    return start


def check_day(
    series: Mapping[date, float],
    day: date,
    config: AnomalyConfig | None = None,
    holidays: Collection[date] = (),
) -> DayCheck:
    """Compare `series[day]` with what its weekday and the current level lead one to expect."""
    settings = config or AnomalyConfig()
    value = series.get(day)
    if day in holidays:
        return DayCheck(day, value, None, None, None, False, None, 0, holiday=True)
    reference = _outage_start(series, day, holidays) if value == 0 else day
    ratios = _ratios(series, day, settings.weeks, holidays, before=reference)
    level = _level(series, reference, holidays)
    if value is None or level is None or len(ratios) < settings.min_history:
        return DayCheck(day, value, None, None, None, False, None, len(ratios))
    factor = statistics.median(ratios)
    baseline = factor * level
    if baseline <= 0:  # nothing usual to compare with (a metric that is mostly zero)
        return DayCheck(day, value, None, None, None, False, None, len(ratios))
    pooled: list[float] = []
    for offset in range(7):
        weekday_ratios = _ratios(
            series, day - timedelta(days=offset), settings.weeks - 1, holidays, before=reference
        )
        if len(weekday_ratios) >= settings.min_history:
            middle = statistics.median(weekday_ratios)
            pooled.extend(abs(ratio - middle) / middle for ratio in weekday_ratios if middle)
    relative = statistics.median(pooled) * MAD_TO_SIGMA * SMALL_SAMPLE_MAD if pooled else 0.0
    # The baseline is itself estimated (a median of the ratios times a median of the week), so the
    # expected error of a normal day is wider than the noise alone.
    estimate = math.sqrt(1 + MEDIAN_VARIANCE * (1 / len(ratios) + 1 / 7))
    spread = max(relative * estimate, settings.spread_floor) * abs(baseline) or 1e-9
    score = (value - baseline) / spread
    change = (value - baseline) / abs(baseline) if baseline else None
    big_enough = change is None or abs(change) >= settings.min_change
    anomaly = abs(score) >= settings.threshold and big_enough
    direction: Direction | None = ("up" if value > baseline else "down") if anomaly else None
    change_pct = round(change * 100, 1) if change is not None else None
    return DayCheck(
        day, value, round(baseline, 4), change_pct, round(score, 2), anomaly, direction, len(ratios)
    )
