"""Scheduled messages sent once, and found again in Slack.

Slack has no idempotency key for chat.postMessage: when a call times out, the message may or may not
be there. So every scheduled message (digest, renewal reminder, weekly summary) carries its delivery
key as message metadata, and before sending again after such a failure the scheduler reads the
conversation's latest messages (`conversations.history` with `include_all_metadata`) for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.health import SlackHealth, auth_error
from bot.storage.delivery_log import Claim, DeliveryKey, DeliveryLog

log = logging.getLogger(__name__)

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


PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "channel_not_found",
        "cannot_dm_bot",
        "not_allowed",
    }
)
"""Slack errors about one recipient that will not pass by retrying on the same day. Not
`account_inactive`: with a bot token Slack means the token's own workspace or app (see
bot.slack.health), which pauses every scheduled job instead of giving up on one person."""
Post = Callable[[], tuple[str, str]]
"""Sends the message; returns Slack's channel and ts."""
Find = Callable[[], tuple[str, str] | None]
"""Looks for the message of a claim's key in Slack; its channel and ts, or None."""
CANNOT_LOOK = frozenset(
    {"missing_scope", "not_in_channel", "channel_not_found", "method_not_supported_for_channel_type"}
)
"""Lookup errors that will not pass: the bot may not read that conversation, so it cannot check."""


def deliver_once(
    delivery_log: DeliveryLog,
    claim: Claim,
    post: Post,
    find: Find | None = None,
    health: SlackHealth | None = None,
    now: datetime | None = None,
) -> bool:
    """Send `claim`'s message with `post`, once. When an earlier attempt may have reached Slack, `find`
    looks for it first and a message found is recorded, not sent again.

    A Slack error that will not pass (the account or channel is gone) ends the tries for that key;
    any other failure gives the claim back for the next scan, marked to be looked up when Slack may
    have the message (a timeout, a 5xx). Once Slack has the message the claim is never given back, so
    a failure to record it cannot cause a second message. When Slack refuses the token itself, the
    claim is given back (the message goes out once the token works again) and `health` pauses the
    scheduled jobs (from `now`, the scan's clock), logging it once."""
    if claim.earlier is not None and find is not None:
        try:
            found = find()
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code not in CANNOT_LOOK:
                _slack_refused(delivery_log, claim, error, health, now, "could not be checked")
                return False
            log.warning(
                "cannot tell whether the %s for %s (%s) reached Slack before (%s); sending it",
                *_named(claim.key),
                code,
            )
            found = None
        except Exception as error:
            delivery_log.release(claim)
            log.warning(
                "the %s for %s (%s) could not be checked (%s); the next scan retries",
                *_named(claim.key),
                type(error).__name__,
            )
            return False
        if found is not None:
            log.info("the %s for %s (%s) had reached Slack; recorded, not sent again", *_named(claim.key))
            return _record(delivery_log, claim, *found)
    try:
        channel, ts = post()
    except SlackApiError as error:
        _slack_refused(delivery_log, claim, error, health, now, "was not sent")
        return False
    except Exception:
        delivery_log.release(claim, maybe_sent=True)  # a timeout, say: Slack may have posted it
        log.exception("the %s for %s (%s) may not have been sent; the next scan checks", *_named(claim.key))
        return False
    return _record(delivery_log, claim, channel, ts)


def _record(delivery_log: DeliveryLog, claim: Claim, channel: str, ts: str) -> bool:
    try:
        delivery_log.sent(claim, channel, ts)
    except Exception:
        log.exception("the %s for %s (%s) was sent but not recorded", *_named(claim.key))
    return True


def _slack_refused(
    delivery_log: DeliveryLog,
    claim: Claim,
    error: SlackApiError,
    health: SlackHealth | None,
    now: datetime | None,
    what: str,
) -> None:
    """Settle a claim after Slack answered with an error: `what` happened to the message."""
    code = str(error.response.get("error") or "")
    if auth_error(error) is not None:
        delivery_log.release(claim)
        if health is not None:
            health.token_refused(code, now)
        else:
            log.error(
                "the %s for %s (%s) %s: Slack refused the bot token (%s); "
                "reinstall the Slack app or set a new SLACK_BOT_TOKEN",
                *_named(claim.key),
                what,
                code,
            )
    elif code in PERMANENT_ERRORS:
        delivery_log.failed(claim, code)
        log.warning("no %s for %s on %s: Slack says %s (not retried for it)", *_named(claim.key), code)
    else:
        # A 5xx may come after the work was done; 429 and Slack's own errors say it was not.
        delivery_log.release(claim, maybe_sent=error.response.status_code >= 500)
        log.warning("the %s for %s (%s) %s (%s); the next scan retries", *_named(claim.key), what, code)


def _named(key: DeliveryKey) -> tuple[str, str, date]:
    return key.kind, key.owner, key.day
