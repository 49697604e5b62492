"""Answering a question in Slack: show progress, answer, and always tell the user something."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answers.assistant import show_working
from bot.answers.streaming import stream_answer
from bot.answers.votes import answer_payload
from bot.core.messages import say
from bot.slack.blocks import failure_notice, notice_message
from knowledge.answer import Draft
from knowledge.conversation import Turn
from knowledge.text import Lang, detect_language

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


def answer_in_thread(
    services: Services,
    client: WebClient,
    channel: str,
    thread_ts: str,
    question: str,
    earlier: Sequence[Turn] = (),
    asker: str = "",
    assistant: bool = False,
    team: str = "",
) -> None:
    """Post a placeholder in the thread, then replace it with the answer (or with why there is none).
    `earlier`: the thread's previous questions and answers, for a follow-up. `assistant`: a DM
    thread, where Slack's loading status stands in for the placeholder when it is offered."""
    lang = detect_language(question)
    if not question:
        client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, **notice_message(say("empty_question", lang))
        )
        return
    remember_thread(services, channel, thread_ts)
    if services.llm_stream is not None:
        if assistant:
            show_working(client, channel, thread_ts, lang)
        _stream_or_reply(services, client, channel, thread_ts, question, earlier, asker, team)
        return
    if assistant and show_working(client, channel, thread_ts, lang):

        def reply(payload: dict[str, Any]) -> None:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)

        _deliver(services, question, lang, reply, channel, earlier, asker)
        return
    placeholder = client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, **notice_message(say("working", lang))
    )
    placeholder_ts = placeholder["ts"]

    def update(payload: dict[str, Any]) -> None:
        try:
            client.chat_update(channel=channel, ts=placeholder_ts, **payload)
        except SlackApiError as error:
            # The placeholder may have been deleted meanwhile: the answer still reaches the thread.
            log.warning(
                "could not update the placeholder (%s); posting the answer", error.response.get("error")
            )
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)

    _deliver(services, question, lang, update, channel, earlier, asker)


def remember_thread(services: Services, channel: str, thread_ts: str) -> None:
    """opsbot answers in this thread: a plain reply there may be for it. Best effort: an answer is
    never held up by the database."""
    try:
        services.threads.remember(channel, thread_ts)
    except Exception:
        log.warning("could not remember the thread %s in %s", thread_ts, channel, exc_info=True)


def _stream_or_reply(
    services: Services,
    client: WebClient,
    channel: str,
    thread_ts: str,
    question: str,
    earlier: Sequence[Turn],
    asker: str,
    team: str,
) -> None:
    """With a model: search first, then stream the model's answer; a question nothing answers (or
    no question) gets its reply at once, with nothing streamed."""
    try:
        draft = services.knowledge.prepare(question, channel=channel, earlier=earlier)
    except Exception:
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            **failure_notice(log, "answering", detect_language(question)),
        )
        return
    if isinstance(draft, Draft):
        stream_answer(services, client, channel, thread_ts, draft, asker, team)
        return
    client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, **answer_payload(services, draft, channel, asker)
    )


def answer_if_found(
    services: Services,
    client: WebClient,
    channel: str,
    thread_ts: str,
    question: str,
    earlier: Sequence[Turn] = (),
    asker: str = "",
) -> None:
    """A reply nobody addressed to opsbot: answered in the thread when there is an answer, and
    otherwise left alone (no placeholder, no "not found"), so opsbot never talks over a thread."""
    try:
        answer = services.knowledge.answer(question, channel=channel, earlier=earlier)
    except Exception:
        log.exception("answering a thread reply failed")
        return
    if answer.found:
        client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, **answer_payload(services, answer, channel, asker)
        )
        remember_thread(services, channel, thread_ts)


def answer_by_response_url(
    services: Services,
    respond: Callable[..., Any],
    question: str,
    channel: str | None = None,
    asker: str = "",
) -> None:
    """Slash-command answers replace the ephemeral 'working on it' message; `channel` is where the
    command was run (None: public documents only)."""
    lang = detect_language(question)

    def update(payload: dict[str, Any]) -> None:
        respond(response_type="ephemeral", replace_original=True, **payload)

    _deliver(services, question, lang, update, channel, asker=asker)


def _deliver(
    services: Services,
    question: str,
    lang: Lang,
    update: Callable[[dict[str, Any]], None],
    channel: str | None,
    earlier: Sequence[Turn] = (),
    asker: str = "",
) -> None:
    """Answers cite only documents the asking channel may see."""
    try:
        answer = services.knowledge.answer(question, channel=channel, earlier=earlier)
    except Exception:
        update(failure_notice(log, "answering", lang))
        return
    update(answer_payload(services, answer, channel, asker))
