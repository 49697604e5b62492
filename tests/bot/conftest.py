"""Fixtures for the Slack side: the real Bolt app served over HTTP against a loopback Slack API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.app import create_app
from bot.http import create_http_server, serve_until_closed
from bot.local_slack import LocalSlack
from bot.services import Services
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
def running(services: Services, tmp_path) -> Iterator[Running]:  # type: ignore[no-untyped-def]
    slack = LocalSlack()
    base_url = slack.start()
    services.settings = make_settings(tmp_path, SLACK_API_BASE_URL=base_url)
    app = create_app(services.settings, services)
    server = create_http_server(app, services, "127.0.0.1", 0)
    thread = threading.Thread(target=serve_until_closed, args=(server,), daemon=True)
    thread.start()
    yield Running(f"http://127.0.0.1:{server.effective_port}", slack, services)
    server.close()
    thread.join(timeout=5)
    slack.stop()
