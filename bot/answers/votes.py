"""Feedback buttons on answers (👍 / 👎), the form that asks what a 👎 answer missed, and the log
entry each answer gets, so a vote names the question, the answer and its sources."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from bot.core.messages import say
from bot.slack.blocks import answer_message
from knowledge.answer import Answer
from knowledge.text import Lang

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

VOTE_ACTION = "answer_vote"
REASON_CALLBACK = "answer_vote_reason"
REASON_BLOCK = "reason"
UP, DOWN = "up", "down"


def log_answer(services: Services, answer: Answer, channel: str | None, asker: str) -> int | None:
    """The answer's id in the log, or None when it could not be written: the answer is then sent
    without buttons rather than not at all."""
    try:
        return services.answers.record(
            answer.question,
            answer.lang,
            answer.found,
            answer.method,
            answer.text,
            [f"{c.doc_title} › {c.section_title}" for c in answer.citations],
            channel or "",
            asker,
        )
    except Exception:
        log.warning("could not log an answer; it is sent without feedback buttons", exc_info=True)
        return None


NOT_QUESTIONS = ("empty_question", "question_too_long")
"""Replies that ask for a question: nothing was asked, so nothing is logged."""


def answer_payload(services: Services, answer: Answer, channel: str | None, asker: str) -> dict[str, Any]:
    """The answer as a Slack message, logged (a question nothing answered too), with 👍 / 👎 that
    name its log entry when it answers."""
    payload = answer_message(answer)
    if answer.note in NOT_QUESTIONS:
        return payload
    answer_id = log_answer(services, answer, channel, asker)
    return with_vote_buttons(payload, answer_id, answer.lang) if answer.found else payload


def with_vote_buttons(payload: dict[str, Any], answer_id: int | None, lang: Lang) -> dict[str, Any]:
    """The answer with 👍 / 👎 under it (Slack's feedback buttons); unchanged without an id."""
    if answer_id is None:
        return payload
    buttons = {
        "type": "context_actions",
        "block_id": f"vote-{answer_id}",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": VOTE_ACTION,
                "positive_button": {
                    "text": {"type": "plain_text", "text": "👍"},
                    "value": f"{UP}:{answer_id}:{lang}",
                    "accessibility_label": say("answer_vote_up", lang),
                },
                "negative_button": {
                    "text": {"type": "plain_text", "text": "👎"},
                    "value": f"{DOWN}:{answer_id}:{lang}",
                    "accessibility_label": say("answer_vote_down", lang),
                },
            }
        ],
    }
    return {**payload, "blocks": [*payload.get("blocks", []), buttons]}


def parse_vote(value: str) -> tuple[str, int, Lang] | None:
    """(`up` or `down`, answer id, language) from a button's value; None for anything else."""
    kind, _, rest = value.partition(":")
    number, _, lang = rest.partition(":")
    if kind not in (UP, DOWN) or not number.isdigit():
        return None
    return kind, int(number), "zh" if lang == "zh" else "en"


def reason_modal(answer_id: int, lang: Lang) -> dict[str, Any]:
    """Asks, optionally, what the answer missed; closing the form keeps the 👎."""
    return {
        "type": "modal",
        "callback_id": REASON_CALLBACK,
        "title": {"type": "plain_text", "text": say("answer_vote_title", lang)},
        "submit": {"type": "plain_text", "text": say("answer_vote_submit", lang)},
        "close": {"type": "plain_text", "text": say("answer_vote_close", lang)},
        "private_metadata": json.dumps({"answer": answer_id, "lang": lang}),
        "blocks": [
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": say("answer_vote_label", lang)},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }
