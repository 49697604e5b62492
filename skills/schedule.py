"""When an owner's working day is: time zones, digest times and working days, checked and parsed.

Pure functions of what the caller passes (no clock): the scheduler asks `local_day` and `is_due`
with the current instant.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from skills.errors import SkillError, quoted

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：.]?([0-5]\d)$")


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone (Asia/Shanghai, America/New_York); a typo gets the nearest names."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file path
        close = difflib.get_close_matches(name.strip(), _zone_names(), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(close)}?" if close else " Use a name such as Asia/Shanghai."
        hint_zh = f"是不是 {'、'.join(close)}?" if close else "请使用 Asia/Shanghai 这样的名称。"
        raise SkillError(
            f"Unknown time zone {quoted(name)}.{hint}", f"不认识的时区 {quoted(name)}。{hint_zh}"
        ) from None


def parse_time(text: str) -> time:
    """09:00, 9:30, 0830 or 8.30 (24-hour)."""
    match = _TIME.match(text.strip())
    if match is None:
        raise SkillError(
            f"{quoted(text)} is not a time of day; write it as 09:00 (24-hour).",
            f"{quoted(text)} 不是有效的时间,请写成 09:00(24 小时制)。",
        )
    return time(int(match.group(1)), int(match.group(2)))


def parse_weekdays(text: str) -> frozenset[int]:
    """`mon-fri`, `mon,wed,fri`, `周一至周五`, `1-5` (Monday is 0 in the result). A range may wrap
    past Sunday: `sun-thu` / `周日至周四` is a Middle-East or a shift team's week."""
    cleaned = text.strip().lower().replace("周", "").replace("星期", "").replace("至", "-").replace("到", "-")
    days: set[int] = set()
    for part in re.split(r"[,，、\s]+", cleaned):
        if not part:
            continue
        bounds = part.split("-")
        if len(bounds) > 2:
            raise _bad_days(text)
        first, last = _weekday(bounds[0], text), _weekday(bounds[-1], text)
        days.update(day % 7 for day in range(first, last + 1 if last >= first else last + 8))
    if not days:
        raise _bad_days(text)
    return frozenset(days)


def _weekday(token: str, original: str) -> int:
    if token[:3] in WEEKDAYS:
        return WEEKDAYS.index(token[:3])
    if token in _ZH_WEEKDAYS:
        return _ZH_WEEKDAYS[token]
    if token.isdecimal() and 1 <= int(token) <= 7:  # not isdigit: "²" is a digit int() cannot read
        return int(token) - 1
    raise _bad_days(original)


def _bad_days(text: str) -> SkillError:
    return SkillError(
        f"{quoted(text)} is not a list of weekdays; write e.g. mon-fri or mon,wed,fri.",
        f"{quoted(text)} 不是有效的工作日,请写成 周一至周五 或 mon,wed,fri。",
    )


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    """The owner's calendar day at `instant` (an aware datetime)."""
    return instant.astimezone(zone).date()


def is_due(
    instant: datetime,
    zone: ZoneInfo,
    at: time,
    working_days: frozenset[int],
    holidays: frozenset[date] = frozenset(),
    grace_hours: float = 6.0,
) -> date | None:
    """The local day whose digest is due at `instant`, or None. Due once the local time has passed
    `at` on a working, non-holiday day, and until `grace_hours` later, also past midnight (a restart
    that missed the moment still sends it; one that comes back much later does not). Daylight-saving
    changes are zoneinfo's: a 09:00 digest stays at 09:00 local time, and the grace is counted in
    wall-clock hours."""
    local = instant.astimezone(zone)
    for day in (local.date(), local.date() - timedelta(days=1)):
        if day.weekday() not in working_days or day in holidays:
            continue
        start = datetime.combine(day, at, tzinfo=zone)
        elapsed = (local.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds()
        if 0 <= elapsed <= grace_hours * 3600:
            return day
    return None


def next_digest(
    instant: datetime,
    zone: ZoneInfo,
    at: time,
    working_days: frozenset[int],
    holidays: frozenset[date] = frozenset(),
    snoozed_until: date | None = None,
) -> datetime | None:
    """When the next digest is due after `instant`, in the owner's zone: the first working,
    non-holiday day past any snooze whose digest time is still ahead; None when no day qualifies
    (no working days)."""
    if not working_days:
        return None
    day = instant.astimezone(zone).date()
    for _ in range(400):
        moment = datetime.combine(day, at, tzinfo=zone)
        skipped = snoozed_until is not None and day <= snoozed_until
        if day.weekday() in working_days and day not in holidays and not skipped and moment > instant:
            return moment
        day += timedelta(days=1)
    return None


def snooze_until(
    first: date, digests: int, working_days: frozenset[int], holidays: frozenset[date] = frozenset()
) -> date:
    """The last day of a snooze that skips `digests` digests, counting from `first`: only working
    days that are not team holidays count, since no digest would have come on the others."""
    if not 1 <= digests <= 90 or not working_days:
        raise SkillError(
            "Snooze for 1 to 90 digest days, e.g. `/ops digest snooze 3d`.",
            "暂停天数应为 1 到 90 天,例如 `/ops digest snooze 3d`。",
        )
    day, counted = first, 0
    while True:
        if day.weekday() in working_days and day not in holidays:
            counted += 1
            if counted == digests:
                return day
        day += timedelta(days=1)


def parse_holidays(text: str) -> frozenset[date]:
    """The team calendar: one date (YYYY-MM-DD) per line, `#` starts a comment."""
    days: set[date] = set()
    bad: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            days.add(date.fromisoformat(entry))
        except ValueError:
            bad.append(number)
    if bad:
        lines = ", ".join(str(n) for n in bad[:5])
        raise SkillError(
            f"The holiday calendar has lines that are not dates (YYYY-MM-DD): {lines}.",
            f"节假日日历中有无法识别的日期(应为 YYYY-MM-DD):第 {lines} 行。",
        )
    return frozenset(days)
