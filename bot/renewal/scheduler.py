"""Renewal reminders: each client's owner gets the brief in a DM 90, 60 and 30 days (the policy's
`reminder_days`) before the contract ends, once each.

A scan (every few minutes) looks at every client with a contract end and a Slack member as owner,
finds the latest reminder milestone reached (a client imported 45 days before its end gets the
60-day brief, not the 90-day one too), and sends it once the owner's local working day has reached
their digest time (09:00 unless they chose another). The delivery log, shared with the digests, makes
it once: its key is (owner, milestone day, "renewal:N:<client>"), so restarts, a second process or a
scan that runs late never send a milestone twice, and a renewed contract (a new end date) starts over.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime, timedelta
from functools import partial

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.core.config import Settings, SettingsError, load_holidays
from bot.core.llm import create_llm
from bot.core.messages import say
from bot.renewal.briefs import DraftedBrief, brief_for, client_draft, renewal_blocks, renewal_policy
from bot.renewal.chart import usage_chart
from bot.slack.delivery import deliver_once, delivery_metadata, find_delivered
from bot.slack.files import Upload, share_files
from bot.slack.health import SlackHealth, health_of
from bot.slack.periodic import PeriodicScan
from bot.slack.requests import slack_locale_language
from bot.slack.text import escape
from bot.storage.clients import ClientStore
from bot.storage.delivery_log import Claim, DeliveryLog
from bot.storage.engine import create_db_engine
from bot.storage.owners import DEFAULT_DIGEST_TIME, DEFAULT_WORKING_DAYS, Owner, OwnerStore
from knowledge.answer import LLMCall
from skills.client_roster import ClientRecord
from skills.errors import SkillError
from skills.schedule import parse_time, parse_zone

log = logging.getLogger(__name__)
SCAN_SECONDS = 300
KIND_PREFIX = "renewal:"


def reminder_kind(client_id: str, days: int) -> str:
    """The delivery log's kind for one milestone of one client (fits the log's 32 characters)."""
    return f"{KIND_PREFIX}{days}:{hashlib.sha1(client_id.encode()).hexdigest()[:16]}"


def milestone(contract_end: date, today: date, reminder_days: tuple[int, ...]) -> int | None:
    """The latest milestone reached on `today` (days before the end), or None (too early, or ended)."""
    left = (contract_end - today).days
    if left < 0:
        return None
    reached = [days for days in reminder_days if left <= days]
    return min(reached) if reached else None


class RenewalScheduler(PeriodicScan):
    scan_seconds = SCAN_SECONDS

    def __init__(
        self,
        engine: Engine,
        client: WebClient,
        settings: Settings,
        holidays: frozenset[date] = frozenset(),
        llm: LLMCall | None = None,
        health: SlackHealth | None = None,
    ) -> None:
        self._engine = engine
        self._client = client
        self.health = health or health_of(client)
        self._settings = settings
        self._holidays = holidays
        self._llm = llm
        self._clients = ClientStore(engine)
        self._owners = OwnerStore(engine)
        self._log = DeliveryLog(engine)

    def _local_today(self, owner: Owner | None, now: datetime) -> date | None:
        """The owner's local day when it is a working day past their digest time, else None."""
        zone = parse_zone(owner.tz if owner else self._settings.default_timezone)
        at = parse_time(owner.digest_at if owner else DEFAULT_DIGEST_TIME)
        weekdays = owner.weekdays if owner else frozenset(int(d) for d in DEFAULT_WORKING_DAYS.split(","))
        local = now.astimezone(zone)
        if local.weekday() not in weekdays or local.date() in self._holidays or local.time() < at:
            return None
        return local.date()

    def scan(self, now: datetime | None = None) -> int:
        """Send every reminder due at `now`; returns how many were sent. One client's trouble never
        stops the others, and a bad policy file stops none of the digests."""
        moment = now or datetime.now(UTC)
        if not self.slack_ready(moment):
            return 0
        policy = renewal_policy(self._settings)
        owners = {owner.user: owner for owner in self._owners.all()}
        settled = self._log.settled(KIND_PREFIX)
        sent = 0
        for record in self._clients.with_contract_end():
            if self.slack_paused():
                break
            if not record.owner_is_slack_member or record.contract_end is None:
                continue
            try:
                today = self._local_today(owners.get(record.owner), moment)
                days = milestone(record.contract_end, today, policy.reminder_days) if today else None
                if today is None or days is None:
                    continue
                day, kind = record.contract_end - timedelta(days=days), reminder_kind(record.id, days)
                if (record.owner, day, kind) in settled:
                    continue
                claim = self._log.claim(record.owner, day, kind, moment)
                delivered = claim is not None and deliver_once(
                    self._log,
                    claim,
                    partial(self._post, record, today, claim),
                    partial(find_delivered, self._client, record.owner, claim.key),
                    self.health,
                    moment,
                )
                if delivered:
                    sent += 1
            except Exception:
                log.exception("the renewal reminder for a client failed; the others go on")
        return sent

    def _post(self, record: ClientRecord, today: date, claim: Claim) -> tuple[str, str]:
        lang = slack_locale_language(self._client, record.owner, "en")
        brief = brief_for(self._engine, self._settings, record, today)
        payload = renewal_blocks(DraftedBrief(brief, client_draft(self._llm, brief, lang), lang))
        lead = (
            f"{record.name} 的合同还有 {brief.days_to_renewal} 天到期:续约简报如下。"
            if lang == "zh"
            else f"{record.name}'s contract ends in {brief.days_to_renewal} days: here is the renewal brief."
        )
        response = self._client.chat_postMessage(
            channel=record.owner,
            text=escape(lead),
            blocks=payload["blocks"],
            unfurl_links=False,
            metadata=delivery_metadata(claim.key),
        )
        chart = usage_chart(brief, lang)
        if chart is not None:
            title = f"{record.name} · {say('usage', lang)}"
            error = share_files(
                self._client,
                str(response["channel"]),
                [Upload("renewal-usage.png", chart, title)],
                escape(title),
            )
            if error is not None:
                log.info("the renewal chart was not shared (%s); the brief was", error)
        return str(response["channel"]), str(response["ts"])


def create_renewal_scheduler(settings: Settings, client: WebClient) -> RenewalScheduler:
    """The scheduler from settings; the policy is checked now, so a bad file stops opsbot at start."""
    try:
        renewal_policy(settings)
    except SkillError as error:
        raise SettingsError(f"Setting OPSBOT_RENEWAL_POLICY: {error.en}") from None
    engine = create_db_engine(settings.db_url)
    return RenewalScheduler(engine, client, settings, load_holidays(settings), create_llm(settings))
