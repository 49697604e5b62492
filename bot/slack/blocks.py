"""Block Kit builders: pure functions from results to Slack message payloads (dicts)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from bot.core.messages import HELP, say
from bot.slack.text import escape, markdown_to_mrkdwn, safe_url, truncate
from knowledge.answer import MAX_QUESTION_CHARS, Answer, Citation
from knowledge.normalize import to_traditional
from knowledge.text import Lang, has_words

Block = dict[str, Any]
SECTION_LIMIT = 3000
MARKDOWN_LIMIT = 12_000
CONTEXT_ELEMENTS_LIMIT = 10
BLOCKS_LIMIT = 50
FALLBACK_TEXT_LIMIT = 3900


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(mrkdwn, SECTION_LIMIT)}}


def markdown(text: str) -> Block:
    """Slack's markdown block: standard Markdown, up to 12,000 characters."""
    return {"type": "markdown", "text": truncate(text, MARKDOWN_LIMIT)}


def context(*mrkdwn: str) -> Block:
    elements = [{"type": "mrkdwn", "text": truncate(item, SECTION_LIMIT)} for item in mrkdwn]
    return {"type": "context", "elements": elements[:CONTEXT_ELEMENTS_LIMIT]}


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    """A chat payload: `text` is the notification/fallback, `blocks` the rich body, both within limits."""
    return {"text": truncate(text, FALLBACK_TEXT_LIMIT), "blocks": blocks[:BLOCKS_LIMIT]}


def citation_line(citation: Citation, lang: Lang, traditional: bool = False) -> str:
    """`[1] Document › Section`, linked when it has an address, and saying when the answer quoted
    only part of it."""
    label = escape(f"{citation.doc_title} › {citation.section_title}")
    if url := safe_url(citation.url):
        label = f"<{url}|{label}>"
    more = f" ({_in_script(say('more_in_source', lang), traditional)})" if citation.more else ""
    return f"[{citation.number}] {label}{more}"


def _in_script(text: str, traditional: bool) -> str:
    return to_traditional(text) if traditional else text


def answer_message(answer: Answer) -> dict[str, Any]:
    """The reply to a question: the answer (or why there is none) and its numbered sources, with
    the words around them in the asker's script."""
    lang = answer.lang

    def label(key: str, **values: str) -> str:
        return _in_script(say(key, lang, **values), answer.traditional)

    def citation_lines() -> list[str]:
        return [citation_line(c, lang, answer.traditional) for c in answer.citations]

    if answer.note == "empty_question":
        # Nothing to tell the language by (emoji, punctuation): ask in both.
        text = label("empty_question") if has_words(answer.question) else _both("empty_question")
        return notice_message(text)
    if answer.note == "question_too_long":
        return notice_message(
            say(
                "question_too_long", lang, length=f"{len(answer.question):,}", limit=f"{MAX_QUESTION_CHARS:,}"
            )
        )
    if not answer.found:
        key = {
            "not_covered": "not_covered",
            "closest": "not_found_closest",
            "closest_other_language": "not_found_closest_other_language",
            "no_formula": "no_formula",
            "no_benchmark": "no_benchmark",
        }.get(answer.note or "", "not_found")
        blocks = [section(label(key))]
        if answer.citations:
            blocks.append(context(*citation_lines()))
        return message(label(key), blocks)

    if answer.method == "llm":
        # A model writes standard Markdown (headings, lists, links, code): Slack's markdown block
        # renders it as written. Escaping keeps it text: CommonMark shows &lt; as "<", never a ping.
        blocks = [markdown(escape(answer.text))]
    else:
        blocks = [section(markdown_to_mrkdwn(escape(answer.text)))]
    if answer.read_as:
        words = [
            label("read_as_word", typed=escape(c.typed), read_as=escape(c.read_as)) for c in answer.read_as
        ]
        blocks.insert(0, context(label("read_as", words=("、" if lang == "zh" else ", ").join(words))))
    if answer.note:
        blocks.append(context(f"_{label(answer.note)}_"))
    sources_title = f"*{label('sources')}*"
    blocks.append(context(sources_title, *citation_lines()))
    fallback = escape(answer.text)
    return message(fallback, blocks)


def _both(key: str) -> str:
    return f"{say(key, 'en')}\n{say(key, 'zh')}"


def help_message(lang: Lang, prefix: str | None = None) -> dict[str, Any]:
    blocks = [section(prefix)] if prefix else []
    blocks.append(section(HELP[lang]))
    return message(HELP[lang], blocks)


def notice_message(text: str) -> dict[str, Any]:
    """A one-section message for our own short notices (already safe text)."""
    return message(text, [section(text)])


def failure_notice(
    log: logging.Logger,
    what: str,
    lang: Lang,
    key: str = "failed",
    *,
    error: BaseException | None = None,
    **values: str,
) -> dict[str, Any]:
    """Log `error` (by default the exception being handled) as `what` failed under a short
    reference, and return the notice (message `key`) that gives the person that reference, so an
    admin can find the traceback the person never sees."""
    reference = uuid.uuid4().hex[:8]
    log.error("%s failed (reference %s)", what, reference, exc_info=error or True)
    return notice_message(say(key, lang, ref=reference, **values))
