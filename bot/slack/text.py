"""Making text that did not come from us safe to post: no pings, no forged links, within limits."""

from __future__ import annotations

import re

_BROADCAST = re.compile(r"@(channel|here|everyone)(?![A-Za-z0-9_])", re.IGNORECASE)
"""Broadcast words, also when a Chinese character follows (`@here请看`): `\\b` sees no boundary
between two letters of any script, so it is an ASCII look-ahead."""
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_MEMBER_ID = re.compile(r"[UW][A-Z0-9]+")
_UNSAFE_IN_URL = re.compile(r"[<>|\s\x00-\x1f\x7f]")
_ZERO_WIDTH_SPACE = "\u200b"
_MARKDOWN_LINK = re.compile(r"\[([^\]\n|]+)\]\(([^)\s]+)\)")


def escape(text: str) -> str:
    """Escape &, <, > (Slack's control characters) and defuse plain-text broadcast words."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda match: f"@{_ZERO_WIDTH_SPACE}{match.group(1)}", escaped)


def unescape(text: str) -> str:
    """Slack's &amp; &lt; &gt; back to the characters: text read back from Slack, or shown in a
    terminal."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_member_id(user: str) -> bool:
    """A Slack member id (U…, or W… on Enterprise Grid): the only thing `<@…>` may wrap."""
    return bool(_MEMBER_ID.fullmatch(user))


def mention(user: str) -> str:
    """`<@U…>` for a member id; anything else (a command-line user name, a bot id, a value from
    a payload) is shown as escaped text rather than as a mention Slack would try to resolve."""
    return f"<@{user}>" if is_member_id(user) else escape(user)


def safe_url(url: str | None) -> str | None:
    """`url` when it may be the target of a `<url|label>` link: http(s), a host, and nothing that
    could end the link or start another (< > |, spaces, control characters); else None."""
    if not url or not url.startswith(("https://", "http://")) or _UNSAFE_IN_URL.search(url):
        return None
    return url if url.split("://", 1)[1].split("/", 1)[0] else None


def strip_bot_mentions(text: str) -> str:
    """The question without the `<@U…>` mention tokens that address the bot."""
    return _MENTION.sub(" ", text).strip()


def markdown_to_mrkdwn(text: str) -> str:
    """Our own answer text uses **bold** and quotes documents' [links](https://…); Slack's mrkdwn
    writes *bold* and <https://…|links>. A link to anything but a plain web address stays text."""

    def link(match: re.Match[str]) -> str:
        label, url = match.group(1), safe_url(match.group(2))
        return f"<{url}|{label}>" if url and label.strip() else match.group(0)

    return _MARKDOWN_LINK.sub(link, text.replace("**", "*"))


def truncate(text: str, limit: int) -> str:
    """Cut at `limit` characters with an ellipsis, never inside an escape sequence."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"
