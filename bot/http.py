"""`opsbot serve --http`: the Events API (events, commands, interactivity) and a health check."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from bot.services import Services
from bot.workspaces import Workspaces

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]


def create_wsgi_app(
    app: App, services: Services | Workspaces
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Slack requests go to Bolt (which verifies signatures; with OAuth it also serves the install
    pages); `/healthz` says 200 once answers can flow."""
    slack_handler = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ready = services.knowledge.ready
            status = "200 OK" if ready else "503 Service Unavailable"
            body = b'{"status":"ok"}' if ready else b'{"status":"starting"}'
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack_handler(environ, start_response)

    return wsgi


def create_http_server(app: App, services: Services | Workspaces, host: str, port: int):  # type: ignore[no-untyped-def]
    """A waitress server: a thread pool for requests (acks), separate from the job pool (answers)."""
    return create_server(
        create_wsgi_app(app, services),
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
    """Run until `server.close()`; waitress's loop then ends with EBADF, which is the normal way out."""
    with contextlib.suppress(OSError):
        server.run()
