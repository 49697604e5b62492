"""An LLM answer streamed into its thread as the model writes it (chat.startStream, appendStream,
stopStream through slack_sdk's chat_stream), then replaced by the checked answer.

The search and the relevance gate run first, so a question nothing answers is never streamed. The
streamed text is escaped and held back where it could still become a broadcast (`@chan…`) or the
model's NOT_COVERED. When the stream stops, the message is updated to the final answer: the same
text with its sources and 👍/👎 when every claim cites a source, else the offline answer with a
note saying the model's answer cited none (or failed). Slack without streaming, or a stream that
breaks, gets the final answer as a plain reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answers.votes import answer_payload
from bot.slack.text import escape
from knowledge.answer import NOT_COVERED, Draft, finish_llm_answer

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

BUFFER = 48
"""Characters gathered before Slack is called: lively, and well under Slack's rate limits."""
_HOLD = 12
"""A tail this long after an `@` is held until it cannot be the start of @channel or @everyone."""


class SafeText:
    """Escapes a stream of text for Slack, releasing only what can no longer change meaning."""

    def __init__(self) -> None:
        self._pending = ""
        self._started = False

    def feed(self, text: str) -> str:
        self._pending += text
        if not self._started:
            if NOT_COVERED.startswith(self._pending.strip()):
                return ""  # it may yet be NOT_COVERED, which is never shown
            self._started = True
        cut = len(self._pending)
        at = self._pending.rfind("@")
        if at != -1 and len(self._pending) - at < _HOLD:
            cut = at
        released, self._pending = self._pending[:cut], self._pending[cut:]
        return escape(released)

    def close(self) -> str:
        if not self._started and self._pending.strip().startswith(NOT_COVERED):
            return ""
        released, self._pending = self._pending, ""
        return escape(released)


def stream_answer(
    services: Services,
    client: WebClient,
    channel: str,
    thread_ts: str,
    draft: Draft,
    asker: str,
    team: str,
) -> None:
    assert services.llm_stream is not None
    streamer = client.chat_stream(
        channel=channel,
        thread_ts=thread_ts,
        recipient_user_id=asker or None,
        recipient_team_id=team or None,
        buffer_size=BUFFER,
    )
    safe = SafeText()
    parts: list[str] = []
    streaming = True
    try:
        for token in services.llm_stream(draft.messages):
            parts.append(token)
            released = safe.feed(token)
            if streaming and released:
                streaming = _send(streamer.append, markdown_text=released)
        answer = finish_llm_answer(draft, "".join(parts))
    except Exception as error:  # the model failed mid-way: the offline answer replaces what was shown
        log.warning("streaming LLM answer failed, using the extractive answer: %s", type(error).__name__)
        answer = replace(draft.fallback, note="llm_unavailable")
    if streaming:
        tail = safe.close()
        streaming = _send(streamer.stop, markdown_text=tail or None)
    payload = answer_payload(services, answer, channel, asker)
    if streaming and streamer.ts:
        client.chat_update(channel=channel, ts=streamer.ts, **payload)
    else:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)


def _send(call: Callable[..., object], **arguments: object) -> bool:
    """Run one stream call; False (and stop streaming) when Slack refuses it."""
    try:
        call(**arguments)
    except SlackApiError as error:
        log.info("streaming into Slack stopped (%s); the answer is sent whole", error.response.get("error"))
        return False
    return True
