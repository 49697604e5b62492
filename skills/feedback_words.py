"""The words of a piece of feedback: one normal form for every way of writing it (case, full-width,
Traditional), then readable features. The categorizer and the near-duplicate grouping share them."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9']*|[0-9]{3,}")
_EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
        "my",
        "our",
        "your",
        "their",
        "me",
        "us",
        "him",
        "her",
        "them",
        "do",
        "does",
        "did",
        "so",
        "as",
        "by",
        "from",
    ]
)


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Lowercase, full-width folded (NFKC) and Simplified, so every way of writing a word looks alike."""
    return _to_simplified().convert(unicodedata.normalize("NFKC", text).lower())


def features(normalized: str) -> list[str]:
    """Readable words: English words (lightly stemmed), codes such as 500, and Chinese character pairs."""
    found = [_stem(word) for word in _LATIN_WORD.findall(normalized) if word not in _EN_STOPWORDS]
    for run in CJK_RUN.findall(normalized):
        found.extend(run[n : n + 2] for n in range(len(run) - 1))
        if len(run) == 1:
            found.append(run)
    return found


def _stem(word: str) -> str:
    word = word.replace("'", "")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
