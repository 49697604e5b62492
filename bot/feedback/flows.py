"""Filing feedback from Slack: the message shortcut, `/ops feedback TEXT` and `@opsbot feedback: …`.

Each way writes the item first (in the listener, before Slack gets its ack), then tells the person,
then does the slow parts in a job: the source message's permalink, the category of an item filed
while the model was still loading, the LLM's second opinion, and the post in the category's triage
channel (also on a later delivery of the same message, should a crash have cut the first short).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.messages import say
from bot.feedback.blocks import filed_card, item_language, route_note, triage_post
from bot.feedback.service import PENDING
from bot.slack.blocks import failure_notice, notice_message
from bot.slack.requests import slack_locale_language
from bot.slack.text import escape
from bot.storage.feedback import FeedbackItem, Filed, NewFeedback, as_utc
from knowledge.answer import Answer
from knowledge.text import Lang, detect_language
from skills.errors import SkillError
from skills.feedback_categories import MAX_FEEDBACK_CHARS, check_feedback_text, split_customer

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

Deliver = Callable[[dict[str, Any]], None]
_FEEDBACK_PREFIX = re.compile(r"^\s*(?:feedback|反馈)\s*[:：]\s*", re.IGNORECASE)
RESUME_WINDOW = timedelta(days=1)
"""How far back a restart looks for items whose filing was cut short."""
_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>\s*")


def feedback_in_mention(text: str) -> str | None:
    """The feedback text of `@opsbot feedback: …` (or `反馈:…`), else None (then it is a question).
    Only the leading mention of the bot is taken off; mentions of people inside the text stay."""
    addressed = _LEADING_MENTION.sub("", text, count=1)
    match = _FEEDBACK_PREFIX.match(addressed)
    return addressed[match.end() :] if match else None


def message_time(ts: str | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(ts), UTC) if ts else None
    except ValueError:
        return None


def prepare(text: str) -> tuple[str, str | None]:
    """(feedback text, customer) or SkillError with what to do instead."""
    body, customer = split_customer(text)
    return check_feedback_text(body), customer


def file_safely(services: Services, new: NewFeedback, lang: Lang, deliver: Deliver) -> Filed | None:
    """File; on a storage failure tell the person nothing was filed (never a silent loss)."""
    try:
        return services.feedback.file(new)
    except Exception as error:
        not_filed(lang, deliver, error)
        return None


def not_filed(lang: Lang, deliver: Deliver, error: BaseException | None = None) -> None:
    """Tell the person nothing was saved, with the reference its failure is logged under."""
    deliver(failure_notice(log, "filing feedback", lang, "feedback_not_filed", error=error))


def finish_filing(
    services: Services, client: WebClient, filed: Filed, lang: Lang, deliver: Deliver, shown: bool
) -> None:
    """The slow parts once the item is safe: permalink, category (pending or LLM), triage post.
    The card is (re)sent when it was not shown yet or something on it changed; a failure here
    is told to the person, with the item number (it stays filed)."""
    try:
        _finish(services, client, filed, lang, deliver, shown)
    except Exception:
        item = str(filed.item.id)
        deliver(failure_notice(log, f"finishing feedback #{item}", lang, "feedback_unfinished", id=item))


def _finish(
    services: Services, client: WebClient, filed: Filed, lang: Lang, deliver: Deliver, shown: bool
) -> None:
    store = services.feedback.store
    item = filed.item
    if item.channel and item.message_ts and not item.permalink:
        permalink = _permalink(client, item.channel, item.message_ts)
        if permalink:
            item = store.set_permalink(item.id, permalink) or item
    before = item.category
    item = services.feedback.complete(item)
    if shown and item.corrected_by is not None:
        return  # a person moved it meanwhile: their card stands
    current = store.view(item, created=filed.created)
    note = route(services, client, current, lang)
    answer = _answer(services, item) if filed.created and item.category == "how_to" else None
    if not shown or item.category != before or note or answer is not None:
        deliver(filed_card(current, lang, route_note=note, answer=answer))


def _answer(services: Services, item: FeedbackItem) -> Answer | None:
    """The knowledge index's answer to a how-to question, when it has one (else nothing is said)."""
    try:
        answer = services.knowledge.answer(item.text)
    except Exception:
        log.warning("no answer for how-to feedback #%s", item.id, exc_info=True)
        return None
    return answer if answer.found else None


