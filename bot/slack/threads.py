"""Reading a thread opsbot is part of, so a follow-up question is answered in its conversation.

The thread is read with conversations.replies when a question arrives in it and is not kept: only
the earlier questions and opsbot's answers are passed on, and only for that one answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.text import strip_bot_mentions, unescape
from knowledge.conversation import Turn

log = logging.getLogger(__name__)

PAGE = 200
MAX_PAGES = 5
"""A thread is read up to 1,000 messages; a longer one is answered from its first 1,000."""


@dataclass(frozen=True)
class ThreadMessage:
    ts: str
    text: str
    by_opsbot: bool
    by_a_person: bool


def read_thread(
    client: WebClient, channel: str, thread_ts: str, bot_user_id: str | None
) -> list[ThreadMessage]:
    """The thread's messages, oldest first; empty when Slack cannot say (the root was deleted, the
    thread is gone, or opsbot may not read the channel)."""
    messages: list[ThreadMessage] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        try:
            page = client.conversations_replies(channel=channel, ts=thread_ts, limit=PAGE, cursor=cursor)
        except SlackApiError as error:
            log.info("cannot read thread %s in %s (%s)", thread_ts, channel, error.response.get("error"))
            return messages
        messages.extend(_message(raw, bot_user_id) for raw in page.get("messages") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            break
    return messages


def _message(raw: dict[str, Any], bot_user_id: str | None) -> ThreadMessage:
    by_opsbot = bool(bot_user_id) and raw.get("user") == bot_user_id
    by_a_person = not by_opsbot and not raw.get("bot_id") and raw.get("subtype") in (None, "thread_broadcast")
    return ThreadMessage(str(raw.get("ts", "")), unescape(str(raw.get("text") or "")), by_opsbot, by_a_person)


def opsbot_is_in(messages: Sequence[ThreadMessage]) -> bool:
    return any(message.by_opsbot for message in messages)


def turns_before(messages: Sequence[ThreadMessage], ts: str) -> list[Turn]:
    """The questions opsbot answered before `ts`, each with its answer. People's talk among
    themselves in the thread is not opsbot's conversation and is left out."""
    turns: list[Turn] = []
    question: str | None = None
    for message in messages:
        if _later_or_same(message.ts, ts):
            break
        if message.by_a_person:
            question = strip_bot_mentions(message.text) or None
        elif message.by_opsbot and question is not None:
            turns.append(Turn(question, message.text))
            question = None
    return turns


def _later_or_same(ts: str, than: str) -> bool:
    try:
        return float(ts) >= float(than)
    except ValueError:
        return False
