"""No secret reaches the log: logging is set up the way the app does it (DEBUG, so every library's
chatter is in), a full run goes through the real Bolt app over signed HTTP (answers, commands, a
forged request, feedback, the digest, LLM calls that work and fail, Slack errors, a traceback), and
the captured log text, and anything else written to stdout or stderr, is searched for every secret."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from bot.app import create_app
from bot.core.config import Settings
from bot.core.llm import create_llm
from bot.core.logs import configure_logging
from bot.core.metrics_sql import load_source
from bot.digest.scheduler import DigestScheduler
from bot.local.slack_api import BOT_USER_ID, LocalSlack
from bot.services import Services
from bot.slack.health import RECHECK
from bot.slack.http import close_server, create_http_server, serve_until_closed
from bot.storage.engine import create_db_engine
from bot.storage.owners import Owner
from knowledge.answer import Answerer
from tests.conftest import db_url_for, make_settings
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_requests import post, send_command, send_event, signed_headers

BOT_TOKEN = "xoxb-7311-SECRETBOT-q8Zr2"
APP_TOKEN = "xapp-1-A07-SECRETAPP-q8Zr2"
SIGNING_SECRET = "signing-Q8zr2-secret-a81f0c"
OPENAI_KEY = "sk-test-SECRETOPENAI-q8Zr2x"
DB_PASSWORD = "Dbpw-q8Zr2-77x"
DATABASE_URL = f"postgresql+psycopg://opsbot:{DB_PASSWORD}@127.0.0.1:9/opsbot"
METRICS_PASSWORD = "Metricspw-q8Zr2-55y"
"""Inside the OPSBOT_METRICS_SQL file, not a setting of its own: bot.core.logs reads it from there."""
SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, OPENAI_KEY, DATABASE_URL, DB_PASSWORD, METRICS_PASSWORD)
MONDAY_NINE_IN_SHANGHAI = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@dataclass
class SecretRun:
    url: str
    slack: LocalSlack
    openai: FakeOpenAI
    services: Services
    settings: Settings
    log: io.StringIO

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"


@pytest.fixture
def secret_run(services: Services, tmp_path: Path) -> Iterator[SecretRun]:
    """The `running` fixture's app, built from settings full of distinctive secrets, with the
    logging of the app (DEBUG) writing into a buffer. The logging set-up is undone afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    slack, openai = LocalSlack(), FakeOpenAI()
    slack_url, openai_url = slack.start(), openai.start()
    metrics = tmp_path / "metrics.yml"
    metrics.write_text(
        f"url: postgresql+psycopg://reader:{METRICS_PASSWORD}@127.0.0.1:9/analytics\n"
        "queries:\n  sales: SELECT day, SUM(amount) FROM orders WHERE day >= :since GROUP BY day\n",
        encoding="utf-8",
    )
    secrets: dict[str, object] = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": openai_url,
        "SLACK_API_BASE_URL": slack_url,
        "OPSBOT_METRICS_SQL": str(metrics),
        "OPSBOT_LOG_LEVEL": "DEBUG",
    }
    # The records stay where the shared `services` keeps them (SQLite takes no password); logging is
    # told about a DATABASE_URL with one, as a deployment on PostgreSQL would be.
    settings = make_settings(tmp_path, **secrets)
    configure_logging(make_settings(tmp_path, DATABASE_URL=DATABASE_URL, **secrets))
    buffer = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    services.settings = settings
    app = create_app(settings, services)
    server = create_http_server(app, services, "127.0.0.1", 0)
    thread = threading.Thread(target=serve_until_closed, args=(server,), daemon=True)
    thread.start()
    try:
        yield SecretRun(
            f"http://127.0.0.1:{server.effective_port}", slack, openai, services, settings, buffer
        )
    finally:
        close_server(server)
        thread.join(timeout=5)
        services.jobs.drain(timeout=30)
        slack.stop()
        openai.stop()
        root.handlers, root.level = saved_handlers, saved_level
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def _mention(text: str, ts: str) -> dict:  # type: ignore[type-arg]
    return {
        "type": "app_mention",
        "user": "U123",
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": "C123",
    }


def _responses(run: SecretRun, count: int) -> None:
    assert run.slack.wait_for(lambda s: len(s.responses) >= count, timeout=60), run.slack.responses


def _updates(run: SecretRun, count: int) -> None:
    assert run.slack.wait_for(lambda s: len(s.calls_to("chat.update")) >= count, timeout=60)


