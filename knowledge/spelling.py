"""Typos in a question's English words, corrected against the words the index holds.

"renewl checklist" or "how do I tier cleints" is how people type in chat. The embedders forgive a
typo inside a long sentence, but in a short question the misspelt word is most of the meaning, and
BM25 cannot match it at all. A word that is neither an English word (pyspellchecker's dictionary,
shipped in its wheel) nor held by any indexed passage is replaced by the indexed word one edit
away (two for long words), the one most passages hold. Real words the documents happen not to use
("thing", "talks") are left alone, and so are short words: "tire" is one edit from "tier", and an
off-topic question must stay off-topic.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from spellchecker import SpellChecker

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
"""A word with its apostrophes: "haven't" is one word, not "haven" and "t"."""
MIN_LENGTH = 5
"""Shorter words are never corrected: too many other words are one edit away."""
LONG_WORD = 9
"""From this length a word may be two edits away from the one meant."""


@lru_cache(maxsize=1)
def _english() -> SpellChecker:
    """About 160,000 English words with their frequencies (0.1 s to load, once)."""
    return SpellChecker(language="en", distance=1)


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text) if len(word) >= MIN_LENGTH - 1}


class Vocabulary:
    """The English words of the indexed passages, each with how many passages hold it."""

    def __init__(self) -> None:
        self._passages: Counter[str] = Counter()
        self._choices: list[str] | None = None
        self._lock = threading.Lock()

    def add(self, text: str) -> None:
        with self._lock:
            self._passages.update(_words(text))
            self._choices = None

    def remove(self, text: str) -> None:
        with self._lock:
            self._passages.subtract(_words(text))
            self._passages = +self._passages  # drop the words no passage holds any more
            self._choices = None

    def corrected(self, query: str) -> str:
        """The query with each misspelt word of five letters or more replaced by the closest
        indexed word; the query as it is when nothing needs correcting."""
        return _WORD.sub(lambda match: self._closest(match.group(0)) or match.group(0), query)

    def _closest(self, word: str) -> str | None:
        lower = word.lower()
        if len(lower) < MIN_LENGTH or word.isupper() or not lower.isalpha():
            return None  # an acronym (KPIS) or a contraction is not taken for a typo
        with self._lock:
            if not self._passages or lower in self._passages:
                return None
        if lower in _english():
            return None
        with self._lock:
            if self._choices is None:
                self._choices = list(self._passages)
            limit = 2 if len(lower) >= LONG_WORD else 1
            near = process.extract(
                lower, self._choices, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=20
            )
            # A typo rarely hits the first letter: requiring it halves the words a guess can land on.
            candidates = [
                (distance, -self._passages[choice], choice)
                for choice, distance, _ in near
                if choice[0] == lower[0]
            ]
        return min(candidates)[2] if candidates else None
