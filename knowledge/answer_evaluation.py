"""Answer quality over a question set with key points: how much of what a good answer says is said.

Retrieval metrics tell whether the right section was found; this tells whether the reply a person
reads carries it. Each question lists its key points, each point as one or more phrasings; a point
counts when any phrasing appears in the answer text. Off-topic questions are scored separately:
each must be refused.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from knowledge.answer import CITATION_MARK
from knowledge.evaluation import in_split
from knowledge.text import detect_language
from skills.errors import SkillError

Split = Literal["tune", "heldout", "all"]


@dataclass(frozen=True)
class AnswerQuestion:
    """`points`: each key point as its acceptable phrasings; `split`: "tune" questions may be used
    to choose settings, "heldout" ones only to report them."""

    q: str
    lang: str
    points: tuple[tuple[str, ...], ...]
    split: str = "heldout"


@dataclass(frozen=True)
class AnsweredQuestion:
    """`cited`: the sources the answer quotes; `idle`: those whose part of it carries no key point."""

    question: AnswerQuestion
    found: bool
    missing: tuple[str, ...]
    cited: int = 0
    idle: int = 0

    @property
    def coverage(self) -> float:
        return 1 - len(self.missing) / len(self.question.points)


@dataclass
class AnswerScores:
    """Key-point coverage (mean over questions), questions answered in full, questions refused."""

    results: list[AnsweredQuestion] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.results)

    @property
    def coverage(self) -> float:
        return sum(r.coverage for r in self.results) / self.count if self.results else 0.0

    @property
    def complete(self) -> int:
        return sum(1 for r in self.results if not r.missing)

    @property
    def refused(self) -> int:
        return sum(1 for r in self.results if not r.found)

    @property
    def cited(self) -> int:
        return sum(r.cited for r in self.results)

    @property
    def idle_share(self) -> float:
        """Share of the cited sources that add no key point: what an answer carries beyond what
        was asked (a passage joined because it ranked close, say), as coverage cannot show."""
        return sum(r.idle for r in self.results) / self.cited if self.cited else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": self.count,
            "coverage": round(self.coverage, 4),
            "complete": self.complete,
            "refused": self.refused,
            "cited": self.cited,
            "idle_share": round(self.idle_share, 4),
        }


class AnswerSetError(SkillError):
    """A key-point file line that cannot be used; the message names the line, in both languages."""


def load_answer_questions(path: Path) -> list[AnswerQuestion]:
    """Questions of a JSON-lines file: {"q": …, "points": [["phrase", "other phrasing"], …]}, with
    optional "lang" (zh/en) and "split" (tune/heldout); AnswerSetError names the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise AnswerSetError(f"{path}: not UTF-8 text.", f"{path}:不是 UTF-8 文本。") from None
    questions = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            questions.append(_question(line, f"{path}:{number}"))
    return questions


def _question(line: str, where: str) -> AnswerQuestion:
    bad = AnswerSetError(
        f'{where}: expected {{"q": "…", "points": [["phrase", …], …]}}, with "lang" zh or en and '
        '"split" tune or heldout when given',
        f'{where}:应为 {{"q": "…", "points": [["短语", …], …]}};"lang" 如有须为 zh 或 en,'
        '"split" 如有须为 tune 或 heldout',
    )
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        raise bad from None
    if not isinstance(record, dict) or not isinstance(record.get("q"), str) or not record["q"].strip():
        raise bad
    points = _points(record.get("points"))
    lang = record.get("lang") or detect_language(record["q"])
    split = record.get("split") or "heldout"
    if points is None or lang not in ("zh", "en") or split not in ("tune", "heldout"):
        raise bad
    return AnswerQuestion(record["q"].strip(), lang, points, split)


def _points(value: object) -> tuple[tuple[str, ...], ...] | None:
    """A non-empty list of points; a point is a phrase or a list of phrasings, none blank."""
    if not isinstance(value, list) or not value:
        return None
    points = []
    for point in value:
        phrasings = [point] if isinstance(point, str) else point
        if not isinstance(phrasings, list) or not phrasings:
            return None
        if not all(isinstance(p, str) and p.strip() for p in phrasings):
            return None
        points.append(tuple(phrasings))
    return tuple(points)


def normalized(text: str) -> str:
    """Width, case, Markdown emphasis and spacing do not decide whether a point was said."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("*", "").replace("’", "'")
    return re.sub(r"\s+", " ", text)


def missing_points(question: AnswerQuestion, answer_text: str) -> tuple[str, ...]:
    """The first phrasing of each key point the answer does not carry."""
    said = normalized(answer_text)
    return tuple(
        point[0] for point in question.points if not any(normalized(phrasing) in said for phrasing in point)
    )


def parts_by_source(answer_text: str) -> dict[int, str]:
    """What an answer says from each numbered source. A line is its cited sources' part; a line
    without a mark continues the last one (a list under its lead), and a line citing several
    sources counts for each."""
    parts: dict[int, list[str]] = {}
    current: list[int] = []
    for line in answer_text.splitlines():
        cited = [int(number) for number in CITATION_MARK.findall(line)]
        if cited:
            current = cited
        for number in current:
            parts.setdefault(number, []).append(line)
    return {number: "\n".join(lines) for number, lines in parts.items()}


AnswerFunction = Callable[[str], tuple[bool, str]]
"""Answers a question: (whether an answer was given, its text with [n] marks for its sources)."""


def score_answers(
    answer: AnswerFunction, questions: Iterable[AnswerQuestion], split: Split = "all"
) -> dict[str, AnswerScores]:
    """Scores under "all", "zh" and "en", over the questions of `split`."""
    totals = {"all": AnswerScores(), "zh": AnswerScores(), "en": AnswerScores()}
    for question in in_split(questions, split):
        found, text = answer(question.q)
        parts = parts_by_source(text) if found else {}
        idle = sum(
            1 for part in parts.values() if len(missing_points(question, part)) == len(question.points)
        )
        result = AnsweredQuestion(
            question, found, missing_points(question, text if found else ""), len(parts), idle
        )
        totals["all"].results.append(result)
        totals[question.lang].results.append(result)
    return totals
