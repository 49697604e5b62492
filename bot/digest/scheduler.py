"""Sending each owner's morning digest once per local working day.

A frequent due-scan (APScheduler, every minute) asks, for every owner, whether their digest is due
now in their own time zone (skills.schedule.is_due: past their digest time, on a working day that
is not a holiday, within the grace period), and sends the ones the delivery log lets it claim. A
clock is passed in, so tests drive the scan across time zones and daylight-saving changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot.core.config import Settings, SettingsError, load_holidays
from bot.core.metrics_sql import MetricsSource, load_source
from bot.core.team_files import health_config
from bot.digest.blocks import digest_message
from bot.digest.collect import collect
from bot.slack.delivery import deliver_once, delivery_metadata, find_delivered
from bot.slack.health import SlackHealth, auth_error, health_of
from bot.slack.periodic import PeriodicScan
from bot.storage.delivery_log import Claim, DeliveryLog
from bot.storage.engine import as_utc, create_db_engine, database_unreachable
from bot.storage.goals import GoalStore
from bot.storage.metrics import MetricStore
from bot.storage.metrics_source import pull
from bot.storage.owners import Owner, OwnerStore
from skills.anomalies import HISTORY_DAYS
from skills.errors import Lang, SkillError
from skills.health import HealthConfig, load_health_config
from skills.schedule import is_due, parse_zone

log = logging.getLogger(__name__)
KIND = "digest"
PULL_EVERY = timedelta(minutes=30)
SCAN_SECONDS = 60


class DigestScheduler(PeriodicScan):
    scan_seconds = SCAN_SECONDS

    def __init__(
        self,
        engine: Engine,
        client: WebClient,
        default_tz: str,
        holidays: frozenset[date] = frozenset(),
        grace_hours: float = 6.0,
        source: MetricsSource | None = None,
        health: SlackHealth | None = None,
        client_health: Callable[[], HealthConfig] | None = None,
    ) -> None:
        self._engine = engine
        self._client_health = client_health or (lambda: load_health_config(None))
        """The team's health settings, read at each digest so an edit applies at once."""
        self.health = health or health_of(client)
        self._client = client
        self._default_tz = default_tz
        self._holidays = holidays
        self._grace_hours = grace_hours
        self._owners = OwnerStore(engine)
        self._log = DeliveryLog(engine)
        self._source = source
        self._pulled_at: datetime | None = None

    def due_day(self, owner: Owner, now: datetime) -> date | None:
        """The local day whose digest `owner` should get at `now`, or None."""
        if owner.paused:
            return None
        day = is_due(
            now, parse_zone(owner.tz), owner.digest_time, owner.weekdays, self._holidays, self._grace_hours
        )
        if day is None or (owner.snoozed_until is not None and day <= owner.snoozed_until):
            return None
        return day

    def scan(self, now: datetime | None = None) -> int:
        """Send every digest due at `now`; returns how many this call sent. One owner's trouble
        never stops the others."""
        moment = now or datetime.now(UTC)
        if not self.slack_ready(moment):
            return 0
        due: list[tuple[Owner, date]] = []
        for owner in self._owners.all():
            try:
                day = self.due_day(owner, moment)
            except Exception:
                log.exception("cannot tell whether %s is due; the others go on", owner.user)
                continue
            if day is not None:
                due.append((owner, day))
        if due:
            # One query, rather than a claim a minute for each owner already sent today.
            settled = self._log.settled(KIND, {day for _, day in due})
            due = [(owner, day) for owner, day in due if (owner.user, day, KIND) not in settled]
        if due:
            self._refresh_metrics(moment)
        sent = 0
        for owner, day in due:
            if self.slack_paused():
                break
            try:
                claim = self._log.claim(owner.user, day, KIND, moment)
                if claim is not None and self._deliver(owner, claim, moment):
                    sent += 1
            except OperationalError as error:
                log.warning("the digest scan stops until the next minute: %s", database_unreachable(error))
                break  # the database is down for every owner: one line, not one traceback each
            except Exception:
                log.exception("the digest scan failed for %s; the others go on", owner.user)
        return sent

    def _refresh_metrics(self, moment: datetime) -> None:
        """Pull from the team's database before digests go out (at most every PULL_EVERY)."""
        if self._source is None or (self._pulled_at is not None and moment - self._pulled_at < PULL_EVERY):
            return
        self._pulled_at = moment
        try:
            saved = pull(
                self._source, MetricStore(self._engine), moment.date() - timedelta(days=HISTORY_DAYS)
            )
            log.info("pulled %s metric values before the digests", saved)
        except Exception:
            log.exception("pulling metrics failed; digests use the numbers already stored")

    def send_now(self, user: str, day: date) -> bool:
        """Send `user`'s digest for `day` now (the command line's --send); False when it was already
        sent (or is being sent). A failure is raised, after the claim is given back."""
        owner = self._owners.ensure(user, self._default_tz)
        claim = self._log.claim(user, day, KIND)
        if claim is None:
            return False
        if not self._deliver(owner, claim):
            raise RuntimeError(f"the digest for {user} was not sent; see the log")
        return True

    def _deliver(self, owner: Owner, claim: Claim, now: datetime | None = None) -> bool:
        post = partial(self._post, owner, claim)
        find = partial(find_delivered, self._client, owner.user, claim.key)
        return deliver_once(self._log, claim, post, find, self.health, now)

    def _post(self, owner: Owner, claim: Claim) -> tuple[str, str]:
        day = claim.key.day
        previous = self._log.last_sent(owner.user, KIND)
        since = as_utc(previous.claimed_at) if previous is not None and previous.day < day else None
        try:
            health = self._client_health()
        except SkillError as error:  # a broken team file must not stop the digest: defaults, and say so
            log.warning("client health settings refused, using the defaults: %s", error.en)
            health = load_health_config(None)
        digest = collect(
            self._engine,
            owner.user,
            day,
            self._default_tz,
            feedback_since=since,
            holidays=self._holidays,
            health=health,
        )
        lang = self._profile_language(owner.user)
        response = self._client.chat_postMessage(
            channel=owner.user, metadata=delivery_metadata(claim.key), **digest_message(digest, lang)
        )
        goals = GoalStore(self._engine)
        for status in digest.retros_due:  # asked once: the next digest does not ask again
            goals.mark_retro_asked(status.goal.name)
        return str(response["channel"]), str(response["ts"])

    def _profile_language(self, user: str) -> Lang:
        """The owner's Slack language; their profile's time zone is kept up to date on the way
        (they moved, or travel), unless they chose one themselves."""
        try:
            profile = self._client.users_info(user=user, include_locale=True)["user"]
        except SlackApiError as error:
            if auth_error(error) is not None:
                raise  # the token itself: deliver_once pauses the scheduled jobs
            return "en"
        zone = str(profile.get("tz") or "")
        if zone:
            try:
                parse_zone(zone)
                self._owners.follow_slack_zone(user, zone)
            except SkillError:
                log.info("ignoring the unknown time zone %r of %s", zone, user)
        return "zh" if str(profile.get("locale") or "").lower().startswith("zh") else "en"


def create_digest_scheduler(settings: Settings, client: WebClient) -> DigestScheduler:
    """The scheduler from settings: the team's holiday calendar is read (and checked) at start."""
    holidays = load_holidays(settings)
    source = None
    if settings.metrics_sql is not None:
        try:
            source = load_source(settings.metrics_sql)
        except SkillError as error:
            raise SettingsError(f"Setting OPSBOT_METRICS_SQL: {error.en}") from None
    engine = create_db_engine(settings.db_url)
    return DigestScheduler(
        engine,
        client,
        settings.default_timezone,
        holidays,
        settings.digest_grace_hours,
        source,
        client_health=lambda: health_config(settings),
    )
