"""A question asked again in the other language, translated by the configured model.

The two offline embedders match a question and a passage in different languages only loosely, and
keywords not at all: "when does a normal ticket have to be resolved" does not find a team's Chinese
SOP on 工单. With a model configured, a question that nothing answers in its own words is
translated and searched again (see `Answerer._answering_translated`). The translation is only
ever a search query: it is not shown, quoted or trusted for a fact.
"""

from __future__ import annotations

import logging

from knowledge.chat import ChatMessages, LLMCall
from knowledge.text import Lang, detect_language, has_words

log = logging.getLogger(__name__)

LANGUAGE_NAMES: dict[Lang, str] = {"zh": "Simplified Chinese", "en": "English"}
"""How a model is told a language: to translate into it, or to answer in it."""
MAX_TRANSLATION_CHARS = 600
"""A question's translation is about as long as the question (at most 2,000 characters are
asked); a longer reply is the model doing something else."""
INSTRUCTION = (
    "Translate the user's question into {language}, so that it can be searched for in documents "
    "written in {language}. Keep names, numbers, codes and product terms as they are. Reply with "
    "the translated question alone: no quotes, no notes, no answer."
)


def other_language(lang: Lang) -> Lang:
    return "en" if lang == "zh" else "zh"


def translation_messages(question: str, into: Lang) -> ChatMessages:
    return [
        {"role": "system", "content": INSTRUCTION.format(language=LANGUAGE_NAMES[into])},
        {"role": "user", "content": question},
    ]


def translated_question(model: LLMCall, question: str, into: Lang) -> str | None:
    """The question in `into`, or None when the model fails or replies with something that is not
    a question in that language (an answer, a refusal, the question unchanged): the question is
    then simply not asked again."""
    try:
        reply = model(translation_messages(question, into))
    except Exception as error:  # any provider failure: the question stays unanswered, as before
        log.warning("translating a question failed: %s", type(error).__name__)
        return None
    lines = [line.strip().strip("\"'“”「」") for line in str(reply or "").splitlines()]
    translation = next((line for line in lines if line), "")
    if len(translation) > MAX_TRANSLATION_CHARS or not has_words(translation):
        return None
    return translation if detect_language(translation) == into else None
