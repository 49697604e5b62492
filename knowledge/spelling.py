"""Typos in a question, corrected: English words against the words the index holds, Chinese
homophones against the ops vocabulary.

"renewl checklist" or "how do I tier cleints" is how people type in chat. The embedders forgive a
typo inside a long sentence, but in a short question the misspelt word is most of the meaning, and
BM25 cannot match it at all. A word that is neither an English word (pyspellchecker's dictionary,
shipped in its wheel) nor held by any indexed passage is replaced by the indexed word one edit
away (two for long words), the one most passages hold. Real words the documents happen not to use
("thing", "talks") are left alone, and so are short words: "tire" is one edit from "tier", and an
off-topic question must stay off-topic.

A Chinese typo is a homophone the input method offered: 付盘 for 复盘, 续月 for 续约, 流存 for 留存.
Where jieba finds no word of its dictionary (it leaves single characters, or a word it guessed), a
stretch that sounds exactly like an ops term (pypinyin, without tones) is read as that term. A real
word is never replaced: 分成 stays 分成.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from spellchecker import SpellChecker

from knowledge.text import CJK_CHARACTER, OPS_TERMS, is_dictionary_word, segment

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
"""A word with its apostrophes: "haven't" is one word, not "haven" and "t"."""
MIN_LENGTH = 5
"""Shorter words are never corrected: too many other words are one edit away."""
LONG_WORD = 9
"""From this length a word may be two edits away from the one meant."""


class Correction(NamedTuple):
    """A word of a question as typed, and the word it was searched as."""

    typed: str
    read_as: str


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """About 160,000 English words (0.1 s to load, once; 12 MiB kept: the words, not the checker)."""
    return frozenset(SpellChecker(language="en", distance=1).word_frequency.keys())


def _syllables(text: str) -> list[str]:
    """Each character's syllable, without tones. pypinyin's phrase dictionary, which would pick a
    character's reading from its neighbours, is not loaded (it costs 22 MiB): a homophone typo and
    the term it stands for are read alike either way."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import lazy_pinyin

    return lazy_pinyin(text)


def load_word_lists() -> None:
    """Load the English word list and the ops terms' sounds (about 0.3 s), once: at start, so that
    the first question with a typo does not wait for them."""
    _english()
    _terms_by_sound()


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
            for word in _words(text):
                self._passages[word] -= 1
                if self._passages[word] <= 0:  # no passage holds it any more
                    del self._passages[word]
            self._choices = None

    def read(self, query: str) -> tuple[str, list[Correction]]:
        """The query with each misspelt word of five letters or more replaced by the closest
        indexed word (as it is when nothing needs correcting), and each replacement, in order."""
        readings: list[Correction] = []

        def read_word(match: re.Match[str]) -> str:
            typed = match.group(0)
            read_as = self._closest(typed)
            if read_as is None:
                return typed
            readings.append(Correction(typed, read_as))
            return read_as

        return _WORD.sub(read_word, query), readings

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


@lru_cache(maxsize=1)
def _terms_by_sound() -> dict[tuple[str, ...], str]:
    """The ops vocabulary's Chinese terms by their syllables, without tones."""
    return {
        tuple(_syllables(term)): term
        for term in sorted(OPS_TERMS)
        if len(term) >= 2 and all(CJK_CHARACTER.match(character) for character in term)
    }


def homophones(query: str) -> tuple[str, list[Correction]]:
    """The query with each homophone of an ops term, where jieba knows no word, read as the term,
    and each such reading."""
    if not CJK_CHARACTER.search(query):
        return query, []
    parts: list[str] = []
    readings: list[Correction] = []
    loose = ""  # characters jieba could not place in a word of its dictionary
    for token in segment(query):
        if all(CJK_CHARACTER.match(character) for character in token) and (
            len(token) == 1 or not is_dictionary_word(token)
        ):
            loose += token
            continue
        parts += [_sounded_out(loose, readings), token]
        loose = ""
    parts.append(_sounded_out(loose, readings))
    return "".join(parts), readings


def _sounded_out(run: str, readings: list[Correction]) -> str:
    """The run with each stretch of 2 to 4 characters that sounds like an ops term replaced by it,
    longest first, from the left; each replacement is added to `readings`."""
    if len(run) < 2:
        return run
    sounds, terms = _syllables(run), _terms_by_sound()
    result: list[str] = []
    start = 0
    while start < len(run):
        for length in (4, 3, 2):
            term = terms.get(tuple(sounds[start : start + length])) if start + length <= len(run) else None
            if term is not None:
                if term != run[start : start + length]:
                    readings.append(Correction(run[start : start + length], term))
                result.append(term)
                start += length
                break
        else:
            result.append(run[start])
            start += 1
    return "".join(result)
