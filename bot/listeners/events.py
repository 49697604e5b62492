"""Event listeners: mentions in channels and direct messages, answered in the question's thread.

A message that carries files (a CSV shared in a DM, or with a mention) is an analysis request;
one that starts with `feedback:` (or `反馈:`) is filed as feedback.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.answers.answering import answer_in_thread
from bot.feedback.flows import feedback_in_mention, file_from_mention
from bot.listeners.files import on_shared_files
from bot.services import Services
from bot.slack.text import strip_bot_mentions
from bot.workspaces import Workspaces

_USER_MESSAGE_SUBTYPES = (None, "file_share")


def register(app: App, workspaces: Workspaces) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        _dispatch(workspaces.for_context(context), client, event)

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        from_a_person = event.get("subtype") in _USER_MESSAGE_SUBTYPES and not event.get("bot_id")
        if event.get("channel_type") == "im" and from_a_person:
            _dispatch(workspaces.for_context(context), client, event)


def _dispatch(services: Services, client: WebClient, event: dict[str, Any]) -> None:
    feedback = feedback_in_mention(event.get("text") or "")
    if feedback is not None:
        file_from_mention(services, client, event, feedback)  # a screenshot with it is fine
        return
    if event.get("files"):
        services.jobs.submit(lambda: on_shared_files(services, client, event), name="analyse-files")
        return
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    question = strip_bot_mentions(event.get("text") or "")
    services.jobs.submit(
        lambda: answer_in_thread(services, client, channel, thread_ts, question), name="answer-question"
    )
