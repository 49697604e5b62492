"""Making text that did not come from us safe to post: no pings, no forged links, within limits."""

from __future__ import annotations

import re

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_ZERO_WIDTH_SPACE = "\u200b"


def escape(text: str) -> str:
    """Escape &, <, > (Slack's control characters) and defuse plain-text broadcast words."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda match: f"@{_ZERO_WIDTH_SPACE}{match.group(1)}", escaped)


def strip_bot_mentions(text: str) -> str:
    """The question without the `<@U…>` mention tokens that address the bot."""
    return _MENTION.sub(" ", text).strip()


def markdown_to_mrkdwn(text: str) -> str:
    """Our own answer text uses **bold**; Slack's mrkdwn uses *bold*."""
    return text.replace("**", "*")


def truncate(text: str, limit: int) -> str:
    """Cut at `limit` characters with an ellipsis, never inside an escape sequence."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"