def route(services: Services, client: WebClient, filed: Filed, lang: Lang) -> str | None:
    """Post the item in its category's triage channel, once per channel even when two jobs race;
    the note for the filer, or None when there is nothing to say."""
    store = services.feedback.store
    item = filed.item
    channel = store.routes().get(item.category)
    if channel is None or not store.claim_route(item.id, channel):
        return None
    try:
        posted = client.chat_postMessage(channel=channel, **triage_post(filed, lang))
    except SlackApiError as error:
        store.finish_route(item.id, None)
        log.warning("could not route feedback #%s to %s: %s", item.id, channel, error.response.get("error"))
        return route_note(channel, str(error.response.get("error") or "error"), lang)
    store.finish_route(item.id, str(posted["ts"]))
    return route_note(channel, None, lang)


def resume_unfinished(services: Services, client: WebClient, window: timedelta = RESUME_WINDOW) -> int:
    """After a restart: give a category to items left pending, and post the items a crash kept
    from their triage channel (only those filed after the route was set). Returns the posts made."""
    store = services.feedback.store
    routed_since = store.route_times()
    posted = 0
    for item in store.unfinished(datetime.now(UTC) - window):
        if item.method == PENDING.method:
            item = services.feedback.complete(item)
        if item.routed_channel is not None:
            store.finish_route(item.id, None)  # claimed by a process that died before it posted
            item = store.get(item.id) or item
        set_at = routed_since.get(item.category)
        if set_at is None or as_utc(item.filed_at) < set_at:
            continue
        if route(services, client, store.view(item), item_language(item)) is not None:
            posted += 1
    return posted


def _permalink(client: WebClient, channel: str, ts: str) -> str | None:
    try:
        return str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
    except SlackApiError as error:
        log.info("no permalink for %s/%s: %s", channel, ts, error.response.get("error"))
        return None


def file_from_shortcut(
    services: Services, client: WebClient, respond: Deliver, shortcut: dict[str, Any]
) -> None:
    """The "File as feedback" message shortcut: the message's author, channel, time and link are
    kept, and its text is filed as written (someone else's words are not parsed for a customer)."""
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id", "")
    filer = (shortcut.get("user") or {}).get("id", "")
    text = (message.get("text") or "").strip()
    message_lang = detect_language(text)

    def deliver(payload: dict[str, Any]) -> None:
        respond({"response_type": "ephemeral", "replace_original": False, **payload})

    if not text:
        services.jobs.submit(
            lambda: deliver(
                notice_message(say("feedback_no_text", slack_locale_language(client, filer, "en")))
            ),
            name="feedback-refused",
        )
        return
    ts = message.get("ts") or shortcut.get("message_ts")
    new = NewFeedback(
        dedupe_key=f"message:{channel}:{ts}",
        text=text[:MAX_FEEDBACK_CHARS],
        reporter=message.get("user") or message.get("bot_id") or filer,
        filed_by=filer,
        source="shortcut",
        lang=message_lang,
        channel=channel,
        message_ts=ts,
        said_at=message_time(ts),
    )
    filed = file_safely(services, new, message_lang, deliver)
    if filed is None:
        return

    def finish() -> None:
        lang = slack_locale_language(client, filer, message_lang)
        if len(text) > MAX_FEEDBACK_CHARS:
            deliver(notice_message(say("feedback_cut", lang, limit=f"{MAX_FEEDBACK_CHARS:,}")))
        finish_filing(services, client, filed, lang, deliver, shown=False)

    services.jobs.submit(finish, name="feedback-shortcut")


def file_from_mention(services: Services, client: WebClient, event: dict[str, Any], text: str) -> None:
    """`@opsbot feedback: …` in a channel or a DM; the card is posted in the thread."""
    channel = event.get("channel", "")
    thread_ts = event.get("thread_ts") or event.get("ts")
    lang = detect_language(text)

    def deliver(payload: dict[str, Any]) -> None:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)

    try:
        body, customer = prepare(text)
    except SkillError as error:
        refusal = say("feedback_empty_mention", lang) if not text.strip() else escape(error.message(lang))
        services.jobs.submit(lambda: deliver(notice_message(refusal)), name="feedback-refused")
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
