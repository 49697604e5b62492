"""Retrieval quality over a question set: hit@1, hit@5 and MRR@5, overall and per query language."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar

from knowledge.index import KnowledgeIndex
from knowledge.ranking import FusionConfig, Hit
from knowledge.text import detect_language
from skills.errors import SkillError


@dataclass(frozen=True)
class Question:
    """`sections`: ids that answer it; `any`: phrases, one of which a correct passage contains."""

    q: str
    lang: str
    sections: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    split: str = "heldout"
    """"tune": may be used to choose settings; "heldout": only to report them."""

    def is_answered_by(self, hit: Hit) -> bool:
        if self.sections and hit.chunk.section_id in self.sections:
            return True
        return any(phrase in hit.chunk.text or phrase in hit.chunk.body for phrase in self.any)


@dataclass
class Scores:
    count: int = 0
    hit_at_1: float = 0.0
    hit_at_5: float = 0.0
    mrr_at_5: float = 0.0
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int]:
        return {"n": self.count, "hit@1": self.hit_at_1, "hit@5": self.hit_at_5, "mrr@5": self.mrr_at_5}


class _HasSplit(Protocol):
    @property
    def split(self) -> str: ...


Q = TypeVar("Q", bound=_HasSplit)


class QuestionSetError(SkillError):
    """A question file line that cannot be used; the message names the line, in both languages."""


def load_questions(path: Path) -> list[Question]:
    """The questions of a JSON-lines file, one object per line; QuestionSetError for the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise QuestionSetError(f"{path}: not UTF-8 text.", f"{path}:不是 UTF-8 文本。") from None
    questions: list[Question] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = str(record["q"]).strip()
        except (json.JSONDecodeError, KeyError, TypeError, IndexError, RecursionError) as error:
            raise QuestionSetError(
                f'{path}:{number}: expected a JSON object with a "q" field',
                f'{path}:{number}:应为带 "q" 字段的 JSON 对象',
            ) from error
        sections = _strings(record.get("sections"))
        phrases = _strings(record.get("any"))
        lang = record.get("lang") or detect_language(text)
        split = record.get("split") or "heldout"
        if (
            not text
            or sections is None
            or phrases is None
            or not (sections or phrases)
            or lang not in ("zh", "en")
            or split not in ("tune", "heldout")
        ):
            raise QuestionSetError(
                f'{path}:{number}: needs a question and "any" phrases (or "sections"), as lists of text, '
                '"lang" zh or en and "split" tune or heldout when given',
                f'{path}:{number}:需要问题和 "any" 短语(或 "sections"),均为文本列表;"lang" 如有须为 zh 或 en,'
                '"split" 如有须为 tune 或 heldout',
            )
        questions.append(Question(text, lang, sections, phrases, split))
    return questions


@dataclass(frozen=True)
class Unanswerable:
    """A question the playbook must not answer: off the topic, or near it but not covered
    ("how do I compute customer lifetime value?" where lifetime value is only mentioned)."""

    q: str
    kind: str
    split: str


def load_unanswerable(path: Path) -> list[Unanswerable]:
    """JSON lines {"q": …, "kind": "off-topic" | "tangential", "split": "tune" | "heldout"}."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            question = Unanswerable(str(record["q"]), str(record["kind"]), str(record["split"]))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise QuestionSetError(
                f'{path}:{number}: expected {{"q": …, "kind": …, "split": …}}',
                f'{path}:{number}:应为 {{"q": …, "kind": …, "split": …}}',
            ) from error
        questions.append(question)
    return questions


def in_split(questions: Iterable[Q], split: str) -> list[Q]:
    """The questions of one split ("all": every one)."""
    return [q for q in questions if split == "all" or q.split == split]


def _strings(value: object) -> tuple[str, ...] | None:
    """A list of texts (a single text counts as one); None for anything else, which is refused, also
    a blank text, since "" is found in every passage."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if isinstance(items, list) and all(isinstance(item, str) and item.strip() for item in items):
        return tuple(items)
    return None


def evaluate(
    index: KnowledgeIndex, questions: Iterable[Question], fusion: FusionConfig | None = None
) -> dict[str, Scores]:
    """Scores under the keys "all", "zh" and "en"."""
    totals: dict[str, Scores] = {"all": Scores(), "zh": Scores(), "en": Scores()}
    for question in questions:
        hits = index.search(question.q, top_k=5, fusion=fusion)
        rank = next((n for n, hit in enumerate(hits, start=1) if question.is_answered_by(hit)), None)
        for key in ("all", question.lang):
            scores = totals.setdefault(key, Scores())
            scores.count += 1
            if rank == 1:
                scores.hit_at_1 += 1
            if rank is not None:
                scores.hit_at_5 += 1
                scores.mrr_at_5 += 1 / rank
            else:
                scores.misses.append(question.q)
    for scores in totals.values():
        if scores.count:
            scores.hit_at_1 /= scores.count
            scores.hit_at_5 /= scores.count
            scores.mrr_at_5 /= scores.count
    return totals


def retrieval_modes(index: KnowledgeIndex) -> dict[str, FusionConfig]:
    """BM25 alone, the embedders alone, and the fusion the index uses: what `opsbot eval` compares."""
    none = tuple(0.0 for _ in index.embedders)
    return {
        "bm25": replace(index.fusion, dense_weights=none),
        "dense": replace(index.fusion, lexical_weight=0.0),
        "fused": index.fusion,
    }


def evaluate_modes(index: KnowledgeIndex, questions: list[Question]) -> dict[str, dict[str, Scores]]:
    return {mode: evaluate(index, questions, fusion) for mode, fusion in retrieval_modes(index).items()}
