"""Many workspaces in one opsbot: each installed workspace gets its own services over its own
database, and its own slice of the one knowledge index; the job pool and the index are shared.

With one workspace (SLACK_BOT_TOKEN) there is a single set of services and nothing is scoped, so
an existing install keeps its data and its document names as they are.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace

from slack_bolt import BoltContext

from bot.answers.service import Answering
from bot.core.config import TEAM_ID, Settings
from bot.core.jobs import JobRunner
from bot.services import Services, create_services
from bot.storage.engine import EventLedger
from knowledge.answer import Answer, Draft
from knowledge.conversation import Turn
from knowledge.index import SourceRecord
from knowledge.ingest import IngestReport

log = logging.getLogger(__name__)


class UnknownWorkspace(LookupError):
    """A request names no workspace opsbot can keep data for."""


class ScopedKnowledge:
    """The shared index as one workspace sees it. Its documents' names carry the workspace
    (`T1/slack/…`, so two workspaces' `retro/7.md` never collide) and their restriction is the
    workspace (`T1`) or one of its private channels (`T1:C…`); answers and listings see the public
    playbook plus the workspace's own, never another workspace's (knowledge.index.visible_scopes)."""

    def __init__(self, shared: Answering, team_id: str) -> None:
        self._shared = shared
        self.team_id = team_id
        self._prefix = f"{team_id}/"

    @property
    def ready(self) -> bool:
        return self._shared.ready

    def start_warm_up(self) -> None:
        self._shared.start_warm_up()

    def answer(self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()) -> Answer:
        return self._unscoped(self._shared.answer(question, self._scope(channel), earlier))

    def prepare(
        self, question: str, channel: str | None = None, earlier: Sequence[Turn] = ()
    ) -> Answer | Draft:
        draft = self._shared.prepare(question, self._scope(channel), earlier)
        if isinstance(draft, Answer):
            return self._unscoped(draft)
        sources = [replace(c, source=self._unscoped_source(c.source)) for c in draft.sources]
        return replace(draft, sources=sources, fallback=self._unscoped(draft.fallback))

    def _unscoped(self, answer: Answer) -> Answer:
        citations = [replace(c, source=self._unscoped_source(c.source)) for c in answer.citations]
        return replace(answer, citations=citations)

    def ingest(
        self, source: str, name: str, data: bytes, url: str | None = None, visibility: str = ""
    ) -> IngestReport:
        report = self._shared.ingest(self._prefix + source, name, data, url, self._scope(visibility))
        for names in (report.added, report.updated, report.unchanged):
            names[:] = [self._unscoped_source(source) for source in names]
        return report

    def sources(self) -> list[SourceRecord]:
        """Public sources and this workspace's, with the names and restrictions it gave them."""
        mine = []
        for record in self._shared.sources():
            if not record.visibility:
                mine.append(record)
            elif record.visibility == self.team_id or record.visibility.startswith(f"{self.team_id}:"):
                channel = record.visibility.removeprefix(self.team_id).removeprefix(":")
                mine.append(replace(record, source=self._unscoped_source(record.source), visibility=channel))
        return mine

    def forget(self, source: str) -> int:
        return self._shared.forget(self._prefix + source)

    def close(self) -> None:
        """The shared index belongs to `Workspaces`, which closes it once."""

    def _scope(self, channel: str | None) -> str:
        return f"{self.team_id}:{channel}" if channel else self.team_id

    def _unscoped_source(self, source: str) -> str:
        return source.removeprefix(self._prefix)


class Workspaces:
    """Which services a Slack request uses: the single set, or (OAuth installs) its workspace's,
    made on first use and kept for the life of the process."""

    def __init__(
        self,
        settings: Settings,
        ledger: EventLedger,
        knowledge: Answering,
        jobs: JobRunner,
        single: Services | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.knowledge = knowledge
        self.jobs = jobs
        self._single = single
        self._by_team: dict[str, Services] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, services: Services) -> Workspaces:
        """One workspace: every request uses `services`."""
        return cls(services.settings, services.ledger, services.knowledge, services.jobs, services)

    @property
    def multi(self) -> bool:
        return self._single is None

    def for_context(self, context: BoltContext) -> Services:
        return self.for_team(context.team_id or context.enterprise_id)

    def for_team(self, team_id: str | None) -> Services:
        """The workspace's services; UnknownWorkspace for a request without a usable team id."""
        if self._single is not None:
            return self._single
        if not team_id or not TEAM_ID.fullmatch(team_id):
            raise UnknownWorkspace(f"no workspace for team id {str(team_id)[:40]!r}")
        with self._lock:
            services = self._by_team.get(team_id)
            if services is None:
                services = create_services(
                    self.settings.for_workspace(team_id),
                    knowledge=ScopedKnowledge(self.knowledge, team_id),
                    jobs=self.jobs,
                    ledger=self.ledger,
                )
                services.feedback.start_warm_up()
                self._by_team[team_id] = services
                log.info("serving workspace %s", team_id)
        return services

    def close(self) -> None:
        self.jobs.shutdown()
        self.knowledge.close()
