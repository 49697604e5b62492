"""Fixtures for the Slack side: the real Bolt app served over HTTP against a loopback Slack API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.app import create_app
from bot.local.slack_api import LocalSlack
from bot.services import Services
from bot.slack.http import close_server, create_http_server, serve_until_closed
from skills.feedback_classifier import FeedbackClassifier
from tests.conftest import make_settings


@dataclass
class Running:
    url: str
    slack: LocalSlack
    services: Services

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    """The loopback Slack API alone, for code that calls Slack without the Bolt app (schedulers)."""
    local = LocalSlack()
    local.start()
    yield local
    local.stop()


@pytest.fixture
def running(services: Services, tmp_path) -> Iterator[Running]:  # type: ignore[no-untyped-def]
    slack = LocalSlack()
    base_url = slack.start()
    services.settings = make_settings(tmp_path, SLACK_API_BASE_URL=base_url)
    app = create_app(services.settings, services)
    server = create_http_server(app, services, "127.0.0.1", 0)
    thread = threading.Thread(target=serve_until_closed, args=(server,), daemon=True)
    thread.start()
    yield Running(f"http://127.0.0.1:{server.effective_port}", slack, services)
    close_server(server)
    thread.join(timeout=5)
    slack.stop()


@pytest.fixture
def cli_home(
    clean_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path,  # type: ignore[no-untyped-def]
    feedback_classifier: FeedbackClassifier,
):  # type: ignore[no-untyped-def]
    """A fresh OPSBOT_HOME for the command line, with the session's fitted categorizer."""
    monkeypatch.setenv("OPSBOT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OPSBOT_LOG_LEVEL", "WARNING")
    monkeypatch.setattr(FeedbackClassifier, "default", feedback_classifier.fork)
    return tmp_path / "home"
