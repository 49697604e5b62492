"""Filing feedback from Slack: the message shortcut, `/ops feedback TEXT` and `@opsbot feedback: …`.

Each way writes the item first (in the listener, before Slack gets its ack), then tells the person,
then does the slow parts in a job: the source message's permalink, the LLM's second opinion, and the
post in the category's triage channel.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import notice_message
from bot.feedback_blocks import filed_card, route_note, triage_post
from bot.feedback_store import Filed, NewFeedback
from bot.messages import say
from bot.services import Services
from knowledge.text import Lang, detect_language
from skills.errors import SkillError
from skills.feedback_categories import check_feedback_text, split_customer

log = logging.getLogger(__name__)

Deliver = Callable[[dict[str, Any]], None]
_FEEDBACK_PREFIX = re.compile(r"^\s*(?:feedback|反馈)\s*[:：]\s*", re.IGNORECASE)


def feedback_in_mention(text: str) -> str | None:
    """The feedback text of `feedback: …` (or `反馈:…`), else None (then it is a question)."""
    match = _FEEDBACK_PREFIX.match(text)
    return text[match.end() :] if match else None


def message_time(ts: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(ts), UTC) if ts else None
    except ValueError:
        return None


def prepare(text: str, lang: Lang) -> tuple[str, str | None]:
    """(feedback text, customer) or SkillError with what to do instead."""
    body, customer = split_customer(text)
    return check_feedback_text(body), customer


def file_safely(services: Services, new: NewFeedback, lang: Lang, deliver: Deliver) -> Filed | None:
    """File; on a storage failure tell the person nothing was filed (never a silent loss)."""
    try:
        return services.feedback.file(new)
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("filing feedback failed (reference %s)", reference)
        deliver(notice_message(say("feedback_not_filed", lang, ref=reference)))
        return None


def finish_filing(
    services: Services, client: WebClient, filed: Filed, lang: Lang, deliver: Deliver, shown: bool
) -> None:
    """The slow parts after the item is safe: permalink, LLM category, triage post; then the card
    is (re)sent when it was not shown yet or something on it changed."""
    item = filed.item
    changed = False
    if filed.created and item.channel and item.message_ts and not item.permalink:
        permalink = _permalink(client, item.channel, item.message_ts)
        if permalink:
            item = services.feedback.store.set_permalink(item.id, permalink) or item
    if filed.created and services.feedback.uses_llm:
        refined = services.feedback.refine(item)
        changed = refined.category != item.category
        item = refined
    filed = services.feedback.store.view(item, created=filed.created)
    note = route(services, client, filed, lang) if filed.created else None
    if not shown or changed or note:
        deliver(filed_card(filed, lang, route_note=note))


def route(services: Services, client: WebClient, filed: Filed, lang: Lang) -> str | None:
    """Post the item in its category's triage channel (once per channel); the note for the filer."""
    item = filed.item
    channel = services.feedback.store.routes().get(item.category)
    if channel is None or item.routed_channel == channel:
        return None
    try:
        posted = client.chat_postMessage(channel=channel, **triage_post(filed, lang))
    except SlackApiError as error:
        log.warning("could not route feedback #%s to %s: %s", item.id, channel, error.response.get("error"))
        return route_note(channel, str(error.response.get("error") or "error"), lang)
    services.feedback.store.mark_routed(item.id, channel, str(posted["ts"]))
    return route_note(channel, None, lang)


def _permalink(client: WebClient, channel: str, ts: str) -> str | None:
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except SlackApiError as error:
        log.info("no permalink for %s/%s: %s", channel, ts, error.response.get("error"))
        return None


def file_from_shortcut(
    services: Services, client: WebClient, respond: Deliver, shortcut: dict[str, Any]
) -> None:
    """The "File as feedback" message shortcut: the message's author, channel, time and link are kept."""
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id", "")
    filer = (shortcut.get("user") or {}).get("id", "")
    text = message.get("text") or ""
    lang = detect_language(text)

    def deliver(payload: dict[str, Any]) -> None:
        respond({"response_type": "ephemeral", "replace_original": False, **payload})

    try:
        body, customer = prepare(text, lang)
    except SkillError as error:
        deliver(notice_message(error.message(lang)))
        return
    ts = message.get("ts") or shortcut.get("message_ts")
    new = NewFeedback(
        dedupe_key=f"message:{channel}:{ts}",
        text=body,
        reporter=message.get("user") or message.get("bot_id") or filer,
        filed_by=filer,
        source="shortcut",
        lang=lang,
        customer=customer,
        channel=channel,
        message_ts=ts,
        said_at=message_time(ts),
    )
    filed = file_safely(services, new, lang, deliver)
    if filed is not None:
        services.jobs.submit(
            lambda: finish_filing(services, client, filed, lang, deliver, shown=False),
            name="feedback-shortcut",
        )


def file_from_mention(services: Services, client: WebClient, event: dict[str, Any], text: str) -> None:
    """`@opsbot feedback: …` in a channel or a DM; the card is posted in the thread."""
    channel = event.get("channel", "")
    thread_ts = event.get("thread_ts") or event.get("ts")
    lang = detect_language(text)

    def deliver(payload: dict[str, Any]) -> None:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)

    try:
        body, customer = prepare(text, lang)
    except SkillError as error:
        refusal = notice_message(error.message(lang))
        services.jobs.submit(lambda: deliver(refusal), name="feedback-refused")
        return
    user = event.get("user", "")
    new = NewFeedback(
        dedupe_key=f"message:{channel}:{event.get('ts')}",
        text=body,
        reporter=user,
        filed_by=user,
        source="mention",
        lang=lang,
        customer=customer,
        channel=channel,
        message_ts=event.get("ts"),
        said_at=message_time(event.get("ts")),
    )
    filed = file_safely(services, new, lang, deliver)
    if filed is not None:
        services.jobs.submit(
            lambda: finish_filing(services, client, filed, lang, deliver, shown=False),
            name="feedback-mention",
        )
