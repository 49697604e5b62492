"""Posting the weekly summary to the team's channel once per week.

OPSBOT_WEEKLY_AT names a weekday and a local time ("mon 10:00", "周一 10:00"; default Monday 10:00)
in OPSBOT_WEEKLY_TIMEZONE (default OPSBOT_DEFAULT_TIMEZONE). From that moment until the week ends
(Sunday 24:00 there), a scan every minute finds the summary of the week before due, so a process that
was down at 10:00 still posts it later that week. The delivery log (the digest's, kind "weekly", keyed
by the channel and the summarised week's Monday) makes it one post per week across restarts and
several bot processes.

The post is in Chinese when the weekday in OPSBOT_WEEKLY_AT is written in Chinese ("周一 10:00"),
otherwise in English: the team says which language it wants where it says when.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.core.config import Settings, SettingsError, load_holidays
from bot.core.llm import create_llm
from bot.slack.delivery import deliver_once, delivery_metadata, find_delivered
from bot.slack.health import SlackHealth, health_of
from bot.slack.periodic import PeriodicScan
from bot.storage.delivery_log import Claim, DeliveryLog
from bot.storage.engine import create_db_engine
from bot.storage.team_settings import TeamSettings
from bot.weekly.summary import collect_weekly, compose, weekly_message
from knowledge.answer import LLMCall
from knowledge.text import CJK_CHARACTER
from skills.errors import Lang, SkillError
from skills.schedule import local_day, parse_time, parse_weekdays, parse_zone
from skills.weekly import week_start

log = logging.getLogger(__name__)
KIND = "weekly"
SCAN_SECONDS = 60
_WEEKLY_AT = re.compile(r"^\s*(?P<day>[^\s\d]\S*?)\s*(?P<time>\d{1,2}[:：.]?\d{2})\s*$")


@dataclass(frozen=True)
class WeeklyTiming:
    weekday: int
    """Monday is 0."""
    at: time
    lang: Lang
    """The language of the weekday's name."""


def parse_weekly_at(text: str) -> WeeklyTiming:
    """OPSBOT_WEEKLY_AT: one weekday (en or zh, as `parse_weekdays` reads them) and a 24-hour time;
    SettingsError naming the variable otherwise."""
    problem = f"Setting OPSBOT_WEEKLY_AT: {text!r} is not one weekday and a time; write e.g. mon 10:00 or 周一 10:00."
    match = _WEEKLY_AT.match(text)
    if match is None:
        raise SettingsError(problem)
    try:
        days = parse_weekdays(match["day"])
        at = parse_time(match["time"])
    except SkillError:
        raise SettingsError(problem) from None
    if len(days) != 1:
        raise SettingsError(problem)
    return WeeklyTiming(next(iter(days)), at, "zh" if CJK_CHARACTER.search(match["day"]) else "en")


class WeeklyScheduler(PeriodicScan):
    scan_seconds = SCAN_SECONDS

    def __init__(
        self,
        engine: Engine,
        client: WebClient,
        channel: str,
        timing: WeeklyTiming,
        zone: ZoneInfo,
        holidays: frozenset[date] = frozenset(),
        llm: LLMCall | None = None,
        health: SlackHealth | None = None,
    ) -> None:
        self._engine = engine
        self._client = client
        self.health = health or health_of(client)
        self._channel = channel
        self._timing = timing
        self._zone = zone
        self._holidays = holidays
        self._llm = llm
        self._log = DeliveryLog(engine)

    def due_week(self, now: datetime) -> date | None:
        """The Monday of the week whose summary is due at `now` (the week before the current one),
        once the configured weekday and time have passed in the current local week; else None."""
        local = now.astimezone(self._zone)
        monday = week_start(local.date())
        moment = datetime.combine(
            monday + timedelta(days=self._timing.weekday), self._timing.at, tzinfo=self._zone
        )
        if local < moment:
            return None
        return monday - timedelta(days=7)

    def scan(self, now: datetime | None = None) -> int:
        """Post the summary if it is due and nobody has (1), else 0. Never raises: a failure is
        logged and the next scan tries again."""
        moment = now or datetime.now(UTC)
        try:
            week = self.due_week(moment)
            if week is None or not self.slack_ready(moment):
                return 0
            claim = self._log.claim(self._channel, week, KIND, moment)
            return 1 if claim is not None and self._deliver(claim, moment) else 0
        except Exception:
            log.exception("the weekly summary scan failed; the next scan tries again")
            return 0

    def _deliver(self, claim: Claim, moment: datetime) -> bool:
        post = partial(self._post, claim, moment)
        find = partial(find_delivered, self._client, self._channel, claim.key)
        return deliver_once(self._log, claim, post, find, self.health, moment)

    def _post(self, claim: Claim, moment: datetime) -> tuple[str, str]:
        today = local_day(moment, self._zone)
        summary = collect_weekly(self._engine, today, claim.key.day, self._zone, self._holidays)
        report = compose(summary, self._timing.lang, self._llm)
        response = self._client.chat_postMessage(
            channel=self._channel, metadata=delivery_metadata(claim.key), **weekly_message(report)
        )
        return str(response["channel"]), str(response["ts"])


class ChosenChannelWeekly(PeriodicScan):
    """The weekly summary in the channel a team chose with `/ops weekly channel here` (stored in its
    database, see bot.storage.team_settings). The choice is read at each scan, so a change made through any
    process applies within a minute; no choice, no summary."""

    scan_seconds = SCAN_SECONDS

    def __init__(self, settings: Settings, client: WebClient, engine: Engine | None = None) -> None:
        self._settings = settings
        self._client = client
        self.health = health_of(client)
        self._engine = engine or create_db_engine(settings.db_url)
        self._choices = TeamSettings(self._engine)
        self._chosen: tuple[str, str] | None = None
        self._scheduler: WeeklyScheduler | None = None

    def scan(self, now: datetime | None = None) -> int:
        try:
            chosen = self._choices.weekly()
            if chosen != self._chosen:
                self._scheduler = None if chosen is None else self._scheduler_for(*chosen)
                self._chosen = chosen
        except Exception:
            log.exception("cannot read the weekly summary's channel; the next scan tries again")
            return 0
        return 0 if self._scheduler is None else self._scheduler.scan(now)

    def _scheduler_for(self, channel: str, at: str) -> WeeklyScheduler:
        return _weekly_in(self._settings, self._client, self._engine, channel, at)


def _weekly_in(
    settings: Settings, client: WebClient, engine: Engine, channel: str, at: str
) -> WeeklyScheduler:
    """The summary in `channel` at `at`, in the settings' zone, holidays and LLM (its health is the
    client's, shared with the other schedulers)."""
    return WeeklyScheduler(
        engine,
        client,
        channel,
        parse_weekly_at(at),
        parse_zone(settings.weekly_zone),
        load_holidays(settings),
        create_llm(settings),
    )


def create_weekly_scheduler(settings: Settings, client: WebClient) -> PeriodicScan:
    """OPSBOT_WEEKLY_CHANNEL's scheduler when it is set (its timing, zone and holiday calendar are
    checked at start, so a typo stops opsbot with one line naming the setting); otherwise the one
    that follows the channel the team chooses in Slack."""
    if not settings.weekly_channel:
        return ChosenChannelWeekly(settings, client)
    engine = create_db_engine(settings.db_url)
    return _weekly_in(settings, client, engine, settings.weekly_channel, settings.weekly_at)
