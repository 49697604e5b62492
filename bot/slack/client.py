"""The Web API client every part of opsbot talks to Slack with: the app, the schedulers, the command line."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)


def create_web_client(token: str | None, base_url: str | None, scheduled: bool = False) -> WebClient:
    """A Web API client that waits out 429s (Retry-After) and retries connection and 5xx errors.

    `scheduled`: the client of the digest, renewal and weekly schedulers, which does not retry a 5xx
    itself: Slack may have posted the message before failing, and the delivery log's next attempt
    looks for it in the conversation before posting again (bot.storage.delivery_log), where a blind retry
    would post it twice."""
    client = WebClient(token=token, base_url=base_url or WebClient.BASE_URL, timeout=15)
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
    ]
    if not scheduled:
        client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    return client
