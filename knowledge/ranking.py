"""How the index orders passages: reciprocal-rank fusion of each embedder's ranking and BM25's,
one vote per section however many copies or translations it has, and a lift for passages in the
other language than the question's. Pure over rankings (chunk ids with scores); the index supplies
what it knows of each chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from knowledge.documents import Chunk
from knowledge.text import Lang

Ranking = list[tuple[str, float]]
"""Chunk ids, best first, with their scores (a cosine, a BM25 score)."""


@dataclass(frozen=True)
class FusionConfig:
    """Reciprocal-rank fusion of the dense and lexical rankings. The defaults were chosen together
    with the relevance gate on the tuning halves of the question sets (benchmarks/joint_tuning.py:
    answer coverage, playbook MRR@5 and team-document MRR@5 counting alike, every off-topic
    question refused); the held-out halves report them."""

    candidates: int = 40
    rrf_k: float = 5.0
    dense_weights: tuple[float, ...] = (1.0, 1.0)
    """One weight per embedder, in the index's order; a missing entry counts as 1.0."""
    lexical_weight: float = 1.0
    coverage_power: float = 1.0
    cross_language_bonus: float = 0.05
    """Added to a passage's cosine when ranking it for a question in another language (see
    `lift_other_languages`); the relevance gate still sees the plain cosine."""
    other_language_lift: float = 0.5
    """A section that exists only in other languages than the question's gets its fused score
    raised by this share: the lexical ranking cannot match it, so it misses a vote that passages in
    the question's language can get for a single shared word."""

    def dense_weight(self, position: int) -> float:
        return self.dense_weights[position] if position < len(self.dense_weights) else 1.0


@dataclass(frozen=True)
class Hit:
    """One search result. `similarities`: the best cosine per embedder, in the index's order (0 when
    that embedder did not rank it); `coverage`: share of the query's term weight found in it (0 to 1);
    `terms`: how many distinct terms the query had, which that share is of."""

    chunk: Chunk
    score: float
    similarities: tuple[float, ...]
    coverage: float
    terms: int = 0

    @property
    def similarity(self) -> float:
        return self.similarities[0]


def best_per_key(chunk_ids: Iterable[str], key_of: Callable[[str], str]) -> Iterator[tuple[int, str, str]]:
    """(rank, key, chunk id) at each key's best place in a ranking. Each key votes once per
    ranking: a section with a translation (or a duplicate) must not outvote a passage that exists
    in one language only."""
    seen: set[str] = set()
    for chunk_id in chunk_ids:
        key = key_of(chunk_id)
        if key not in seen:
            yield len(seen), key, chunk_id
            seen.add(key)


def lift_other_languages(
    ranking: Ranking, lang_of: Callable[[str], Lang], lang: Lang, bonus: float
) -> Ranking:
    """The dense ranking re-ordered with `bonus` added to the cosine of passages in another
    language than the question's: small models score a passage in the question's language higher
    whatever it says, so a document that exists in one language only would lose to weaker passages
    in the question's."""
    return sorted(ranking, key=lambda item: -(item[1] + (bonus if lang_of(item[0]) != lang else 0.0)))


def with_stand_in(ranking: list[str], stand_in: list[str], lacking: Collection[str]) -> list[str]:
    """A model's ranking with the chunks it has no vector for yet (`lacking`) placed where another
    ranking of the same question (`stand_in`) puts them: a document learned a minute ago must not
    sink below older ones only because one of its vectors is still being computed. On a tie the
    model's own ranking goes first."""
    own = set(ranking)
    placed = [(rank, 0, chunk_id) for rank, chunk_id in enumerate(ranking)]
    placed += [
        (rank, 1, chunk_id)
        for rank, chunk_id in enumerate(stand_in)
        if chunk_id in lacking and chunk_id not in own
    ]
    return [chunk_id for _, _, chunk_id in sorted(placed)]


def fused_order(votes: Iterable[tuple[list[str], float | Callable[[str], float]]], rrf_k: float) -> list[str]:
    """Chunk ids by reciprocal-rank fusion of several rankings, each giving a chunk its weight (one
    per model, or per chunk as BM25's coverage-scaled vote) divided by k plus its rank."""
    scores: dict[str, float] = {}
    for ranking, weight in votes:
        for rank, chunk_id in enumerate(ranking):
            vote = weight(chunk_id) if callable(weight) else weight
            scores[chunk_id] = scores.get(chunk_id, 0.0) + vote / (rrf_k + rank + 1)
    return sorted(scores, key=lambda chunk_id: -scores[chunk_id])
