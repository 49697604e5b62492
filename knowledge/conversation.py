"""Follow-up questions in a conversation: what "那第二步呢?" or "what about the second one?" refers to.

A thread holds earlier questions and opsbot's answers. A question that leans on them (a pronoun, "the
second step", a bare "还有呢?") is searched together with the question before it; one that names a
numbered item of the last answer is searched with that item's words. A question that stands on its
own is searched alone, so a new topic in the same thread is not blurred by the old one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.text import CJK_CHARACTER, tokenize

MAX_TURNS = 4
"""Earlier turns an answer may use: enough to resolve a reference, little enough to stay on topic."""
MAX_TURN_CHARS = 1_000
"""Each earlier question or answer is cut to this many characters for the LLM's chat history."""


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation: what was asked, and what opsbot answered ("" if none)."""

    question: str
    answer: str = ""


_ZH_NUMBERS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_EN_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}
_ZH_ORDINAL = re.compile(
    r"第\s*([一二两三四五六七八九十]|\d{1,2})\s*(?:步|个|点|条|项|种|层|阶段|类|部分)?|最后一(?:步|个|点|条|项)"
)
_EN_ORDINAL = re.compile(
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\s+"
    r"(?:step|one|point|item|stage|part|thing|goal|tier|segment)s?\b|\b(?:step|point|item|stage)\s+(\d{1,2})\b",
    re.IGNORECASE,
)
_REFERS_BACK = re.compile(
    r"^(?:那|那么|那你|还有|另外|然后|其中|这|这个|这些|那个|那些|它|它们|上面|上述|刚才|具体)|"
    r"(?:这一步|那一步|这个|那个|这些|那些|它们|它的|上面|上述|刚才说|其中)|呢\s*[?？]?\s*$|"
    r"^(?:and|also|so|then|what about|how about|more on|tell me more|why)\b|"
    r"\b(?:it|its|that|those|these|this one|they|them|the above)\b",
    re.IGNORECASE,
)
_ASKS = re.compile(
    r"[?？]|什么|怎么|怎样|如何|为什么|为何|哪|吗|呢|多少|几|是否|能否|可以|要不要|"
    r"\b(?:what|how|why|which|who|whom|when|where|should|can|could|would|does|do|did|is|are|tell me|explain)\b",
    re.IGNORECASE,
)
_LIST_LINE = re.compile(r"^\s*(?:[◦•\-*]|\d{1,2}[.)、])\s*(.+)$")
_CITATION = re.compile(r"\s*\[\d{1,2}\]")
_SUBJECT_TERMS = 2
"""A question naming fewer subject terms than this rarely stands alone ("为什么?", "具体怎么做?")."""
_SUBJECT_TERMS_DESPITE_A_REFERENCE = 3
"""A question with a word pointing back ("what about KA clients?") leans on the one before unless
it names at least this many ("our churn is 8%, is that bad?" is about itself)."""
_NOT_A_SUBJECT = frozenset(
    tokenize(
        "具体 详细 细节 例子 举例 举个 展开 说说 讲讲 more details example examples exactly specifically mean"
    )
)
"""Words that ask for more of the same, not about something new."""


def ordinal(question: str) -> int | None:
    """The item a question points at: 2 for "第二步" or "the second step", -1 for "the last one"."""
    if match := _ZH_ORDINAL.search(question):
        if match.group(0).startswith("最后"):
            return -1
        word = match.group(1)
        return int(word) if word.isdigit() else _ZH_NUMBERS[word]
    if match := _EN_ORDINAL.search(question):
        return _EN_ORDINALS[match.group(1).lower()] if match.group(1) else int(match.group(2))
    return None


def asks_something(text: str) -> bool:
    """A question mark or a question word: "谢谢!" or "ok, got it" asks nothing and refers to nothing."""
    return bool(_ASKS.search(text))


def leans_on_context(question: str) -> bool:
    """Does the question refer to what came before instead of naming its subject? "那第二步呢?" and
    "具体怎么做?" do; "新客户签约后第一步做什么" and "how do I grow retention" name theirs."""
    if ordinal(question) is None and not asks_something(question):
        return False
    named = len(subject_terms(question))
    if _REFERS_BACK.search(question.strip()):
        return named < _SUBJECT_TERMS_DESPITE_A_REFERENCE
    return named < _SUBJECT_TERMS


def subject_terms(question: str) -> list[str]:
    """The terms that say what the question is about: not its ordinal ("第二步"), not a single
    Chinese character, not a word that asks for more of the same ("具体", "example")."""
    plain = _EN_ORDINAL.sub(" ", _ZH_ORDINAL.sub(" ", question))
    return [
        term
        for term in tokenize(plain)
        if term not in _NOT_A_SUBJECT and not (len(term) == 1 and CJK_CHARACTER.match(term))
    ]


def listed_items(answer: str) -> list[str]:
    """The items of the answer's first list, which "the second step" counts: the first run of
    indented items (a list inside a bullet), else the bullets themselves; without citation marks."""
    lines = answer.splitlines()
    nested = _first_run(lines, indented=True)
    items = nested or _first_run(lines, indented=False)
    return [_CITATION.sub("", item).strip() for item in items if item.strip()]


def _first_run(lines: list[str], indented: bool) -> list[str]:
    run: list[str] = []
    for line in lines:
        match = _LIST_LINE.match(line)
        if match and line.startswith((" ", "\t")) == indented:
            run.append(match.group(1))
        elif run and (indented or match is None):
            break
    return run


def search_text(question: str, earlier: Sequence[Turn]) -> str:
    """What to search for: the question alone, or with what it refers to in the conversation."""
    if not earlier or not leans_on_context(question):
        return question
    last = earlier[-1]
    position = ordinal(question)
    items = listed_items(last.answer) if position is not None else []
    if items and (position == -1 or 1 <= (position or 0) <= len(items)):
        item = items[-1] if position == -1 else items[(position or 1) - 1]
        # The ordinal's own words ("第二步") would match every other "second" in the index.
        rest = _EN_ORDINAL.sub(" ", _ZH_ORDINAL.sub(" ", question))
        return f"{item} {rest}"
    return f"{last.question} {question}"


def recent(earlier: Sequence[Turn]) -> list[Turn]:
    """The last MAX_TURNS turns, each cut to MAX_TURN_CHARS."""
    return [
        Turn(turn.question[:MAX_TURN_CHARS], turn.answer[:MAX_TURN_CHARS])
        for turn in list(earlier)[-MAX_TURNS:]
    ]
