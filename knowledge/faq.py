"""Question-and-answer pages (FAQ, 常见问题): each pair is a section of its own, titled by its question.

Read as one section, a page of twenty pairs answers every question with the whole page, the pair
asked about somewhere in the middle. As sections, the pair whose question matches is found first
(its question is in the passage's title line), quoted alone and cited by its question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUESTION = re.compile(
    r"^\s*(?:\*\*)?(?:Q\s*\d*|问题?\s*\d*|問題?\s*\d*|Question\s*\d*)\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*",
    re.IGNORECASE,
)
_ANSWER = re.compile(
    r"^\s*(?:\*\*)?(?:A\s*\d*|答案?|回答|Answer)\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*", re.IGNORECASE
)
MIN_PAIRS = 2
"""One `Q:` line is a sentence that happens to start that way; two or more pairs make a page."""


@dataclass(frozen=True)
class Pair:
    question: str
    answer: str


@dataclass(frozen=True)
class QuestionPage:
    """What comes before the first question (often a line saying what the page is), and the pairs."""

    intro: str
    pairs: tuple[Pair, ...]


def question_page(text: str) -> QuestionPage | None:
    """The text's question-and-answer pairs (`Q:`/`A:`, `Q1:`/`A1:`, `问：`/`答：`, `问题1：`/`答案：`,
    `Question:`/`Answer:`), or None unless it has at least two and every question has its answer."""
    intro: list[str] = []
    pairs: list[tuple[list[str], list[str]]] = []
    for line in text.split("\n"):
        if _QUESTION.match(line):
            pairs.append(([_QUESTION.sub("", line, count=1).replace("**", "").strip()], []))
        elif not pairs:
            intro.append(line)
        elif _ANSWER.match(line) and not pairs[-1][1]:
            pairs[-1][1].append(_ANSWER.sub("", line, count=1))
        elif pairs[-1][1]:
            pairs[-1][1].append(line)
        elif line.strip():
            pairs[-1][0].append(line.strip())  # a question wrapped over lines
    if len(pairs) < MIN_PAIRS or not all("\n".join(answer).strip() for _, answer in pairs):
        return None
    return QuestionPage(
        "\n".join(intro).strip(),
        tuple(Pair(" ".join(question).strip(), "\n".join(answer).strip()) for question, answer in pairs),
    )


def headed_pair(heading: str, text: str) -> Pair | None:
    """A section whose heading asks (`## Q: How do I export?`) and whose text answers (`A: …`): the
    pair without its markers, as a page of `Q:` and `A:` lines gives them. None for any other."""
    if not _QUESTION.match(heading) or not _ANSWER.match(text.lstrip()):
        return None
    question = _QUESTION.sub("", heading, count=1).replace("**", "").strip()
    answer = _ANSWER.sub("", text.lstrip(), count=1).strip()
    return Pair(question, answer) if question and answer else None
