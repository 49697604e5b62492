"""Event listeners: mentions in channels and direct messages, answered in the question's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.answering import answer_in_thread
from bot.services import Services
from bot.slack_text import strip_bot_mentions


def register(app: App, services: Services) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient) -> None:
        _enqueue_question(services, client, event)

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient) -> None:
        is_plain_user_message = event.get("subtype") is None and not event.get("bot_id")
        if event.get("channel_type") == "im" and is_plain_user_message:
            _enqueue_question(services, client, event)


def _enqueue_question(services: Services, client: WebClient, event: dict[str, Any]) -> None:
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    question = strip_bot_mentions(event.get("text") or "")
    services.jobs.submit(
        lambda: answer_in_thread(services, client, channel, thread_ts, question), name="answer-question"
    )
