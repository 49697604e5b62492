"""An LLM answer streamed into its thread as the model writes it (chat.startStream, appendStream,
stopStream through slack_sdk's chat_stream), then replaced by the checked answer.

The search and the relevance gate run first, so a question nothing answers is never streamed. The
streamed text is escaped and held back where it could still become a broadcast (`@chan…`) or the
model's NOT_COVERED. A sentence that holds a number is shown only once it is complete and its
numbers are ones the sources, the question or the conversation give (the check the final answer
passes too): a figure the model made up is never on screen, not even for the seconds before the
offline answer replaces it. When the stream stops, the message is updated to the final answer: the
same text with its sources and 👍/👎 when it is grounded, else the offline answer with a note
saying why (no citation, an unbacked number, a failure). Slack without streaming, or a stream that
breaks, gets the final answer as a plain reply."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answers.votes import answer_payload
from bot.slack.text import escape
from knowledge.answer import CITATION_MARK, NOT_COVERED, Draft, fall_back, finish_llm_answer, unbacked_numbers

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


_SENTENCE_END = re.compile(r"[。！？!?；;\n]|[.:](?=\s)")
_DIGIT = re.compile(r"\d")
_MARK_BEING_WRITTEN = re.compile(r"\[\d{0,2}$")


class BackedText:
    """Releases a model's streamed text only as far as its numbers are backed by `facts`.

    Text with no digit streams as it comes. From a sentence's first digit on, the text waits for
    the sentence's end; the whole sentence is then checked (a direction word before a number counts)
    and released, or, when a number in it is unbacked, nothing more is released at all. Citation
    marks ([1]) are not numbers."""

    def __init__(self, facts: Sequence[str]) -> None:
        self._facts = facts
        self._held = ""
        self._sentence = ""  # the released part of the sentence being written
        self.unbacked = False

    def feed(self, text: str) -> str:
        self._held += text
        released = ""
        while not self.unbacked:
            digit = _first_digit(self._held)
            if digit is None:
                released += self._release(len(self._held))
                break
            end = _SENTENCE_END.search(self._held, digit)
            if end is None:
                released += self._release(digit)
                break
            if not self._backed(self._held[: end.end()]):
                self.unbacked = True
                break
            released += self._release(end.end())
        return released

    def close(self) -> str:
        """The last sentence, if its numbers are backed."""
        if not self.unbacked and not self._backed(self._held):
            self.unbacked = True
        return "" if self.unbacked else self._release(len(self._held))

    def _backed(self, text: str) -> bool:
        return not unbacked_numbers(self._sentence + text, self._facts)

    def _release(self, cut: int) -> str:
        released, self._held = self._held[:cut], self._held[cut:]
        ends = list(_SENTENCE_END.finditer(self._sentence + released))
        self._sentence = (self._sentence + released)[ends[-1].end() :] if ends else self._sentence + released
        return released


def _first_digit(text: str) -> int | None:
    """Where the first digit that is not part of a citation mark is; a mark still being written
    (`[1`) counts as one until it closes."""
    masked = CITATION_MARK.sub(lambda mark: " " * len(mark.group(0)), text)
    digit = _DIGIT.search(masked)
    open_mark = _MARK_BEING_WRITTEN.search(masked)
    positions = [match.start() for match in (digit, open_mark) if match is not None]
    return min(positions) if positions else None


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
    backed = BackedText(draft.facts)
    safe = SafeText()
    parts: list[str] = []
    streaming = True
    try:
        for token in services.llm_stream(draft.messages):
            parts.append(token)
            released = safe.feed(backed.feed(token))
            if streaming and released:
                streaming = _send(streamer.append, markdown_text=released)
        answer = finish_llm_answer(draft, "".join(parts))
    except Exception as error:  # the model failed mid-way: the offline answer replaces what was shown
        log.warning("streaming LLM answer failed, using the offline answer: %s", type(error).__name__)
        answer = fall_back(draft, "llm_unavailable")
    if streaming:
        tail = safe.feed(backed.close()) + safe.close()
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
