"""Event listeners: mentions in channels, direct messages, and replies in threads opsbot is part of.

A message that carries files (a CSV shared in a DM, or with a mention) is an analysis request;
one that starts with `feedback:` (or `反馈:`) is filed as feedback. A question asked inside a
thread is answered in the thread's conversation: its earlier questions and answers resolve what a
follow-up refers to. A plain reply (no mention) in a thread opsbot answered in is answered too,
but only when the playbook or the team's documents have something to say: it was not addressed to
opsbot, so "thanks" or a remark to a colleague gets no reply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.answers.answering import answer_if_found, answer_in_thread
from bot.answers.assistant import name_thread, on_messages_tab, on_thread_started
from bot.feedback.flows import feedback_in_mention, file_from_mention
from bot.home.listeners import publish_home
from bot.listeners.files import on_shared_files
from bot.reports.funnel import funnel_message
from bot.services import Services
from bot.slack.text import strip_bot_mentions
from bot.slack.threads import opsbot_is_in, read_thread, turns_before
from bot.workspaces import Workspaces
from knowledge.conversation import Turn
from knowledge.text import detect_language

_USER_MESSAGE_SUBTYPES = (None, "file_share", "thread_broadcast")
_ADDRESSED_TO = re.compile(r"^\s*<@([UW][A-Z0-9]+)")
_FUNNEL = re.compile(r"^\s*(?:/funnel\s+|(?:funnel|漏斗)[:：]?\s*(?=\d))(\S.*)$", re.IGNORECASE | re.DOTALL)
"""A funnel typed in a DM (a suggested prompt sends `/funnel …` as a message): the /funnel reply."""


def register(app: App, workspaces: Workspaces) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        _dispatch(workspaces.for_context(context), client, event, context.bot_user_id)

    @app.event("assistant_thread_started")
    def on_assistant_thread(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        services = workspaces.for_context(context)
        services.jobs.submit(lambda: on_thread_started(services, client, event), name="assistant-thread")

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """The Home tab gets the person's to-dos and digest; the Messages tab, suggested prompts."""
        services = workspaces.for_context(context)
        user = str(event.get("user") or "")
        if event.get("tab") == "home":
            services.jobs.submit(lambda: publish_home(services, client, user), name="app-home")
        elif event.get("tab") == "messages":
            services.jobs.submit(lambda: on_messages_tab(client, event), name="messages-tab")

    @app.event("assistant_thread_context_changed")
    def on_context_changed() -> None:
        """The channel a person looks at beside the assistant: answers do not depend on it."""

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        from_a_person = event.get("subtype") in _USER_MESSAGE_SUBTYPES and not event.get("bot_id")
        if not from_a_person:
            return  # opsbot's own messages, other bots, edits and deletions are not questions
        if event.get("channel_type") == "im":
            _dispatch(workspaces.for_context(context), client, event, context.bot_user_id)
        elif _in_a_thread(event):
            _thread_reply(workspaces.for_context(context), client, event, context.bot_user_id)


def _dispatch(services: Services, client: WebClient, event: dict[str, Any], bot_user_id: str | None) -> None:
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
    direct = event.get("channel_type") == "im"
    if direct and (expression := _FUNNEL.match(question)):
        lang = detect_language(expression.group(1))
        payload, _ = funnel_message(expression.group(1), lang)
        services.jobs.submit(
            lambda: client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload), name="dm-funnel"
        )
        return

    def answer() -> None:
        earlier = _earlier(client, event, bot_user_id) if _in_a_thread(event) else []
        assistant = direct and _in_a_thread(event)  # Slack's assistant threads are DM threads
        if assistant and not earlier:
            name_thread(client, channel, thread_ts, question)
        asker = str(event.get("user") or "")
        team = str(event.get("team") or event.get("user_team") or "")
        answer_in_thread(
            services, client, channel, thread_ts, question, earlier, asker, assistant=assistant, team=team
        )

    services.jobs.submit(answer, name="answer-question")


def _thread_reply(
    services: Services, client: WebClient, event: dict[str, Any], bot_user_id: str | None
) -> None:
    """A reply with no mention in a channel thread: answered only in a thread opsbot has answered in
    (its store says so before anything is read), never when addressed to someone else (it starts
    with their mention) and never twice (a reply that mentions opsbot is the mention listener's)."""
    text = event.get("text") or ""
    addressed = _ADDRESSED_TO.match(text)
    if (bot_user_id and f"<@{bot_user_id}" in text) or (addressed and addressed.group(1) != bot_user_id):
        return
    if event.get("files") or not text.strip():
        return
    channel, thread_ts = event["channel"], event["thread_ts"]

    def answer() -> None:
        if not services.threads.answered_in(channel, thread_ts):
            return  # people talking among themselves: the thread is not even read
        messages = read_thread(client, channel, thread_ts, bot_user_id)
        if not opsbot_is_in(messages):
            return
        question = strip_bot_mentions(text)
        earlier = turns_before(messages, event["ts"])
        answer_if_found(services, client, channel, thread_ts, question, earlier, str(event.get("user") or ""))

    services.jobs.submit(answer, name="answer-thread-reply")


def _in_a_thread(event: dict[str, Any]) -> bool:
    return bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")


def _earlier(client: WebClient, event: dict[str, Any], bot_user_id: str | None) -> Sequence[Turn]:
    messages = read_thread(client, event["channel"], event["thread_ts"], bot_user_id)
    return turns_before(messages, event["ts"])
