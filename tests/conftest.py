"""Shared fixtures: one real playbook index per test session, fresh storage per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.feedback_service import FeedbackService
from bot.feedback_store import FeedbackStore
from bot.jobs import JobRunner
from bot.owner_store import OwnerStore, TodoStore
from bot.services import KnowledgeService, Services
from bot.storage import EventLedger, create_db_engine, sqlite_url
from knowledge.embedders import Embedder, create_embedders
from skills.feedback_classifier import FeedbackClassifier

POSTGRES_ADMIN_URL = os.environ.get("OPSBOT_TEST_DATABASE_URL")
"""A PostgreSQL server (CI starts one): set, every test gets a database of its own there, named by
DATABASE_URL, instead of SQLite in its temp folder."""
SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-0000"


def db_url_for(home: Path) -> str:
    """The database a test uses: the test's PostgreSQL database, else SQLite in `home`."""
    return os.environ.get("DATABASE_URL") or sqlite_url(home)


@pytest.fixture(autouse=True)
def _postgres_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """With OPSBOT_TEST_DATABASE_URL, a fresh PostgreSQL database per test, dropped afterwards."""
    if not POSTGRES_ADMIN_URL:
        monkeypatch.delenv("DATABASE_URL", raising=False)
        yield
        return
    name = f"opsbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def make_settings(home: Path, **values: object) -> Settings:
    """Settings that ignore the developer's environment and `.env`."""
    base: dict[str, object] = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "OPSBOT_HOME": str(home),
    }
    base.update(values)
    return Settings(_env_file=None, **base)  # type: ignore[call-arg]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Slack or LLM settings from the developer's shell, and no `.env` from the working directory."""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def playbook_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("opsbot-home")


@pytest.fixture(scope="session")
def knowledge(playbook_home: Path) -> KnowledgeService:
    """The shipped playbook indexed once with the default embedder."""
    service = KnowledgeService(make_settings(playbook_home), embedders=_default_embedders, llm=None)
    service.warm_up()
    return service


def _default_embedders() -> list[Embedder]:
    return create_embedders(Settings.model_fields["embedder"].default)


@pytest.fixture(scope="session")
def feedback_classifier() -> FeedbackClassifier:
    """The shipped categorizer, fitted once per session (a fit takes seconds)."""
    return FeedbackClassifier.default()


@pytest.fixture
def services(
    tmp_path: Path, knowledge: KnowledgeService, feedback_classifier: FeedbackClassifier
) -> Iterator[Services]:
    settings = make_settings(tmp_path)
    engine = create_db_engine(settings.db_url)
    feedback = FeedbackService(FeedbackStore(engine), base=feedback_classifier.fork)
    feedback.offline()  # as after the start-up warm-up; the pending path has its own test
    built = Services(
        settings,
        EventLedger(engine),
        JobRunner(workers=2),
        knowledge,
        feedback,
        OwnerStore(engine),
        TodoStore(engine),
    )
    yield built
    built.close()
