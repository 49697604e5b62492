"""The Bolt app factory: one place that wires settings, services and listeners together."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot import digest_commands, retro
from bot.config import Settings
from bot.listeners import commands, events, feedback
from bot.services import Services

log = logging.getLogger(__name__)


def create_web_client(token: str, base_url: str | None) -> WebClient:
    """A Web API client that waits out 429s (Retry-After) and retries connection and 5xx errors."""
    client = WebClient(token=token, base_url=base_url or WebClient.BASE_URL, timeout=15)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


def create_app(settings: Settings, services: Services, token: str | None = None) -> App:
    """Build the Bolt app. Listeners only ack and enqueue; slow work runs on `services.jobs`."""
    bot_token = token or (settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None)
    if bot_token is None:
        raise ValueError("a bot token is needed to build the Slack app")
    signing_secret = settings.slack_signing_secret
    app = App(
        signing_secret=signing_secret.get_secret_value() if signing_secret else "",
        client=create_web_client(bot_token, settings.slack_api_url),
        process_before_response=True,
        logger=_bolt_logger(),
    )
    app.use(_dedupe_middleware(services))
    events.register(app, services)
    commands.register(app, services)
    feedback.register(app, services)
    digest_commands.register(app, services)
    retro.register(app, services)
    return app


class _TokenFromEnvironmentNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and then warns that the client we built wins; it does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("opsbot.slack")
    if not any(isinstance(f, _TokenFromEnvironmentNotice) for f in logger.filters):
        logger.addFilter(_TokenFromEnvironmentNotice())
    return logger


def _dedupe_middleware(services: Services):  # type: ignore[no-untyped-def]
    """Answer each event once: Slack redelivers (X-Slack-Retry-Num) and a DM may arrive twice."""

    def dedupe(body: dict[str, Any], next) -> BoltResponse | None:  # type: ignore[no-untyped-def]
        if body.get("type") == "event_callback":
            keys = [f"event:{body.get('event_id', '')}"]
            event = body.get("event") or {}
            if event.get("type") in ("app_mention", "message") and event.get("ts"):
                keys.append(f"message:{event.get('channel', '')}:{event['ts']}")
            if not services.ledger.claim(*keys):
                log.info("skipping an event already handled (%s)", keys[0])
                return BoltResponse(status=200, body="")
        return next()

    return dedupe
