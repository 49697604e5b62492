"""`opsbot serve --http`: the Events API (events, commands, interactivity) and a health check."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.engine import Engine
from waitress.server import create_server

from bot.slack.connection import SlackConnection

if TYPE_CHECKING:
    from bot.services import Services
    from bot.workspaces import Workspaces

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]


def create_wsgi_app(
    app: App, services: Services | Workspaces, slack: SlackConnection | None = None
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Slack requests go to Bolt (which verifies signatures; with OAuth it also serves the install
    pages); `/healthz` says 200 once answers can flow, and how the database answers.

    A database that is down does not make it 503: taken out of rotation, no process could tell
    people to try again in a minute (Slack would show its own error instead), so monitoring reads
    `database` in the body."""
    slack_handler = SlackRequestHandler(app, path=EVENTS_PATH)
    database = DatabaseProbe(services.ledger.engine)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ready = services.knowledge.ready and (slack is None or slack.ready)
            status = "200 OK" if ready else "503 Service Unavailable"
            health = {"status": "ok" if ready else "starting", "database": database.status()}
            if slack is not None:
                health["slack"] = "ok" if slack.ready else (slack.problem or "checking")
            body = json.dumps(health)
            data = body.encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
            return [data]
        with services.jobs.answering():
            return slack_handler(environ, start_response)

    return wsgi


class DatabaseProbe:
    """Whether the database answers `SELECT 1`: "ok", "unreachable" (it failed) or "slow" (no answer
    within `budget` seconds). Checked at most every `every` seconds, one check at a time, so health
    probes neither load the database nor pile up behind one that hangs."""

    def __init__(self, engine: Engine, budget: float = 1.0, every: float = 5.0) -> None:
        self._engine = engine
        self._budget = budget
        self._every = every
        self._lock = threading.Lock()
        self._status = "unknown"
        self._checked_at: float | None = None
        self._done: threading.Event | None = None

    def status(self) -> str:
        with self._lock:
            due = self._checked_at is None or time.monotonic() - self._checked_at >= self._every
            if due and self._done is None:
                self._done = threading.Event()
                threading.Thread(target=self._check, args=(self._done,), name="db-probe", daemon=True).start()
            done = self._done
        if done is not None and not done.wait(self._budget):
            return "slow"
        return self._status

    def _check(self, done: threading.Event) -> None:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            status = "ok"
        except Exception as error:
            log.warning("health check: the database is unreachable (%s)", type(error).__name__)
            status = "unreachable"
        with self._lock:
            self._status, self._checked_at, self._done = status, time.monotonic(), None
        done.set()


def create_http_server(  # type: ignore[no-untyped-def]
    app: App, services: Services | Workspaces, host: str, port: int, slack: SlackConnection | None = None
):
    """A waitress server: a thread pool for requests (acks), separate from the job pool (answers)."""
    return create_server(
        create_wsgi_app(app, services, slack),
        host=host,
        port=port,
        threads=services.settings.http_threads,
        connection_limit=2000,
        backlog=2048,
        channel_timeout=30,
        ident="opsbot",
        clear_untrusted_proxy_headers=True,
    )


def serve_until_closed(server) -> None:  # type: ignore[no-untyped-def]
    """Run until `close_server(server)`; waitress's loop then ends with EBADF, the normal way out."""
    with contextlib.suppress(OSError):
        server.run()


def close_server(server, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """Stop serving: the request threads finish the request in hand (up to `timeout` seconds), then
    the sockets close. Closed first, a thread just finishing a request would wake the closed loop
    and log a traceback (EBADF) instead of leaving quietly."""
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout)
    server.close()
