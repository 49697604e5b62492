"""Scheduled work for every workspace installed through OAuth, on one scan thread.

Each minute the installations are read from the root database, so a workspace installed through
another process (or uninstalled: Bolt deletes its bot token) is picked up or dropped without a
restart. Each workspace has its own digest, renewal and weekly-summary schedulers (the summary in the
channel it chose with `/ops weekly channel here`) over its own database, with its
own bot token and its own bot.slack.health.SlackHealth: a workspace whose token Slack refuses
pauses alone, and one failing workspace never stops the others' digests. As with one workspace,
the delivery log's unique key makes every delivery happen once across processes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from bot.core.config import Settings, SettingsError
from bot.digest.scheduler import create_digest_scheduler
from bot.feedback.flows import resume_unfinished
from bot.renewal.scheduler import create_renewal_scheduler
from bot.slack.client import create_web_client
from bot.slack.periodic import PeriodicScan
from bot.storage.engine import create_db_engine
from bot.storage.installations import installed_workspaces
from bot.weekly.scheduler import ChosenChannelWeekly
from bot.workspaces import Workspaces

log = logging.getLogger(__name__)


@dataclass
class _Scheduled:
    token: str
    scans: list[PeriodicScan]


def check_multi_workspace_settings(settings: Settings) -> None:
    """Settings that name one team's things cannot serve several workspaces: stop at start with one
    line rather than post one team's data into another's workspace."""
    for variable, value in (
        ("OPSBOT_METRICS_SQL", settings.metrics_sql),
        ("OPSBOT_WEEKLY_CHANNEL", settings.weekly_channel),
    ):
        if value:
            raise SettingsError(
                f"Setting {variable} names one team's data or channel; unset it to serve several "
                "workspaces (SLACK_CLIENT_ID): each workspace loads its metrics with /ops and "
                "chooses its weekly summary's channel with /ops weekly channel here."
            )


class WorkspaceJobs(PeriodicScan):
    """Every installed workspace's digests, renewal reminders and weekly summaries."""

    def __init__(self, settings: Settings, workspaces: Workspaces, engine: Engine | None = None) -> None:
        assert settings.slack_client_id is not None
        self._settings = settings
        self._workspaces = workspaces
        self._engine = engine or create_db_engine(settings.root_db_url)
        self._client_id = settings.slack_client_id
        self._scheduled: dict[str, _Scheduled] = {}

    @property
    def workspaces(self) -> list[str]:
        """The team ids whose jobs run now."""
        return sorted(self._scheduled)

    def scan(self, now: datetime | None = None) -> int:
        moment = now or datetime.now(UTC)
        installed = {found.team_id: found for found in installed_workspaces(self._engine, self._client_id)}
        for team_id in set(self._scheduled) - set(installed):
            del self._scheduled[team_id]
            log.info("workspace %s is no longer installed: its scheduled jobs stop", team_id)
        sent = 0
        for team_id, found in installed.items():
            scheduled = self._scheduled.get(team_id)
            try:
                if scheduled is None or scheduled.token != found.bot_token:
                    scheduled = self._schedule(team_id, found.bot_token)
                for job in scheduled.scans:
                    sent += job.scan(moment)
            except Exception:
                log.exception("the scheduled jobs of workspace %s failed this minute", team_id)
        return sent

    def _schedule(self, team_id: str, token: str) -> _Scheduled:
        """A newly seen workspace (or a new token after a reinstall): its schedulers, and feedback a
        crash left unfinished there is resumed, as at a single workspace's start."""
        client = create_web_client(token, self._settings.slack_api_url, scheduled=True)
        settings = self._settings.for_workspace(team_id)
        digests = create_digest_scheduler(settings, client)
        renewals = create_renewal_scheduler(settings, client)  # the same client: one SlackHealth
        weekly = ChosenChannelWeekly(settings, client)
        scheduled = _Scheduled(token, [digests, renewals, weekly])
        self._scheduled[team_id] = scheduled
        services = self._workspaces.for_team(team_id)
        self._workspaces.jobs.submit(lambda: resume_unfinished(services, client), name="feedback-resume")
        log.info("scheduled jobs for workspace %s", team_id)
        return scheduled
