"""Near-duplicate feedback: the same problem raised again, by another customer or in other words.

Each text becomes a fingerprint (English words, error codes and Chinese character pairs, after the
same normalization the categorizer uses, minus filler such as "customer says" or 客户反馈). Two
texts are near-duplicates when the weighted cosine of their fingerprints reaches SIMILAR_ENOUGH.
A word weighs 1 unless it is common among the texts compared, then less, so words most messages share ("export", 报表) cannot make two texts look alike alone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from skills.feedback_words import features, normalize

SIMILAR_ENOUGH = 0.6
COMMON_SHARE = 0.05
"""A word in more than this share of the compared texts (and in more than three) weighs less:
sqrt(common count / its count)."""
_FILLER = frozenset(
    [
        "customer",
        "customers",
        "client",
        "clients",
        "says",
        "said",
        "say",
        "feedback",
        "hi",
        "hello",
        "team",
        "please",
        "pls",
        "thanks",
        "thank",
        "not",
        "since",
        "after",
        "last",
        "again",
        "today",
        "still",
        "keep",
        "now",
        "just",
        "also",
        "any",
        "some",
        "all",
        "when",
        "客户",
        "反馈",
        "户反",
        "户说",
        "客说",
        "请问",
        "麻烦",
        "谢谢",
        "一下",
        "你们",
        "我们",
        "他们",
        "这个",
        "那个",
    ]
)


def fingerprint(text: str) -> tuple[str, ...]:
    """The words that identify what a feedback text is about (order and repeats dropped)."""
    normalized = normalize(text)
    words = [word for word in features(normalized) if len(word) > 1 and word not in _FILLER]
    return tuple(sorted(set(words)))


@dataclass(frozen=True)
class Candidate:
    key: int
    """The caller's id for the earlier item."""
    group: int
    """The group the earlier item belongs to."""
    fingerprint: Sequence[str]


def _weights(words: Sequence[str], idf: dict[str, float]) -> dict[str, float]:
    return {word: idf[word] for word in words}


def cosine(first: dict[str, float], second: dict[str, float]) -> float:
    shared = first.keys() & second.keys()
    if not shared:
        return 0.0
    dot = sum(first[w] * second[w] for w in shared)
    norm = math.sqrt(sum(v * v for v in first.values())) * math.sqrt(sum(v * v for v in second.values()))
    return dot / norm if norm else 0.0


def best_match(
    text_fingerprint: Sequence[str], candidates: Sequence[Candidate], threshold: float = SIMILAR_ENOUGH
) -> tuple[Candidate, float] | None:
    """The most similar earlier item at or above `threshold`, or None (then a new group starts)."""
    if not text_fingerprint or not candidates:
        return None
    document_frequency: Counter[str] = Counter(text_fingerprint)
    for candidate in candidates:
        document_frequency.update(set(candidate.fingerprint))
    common = max(3.0, COMMON_SHARE * (len(candidates) + 1))
    idf = {word: min(1.0, math.sqrt(common / count)) for word, count in document_frequency.items()}
    mine = _weights(text_fingerprint, idf)
    best: tuple[Candidate, float] | None = None
    for candidate in candidates:
        score = cosine(mine, _weights(candidate.fingerprint, idf))
        if score >= threshold and (best is None or score > best[1]):
            best = (candidate, score)
    return best