def _drive_a_full_run(run: SecretRun) -> None:
    """Every path named in the module docstring, each checked to have really happened."""
    index = run.services.knowledge.answerer.index
    run.services.knowledge = SimpleNamespace(  # type: ignore[assignment]
        answer=Answerer(index, llm=create_llm(run.settings)).answer, ready=True, close=lambda: None
    )
    assert (
        send_event(run.events_url, SIGNING_SECRET, _mention("how do I run a retrospective?", "1.1"), "Ev1")
        == 200
    )
    _updates(run, 1)
    assert run.openai.requests and run.openai.requests[-1]["auth"] == f"Bearer {OPENAI_KEY}"

    run.openai.status = 500  # the LLM fails; the answer must still come, the failure be logged
    asked = len(run.openai.requests)
    assert send_event(run.events_url, SIGNING_SECRET, _mention("what is RFM?", "1.2"), "Ev2") == 200
    _updates(run, 2)
    assert len(run.openai.requests) > asked
    run.openai.status = 200

    run.slack.fail_next("chat.update", 200, error="message_not_found")  # a Slack API error
    assert send_event(run.events_url, SIGNING_SECRET, _mention("what is a funnel?", "1.3"), "Ev3") == 200
    assert run.slack.wait_for(
        lambda s: len(s.calls_to("chat.update")) >= 4 or len(s.calls_to("chat.postMessage")) >= 4
    )

    status, body = send_command(
        run.events_url, SIGNING_SECRET, "/ops", "help", run.slack.response_url("help")
    )
    assert status == 200 and body
    send_command(run.events_url, SIGNING_SECRET, "/ops", "ask what is RFM?", run.slack.response_url("ask"))
    _responses(run, 1)

    forged = json.dumps({"type": "event_callback", "event_id": "Ev9", "event": _mention("hi", "1.9")})
    assert (
        post(run.events_url, forged, signed_headers(forged, "not-the-secret"), "application/json")[0] == 401
    )

    status, body = send_command(
        run.events_url,
        SIGNING_SECRET,
        "/ops",
        "feedback Acme: the export button crashes every time",
        run.slack.response_url("fb"),
        trigger_id="t-fb",
    )
    assert status == 200 and "Filed as" in body

    run.slack.user_timezones["U123"] = "Asia/Shanghai"
    before = len(run.slack.responses)
    send_command(run.events_url, SIGNING_SECRET, "/ops", "digest on", run.slack.response_url("d"))
    _responses(run, before + 1)
    run.services.jobs.drain(timeout=30)

    engine = create_db_engine(db_url_for(run.settings.home))
    run.services.owners.ensure("UBAD", "UTC")
    with engine.begin() as connection:  # a zone that no longer parses: the scan logs a traceback
        connection.execute(update(Owner).where(Owner.user == "UBAD").values(tz="Mars/Olympus"))
    client = WebClient(token=BOT_TOKEN, base_url=run.slack.base_url)
    source = load_source(run.settings.metrics_sql)  # type: ignore[arg-type]
    scheduler = DigestScheduler(engine, client, "UTC", source=source)
    run.slack.fail_next("chat.postMessage", 200, error="invalid_auth")  # the token refused once
    assert scheduler.scan(MONDAY_NINE_IN_SHANGHAI) == 0
    assert scheduler.scan(MONDAY_NINE_IN_SHANGHAI + RECHECK) == 1, "the digest DM, once the token works"
    assert run.slack.calls_to("chat.postMessage")[-1].params["channel"] == "U123"

    try:  # opsbot's own database unreachable (the password is in its URL)
        create_db_engine(DATABASE_URL)
    except OperationalError:
        logging.getLogger("opsbot.test").exception("the database cannot be used")
    run.services.jobs.drain(timeout=30)


def test_no_secret_reaches_the_log_of_a_full_run(
    secret_run: SecretRun, capfd: pytest.CaptureFixture[str]
) -> None:
    _drive_a_full_run(secret_run)
    logging.getLogger("opsbot.test").debug("self-check: %s %s", BOT_TOKEN, METRICS_PASSWORD)
    time.sleep(0.2)  # the last lines of the server threads
    text = secret_run.log.getvalue()
    captured = capfd.readouterr()
    everything = "\n".join((text, captured.out, captured.err))
    for marker in (
        "DEBUG",
        "Traceback",
        "invalid_auth",
        "the database cannot be used",
        "cannot tell whether",
    ):
        assert marker in text, f"the log did not capture the run ({marker!r} missing)"
    assert len(text.splitlines()) > 50
    assert "self-check: [redacted] [redacted]" in text, "the capture goes through the app's filter"
    leaks = [secret for secret in SECRETS if secret in everything]
    assert leaks == [], [line for line in everything.splitlines() if any(s in line for s in leaks)][:5]
    for fragment in ("SECRETBOT", "SECRETAPP", "SECRETOPENAI", "q8Zr2"):
        assert fragment not in everything, [line for line in everything.splitlines() if fragment in line][:5]
