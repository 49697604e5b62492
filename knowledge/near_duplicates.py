"""Near-duplicate passages across documents: the same article pasted twice, once converted.

Passages are compared on character 4-grams of their normalized text (so script, spacing and
punctuation do not matter). MinHash with many small bands finds candidates without comparing every
pair; the candidates are then checked exactly, by containment: how much of one passage's 4-grams
the other holds. Containment (not only overlap) matters because two copies are rarely cut into
passages at the same places.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from knowledge.identifiers import identifiers

SHINGLE = 4
PERMUTATIONS = 64
BANDS = 32
ROWS = PERMUTATIONS // BANDS
CONTAINED = 0.8
"""Share of a passage's 4-grams found in another for it to count as repeating it: survives edits,
a converter's leftovers and a different header; two passages on one topic stay apart."""
MIN_CHARS = 40
"""Shorter passages (a heading, a one-line list item) are too short to call duplicates."""

_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)


def shingles(text: str) -> frozenset[int]:
    """Hashed 4-grams of the text without spaces and punctuation; empty when the text is too short."""
    compact = _NOT_CONTENT.sub("", text.lower())
    if len(compact) < MIN_CHARS:
        return frozenset()
    return frozenset(zlib.crc32(compact[i : i + SHINGLE].encode("utf-8")) for i in range(len(compact) - 3))


def codes(text: str) -> frozenset[str]:
    """The codes a passage holds (order ids, SOP numbers): two passages that differ in them are two
    records from one template, not one passage twice."""
    return frozenset(code.lower() for code in identifiers(text))


def containment(part: frozenset[int], whole: frozenset[int]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def _signature(grams: frozenset[int]) -> np.ndarray:
    hashes = np.fromiter(grams, dtype=np.uint64, count=len(grams))
    # a·x + b wraps modulo 2^64 before the mod p: still a random-enough permutation for MinHash.
    return ((hashes[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)).min(axis=0)


@dataclass(frozen=True)
class Match:
    chunk_id: str
    key: str
    new_in_old: float
    """Share of the new passage found in the indexed one."""
    old_in_new: float

    @property
    def same_passage(self) -> bool:
        """Each holds most of the other: one passage, so they may share a key."""
        return min(self.new_in_old, self.old_in_new) >= CONTAINED

    @property
    def repeats(self) -> bool:
        """One holds most of the other (a copy cut differently, or a passage inside a longer one)."""
        return max(self.new_in_old, self.old_in_new) >= CONTAINED


class NearDuplicates:
    """An index of passages that answers: which indexed passages does this new one repeat?"""

    def __init__(self) -> None:
        self._grams: dict[str, frozenset[int]] = {}
        self._keys: dict[str, str] = {}
        self._codes: dict[str, frozenset[str]] = {}
        self._buckets: dict[tuple[int, bytes], set[str]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._grams)

    @staticmethod
    def _bands(grams: frozenset[int]) -> list[tuple[int, bytes]]:
        sig = _signature(grams)
        return [(band, sig[band * ROWS : (band + 1) * ROWS].tobytes()) for band in range(BANDS)]

    def add(self, chunk_id: str, key: str, text: str) -> None:
        grams = shingles(text)
        if not grams:
            return
        self._grams[chunk_id] = grams
        self._keys[chunk_id] = key
        self._codes[chunk_id] = codes(text)
        for bucket in self._bands(grams):
            self._buckets[bucket].add(chunk_id)

    def remove(self, chunk_id: str) -> None:
        grams = self._grams.pop(chunk_id, None)
        self._keys.pop(chunk_id, None)
        self._codes.pop(chunk_id, None)
        if grams is None:
            return
        for bucket in self._bands(grams):
            members = self._buckets.get(bucket)
            if members is not None:
                members.discard(chunk_id)
                if not members:
                    del self._buckets[bucket]

    def matches(self, text: str, exclude_prefix: str | None = None) -> list[Match]:
        """Indexed passages this text repeats or is repeated by, most similar first."""
        grams = shingles(text)
        if not grams:
            return []
        held = codes(text)
        candidates: set[str] = set()
        for bucket in self._bands(grams):
            candidates |= self._buckets.get(bucket, set())
        found = []
        for candidate in candidates:
            if exclude_prefix is not None and candidate.startswith(exclude_prefix):
                continue
            if self._codes[candidate] != held:
                continue
            other = self._grams[candidate]
            match = Match(
                candidate, self._keys[candidate], containment(grams, other), containment(other, grams)
            )
            if match.repeats:
                found.append(match)
        return sorted(found, key=lambda m: -(m.new_in_old + m.old_in_new))
