"""The long-lived parts the listeners use, built once per process and passed to `create_app`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.answers.service import Answering, check_chroma, create_knowledge
from bot.core.config import Settings
from bot.core.jobs import JobRunner
from bot.core.llm import LLMStream, create_llm_stream, create_structured_llm
from bot.feedback.service import FeedbackService
from bot.storage.answer_log import AnswerLog
from bot.storage.engine import EventLedger, create_db_engine
from bot.storage.feedback import FeedbackStore
from bot.storage.owners import OwnerStore, TodoStore
from bot.storage.threads import ThreadStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    ledger: EventLedger
    jobs: JobRunner
    knowledge: Answering
    feedback: FeedbackService
    owners: OwnerStore
    todos: TodoStore
    answers: AnswerLog
    threads: ThreadStore
    llm_stream: LLMStream | None = None
    """The model, streaming, when one is configured: answers in threads stream into Slack."""

    def close(self) -> None:
        self.jobs.shutdown()
        self.knowledge.close()


def create_services(
    settings: Settings,
    knowledge: Answering | None = None,
    jobs: JobRunner | None = None,
    ledger: EventLedger | None = None,
) -> Services:
    """Wire storage, the job pool, knowledge (in this process unless one is given) and feedback.
    Several workspaces share one job pool, one event ledger and one index (bot.workspaces)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    check_chroma(settings)  # here too: with answer processes, the index opens in a child process
    engine = create_db_engine(settings.db_url)
    return Services(
        settings,
        ledger or EventLedger(engine),
        jobs or JobRunner(settings.workers),
        knowledge or create_knowledge(settings),
        FeedbackService(FeedbackStore(engine), create_structured_llm(settings)),
        OwnerStore(engine),
        TodoStore(engine),
        AnswerLog(engine),
        ThreadStore(engine),
        create_llm_stream(settings),
    )
