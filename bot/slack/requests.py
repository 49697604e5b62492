"""Who is asking and in which language: what every feature's request handler needs first.

It lives below the features so a command handler can take its request, find its owner and pick a
reply language without importing the router (`bot.listeners.commands`) or another feature."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.files import SharedFile
from bot.storage.owners import Owner, OwnerStore
from knowledge.text import CJK_CHARACTER, Lang, detect_language
from skills.csv_files import header_language
from skills.errors import SkillError
from skills.schedule import parse_zone

log = logging.getLogger(__name__)
_AS_OF = re.compile(r"(?:as-of|as_of|截至)\s*[:=]?\s*(\S+)", re.IGNORECASE)
_LINKS = re.compile(r"<[^>]*>|https?://\S+|\bF[A-Z0-9]{8,}\b")
_COMMAND_WORDS = frozenset({"rfm", "tier", "tiers", "learn", "please", "pls"})


@dataclass(frozen=True)
class SlashRequest:
    ack: Ack
    respond: Respond
    client: WebClient
    rest: str
    """The text after the subcommand name."""
    text: str
    """The whole command text."""
    channel: str
    user: str
    trigger_id: str = ""


def owner_for(store: OwnerStore, client: WebClient, user: str, default_tz: str) -> Owner:
    """The owner, created on first use with the time zone of their Slack profile and the digest
    off: keeping a to-do list does not sign anyone up for daily messages (`/ops digest on` does)."""
    owner = store.get(user)
    if owner is not None:
        return owner
    zone = default_tz
    try:
        profile_zone = client.users_info(user=user)["user"].get("tz")
        if profile_zone:
            parse_zone(str(profile_zone))
            zone = str(profile_zone)
    except (SlackApiError, SkillError) as error:
        log.info("no usable time zone for %s (%s); using %s", user, type(error).__name__, default_tz)
    return store.ensure(user, zone, paused=True)


def slack_locale_language(client: WebClient, user: str, fallback: Lang) -> Lang:
    """The language of the person's Slack locale (zh-CN, zh-TW… → Chinese), else `fallback`."""
    try:
        locale = str(client.users_info(user=user, include_locale=True)["user"].get("locale") or "")
    except SlackApiError:
        return fallback
    if not locale:
        return fallback
    return "zh" if locale.lower().startswith("zh") else "en"


def reply_language(client: WebClient, user: str, words: str, detected: Lang) -> Lang:
    """Chinese words get Chinese; keywords such as `off` or `done 2` say nothing, so the person's
    Slack language decides."""
    if CJK_CHARACTER.search(words):
        return "zh"
    return slack_locale_language(client, user, detected)


def file_request_language(words: str, shared: SharedFile | None = None, content: bytes = b"") -> Lang:
    """The language of what the user wrote about a file (commands, links and dates aside); with no
    words, the language of the file: a Chinese team typing `/ops rfm` on 客户,日期,金额 wants Chinese."""
    words = _AS_OF.sub(" ", _LINKS.sub(" ", words))
    words = " ".join(word for word in words.split() if word.lower() not in _COMMAND_WORDS)
    if any(ch.isalpha() for ch in words):
        return detect_language(words)
    if shared is None:
        return "en"
    return "zh" if CJK_CHARACTER.search(shared.name) else header_language(content)


def as_of_in(words: str) -> str | None:
    """The day a report is as of, when the request names one (`as-of 2026-11-30`, `截至 …`)."""
    match = _AS_OF.search(words)
    return match.group(1) if match else None
