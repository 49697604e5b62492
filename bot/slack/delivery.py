"""Scheduled messages that can be found again in Slack.

Slack has no idempotency key for chat.postMessage: when a call times out, the message may or may not
be there. So every scheduled message (digest, renewal reminder, weekly summary) carries its delivery
key as message metadata, and before sending again after such a failure the scheduler reads the
conversation's latest messages (`conversations.history` with `include_all_metadata`) for it.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.storage.delivery_log import DeliveryKey

EVENT_TYPE = "opsbot_delivery"
PAGES = 3
PAGE_SIZE = 200
"""The newest 600 messages of the conversation are read: a retry follows its failed attempt within
minutes (a dead sender's claim within STALE_CLAIM), so the message, if any, is among them."""


def delivery_metadata(key: DeliveryKey) -> dict[str, Any]:
    """The metadata to post with `key`'s message (Slack keeps it with the message)."""
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"owner": key.owner, "day": key.day.isoformat(), "kind": key.kind},
    }


def find_delivered(client: WebClient, channel: str, key: DeliveryKey) -> tuple[str, str] | None:
    """The (channel, ts) of `key`'s message among the newest in `channel` (a user id: the bot's direct
    message with them), or None. Slack errors are raised for the caller to settle."""
    conversation = channel
    if channel.startswith(("U", "W")):
        conversation = str(client.conversations_open(users=channel)["channel"]["id"])
    wanted = delivery_metadata(key)
    cursor: str | None = None
    for _ in range(PAGES):
        page = client.conversations_history(
            channel=conversation, limit=PAGE_SIZE, include_all_metadata=True, cursor=cursor
        )
        for message in page.get("messages") or []:
            if _same_delivery(message.get("metadata"), wanted):
                return conversation, str(message["ts"])
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "") or None
        if not page.get("has_more") or cursor is None:
            break
    return None


def _same_delivery(metadata: Any, wanted: dict[str, Any]) -> bool:
    return (
        isinstance(metadata, dict)
        and metadata.get("event_type") == wanted["event_type"]
        and metadata.get("event_payload") == wanted["event_payload"]
    )
